import Foundation
import Mash
import MashDryRun
import MashTestSupport
import Testing

/// JSON Lines decided on several threads must come out exactly as deciding them one by one: the same
/// bytes, the same rejections, in the same places.
@Suite struct LineDeciderTests {
    static let london = RuleSetLoader.load(folder: Repository.path("rules/london"))
    static let moment = DateTime.parse("2026-03-04T12:00:00Z")!

    enum Event: Equatable {
        case output(String)
        case rejected(String)
    }

    static func input() -> Data {
        var generator = ReferralGenerator(.init(count: 400, seed: 5))
        var lines: [String] = []
        generator.generate { lines.append($0) }
        lines[3] = "{not json"
        lines[150] = lines[150].replacingOccurrences(of: "\"open_case\":(true|false)", with: "\"open_case\":\"maybe\"", options: .regularExpression)
        lines.insert("", at: 200)
        lines[399] = "[1, 2]"
        return Data(lines.joined(separator: "\n").utf8)
    }

    /// Consecutive output joined, so events compare however the output was cut into writes.
    static func merged(_ events: [Event]) -> [Event] {
        var out: [Event] = []
        for e in events {
            if case .output(let b) = e, case .output(let a)? = out.last { out[out.count - 1] = .output(a + b) } else { out.append(e) }
        }
        return out
    }

    @Test(arguments: [(1, false), (2, false), (3, true)])
    func decidesInOrderAsOneByOne(_ workers: Int, _ explain: Bool) throws {
        let program = try #require(Self.london.program)
        let data = Self.input()
        // One by one.
        var expected: [Event] = []
        let evaluator = program.makeEvaluator()
        RecordReader(schema: program.ruleSet.schema).readLines(data, origin: "in.jsonl") { result in
            switch result {
            case .success(let r): expected.append(.output(DecisionOutput.jsonLine(evaluator.evaluate(r, at: Self.moment, explain: explain)) + "\n"))
            case .failure(let e): expected.append(.rejected(DecisionOutput.human(e)))
            }
        }
        // In small pieces over several rounds, on `workers` threads.
        var events: [Event] = []
        let decider = LineDecider(program: program, moment: Self.moment, explain: explain, workers: workers, pieceBytes: 4096)
        let decided = data.withUnsafeBytes { raw in
            decider.decide(raw.bindMemory(to: UInt8.self), origin: "in.jsonl",
                           write: { events.append(.output(String(decoding: $0, as: UTF8.self))) },
                           reject: { events.append(.rejected(DecisionOutput.human($0))) })
        }
        #expect(decided == 397)
        #expect(Self.merged(events) == Self.merged(expected))
        #expect(events.filter { if case .rejected = $0 { return true }; return false }.count == 3)

        // Again with the same decider, keeping every array `write` is given as it is: the decider
        // reuses its output buffers from round to round, and what a caller kept must not change.
        var kept: [[UInt8]] = []
        data.withUnsafeBytes { raw in
            _ = decider.decide(raw.bindMemory(to: UInt8.self), origin: "in.jsonl", write: { kept.append($0) }, reject: { _ in })
        }
        let expectedBytes = expected.map { if case .output(let line) = $0 { return line }; return "" }.joined()
        #expect(kept.count > 1)
        #expect(String(decoding: kept.joined(), as: UTF8.self) == expectedBytes)
    }
}
