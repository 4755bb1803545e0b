import ArgumentParser
import Foundation
import Mash

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a rule set against its schema and report every problem.",
        discussion: "Exit 0 when clean, 1 when there are errors (or warnings, with --deny-warnings).")

    @Argument(help: "The rule-set folder.") var ruleset: String
    @Option(help: "human, json, github (Actions annotations) or sarif.") var format: CheckFormat = .human

    enum CheckFormat: String, ExpressibleByArgument, CaseIterable { case human, json, github, sarif }
    @Flag(help: "Treat warnings as errors (for CI).") var denyWarnings = false

    func run() throws {
        let loaded = RuleSetLoader.load(folder: ruleset)
        let diagnostics = loaded.diagnostics
        switch format {
        case .json:
            print(loaded.renderer.json(diagnostics), terminator: "")
        case .github:
            print(loaded.renderer.github(diagnostics), terminator: "")
        case .sarif:
            print(loaded.renderer.sarif(diagnostics), terminator: "")
        case .human:
            if !diagnostics.isEmpty { print(loaded.renderer.human(diagnostics), terminator: "") }
            if let checked = loaded.checked {
                let rows = checked.tables.map(\.rows.count).reduce(0, +)
                print("\(ruleset): ok — \(count(checked.rules.count, "rule")), \(count(checked.tables.count, "table")) (\(count(rows, "row"))), "
                      + "\(count(checked.escalations.count, "escalation path")), \(count(checked.disclosures.count, "disclosure policy", "disclosure policies")); "
                      + "\"\(checked.name)\" version \(checked.version) \(loaded.hash)")
            }
        }
        if diagnostics.hasErrors || (denyWarnings && diagnostics.warningCount > 0) { throw ExitCode(1) }
    }
}

func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
}
