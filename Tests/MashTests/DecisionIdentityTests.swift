import Crypto
import Foundation
import Mash
import MashDryRun
import MashTestSupport
import Testing

/// Optimisations must not change a single decision. The decisions of the bundled referrals and of 10,000
/// seeded synthetic ones, through London, with and without explanations, are hashed and compared with the
/// digests committed in `london-decisions.sha256`, recorded from the straightforward evaluator before any
/// optimisation. A deliberate change to London's rules or to the decision format changes them: rerun with
/// `MASH_RECORD_DECISIONS=1` and say why in the commit.
@Suite struct DecisionIdentityTests {
    static let digestsPath = Repository.path("Tests/MashTests/london-decisions.sha256")

    static let moment = DateTime.parse("2026-03-04T12:00:00Z")!

    static func london() throws -> Program {
        try #require(RuleSetLoader.load(folder: Repository.path("rules/london")).program)
    }

    /// The bundled referrals, then 10,000 seeded ones.
    static func records(_ program: Program) -> [DecodedRecord] {
        let reader = RecordReader(schema: program.ruleSet.schema)
        var records: [DecodedRecord] = []
        let (files, _) = RecordReader.files([Repository.path("rules/london/referrals")])
        for file in files.sorted() {
            reader.read(file: file) { if case .success(let r) = $0 { records.append(r) } }
        }
        var generator = ReferralGenerator(.init(count: 10_000, seed: 2026))
        var lines = Data()
        generator.generate { lines.append(contentsOf: ($0 + "\n").utf8) }
        reader.readLines(lines, origin: "generated") { if case .success(let r) = $0 { records.append(r) } }
        return records
    }

    /// With `reusing`, each decision is written over the previous one (`evaluate(_:at:explain:into:)`).
    static func digests(reusing: Bool = false) throws -> [String] {
        let program = try london()
        let records = Self.records(program)
        #expect(records.count == 10_025)
        return [true, false].map { explain in
            let evaluator = program.makeEvaluator()
            var hasher = SHA256()
            var decision = evaluator.evaluate(records[0], at: moment)
            for record in records {
                if reusing {
                    evaluator.evaluate(record, at: moment, explain: explain, into: &decision)
                } else {
                    decision = evaluator.evaluate(record, at: moment, explain: explain)
                }
                hasher.update(data: Data((DecisionOutput.jsonLine(decision) + "\n").utf8))
            }
            return "\(explain ? "explained" : "plain") " + hasher.finalize().map { String(format: "%02x", $0) }.joined()
        }
    }

    static func committed() throws -> [String] {
        try String(contentsOfFile: Self.digestsPath, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test func decisionsAreByteForByteThoseOfTheReference() throws {
        let actual = try Self.digests()
        if ProcessInfo.processInfo.environment["MASH_RECORD_DECISIONS"] != nil {
            try (actual.joined(separator: "\n") + "\n").write(toFile: Self.digestsPath, atomically: true, encoding: .utf8)
        }
        #expect(actual == (try Self.committed()))
    }

    /// A decision written over the previous one, its lists' memory reused, is the same decision byte
    /// for byte: nothing of the previous referral's firings, escalations, disclosures or problems is left.
    @Test func decisionsWrittenOverThePreviousOneAreTheSame() throws {
        #expect(try Self.digests(reusing: true) == (try Self.committed()))
    }

    /// A decision the caller kept is a value: writing the next decision over a copy leaves it as it was.
    @Test func aKeptDecisionDoesNotChange() throws {
        let program = try Self.london()
        let records = Self.records(program)
        let evaluator = program.makeEvaluator()
        // The referral with the most firings and disclosure answers, then one with fewer.
        let sizes = records.map { record in
            let d = evaluator.evaluate(record, at: Self.moment)
            return d.fired.count + d.disclosures.count
        }
        let busy = records[try #require(sizes.indices.max { sizes[$0] < sizes[$1] })]
        var decision = evaluator.evaluate(busy, at: Self.moment)
        let kept = decision
        let keptJSON = DecisionOutput.jsonLine(kept)
        #expect(kept.fired.count >= 3 && !kept.disclosures.isEmpty)
        evaluator.evaluate(records[1], at: Self.moment, explain: false, into: &decision)
        #expect(DecisionOutput.jsonLine(kept) == keptJSON)
        #expect(decision == evaluator.evaluate(records[1], at: Self.moment, explain: false))
        #expect(decision != kept)
    }

    /// A decision written over keeps what the new one shares with it (the rule set's stamp, the
    /// moment's text, the level) and replaces what differs: written over by another rule set at
    /// another moment, referral after referral, it is the decision made afresh.
    @Test func aDecisionWrittenOverByAnotherRuleSetAndMomentIsMadeAfresh() throws {
        let london = try Self.london()
        let candidate = try #require(RuleSetLoader.load(folder: Repository.path("rules/london-candidate")).program)
        #expect(london.stamp != candidate.stamp)
        let records = Array(Self.records(london).prefix(200))
        let evaluators = [london.makeEvaluator(), candidate.makeEvaluator()]
        let moments = [Self.moment, DateTime.parse("2026-03-05T08:30:00+01:00")!]
        var decision = evaluators[0].evaluate(records[0], at: moments[0])
        for (n, record) in records.enumerated() {
            let evaluator = evaluators[n % 2], moment = moments[(n / 2) % 2]
            evaluator.evaluate(record, at: moment, explain: n % 3 == 0, into: &decision)
            #expect(decision == evaluator.evaluate(record, at: moment, explain: n % 3 == 0), "\(record.id)")
        }
    }

    /// Decisions read back from their JSON are equal to what was written, deadline included (it is
    /// kept as a date-time and written as text).
    @Test func decisionsReadBackFromJSONAreEqual() throws {
        let program = try Self.london()
        let evaluator = program.makeEvaluator()
        var withDeadline = 0, withEscalation = 0, withDisclosure = 0
        for record in Self.records(program).prefix(500) {
            let d = evaluator.evaluate(record, at: Self.moment)
            let again = try JSONDecoder().decode(Decision.self, from: JSONEncoder().encode(d))
            #expect(again == d)
            // Read back, escalation states and disclosure answers have parts of their own, not the
            // program's shared ones: they are equal, and hash alike, by what they say.
            #expect(again.hashValue == d.hashValue)
            #expect(again.rating?.deadline == d.rating?.deadline)
            #expect(again.escalations.map(\.due) == d.escalations.map(\.due))
            if d.rating?.deadline != nil { withDeadline += 1 }
            if d.escalations.contains(where: { $0.stageSince != nil && $0.due != nil }) { withEscalation += 1 }
            if !d.disclosures.isEmpty { withDisclosure += 1 }
        }
        #expect(withDeadline > 100)
        #expect(withEscalation >= 3)
        #expect(withDisclosure > 50)
        // The same instant at another offset is another deadline to a reader.
        let utc = Decision.RatingOutcome(id: "red", label: nil, clock: "4 working hours", deadlineAt: DateTime.parse("2026-06-01T13:00:00Z"))
        let bst = Decision.RatingOutcome(id: "red", label: nil, clock: "4 working hours", deadlineAt: DateTime.parse("2026-06-01T14:00:00+01:00"))
        #expect(utc.deadlineAt == bst.deadlineAt)
        #expect(utc != bst)
        #expect(bst.deadline == "2026-06-01T14:00:00+01:00")
    }
}
