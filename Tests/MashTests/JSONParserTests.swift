import Foundation
import MashSchema
import Testing

@Suite struct JSONParserTests {
    static let documents: [(String, RawValue)] = [
        (#"{"a": 1, "b": [true, false, null], "c": "x"}"#, .map(["a": .number("1"), "b": .list([.boolean(true), .boolean(false), .null]), "c": .string("x")])),
        (#"  [ ]  "#, .list([])),
        (#"{}"#, .map([:])),
        (#"-0.5e+3"#, .number("-0.5e+3")),
        (#"0.1"#, .number("0.1")),
        (#""tab\tquote\"slash\/back\\ é \u00e9 \ud83d\ude00""#, .string("tab\tquote\"slash/back\\ é é 😀")),
        (#"{"nested": {"deep": [[1], [2, {"x": "y"}]]}}"#, .map(["nested": .map(["deep": .list([.list([.number("1")]), .list([.number("2"), .map(["x": .string("y")])])])])])),
    ]

    @Test(arguments: documents)
    func parses(_ text: String, _ expected: RawValue) throws {
        #expect(try JSONParser.parse(Data(text.utf8)) == expected)
    }

    static let broken = [#"{"a": }"#, #"[1, 2"#, #"01"#, #"tru"#, #""open"#, #"{"a" 1}"#, #"[1,]"#, #""\ud800""#, "\"a\u{01}b\"", #"1 2"#, #"-"#, #"1."#]

    @Test(arguments: broken)
    func rejects(_ text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Data(text.utf8)) }
    }

    @Test func agreesWithFoundationOnGeneratedRecords() throws {
        let line = #"{"id":"SYN-1","referral":{"received":"2026-03-02T09:15:00Z","concerns":[{"category":"neglect"}],"dash_ticks":14,"x":1.25},"ok":true,"none":null}"#
        let foundation = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? NSDictionary
        guard case .map(let ours) = try JSONParser.parse(Data(line.utf8)) else { Issue.record("not a map"); return }
        #expect(Set(ours.keys) == Set((foundation?.allKeys as? [String]) ?? []))
        #expect(try JSONParser.parse(Data(line.utf8)).jsonText == #"{"id":"SYN-1","none":null,"ok":true,"referral":{"concerns":[{"category":"neglect"}],"dash_ticks":14,"received":"2026-03-02T09:15:00Z","x":1.25}}"#)
    }
}
