import Foundation
import Mash
import MashDryRun

// A driver for instruction counts under valgrind's callgrind, which counts the same on every run
// where wall-clock time on a shared virtual machine does not. Only `measured` is counted:
//
//   swift build -c release --package-path Benchmarks --product mash-profile
//   valgrind --tool=callgrind --toggle-collect='*measured*' Benchmarks/.build/release/mash-profile decide 100000
//
// Modes: `decide` (a full decision on decoded referrals, no explanation, written over the previous
// one), `outcome` (level, rating and route only), `explain` (with explanations), `jsonl` (JSON Lines
// in, decision lines out, one thread), `decider` (the same through `LineDecider`, on
// `MASH_PROFILE_THREADS` threads), `decode` (JSON Lines in, nothing decided) and `write` (decisions
// made beforehand, written as JSON Lines) and `dryrun` (a dry-run's work on one thread: JSON Lines through London
// and its candidate, and the report). The referrals are seeded and synthetic: 10,000 of them, cycled
// through, or as many as `MASH_PROFILE_POOL` says (a small pool stays in the processor's caches, which
// shows how much of a decision's time is waiting for the record's memory).

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path
let arguments = CommandLine.arguments
let mode = arguments.count > 1 ? arguments[1] : "decide"
let count = arguments.count > 2 ? Int(arguments[2]) ?? 100_000 : 100_000
let folder = arguments.count > 3 ? arguments[3] : repository + "/rules/london"
let moment = DateTime.parse("2026-03-04T12:00:00Z")!

let loaded = RuleSetLoader.load(folder: folder)
guard let program = loaded.program else { fatalError(loaded.renderer.human(loaded.diagnostics)) }
let pool = Int(ProcessInfo.processInfo.environment["MASH_PROFILE_POOL"] ?? "") ?? 10_000
var generator = ReferralGenerator(.init(count: max(1, min(count, pool)), seed: 7))
var lines = Data()
generator.generate { line in
    lines.append(contentsOf: line.utf8)
    lines.append(UInt8(ascii: "\n"))
}
var records: [DecodedRecord] = []
RecordReader(schema: program.ruleSet.schema).readLines(lines, origin: "generated") { result in
    if case .success(let r) = result { records.append(r) }
}

@inline(never) func measured(_ body: () -> Int) -> Int { body() }

let evaluator = program.makeEvaluator()
var checksum = 0
switch mode {
case "decide", "explain":
    let explain = mode == "explain"
    var decision = evaluator.evaluate(records[0], at: moment, explain: explain)
    checksum = measured {
        var sum = 0
        for k in 0..<count {
            evaluator.evaluate(records[k % records.count], at: moment, explain: explain, into: &decision)
            sum &+= decision.escalations.count &+ decision.disclosures.count
        }
        return sum
    }
case "outcome":
    checksum = measured {
        var sum = 0
        for k in 0..<count { sum &+= evaluator.outcome(records[k % records.count]).rank }
        return sum
    }
case "jsonl":
    let reader = RecordReader(schema: program.ruleSet.schema)
    let writer = DecisionOutput.JSONLineWriter()
    var out: [UInt8] = []
    checksum = measured {
        var decision: Decision?
        var rounds = count / records.count
        if rounds == 0 { rounds = 1 }
        for _ in 0..<rounds {
            reader.readLines(lines, origin: "generated") { result in
                guard case .success(let r) = result else { return }
                writer.decide(r, with: evaluator, at: moment, explain: false, over: &decision, to: &out)
            }
            out.removeAll(keepingCapacity: true)
        }
        return out.count
    }
case "decider":
    // `LineDecider`, as `mash eval --format jsonl` runs it, on `MASH_PROFILE_THREADS` threads (one unless it says).
    let threads = Int(ProcessInfo.processInfo.environment["MASH_PROFILE_THREADS"] ?? "") ?? 1
    let decider = LineDecider(program: program, moment: moment, explain: false, workers: threads)
    checksum = measured {
        var bytes = 0
        for _ in 0..<max(1, count / records.count) {
            lines.withUnsafeBytes { raw in
                decider.decide(raw.bindMemory(to: UInt8.self), origin: "generated", write: { bytes &+= $0.count }, reject: { _ in })
            }
        }
        return bytes
    }
case "decode":
    // Decoding alone: JSON Lines in, decoded referrals dropped.
    let reader = RecordReader(schema: program.ruleSet.schema)
    checksum = measured {
        var sum = 0
        for _ in 0..<max(1, count / records.count) {
            reader.readLines(lines, origin: "generated") { result in
                if case .success(let r) = result { sum &+= r.id.utf8.count }
            }
        }
        return sum
    }
case "write":
    // Writing alone: the decisions made beforehand, written as JSON Lines.
    let decisions = records.map { evaluator.evaluate($0, at: moment, explain: false) }
    let writer = DecisionOutput.JSONLineWriter()
    var out: [UInt8] = []
    checksum = measured {
        var sum = 0
        for _ in 0..<max(1, count / records.count) {
            for i in decisions.indices { writer.append(decisions[i], to: &out) }
            sum &+= out.count
            out.removeAll(keepingCapacity: true)
        }
        return sum
    }
case "dryrun":
    // A dry-run's work on one thread: JSON Lines in, through London and its candidate, the full report.
    let candidate = RuleSetLoader.load(folder: repository + "/rules/london-candidate").program!
    let decoder = RecordDecoder(schema: program.ruleSet.schema)
    checksum = measured {
        var dryRun = DryRun(baseline: program, candidate: candidate, at: moment)
        dryRun.keepsLoggable = false
        for _ in 0..<max(1, count / records.count) {
            dryRun.addLines(lines, origin: "generated", decoder: decoder, workers: 1)
        }
        let report = dryRun.report()
        return report.referrals &+ report.changed
    }
default:
    fatalError("mode: decide, outcome, explain, jsonl, decode, write or dryrun")
}
print(mode, count, "referrals", checksum)
