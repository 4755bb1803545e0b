import ArgumentParser
import Foundation
import MashStore

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

/// The SQLite store at `path`, or exit code 2 with "error: cannot open the `what` `path`: …" when it
/// cannot be opened (not a SQLite file, a folder that does not exist).
func openStore(_ path: String, as what: String) throws -> ReferralStore {
    do { return try ReferralStore(path: path) } catch {
        printError("error: cannot open the \(what) \(path): \(error)")
        throw ExitCode(2)
    }
}

/// A one-line progress count on standard error, only when it is a terminal (never in CI logs or pipes).
final class Progress: @unchecked Sendable {
    private let enabled = isatty(STDERR_FILENO) == 1
    private let lock = NSLock()
    private var shown = 0
    private var base = 0
    private var last = 0

    /// `done` counts the records of the current input so far. Threads report it, not always in the
    /// order they counted, so the largest count is kept; `nextInput()` starts another input, and the
    /// inputs add up.
    func update(_ done: Int) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        last = max(last, done)
        let total = base + last
        guard total - shown >= 10_000 else { return }
        shown = total
        FileHandle.standardError.write(Data("\r  \(total) referrals…".utf8))
    }

    func nextInput() {
        lock.lock()
        defer { lock.unlock() }
        base += last
        last = 0
    }

    func finish() {
        guard enabled, shown > 0 else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
