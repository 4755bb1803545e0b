import Foundation
import Mash
import MashTestSupport
import Testing

/// The diagnostics a policy lead meets first, pinned on their exact rendered text and span.
@Suite struct DiagnosticTests {
    func check(_ rules: String) throws -> (TemporaryRuleSet, LoadedRuleSet) {
        let set = try TemporaryRuleSet(["schema.yaml": testSchema, "rules.mash": testPreamble + rules])
        return (set, set.load())
    }

    /// The line of `needle` in the preamble + rules text, and the 1-based column where it starts.
    func position(of needle: String, in rules: String) -> (Int, Int) {
        let text = testPreamble + rules
        let before = text[..<text.range(of: needle)!.lowerBound]
        let line = before.filter { $0 == "\n" }.count + 1
        let column = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
        return (line, column)
    }

    @Test func mistypedFieldSaysWhichFieldWasMeant() throws {
        let rules = """
            rule baby "Baby"
              when child.age_month < 6
              then level protection
              because "young"
            """
        let (set, loaded) = try check(rules)
        defer { set.remove() }
        let (line, column) = position(of: "age_month <", in: rules)
        #expect(set.rendered(loaded) == """
            error[unknown-field]: `child` has no field `age_month`
              --> ruleset/rules.mash:\(line):\(column)
               |
            \(line) |   when child.age_month < 6
               |              ^^^^^^^^^ not a field of `child`
               = help: did you mean `age_months`?

            1 error, 0 warnings

            """)
        let d = try #require(loaded.diagnostics.first)
        let file = try #require(loaded.sources[d.span!.file])
        #expect(file.text(of: d.span!) == "age_month")
    }

    @Test func missingThenPointsAtWhatCameInstead() throws {
        let rules = """
            rule baby "Baby"
              when child.age_months < 6
              level protection
              because "young"
            """
        let (set, loaded) = try check(rules)
        defer { set.remove() }
        let (line, _) = position(of: "  level protection", in: rules)
        #expect(set.rendered(loaded) == """
            error[missing-then]: expected `then` after the condition of rule `baby`, found `level`
              --> ruleset/rules.mash:\(line):3
               |
            \(line) |   level protection
               |   ^^^^^ expected `then` here
               = help: say what the rule suggests: then level <level>, rating <rating>, route <route>

            1 error, 0 warnings

            """)
    }

    /// FEEL makes such a comparison null, so the rule could never fire: a warning, which `--deny-warnings` makes fail CI.
    @Test func textComparedWithANumberIsATypeWarning() throws {
        let rules = """
            rule da "DA"
              when dash_risk = 14
              then level cin
              because "risk"
            """
        let (set, loaded) = try check(rules)
        defer { set.remove() }
        let (line, _) = position(of: "dash_risk = 14", in: rules)
        let mismatch = loaded.diagnostics.filter { $0.code == "type-mismatch" }
        #expect(loaded.renderer.human(mismatch).replacingOccurrences(of: set.parent + "/", with: "") == """
            warning[type-mismatch]: cannot compare `dash_risk` (one of "standard", "medium", "high") with `14` (a number)
              --> ruleset/rules.mash:\(line):8
               |
            \(line) |   when dash_risk = 14
               |        ^^^^^^^^^^^^^^ one of "standard", "medium", "high" and a number
               = help: `dash_risk` holds text; write the number as text in quotes, or compare a numeric field

            0 errors, 1 warning

            """)
        #expect(!loaded.diagnostics.hasErrors)
    }

    @Test func unknownLevelSuggestsTheDeclaredOne() throws {
        let rules = """
            rule da "DA"
              when dash_risk = "high"
              then level protecton
              because "risk"
            """
        let (set, loaded) = try check(rules)
        defer { set.remove() }
        let (line, _) = position(of: "level protecton", in: rules)
        #expect(set.rendered(loaded) == """
            error[unknown-level]: unknown level `protecton`
              --> ruleset/rules.mash:\(line):14
               |
            \(line) |   then level protecton
               |              ^^^^^^^^^ not a declared level
               = help: did you mean `protection`?

            1 error, 0 warnings

            """)
    }

    @Test func misspelledEnumerationValueIsCaught() throws {
        let (set, loaded) = try check("""
            rule da "DA"
              when dash_risk = "hgih"
              then level cin
              because "risk"
            """)
        defer { set.remove() }
        #expect(loaded.diagnostics.map(\.code) == ["unknown-value"])
        #expect(loaded.diagnostics.first?.help == "did you mean \"high\"?")
    }

    @Test func jsonRenderingCarriesCodeLocationAndHelp() throws {
        let (set, loaded) = try check("""
            rule baby "Baby"
              when child.age_month < 6
              then level protection
              because "young"
            """)
        defer { set.remove() }
        let json = loaded.renderer.json(loaded.diagnostics).replacingOccurrences(of: set.parent + "/", with: "")
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["errors"] as? Int == 1)
        let first = try #require((object["diagnostics"] as? [[String: Any]])?.first)
        #expect(first["code"] as? String == "unknown-field")
        #expect(first["help"] as? String == "did you mean `age_months`?")
        let location = try #require(first["location"] as? [String: Any])
        #expect(location["file"] as? String == "ruleset/rules.mash")
        #expect(location["column"] as? Int == 14)
        #expect(location["end_column"] as? Int == 23)
    }

    @Test func severalErrorsAreReportedInOneRun() throws {
        let (set, loaded) = try check("""
            rule a "A"
              when child.agee > 1
              then level cin
              because "x"

            rule b "B"
              when dash_risk = 3
              then level nowhere, rating purple
              because "y"
            """)
        defer { set.remove() }
        #expect(loaded.diagnostics.map(\.code) == ["unknown-field", "type-mismatch", "unknown-level", "unknown-rating"])
    }
}
