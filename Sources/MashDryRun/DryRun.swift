import Foundation
import Mash

/// Evaluates a baseline and a candidate rule set over the same referrals and says what changes:
/// for how many children, in which direction, with what effect on the hub's workload, because of
/// which rules, and exactly which referrals with both explanations side by side.
///
/// Both programs are evaluated without explanations first; only the referrals whose level, rating or
/// route differ are evaluated again with their facts. The moment of evaluation is an input.
public struct DryRun {
    public let baseline: Program
    public let candidate: Program
    public let moment: DateTime
    /// Only referrals received on or after `from` and before `to` (dates in the referral's own offset).
    public var from: LocalDate?
    public var to: LocalDate?
    /// Only referrals for which this condition (checked against the baseline's schema) is true.
    public var filter: CompiledExpression?
    /// Whether the report keeps each changed referral's record and both decisions for a decision
    /// log (`DryRunReport.loggable`). Without a log to write, encoding every changed record again
    /// was a thirtieth of a dry-run's work, and the records were held to the end.
    public var keepsLoggable = true

    public init(baseline: Program, candidate: Program, at moment: DateTime) {
        self.baseline = baseline
        self.candidate = candidate
        self.moment = moment
    }

    /// What the dry-run has counted. A value, so that a copy of a dry-run counts on its own.
    private struct State {
        var referrals = 0
        var rejected: [RecordError] = []
        var outsideRange = 0
        var changed: [DryRunReport.ChangedReferral] = []
        var matrix: [Int: [Int: Int]] = [:]
        var ratingChanges: [String: Int] = [:]
        var routeChanges: [String: Int] = [:]
        /// Per rule or table row, its title and how many changed referrals it is a cause of. A rule
        /// whose title the candidate changes is named as the candidate names it, whichever referral
        /// came first: a report must not depend on the order the referrals were read in.
        var causes: [String: (title: String, candidate: Bool, count: Int)] = [:]
        var weeks: [Int: (before: Int, after: Int)] = [:]
        var redBefore = 0, redAfter = 0, redOutOfHoursBefore = 0, redOutOfHoursAfter = 0
        var levelChanged = 0, ratingChanged = 0, routeChanged = 0
        var loggable: [(record: RawValue, before: Decision, after: Decision)] = []

        mutating func countCause(_ key: String, title: String, candidate: Bool, count: Int = 1) {
            guard var cause = causes[key] else { causes[key] = (title, candidate, count); return }
            cause.count += count
            if candidate && !cause.candidate { cause.title = title; cause.candidate = true }
            causes[key] = cause
        }
    }

    private var state = State()
    /// The evaluators' working memory, made at the first referral. A copy of the dry-run that adds a
    /// referral makes its own, so that copies used on two threads share none.
    private var evaluators: Evaluators?

    private final class Evaluators {
        let baseline: Evaluator, candidate: Evaluator
        init(_ b: Program, _ c: Program) { baseline = b.makeEvaluator(); candidate = c.makeEvaluator() }
    }

