import Foundation
import Mash
import MashTestSupport
import Testing

@Suite struct CheckerTests {
    func load(_ rules: String) throws -> (TemporaryRuleSet, LoadedRuleSet) {
        let set = try TemporaryRuleSet(["schema.yaml": testSchema, "rules.mash": testPreamble + rules])
        return (set, set.load())
    }

    @Test func cleanRuleSetCompiles() throws {
        let (set, loaded) = try load("""
            rule baby "Baby"
              when child.age_months < 6
              then level protection
              because "young"
            """)
        defer { set.remove() }
        #expect(!loaded.diagnostics.hasErrors)
        #expect(loaded.program != nil)
    }

    @Test func duplicateAndUnusedDeclarations() throws {
        let (set, loaded) = try load("""
            let unused = 1 = 1
            rule a "A"
              when true
              then level cin
              because "x"
            rule a "A again"
              when true
              then level cin
              because "y"
            """)
        defer { set.remove() }
        #expect(loaded.diagnostics.map(\.code) == ["duplicate-declaration", "unused-definition"])
        #expect(loaded.diagnostics[0].secondary.first?.message == "first declared here")
        #expect(loaded.diagnostics[1].severity == .warning)
    }

    @Test func definitionsMayNotRefertoThemselves() throws {
        let (set, loaded) = try load("""
            let a = b
            let b = a
            rule r "R"
              when a
              then level cin
              because "x"
            """)
        defer { set.remove() }
        #expect(loaded.diagnostics.map(\.code) == ["definition-cycle"])
    }

    @Test func decisionValuesAreOnlyVisibleToEscalationAndDisclosure() throws {
        let (set, loaded) = try load("""
            rule r "R"
              when level = protection
              then level cin
              because "x"
            """)
        defer { set.remove() }
        #expect(loaded.diagnostics.map(\.code) == ["unknown-name"])
        #expect(loaded.diagnostics.first?.label == "only escalation and disclosure conditions see the decision's level")
    }

    @Test func escalationAndDisclosureNamesAreChecked() throws {
        let (set, loaded) = try load("""
            roles
              manager "Team manager"
            agencies
              police "Police"
            audiences
              csc "Children's social care"
            escalation e "E"
              starts at received
              stage one by manger within 2 working days
              stage two by manager
            disclosure police "Police" decided by manager
              category intel handling C
              category sources never shared
              share intel with cs
              share sources with csc
            """)
        defer { set.remove() }
        #expect(loaded.diagnostics.map(\.code) == ["unknown-role", "missing-requests-field", "unknown-audience", "never-shared-category"])
        #expect(loaded.diagnostics.first?.help == "did you mean `manager`?")
    }

    @Test func workingClocksNeedACalendar() throws {
        let set = try TemporaryRuleSet(["schema.yaml": testSchema, "rules.mash": """
            ruleset "T" version "1" authority "A"
            uses schema "schema.yaml"
            levels
              1 one "One"
            ratings measured from received
              amber within 24 working hours
            """])
        defer { set.remove() }
        #expect(set.load().diagnostics.map(\.code) == ["missing-calendar"])
    }

    @Test func tablesNeedALevelColumnAndAReason() throws {
        let (set, loaded) = try load("""
            table t "T" hit first
              dash_risk || rating
              "high"    || red
            """)
        defer { set.remove() }
        #expect(loaded.diagnostics.map(\.code) == ["missing-level", "missing-because"])
    }

    @Test func schemaErrorsPointIntoTheYaml() throws {
        let set = try TemporaryRuleSet(["schema.yaml": "record: r\nid: id\nfields:\n  id: string\n  age: nubmer\n",
                                        "rules.mash": "ruleset \"T\" version \"1\" authority \"A\"\nuses schema \"schema.yaml\"\nlevels\n  1 one \"One\"\n"])
        defer { set.remove() }
        let loaded = set.load()
        #expect(loaded.diagnostics.map(\.code) == ["schema-unknown-type"])
        #expect(loaded.diagnostics.first?.help == "did you mean `number`?")
        #expect(set.rendered(loaded).contains("ruleset/schema.yaml:5:8"))
    }

    // MARK: Building on a base rule set

    static let base = testPreamble + """
        rule da "DA"
          when dash_risk = "high"
          then level cin
          because "base"
        """

    func borough(_ rules: String) throws -> (TemporaryRuleSet, LoadedRuleSet) {
        let set = try TemporaryRuleSet(["schema.yaml": testSchema, "rules.mash": Self.base], name: "base")
        let child = (set.parent as NSString).appendingPathComponent("borough")
        try FileManager.default.createDirectory(atPath: child, withIntermediateDirectories: true)
        try ("ruleset \"Borough\" version \"2\" authority \"B\"\nextends \"../base\"\n" + rules)
            .write(toFile: (child as NSString).appendingPathComponent("rules.mash"), atomically: true, encoding: .utf8)
        return (set, RuleSetLoader.load(folder: child))
    }

    @Test func boroughOverridesARuleAndAClock() throws {
        let (set, loaded) = try borough("""
            ratings
              red within 2 hours
            override rule da "DA"
              when dash_risk in ("medium", "high")
              then level protection
              because "borough"
            """)
        defer { set.remove() }
        #expect(!loaded.diagnostics.hasErrors, "\(loaded.diagnostics)")
        let checked = try #require(loaded.checked)
        #expect(checked.name == "Borough")
        #expect(checked.rules.map(\.because) == ["borough"])
        #expect(checked.ratings.first { $0.id == "red" }?.clock?.description == "2 hours")
        #expect(checked.ratings.map(\.id) == ["red", "amber", "green"])
    }

    @Test func replacingWithoutOverrideIsAnError() throws {
        let (set, loaded) = try borough("""
            rule da "DA"
              when true
              then level cin
              because "again"
            override rule nothing "N"
              when true
              then level cin
              because "n"
            """)
        defer { set.remove() }
        #expect(loaded.diagnostics.map(\.code) == ["duplicate-declaration", "nothing-to-override"])
        #expect(loaded.diagnostics[0].help == "the base rule set already has rule `da`; to replace it, write `override rule da`")
    }

    @Test func missingBaseIsReported() throws {
        let set = try TemporaryRuleSet(["rules.mash": "ruleset \"B\" version \"1\" authority \"A\"\nextends \"../nowhere\"\n"])
        defer { set.remove() }
        let loaded = set.load()
        #expect(loaded.diagnostics.map(\.code) == ["missing-base"])
        #expect(set.rendered(loaded).contains("ruleset/rules.mash:2:9"))
    }

    @Test func everyBundledRuleSetChecksClean() {
        for folder in ["rules/london", "rules/merton", "grammar/examples/minimal"] {
            let loaded = RuleSetLoader.load(folder: Repository.path(folder))
            #expect(loaded.diagnostics.isEmpty, "\(folder): \(loaded.renderer.human(loaded.diagnostics))")
        }
    }
}
