import Foundation
import Mash
@testable import MashRuntime
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

    /// The same check for `or`s of atoms, which decide when a part is true or every part is false,
    /// and for comparisons of definitions (a child's age), which read the definition where the record
    /// keeps it once worked out. A definition that is a condition of its own (`busy`) is read as a
    /// truth. Ages are worked out from `born` to the record's received time, 2026-03-02.
    static let orAndDefinitionConditions = [
        "young", "young and flag = true", "age >= duration(\"P1Y\")", "age = duration(\"P0Y\")", "busy", "busy and n >= 5",
        "either", "flag = true or t = \"some\" or n >= 5", "flag = false or (some c in items satisfies c.risk = \"high\")",
        "young or flag = true", "n >= 5 and (young or t = \"some\")", "(not(flag) or n < 0) and count(items) > 0",
        "t != \"some\" or busy",
    ]

    @Test func orsAndDefinitionsDecideAsTheCompiledConditionDoes() throws {
        let schema = Self.schema + "  born: date?\n"
        var rules = testPreamble
        rules += "let cats = items.category\nlet age = years and months duration(born, received)\nlet young = age < duration(\"P2Y\")\n"
        rules += "let busy = count(items[category = \"a\"]) > 0\nlet either = flag = true or n >= 5\n\n"
        for (i, condition) in Self.orAndDefinitionConditions.enumerated() {
            rules += "rule r\(i) \"Atoms \(i)\"\n  when \(condition)\n  then level early_help\n  because \"Atoms\"\n\n"
            rules += "rule r\(i)_code \"Code \(i)\"\n  when (\(condition)) = true\n  then level early_help\n  because \"Code\"\n\n"
        }
        let program = try testProgram(["schema.yaml": schema, "rules.mash": rules])
        let evaluator = program.makeEvaluator()
        let born = ["", "born: 2025-06-01\n", "born: 2024-03-02\n", "born: 2026-03-02\n", "born: 2030-01-01\n"]
        var firings = Array(repeating: 0, count: Self.orAndDefinitionConditions.count)
        var count = 0
        for fields in Self.records where !fields.contains("opt: [x") {
            for b in born {
                let record = try #require(testRecord(fields + b, schema: program.ruleSet.schema), "\(fields + b)")
                let fired = evaluator.evaluate(record, at: testMoment, explain: false).fired.map(\.rule)
                count += 1
                for i in Self.orAndDefinitionConditions.indices {
                    let byAtoms = fired.contains("r\(i)"), byCode = fired.contains("r\(i)_code")
                    #expect(byAtoms == byCode, "\(Self.orAndDefinitionConditions[i]) on \(fields + b)")
                    if byAtoms { firings[i] += 1 }
                }
            }
        }
        for (i, n) in firings.enumerated() {
            #expect(n > 0 && n < count, "\(Self.orAndDefinitionConditions[i]) fired on \(n) of \(count)")
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

    /// Rules keyed by a membership atom are passed over when the record's bits rule that atom out
    /// (`AtomTable`'s index). Over more than 64 rules (entries numbered in two words), two membership
    /// sets, lists that are absent (not a list: a `member` atom is null there, not false), empty or
    /// with null fields, keys that are not a rule's first atom, and rules with no key, each rule must
    /// fire exactly when its compiled twin does, and the firings must come in rule order.
    static let indexConditions = [
        "\"a\" in cats", "\"c\" in cats", "flag = true and \"a\" in cats", "\"x\" in kinds",
        "\"b\" in cats and \"y\" in kinds", "some c in items satisfies c.category = \"a\"",
        "some c in items satisfies c.category in (\"b\", \"c\") and c.risk = \"high\"",
        "some c in items satisfies c.category = null", "some o in others satisfies o.kind = \"y\" and flag != true",
        "\"a\" in cats or \"x\" in kinds", "count(items) > 1 and \"b\" in cats", "flag = true",
        // `some` over items whose body is item fields compared with constants (`Compiler.someAtom`):
        // alone, behind a screen, with the constant first, and as a part of an `or`.
        "some c in items satisfies c.risk != \"high\"", "some c in items satisfies c.category != \"a\" and c.risk = null",
        "some c in items satisfies \"high\" = c.risk and c.category = \"b\"", "flag = true or (some o in others satisfies o.kind != \"x\")",
    ]

    @Test func theRuleIndexPassesOverOnlyRulesThatCannotHold() throws {
        let schema = testSchema(fields: """
              flag: boolean?
              items:
                optional: true
                list:
                  fields:
                    category: {enum: [a, b, c], optional: true}
                    risk: {enum: [low, high], optional: true}
              others:
                optional: true
                list:
                  fields:
                    kind: {enum: [x, y]}

            """)
        var rules = testPreamble + "let cats = items.category\nlet kinds = others.kind\n\n"
        // Three copies of each pair: 72 rules, the third copy in the second word.
        var names: [String] = []
        for copy in 0..<3 {
            for (i, condition) in Self.indexConditions.enumerated() {
                for (suffix, when) in [("", condition), ("_code", "(\(condition)) = true")] {
                    names.append("r\(copy)_\(i)\(suffix)")
                    rules += "rule \(names.last!) \"Index \(i)\"\n  when \(when)\n  then level early_help\n  because \"Index\"\n\n"
                }
            }
        }
        #expect(names.count > 64)
        let program = try testProgram(["schema.yaml": schema, "rules.mash": rules])
        let evaluator = program.makeEvaluator()
        let flags = ["", "flag: true\n", "flag: false\n"]
        let items = ["", "items: []\n", "items: [{category: a}]\n", "items: [{risk: high}]\n", "items: [{category: b, risk: high}]\n",
                     "items: [{category: c, risk: low}, {category: a}]\n", "items: [{category: b}, {}]\n"]
        let others = ["", "others: []\n", "others: [{kind: x}]\n", "others: [{kind: y}, {kind: x}]\n"]
        var firings = Array(repeating: 0, count: Self.indexConditions.count)
        var count = 0
        for f in flags {
            for i in items {
                for o in others {
                    let fields = f + i + o
                    let record = try #require(testRecord(fields, schema: program.ruleSet.schema), "\(fields)")
                    let fired = evaluator.evaluate(record, at: testMoment, explain: false).fired.map(\.rule)
                    count += 1
                    #expect(fired.map { names.firstIndex(of: $0)! } == fired.map { names.firstIndex(of: $0)! }.sorted(), "\(fields)")
                    for copy in 0..<3 {
                        for k in Self.indexConditions.indices {
                            let byAtoms = fired.contains("r\(copy)_\(k)"), byCode = fired.contains("r\(copy)_\(k)_code")
                            #expect(byAtoms == byCode, "\(Self.indexConditions[k]) on \(fields)")
                            if byAtoms, copy == 2 { firings[k] += 1 }
                        }
                    }
                }
            }
        }
        for (k, n) in firings.enumerated() {
            #expect(n > 0 && n < count, "\(Self.indexConditions[k]) fired on \(n) of \(count)")
        }
    }

    /// A record built by hand may hold what the decoder never makes: a list item that is not a
    /// record, or a record with fewer fields than the schema's. Their fields read as null, for a
    /// `some` decided by its atoms as for its compiled twin; neither crashes.
    @Test func someOverItemsBuiltByHandDecidesAsTheCompiledCode() throws {
        let conditions = ["some c in items satisfies c.risk = null", "some c in items satisfies c.risk != \"high\"",
                          "some c in items satisfies c.category = \"a\" and c.risk = \"high\"", "count(items) = 3"]
        var rules = testPreamble
        for (i, condition) in conditions.enumerated() {
            rules += "rule r\(i) \"Atoms \(i)\"\n  when \(condition)\n  then level early_help\n  because \"Atoms\"\n\n"
            rules += "rule r\(i)_code \"Code \(i)\"\n  when (\(condition)) = true\n  then level early_help\n  because \"Code\"\n\n"
        }
        let program = try testProgram(["schema.yaml": Self.schema, "rules.mash": rules])
        let evaluator = program.makeEvaluator()
        let decoded = try #require(testRecord("items: []\n", schema: program.ruleSet.schema))
        let slot = try #require(program.ruleSet.schema.root.slot(of: "items"))
        guard case .record(var fields) = decoded.value else { Issue.record("not a record"); return }
        let lists: [[Value]] = [
            [.string("stray"), .record([.string("a")]), .record([.string("a"), .string("high")])],
            [.null, .record([]), .record([.string("b"), .string("high")])],
            [.record([.string("a"), .string("high")]), .number(1), .record([.string("c"), .string("low")])],
        ]
        var fired: [[String]] = []
        for items in lists {
            fields[slot] = .list(items)
            let decision = evaluator.evaluate(DecodedRecord(id: "H", value: .record(fields)), at: testMoment, explain: false)
            fired.append(decision.fired.map(\.rule))
            for i in conditions.indices {
                #expect(decision.fired.map(\.rule).contains("r\(i)") == decision.fired.map(\.rule).contains("r\(i)_code"), "\(conditions[i]) on \(items)")
            }
        }
        // A stray item's and a short record's risk are null; the third list has a, high first.
        #expect(fired == [["r0", "r0_code", "r1", "r1_code", "r2", "r2_code", "r3", "r3_code"],
                          ["r0", "r0_code", "r1", "r1_code", "r3", "r3_code"],
                          ["r0", "r0_code", "r1", "r1_code", "r2", "r2_code", "r3", "r3_code"]])
    }

    /// Lists and records are read where their arrays keep them only when Swift lays arrays out as
    /// `ArrayInPlace` reads them; on this platform it must, or every decision takes the slower way.
    @Test func arraysAreReadInPlaceOnThisPlatform() {
        #expect(ArrayInPlace.layoutKnown)
        let items: [Value] = [.boolean(true), .null]
        withUnsafePointer(to: Value.list(items)) { p in
            #expect(ArrayInPlace.items(p, known: true).map(Array.init) == items)
            #expect(ArrayInPlace.fields(p, known: true) == nil)
            #expect(ArrayInPlace.items(p, known: false) == nil)
        }
        withUnsafePointer(to: Value.record(items)) { p in
            #expect(ArrayInPlace.fields(p, known: true).map(Array.init) == items)
            #expect(ArrayInPlace.items(p, known: true) == nil)
        }
        withUnsafePointer(to: Value.string("a list of nothing")) { p in #expect(ArrayInPlace.items(p, known: true) == nil) }
    }
}