    /// Adds one referral (decoded against the baseline's schema; the candidate must share it).
    public mutating func add(_ record: DecodedRecord) {
        if !isKnownUniquelyReferenced(&evaluators) { evaluators = Evaluators(baseline, candidate) }
        guard let evaluators else { return }
        let (be, ce) = (evaluators.baseline, evaluators.candidate)
        let received = be.clockStart(of: record)
        if let received, from != nil || to != nil {
            let day = received.local.date
            if let from, day < from { state.outsideRange += 1; return }
            if let to, !(day < to) { state.outsideRange += 1; return }
        }
        if let filter, !filter.evaluate(record.value).isTrue { state.outsideRange += 1; return }
        state.referrals += 1
        // Every referral gets the outcome only; the changed ones are decided in full below.
        let before = be.outcome(record)
        let after = ce.outcome(record)
        state.matrix[before.rank, default: [:]][after.rank, default: 0] += 1
        if let received {
            // Every week with a referral is counted, red or not: one lookup adds it and its reds.
            let day = received.local.date
            let redBefore = before.rating == "red", redAfter = after.rating == "red"
            func count(_ week: inout (before: Int, after: Int)) {
                if redBefore { week.before += 1 }
                if redAfter { week.after += 1 }
            }
            count(&state.weeks[day.epochDay - (day.weekday - 1), default: (0, 0)])
            if redBefore || redAfter {
                let outOfHours = !candidate.isWorkingTime(received)
                if redBefore { state.redBefore += 1; if outOfHours { state.redOutOfHoursBefore += 1 } }
                if redAfter { state.redAfter += 1; if outOfHours { state.redOutOfHoursAfter += 1 } }
            }
        }
        let levelDiffers = before.level != after.level
        let ratingDiffers = before.rating != after.rating
        let routeDiffers = before.route != after.route
        guard levelDiffers || ratingDiffers || routeDiffers else { return }
        if levelDiffers { state.levelChanged += 1 }
        if ratingDiffers { state.ratingChanged += 1; state.ratingChanges["\(before.rating ?? "none") → \(after.rating ?? "none")", default: 0] += 1 }
        if routeDiffers { state.routeChanged += 1; state.routeChanges["\(before.route ?? "none") → \(after.route ?? "none")", default: 0] += 1 }
        // Only the changed referrals are explained: the same programs, this time gathering facts.
        let explainedBefore = be.evaluate(record, at: moment, explain: true)
        let explainedAfter = ce.evaluate(record, at: moment, explain: true)
        func keys(_ d: Decision) -> [String: Decision.Firing] {
            Dictionary(d.fired.map { ($0.rule + ($0.row.map { "#\($0)" } ?? ""), $0) }, uniquingKeysWith: { a, _ in a })
        }
        let b = keys(explainedBefore), a = keys(explainedAfter)
        var added: [String] = [], removed: [String] = []
        for (key, firing) in a where b[key] == nil || b[key]?.level != firing.level || b[key]?.rating != firing.rating || b[key]?.route != firing.route {
            added.append(key)
            state.countCause(key, title: firing.title, candidate: true)
        }
        for (key, firing) in b where a[key] == nil {
            removed.append(key)
            state.countCause(key, title: firing.title, candidate: false)
        }
        if keepsLoggable {
            state.loggable.append((RecordDecoder(schema: baseline.ruleSet.schema).encode(record.value), explainedBefore, explainedAfter))
        }
        state.changed.append(.init(id: record.id, received: received?.description,
                                   before: .init(explainedBefore), after: .init(explainedAfter),
                                   rulesAdded: added.sorted(), rulesRemoved: removed.sorted(),
                                   explanationBefore: DecisionOutput.human(explainedBefore), explanationAfter: DecisionOutput.human(explainedAfter)))
    }

    public mutating func reject(_ error: RecordError) { state.rejected.append(error) }

    /// The records rejected so far, in input order.
    public var rejectedRecords: [RecordError] { state.rejected }

    /// Adds what another dry-run of the same two rule sets saw (a part of the same history).
    public mutating func merge(_ other: DryRun) {
        let o = other.state
        state.referrals += o.referrals
        state.rejected += o.rejected
        state.outsideRange += o.outsideRange
        state.changed += o.changed
        state.loggable += o.loggable
        for (b, row) in o.matrix { for (a, n) in row { state.matrix[b, default: [:]][a, default: 0] += n } }
        for (k, n) in o.ratingChanges { state.ratingChanges[k, default: 0] += n }
        for (k, n) in o.routeChanges { state.routeChanges[k, default: 0] += n }
        for (k, c) in o.causes { state.countCause(k, title: c.title, candidate: c.candidate, count: c.count) }
        for (k, w) in o.weeks {
            let mine = state.weeks[k] ?? (0, 0)
            state.weeks[k] = (mine.before + w.before, mine.after + w.after)
        }
        state.redBefore += o.redBefore
        state.redAfter += o.redAfter
        state.redOutOfHoursBefore += o.redOutOfHoursBefore
        state.redOutOfHoursAfter += o.redOutOfHoursAfter
        state.levelChanged += o.levelChanged
        state.ratingChanged += o.ratingChanged
        state.routeChanged += o.routeChanged
    }

