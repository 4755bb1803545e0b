import Benchmark
import Foundation
import Mash
import MashDryRun
import MashStore

// The engine's costs, each on bundled or seeded synthetic data (nothing real, nothing sent anywhere).
// Run from the repository root: `swift package --package-path Benchmarks benchmark`. BENCHMARKS.md
// lists the figures against their targets.

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path
let london = repository + "/rules/london"
let candidate = repository + "/rules/london-candidate"
let moment = DateTime.parse("2026-03-04T12:00:00Z")!

/// Seeded synthetic referrals as JSON Lines.
func generatedLines(count: Int, seed: UInt64) -> Data {
    var generator = ReferralGenerator(.init(count: count, seed: seed))
    var data = Data()
    generator.generate { line in
        data.append(contentsOf: line.utf8)
        data.append(UInt8(ascii: "\n"))
    }
    return data
}

func loadProgram(_ folder: String) -> Program {
    let loaded = RuleSetLoader.load(folder: folder)
    guard let program = loaded.program else { fatalError(loaded.renderer.human(loaded.diagnostics)) }
    return program
}

/// London's rule set with generated rules added up to `total`: the size of a large council's policy.
func largeRuleSet(total: Int) -> String {
    let folder = NSTemporaryDirectory() + "mash-bench-\(total)-rules"
    try? FileManager.default.removeItem(atPath: folder)
    try! FileManager.default.copyItem(atPath: london, toPath: folder)
    let existing = loadProgram(folder).ruleSet.rules.count
    var text = ""
    for i in 0..<(total - existing) {
        text += """
            rule generated_\(i) "Generated rule \(i)"
              when referral.police_callouts_12m >= \(6 + i % 40) and referral.dash_ticks >= \(i % 25)
              then level child_in_need, rating amber
              because "A generated rule for the benchmark"


            """
    }
    try! text.write(toFile: folder + "/generated.mash", atomically: true, encoding: .utf8)
    return folder
}

/// A referral store of `count` seeded referrals, built once and kept in the temporary folder. Each
/// has its received time, as `mash generate --store` and `mash import` store it.
func store(count: Int, program: Program) -> String {
    let path = NSTemporaryDirectory() + "mash-bench-received-\(count).sqlite"
    if FileManager.default.fileExists(atPath: path) { return path }
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + ".partial" + suffix) }
    do {
        // Closed (and its write-ahead log written back) before it is renamed.
        let target = try! ReferralStore(path: path + ".partial")
        let reader = RecordReader(schema: program.ruleSet.schema)
        var generator = ReferralGenerator(.init(count: count, seed: 42))
        _ = try! target.importRecords(source: "benchmark", { emit in
            var chunk = Data()
            generator.generate { line in
                chunk.append(contentsOf: line.utf8)
                chunk.append(UInt8(ascii: "\n"))
                if chunk.count > 1 << 20 { reader.readLines(chunk, origin: "generated", raw: emit); chunk.removeAll(keepingCapacity: true) }
            }
            reader.readLines(chunk, origin: "generated", raw: emit)
        }, received: { [clock = program.makeEvaluator()] in clock.clockStart(of: $0) })
    }
    try! FileManager.default.moveItem(atPath: path + ".partial", toPath: path)
    return path
}

let dryRunCount = Int(ProcessInfo.processInfo.environment["MASH_BENCH_DRYRUN_COUNT"] ?? "") ?? 1_000_000
let cores = ProcessInfo.processInfo.activeProcessorCount

