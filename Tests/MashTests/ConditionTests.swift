import Foundation
import Mash
import MashTestSupport
import Testing

/// Conditions the compiler takes shortcuts for, held to what the rules say: text tested against a
/// list definition (worked out once per record and read as a bit), the same text tested twice,
/// negated, and against two definitions at once.
@Suite struct ConditionTests {
    static let rules = testPreamble + """
        let categories = concerns.category
        let severities = concerns.severity

        rule neglect "Neglect"
          when "neglect" in categories
          then level early_help
          because "Neglect"

        rule injury "A significant injury"
          when "physical_injury" in categories and "significant" in severities
          then level cin
          because "A significant injury"

        rule no_abuse "No domestic abuse"
          when not("domestic_abuse" in categories)
          then level universal
          because "No domestic abuse"

        rule neglect_again "Neglect, tested twice"
          when "neglect" in categories and count(concerns) > 0
          then level early_help
          because "Neglect again"

        """

    static let cases: [(String, [String])] = [
        ("[{category: neglect}]", ["neglect", "no_abuse", "neglect_again"]),
        ("[{category: physical_injury, severity: significant}, {category: domestic_abuse}]", ["injury"]),
        ("[{category: physical_injury, severity: minor}, {category: neglect, severity: significant}]", ["neglect", "injury", "no_abuse", "neglect_again"]),
        ("[{category: physical_injury, severity: minor}]", ["no_abuse"]),
        ("[]", ["no_abuse"]),
    ]

    @Test func textInAListDefinitionIsDecidedAsWritten() throws {
        let program = try testProgram(["schema.yaml": testSchema, "rules.mash": Self.rules])
        // One evaluator for every case, in turn, so what one record worked out cannot leak into the next.
        let evaluator = program.makeEvaluator()
        for _ in 0..<2 {
            for (concerns, expected) in Self.cases {
                let record = try #require(testRecord("child: {}\nconcerns: \(concerns)", schema: program.ruleSet.schema))
                let decision = evaluator.evaluate(record, at: testMoment)
                #expect(decision.fired.map(\.rule) == expected, "\(concerns)")
            }
        }
    }
}
