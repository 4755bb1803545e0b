import Foundation
import Mash
import MashHarness
import MashLint
import MashTestSupport
import Testing

/// Every lint fires on a rule set made to trigger it, and stays quiet on one that does not.
/// Gap and overlap findings carry an example input, which is evaluated to prove it.
@Suite struct LintTests {
    static let broken = Repository.path("Tests/Fixtures/broken-ruleset")

    @Test func theBrokenRuleSetTriggersEveryLint() {
        let loaded = RuleSetLoader.load(folder: Self.broken)
        #expect(!loaded.diagnostics.hasErrors)
        #expect(loaded.diagnostics.allSatisfy { $0.severity == .warning })
        let found = loaded.diagnostics.sortedBySource().map { "\($0.code): \($0.message)" }
        #expect(found == [
            "never-produced: rating `purple` is declared, but no rule, table row or default produces it",
            "never-produced: route `unused` is declared, but no rule, table row or default produces it",
            "rule-never-fires: rule `impossible` can never fire: `age_months > 5` and `age_months < 3` cannot all be true",
            "table-gap: table `gaps` has no row for 2 of the input combinations tried, for example dash_risk = \"standard\"",
            "table-overlap: rows 1 and 2 of table `overlaps` (hit unique) all match age_months = 4",
            "unreachable-row: row 2 of table `hidden` is never chosen under `hit first`: rows before it, or with a higher level, always win",
            "stage-without-limit: stage `one` has no time limit, so the stages after it are never reached by the clock",
            "category-without-rule: Police category `unused_category` has no share rule, so it is always denied",
        ])
    }

    @Test func theLondonRuleSetIsLintClean() {
        let loaded = RuleSetLoader.load(folder: Repository.path("rules/london"))
        #expect(loaded.diagnostics.isEmpty, "\(loaded.renderer.human(loaded.diagnostics))")
    }

    @Test func everyFailureMessageFires() throws {
        let loaded = RuleSetLoader.load(folder: Self.broken)
        let program = try #require(loaded.program)
        var loader = TestSuiteLoader(ruleSet: program.ruleSet)
        let report = TestRunner.run(program, cases: loader.load(files: TestSuiteLoader.files(in: Self.broken)))
        #expect(!loader.diagnostics.hasErrors)
        let lines = report.results.map { r in
            r.passed ? "\(r.testCase.name): passed" : "\(r.testCase.name): " + (r.error ?? r.mismatches.map { "\($0.field): expected \($0.expected), got \($0.actual)" }.joined(separator: "; "))
        }
        #expect(lines == [
            "wrong level: level: expected early_help, got protection",
            "wrong rating and route: rating: expected green, got red; route: expected signpost, got strategy",
            "wrong deadline: deadline: expected 2026-03-02T14:00:00Z, got 2026-03-02T13:00:00Z",
            "a rule that should fire does not: fired: expected baby fires, got fired: overlaps#3, hidden#1",
            "a rule that should not fire does: not_fired: expected baby does not fire, got it fired",
            "wrong escalation stage: escalations.clock.stage: expected two, got one",
            "wrong disclosure answer: disclosures.Q.answer: expected deny, got permit",
            "a referral that does not match the schema: the referral does not match the schema: received: expected a date-time with an offset like 2026-03-02T09:15:00Z or 2026-07-01T09:15:00+01:00, found \"yesterday\"",
            "a passing case: passed",
        ])
        #expect(TestReportRenderer.human(report, coverage: false).hasSuffix("1 passed, 8 failed\n"))
    }

    // MARK: One lint at a time

    func lint(_ rules: String) throws -> (TemporaryRuleSet, LoadedRuleSet) {
        let set = try TemporaryRuleSet(["schema.yaml": testSchema, "rules.mash": testPreamble + rules])
        return (set, set.load())
    }

    func codes(_ loaded: LoadedRuleSet) -> [String] {
        loaded.diagnostics.filter { $0.code != "never-produced" }.map(\.code)
    }

    static func raw(_ v: Value) -> RawValue {
        switch v {
        case .null: return .null
        case .boolean(let b): return .boolean(b)
        case .number(let n): return .number("\(n)")
        case .string(let s): return .string(s)
        default: return .null
        }
    }

    /// Evaluates the rule set on a record made from a finding's example.
    func evaluate(_ loaded: LoadedRuleSet, example: [TableAnalysis.Example]) throws -> Decision {
        let program = try #require(loaded.program)
        var record: RawValue = .map(["id": .string("X"), "received": .string("2026-03-02T09:00:00Z"), "child": .map([:]), "concerns": .list([])])
        for e in example { record = try #require(RawPath.set(record, path: e.input, to: Self.raw(e.value))) }
        let decoded = try RecordDecoder(schema: program.ruleSet.schema).decode(record, origin: "example").get()
        return program.makeEvaluator().evaluate(decoded, at: DateTime.parse("2026-03-04T12:00:00Z")!)
    }

    func findings(_ loaded: LoadedRuleSet, table index: Int = 0) throws -> [TableAnalysis.Finding] {
        let checked = try #require(loaded.checked)
        guard case .analysed(let f) = TableAnalysis.analyze(checked.tables[index], ruleSet: checked, sources: loaded.sources) else {
            Issue.record("not analysed")
            return []
        }
        return f
    }

    @Test func contradictions() throws {
        let (a, never) = try lint("""
            rule r "R"
              when dash_risk = "high" and child.age_months >= 2 and dash_risk in ("medium", "standard")
              then level cin
              because "x"
            """)
        defer { a.remove() }
        #expect(codes(never) == ["rule-never-fires"])
        #expect(never.diagnostics.first { $0.code == "rule-never-fires" }?.message
                == "rule `r` can never fire: `dash_risk in (\"medium\", \"standard\")` and `dash_risk = \"high\"` cannot all be true")
        let (b, fine) = try lint("""
            rule r "R"
              when child.age_months < 5 and child.age_months > 3 and dash_risk != "high"
              then level cin
              because "x"
            """)
        defer { b.remove() }
        #expect(codes(fine) == [])
    }

    @Test func contradictionsThroughDefinitionsAndNull() throws {
        let (a, never) = try lint("""
            let baby = child.age_months < 6
            rule r "R"
              when baby and child.age_months = null
              then level cin
              because "x"
            """)
        defer { a.remove() }
        #expect(codes(never) == ["rule-never-fires"])
    }

    @Test func gapsComeWithAnExampleThatReallyMatchesNoRow() throws {
        let (a, gap) = try lint("""
            table t "T" hit first
              dash_risk | child.mobile || level
              "high"    | -            || protection
              "medium"  | true         || cin
              because "x"
            """)
        defer { a.remove() }
        #expect(codes(gap) == ["table-gap"])
        let finding = try #require(try findings(gap).first)
        #expect(finding.kind == .gap)
        #expect(finding.example.map(\.input) == ["dash_risk", "child.mobile"])
        let decision = try evaluate(gap, example: finding.example)
        #expect(decision.fired.isEmpty)
        let (b, full) = try lint("""
            table t "T" hit first
              dash_risk | child.mobile || level
              "high"    | -            || protection
              "medium"  | true         || cin
              -         | -            || universal
              because "x"
            """)
        defer { b.remove() }
        #expect(codes(full) == [])
    }

    @Test func overlapsComeWithAnExampleThatReallyMatchesBothRows() throws {
        let (a, overlap) = try lint("""
            table t "T" hit unique
              child.age_months || level
              [0..12]          || cin
              <= 3             || protection
              > 12             || universal
              null             || universal
              because "x"
            """)
        defer { a.remove() }
        #expect(codes(overlap) == ["table-overlap"])
        let finding = try #require(try findings(overlap).first)
        #expect(finding.kind == .overlap([1, 2]))
        let decision = try evaluate(overlap, example: finding.example)
        #expect(decision.fired.map { $0.row } == [1, 2])
        #expect(decision.problems == ["table `t` has hit policy unique, but rows 1, 2 all match"])
        let (b, exclusive) = try lint("""
            table t "T" hit unique
              child.age_months || level
              (3..12]          || cin
              <= 3             || protection
              > 12             || universal
              null             || universal
              because "x"
            """)
        defer { b.remove() }
        #expect(codes(exclusive) == [])
    }

    @Test func unreachableRows() throws {
        let (a, hidden) = try lint("""
            table t "T" hit priority
              dash_risk || level
              -         || protection
              "high"    || cin
              because "x"
            """)
        defer { a.remove() }
        #expect(codes(hidden) == ["unreachable-row"])
        let (b, fine) = try lint("""
            table t "T" hit first
              dash_risk || level
              "high"    || protection
              -         || cin
              because "x"
            """)
        defer { b.remove() }
        #expect(codes(fine) == [])
    }

    @Test func declaredButNeverProduced() throws {
        let (a, loaded) = try lint("""
            rule r "R"
              when true
              then level protection
              because "x"
            """)
        defer { a.remove() }
        // The preamble declares four levels; `universal` is the default, `protection` is produced.
        #expect(loaded.diagnostics.map(\.message) == [
            "level `early_help` is declared, but no rule, table row or default produces it",
            "level `cin` is declared, but no rule, table row or default produces it",
            "rating `amber` is declared, but no rule, table row or default produces it",
            "route `early_help` is declared, but no rule, table row or default produces it",
            "route `s17` is declared, but no rule, table row or default produces it",
        ])
    }

    @Test func ciFormatsCarryFileAndLine() throws {
        let loaded = RuleSetLoader.load(folder: Self.broken)
        let github = loaded.renderer.github(loaded.diagnostics).replacingOccurrences(of: Repository.root + "/", with: "")
        let first = try #require(github.split(separator: "\n").first)
        #expect(first == "::warning file=Tests/Fixtures/broken-ruleset/ruleset.mash,line=17,col=3,endLine=17,endColumn=9,title=mash never-produced::rating `purple` is declared, but no rule, table row or default produces it%0Ahelp: use it in a rule, or remove it")
        let sarif = loaded.renderer.sarif(loaded.diagnostics)
        let log = try #require(try JSONSerialization.jsonObject(with: Data(sarif.utf8)) as? [String: Any])
        #expect(log["version"] as? String == "2.1.0")
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "mash")
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == 8)
        let result = results[0]
        #expect(result["ruleId"] as? String == "never-produced")
        #expect(result["level"] as? String == "warning")
        #expect((result["message"] as? [String: Any])?["text"] != nil)
        let location = try #require((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
        #expect((location["artifactLocation"] as? [String: Any])?["uri"] as? String == Self.broken + "/ruleset.mash")
        #expect((location["region"] as? [String: Any])?["startLine"] as? Int == 17)
    }
}
