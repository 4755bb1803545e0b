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

/// `some c in concerns satisfies c.category in (...) and ...` is ruled out without trying the items
/// when no item's category is one of the texts (`ItemScreen`); the set of categories a record holds is
/// shared with `"neglect" in categories`. Held to what the rules say, with null fields (which make
/// `c.severity = "minor"` false, not null), `every` (never ruled out that way) and `not`, over records
/// in turn through one evaluator, so what one record worked out cannot leak into the next.
@Suite struct ItemScreenTests {
    static let rules = testPreamble + """
        let categories = concerns.category

        rule significant_injury "A significant injury"
          when some c in concerns satisfies c.category = "physical_injury" and c.severity = "significant"
          then level protection
          because "A significant injury"

        rule neglect_or_abuse "Neglect or domestic abuse"
          when some c in concerns satisfies c.severity != "minor" and c.category in ("neglect", "domestic_abuse")
          then level cin
          because "Neglect or domestic abuse, not minor"

        rule nothing_minor "Nothing minor"
          when not(some c in concerns satisfies c.severity = "minor")
          then level universal
          because "Nothing minor"

        rule all_neglect "Only neglect"
          when every c in concerns satisfies c.category = "neglect"
          then level early_help
          because "Only neglect"

        rule neglect_listed "Neglect, as a list"
          when "neglect" in categories
          then level early_help
          because "Neglect listed"

        rule injury_or_significant "An injury, or anything significant"
          when some c in concerns satisfies c.category = "physical_injury" or c.severity = "significant"
          then level cin
          because "Not screened: the category is one way of two"

        rule injury_or_unknown "An injury or an unknown category"
          when some c in concerns satisfies c.category in ("physical_injury", null)
          then level cin
          because "Not screened: null is one of the texts"

        """

    static let cases: [(String, [String])] = [
        ("[{category: neglect}]", ["neglect_or_abuse", "nothing_minor", "all_neglect", "neglect_listed"]),
        ("[{category: physical_injury, severity: significant}]",
         ["significant_injury", "nothing_minor", "injury_or_significant", "injury_or_unknown"]),
        ("[{category: physical_injury}]", ["nothing_minor", "injury_or_significant", "injury_or_unknown"]),
        ("[{category: domestic_abuse, severity: minor}, {category: physical_injury, severity: significant}]",
         ["significant_injury", "injury_or_significant", "injury_or_unknown"]),
        ("[{category: domestic_abuse, severity: minor}, {category: neglect, severity: significant}]",
         ["neglect_or_abuse", "neglect_listed", "injury_or_significant"]),
        ("[{category: domestic_abuse, severity: minor}]", []),
        ("[]", ["nothing_minor", "all_neglect"]),
    ]

    /// A list that may be left out: `some` over a missing list is null (so `not(...)` is too), over an
    /// empty one false, and an item whose field is null is one that does not hold the text.
    @Test func aMissingListIsNeverRuledOut() throws {
        let schema = testSchema + """

              visits:
                optional: true
                list:
                  fields:
                    kind: {enum: [home, school], optional: true}
            """
        let rules = testPreamble + """
            rule home_visit "A home visit"
              when some v in visits satisfies v.kind = "home"
              then level cin
              because "A home visit"

            rule no_home_visit "No home visit"
              when not(some v in visits satisfies v.kind = "home")
              then level early_help
              because "No home visit"

            """
        let program = try testProgram(["schema.yaml": schema, "rules.mash": rules])
        let evaluator = program.makeEvaluator()
        let cases: [(String, [String])] = [("", []), ("visits: []", ["no_home_visit"]), ("visits: [{kind: school}]", ["no_home_visit"]),
                                           ("visits: [{kind: home}]", ["home_visit"]), ("visits: [{}]", ["no_home_visit"]),
                                           ("visits: [{}, {kind: home}]", ["home_visit"])]
        for _ in 0..<2 {
            for (visits, expected) in cases + cases.reversed() {
                let record = try #require(testRecord("child: {}\nconcerns: []\n\(visits)", schema: program.ruleSet.schema), "\(visits)")
                #expect(evaluator.evaluate(record, at: testMoment).fired.map(\.rule) == expected, "\(visits)")
            }
        }
    }

    @Test func someIsRuledOutOnlyWhenNoItemCanSatisfyIt() throws {
        let program = try testProgram(["schema.yaml": testSchema, "rules.mash": Self.rules])
        let evaluator = program.makeEvaluator()
        for _ in 0..<2 {
            for (concerns, expected) in Self.cases + Self.cases.reversed() {
                let record = try #require(testRecord("child: {}\nconcerns: \(concerns)", schema: program.ruleSet.schema))
                #expect(evaluator.evaluate(record, at: testMoment).fired.map(\.rule) == expected, "\(concerns)")
                #expect(evaluator.outcome(record).rank == evaluator.evaluate(record, at: testMoment).level.rank, "\(concerns)")
            }
        }
    }
}

