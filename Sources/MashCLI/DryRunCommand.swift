import ArgumentParser
import Foundation
import Mash
import MashDryRun
import MashStore

struct DryRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dry-run",
        abstract: "Compare a candidate rule set with the adopted one over historical referrals.",
        discussion: """
            Reports how many referrals change level, rating or route, the level transition matrix, the effect \
            on red workload, the rules behind the changes, and each changed referral with both explanations. \
            Exit 0 when done, 1 when some referrals were rejected (the rest are compared), 2 when a rule set \
            does not load.
            """)

    @Option(help: "The adopted rule-set folder, or a folder at a git revision: rules/london@HEAD~1.") var baseline: String
    @Option(help: "The proposed rule-set folder (or folder@revision).") var candidate: String
    @Option(parsing: .upToNextOption, help: "Referral files or folders (.jsonl, .json, .yaml), or a SQLite store (.sqlite).") var referrals: [String]
    @Option(help: "Log the changed referrals' decisions (both rule sets) in this SQLite store.") var log: String?
    @Option(help: "The evaluation moment, with an offset.") var at: String
    @Option(help: "Only referrals received on or after this date (YYYY-MM-DD).") var from: String?
    @Option(help: "Only referrals received before this date (YYYY-MM-DD).") var to: String?
    @Option(help: "human, json, csv (the changed referrals) or html (a self-contained report with charts).") var format: DryRunFormat = .human
    @Option(name: .customLong("where"), help: "Only referrals for which this condition is true, e.g. '\"domestic_abuse\" in referral.concerns.category'.")
    var condition: String?
    @Option(help: "How many changed referrals the human report explains.") var examples: Int = 10
    @Option(help: "Threads to use (default: every core).") var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    enum DryRunFormat: String, ExpressibleByArgument, CaseIterable { case human, json, csv, html }

    func run() throws {
        guard let moment = DateTime.parse(at) else {
            printError("error: --at \(at) is not a date-time with an offset; write for example 2026-03-04T12:00:00Z")
            throw ExitCode(2)
        }
        func folder(_ spec: String) throws -> String {
            guard let (path, revision) = RuleSetRevision.split(spec) else { return spec }
            do { return try RuleSetRevision.materialize(folder: path, revision: revision) } catch {
                printError("error: \(spec): \(error)")
                throw ExitCode(2)
            }
        }
        let base = RuleSetLoader.load(folder: try folder(baseline)), cand = RuleSetLoader.load(folder: try folder(candidate))
        for loaded in [base, cand] where loaded.program == nil {
            printError(loaded.renderer.human(loaded.diagnostics))
        }
        guard let b = base.program, let c = cand.program else { throw ExitCode(2) }
        guard b.ruleSet.schema.root == c.ruleSet.schema.root else {
            printError("error: the baseline and candidate use different record schemas, so their decisions cannot be compared referral by referral")
            throw ExitCode(2)
        }
        var dryRun = DryRun(baseline: b, candidate: c, at: moment)
        dryRun.keepsLoggable = log != nil
        for (option, text) in [("--from", from), ("--to", to)] {
            guard let text else { continue }
            guard let date = LocalDate.parse(text) else {
                printError("error: \(option) \(text) is not a date; write it as YYYY-MM-DD")
                throw ExitCode(2)
            }
            if option == "--from" { dryRun.from = date } else { dryRun.to = date }
        }
        let stores = referrals.filter { $0.hasSuffix(".sqlite") || $0.hasSuffix(".db") }
        if let condition {
            let (compiled, diagnostics, sources) = ExpressionRunner.compileCondition(condition, schema: b.ruleSet.schema)
            guard let compiled else {
                printError(DiagnosticRenderer(sources: sources).human(diagnostics))
                throw ExitCode(2)
            }
            dryRun.filter = compiled
        }
        let (files, missing) = RecordReader.files(referrals.filter { !stores.contains($0) })
        for m in missing + stores.filter({ !FileManager.default.fileExists(atPath: $0) }) { printError("error: no such file or folder: \(m)") }
        if !missing.isEmpty || stores.contains(where: { !FileManager.default.fileExists(atPath: $0) }) { throw ExitCode(2) }
        // Stores, the log included, are opened before any work: one that cannot be opened stops the run at once.
        let opened = try stores.map { try openStore($0, as: "store") }
        let logStore = try log.map { try openStore($0, as: "log") }
        let reader = RecordReader(schema: b.ruleSet.schema)
        let progress = Progress()
        for file in files {
            if file.hasSuffix(".jsonl") || file.hasSuffix(".ndjson") {
                guard let data = try? Data(contentsOf: URL(fileURLWithPath: file), options: .alwaysMapped) else {
                    printError("error: cannot read \(file)")
                    throw ExitCode(2)
                }
                progress.nextInput()
                dryRun.addLines(data, origin: file, decoder: reader.decoder, workers: workers, progress: progress.update)
            } else {
                reader.read(file: file) { result in
                    switch result {
                    case .success(let record): dryRun.add(record)
                    case .failure(let error): dryRun.reject(error)
                    }
                }
            }
        }
        let (storeFrom, storeTo) = (dryRun.from, dryRun.to)
        for (path, store) in zip(stores, opened) {
            // Read in the order the store keeps them: the report does not depend on the order.
            progress.nextInput()
            try dryRun.addDocumentBytes(origin: path, decoder: reader.decoder, workers: workers, progress: progress.update) { body in
                try store.forEachDocumentBytes(from: storeFrom, to: storeTo, oldestFirst: false, body)
            }
        }
        progress.finish()
        let rejected = dryRun.rejectedRecords
        for error in rejected.prefix(20) { printError(DecisionOutput.human(error)) }
        if rejected.count > 20 { printError("… and \(rejected.count - 20) more rejected records") }
        let report = dryRun.report()
        if let log, let store = logStore {
            try store.log(report.loggable.map { ($0.record, $0.before) }, ruleSet: base)
            try store.log(report.loggable.map { ($0.record, $0.after) }, ruleSet: cand)
            printError("logged \(report.loggable.count * 2) decisions of \(report.loggable.count) changed referrals in \(log)")
        }
        switch format {
        case .human: print(DryRunOutput.human(report, examples: examples), terminator: "")
        case .json: print(DryRunOutput.json(report), terminator: "")
        case .csv: print(DryRunOutput.csv(report), terminator: "")
        case .html: print(DryRunHTML.render(report), terminator: "")
        }
        if !rejected.isEmpty { throw ExitCode(1) }
    }
}
