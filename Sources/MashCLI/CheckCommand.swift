import ArgumentParser
import Foundation
import Mash

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a rule set against its schema and report every problem.",
        discussion: "Exit 0 when clean, 1 when there are errors (or warnings, with --deny-warnings).")

    @Argument(help: "The rule-set folder.") var ruleset: String
    @Option(help: "human or json.") var format: OutputFormat = .human
    @Flag(help: "Treat warnings as errors (for CI).") var denyWarnings = false

    func run() throws {
        let loaded = RuleSetLoader.load(folder: ruleset)
        let diagnostics = loaded.diagnostics
        switch format {
        case .json, .jsonl:
            print(loaded.renderer.json(diagnostics), terminator: "")
        case .human:
            if !diagnostics.isEmpty { print(loaded.renderer.human(diagnostics), terminator: "") }
            if let checked = loaded.checked {
                print("\(ruleset): ok — \(checked.rules.count) rules, \(checked.tables.count) tables (\(checked.tables.map(\.rows.count).reduce(0, +)) rows), "
                      + "\(checked.escalations.count) escalation paths, \(checked.disclosures.count) disclosure policies; "
                      + "\"\(checked.name)\" version \(checked.version) \(loaded.hash)")
            }
        }
        if diagnostics.hasErrors || (denyWarnings && diagnostics.warningCount > 0) { throw ExitCode(1) }
    }
}
