import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Mash
import MashHarness
import MashTestSupport
import Testing

/// `mash test`: cases as data, failures that explain themselves, coverage, CI reports.
@Suite struct HarnessTests {
    /// A copy of the London rule set and its tests, so a test can change a threshold.
    func londonCopy() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mash-harness-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let copy = dir.appendingPathComponent("london").path
        try FileManager.default.copyItem(atPath: Repository.path("rules/london"), toPath: copy)
        return copy
    }

    func run(_ folder: String) throws -> TestReport {
        let loaded = RuleSetLoader.load(folder: folder)
        let program = try #require(loaded.program)
        var loader = TestSuiteLoader(ruleSet: program.ruleSet)
        let cases = loader.load(files: TestSuiteLoader.files(in: folder))
        #expect(!loader.diagnostics.hasErrors)
        return TestRunner.run(program, cases: cases)
    }

    @Test func bundledSuitePassesWithFullCoverage() throws {
        let report = try run(Repository.path("rules/london"))
        #expect(report.results.count >= 60)
        #expect(report.failed == 0)
        #expect(report.coverage.percent == 100)
        #expect(report.coverage.items.count == 78)
    }

    @Test func flippingAThresholdFailsTheRightCasesAndSaysWhy() throws {
        let copy = try londonCopy()
        defer { try? FileManager.default.removeItem(atPath: (copy as NSString).deletingLastPathComponent) }
        let file = (copy as NSString).appendingPathComponent("missing.mash")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "  >= 2    ", with: "  >= 3    ").write(toFile: file, atomically: true, encoding: .utf8)
        let report = try run(copy)
        let failed = report.results.filter { !$0.passed }
        #expect(failed.map(\.testCase.name) == ["missing episodes [row 1: missing_episodes_90d=2, longest_missing_hours=14, exploitation_risk_while_missing=null, missing_unexplained=null]"])
        let result = try #require(failed.first)
        #expect(result.mismatches == [
            Mismatch(field: "level", expected: "protection", actual: "early_help"),
            Mismatch(field: "rating", expected: "amber", actual: "green"),
            Mismatch(field: "fired", expected: "missing_from_home#1 fires", actual: "fired: missing_from_home#5"),
        ])
        let human = TestReportRenderer.human(report, coverage: false)
        #expect(human.contains("FAIL \(copy)/tests/missing.yaml:8  missing episodes [row 1:"))
        #expect(human.contains("  level: expected protection, got early_help\n"))
        #expect(human.contains("        - table missing_from_home row 5 \"Missing from home or care\" suggests level early_help, rating green\n"))
        #expect(human.hasSuffix("96 passed, 1 failed\n"))
        // Row 1 now never matches, so coverage says so.
        #expect(report.coverage.items.filter { !$0.covered }.map(\.id) == ["missing_from_home#1"])
    }

    @Test func junitIsWellFormedXMLWithFileAndLine() throws {
        let copy = try londonCopy()
        defer { try? FileManager.default.removeItem(atPath: (copy as NSString).deletingLastPathComponent) }
        let file = (copy as NSString).appendingPathComponent("history.mash")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "then level child_in_need, route pass_to_allocated_worker", with: "then level early_help, route pass_to_allocated_worker")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let xml = TestReportRenderer.junit(try run(copy), name: "mash test <london> & \"friends\"")
        final class Collector: NSObject, XMLParserDelegate {
            var suites = 0, cases = 0, failures: [[String: String]] = [], testcases: [[String: String]] = []
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                switch name {
                case "testsuite": suites += 1
                case "testcase": cases += 1; testcases.append(attributes)
                case "failure": failures.append(attributes)
                default: break
                }
            }
        }
        let collector = Collector()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = collector
        #expect(parser.parse(), "not well-formed: \(String(describing: parser.parserError))")
        #expect(collector.suites == 11)
        #expect(collector.cases == 97)
        #expect(collector.failures.count == 1)
        #expect(collector.failures.first?["message"] == "route: expected pass_to_allocated_worker, got s17_assessment")
        let failing = try #require(collector.testcases.first { $0["name"] == "an open case goes to the allocated worker" })
        #expect(failing["file"]?.hasSuffix("tests/history.yaml") == true)
        #expect(failing["line"] == "4")
    }

    @Test func jsonReportCarriesStatusDifferencesAndCoverage() throws {
        let json = TestReportRenderer.json(try run(Repository.path("rules/london")))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["passed"] as? Int == 97)
        #expect(object["failed"] as? Int == 0)
        let coverage = try #require(object["coverage"] as? [String: Any])
        #expect(coverage["percent"] as? Double == 100)
        #expect(coverage["total"] as? Int == 78)
    }

    @Test func testFileMistakesAreDiagnosedWithTheirLine() throws {
        let set = try TemporaryRuleSet([
            "schema.yaml": testSchema,
            "rules.mash": testPreamble + "rule baby \"Baby\"\n  when child.age_months < 6\n  then level protection\n  because \"young\"\n",
            "tests/cases.yaml": """
                at: 2026-03-04T12:00:00Z
                cases:
                  - name: one
                    referral: {id: A, received: "2026-03-02T09:00:00Z", child: {age_months: 3}, concerns: []}
                    expect: {levle: protection}
                  - name: two
                    referral: {id: B, received: "2026-03-02T09:00:00Z", child: {age_months: 3}, concerns: []}
                    expect: {level: protection, fired: [bbay]}
                  - name: three
                    referral: ../nowhere.yaml
                    expect: {level: protection}
                """,
        ])
        defer { set.remove() }
        let program = try #require(set.load().program)
        var loader = TestSuiteLoader(ruleSet: program.ruleSet)
        _ = loader.load(files: TestSuiteLoader.files(in: set.folder))
        #expect(loader.diagnostics.map(\.code) == ["test-unknown-key", "test-no-expectations", "test-unknown-name", "test-missing-referral"])
        #expect(loader.diagnostics[0].help == "did you mean `level`?")
        #expect(loader.diagnostics[2].help == "did you mean `baby`?")
        let rendered = DiagnosticRenderer(sources: loader.sources).human(loader.diagnostics)
        #expect(rendered.contains("tests/cases.yaml:5:14\n  |\n5 |     expect: {levle: protection}\n  |              ^^^^^"))
    }

    @Test func aReferralThatDoesNotMatchTheSchemaFailsTheCaseNotTheRun() throws {
        let set = try TemporaryRuleSet([
            "schema.yaml": testSchema,
            "rules.mash": testPreamble + "rule baby \"Baby\"\n  when child.age_months < 6\n  then level protection\n  because \"young\"\n",
            "tests/cases.yaml": """
                at: 2026-03-04T12:00:00Z
                cases:
                  - name: bad
                    referral: {id: A, received: "2026-03-02T09:00:00Z", child: {age_months: three}, concerns: []}
                    expect: {level: protection}
                  - name: good
                    referral: {id: B, received: "2026-03-02T09:00:00Z", child: {age_months: 3}, concerns: []}
                    expect: {level: protection, deadline: "2026-03-02T13:00:00Z"}
                """,
        ])
        defer { set.remove() }
        let report = try run(set.folder)
        #expect(report.results.map(\.passed) == [false, true])
        #expect(report.results[0].error == "the referral does not match the schema: child.age_months: expected a number, found \"three\"")
    }
}
