import Foundation
@testable import MashSchema
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

/// Dates and date-times in the shape records use (`2026-03-02`, `2026-03-02T09:15:30Z`,
/// `...+01:00`) are read two digits at a time (`Digits.two`). Exact values, and each digit in turn
/// replaced by the bytes either side of the digits (`/` and `:`) and by a letter, which must be
/// refused: by the common shape's reader, and by the general reader it leaves them to.
@Suite struct CommonTemporalShapeTests {
    @Test func datesAreReadExactly() throws {
        #expect(Array("2026-03-02".utf8).withUnsafeBufferPointer { LocalDate.parseCommon($0) } == .some(LocalDate(year: 2026, month: 3, day: 2)))
        #expect(LocalDate.parse("2026-03-02") == LocalDate(year: 2026, month: 3, day: 2))
        #expect(LocalDate.parse("0999-12-31") == LocalDate(year: 999, month: 12, day: 31))
        #expect(LocalDate.parse("2024-02-29") == LocalDate(year: 2024, month: 2, day: 29))
        #expect(LocalDate.parse("2026-02-29") == nil)
        #expect(LocalDate.parse("2026-13-01") == nil)
        #expect(LocalDate.parse("2026-00-10") == nil)
        let text = Array("2026-03-02".utf8)
        for i in [0, 1, 2, 3, 5, 6, 8, 9] {
            for bad in [UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "a")] {
                var b = text
                b[i] = bad
                let s = String(decoding: b, as: UTF8.self)
                #expect(LocalDate.parse(s) == nil, "\(s)")
            }
        }
    }

    @Test func dateTimesAreReadExactly() throws {
        // 2026-03-02 is day 20,514 after 1970-01-01.
        let day: Int64 = 20_514 * 86_400
        let utc = try #require(DateTime.parse("2026-03-02T09:15:30Z"))
        #expect(utc.seconds == day + 9 * 3600 + 15 * 60 + 30 && utc.offset == 0)
        let ahead = try #require(DateTime.parse("2026-03-02T09:15:30+01:00"))
        #expect(ahead.seconds == day + 8 * 3600 + 15 * 60 + 30 && ahead.offset == 3600)
        let behind = try #require(DateTime.parse("2026-03-02T23:59:59-05:30"))
        #expect(behind.seconds == day + 86_400 + 5 * 3600 + 29 * 60 + 59 && behind.offset == -19_800)
        #expect(DateTime.parse("2026-03-02T09:60:00Z") == nil)
        #expect(DateTime.parse("2026-03-02T09:15:60Z") == nil)
        #expect(DateTime.parse("2026-02-30T09:15:00Z") == nil)
        let text = Array("2026-03-02T09:15:30+01:00".utf8)
        for i in [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 23, 24] {
            for bad in [UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "a")] {
                var b = text
                b[i] = bad
                let s = String(decoding: b, as: UTF8.self)
                #expect(b.withUnsafeBufferPointer { DateTime.parseCommon($0) } == nil, "\(s)")
                #expect(DateTime.parse(s) == nil, "\(s)")
            }
        }
    }
}

/// JSON Lines are cut at line feeds; a carriage return before one, and lines of only spaces and tabs,
/// are not records. Held against a plain split of the text.
@Suite struct JSONLinesTests {
    static let texts: [String] = [
        "", "\n", "a", "a\nb", "a\r\nb\r\n", "a\n\n  \t\nb\n", "\r\n", " x \n", "\n\n\nlast",
        "{\"id\":1}\n{\"id\":2}\r\n\n{\"id\":3}",
    ]

