import Foundation
import Mash
import MashDryRun
import MashTestSupport
import Testing

/// A kept `JSONLineWriter` copies the JSON of what it has written before (levels, ratings, routes,
/// the rule set's stamp) and every firing copies its rule's JSON: the bytes must still be exactly what
/// `JSONEncoder` writes, whatever came before, including for another rule set with the same ids and
/// other labels, and for rule texts that need escaping.
@Suite struct JSONLineWriterTests {
    static let rules = """
        rule quoted "A \\"quoted\\" title with a back\\\\slash"
          when dash_risk = "high"
          then level protection
          because "Line one\\nline two, a tab\\there, a control \\u0007 and é"

        rule several "Several concerns"
          when count(concerns) > 1
          then level early_help, rating amber
          because "two or more concerns / a slash"

        table baby "A \\"table\\" of ages" hit first
          child.age || level
          < 1       || cin
          because "under one \\\\ a backslash"

        """

    /// The same ids as `testPreamble`, with other labels, a rating without a clock and one with a label.
    static let relabelled = testPreamble
        .replacingOccurrences(of: "4 protection \"Child protection\"", with: "4 protection \"Protection, relabelled\"")
        .replacingOccurrences(of: "red   within 4 hours", with: "red \"Act now\"")
        .replacingOccurrences(of: "green within 72 hours", with: "green within 72 hours \"Green, labelled\"")
        .replacingOccurrences(of: "signpost   \"Signpost\"", with: "signpost   \"Signpost \\\"elsewhere\\\"\"")

    static let records = [
        "dash_risk: high\nchild: {}\nconcerns: []",
        "child: {}\nconcerns: [{category: neglect}, {category: neglect}]",
        "child: {age: 0}\nconcerns: []",
        "child: {}\nconcerns: []",
        "dash_risk: high\nchild: {age: 0}\nconcerns: [{category: neglect}, {category: neglect}]",
    ]

    @Test func aKeptWriterWritesWhatTheEncoderWrites() throws {
        let programs = [
            try testProgram(["schema.yaml": testSchema, "rules.mash": testPreamble + Self.rules]),
            try testProgram(["schema.yaml": testSchema, "rules.mash": Self.relabelled + Self.rules]),
        ]
        #expect(programs[0].ruleSet.rules.count == 2 && programs[1].ruleSet.rules.count == 2)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let writer = DecisionOutput.JSONLineWriter()
        var written: [UInt8] = [], expected: [UInt8] = []
        var levels: Set<String> = [], deadlines = 0, noDeadlines = 0
        // Twice round, alternating rule sets, so each memory is read back for the other's decisions.
        for _ in 0..<2 {
            for fields in Self.records {
                for program in programs {
                    let record = try #require(testRecord(fields, schema: program.ruleSet.schema))
                    for explain in [false, true] {
                        let decision = program.makeEvaluator().evaluate(record, at: testMoment, explain: explain)
                        writer.append(decision, to: &written)
                        expected += try encoder.encode(decision) + [UInt8(ascii: "\n")]
                        levels.insert(decision.level.label)
                        if decision.rating?.deadline == nil { noDeadlines += 1 } else { deadlines += 1 }
                    }
                }
            }
        }
        #expect(String(decoding: written, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        // The cases are there: both labels of level 4, ratings with and without a deadline, escapes.
        #expect(levels == ["Child protection", "Protection, relabelled", "Early help", "Child in need", "Universal"])
        #expect(deadlines > 0 && noDeadlines > 0)
        let text = String(decoding: written, as: UTF8.self)
        for escaped in ["A \\\"quoted\\\" title with a back\\\\slash", "Line one\\nline two, a tab\\there, a control \\u0007 and é",
                        "under one \\\\ a backslash", "Signpost \\\"elsewhere\\\"", "\"row\":1", "\"label\":\"Act now\""] {
            #expect(text.contains(escaped), "\(escaped)")
        }
    }

    /// A firing read back from JSON is equal to the one decided, and writes the same JSON again.
    @Test func firingsReadBackAreEqualAndWriteTheSame() throws {
        let program = try testProgram(["schema.yaml": testSchema, "rules.mash": testPreamble + Self.rules])
        let record = try #require(testRecord(Self.records[4], schema: program.ruleSet.schema))
        let decision = program.makeEvaluator().evaluate(record, at: testMoment)
        #expect(decision.fired.map { "\($0.rule):\($0.row ?? 0):\($0.level)" } == ["quoted:0:protection", "several:0:early_help", "baby:1:cin"])
        let read = try JSONDecoder().decode(Decision.self, from: Data(DecisionOutput.jsonLine(decision).utf8))
        #expect(read.fired == decision.fired)
        #expect(read == decision)
        #expect(DecisionOutput.jsonLine(read) == DecisionOutput.jsonLine(decision))
    }

