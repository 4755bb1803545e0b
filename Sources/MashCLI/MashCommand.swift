import ArgumentParser
import Foundation

@main
struct MashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mash",
        abstract: "Check, format and apply MASH safeguarding rule sets.",
        discussion: """
            A rule set is a folder of .mash files with a record schema. Exit codes: 0 success; 1 the rule set \
            has errors (check), some records were rejected (eval) or files need formatting (fmt --check); \
            2 the rule set or files could not be used at all.
            """,
        subcommands: [CheckCommand.self, EvalCommand.self, TestCommand.self, FormatCommand.self, GenerateCommand.self, ImportCommand.self, DryRunCommand.self])
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case human, json, jsonl
}

/// Writes to standard error without buffering surprises.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}