    /// The lines a plain split gives, with their 1-based numbers.
    static func expected(_ text: String, firstLine: Int = 1) -> [(String, Int)] {
        // Split as bytes: as characters, "\r\n" is one and would not split at "\n".
        var parts = Array(text.utf8).split(separator: 0x0A, omittingEmptySubsequences: false)
        if text.utf8.last == 0x0A || text.isEmpty { parts.removeLast() }
        return parts.enumerated().compactMap { k, line in
            let body = line.last == 0x0D ? line.dropLast() : line
            return body.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) ? nil : (String(decoding: body, as: UTF8.self), k + firstLine)
        }
    }

    static func lines(_ text: String, firstLine: Int = 1) -> [(String, Int)] {
        var out: [(String, Int)] = []
        Array(text.utf8).withUnsafeBufferPointer { b in
            JSONLines.forEachLine(in: b, firstLine: firstLine) { line, n in out.append((String(decoding: line, as: UTF8.self), n)) }
        }
        return out
    }

    /// Seeded text with lines of every length from empty to past a vector's width.
    static var generated: String {
        var state: UInt64 = 42, text = ""
        for _ in 0..<300 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let length = Int(state >> 58)
            text += String(repeating: state & 1 == 0 ? "x" : " ", count: length) + (state & 2 == 0 ? "\n" : "\r\n")
        }
        return text
    }

    @Test(arguments: texts + [generated])
    func cutsLinesAsAPlainSplitDoes(_ text: String) {
        let got = Self.lines(text, firstLine: 5)
        let want = Self.expected(text, firstLine: 5)
        #expect(got.map(\.0) == want.map(\.0))
        #expect(got.map(\.1) == want.map(\.1))
    }

    @Test(arguments: texts + [generated])
    func chunksEndAtLineBreaksAndCountTheirLines(_ text: String) {
        let bytes = Array(text.utf8)
        for parts in 1...7 {
            let chunks = bytes.withUnsafeBufferPointer { JSONLines.chunks(of: $0, parts: parts) }
            #expect(chunks.first?.range.lowerBound == 0)
            #expect(chunks.last?.range.upperBound == bytes.count)
            for (a, b) in zip(chunks, chunks.dropFirst()) {
                #expect(a.range.upperBound == b.range.lowerBound)
                #expect(bytes[a.range.upperBound - 1] == 0x0A)
            }
            for chunk in chunks {
                #expect(chunk.firstLine == 1 + bytes[..<chunk.range.lowerBound].filter { $0 == 0x0A }.count, "\(parts) parts")
            }
            // Cut into chunks and read chunk by chunk, the lines and their numbers are the whole text's.
            var joined: [(String, Int)] = []
            for chunk in chunks {
                let piece = String(decoding: bytes[chunk.range], as: UTF8.self)
                joined += Self.lines(piece, firstLine: chunk.firstLine)
            }
            #expect(joined.map(\.0) == Self.expected(text).map(\.0))
            #expect(joined.map(\.1) == Self.expected(text).map(\.1))
        }
    }
}

/// The direct decoder finds a key among a record's field names, and a text among an enumeration's
/// values, by a hash of its length and three of its bytes: every name must be found at its own index,
/// and nothing else found, whatever shares a length, a first, middle or last byte with a name.
@Suite struct NameTableTests {
    static let categories = ["physical_injury", "neglect", "emotional_abuse", "sexual_abuse", "domestic_abuse", "cse", "cce",
                             "missing", "fgm", "honour_based", "trafficking", "gangs", "self_harm", "radicalisation",
                             "parental_mental_health", "parental_substance_misuse", "young_carer", "housing", "sexual_activity"]

    static func find(_ table: NameTable, _ text: String) -> Int? {
        Array(text.utf8).withUnsafeBufferPointer { table.index(of: $0) }
    }

    @Test func everyNameIsFoundAtItsIndexAndNothingElse() {
        // Names of one length with the same first, middle and last bytes land on the same place and
        // are told apart by their bytes; `aQcQe` lands there too and is none of them.
        let colliding = ["aXcYe", "aZcWe", "aWcZe", "aYcXe"]
        for names in [Self.categories, ["a", "b", "ab", "ba", "aa", ""], ["x"], (0..<64).map { "field_\($0)" }, colliding, []] {
            let table = NameTable(names.map { Array($0.utf8) })
            #expect(table.count == names.count)
            for (k, name) in names.enumerated() { #expect(Self.find(table, name) == k, "\(name) in \(names.count) names") }
            var others = ["cs", "csee", "ccse", "Neglect", "neglecT", "negl_ct", "physical_injurx", "xhysical_injury", "parental_mental_healthy",
                          "gang", "é", "field_64", "field_", "bb", "abc", "c", "aQcQe", "aXcWe"]
            others += names.map { $0 + "_" } + names.filter { !$0.isEmpty }.map { String($0.dropLast()) }
            for other in others where !names.contains(other) { #expect(Self.find(table, other) == nil, "\(other) in \(names.count) names") }
        }
    }

    /// Names are compared a word at a time (two words that may overlap, up to 16 bytes; a byte loop
    /// under 4): a name that differs from one in the table at any single byte, of any length from 1
    /// to 24, is not found, and the name itself is.
    @Test func aNameDifferingInAnyOneByteIsNotFound() {
        for n in 1...24 {
            let name = (0..<n).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            let table = NameTable([name])
            #expect(name.withUnsafeBufferPointer { table.index(of: $0) } == 0, "length \(n)")
            for k in 0..<n {
                var other = name
                other[k] = UInt8(ascii: "Z")
                #expect(other.withUnsafeBufferPointer { table.index(of: $0) } == nil, "length \(n), byte \(k)")
            }
        }
    }

    /// An enumeration may list a value twice; the first is found, as a search in order found it.
    @Test func aRepeatedNameIsFoundAtItsFirstIndex() {
        let table = NameTable(["low", "high", "low"].map { Array($0.utf8) })
        #expect(Self.find(table, "low") == 0)
        #expect(Self.find(table, "high") == 1)
    }
}
