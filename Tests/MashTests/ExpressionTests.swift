import Foundation
import Mash
import MashTestSupport
import Testing

/// The FEEL subset, case by case: each expression is parsed, checked against the test schema,
/// compiled and evaluated against one record.
@Suite struct ExpressionTests {
    static let schema: Schema = {
        let (schema, diagnostics) = SchemaLoader.load(SourceFile(path: "schema.yaml", text: testSchema))
        precondition(diagnostics.isEmpty)
        return schema!
    }()

    static let record: RawValue = try! DocumentReader.yamlDocuments("""
        id: X
        received: "2026-03-02T09:15:00Z"
        dash_risk: high
        child: {age_months: 3, date_of_birth: "2025-11-15", mobile: false}
        concerns: [{category: neglect, severity: minor}, {category: physical_injury, severity: significant}]
        tags: [a, b]
        """)[0]

    static func run(_ expression: String) -> ExpressionRunner.Outcome {
        ExpressionRunner.evaluate(expression, schema: schema, record: record)
    }

    static let values: [(String, String)] = [
        // Null logic (FEEL three-valued and/or; a missing optional field is null).
        ("true and null", "null"), ("false and null", "false"), ("true or null", "true"), ("false or null", "null"),
        ("not(null)", "null"), ("not(false)", "true"), ("null = null", "true"), ("child.age = null", "true"),
        ("child.age > 5", "null"), ("child.age > 5 or true", "true"), ("child.age != 5", "true"),
        // Ranges, `in`, `between`.
        ("child.age_months in [0..3]", "true"), ("child.age_months in [0..3)", "false"), ("child.age_months in (3..5]", "false"),
        ("5 in ]3..5[", "false"), ("4 in ]3..5[", "true"), ("\"b\" in tags", "true"), ("\"c\" in tags", "false"),
        ("dash_risk in (\"medium\", \"high\")", "true"), ("3 in [1, 2, 3]", "true"), ("child.age_months between 1 and 3", "true"),
        ("child.age between 1 and 3", "null"),
        // Lists, paths over lists, filters, indexes.
        ("count(concerns)", "2"), ("concerns.category", "[\"neglect\", \"physical_injury\"]"),
        ("concerns[severity = \"minor\"].category", "[\"neglect\"]"), ("concerns[item.severity = \"minor\"].category", "[\"neglect\"]"),
        ("concerns[1].category", "\"neglect\""), ("concerns[-1].severity", "\"significant\""), ("concerns[5]", "null"),
        ("sum([1, 2, 3])", "6"), ("min([3, 1, 2])", "1"), ("max(4, 9)", "9"), ("mean([1, 2])", "1.5"),
        ("all([true, false])", "false"), ("any([false, null, true])", "true"), ("all([true, null])", "null"),
        ("distinct values([1, 1, 2])", "[1, 2]"), ("list contains(tags, \"a\")", "true"), ("count([])", "0"),
        // some / every.
        ("some c in concerns satisfies c.severity = \"significant\"", "true"),
        ("every c in concerns satisfies c.severity = \"minor\"", "false"),
        ("every x in [] satisfies x > 1", "true"), ("some x in [] satisfies x > 1", "false"),
        ("some x in [1, null] satisfies x > 1", "null"), ("some x in [1, 2], y in [2, 3] satisfies x = y", "true"),
        // if.
        ("if child.age_months < 6 then \"baby\" else \"older\"", "\"baby\""), ("if null then 1 else 2", "2"),
        // Text.
        ("string length(\"héllo\")", "5"), ("upper case(\"abc\")", "\"ABC\""), ("lower case(\"ABC\")", "\"abc\""),
        ("starts with(\"neglect\", \"neg\")", "true"), ("ends with(\"neglect\", \"ect\")", "true"), ("contains(\"abc\", \"b\")", "true"),
        ("substring(\"safeguard\", 5)", "\"guard\""), ("substring(\"safeguard\", 1, 4)", "\"safe\""), ("substring(\"safeguard\", -5)", "\"guard\""),
        ("substring before(\"a-b\", \"-\")", "\"a\""), ("substring after(\"a-b\", \"-\")", "\"b\""), ("\"a\" + \"b\"", "\"ab\""),
        ("string(12)", "\"12\""),
        // Numbers are decimals.
        ("1 + 2 * 3", "7"), ("10 / 4", "2.5"), ("1 / 0", "null"), ("0.1 + 0.2 = 0.3", "true"), ("2 ** 10", "1024"),
        ("-child.age_months", "-3"), ("floor(2.7)", "2"), ("ceiling(2.1)", "3"), ("abs(-4)", "4"),
        // Dates, times and durations.
        ("date(\"2026-03-02\") - date(\"2026-02-28\")", "P2D"), ("received.date", "2026-03-02"),
        ("years and months duration(child.date_of_birth, received)", "P3M"),
        ("years and months duration(child.date_of_birth, received) < duration(\"P6M\")", "true"),
        ("date(\"2026-01-31\") + duration(\"P1M\")", "2026-02-28"), ("received + duration(\"PT4H\")", "2026-03-02T13:15:00Z"),
        ("received - duration(\"P1D\")", "2026-03-01T09:15:00Z"), ("received.hour", "9"), ("date(\"2026-03-02\").weekday", "1"),
        ("day of week(date(\"2026-03-08\"))", "\"Sunday\""), ("duration(\"P1DT2H\").hours", "2"), ("duration(\"P2Y3M\").years", "2"),
        ("duration(\"PT36H\") > duration(\"P1D\")", "true"), ("duration(\"P1Y\") > duration(\"P11M\")", "true"),
        ("date and time(\"2026-03-02T10:00:00+01:00\") = date and time(\"2026-03-02T09:00:00Z\")", "true"),
        ("date and time(\"2026-03-02T10:00:00+01:00\") - received", "-PT15M"), ("date(2026, 2, 29)", "null"),
        // Dates move by days-time durations through their midnight: an hour before a date is the day before.
        ("date(\"2026-03-02\") - duration(\"PT1H\")", "2026-03-01"), ("@\"2026-03-02\" + @\"PT25H\"", "2026-03-03"),
        // Numeric and text built-ins.
        ("modulo(10, 4)", "2"), ("modulo(-10, 4)", "2"), ("modulo(10, -4)", "-2"), ("modulo(10, 0)", "null"),
        ("even(4)", "true"), ("odd(4)", "false"), ("even(4.5)", "null"), ("median([3, 1, 2, 10])", "2.5"), ("product(2, 3, 4)", "24"),
        ("round up(5.51, 1)", "5.6"), ("round down(-5.59, 1)", "-5.5"), ("round half up(5.25, 1)", "5.3"), ("round half down(5.25, 1)", "5.2"),
        ("decimal(2.5, 0)", "2"), ("number(\"1,000.5\", \",\", \".\")", "1000.5"), ("number(\"1,000\", \",\", \",\")", "null"),
        ("string join([\"a\", null, \"b\"], \"-\")", "\"a-b\""), ("sqrt(-1)", "null"),
        // Comparisons of each ordered kind with itself.
        ("1 < 2", "true"), ("\"a\" < \"b\"", "true"), ("date(\"2026-01-01\") < date(\"2026-01-02\")", "true"),
        ("received > date and time(\"2026-01-01T00:00:00Z\")", "true"), ("duration(\"PT1H\") <= duration(\"PT1H\")", "true"),
        ("[1, 2] = [1, 2]", "true"), ("[1, 2] = [2, 1]", "false"), ("true = true", "true"), ("dash_risk = \"high\"", "true"),
    ]

