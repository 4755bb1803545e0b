import Foundation
import Mash
import MashDryRun
import MashTestSupport
import Testing

@Suite struct RecordTests {
    static let schema = SchemaLoader.load(SourceFile(path: "schema.yaml", text: testSchema)).0!

    func read(_ jsonl: String) -> [Result<DecodedRecord, RecordError>] {
        var out: [Result<DecodedRecord, RecordError>] = []
        RecordReader(schema: Self.schema).readLines(Data(jsonl.utf8), origin: "in.jsonl") { out.append($0) }
        return out
    }

    @Test func aBadRecordIsNamedAndTheBatchGoesOn() {
        let results = read("""
            {"id": "A", "received": "2026-03-02T09:15:00Z", "child": {"age_months": 3}, "concerns": []}
            {"id": "B", "received": "2026-03-02T09:15:00Z", "child": {"age_months": "three"}, "concerns": [{"category": "neglet"}]}

            not json at all
            {"id": "C", "received": "2026-03-02", "child": {}, "concerns": [], "colour": "red"}
            {"id": "D", "received": "2026-03-02T09:15:00+01:00", "child": {}, "concerns": []}
            """)
        #expect(results.count == 5)
        let errors = results.compactMap { if case .failure(let e) = $0 { return e }; return nil }
        let ids = results.compactMap { try? $0.get().id }
        #expect(ids == ["A", "D"])
        #expect(errors.map(\.recordId) == ["B", nil, "C"])
        #expect(errors[0].origin == "in.jsonl:2")
        #expect(errors[0].problems == [
            .init(path: "child.age_months", message: "expected a number, found \"three\""),
            .init(path: "concerns[0].category", message: "\"neglet\" is not one of neglect, physical_injury, domestic_abuse (did you mean \"neglect\"?)"),
        ])
        #expect(errors[1].origin == "in.jsonl:4")
        #expect(errors[2].problems.map(\.path) == ["received", "colour"])
        #expect(errors[2].problems[1].message == "unknown field")
        #expect(DecisionOutput.human(errors[0]).hasPrefix("error: record B (in.jsonl:2): child.age_months: expected a number"))
    }

    @Test func requiredFieldsMustBeThere() {
        let results = read(#"{"id": "E", "child": {}, "concerns": null}"#)
        guard case .failure(let e) = results.first else { Issue.record("accepted"); return }
        #expect(e.problems.map(\.path) == ["received", "concerns"])
        #expect(e.problems.map(\.message) == ["required field is missing", "required field is null"])
    }

    @Test func numbersKeepTheirDecimalValue() throws {
        let results = read(#"{"id": "F", "received": "2026-03-02T09:15:00Z", "child": {"age_months": 0.1}, "concerns": []}"#)
        let record = try #require(try? results.first?.get())
        guard case .record(let fields) = record.value, case .record(let child) = fields[3] else { Issue.record("shape"); return }
        #expect(child[1] == .number(Decimal(string: "0.1")!))
    }

    @Test func yamlFilesMayHoldSeveralRecords() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mash-records-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("two.yaml").path
        try """
            id: G
            received: 2026-03-02T09:15:00Z
            child: {date_of_birth: 2025-01-01}
            concerns: []
            ---
            id: H
            received: "2026-03-02T09:15:00Z"
            child: {}
            concerns: []
            """.write(toFile: file, atomically: true, encoding: .utf8)
        var ids: [String] = []
        RecordReader(schema: Self.schema).read(file: file) { if case .success(let r) = $0 { ids.append(r.id) } }
        #expect(ids == ["G", "H"])
    }
}

