import ArgumentParser
import Foundation
import Mash
import MashHarness

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run a rule set's test cases (tests/*.yaml) and report failures and coverage.",
        discussion: "Exit 0 when every case passes (and coverage reaches --min-coverage), 1 when a case fails or coverage is too low, 2 when the rule set or a test file does not load.")

    @Argument(help: "The rule-set folder.") var ruleset: String
    @Option(help: "Run only the cases whose name contains this text.") var filter: String?
    @Option(help: "human, json or junit.") var format: ReportFormat = .human
    @Flag(help: "Show what no case exercised.") var coverage = false
    @Option(name: .customLong("min-coverage"), help: "Fail when coverage is below this percentage.") var minCoverage: Double?

    enum ReportFormat: String, ExpressibleByArgument, CaseIterable { case human, json, junit }

    func run() throws {
        let loaded = RuleSetLoader.load(folder: ruleset)
        guard let program = loaded.program, let checked = loaded.checked else {
            printError(loaded.renderer.human(loaded.diagnostics))
            throw ExitCode(2)
        }
        var loader = TestSuiteLoader(ruleSet: checked)
        let files = TestSuiteLoader.files(in: ruleset)
        let cases = loader.load(files: files)
        if loader.diagnostics.hasErrors || files.isEmpty {
            if files.isEmpty { printError("error: no test files in \(ruleset)/tests") }
            printError(DiagnosticRenderer(sources: loader.sources).human(loader.diagnostics))
            throw ExitCode(2)
        }
        if !loader.diagnostics.isEmpty { printError(DiagnosticRenderer(sources: loader.sources).human(loader.diagnostics)) }
        let report = TestRunner.run(program, cases: cases, filter: filter)
        switch format {
        case .human: print(TestReportRenderer.human(report, coverage: coverage || minCoverage != nil), terminator: "")
        case .json: print(TestReportRenderer.json(report), terminator: "")
        case .junit: print(TestReportRenderer.junit(report, name: "mash test \(ruleset)"), terminator: "")
        }
        if let minCoverage, report.coverage.percent + 1e-9 < minCoverage {
            printError(String(format: "error: coverage %.1f%% is below the minimum of %.1f%%", report.coverage.percent, minCoverage))
            throw ExitCode(1)
        }
        if report.failed > 0 { throw ExitCode(1) }
    }
}