    /// Adds every JSON Lines record in `data`, spread over `workers` threads. Each thread has its own
    /// evaluators; the parts are merged in input order, so the report does not depend on `workers`.
    /// `progress` is called with the number of records done so far, from any thread. The lines are
    /// numbered from `firstLine` (a batch of a longer input starts where the one before it ended).
    public mutating func addLines(_ data: Data, origin: String, firstLine: Int = 1, decoder: RecordDecoder, workers: Int,
                                  progress: (@Sendable (Int) -> Void)? = nil) {
        final class Parts: @unchecked Sendable {
            // Each slot is written by exactly one iteration of concurrentPerform.
            var parts: [DryRun?]
            let lock = NSLock()
            var done = 0
            init(_ n: Int) { parts = Array(repeating: nil, count: n) }
        }
        let (b, c, m, f, t, fl, kl) = (baseline, candidate, moment, from, to, filter, keepsLoggable)
        data.withUnsafeBytes { raw in
            let bytes = UnsafeBufferPointer(start: raw.bindMemory(to: UInt8.self).baseAddress, count: raw.count)
            let chunks = JSONLines.chunks(of: bytes, parts: max(1, workers) * 8)
            let box = Parts(chunks.count)
            nonisolated(unsafe) let shared = bytes
            // Exactly `workers` threads; thread w takes chunks w, w + workers, ...
            let threads = max(1, min(workers, chunks.count))
            DispatchQueue.concurrentPerform(iterations: threads) { w in
                // Each thread compiles the programs and the schema's decoder for itself: sharing them,
                // two threads spent more time on each other's reference counts than on referrals.
                let (b, c) = threads == 1 ? (b, c) : (b.compiledAgain(), c.compiledAgain())
                let reader = RecordReader(decoder: RecordDecoder(schema: decoder.schema))
                for k in stride(from: w, to: chunks.count, by: threads) {
                    var part = DryRun(baseline: b, candidate: c, at: m)
                    part.from = f
                    part.to = t
                    part.filter = fl
                    part.keepsLoggable = kl
                    var count = 0
                    reader.readLines(UnsafeBufferPointer(rebasing: shared[chunks[k].range]), origin: origin,
                                     firstLine: firstLine - 1 + chunks[k].firstLine) { result in
                        switch result {
                        case .success(let record): part.add(record)
                        case .failure(let e): part.reject(e)
                        }
                        count += 1
                    }
                    box.lock.lock()
                    box.parts[k] = part
                    box.done += count
                    let done = box.done
                    box.lock.unlock()
                    progress?(firstLine - 1 + done)
                }
            }
            for part in box.parts { if let part { merge(part) } }
        }
    }

    /// Adds documents (one JSON record each, for example a referral store's rows) read by `forEach`,
    /// in batches of about `batchBytes` so memory stays bounded. Reading overlaps the work: while
    /// `workers` threads decide one batch, the next is read. Batches are decided in order, so the
    /// report is the same as for the same lines read any other way.
    public mutating func addDocuments(origin: String, decoder: RecordDecoder, workers: Int, batchBytes: Int = 64 << 20,
                                      progress: (@Sendable (Int) -> Void)? = nil,
                                      _ forEach: ((String) -> Void) throws -> Void) rethrows {
        try addDocumentBytes(origin: origin, decoder: decoder, workers: workers, batchBytes: batchBytes, progress: progress) { body in
            try withoutActuallyEscaping(body) { body in
                try forEach { document in
                    var document = document
                    document.withUTF8 { body(UnsafeRawBufferPointer($0)) }
                }
            }
        }
    }