/// Well-formed JSON records are decoded straight from their bytes; every other line goes through the
/// document and the schema decoder. Both ways must agree on every line: the same value, or the same error.
@Suite struct DirectDecodingTests {
    static let lines: [String] = [
        #"{"id": "A", "received": "2026-03-02T09:15:00Z", "child": {}, "concerns": [{"category": "neglect"}]}"#,
        #"{"concerns": [], "id": "B", "received": "2026-03-02T09:15:00+01:00", "child": {"age": 3.50, "mobile": false, "date_of_birth": "2023-01-05"}}"#,
        #"{"id": "C\"q\u00e9", "received": "2026-03-02T09:15:00.5Z", "concerns": [{"category": "domestic_abuse", "severity": null}], "tags": ["a", "b\n"], "child": {"age": -1e2}}"#,
        #"{"id": "D", "received": "2026-03-02T09:15:00@Europe/London", "concerns": [], "dash_risk": "high", "child": {"mobile": true}}"#,
        #"  {"id":"E","received":"2026-03-02T09:15:00Z","concerns":[],"child":{}}  "#,
        #"{"id": "Q", "received": "2026-03-02T09:15:00Z", "concerns": [], "child": null}"#,
        // Each of these must fall back and be reported exactly as before.
        #"{"id": "F", "received": "2026-03-02T09:15:00Z", "concerns": [], "colour": "red"}"#,
        #"{"id": "G", "concerns": []}"#,
        #"{"id": "H", "received": null, "concerns": []}"#,
        #"{"id": "I", "received": "2026-03-02T09:15:00", "concerns": []}"#,
        #"{"id": "J", "received": "2026-03-02T09:15:00Z", "concerns": [{"category": "negelct"}]}"#,
        #"{"id": 7, "received": "2026-03-02T09:15:00Z", "concerns": []}"#,
        #"{"id": "K", "id": "L", "received": "2026-03-02T09:15:00Z", "concerns": []}"#,
        #"{"id": "M", "received": "2026-03-02T09:15:00Z", "concerns": [], "child": {"age": "three"}}"#,
        #"{"i\u0064": "N", "received": "2026-03-02T09:15:00Z", "concerns": []}"#,
        #"{"id": "O", "received": "2026-03-02T09:15:00Z", "concerns": []} x"#,
        #"[1, 2]"#, #"null"#, #"{"id": "P""#,
    ]

