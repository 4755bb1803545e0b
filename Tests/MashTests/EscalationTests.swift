import Foundation
import Mash
import MashTestSupport
import Testing

/// Escalation paths evaluated at different moments: pending, each stage, overdue, resolved.
@Suite struct EscalationTests {
    static let schema = testSchema + """

          disagreement:
            optional: true
            fields:
              raised: date-time
              stage: string?
              since: date-time?
              resolved: date-time?
        """

    static let rules = testPreamble + """
        roles
          practitioner "Practitioner"
          manager      "Team manager"

        escalation dispute "Disagreement"
          starts at disagreement.raised
          current stage disagreement.stage since disagreement.since
          resolved at disagreement.resolved
          stage first  by practitioner within 2 working days
          stage second by manager      within 4 working hours

        """

    func states(_ disagreement: String, at moments: [String]) throws -> [Decision.EscalationState?] {
        let program = try testProgram(["schema.yaml": Self.schema, "rules.mash": Self.rules])
        let record = try #require(decodedRecord("""
            id: X
            received: "2026-03-02T09:00:00Z"
            child: {}
            concerns: []
            disagreement: \(disagreement)
            """, schema: program.ruleSet.schema))
        let evaluator = program.makeEvaluator()
        return moments.map { evaluator.evaluate(record, at: DateTime.parse($0)!).escalations.first }
    }

    @Test func followsItsTimetableWhenTheRecordNamesNoStage() throws {
        let s = try states(#"{raised: "2026-03-02T10:00:00Z"}"#, at: [
            "2026-03-02T09:30:00Z", "2026-03-03T12:00:00Z", "2026-03-04T12:00:00Z", "2026-03-04T16:00:00Z",
        ])
        #expect(s[0]?.status == .pending)
        #expect(s[0]?.started == "2026-03-02T10:00:00Z")
        #expect(s[1]?.stage == "first")
        #expect(s[1]?.due == "2026-03-04T10:00:00Z")
        #expect(s[1]?.overdue == false)
        #expect(s[2]?.stage == "second")
        #expect(s[2]?.heldBy == "Team manager")
        #expect(s[2]?.stageSince == "2026-03-04T10:00:00Z")
        #expect(s[2]?.due == "2026-03-04T14:00:00Z")
        #expect(s[2]?.overdue == false)
        #expect(s[3]?.stage == "second")
        #expect(s[3]?.overdue == true)
    }

    @Test func usesTheStageTheRecordNames() throws {
        let s = try states(#"{raised: "2026-03-02T10:00:00Z", stage: first, since: "2026-03-02T10:00:00Z"}"#,
                           at: ["2026-03-05T12:00:00Z"])
        #expect(s[0]?.stage == "first")
        #expect(s[0]?.due == "2026-03-04T10:00:00Z")
        #expect(s[0]?.overdue == true)
    }

    @Test func resolvedPathsSayResolved() throws {
        let s = try states(#"{raised: "2026-03-02T10:00:00Z", resolved: "2026-03-03T10:00:00Z"}"#,
                           at: ["2026-03-02T12:00:00Z", "2026-03-03T12:00:00Z"])
        #expect(s[0]?.status == .open)
        #expect(s[1]?.status == .resolved)
    }

    @Test func anUnknownRecordedStageIsAProblemNotACrash() throws {
        let set = try TemporaryRuleSet(["schema.yaml": Self.schema, "rules.mash": Self.rules])
        defer { set.remove() }
        let program = try #require(set.load().program)
        let record = try #require(decodedRecord("""
            id: X
            received: "2026-03-02T09:00:00Z"
            child: {}
            concerns: []
            disagreement: {raised: "2026-03-02T10:00:00Z", stage: third}
            """, schema: program.ruleSet.schema))
        let d = program.makeEvaluator().evaluate(record, at: DateTime.parse("2026-03-02T12:00:00Z")!)
        #expect(d.escalations.first?.stage == "first")
        #expect(d.problems == ["escalation `dispute`: the record says stage \"third\", which the path does not have; the timetable is used instead"])
    }
}

/// `level` compared with a level in an escalation's `when` is read as the decision's rank, a whole
/// number (`Compiler.compileCompare`): for every operator and every level, each path starts exactly
/// when the decided rank stands in that relation to the level's, worked out here from the ranks.
@Suite struct LevelConditionTests {
    @Test func escalationsStartExactlyWhenTheLevelComparisonHolds() throws {
        let levels = ["universal", "early_help", "cin", "protection"]
        let ops: [(String, (Int, Int) -> Bool)] = [("=", (==)), ("!=", (!=)), ("<", (<)), ("<=", (<=)), (">", (>)), (">=", (>=))]
        var rules = testPreamble + "roles\n  practitioner \"Practitioner\"\n\n"
        for (rank, level) in levels.enumerated() where rank > 0 {
            rules += "rule to_\(level) \"To \(level)\"\n  when n = \(rank + 1)\n  then level \(level)\n  because \"Test\"\n\n"
        }
        var names: [String: (op: Int, level: Int)] = [:]
        for (o, (op, _)) in ops.enumerated() {
            for (l, level) in levels.enumerated() {
                let name = "e\(o)_\(l)"
                names[name] = (o, l)
                rules += "escalation \(name) \"When level \(op) \(level)\"\n  starts at received when level \(op) \(level)\n"
                rules += "  stage only by practitioner\n\n"
            }
        }
        let program = try testProgram(["schema.yaml": testSchema(fields: "  n: number?\n"), "rules.mash": rules])
        let evaluator = program.makeEvaluator()
        for n in 1...4 {
            let record = try #require(testRecord("n: \(n)\n", schema: program.ruleSet.schema))
            let decision = evaluator.evaluate(record, at: testMoment, explain: false)
            #expect(decision.level.id == levels[n - 1])
            let started = Set(decision.escalations.map(\.path))
            for (name, (o, l)) in names {
                // Ranks 1 to 4, as the levels are numbered.
                #expect(started.contains(name) == ops[o].1(n, l + 1), "level \(levels[n - 1]) \(ops[o].0) \(levels[l])")
            }
        }
    }
}

/// An escalation's `when` and a share rule's `when` are conditions: a path starts, and a share rule
/// allows, only when the condition is true. Null (a comparison with a field left out) is not true.
@Suite struct ConditionalStartTests {
    static let rules = testPreamble + testDisclosureNames + """

        disclosure police "Police" decided by manager
          category intel "Intelligence"
          share intel with csc
            when n > 2

        escalation over "Over two"
          starts at received when n > 2
          stage only by manager

        """

    @Test func onlyATrueConditionStartsAPathOrAllowsASharing() throws {
        let program = try testProgram(["schema.yaml": testSchema(fields: "  n: number?\n" + testRequestsField), "rules.mash": Self.rules])
        let evaluator = program.makeEvaluator()
        let request = "disclosure_requests:\n  - {id: a, agency: police, category: intel, audience: csc}\n"
        for (fields, starts, answer) in [("n: 3\n", true, "permit"), ("n: 1\n", false, "deny"), ("", false, "deny")] {
            let record = try #require(testRecord(fields + request, schema: program.ruleSet.schema))
            let decision = evaluator.evaluate(record, at: testMoment, explain: false)
            #expect(decision.escalations.map(\.path) == (starts ? ["over"] : []), "\(fields)")
            #expect(decision.disclosures.map(\.answer.rawValue) == [answer], "\(fields)")
        }
    }
}