/// Inside a loop, a part that reads the record but not the loop's variable (`received.date -
/// duration("P12M")` in a filter of earlier dates) is worked out once per record and kept
/// (`Compiler.memoized`). Held to what the rules say over records in turn through one evaluator, so
/// that a value kept for one record is never read for the next; nested loops and `for` included.
@Suite struct LoopInvariantTests {
    static let schema = testSchema(fields: "  limit: number?\n  earlier: {list: date}\n  scores: {list: number}\n" + testRequestsField)

    static let rules = testPreamble + testDisclosureNames + """
        disclosure police "Police" decided by manager
          category intel "Intelligence"
          share intel with csc
            when some s in scores satisfies s > string length(request.purpose)


        rule recent "An earlier referral within 12 months"
          when count(earlier[item > received.date - duration("P12M")]) > 0
          then level early_help
          because "Recent"

        rule over_limit "A score over the limit plus one"
          when some s in scores satisfies s > limit + 1
          then level cin
          because "Over"

        rule nested "A score over the limit for some earlier date in the last month"
          when some d in earlier satisfies (d > received.date - duration("P1M")) and (some s in scores satisfies s > limit * 2)
          then level protection
          because "Nested"

        rule doubled "The first score plus twice the limit over 20"
          when (for s in scores return s + limit * 2)[1] > 20
          then level early_help
          because "Doubled"

        """

    @Test func partsThatDoNotDependOnTheLoopAreKeptPerRecord() throws {
        let program = try testProgram(["schema.yaml": Self.schema, "rules.mash": Self.rules])
        let evaluator = program.makeEvaluator()
        let cases: [(String, [String])] = [
            ("received: \"2026-03-02T09:00:00Z\"\nlimit: 5\nearlier: [\"2025-06-01\"]\nscores: [7]", ["recent", "over_limit"]),
            ("received: \"2027-03-02T09:00:00Z\"\nlimit: 6\nearlier: [\"2025-06-01\"]\nscores: [7]", []),
            ("received: \"2026-03-02T09:00:00Z\"\nlimit: 3\nearlier: [\"2026-02-20\", \"2024-01-01\"]\nscores: [1, 7]", ["recent", "over_limit", "nested"]),
            ("received: \"2026-04-02T09:00:00Z\"\nlimit: 3\nearlier: [\"2026-02-20\"]\nscores: [7]", ["recent", "over_limit"]),
            ("received: \"2026-03-02T09:00:00Z\"\nearlier: []\nscores: [7]", []),
            ("received: \"2026-03-02T09:00:00Z\"\nlimit: 8\nearlier: []\nscores: [9]", ["doubled"]),
        ]
        // The disclosure request is a decision value: what reads it changes from request to request
        // of one record, so it is never kept.
        let requests = """
            scores: [7]
            disclosure_requests:
              - {id: a, agency: police, category: intel, audience: csc, purpose: short}
              - {id: b, agency: police, category: intel, audience: csc, purpose: much longer than seven}
              - {id: c, agency: police, category: intel, audience: csc, purpose: six ch}
            """
        let decided = try #require(decodedRecord("id: R\nreceived: \"2026-03-02T09:00:00Z\"\nearlier: []\n" + requests, schema: program.ruleSet.schema))
        #expect(evaluator.evaluate(decided, at: testMoment, explain: false).disclosures.map(\.answer.rawValue) == ["permit", "deny", "permit"])
        for _ in 0..<2 {
            for (fields, expected) in cases {
                let record = try #require(decodedRecord("id: X\n" + fields, schema: program.ruleSet.schema), "\(fields)")
                #expect(evaluator.evaluate(record, at: testMoment, explain: false).fired.map(\.rule) == expected, "\(fields)")
            }
        }
    }
}

/// Escalation and disclosure conditions read the decision's rating and route, which the evaluator
/// keeps in its frame as indexes into the program's ids, and which a decision written over keeps
/// when they are the same. Held to what the rules say over records in turn, through one evaluator.
@Suite struct DecisionValueTests {
    static let schema = testSchema(fields: "  danger: boolean?\n  needs: boolean?\n" + testRequestsField)

    static let rules = testPreamble + testDisclosureNames.replacingOccurrences(of: "  csc \"Children's social care\"\n", with: "  csc \"Children's social care\"\n  eh \"Early help\"\n") + """

        rule danger "Danger"
          when danger = true
          then level protection
          because "Danger"

        rule needs "Needs"
          when needs = true
          then level cin
          because "Needs"

        disclosure police "Police" decided by manager
          category intel "Intelligence"
          share intel with csc
            when rating = "red"
          share intel with eh
            when route = "s17"

        """

