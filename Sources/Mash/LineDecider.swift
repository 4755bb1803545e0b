import Foundation
import MashRuntime
import MashSchema

/// Decides JSON Lines referrals on several threads and hands back decision lines and rejected
/// records in input order, exactly as deciding them one by one would.
///
/// The input is cut into pieces of about a megabyte at line ends; each round, every thread decides a
/// few pieces into buffers of its own, then the buffers are handed over in order. Memory stays at a
/// round's pieces however long the input. Each thread has its own compiled program and decoder:
/// threads sharing one spent more time on each other's reference counts than on referrals.
/// Not thread-safe itself: one `decide` at a time.
public final class LineDecider {
    /// Used by one thread at a time: thread `w` of a round takes worker `w`.
    private final class Worker: @unchecked Sendable {
        let evaluator: Evaluator
        let reader: RecordReader
        /// The last decision, written over by the next so that its lists' memory is reused.
        private var decision: Decision?
        let writer = DecisionOutput.JSONLineWriter()

        /// Output buffers of pieces already handed over, emptied, for the worker's next pieces: a
        /// new buffer for each piece was memory the system had to find and clear again, megabytes
        /// a piece. Given back by `decide` between rounds, when no worker runs.
        var spareOutputs: [[UInt8]] = []

        init(evaluator: Evaluator, reader: RecordReader) { self.evaluator = evaluator; self.reader = reader }

        /// Decides `record` and adds its decision line to `output`, over the last decision.
        func decide(_ record: DecodedRecord, at moment: DateTime, explain: Bool, to output: inout [UInt8]) {
            writer.decide(record, with: evaluator, at: moment, explain: explain, over: &decision, to: &output)
        }
    }

    private struct Piece {
        var output: [UInt8] = []
        /// Each rejection with the length `output` had when it came.
        var rejected: [(at: Int, error: RecordError)] = []
        var decided = 0
    }

    private let workers: [Worker]
    private let moment: DateTime
    private let explain: Bool
    private let pieceBytes: Int

    /// `workers` threads (at least one); `explain` gathers the facts behind each firing.
    public init(program: Program, moment: DateTime, explain: Bool, workers: Int, pieceBytes: Int = 1 << 20) {
        let count = max(1, workers)
        self.workers = (0..<count).map { w in
            let own = w == 0 ? program : program.compiledAgain()
            return Worker(evaluator: own.makeEvaluator(), reader: RecordReader(schema: own.ruleSet.schema))
        }
        self.moment = moment
        self.explain = explain
        self.pieceBytes = max(1, pieceBytes)
    }

    /// Decides every line of `bytes` (line numbers in rejections count from `firstLine`). `write` gets
    /// decision lines as UTF-8 JSON, `reject` each record that does not decode, in input order.
    /// Returns how many referrals were decided.
    @discardableResult
    public func decide(_ bytes: UnsafeBufferPointer<UInt8>, origin: String, firstLine: Int = 1,
                       write: ([UInt8]) -> Void, reject: (RecordError) -> Void) -> Int {
        let pieces = JSONLines.chunks(of: bytes, parts: bytes.count / pieceBytes + 1)
        let threads = workers.count
        let perRound = threads * 4
        var decided = 0
        final class Results: @unchecked Sendable {
            // Slot k is written by exactly one iteration of concurrentPerform, read after it returns.
            var pieces: [Piece]
            init(_ n: Int) { pieces = Array(repeating: Piece(), count: n) }
        }
        nonisolated(unsafe) let shared = bytes
        let (workers, moment, explain) = (self.workers, self.moment, self.explain)
        for roundStart in stride(from: 0, to: pieces.count, by: perRound) {
            let round = Array(pieces[roundStart..<min(pieces.count, roundStart + perRound)])
            let results = Results(round.count)
            DispatchQueue.concurrentPerform(iterations: min(threads, round.count)) { w in
                let worker = workers[w]
                for k in stride(from: w, to: round.count, by: threads) {
                    var piece = Piece()
                    if let spare = worker.spareOutputs.popLast() { piece.output = spare }
                    piece.output.reserveCapacity(round[k].range.count * 3)
                    let lines = UnsafeBufferPointer(rebasing: shared[round[k].range])
                    worker.reader.readLines(lines, origin: origin, firstLine: round[k].firstLine + firstLine - 1) { result in
                        switch result {
                        case .success(let record):
                            worker.decide(record, at: moment, explain: explain, to: &piece.output)
                            piece.decided += 1
                        case .failure(let error):
                            piece.rejected.append((piece.output.count, error))
                        }
                    }
                    results.pieces[k] = piece
                }
            }
            for k in results.pieces.indices {
                var piece = Piece()
                swap(&piece, &results.pieces[k])
                var written = 0
                for (at, error) in piece.rejected {
                    if at > written { write(Array(piece.output[written..<at])) }
                    written = at
                    reject(error)
                }
                if piece.output.count > written { write(written == 0 ? piece.output : Array(piece.output[written...])) }
                decided += piece.decided
                // Back to the worker that made it, emptied (a copy if `write` kept the array).
                piece.output.removeAll(keepingCapacity: true)
                workers[k % threads].spareOutputs.append(piece.output)
            }
        }
        return decided
    }
}
