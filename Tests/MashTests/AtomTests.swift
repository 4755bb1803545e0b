import Foundation
import Mash
import MashTestSupport
import Testing

/// Rules whose parts are simple tests of record fields are decided from those parts as data (`Atom`,
/// `AtomTable`), not by their compiled code. Each condition here is written twice: as itself, which
/// takes that way where it can, and as `(condition) = true`, which no atom reads, so it is decided by
/// the compiled code alone; both must fire on exactly the same records, over every mix of true,
/// false and null, small and other numbers, text written with other code points, absent and empty
/// lists, and membership and screens of list items.
@Suite struct AtomTests {
    static let schema = testSchema(fields: """
          flag: boolean?
          n: number?
          t: string?
          items:
            list:
              fields:
                category: {enum: [a, b, c]}
                risk: {enum: [low, high], optional: true}
          opt: {list: string, optional: true}

        """)

    static let conditions = [
        "flag = true", "flag != true", "false = flag", "flag = null", "flag != null",
        "n >= 5", "5 > n", "n = 5", "n != 5", "n < 0",
        "t = \"some\"", "t != \"some\"", "\"Kelvin\" = t", "t = null",
        "count(items) = 0", "count(items) > 1", "count(opt) = 0", "count(opt) >= 1",
        "\"a\" in cats", "has_a and flag = true",
        "some c in items satisfies c.category = \"a\" and c.risk = \"high\"",
        "some c in items satisfies c.category in (\"a\", \"b\")",
        "flag = true and n >= 5 and t = \"some\"",
        "flag = null and n = null",
        "flag != false and count(items) > 0 and \"b\" in cats",
        "flag = true and (n >= 5 or t = \"some\")",
        "n >= 5 and (some c in items satisfies c.risk = null and c.category = \"c\")",
        "count(opt) != 2",
        "n >= 5 and (t = \"some\" or flag = true)",
        "(some c in items satisfies c.category = \"a\" and c.risk = \"high\") and (t = \"some\" or flag = true)",
    ]

    static var rules: String {
        var text = testPreamble
        text += "let cats = items.category\nlet has_a = \"a\" in cats\n\n"
        for (i, condition) in conditions.enumerated() {
            text += "rule r\(i) \"Atoms \(i)\"\n  when \(condition)\n  then level early_help\n  because \"Atoms\"\n\n"
            text += "rule r\(i)_code \"Code \(i)\"\n  when (\(condition)) = true\n  then level early_help\n  because \"Code\"\n\n"
        }
        return text
    }

    static var records: [String] {
        var out: [String] = []
        let flags = ["", "flag: true\n", "flag: false\n"]
        let numbers = ["", "n: 0\n", "n: 4\n", "n: 5\n", "n: 5.5\n", "n: 4.5\n", "n: -3\n", "n: 70000\n"]
        let texts = ["", "t: some\n", "t: none\n", "t: \"\u{212A}elvin\"\n", "t: Kelvin\n"]
        let items = ["items: []\n", "items: [{category: a}]\n", "items: [{category: b}]\n", "items: [{category: a, risk: high}]\n",
                     "items: [{category: c}, {category: a, risk: low}]\n", "items: [{category: b}, {category: c, risk: high}]\n"]
        let opts = ["", "opt: []\n", "opt: [x, y]\n"]
        for f in flags { for n in numbers { for t in texts { for i in items { for o in opts { out.append(f + n + t + i + o) } } } } }
        return out
    }

    @Test func atomsDecideAsTheCompiledConditionDoes() throws {
        let program = try testProgram(["schema.yaml": Self.schema, "rules.mash": Self.rules])
        // One evaluator for every record in turn: nothing one record worked out may leak into the next.
        let evaluator = program.makeEvaluator()
        var firings = Array(repeating: 0, count: Self.conditions.count)
        for fields in Self.records {
            let record = try #require(testRecord(fields, schema: program.ruleSet.schema), "\(fields)")
            let fired = evaluator.evaluate(record, at: testMoment, explain: false).fired.map(\.rule)
            for i in Self.conditions.indices {
                let byAtoms = fired.contains("r\(i)"), byCode = fired.contains("r\(i)_code")
                #expect(byAtoms == byCode, "\(Self.conditions[i]) on \(fields)")
                if byAtoms { firings[i] += 1 }
            }
        }
        // Every condition both fires and does not, somewhere: none is decided the same for every record.
        for (i, n) in firings.enumerated() {
            #expect(n > 0 && n < Self.records.count, "\(Self.conditions[i]) fired on \(n) of \(Self.records.count)")
        }
    }

    /// A few records worked out by hand, the rules that fire in rule order.
    @Test func rulesFireInRuleOrderAsWorkedOutByHand() throws {
        let program = try testProgram(["schema.yaml": Self.schema, "rules.mash": Self.rules])
        let evaluator = program.makeEvaluator()
        func fired(_ fields: String) throws -> [String] {
            let record = try #require(testRecord(fields, schema: program.ruleSet.schema))
            return evaluator.evaluate(record, at: testMoment, explain: false).fired.map(\.rule).filter { !$0.hasSuffix("_code") }
        }
        // Null flag, number and text, no items, no `opt`: `null != true`, `null != 5` and `null != "some"`
        // are true, `n < 0` null, `count(opt) = 0` false and `count(opt) != 2` true (the count of nothing is null).
        #expect(try fired("items: []\n") == ["r1", "r3", "r8", "r11", "r13", "r14", "r23", "r27"])
        // `n: 5.5` is no small whole number: decided by the compiled code, the same way.
        #expect(try fired("flag: true\nn: 5.5\nt: some\nitems: [{category: a, risk: high}]\nopt: [x]\n")
            == ["r0", "r4", "r5", "r8", "r10", "r17", "r18", "r19", "r20", "r21", "r22", "r25", "r27", "r28", "r29"])
        // The Kelvin sign: text equal as Swift's equality finds it.
        #expect(try fired("flag: false\nn: 70000\nt: \"\u{212A}elvin\"\nitems: [{category: b}, {category: c, risk: high}]\n")
            == ["r1", "r2", "r4", "r5", "r8", "r11", "r12", "r15", "r21", "r27"])
    }
}