    @Test func directAndGeneralDecodingAgreeLineByLine() throws {
        let (schema, diagnostics) = SchemaLoader.load(SourceFile(path: "schema.yaml", text: testSchema))
        #expect(diagnostics.isEmpty)
        let reader = RecordReader(schema: try #require(schema))
        let data = Data(Self.lines.joined(separator: "\n").utf8)
        var direct: [Result<DecodedRecord, RecordError>] = [], general: [Result<DecodedRecord, RecordError>] = []
        reader.readLines(data, origin: "t.jsonl") { direct.append($0) }
        reader.readLines(data, origin: "t.jsonl", raw: { general.append($0.map(\.0)) })
        #expect(direct.count == Self.lines.count)
        for (k, (a, b)) in zip(direct, general).enumerated() {
            switch (a, b) {
            case (.success(let x), .success(let y)): #expect(x.id == y.id && x.value == y.value, "line \(k + 1)")
            case (.failure(let x), .failure(let y)): #expect(x == y, "line \(k + 1)")
            default: Issue.record("line \(k + 1): \(a) against \(b)")
            }
        }
        #expect(direct.filter { if case .success = $0 { return true }; return false }.count == 5)
        // The first five take the direct way, the rest fall back.
        let fast = DirectRecordDecoder(schema: reader.decoder.schema)
        let taken = Self.lines.map { line in Array(line.utf8).withUnsafeBufferPointer { fast.decode($0) != nil } }
        #expect(taken == Array(repeating: true, count: 5) + Array(repeating: false, count: Self.lines.count - 5))
    }

    /// The id is read straight from the record when it is a top field (the common case) and by its
    /// path when it is inside a nested record. Either way the direct decoder gives the id the general
    /// decoder gives; a record whose id is not text, or has none, is left to the general decoder,
    /// which names the problem.
    @Test func idsAtTheTopAndInsideANestedRecordAreTheGeneralDecodersIds() throws {
        let nested = try #require(SchemaLoader.load(SourceFile(path: "schema.yaml", text: """
            record: referral
            id: file.ref
            fields:
              file:
                fields:
                  ref: string
                  opened: date?
              note: string?
            """)).0)
        let top = try #require(SchemaLoader.load(SourceFile(path: "schema.yaml", text: testSchema)).0)
        let cases: [(Schema, String, String?, Bool)] = [
            (nested, #"{"file":{"ref":"C-1","opened":"2026-01-02"},"note":"x"}"#, "C-1", true),
            (nested, #"{"note":"y","file":{"opened":null,"ref":"a longer reference, past fifteen bytes"}}"#, "a longer reference, past fifteen bytes", true),
            (nested, #"{"file":{"ref":7}}"#, nil, false),
            (top, #"{"id":"R-1","received":"2026-01-02T10:00:00Z","child":{},"concerns":[]}"#, "R-1", true),
            (top, #"{"id":"a top-level id longer than fifteen bytes","received":"2026-01-02T10:00:00Z","child":{},"concerns":[]}"#,
             "a top-level id longer than fifteen bytes", true),
            (top, #"{"id":12,"received":"2026-01-02T10:00:00Z","child":{},"concerns":[]}"#, nil, false),
        ]
        for (schema, line, id, direct) in cases {
            let reader = RecordReader(schema: schema)
            var fast: [Result<DecodedRecord, RecordError>] = [], general: [Result<DecodedRecord, RecordError>] = []
            reader.readLines(Data(line.utf8), origin: "t.jsonl") { fast.append($0) }
            reader.readLines(Data(line.utf8), origin: "t.jsonl", raw: { general.append($0.map(\.0)) })
            let decoded = Array(line.utf8).withUnsafeBufferPointer { DirectRecordDecoder(schema: schema).decode($0) }
            #expect((decoded != nil) == direct, "\(line)")
            #expect(decoded?.id == (direct ? id : nil), "\(line)")
            switch (try #require(fast.first), try #require(general.first)) {
            case (.success(let a), .success(let b)):
                #expect(a.id == id && b.id == id && a.value == b.value, "\(line)")
            case (.failure(let a), .failure(let b)):
                #expect(id == nil && a == b, "\(line)")
            case (let a, let b):
                Issue.record("\(line): \(a) against \(b)")
            }
        }
    }

    /// The direct decoder tries the few fields after the last one read by their bytes before it looks
    /// a key up. Keys in the schema's order, in another order, names that begin with another name,
    /// spaces around keys: each record is what the general decoder makes. An escaped key, a repeated
    /// key and an unknown key leave the record to the general decoder.
    @Test func keysFoundByTheirBytesGiveWhatLookingThemUpGives() throws {
        let (schema, _) = SchemaLoader.load(SourceFile(path: "schema.yaml", text: testSchema))
        let reader = RecordReader(schema: try #require(schema))
        let lines = [
            #"{"id":"A","received":"2026-03-02T09:15:00Z","dash_risk":"high","child":{"age":3,"age_months":40,"date_of_birth":"2023-01-05","mobile":true},"concerns":[{"category":"neglect","severity":"minor"}],"tags":["x"]}"#,
            #"{"tags":["x"],"concerns":[{"severity":"minor","category":"neglect"}],"child":{"mobile":true,"date_of_birth":"2023-01-05","age_months":40,"age":3},"dash_risk":"high","received":"2026-03-02T09:15:00Z","id":"B"}"#,
            #"{"id":"C","received":"2026-03-02T09:15:00Z","child":{"age_months":40,"age":3},"concerns":[]}"#,
            #"{"id":"D","received":"2026-03-02T09:15:00Z","child":{"age":3,"mobile":false},"concerns":[]}"#,
            #"{ "id" : "E" , "received" :"2026-03-02T09:15:00Z",  "child":  {  "age"  :  1 } , "concerns" : [ ] }"#,
            #"{"id":"F","received":"2026-03-02T09:15:00Z","tags":[],"concerns":[],"child":{}}"#,
            // Left to the general decoder:
            #"{"id":"G","received":"2026-03-02T09:15:00Z","child":{"ag\u0065":3},"concerns":[]}"#,
            #"{"id":"H","id":"H2","received":"2026-03-02T09:15:00Z","child":{},"concerns":[]}"#,
            #"{"id":"I","received":"2026-03-02T09:15:00Z","child":{"agee":3},"concerns":[]}"#,
        ]
        let fast = DirectRecordDecoder(schema: reader.decoder.schema)
        let direct = lines.map { line in Array(line.utf8).withUnsafeBufferPointer { fast.decode($0) } }
        #expect(direct.map { $0?.id } == ["A", "B", "C", "D", "E", "F", nil, nil, nil])
        var general: [Result<DecodedRecord, RecordError>] = []
        reader.readLines(Data(lines.joined(separator: "\n").utf8), origin: "t.jsonl", raw: { general.append($0.map(\.0)) })
        #expect(general.count == lines.count)
        for (k, (a, b)) in zip(direct, general).enumerated() {
            if let a, case .success(let g) = b { #expect(a.id == g.id && a.value == g.value, "line \(k + 1)") }
        }
        // The first two are the same record, written in opposite orders.
        guard case .record(let a)? = direct[0]?.value, case .record(let b)? = direct[1]?.value else { Issue.record("not records"); return }
        #expect(a.dropFirst() == b.dropFirst())
        #expect(a.count == 6 && a[3] != .null && a[4] != .null && a[5] != .null)
        // The general decoder reads the escaped key, takes a repeated key's last value, and rejects an unknown key.
        #expect(general.dropFirst(6).map { if case .success(let r) = $0 { return r.id }; return "rejected" } == ["G", "H2", "rejected"])
    }

    /// A reader writes each record into the arrays of the record before it (`RecordSpare`). Every
    /// record must be what a decoder starting afresh gives, whatever the one before held: optional
    /// fields it had and this one leaves out, longer and shorter lists, fields in another order, a
    /// record that fails part of the way through. A record the caller keeps must never change.
    static let reuseLines: [String] = [
        #"{"id": "A", "received": "2026-03-02T09:15:00Z", "dash_risk": "high", "child": {"age": 3, "age_months": 40, "date_of_birth": "2023-01-05", "mobile": true}, "concerns": [{"category": "neglect", "severity": "minor"}, {"category": "physical_injury", "severity": "significant"}, {"category": "domestic_abuse"}], "tags": ["a", "b", "c"]}"#,
        #"{"id": "B", "received": "2026-03-03T10:00:00Z", "child": {}, "concerns": [{"category": "domestic_abuse"}]}"#,
        #"{"id": "C", "received": "2026-03-04T11:00:00Z", "child": {"mobile": false}, "concerns": [], "tags": []}"#,
        #"{"id": "D", "received": "2026-03-05T12:00:00Z", "child": {"date_of_birth": "2024-02-29"}, "concerns": [{"category": "neglect"}, {"category": "neglect", "severity": "minor"}, {"category": "physical_injury"}, {"category": "domestic_abuse", "severity": "significant"}], "tags": ["x"]}"#,
        #"{"concerns": [{"severity": "minor", "category": "physical_injury"}], "child": {"age": 1}, "received": "2026-03-06T13:00:00Z", "id": "E", "dash_risk": "standard"}"#,
        #"{"id": "F", "received": "2026-03-07T14:00:00Z", "child": {"age": 2}, "concerns": [{"category": "neglect"}, {"category": "negelct"}]}"#,
        #"{"id": "G", "received": "2026-03-08T15:00:00Z", "child": {"age_months": 7}, "concerns": [{"category": "neglect"}, {"category": "domestic_abuse"}]}"#,
        // A required record that is null, a list written as null, then both again: what the earlier
        // records had is kept by the reader and written over for the later ones (`RecordSpare`).
        #"{"id": "H", "received": "2026-03-09T09:00:00Z", "child": null, "concerns": [{"category": "neglect"}], "tags": ["k"]}"#,
        #"{"id": "I", "received": "2026-03-09T10:00:00Z", "child": {"mobile": true}, "concerns": [], "tags": null}"#,
        #"{"id": "J", "received": "2026-03-09T11:00:00Z", "child": {"age": 4, "mobile": false}, "concerns": [{"category": "domestic_abuse", "severity": "minor"}, {"category": "neglect"}, {"category": "physical_injury"}], "tags": ["p", "q"]}"#,
    ]

    @Test func recordsWrittenOverEarlierOnesAreTheSame() throws {
        let (schema, _) = SchemaLoader.load(SourceFile(path: "schema.yaml", text: testSchema))
        let reader = RecordReader(schema: try #require(schema))
        let fresh = DirectRecordDecoder(schema: reader.decoder.schema)
        let expected = Self.reuseLines.map { line in Array(line.utf8).withUnsafeBufferPointer { fresh.decode($0) } }
        #expect(expected.map { $0?.id } == ["A", "B", "C", "D", "E", nil, "G", nil, "I", "J"])
        let data = Data(Self.reuseLines.joined(separator: "\n").utf8)
        // Compared while the reader lends it: nothing else holds the record, so its arrays are reused.
        var seen: [String] = []
        reader.readLines(data, origin: "t.jsonl") { result in
            guard case .success(let r) = result else { seen.append("rejected"); return }
            #expect(r.value == expected.first { $0?.id == r.id }??.value, "record \(r.id)")
            seen.append(r.id)
        }
        #expect(seen == ["A", "B", "C", "D", "E", "rejected", "G", "rejected", "I", "J"])
        // Kept by the caller: each stays as it was decoded while later records are written.
        var kept: [DecodedRecord] = []
        reader.readLines(data, origin: "t.jsonl") { if case .success(let r) = $0 { kept.append(r) } }
        #expect(kept.map(\.value) == expected.compactMap { $0?.value })
        // The decoder's own calls: a record given back is written over; a part of it kept is not.
        let spare = RecordSpare()
        let a = try #require(Array(Self.reuseLines[0].utf8).withUnsafeBufferPointer { fresh.decode($0, reusing: spare) })
        guard case .record(let fields) = a.value else { Issue.record("not a record"); return }
        let concerns = fields[4]
        fresh.recycle(a, into: spare)
        let d = try #require(Array(Self.reuseLines[3].utf8).withUnsafeBufferPointer { fresh.decode($0, reusing: spare) })
        #expect(d.value == expected[3]?.value)
        #expect(concerns == { if case .record(let f) = expected[0]?.value { return f[4] }; return .null }())
    }

    /// The same over seeded London referrals, decided as `mash eval` reads them.
    @Test func generatedReferralsWrittenOverEarlierOnesAreTheSame() throws {
        let program = try #require(RuleSetLoader.load(folder: Repository.path("rules/london")).program)
        let reader = RecordReader(schema: program.ruleSet.schema)
        let fresh = DirectRecordDecoder(schema: program.ruleSet.schema)
        var generator = ReferralGenerator(.init(count: 3_000, seed: 77))
        var lines: [String] = []
        generator.generate { lines.append($0) }
        var k = 0, same = 0
        reader.readLines(Data(lines.joined(separator: "\n").utf8), origin: "generated") { result in
            defer { k += 1 }
            guard case .success(let r) = result else { Issue.record("line \(k + 1) rejected"); return }
            let expected = Array(lines[k].utf8).withUnsafeBufferPointer { fresh.decode($0) }
            if r.value == expected?.value { same += 1 } else { Issue.record("line \(k + 1): \(r.id)") }
        }
        #expect(k == 3_000)
        #expect(same == 3_000)
    }

    /// Whole numbers and enumeration values are read in place by the direct decoder; every shape of
    /// number and every spelling of a value must come out as the general decoder makes it, down to
    /// the text a decision would show.
    @Test(arguments: [
        ("0", true), ("12", true), ("-12", true), ("99999999999999999", true), ("123456789012345678", true),
        ("1234567890123456789012", true), ("-0", true), ("7.0", true), ("7e1", true), ("-1.25E-3", true),
        ("012", false), ("1.", false), ("-", false), ("1e", false),
    ])
    func numbersDecodeAlike(_ number: String, _ valid: Bool) throws {
        try agree(#"{"id": "N", "received": "2026-03-02T09:15:00Z", "concerns": [], "child": {"age": \#(number)}}"#, valid: valid)
    }

    @Test(arguments: [
        (#""neglect""#, true), (#""neglect""#, true), (#""domestic_abuse""#, true), (#""negle""#, false),
        (#""neglect ""#, false), (#""NEGLECT""#, false), ("7", false),
    ])
    func enumerationValuesDecodeAlike(_ category: String, _ valid: Bool) throws {
        try agree(#"{"id": "E", "received": "2026-03-02T09:15:00Z", "concerns": [{"category": \#(category)}], "dash_risk": "medium", "child": {}}"#, valid: valid)
    }

    /// Dates and date-times of the common shapes are read from the bytes; any other spelling (an
    /// escape, a fraction, a zone name, a bad day) is made into text and parsed as before.
    @Test(arguments: [
        (#""2026-03-02T09:15:00Z""#, #""2023-01-05""#, true),
        (#""2026-03-02T09:15:00+01:00""#, #""2024-02-29""#, true),
        (#""2026-03-02T09:15:00-05:30""#, #""2023-12-31""#, true),
        (#""2026-03-02T09:15:00.250Z""#, #""2023-01-05""#, true),
        (#""2026-03-02T09:15:00@Europe/London""#, #""2023-01-05""#, true),
        (#""2026\u002d03-02T09:15:00Z""#, #""2023\u002d01-05""#, true),
        (#""2026-03-02T24:00:00Z""#, #""2023-01-05""#, true),
        (#""-2026-03-02T09:15:00Z""#, #""-0044-03-15""#, true),
        (#""2026-02-30T09:15:00Z""#, #""2023-01-05""#, false),
        (#""2026-03-02T09:15:00Z""#, #""2023-02-29""#, false),
        (#""2026-03-02T09:15:00+19:00""#, #""2023-01-05""#, false),
        (#""2026-03-02T09:60:00Z""#, #""2023-01-05""#, false),
        (#""2026-03-02 09:15:00Z""#, #""2023-01-05""#, false),
        (#""2026-03-02T09:15:00Z""#, #""2023-1-05""#, false),
        (#""2026-03-02T09:15:00Z""#, #""2023-0a-05""#, false),
        (#""2026-03-02T09:15:00Y""#, #""2023-01-05""#, false),
    ])
    func datesDecodeAlike(_ received: String, _ born: String, _ valid: Bool) throws {
        try agree(#"{"id": "T", "received": \#(received), "concerns": [], "child": {"date_of_birth": \#(born)}}"#, valid: valid)
    }

    /// Strings are scanned for their closing quote eight bytes at a time: the same records, shifted by
    /// 0–8 spaces, put every quote and escape at every place in a word.
    @Test(arguments: 0...8)
    func everyAlignmentDecodesAlike(_ shift: Int) throws {
        let pad = String(repeating: " ", count: shift)
        let plain = pad + #"{"id": "A", "received": "2026-03-02T09:15:00Z", "concerns": [{"category": "domestic_abuse"}], "dash_risk": "medium", "child": {"date_of_birth": "2023-01-05"}}"#
        try agree(plain, valid: true)
        // Without escapes, the record takes the direct way at every shift.
        let (schema, _) = SchemaLoader.load(SourceFile(path: "schema.yaml", text: testSchema))
        let direct = DirectRecordDecoder(schema: try #require(schema))
        #expect(Array(plain.utf8).withUnsafeBufferPointer { direct.decode($0) } != nil)
        try agree(pad + #"{"id": "B", "received": "2026-03-02T09:15:00Z", "concerns": [{"category": "neglect"}], "dash_risk": "hi"gh", "child": {}}"#, valid: false)
        try agree(pad + #"{"id": "C", "received": "2026-03-02T09:15:00Z", "concerns": [{"category": "neglect"}], "dash_risk": "high", "child": {}}"#, valid: true)
    }

    private func agree(_ line: String, valid: Bool) throws {
        let (schema, _) = SchemaLoader.load(SourceFile(path: "schema.yaml", text: testSchema))
        let reader = RecordReader(schema: try #require(schema))
        var direct: [Result<DecodedRecord, RecordError>] = [], general: [Result<DecodedRecord, RecordError>] = []
        reader.readLines(Data(line.utf8), origin: "t.jsonl") { direct.append($0) }
        reader.readLines(Data(line.utf8), origin: "t.jsonl", raw: { general.append($0.map(\.0)) })
        switch (try #require(direct.first), try #require(general.first)) {
        case (.success(let x), .success(let y)):
            #expect(valid)
            #expect(x.value == y.value)
            #expect(ValueText.render(x.value) == ValueText.render(y.value))
        case (.failure(let x), .failure(let y)):
            #expect(!valid)
            #expect(x == y)
        case (let a, let b):
            Issue.record("\(a) against \(b)")
        }
    }
}
