import ArgumentParser
import Foundation
import Mash
import MashStore

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Apply a rule set to referral records and explain each decision.",
        discussion: """
            Records come from YAML/JSON/JSON Lines files or folders, or as JSON Lines on standard input when no \
            file is given (or `-`). The evaluation moment is always given with --at: the engine never reads the \
            clock. A record that does not match the schema is reported (id and field path) and the rest go on. \
            Exit 0 all decided, 1 some records rejected, 2 the rule set has errors.
            """)

    @Argument(help: "The rule-set folder.") var ruleset: String
    @Argument(help: "Record files or folders (.yaml, .yml, .json, .jsonl); none or `-` reads JSON Lines from standard input.")
    var records: [String] = []
    @Option(help: "The evaluation moment, with an offset: 2026-03-02T12:00:00Z.") var at: String
    @Option(help: "human, json or jsonl.") var format: OutputFormat = .human
    @Flag(help: "Leave out the facts behind each firing (faster).") var noFacts = false
    @Option(help: "Also record each decision, its record and the rule set's sources in this SQLite store.") var log: String?
    @Option(help: "Threads for JSON Lines input with --format jsonl (default: every core); output keeps the input's order.")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    func run() throws {
        guard let moment = DateTime.parse(at) else {
            printError("error: --at \(at) is not a date-time with an offset; write for example 2026-03-02T12:00:00Z")
            throw ExitCode(2)
        }
        let loaded = RuleSetLoader.load(folder: ruleset)
        guard let program = loaded.program, let schema = loaded.checked?.schema else {
            printError(loaded.renderer.human(loaded.diagnostics))
            throw ExitCode(2)
        }
        let reader = RecordReader(schema: schema)
        let evaluator = program.makeEvaluator()
        var decided = 0
        var rejected: [RecordError] = []
        var decisions: [Decision] = []
        var output = OutputBuffer()
        var logged: [(record: RawValue, decision: Decision)] = []
        let store = try log.map { try openStore($0, as: "log") }
        // Documents are kept only to log them; without `--log`, records are decoded straight from JSON Lines.
        let handle: (Result<(DecodedRecord, RawValue?), RecordError>) -> Void = { result in
            switch result {
            case .success(let (record, raw)):
                let decision = evaluator.evaluate(record, at: moment, explain: !noFacts)
                if store != nil, let raw { logged.append((raw, decision)) }
                decided += 1
                switch format {
                case .human: output.write((decided > 1 ? "\n" : "") + DecisionOutput.human(decision))
                case .jsonl: output.write(decision)
                case .json: decisions.append(decision)
                }
            case .failure(let error):
                rejected.append(error)
                if format != .json { output.flush(); printError(DecisionOutput.human(error)) }
            }
        }
        // JSON Lines to JSON Lines is spread over the cores; the output is the same, in the same order.
        let decider = format == .jsonl && store == nil ? LineDecider(program: program, moment: moment, explain: !noFacts, workers: workers) : nil
        func decideLines(_ data: Data, origin: String, with decider: LineDecider) {
            data.withUnsafeBytes { raw in
                decided += decider.decide(raw.bindMemory(to: UInt8.self), origin: origin, write: { output.write(bytes: $0) }, reject: { error in
                    rejected.append(error)
                    output.flush()
                    printError(DecisionOutput.human(error))
                })
            }
        }
        let sources = records.filter { $0 != "-" }
        if sources.isEmpty {
            let input = FileHandle.standardInput.readDataToEndOfFile()
            if let decider { decideLines(input, origin: "stdin", with: decider) }
            else if store == nil { reader.readLines(input, origin: "stdin") { handle($0.map { ($0, nil) }) } }
            else { reader.readLines(input, origin: "stdin", raw: { handle($0.map { ($0.0, $0.1) }) }) }
        } else {
            let (files, missing) = RecordReader.files(sources)
            for m in missing { printError("error: no such file or folder: \(m)") }
            if !missing.isEmpty { throw ExitCode(2) }
            for file in files {
                if let decider, ["jsonl", "ndjson"].contains((file as NSString).pathExtension.lowercased()),
                   let data = try? Data(contentsOf: URL(fileURLWithPath: file), options: .alwaysMapped) {
                    decideLines(data, origin: file, with: decider)
                } else if store == nil { reader.read(file: file) { handle($0.map { ($0, nil) }) } }
                else { reader.read(file: file, raw: { handle($0.map { ($0.0, $0.1) }) }) }
            }
        }
        if format == .json { output.write(DecisionOutput.json(decisions: decisions, rejected: rejected)) }
        if let store, let log {
            try store.log(logged, ruleSet: loaded)
            printError("logged \(logged.count) decisions in \(log)")
        }
        output.flush()
        if format == .human || !rejected.isEmpty {
            printError("\(decided) referral\(decided == 1 ? "" : "s") decided, \(rejected.count) rejected")
        }
        if !rejected.isEmpty { throw ExitCode(1) }
    }
}

/// Collects standard output in large writes: printing line by line is the slowest part of a big batch.
struct OutputBuffer {
    private var buffer: [UInt8] = []
    private let json = DecisionOutput.JSONLineWriter()
    mutating func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count > 1 << 16 { flush() }
    }
    mutating func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count > 1 << 16 { flush() }
    }
    /// A decision as one JSON line, written straight into the buffer.
    mutating func write(_ decision: Decision) {
        json.append(decision, to: &buffer)
        if buffer.count > 1 << 16 { flush() }
    }
    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
