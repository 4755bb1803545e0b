import Foundation
import Mash
import MashTestSupport
import Testing

/// Decision tables row by row: which rows match and which count, for each hit policy, past the
/// 64 rows the compiler puts in one piece of code, with inputs read in place and worked out first,
/// and with cells of every kind.
@Suite struct TableTests {
    static let rules = testPreamble + """
        table long_first "Seventy rows, first hit" hit first
          child.age_months || level
        ROWS_FIRST
          because "x"

        table long_collect "Seventy-one rows, every hit" hit collect max
          child.age_months || level
        ROWS_COLLECT
          because "x"

        table counted "Concerns counted, a computed input" hit priority
          count(concerns) | child.age           || level
          > 1             | -                   || early_help
          1               | < child.age_months  || protection
          >= 0            | -                   || cin
          because "x"

        table kinds "Cells of each kind" hit unique
          dash_risk               | child.age  | child.mobile || level
          not("standard", null)   | [1..3]     | -            || cin
          "standard"              | (3..10]    | false        || early_help
          null                    | >= 11, < 1 | -            || universal
          because "x"

        """
        .replacingOccurrences(of: "ROWS_FIRST", with: rows(1...69, then: "universal"))
        .replacingOccurrences(of: "ROWS_COLLECT", with: rows(1...70, then: "universal"))

    /// Rows `k || cin` for each k, and a last row `- || level`.
    static func rows(_ ks: ClosedRange<Int>, then level: String) -> String {
        (ks.map { "  \($0) || cin" } + ["  - || \(level)"]).joined(separator: "\n")
    }

    /// A record's child, concerns and DASH risk, and the table rows it fires, as `table:row`.
    static let cases: [(String, [String])] = [
        ("child: {age_months: 66}\nconcerns: []", ["long_first:66", "long_collect:66", "long_collect:71", "counted:3"]),
        ("child: {age_months: 3}\nconcerns: []", ["long_first:3", "long_collect:3", "long_collect:71", "counted:3"]),
        // Rows 1 (early help) and 3 (child in need) of the priority table match: the higher level wins.
        ("child: {age_months: 100}\nconcerns: [{category: neglect}, {category: neglect}]",
         ["long_first:70", "long_collect:71", "counted:3"]),
        // Rows 2 (protection) and 3 match: the higher level wins, though it is not the last row.
        ("child: {age_months: 70, age: 2}\nconcerns: [{category: neglect}]\ndash_risk: high",
         ["long_first:70", "long_collect:70", "long_collect:71", "counted:2", "kinds:1"]),
        // Row 2's second cell compares with another field: 12 is not under 5.
        ("child: {age_months: 5, age: 12}\nconcerns: [{category: neglect}]",
         ["long_first:5", "long_collect:5", "long_collect:71", "counted:3", "kinds:3"]),
        ("child: {age: 4, mobile: false}\nconcerns: []\ndash_risk: standard", ["long_first:70", "long_collect:71", "counted:3", "kinds:2"]),
        // `not("standard", null)` does not match a missing risk; ages outside every range match nothing.
        ("child: {age: 2}\nconcerns: []", ["long_first:70", "long_collect:71", "counted:3"]),
        ("child: {age: 5, mobile: true}\nconcerns: []\ndash_risk: standard", ["long_first:70", "long_collect:71", "counted:3"]),
    ]

    @Test func rowsMatchAsTheHitPolicySays() throws {
        let program = try testProgram(["schema.yaml": testSchema, "rules.mash": Self.rules])
        // One evaluator for every case, twice over, so nothing one record worked out reaches the next.
        let evaluator = program.makeEvaluator()
        for _ in 0..<2 {
            for (fields, expected) in Self.cases {
                let record = try #require(testRecord(fields, schema: program.ruleSet.schema), "\(fields)")
                let decision = evaluator.evaluate(record, at: testMoment)
                #expect(decision.fired.map { "\($0.rule):\($0.row ?? 0)" } == expected, "\(fields)")
                #expect(decision.problems == [], "\(fields)")
                // The outcome alone (what a dry-run asks) agrees with the full decision.
                let outcome = evaluator.outcome(record)
                #expect(outcome.level == decision.level.id && outcome.rating == decision.rating?.id && outcome.route == decision.route?.id)
            }
        }
    }

    @Test func aUniqueTableWithTwoMatchesSaysSoAndKeepsBoth() throws {
        let set = try TemporaryRuleSet(["schema.yaml": testSchema, "rules.mash": testPreamble + """
            table overlapping "Overlapping rows" hit unique
              child.age | count(concerns) || level
              < 5       | -               || cin
              -         | 0               || early_help
              because "x"

            """])
        defer { set.remove() }
        let loaded = set.load()
        let program = try #require(loaded.program, "\(loaded.renderer.human(loaded.diagnostics))")
        let record = try #require(testRecord("child: {age: 2}\nconcerns: []", schema: program.ruleSet.schema))
        let decision = program.makeEvaluator().evaluate(record, at: testMoment)
        #expect(decision.fired.map(\.row) == [1, 2])
        #expect(decision.level.id == "cin")
        #expect(decision.problems == ["table `overlapping` has hit policy unique, but rows 1, 2 all match"])
    }

    /// Every rule that fires and every row that counts contributes to the level, however many: here
    /// all three rules and all four rows of a collect table, the highest the table's last row.
    @Test func everyFiringCountsTowardsTheLevel() throws {
        var rules = testPreamble
        for k in 1...3 { rules += "rule r\(k) \"Rule \(k)\"\n  when count(concerns) = 0\n  then level early_help\n  because \"x\"\n\n" }
        rules += """
            table all_rows "Every row" hit collect max
              child.age || level
              >= 0      || early_help
              >= 1      || cin
              >= 2      || cin
              >= 3      || protection
              because "x"

            """
        let program = try testProgram(["schema.yaml": testSchema, "rules.mash": rules])
        let evaluator = program.makeEvaluator()
        for (age, level) in [(3, "protection"), (2, "cin"), (0, "early_help")] {
            let record = try #require(testRecord("child: {age: \(age)}\nconcerns: []", schema: program.ruleSet.schema))
            let decision = evaluator.evaluate(record, at: testMoment)
            #expect(decision.fired.count == 3 + age + 1)
            #expect(decision.level.id == level, "age \(age)")
            #expect(evaluator.outcome(record).level == level, "age \(age)")
        }
    }
}