    @Test(arguments: values)
    func evaluates(_ expression: String, _ expected: String) {
        let outcome = Self.run(expression)
        #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics.map(\.message))")
        #expect(outcome.value.map { ValueText.render($0) } == expected)
    }

    /// Pairs that can never be compared are errors before anything runs.
    static let errors: [(String, String)] = [
        ("\"a\" < 1", "type-mismatch"), ("date(\"2026-01-01\") = received", "type-mismatch"),
        ("duration(\"P1D\") < duration(\"P1M\")", "type-mismatch"), ("true > false", "type-mismatch"),
        ("dash_risk < \"high\"", "type-mismatch"), ("child.age_months + \"x\"", "type-mismatch"), ("concerns = 1", "type-mismatch"),
        ("not(1)", "type-mismatch"), ("1 and true", "type-mismatch"), ("some c in dash_risk satisfies c = 1", "type-mismatch"),
        ("dash_risk = \"hgih\"", "unknown-value"), ("child.agee", "unknown-field"), ("chld.age", "unknown-name"),
        ("cout(concerns)", "unknown-function"), ("duration(\"6 months\")", "bad-arguments"), ("count(1, 2)", "bad-arguments"),
        ("received.colour", "unknown-property"), ("level = 1", "unknown-name"), ("1 in [1..2] and [1..2]", "type-mismatch"),
    ]

    @Test(arguments: errors)
    func rejects(_ expression: String, _ code: String) {
        let outcome = Self.run(expression)
        #expect(outcome.value == nil)
        #expect(outcome.diagnostics.map(\.code).first == code, "\(outcome.diagnostics.map(\.message))")
    }

    @Test func daysTimeAgainstYearsMonthsExplainsTheTrap() {
        let outcome = Self.run("received.date - child.date_of_birth < duration(\"P6M\")")
        #expect(outcome.diagnostics.map(\.code) == ["type-mismatch"])
        #expect(outcome.diagnostics.first?.help?.hasPrefix("FEEL keeps days-time durations") == true)
    }
}
