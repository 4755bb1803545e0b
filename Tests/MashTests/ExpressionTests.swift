import Foundation
import Mash
@testable import MashRuntime
import MashSyntax
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
        // The k-th item that passes a filter is found without making the filtered list; the text of a
        // projection is tested in place.
        ("concerns[severity = \"significant\"][1].category", "\"physical_injury\""), ("concerns[severity = \"minor\" and category = \"physical_injury\"][1]", "null"),
        ("concerns[category != null][2].severity", "\"significant\""), ("concerns[severity = \"minor\"][2]", "null"),
        ("tags[item = \"b\"][1]", "\"b\""), ("tags[item != \"q\"][-1]", "\"b\""),
        ("\"physical_injury\" in concerns.category", "true"), ("\"missing\" in concerns.category", "false"),
        ("\"minor\" in concerns.category", "false"),
        // Numbers with fractions against whole numbers, and at different exponents.
        ("child.age_months > 2.5", "true"), ("child.age_months < 3.0", "false"), ("child.age_months = 3.00", "true"),
        ("2.50 = 2.5", "true"),
        // A call keeps its argument array between calls: in a loop, and with calls among its arguments.
        ("for c in concerns return max(string length(c.category), 10)", "[10, 15]"),
        ("max(min(count(concerns), 9), min(7, count(tags) - 1), sum(for c in concerns return max(string length(c.category), 0)))", "22"), ("-0.5 < -0.25", "true"), ("1e3 = 1000", "true"),
        ("concerns[1].category", "\"neglect\""), ("concerns[-1].severity", "\"significant\""), ("concerns[5]", "null"),
        ("sum([1, 2, 3])", "6"), ("min([3, 1, 2])", "1"), ("max(4, 9)", "9"), ("mean([1, 2])", "1.5"),
        ("all([true, false])", "false"), ("any([false, null, true])", "true"), ("all([true, null])", "null"),
        ("distinct values([1, 1, 2])", "[1, 2]"), ("list contains(tags, \"a\")", "true"), ("count([])", "0"),
        // Two dates or two date-times, neither a constant, are ordered without the general comparison:
        // the same results, and a local date-time has no order against one with an offset.
        ("received > received - duration(\"PT1H\")", "true"), ("received < received - duration(\"PT1H\")", "false"),
        ("received >= received", "true"), ("received > received", "false"), ("received <= received + duration(\"PT1S\")", "true"),
        ("child.date_of_birth < received.date", "true"), ("child.date_of_birth >= received.date", "false"),
        ("child.date_of_birth >= child.date_of_birth", "true"), ("child.date_of_birth > child.date_of_birth", "false"),
        ("received > date and time(string(child.date_of_birth) + \"T00:00:00\")", "null"),
        ("received <= date and time(string(child.date_of_birth) + \"T00:00:00Z\")", "false"),
        ("child.age_months > count(tags)", "true"), ("child.age > count(tags)", "null"),
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
        ("date(\"2026-03-02\") - duration(\"PT1H\")", "2026-03-01"), ("received.date - duration(\"P1M\")", "2026-02-02"),
        ("received.date + duration(\"P1Y2M\")", "2027-05-02"), ("child.date_of_birth + duration(\"P3M\")", "2026-02-15"),
        ("received - duration(\"P1M\")", "2026-02-02T09:15:00Z"), ("duration(\"P1M\") + child.date_of_birth", "2025-12-15"),
        ("@\"2026-03-02T00:30:00+01:00\".date", "2026-03-02"), ("@\"2026-03-01T23:30:00-01:00\".date", "2026-03-01"), ("@\"2026-03-02\" + @\"PT25H\"", "2026-03-03"),
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
        // Times of day, local date-times and IANA zones.
        ("time(\"10:15:00\") + duration(\"PT1H\")", "11:15:00"), ("time(\"23:30:00Z\") + duration(\"PT1H\")", "00:30:00Z"),
        ("time(\"10:10:10\") - time(\"11:10:10\")", "-PT1H"), ("time(11, 59, 45, duration(\"-PT2H\"))", "11:59:45-02:00"),
        ("time(\"10:30:00Z\") = time(\"11:30:00+01:00\")", "true"), ("time(\"10:30:00\") = time(\"10:30:00Z\")", "false"),
        ("time(received)", "09:15:00Z"), ("time(\"09:15:30.5\").second", "30.5"),
        ("date and time(\"2026-03-02T10:00:00\") + duration(\"P1D\")", "2026-03-03T10:00:00"),
        ("date and time(\"2026-03-02T10:00:00\") - received", "null"), ("date and time(\"2026-03-02T10:00:00\") > received", "null"),
        // A days-time duration is exact: a day after noon before the clocks go forward is 13:00.
        ("@\"2026-03-28T12:00:00@Europe/London\" + duration(\"P1D\")", "2026-03-29T13:00:00@Europe/London"),
        ("@\"2026-03-28T12:00:00@Europe/London\" + duration(\"P1M\")", "2026-04-28T12:00:00@Europe/London"),
        ("@\"2026-03-29T12:00:00@Europe/London\" - @\"2026-03-28T12:00:00@Europe/London\"", "PT23H"),
        ("@\"2026-07-01T12:00:00@Europe/London\" = @\"2026-07-01T11:00:00Z\"", "true"),
        ("@\"2026-07-01T12:00:00@Europe/London\".time offset", "PT1H"), ("@\"2026-07-01T12:00:00@Europe/London\".timezone", "\"Europe/London\""),
        ("time(\"10:00:00-05:00\").time offset", "-PT5H"), ("date and time(\"2026-07-01T12:00:00\").time offset", "null"),
        ("date and time(date(\"2026-03-02\"), time(\"09:00:00+01:00\"))", "2026-03-02T09:00:00+01:00"),
        ("@\"-0044-03-15\" + duration(\"P1Y\")", "-0043-03-15"), ("@\"2026-03-02T24:00:00Z\"", "2026-03-03T00:00:00Z"),
        ("@\"2026-03-02\" - @\"2026-03-01T12:00:00Z\"", "PT12H"), ("day of year(date(\"2026-03-02\"))", "61"),
        ("week of year(date(\"2021-01-03\"))", "53"), ("month of year(received)", "\"March\""),
        // for, ranges as values.
        ("for x in [1, 2, 3] return x * 2", "[2, 4, 6]"), ("for i in 3..1 return i", "[3, 2, 1]"),
        ("for x in [1, 2], y in [10, 20] return x + y", "[11, 21, 12, 22]"), ("for c in concerns return c.severity", "[\"minor\", \"significant\"]"),
        ("[1..10] = [1..10]", "true"), ("(1..10] = [1..10]", "false"), ("5 in [[1..2], [4..6]]", "true"),
        // Text with regular expressions, `is`, list functions, singleton lists.
        ("matches(\"AB-12\", \"^[A-Z]+-\\d+$\")", "true"), ("matches(\"ab\", \"AB\", \"i\")", "true"), ("matches(\"a\", \"(\")", "null"),
        ("replace(\"0123456789\", \"(\\d{3})(\\d{3})(\\d{4})\", \"($1) $2-$3\")", "\"(012) 345-6789\""), ("replace(\"abc\", \"x*\", \"-\")", "null"),
        ("split(\"a, b,c\", \",\\s*\")", "[\"a\", \"b\", \"c\"]"), ("is(1, 1)", "true"), ("is(1, \"1\")", "false"),
        ("is(@\"2026-01-01T10:00:00Z\", @\"2026-01-01T10:00:00@Etc/UTC\")", "false"),
        ("mode([1, 2, 2, 3, 3])", "[2, 3]"), ("stddev([2, 4, 7, 5])", "2.081665999466132735282297706979931"),
        ("1 / 3", "0.3333333333333333333333333333333333"), ("2 / 3 * 3", "2"), ("10 / 7 * 100000", "142857.1428571428571428571428571429"),
        ("append([1], 2, 3)", "[1, 2, 3]"), ("concatenate([1], [2, 3])", "[1, 2, 3]"), ("insert before([1, 3], 2, 2)", "[1, 2, 3]"),
        ("remove([1, 2, 3], -1)", "[1, 2]"), ("reverse([1, 2, 3])", "[3, 2, 1]"), ("index of([1, 2, 1], 1)", "[1, 3]"),
        ("union([1, 2], [2, 3])", "[1, 2, 3]"), ("sublist([1, 2, 3], 2, 1)", "[2]"), ("flatten([1, [2, [3]]])", "[1, 2, 3]"),
        ("list replace([1, 2, 3], 2, 4)", "[1, 4, 3]"), ("all(true)", "true"), ("string join(\"a\")", "\"a\""),
        ("1.23e4 = 12300", "true"), ("string length(\"\\uD83D\\uDCA9\")", "1"), ("\"\\U01F40E\" = \"🐎\"", "true"),
        ("floor(-1.56, 1)", "-1.6"),
        // Comparisons with a constant are compiled to compare in place (either side, every operator,
        // null and other kinds falling back to the general rule): each must give FEEL's value.
        ("dash_risk = \"high\"", "true"), ("\"high\" = dash_risk", "true"), ("dash_risk != \"high\"", "false"),
        ("id < \"Y\"", "true"), ("\"Y\" > id", "true"), ("id >= \"Y\"", "false"), ("\"X\" <= id", "true"),
        ("child.mobile = false", "true"), ("false = child.mobile", "true"), ("child.mobile != false", "false"),
        ("child.age_months >= 3", "true"), ("3 <= child.age_months", "true"), ("child.age_months > 2.5", "true"),
        ("child.age_months = 3.0", "true"), ("child.age_months != 3", "false"), ("4 > child.age_months", "true"),
        ("child.age_months < 70000", "true"), ("child.age_months > -65535", "true"), ("65536 > child.age_months", "true"),
        ("child.age_months = 3.00001", "false"), ("[1, 2, 3][child.age_months] = 3", "true"), ("min(child.age_months, 2) = 2", "true"),
        ("child.age < 1", "null"), ("child.age = 1", "false"), ("1 != child.age", "true"), ("child.age = null", "true"),
        ("years and months duration(child.date_of_birth, date(\"2026-03-02\")) < duration(\"P6M\")", "true"),
        ("duration(\"P3M\") = years and months duration(child.date_of_birth, date(\"2026-03-02\"))", "true"),
        // `in` a list of constants, and a constant `in` a list: text compared in place.
        ("id in (\"X\", \"Y\")", "true"), ("id in (\"Y\", \"Z\")", "false"), ("tags[3] in (\"a\", \"b\")", "false"), ("dash_risk in (\"standard\", \"medium\")", "false"),
        ("child.age_months in (1, 3)", "true"), ("\"neglect\" in concerns.category", "true"),
        ("\"minor\" in concerns.severity", "true"), ("\"a\" in tags[item != \"a\"]", "false"),
        ("count(concerns) > 1", "true"), ("count(tags) = 2", "true"),
        // `count` of a filter counts without making the list.
        ("count(concerns[severity = \"minor\"])", "1"), ("count(tags[item = \"z\"])", "0"), ("count(tags[item != \"z\"])", "2"),
        ("count(concerns[severity = \"minor\" or category = \"physical_injury\"])", "2"),
    ]

    @Test(arguments: values)
    func evaluates(_ expression: String, _ expected: String) {
        let outcome = Self.run(expression)
        #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics.map(\.message))")
        #expect(outcome.value.map { ValueText.render($0) } == expected)
    }

    /// Mistakes the checker can prove are errors before anything runs.
    static let errors: [(String, String)] = [
        ("dash_risk = \"hgih\"", "unknown-value"), ("child.agee", "unknown-field"), ("chld.age", "unknown-name"),
        ("cout(concerns)", "unknown-function"), ("duration(\"6 months\")", "bad-arguments"), ("count(1, 2)", "bad-arguments"),
        ("received.colour", "unknown-property"), ("level = 1", "unknown-name"),
    ]

    /// Kinds that do not fit are FEEL errors whose value is null (or what FEEL's three-valued logic makes
    /// of it): the checker warns, and evaluation gives exactly that value.
    static let typeWarnings: [(String, String)] = [
        ("\"a\" < 1", "null"), ("date(\"2026-01-01\") = received", "null"),
        ("duration(\"P1D\") < duration(\"P1M\")", "null"), ("true > false", "null"),
        ("child.age_months + \"x\"", "null"), ("concerns = 1", "null"),
        ("not(1)", "null"), ("1 and true", "null"), ("false and 1", "false"), ("some c in dash_risk satisfies c = 1", "null"),
        ("1 in [1..2] and [1..2]", "null"), ("upper case(1)", "null"), ("true in [false, 2]", "false"), ("if \"abc\" then 1 else 2", "null"),
        ("id = 1", "null"), ("child.age_months = \"3\"", "null"), ("1 < child.mobile", "null"), ("child.mobile = 1", "null"),
    ]

    @Test(arguments: typeWarnings)
    func typeMismatchesWarnAndGiveFEELsValue(_ expression: String, _ expected: String) {
        let outcome = Self.run(expression)
        #expect(outcome.diagnostics.map(\.code) == ["type-mismatch"], "\(outcome.diagnostics.map(\.message))")
        #expect(outcome.diagnostics.allSatisfy { $0.severity == .warning })
        #expect(outcome.value.map { ValueText.render($0) } == expected)
    }

    /// Small whole numbers are compared from the decimal's bytes once the layout has been confirmed;
    /// on this platform it must be, or every comparison would quietly take the slow way.
    @Test func smallWholeNumbersAreReadFromTheirBytes() throws {
        #expect(ValueOps.smallInteger(Decimal(42)) == 42)
        #expect(ValueOps.smallInteger(Decimal(-65535)) == -65535)
        #expect(ValueOps.smallInteger(try #require(Decimal(string: "7"))) == 7)
        #expect(ValueOps.smallInteger(try #require(Decimal(string: "7.5"))) == nil)
        #expect(ValueOps.smallInteger(Decimal(70000)) == nil)
        #expect(ValueOps.smallInteger(Decimal.nan) == nil)
    }

    /// Decimals with short mantissas are ordered as integers at a common exponent; every pair here
    /// must be ordered exactly as Foundation orders it, including across exponents and signs.
    @Test func shortDecimalsAreOrderedAsFoundationOrdersThem() throws {
        let texts = ["0", "-0.5", "0.5", "24", "24.0", "24.5", "23.99", "-24", "30.5", "1e3", "1000", "999.999",
                     "4294967295", "4294967296", "-4294967295", "0.000000001", "1e-20", "12345678901234567890.5", "7e18"]
        let numbers = try texts.map { try #require(Decimal(string: $0)) } + [Decimal.nan]
        for x in numbers {
            for y in numbers {
                let foundation = x < y ? -1 : (x == y ? 0 : 1)
                #expect(ValueOps.order(x, y) == foundation, "\(x) against \(y)")
            }
        }
    }

    /// A comparison with a constant is compiled to code of its own for each kind of constant (text,
    /// booleans, whole numbers, null) with shortcuts for null values; every pair of value and constant,
    /// under every operator, must give what the general comparison gives.
    @Test func comparisonsWithAConstantAgreeWithTheGeneralWay() throws {
        let values: [Value] = [.null, .string("high"), .string("hig"), .string("parental_substance_misuse"), .string(""),
                               .boolean(true), .boolean(false), .number(0), .number(5), .number(Decimal(string: "5.5")!), .number(-3),
                               .number(70000), .date(LocalDate(epochDay: 20_000)), .yearMonthDuration(12), .list([.string("high")])]
        let ops: [BinaryOperator] = [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual]
        let frame = Frame(FrameLayout(localCount: 0, definitionCount: 0))
        for constant in values where constant != .list([.string("high")]) {
            for op in ops {
                let comparison = ConstantComparison(op, constant)
                for value in values {
                    let general = Truth(ValueOps.compare(op, value, constant))
                    #expect(comparison.test(value) == general, "\(value) \(op) \(constant)")
                    #expect(comparison.compiled(reading: Operand.code({ _ in value }))(frame) == general, "\(value) \(op) \(constant), compiled")
                }
            }
        }
    }

    /// Membership sets find a text by its length and bytes; whatever they find must be what Swift's
    /// own equality (canonical equivalence) finds, including text written with other code points.
    @Test func membershipTextsAreFoundAsTextEqualityFindsThem() {
        let ascii = MemberSet(), mixed = MemberSet(), withEmpty = MemberSet()
        for text in ["neglect", "Kelvin", "cse", "cce", "parental_substance_misuse"] { _ = ascii.add(text); _ = mixed.add(text) }
        _ = mixed.add("caf\u{E9}")
        for text in ["", "a", "parental_mental_health"] { _ = withEmpty.add(text) }
        ascii.finish(); mixed.finish(); withEmpty.finish()
        let probes = ["neglect", "\u{212A}elvin", "Kelvin", "cse", "cs", "csee", "", "Neglect", "parental_substance_misuse",
                      "parental_substance_misusE", "parental_mental_health", "parental_mental_healtH", "a", "b",
                      "caf\u{E9}", "cafe\u{301}", "n\u{301}eglect"]
        for set in [ascii, mixed, withEmpty] {
            for probe in probes { #expect(set.bit(of: probe) == set.texts[probe], "\(probe)") }
        }
        #expect(ascii.bit(of: "\u{212A}elvin") == ascii.texts["Kelvin"])
        #expect(mixed.bit(of: "cafe\u{301}") == mixed.texts["caf\u{E9}"])
        #expect(withEmpty.bit(of: "") == 0 && withEmpty.bit(of: "parental_mental_health") == 2 && withEmpty.bit(of: "parental_mental_healtH") == nil)
    }

    /// `count(xs[condition]) op k` counts in whole numbers and stops once more than `k` items have
    /// passed. Each of the six comparisons, for counts of 0 to 4 against 0 to 3, and for a list left
    /// out (null), must give what the general comparison gives for the same count (`+ 0` takes it
    /// the general way).
    @Test func countOfAFilterComparedWithAWholeNumberGivesTheGeneralAnswer() throws {
        let withTags = try DocumentReader.yamlDocuments("""
            id: T
            received: "2026-03-02T09:15:00Z"
            child: {}
            concerns: []
            tags: [a, b, a, c]
            """)[0]
        let without = try DocumentReader.yamlDocuments("""
            id: U
            received: "2026-03-02T09:15:00Z"
            child: {}
            concerns: []
            """)[0]
        // 2, 4, 0 and 1 items pass in the record with tags.
        let filters = ["tags[item = \"a\"]", "tags[item != \"z\"]", "tags[item = \"z\"]", "tags[item = \"c\"]"]
        var checked = 0
        for record in [withTags, without] {
            for filter in filters {
                for op in ["=", "!=", "<", "<=", ">", ">="] {
                    for k in 0...3 {
                        func run(_ e: String) -> String? {
                            ExpressionRunner.evaluate(e, schema: Self.schema, record: record).value.map { ValueText.render($0) }
                        }
                        let answer = run("count(\(filter)) \(op) \(k)"), general = run("count(\(filter)) + 0 \(op) \(k)")
                        #expect(answer != nil && answer == general, "count(\(filter)) \(op) \(k)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked == 192)
        // The answers themselves, for the record with tags, where stopping early could go wrong.
        func answer(_ e: String) -> String? { ExpressionRunner.evaluate(e, schema: Self.schema, record: withTags).value.map { ValueText.render($0) } }
        #expect(answer("count(tags[item != \"z\"]) = 1") == "false")
        #expect(answer("count(tags[item != \"z\"]) <= 1") == "false")
        #expect(answer("count(tags[item != \"z\"]) != 3") == "true")
        #expect(answer("count(tags[item = \"a\"]) = 2") == "true")
        #expect(answer("count(tags[item = \"z\"]) < 1") == "true")
        #expect(ExpressionRunner.evaluate("count(tags[item = \"a\"]) > 0", schema: Self.schema, record: without).value == .null)
    }

    /// A membership set finds a short ASCII text by its two words (`SmallText`), and any other text
    /// by its bytes or Swift's equality: each finds exactly what Swift's equality finds, for texts
    /// alike in length, differing in one letter's case, written with the Kelvin sign, accented either
    /// way, empty, and longer than fifteen bytes.
    @Test func aMembershipSetFindsTextAsTextEqualityFindsIt() {
        #expect(SmallText.layoutKnown)
        let texts = ["neglect", "Kelvin", "cse", "", "parental_substance_misuse", "fifteen_bytes__", "sixteen_bytes___"]
        let set = MemberSet()
        for text in texts { _ = set.add(text) }
        set.finish()
        let probes = texts + ["negleCt", "neglecT", "\u{212A}elvin", "cs", "csee", "cse ", "parental_substance_misusE", "caf\u{E9}",
                              "cafe\u{301}", "fifteen_bytes_", "fifteen_bytes_x", "sixteen_bytes__", String(decoding: Array("neglect".utf8), as: UTF8.self),
                              String("xneglect".dropFirst())]
        for probe in probes {
            #expect(set.bit(of: probe) == texts.firstIndex(of: probe), "\(probe)")
        }
        // Words are read only from short ASCII texts.
        #expect(SmallText.words("neglect", known: true) != nil)
        #expect(SmallText.words("caf\u{E9}", known: true) == nil)
        #expect(SmallText.words("parental_substance_misuse", known: true) == nil)
        #expect(SmallText.words("neglect", known: false) == nil)
    }

    /// `x in ("a", "b")` finds a text among constant texts by length and bytes; what it finds must be
    /// what Swift's equality finds, for ASCII lists, a list with a non-ASCII text, and an empty list.
    @Test func textInAConstantListIsFoundAsTextEqualityFindsIt() {
        let span = Span(file: "<test>", start: 0, end: 1)
        let probes = ["neglect", "\u{212A}elvin", "Kelvin", "cse", "cs", "csee", "", "Neglect", "parental_substance_misuse",
                      "parental_substance_misusE", "caf\u{E9}", "cafe\u{301}"]
        for list in [["neglect", "Kelvin", "cse", "parental_substance_misuse"], ["caf\u{E9}", "cse"], []] {
            let items = list.map { TypedExpr(.constant(.string($0)), .string, span) }
            let test = TypedExpr(.inItems(TypedExpr(.root(0), .string, span), items), .boolean, span)
            let compiled = CompiledExpression(test, localCount: 0)
            for probe in probes {
                #expect(compiled.evaluate(.record([.string(probe)])) == .boolean(list.contains(probe)), "\(probe) in \(list)")
            }
        }
    }

    /// `and` and `or` try their cheapest parts first (a field before a filter or a call); whatever
    /// order they are tried in, every mix of true, false and null parts gives FEEL's answer.
    @Test func partsOfAndAndOrGiveFEELsAnswerInAnyOrder() {
        // Each part as true, false and null: a filter and a call (dear), a field compared (cheap),
        // a comparison of a field with a number (cheap).
        let dear = ["count(tags[item = \"a\"]) = 1": true, "count(tags[item = \"a\"]) = 2": false, "count(tags[item = \"a\"]) > child.age": nil]
        let cheap = ["child.mobile = false": true, "child.mobile = true": false, "child.age > 5": nil]
        let middle = ["child.age_months = 3": true, "child.age_months = 4": false, "child.age < 1": nil]
        func and(_ xs: [Bool?]) -> Bool? { xs.contains(false) ? false : (xs.contains(nil) ? nil : true) }
        func or(_ xs: [Bool?]) -> Bool? { xs.contains(true) ? true : (xs.contains(nil) ? nil : false) }
        func text(_ b: Bool?) -> String { b.map { $0 ? "true" : "false" } ?? "null" }
        for (a, va) in dear {
            for (b, vb) in cheap {
                for (c, vc) in middle {
                    for (written, values) in [([a, b, c], [va, vb, vc]), ([c, a, b], [vc, va, vb])] {
                        let conjunction = written.joined(separator: " and "), disjunction = written.joined(separator: " or ")
                        #expect(Self.run(conjunction).value.map { ValueText.render($0) } == text(and(values)), "\(conjunction)")
                        #expect(Self.run(disjunction).value.map { ValueText.render($0) } == text(or(values)), "\(disjunction)")
                        #expect(Self.run("not(\(conjunction)) or \(c)").value.map { ValueText.render($0) } == text(or([and(values).map(!), vc])))
                    }
                }
            }
        }
    }

    /// The order the parts are tried in: by cost, and as written between parts of one cost.
    @Test func cheapestPartsComeFirst() {
        let span = Span(file: "<test>", start: 0, end: 1)
        func field(_ slot: Int) -> TypedExpr { TypedExpr(.root(slot), .boolean, span) }
        let call = TypedExpr(.compare(.greater, TypedExpr(.call(.count, [TypedExpr(.root(5), .list(.string), span)]), .number, span),
                                      TypedExpr(.constant(.number(0)), .number, span)), .boolean, span)
        let chain = TypedExpr(.and(TypedExpr(.and(call, field(1)), .boolean, span), field(2)), .boolean, span)
        let compiler = Compiler(localCount: 0)
        #expect(compiler.cheapestFirst(chain, and: true).map(\.node) == [field(1).node, field(2).node, call.node])
        // Only the chain's own kind is taken apart: an `or` inside an `and` is one part.
        let mixed = TypedExpr(.and(TypedExpr(.or(field(1), field(2)), .boolean, span), field(3)), .boolean, span)
        #expect(compiler.cheapestFirst(mixed, and: true).map(\.node) == [field(3).node, TypedExpr(.or(field(1), field(2)), .boolean, span).node])
    }

    /// Compiled code keeps variables in memory of a fixed size; an expression that names a variable
    /// beyond it (the checker never makes one) gives null instead of reading outside that memory.
    @Test func aVariableBeyondTheFrameGivesNull() {
        let span = Span(file: "<test>", start: 0, end: 1)
        let read = TypedExpr(.local(3), .number, span)
        let bound = TypedExpr(.quantified(every: false, local: 5, source: TypedExpr(.constant(.list([.number(1)])), .list(.number), span),
                                          body: TypedExpr(.constant(.boolean(true)), .boolean, span)), .boolean, span)
        #expect(CompiledExpression(read, localCount: 1).evaluate(.record([])) == .null)
        #expect(CompiledExpression(bound, localCount: 1).evaluate(.record([])) == .null)
        #expect(CompiledExpression(read, localCount: 4).evaluate(.record([])) == .null)
    }

    /// Date-times are written as FEEL and ISO 8601 write them; the common shapes take a faster way
    /// than the rest, and every shape must come out the same as it was read.
    @Test(arguments: ["2026-03-02T09:15:00Z", "2026-07-02T09:15:00+01:00", "1999-12-31T23:59:59-05:30", "0005-01-01T00:00:00Z",
                      "9999-12-31T23:59:59+14:00", "2026-03-02T09:15:00.5Z", "2026-03-02T09:15:00+05:30:15",
                      "2026-03-02T09:15:00@Europe/London", "-0044-03-15T12:00:00Z", "10000-01-01T00:00:00Z"])
    func dateTimesAreWrittenAsRead(_ text: String) throws {
        let t = try #require(DateTime.parse(text))
        #expect(t.description == text)
    }

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
