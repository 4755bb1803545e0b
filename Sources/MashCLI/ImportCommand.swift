import ArgumentParser
import Foundation
import Mash
import MashStore

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import referrals into a SQLite store, checking each against a rule set's schema.",
        discussion: """
            Each record is validated; bad records are reported (id, field path, reason) and skipped. The import is \
            one transaction: stopped part-way, it leaves the store as it was. Importing an id again replaces it. \
            Exit 0 when every record was stored, 1 when some were rejected, 2 when nothing could be done.
            """)

    @Option(help: "The SQLite file (created if missing).") var store: String
    @Option(help: "The rule-set folder whose schema the records must match.") var ruleset: String
    @Argument(help: "Record files or folders (.jsonl, .json, .yaml).") var files: [String]

    func run() throws {
        let loaded = RuleSetLoader.load(folder: ruleset)
        guard let program = loaded.program else {
            printError(loaded.renderer.human(loaded.diagnostics))
            throw ExitCode(2)
        }
        let (found, missing) = RecordReader.files(files)
        for m in missing { printError("error: no such file or folder: \(m)") }
        if !missing.isEmpty { throw ExitCode(2) }
        let target = try openStore(store, as: "store")
        let reader = RecordReader(schema: program.ruleSet.schema)
        let summary = try target.importRecords(source: files.joined(separator: " "), { emit in
            for file in found { reader.read(file: file, raw: emit) }
        }, received: { [clock = program.makeEvaluator()] in clock.clockStart(of: $0) })
        for e in summary.rejected.prefix(50) { printError(DecisionOutput.human(e)) }
        if summary.rejected.count > 50 { printError("… and \(summary.rejected.count - 50) more rejected records") }
        printError("\(summary.stored) stored (\(summary.added) new), \(summary.rejected.count) rejected; the store holds \(try target.count()) referrals")
        if !summary.rejected.isEmpty { throw ExitCode(1) }
    }
}