    @Test func ratingAndRouteAreTheDecisionsOwnForEachReferral() throws {
        let program = try testProgram(["schema.yaml": Self.schema, "rules.mash": Self.rules])
        let evaluator = program.makeEvaluator()
        let requests = """
            disclosure_requests:
              - {id: a, agency: police, category: intel, audience: csc}
              - {id: b, agency: police, category: intel, audience: eh}
            """
        let cases: [(String, String, [String])] = [
            ("danger: true\n", "red", ["permit", "deny"]),
            ("needs: true\n", "amber", ["deny", "permit"]),
            ("", "green", ["deny", "deny"]),
            ("needs: true\n", "amber", ["deny", "permit"]),
            ("danger: true\n", "red", ["permit", "deny"]),
            ("danger: true\n", "red", ["permit", "deny"]),
        ]
        var decision = evaluator.evaluate(try #require(decodedRecord("id: X\nreceived: \"2026-03-02T09:00:00Z\"\n", schema: program.ruleSet.schema)), at: testMoment)
        for (fields, rating, answers) in cases {
            let record = try #require(decodedRecord("id: X\nreceived: \"2026-03-02T09:00:00Z\"\n" + fields + requests, schema: program.ruleSet.schema))
            evaluator.evaluate(record, at: testMoment, explain: false, into: &decision)
            #expect(decision.rating?.id == rating, "\(fields)")
            #expect(decision.disclosures.map(\.answer.rawValue) == answers, "\(fields)")
            #expect(decision == evaluator.evaluate(record, at: testMoment, explain: false), "\(fields)")
        }
    }
}

/// A denial's reason is made once for each kind of request and kept by what it depends on (the
/// agency, category, audience and purpose). Kept denials are found by those texts' lengths first, so
/// requests alike in every length must still each get their own reason.
@Suite struct DenialMemoTests {
    static let schema = testSchema(fields: testRequestsField)
    static let rules = testPreamble + testDisclosureNames.replacingOccurrences(of: "  csc \"Children's social care\"\n", with: "  csc \"Children's social care\"\n  eh \"Early help\"\n  ab \"Adult services\"\npurposes\n  s47_enquiry \"Enquiry\"\n") + """

        disclosure police "Police" decided by manager
          category intel "Intelligence"
          category alert "Alerts"
          category names never shared "Names"
          share intel with csc
          share alert with csc for s47_enquiry

        """

    @Test func requestsAlikeInEveryLengthGetTheirOwnReasons() throws {
        let program = try testProgram(["schema.yaml": Self.schema, "rules.mash": Self.rules])
        // Pairs that differ only in their texts, not in any length: unknown agencies, unknown
        // categories, audiences without a share rule, purposes, and the never-shared category.
        let requests = [
            ("aaaa", "intel", "csc", nil), ("bbbb", "intel", "csc", nil),
            ("police", "xx1", "csc", nil), ("police", "xx2", "csc", nil),
            ("police", "intel", "eh", nil), ("police", "intel", "ab", nil),
            ("police", "alert", "csc", "s17_assessment"), ("police", "alert", "csc", "s47_assessment"),
            ("police", "names", "csc", nil), ("police", "alert", "eh", "s47_enquiry"),
        ]
        func record(_ order: [Int]) throws -> DecodedRecord {
            let lines = order.map { k in
                let (agency, category, audience, purpose) = requests[k]
                return "  - {id: r\(k), agency: \(agency), category: \(category), audience: \(audience)\(purpose.map { ", purpose: \($0)" } ?? "")}"
            }
            return try #require(testRecord("disclosure_requests:\n" + lines.joined(separator: "\n") + "\n", schema: program.ruleSet.schema))
        }
        // One evaluator over several records, the requests in different orders, so that each kind
        // is met first in one record and found kept in later ones.
        let evaluator = program.makeEvaluator()
        let orders = [Array(0..<10), Array((0..<10).reversed()), [1, 3, 5, 7, 9, 0, 2, 4, 6, 8], [8, 6, 4, 2, 0, 9, 7, 5, 3, 1]]
        for order in orders {
            let answers = evaluator.evaluate(try record(order), at: testMoment, explain: false).disclosures
            #expect(answers.map(\.request) == order.map { "r\($0)" })
            for (k, answer) in zip(order, answers) {
                // What a new evaluator, which has kept nothing, answers to the request alone.
                let alone = program.makeEvaluator().evaluate(try record([k]), at: testMoment, explain: false).disclosures
                #expect(alone.count == 1)
                #expect(answer == alone[0], "request \(k) in order \(order)")
                #expect(answer.reason == alone[0].reason, "request \(k) in order \(order)")
            }
        }
        // The reasons themselves, each naming what its request asked for.
        let first = evaluator.evaluate(try record(Array(0..<10)), at: testMoment, explain: false).disclosures
        #expect(first.map(\.reason) == [
            "no disclosure policy for agency \"aaaa\"; anything not allowed is denied",
            "no disclosure policy for agency \"bbbb\"; anything not allowed is denied",
            "\"xx1\" is not a category of Police; anything not allowed is denied",
            "\"xx2\" is not a category of Police; anything not allowed is denied",
            "no share rule of Police allows intel to go to eh; anything not allowed is denied",
            "no share rule of Police allows intel to go to ab; anything not allowed is denied",
            "no share rule of Police allows alert to go to csc for s17_assessment; anything not allowed is denied",
            "no share rule of Police allows alert to go to csc for s47_assessment; anything not allowed is denied",
            "Police never shares names",
            "no share rule of Police allows alert to go to eh for s47_enquiry; anything not allowed is denied",
        ])
    }
}
