import Foundation
import Mash
import MashTestSupport
import Testing

/// A frame reads each record path where the record keeps it, found once per record from where its
/// parent record's fields start (`Frame.reset`). A record built by hand, not by the decoder, may not
/// have the schema's shape: a nested record with fewer fields, a nested record that is not a record,
/// a root with fewer fields. None may crash the engine or read outside the record; what is missing
/// reads as null. And what one record lacked must not show through in the next.
@Suite struct RecordShapeTests {
    static let schema = testSchema(fields: """
          child:
            optional: true
            fields:
              flag: boolean?
              n: number?
              t: string?

        """)

    static let rules = testPreamble + """
        rule flagged "Flag"
          when child.flag = true
          then level early_help
          because "Flag"

        rule counted "Number"
          when child.n >= 5
          then level early_help
          because "Number"

        rule no_text "No text"
          when child.t = null
          then level early_help
          because "No text"

        rule no_child "No child"
          when child = null
          then level early_help
          because "No child"

        """

    /// The record's id, its received time, then `child` as given.
    func record(child: Value?, rootFields: Int = 3) -> DecodedRecord {
        var slots: [Value] = [.string("X"), .dateTime(DateTime.parse("2026-03-02T09:00:00Z")!)]
        if let child { slots.append(child) }
        return DecodedRecord(id: "X", value: .record(Array(slots.prefix(rootFields))))
    }

    @Test func missingFieldsReadAsNullAndNothingShowsThroughToTheNextRecord() throws {
        let program = try testProgram(["schema.yaml": Self.schema, "rules.mash": Self.rules])
        let evaluator = program.makeEvaluator()
        func fired(_ r: DecodedRecord) -> [String] { evaluator.evaluate(r, at: testMoment, explain: false).fired.map(\.rule) }
        let full = Value.record([.boolean(true), .number(7), .string("x")])
        // The schema's shape: as decoded.
        #expect(fired(record(child: full)) == ["flagged", "counted"])
        // A child with one field of three: the other two read as null.
        #expect(fired(record(child: .record([.boolean(true)]))) == ["flagged", "no_text"])
        // The same fields again in a record of the schema's shape: nothing of the short one is left.
        #expect(fired(record(child: .record([.boolean(false), .number(2), .string("y")]))) == [])
        // A child that is not a record: every field reads as null.
        #expect(fired(record(child: .string("not a record"))) == ["no_text"])
        #expect(fired(record(child: .null)) == ["no_text", "no_child"])
        // A root without its `child` field: null, and the decision says the record is short.
        let short = evaluator.evaluate(record(child: nil, rootFields: 2), at: testMoment, explain: false)
        #expect(short.fired.map(\.rule) == ["no_text", "no_child"])
        #expect(short.problems == ["the record has 2 fields where the schema has 3"])
        // Not a record at all: no received time either, so no response clock.
        let odd = evaluator.evaluate(DecodedRecord(id: "X", value: .string("odd")), at: testMoment, explain: false)
        #expect(odd.fired.map(\.rule) == ["no_text", "no_child"])
        #expect(odd.problems == ["the record is not a record of the schema", "the response clock cannot start: the record has no start time for it"])
        // And after all of them, the full record again.
        #expect(fired(record(child: full)) == ["flagged", "counted"])
        // Two short children in turn: the second's missing fields are null, not the first's.
        #expect(fired(record(child: .record([.boolean(true), .number(8)]))) == ["flagged", "counted", "no_text"])
        #expect(fired(record(child: .record([.null]))) == ["no_text"])
    }
}