let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident]

    Benchmark("parse + check: London (33 rules)", configuration: .init(metrics: metrics, maxDuration: .seconds(5))) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(RuleSetLoader.load(folder: london)) }
    }

    let large = largeRuleSet(total: 1000)
    Benchmark("parse + check: 1,000 rules", configuration: .init(metrics: metrics, maxDuration: .seconds(10))) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(RuleSetLoader.load(folder: large)) }
    }

    // Decoded records: what a case-management system holds when it calls the library. One iteration
    // is one referral, so the figures are per referral.
    let program = loadProgram(london)
    var decoded: [DecodedRecord] = []
    RecordReader(schema: program.ruleSet.schema).readLines(generatedLines(count: 10_000, seed: 7), origin: "generated") { result in
        if case .success(let r) = result { decoded.append(r) }
    }
    let records = decoded
    // Each decision is written over the previous one (`evaluate(_:at:explain:into:)`), as a caller
    // deciding referral after referral does; the last benchmark makes a new decision each time.
    for explain in [false, true] {
        let name = "evaluate one decoded referral: London" + (explain ? ", with explanations" : "")
        Benchmark(name, configuration: .init(metrics: metrics, scalingFactor: .kilo, maxDuration: .seconds(5))) { benchmark in
            let evaluator = program.makeEvaluator()
            var decision = evaluator.evaluate(records[0], at: moment, explain: explain)
            var k = 0
            for _ in benchmark.scaledIterations {
                evaluator.evaluate(records[k], at: moment, explain: explain, into: &decision)
                blackHole(decision)
                k = k + 1 == records.count ? 0 : k + 1
            }
        }
    }
    Benchmark("evaluate one decoded referral: London, a new decision each time", configuration: .init(metrics: metrics, scalingFactor: .kilo, maxDuration: .seconds(5))) { benchmark in
        let evaluator = program.makeEvaluator()
        var k = 0
        for _ in benchmark.scaledIterations {
            blackHole(evaluator.evaluate(records[k], at: moment, explain: false))
            k = k + 1 == records.count ? 0 : k + 1
        }
    }

    // The outcome alone (level, rating, route), as a dry-run asks it of every referral.
    Benchmark("outcome of one decoded referral: London", configuration: .init(metrics: metrics, scalingFactor: .kilo, maxDuration: .seconds(5))) { benchmark in
        let evaluator = program.makeEvaluator()
        var k = 0
        for _ in benchmark.scaledIterations {
            blackHole(evaluator.outcome(records[k]))
            k = k + 1 == records.count ? 0 : k + 1
        }
    }

    // End to end, one core: JSON Lines in, one JSON decision per line out. One iteration is 10,000 referrals.
    let lines = generatedLines(count: 10_000, seed: 11)
    Benchmark("JSON Lines to decisions: 10,000 referrals, one core", configuration: .init(metrics: metrics, maxDuration: .seconds(10))) { benchmark in
        let reader = RecordReader(schema: program.ruleSet.schema)
        // The decision lines go to one buffer, emptied for each 10,000 and kept, as `LineDecider`
        // keeps its pieces' buffers: made anew for each, the 13 MB it grows to were memory the
        // system found and cleared again every iteration.
        var out: [UInt8] = []
        for _ in benchmark.scaledIterations {
            let evaluator = program.makeEvaluator()
            let writer = DecisionOutput.JSONLineWriter()
            out.removeAll(keepingCapacity: true)
            var decision: Decision?
            reader.readLines(lines, origin: "generated") { result in
                guard case .success(let r) = result else { return }
                writer.decide(r, with: evaluator, at: moment, explain: false, over: &decision, to: &out)
            }
            blackHole(out)
        }
    }
    // The same through `LineDecider`, as `mash eval --format jsonl` runs it, on one thread and on every core.
    for workers in Array(Set([1, cores])).sorted() {
        Benchmark("JSON Lines to decisions: 10,000 referrals, LineDecider, \(workers) thread\(workers == 1 ? "" : "s")",
                  configuration: .init(metrics: metrics, maxDuration: .seconds(10))) { benchmark in
            let decider = LineDecider(program: program, moment: moment, explain: false, workers: workers)
            for _ in benchmark.scaledIterations {
                var bytes = 0
                lines.withUnsafeBytes { raw in
                    decider.decide(raw.bindMemory(to: UInt8.self), origin: "generated", write: { bytes += $0.count }, reject: { _ in })
                }
                blackHole(bytes)
            }
        }
    }

    // The dry-run a policy lead runs: every stored referral through London and the candidate, with the full report.
    let base = program, cand = loadProgram(candidate)
    for workers in Array(Set([1, cores])).sorted() {
        Benchmark("dry-run from SQLite: \(dryRunCount) referrals, \(workers) thread\(workers == 1 ? "" : "s")",
                  configuration: .init(metrics: metrics, maxDuration: .seconds(1), maxIterations: 1)) { benchmark in
            let path = store(count: dryRunCount, program: base)
            let decoder = RecordDecoder(schema: base.ruleSet.schema)
            benchmark.startMeasurement()
            var dryRun = DryRun(baseline: base, candidate: cand, at: moment)
            // As `mash dry-run` without `--log` reads a store: in the store's order, no records kept for a log.
            dryRun.keepsLoggable = false
            let referrals = try! ReferralStore(path: path)
            dryRun.addDocumentBytes(origin: path, decoder: decoder, workers: workers) { body in
                try! referrals.forEachDocumentBytes(oldestFirst: false, body)
            }
            blackHole(DryRunOutput.json(dryRun.report()))
            benchmark.stopMeasurement()
        }
    }
}