    /// The JSON written once for a decision's parts (its firings, level, rating, route, escalation
    /// stages and disclosure answers) lives as long as the decision does: decisions kept after their
    /// program and evaluator are gone still write what they wrote before, and what the encoder writes.
    /// A decision holds its level, rating, route and firings unretained, kept alive by its program's
    /// shared sources: what is read out of it outlives the decision too, and a decision written over
    /// by another rule set holds that rule set's sources once the first is gone.
    @Test func decisionsOutliveTheirProgram() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var kept: [Decision] = [], before: [String] = []
        var parts: [(Decision.LevelOutcome, Decision.RatingOutcome?, Decision.Named?, Decision.Firings)] = []
        do {
            let program = try #require(RuleSetLoader.load(folder: Repository.path("rules/london")).program)
            let candidate = try #require(RuleSetLoader.load(folder: Repository.path("rules/london-candidate")).program)
            let reader = RecordReader(schema: program.ruleSet.schema)
            let folder = Repository.path("rules/london/referrals")
            var records: [DecodedRecord] = []
            for file in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() {
                reader.read(file: folder + "/" + file) { if case .success(let record) = $0 { records.append(record) } }
            }
            for record in records {
                kept.append(program.makeEvaluator().evaluate(record, at: testMoment))
                let copy = program.makeEvaluator().evaluate(record, at: testMoment)
                parts.append((copy.level, copy.rating, copy.route, copy.fired))
            }
            var writtenOver = program.makeEvaluator().evaluate(records[0], at: testMoment)
            candidate.makeEvaluator().evaluate(records[1], at: testMoment, into: &writtenOver)
            #expect(writtenOver == candidate.makeEvaluator().evaluate(records[1], at: testMoment))
            kept.append(writtenOver)
            before = kept.map { DecisionOutput.jsonLine($0) }
        }
        // Memory the programs let go of is used again, so that anything still read from it shows.
        let clutter = (0..<20_000).map { Decision.Stamp(name: "n\($0)", version: "v", authority: "a", hash: "h\($0)") }
        #expect(clutter.count == 20_000)
        #expect(kept.count == 26)
        #expect(kept.contains { !$0.escalations.isEmpty } && kept.contains { !$0.disclosures.isEmpty } && kept.contains { $0.route != nil })
        #expect(kept.map { DecisionOutput.jsonLine($0) } == before)
        #expect(kept.map { DecisionOutput.jsonLine($0) } == kept.map { String(decoding: (try? encoder.encode($0)) ?? Data(), as: UTF8.self) })
        for (d, p) in zip(kept, parts) {
            #expect(p.0 == d.level && p.1 == d.rating && p.2 == d.route && p.3 == d.fired)
            #expect(p.3.map(\.rule) == d.fired.map(\.rule) && p.3.count == d.fired.count)
        }
        #expect(parts.contains { $0.1 != nil } && parts.contains { $0.3.count >= 2 })
    }

    /// Disclosure answers: a kept writer copies the JSON of an answer it has written before around
    /// the new request's id. Over seeded London referrals it must write what the encoder writes.
    @Test func keptDisclosureAnswersAreWhatTheEncoderWrites() throws {
        let program = try #require(RuleSetLoader.load(folder: Repository.path("rules/london")).program)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var generator = ReferralGenerator(.init(count: 1_500, seed: 41))
        var lines = Data()
        generator.generate { lines.append(contentsOf: ($0 + "\n").utf8) }
        let evaluator = program.makeEvaluator()
        let writer = DecisionOutput.JSONLineWriter()
        var written: [UInt8] = [], expected: [UInt8] = []
        var answers: [String: Set<String>] = [:]
        RecordReader(schema: program.ruleSet.schema).readLines(lines, origin: "generated") { result in
            guard case .success(let record) = result else { return }
            let decision = evaluator.evaluate(record, at: testMoment, explain: false)
            writer.append(decision, to: &written)
            expected.append(contentsOf: (try? encoder.encode(decision)) ?? Data())
            expected.append(UInt8(ascii: "\n"))
            for a in decision.disclosures { answers["\(a.agency) \(a.category) \(a.audience) \(a.answer)", default: []].insert(a.request) }
        }
        #expect(String(decoding: written, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        // The same answer came for requests with other ids, so copies were written.
        #expect(answers.count > 5)
        #expect(answers.values.contains { $0.count > 1 })
    }
}