    /// `addDocuments` for documents given as their UTF-8 bytes, valid during the call (as a store
    /// gives them, without making a `String` of each).
    public mutating func addDocumentBytes(origin: String, decoder: RecordDecoder, workers: Int, batchBytes: Int = 64 << 20,
                                          progress: (@Sendable (Int) -> Void)? = nil,
                                          _ forEach: ((UnsafeRawBufferPointer) -> Void) throws -> Void) rethrows {
        final class Pending: @unchecked Sendable {
            // Written only by the serial queue's current batch, read after `group.wait()`.
            var part: DryRun
            init(_ part: DryRun) { self.part = part }
        }
        var fresh = DryRun(baseline: baseline, candidate: candidate, at: moment)
        fresh.from = from
        fresh.to = to
        fresh.filter = filter
        fresh.keepsLoggable = keepsLoggable
        let pending = Pending(fresh)
        let queue = DispatchQueue(label: "mash.dry-run.batches")
        let group = DispatchGroup()
        var batch = Data()
        // Documents are numbered, and progress counted, across batches: the first of each batch is
        // the one after the last of the batch before.
        var handed = 0, inBatch = 0
        func hand() {
            group.wait()
            let data = batch, first = handed + 1
            handed += inBatch
            inBatch = 0
            batch = Data()
            batch.reserveCapacity(data.count)
            group.enter()
            queue.async {
                pending.part.addLines(data, origin: origin, firstLine: first, decoder: decoder, workers: workers, progress: progress)
                group.leave()
            }
        }
        defer {
            group.wait()
            merge(pending.part)
        }
        try forEach { document in
            batch.append(contentsOf: document)
            batch.append(UInt8(ascii: "\n"))
            inBatch += 1
            if batch.count > batchBytes { hand() }
        }
        hand()
    }

    public func report() -> DryRunReport {
        let levels = Array(Set(baseline.ruleSet.levels.map(\.rank) + candidate.ruleSet.levels.map(\.rank))).sorted()
        func name(_ rank: Int) -> String {
            (candidate.ruleSet.levels.first { $0.rank == rank } ?? baseline.ruleSet.levels.first { $0.rank == rank }).map { "\(rank) \($0.id)" } ?? "\(rank)"
        }
        let matrix = levels.map { b in levels.map { a in state.matrix[b]?[a] ?? 0 } }
        let weeks = state.weeks.keys.sorted().map { DryRunReport.Week(start: LocalDate(epochDay: $0).description, redBefore: state.weeks[$0]!.before, redAfter: state.weeks[$0]!.after) }
        func changes(_ d: [String: Int]) -> [DryRunReport.Change] {
            d.map { DryRunReport.Change(change: $0.key, referrals: $0.value) }.sorted { ($1.referrals, $0.change) < ($0.referrals, $1.change) }
        }
        let causes = state.causes.map { DryRunReport.Cause(rule: $0.key, title: $0.value.title, referrals: $0.value.count) }
            .sorted { ($1.referrals, $0.rule) < ($0.referrals, $1.rule) }
        func share(_ part: Int, _ whole: Int) -> Double { whole == 0 ? 0 : (Double(part) * 1000 / Double(whole)).rounded() / 10 }
        let workload = DryRunReport.Workload(
            weeks: weeks, redBefore: state.redBefore, redAfter: state.redAfter,
            redPerWeekBefore: weeks.isEmpty ? 0 : (Double(state.redBefore) * 10 / Double(weeks.count)).rounded() / 10,
            redPerWeekAfter: weeks.isEmpty ? 0 : (Double(state.redAfter) * 10 / Double(weeks.count)).rounded() / 10,
            redOutOfHoursPercentBefore: share(state.redOutOfHoursBefore, state.redBefore),
            redOutOfHoursPercentAfter: share(state.redOutOfHoursAfter, state.redAfter))
        var report = DryRunReport(
            baseline: baseline.stamp, candidate: candidate.stamp, evaluatedAt: moment.description,
            referrals: state.referrals, rejected: state.rejected.count, outsideRange: state.outsideRange,
            changed: state.changed.count, levelChanged: state.levelChanged, ratingChanged: state.ratingChanged, routeChanged: state.routeChanged,
            levels: levels.map(name), transitions: matrix, ratingChanges: changes(state.ratingChanges), routeChanges: changes(state.routeChanges),
            workload: workload, causes: causes, changes: state.changed.sorted { ($0.received ?? "", $0.id) < ($1.received ?? "", $1.id) })
        report.loggable = state.loggable
        return report
    }
}
