import ArgumentParser
import Foundation
import Mash
import MashDryRun
import MashStore

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write synthetic referrals for the London-model schema as JSON Lines.",
        discussion: "Realistic but entirely synthetic: no real child or family. The same seed gives the same output, byte for byte.")

    @Option(help: "How many referrals.") var count: Int = 1000
    @Option(help: "The seed.") var seed: UInt64 = 1
    @Option(help: "The first day referrals are received on (YYYY-MM-DD).") var start: String = "2025-03-01"
    @Option(help: "How many days of history.") var days: Int = 365
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?
    @Option(help: "Import into this SQLite store instead (needs --ruleset for the schema).") var store: String?
    @Option(help: "With --store: the rule set whose schema the records are checked against.") var ruleset: String?

    func run() throws {
        guard let startDate = LocalDate.parse(start) else {
            printError("error: --start \(start) is not a date; write it as YYYY-MM-DD")
            throw ExitCode(2)
        }
        guard count >= 0, days > 0 else {
            printError("error: --count must be 0 or more and --days more than 0")
            throw ExitCode(2)
        }
        var generator = ReferralGenerator(.init(count: count, seed: seed, start: startDate, days: days))
        if let store {
            guard let ruleset else {
                printError("error: --store needs --ruleset, whose schema the records are checked against")
                throw ExitCode(2)
            }
            let loaded = RuleSetLoader.load(folder: ruleset)
            guard let program = loaded.program else {
                printError(loaded.renderer.human(loaded.diagnostics))
                throw ExitCode(2)
            }
            let target = try openStore(store, as: "store")
            let reader = RecordReader(schema: program.ruleSet.schema)
            let summary = try target.importRecords(source: "generated: seed \(seed), \(count) referrals", { emit in
                var chunk = Data()
                func flush() { reader.readLines(chunk, origin: "generated", raw: emit); chunk.removeAll(keepingCapacity: true) }
                generator.generate { line in
                    chunk.append(contentsOf: line.utf8)
                    chunk.append(UInt8(ascii: "\n"))
                    if chunk.count > 1 << 20 { flush() }
                }
                flush()
            }, received: { [clock = program.makeEvaluator()] in clock.clockStart(of: $0) })
            printError("\(summary.stored) stored (\(summary.added) new), \(summary.rejected.count) rejected; the store holds \(try target.count()) referrals")
            return
        }
        var sink: FileHandle = .standardOutput
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil), let handle = FileHandle(forWritingAtPath: output) else {
                printError("error: cannot write \(output)")
                throw ExitCode(2)
            }
            sink = handle
        }
        var buffer = Data()
        generator.generate { line in
            buffer.append(contentsOf: line.utf8)
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count > 1 << 20 { sink.write(buffer); buffer.removeAll(keepingCapacity: true) }
        }
        sink.write(buffer)
        if output != nil { try sink.close() }
    }
}
