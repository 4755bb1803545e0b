import Foundation
import MashChecker
import MashSchema
import MashSyntax

/// A checked rule set compiled once into closures, then applied to many records.
///
/// Evaluation is pure: it reads the record, the evaluation moment and the calendar, never the wall
/// clock or randomness. A program is immutable and can be shared across threads; each evaluation
/// uses its own `Evaluator`.
public struct Program: Sendable {
    struct Fact: Sendable {
        let path: String
        let code: Code
        let type: FieldType
    }

    struct Rule: Sendable {
        let facts: [Fact]
    }

    /// A class, so that going through a program's tables copies a reference, not every field.
    final class Table: Sendable {
        let index: Int
        let id: String
        let hit: HitPolicy
        /// The table's `when`, if it has one (see `AtomTable`).
        let condition: AtomTable?
        /// Inputs worked out into frame slots before the rows are tried; the others are read in place.
        let prepare: [TableInput]
        /// The rows, written into the frame when they match (see `Compiler.compileRows`).
        let rows: AtomTable
        /// Per row, the level a priority table ranks it by.
        let priority: [Int]
        let facts: [Fact]

        /// Writes the rows that match into the frame (`Frame.matches`); false when the table's
        /// `when` does not hold or no row matches.
        func match(_ frame: Frame) -> Bool {
            // Read unretained (the table keeps them): read from the table, each was retained and
            // released per referral.
            if let c = conditionRef, !c._withUnsafeGuaranteedRef({ $0.holds(0, frame) }) { return false }
            for i in prepare.indices where prepare[i].slot < frame.tableInputCount {
                frame.tableInputs[prepare[i].slot] = prepare[i].code(frame)
            }
            frame.matchCount = 0
            rowsRef._withUnsafeGuaranteedRef { $0.matchRows(frame, first: hit == .first) }
            return frame.matchCount > 0
        }

        private let conditionRef: Unmanaged<AtomTable>?
        private let rowsRef: Unmanaged<AtomTable>

        init(index: Int, _ t: CheckedRuleSet.Table, _ compiler: Compiler, facts: [Fact]) {
            self.index = index
            id = t.id
            hit = t.hit
            condition = t.condition.map { e in
                var pool = AtomPool()
                return AtomTable([compiler.atomCondition(e, pool: &pool)], pool: pool, definitions: compiler.definitionCode)
            }
            (prepare, rows) = compiler.compileRows(t)
            conditionRef = condition.map { Unmanaged.passUnretained($0) }
            rowsRef = Unmanaged.passUnretained(rows)
            priority = t.rows.map { $0.outcome.level ?? 0 }
            self.facts = facts
        }
    }

    /// A class, so that going through a program's paths copies a reference, not every field.
    final class Escalation: Sendable {
        let startsAt: Code
        /// Compiled as a condition, not as a value read as one: `starts ... when` is a truth, and
        /// making it a value and reading it back was a closure and a value more per path per referral.
        let startsWhen: Test?
        let currentStage: Code?
        let currentSince: Code?
        let resolvedAt: Code?
        /// What a state of this path says, read from here for each referral: reading them through
        /// the path's declaration copied it, retaining every text and expression it holds.
        let id: String
        let startsAfter: ClockSpec?
        let stageIds: [String], stageLimits: [ClockSpec?]
        /// What a state says of the path: with no stage (pending or resolved), and at each stage.
        let unstaged: EscalationSource
        let staged: [EscalationSource]

        init(_ spec: CheckedRuleSet.Escalation, _ compiler: Compiler) {
            id = spec.id
            startsAfter = spec.startsAfter
            stageIds = spec.stages.map(\.id)
            stageLimits = spec.stages.map(\.within)
            unstaged = EscalationSource(path: spec.id, title: spec.title, stage: nil, heldBy: nil, location: spec.location)
            staged = spec.stages.map { EscalationSource(path: spec.id, title: spec.title, stage: $0.id, heldBy: $0.role.label, location: spec.location) }
            startsAt = compiler.compile(spec.startsAt)
            startsWhen = spec.startsWhen.map { compiler.compileTest($0) }
            currentStage = spec.currentStage.map { compiler.compile($0) }
            currentSince = spec.currentSince.map { compiler.compile($0) }
            resolvedAt = spec.resolvedAt.map { compiler.compile($0) }
        }
    }

    /// A share rule, with the parts of its answer that do not depend on the request written once.
    struct Share: Sendable {
        /// As a condition (see `Escalation.startsWhen`).
        let condition: Test?
        /// The answer it gives, shared by every answer.
        let source: AnswerSource

        init(_ share: CheckedRuleSet.Disclosure.Share, of policy: CheckedRuleSet.Disclosure, condition: Test?) {
            self.condition = condition
            var requires: [String] = []
            var mustRecord = [Program.recordTheDecision]
            var answer = Decision.DisclosureAnswer.Answer.permit
            for requirement in share.requirements {
                switch requirement {
                case .approval:
                    requires.append("approval by the \(policy.decidedBy.label)")
                    mustRecord.append("who approved the disclosure")
                    answer = .needsApproval
                case .consent:
                    requires.append("consent")
                    mustRecord.append("the consent given")
                    if answer == .permit { answer = .needsConsent }
                case .consentOrRationale:
                    requires.append("consent, or a recorded reason to share without it")
                    mustRecord.append("the consent given, or why consent was not sought")
                    if answer == .permit { answer = .needsConsent }
                case .rationale:
                    requires.append("a recorded rationale")
                    mustRecord.append("the rationale for sharing")
                }
            }
            let conditionText = share.condition == nil ? "" : " and its condition holds"
            source = AnswerSource(answer: answer, form: share.form.rawValue,
                                  approvalBy: share.requirements.contains(.approval) ? policy.decidedBy.label : nil,
                                  requires: requires, mustRecord: mustRecord,
                                  reason: "share rule for \(share.category) with \(share.audience)\(share.purpose.map { " for \($0)" } ?? "")\(conditionText)",
                                  location: share.location)
        }
    }

    static let recordTheDecision = "the decision and the reason for it, whether or not the information is shared"
    /// What a denial must record, as a list made once.
    static let recordTheDecisionOnly = [recordTheDecision]

    public let ruleSet: CheckedRuleSet
    public let stamp: Decision.Stamp
    let calendar: WorkingCalendar?
    let clockStart: Code?
    let rules: [Rule]
    /// The rules, tried in order: their simple parts as data, their compiled conditions only where
    /// those cannot decide (see `Atom`). Writes the rules that fire into the frame.
    let ruleTable: AtomTable
    let tables: [Table]
    /// The same tables, unretained (`tables` keeps them alive), for trying them per referral.
    let tableRefs: [Unmanaged<Table>]
    let escalations: [Escalation]
    /// The same paths, unretained (`escalations` keeps them alive), for trying them per referral.
    let escalationRefs: [Unmanaged<Escalation>]
    let shares: [[Share]]
    /// Per policy and category, the share rules of that category (`ShareIndex`).
    let shareIndex: ShareIndex
    let definitions: Compiler.DefinitionTable
    let layout: FrameLayout
    /// What a decision says of each level, made once: making it per referral copied the level's texts.
    /// Decisions hold these, the ratings, the routes and the firings below unretained;
    /// `decisionSources` keeps them alive, and every decision of this program holds it.
    let levelRefs: RankMap<Unmanaged<LevelSource>>
    /// What each rule, and each row of each table, says when it fires (`Decision.Firing`); the rows
    /// of table `t` from `rowFiringStart[t]`.
    let ruleFirings: [Unmanaged<FiringSource>]
    let rowFirings: [Unmanaged<FiringSource>]
    let rowFiringStart: [Int]
    let decisionSources: DecisionSources
    /// Outcomes as small integers, so deciding compares and copies no text.
    let outcomes: OutcomeTable

    public init(_ ruleSet: CheckedRuleSet, stamp: Decision.Stamp) {
        self.ruleSet = ruleSet
        self.stamp = stamp
        let table = Compiler.DefinitionTable()
        let compiler = Compiler(localCount: ruleSet.localCount, definitionCount: ruleSet.definitions.count, definitionCode: table)
        table.expressions = ruleSet.definitions
        table.define(ruleSet.definitions.map { Compiler.DefinitionTable.Box(compiler.compile($0)) })
        definitions = table
        layout = compiler.layout
        calendar = ruleSet.calendar.flatMap(WorkingCalendar.init)
        clockStart = ruleSet.clockStart.map { compiler.compile($0) }
        func facts(_ paths: [FactPath]) -> [Fact] {
            paths.map { Fact(path: $0.path, code: compiler.compile($0.access), type: $0.fieldType) }
        }
        rules = ruleSet.rules.map { Rule(facts: facts($0.facts)) }
        var pool = AtomPool()
        ruleTable = AtomTable(ruleSet.rules.map { compiler.atomCondition($0.condition, pool: &pool) }, pool: pool, definitions: table)
        compiler.layout.ruleCount = rules.count
        tables = ruleSet.tables.enumerated().map { i, t in Table(index: i, t, compiler, facts: facts(t.facts)) }
        tableRefs = tables.map { Unmanaged.passUnretained($0) }
        escalations = ruleSet.escalations.map { Escalation($0, compiler) }
        escalationRefs = escalations.map { Unmanaged.passUnretained($0) }
        shares = ruleSet.disclosures.map { d in d.shares.map { Share($0, of: d, condition: $0.condition.map { compiler.compileTest($0) }) } }
        shareIndex = ShareIndex(ruleSet.disclosures.map { d in d.categories.map { c in d.shares.indices.filter { d.shares[$0].category == c.id } } })
        let levelSources = ruleSet.levels.map { ($0.rank, LevelSource(rank: $0.rank, id: $0.id, label: $0.label)) }
        let levels = RankMap(levelSources)
        levelRefs = RankMap(levelSources.map { ($0.0, Unmanaged.passUnretained($0.1)) })
        outcomes = OutcomeTable(ruleSet)
        func levelId(_ rank: Int) -> String { levels[rank]?.id ?? "?" }
        let json = DecisionJSON()
        let ruleSources = ruleSet.rules.map { r in
            FiringSource(rule: r.id, title: r.title, row: nil, level: levelId(r.outcome.level ?? ruleSet.defaultLevel), rating: r.outcome.rating,
                         route: r.outcome.route, because: r.because, location: r.location, writer: json)
        }
        var rowSources: [FiringSource] = [], rowStart: [Int] = []
        for t in ruleSet.tables {
            rowStart.append(rowSources.count)
            for (n, row) in t.rows.enumerated() {
                rowSources.append(FiringSource(rule: t.id, title: t.title, row: n + 1, level: levelId(row.outcome.level ?? ruleSet.defaultLevel),
                                               rating: row.outcome.rating, route: row.outcome.route, because: row.because,
                                               location: row.location, writer: json))
            }
        }
        ruleFirings = ruleSources.map { Unmanaged.passUnretained($0) }
        rowFirings = rowSources.map { Unmanaged.passUnretained($0) }
        rowFiringStart = rowStart
        decisionSources = DecisionSources(levels: levelSources.map(\.1), ratings: outcomes.ratingSources.compactMap { $0 },
                                          routes: outcomes.routeSources, firings: ruleSources + rowSources)
        compiler.layout.finishCompiling()
    }

    public func makeEvaluator() -> Evaluator { Evaluator(program: self) }

    /// The same rule set compiled again, for another thread. Programs are safe to share, but threads
    /// sharing one keep updating the reference counts of the same objects, which costs more than the
    /// work itself on this path; a program of its own per thread shares nothing it touches per referral.
    public func compiledAgain() -> Program { Program(ruleSet, stamp: stamp) }
}

/// What each rule and table row contributes, with ratings and routes as indexes: ratings in order of
/// urgency, routes in order of intensity, as the rule set declares them. Names are copied into storage
/// of this table's own, so threads with programs of their own share no reference counts.
final class OutcomeTable: Sendable {
    struct Contribution {
        let level: Int
        /// An index into `ratingIds` or -1.
        let rating: Int
        /// An index into `routeIds` or -1.
        let route: Int
    }
    let ratingIds: [String]
    /// For each id, what a decision says of the declared rating (nil for one the rule set does not
    /// declare), and its clock.
    let ratingSources: [RatingSource?]
    /// The same sources, as decisions hold them (kept alive by the program's `decisionSources`).
    let ratingRefs: [Unmanaged<RatingSource>?]
    let ratingClocks: [ClockSpec?]
    /// Lower is more urgent; an id the rule set does not declare is the least urgent.
    let ratingUrgency: [Int]
    let routeIds: [String]
    /// Higher is more intensive; an id the rule set does not declare is the least intensive.
    let routeIntensity: [Int]
    let rules: [Contribution]
    let rows: [[Contribution]]
    /// Per level rank: the level's own id, rating and route.
    let levelIds: RankMap<String>
    let levelRating: RankMap<Int>
    let levelRoute: RankMap<Int>
    /// What a decision says of each route, by index into `routeIds` (its label nil for a route the
    /// rule set does not declare).
    let routeSources: [NamedSource]
    let routeRefs: [Unmanaged<NamedSource>]
    let fallbackLevel: Int
    let defaultLevel: Int
    let ratingFollowsLevel: Bool
    let routeFollowsLevel: Bool

    init(_ rs: CheckedRuleSet) {
        defaultLevel = rs.defaultLevel
        ratingFollowsLevel = rs.ratingPolicy == .followsLevel
        routeFollowsLevel = rs.routePolicy == .followsLevel
        func own(_ s: String) -> String { String(decoding: Array(s.utf8), as: UTF8.self) }
        var ratingIds = rs.ratings.map { own($0.id) }, ratingUrgency = rs.ratings.map(\.urgency)
        var routeIds = rs.routes.map { own($0.id) }, routeIntensity = Array(rs.routes.indices)
        func rating(_ id: String?) -> Int {
            guard let id else { return -1 }
            if let i = ratingIds.firstIndex(of: id) { return i }
            ratingIds.append(own(id)); ratingUrgency.append(.max)
            return ratingIds.count - 1
        }
        func route(_ id: String?) -> Int {
            guard let id else { return -1 }
            if let i = routeIds.firstIndex(of: id) { return i }
            routeIds.append(own(id)); routeIntensity.append(-1)
            return routeIds.count - 1
        }
        func contribution(_ o: CheckedRuleSet.Outcome) -> Contribution {
            Contribution(level: o.level ?? rs.defaultLevel, rating: rating(o.rating), route: route(o.route))
        }
        rules = rs.rules.map { contribution($0.outcome) }
        rows = rs.tables.map { $0.rows.map { contribution($0.outcome) } }
        var ids: [(Int, String)] = [], ratings: [(Int, Int)] = [], routes: [(Int, Int)] = []
        for level in rs.levels where !ids.contains(where: { $0.0 == level.rank }) {
            ids.append((level.rank, own(level.id)))
            ratings.append((level.rank, rating(level.rating)))
            routes.append((level.rank, route(level.route)))
        }
        levelIds = RankMap(ids); levelRating = RankMap(ratings); levelRoute = RankMap(routes)
        let declared = ratingIds.map { id in rs.ratings.first { $0.id == id } }
        let writer = DecisionJSON()
        ratingSources = declared.map { $0.map { RatingSource(id: $0.id, label: $0.label, clock: $0.clock?.description, writer: writer) } }
        ratingRefs = ratingSources.map { $0.map { Unmanaged.passUnretained($0) } }
        ratingClocks = declared.map { $0?.clock }
        fallbackLevel = rs.levels[0].rank
        self.ratingIds = ratingIds; self.ratingUrgency = ratingUrgency
        self.routeIds = routeIds; self.routeIntensity = routeIntensity
        routeSources = routeIds.map { id in NamedSource(id: id, label: rs.routes.first { $0.id == id }?.label, writer: writer) }
        routeRefs = routeSources.map { Unmanaged.passUnretained($0) }
    }
}

extension Evaluator {
    /// When the record's response clock starts (its received time), reusing this evaluator's memory.
    public func clockStart(of record: DecodedRecord) -> DateTime? {
        guard let code = program.clockStart, case .record(let slots) = record.value,
              slots.count == program.ruleSet.schema.root.fields.count else { return nil }
        frame.reset(record: slots)
        if case .dateTime(let t) = code(frame) { return t }
        return nil
    }
}

/// Per disclosure policy and category, the policy's share rules of that category, in order: a
/// request's answer is looked for among them, not by comparing every share rule's category with the
/// request's. Memory of its own, so that reading it retains nothing.
final class ShareIndex: @unchecked Sendable {
    /// Where each policy's categories start in `starts`; each category's rules are
    /// `rules[starts[k]..<starts[k + 1]]`. Written only while it is made.
    private let policyStarts: UnsafeMutablePointer<Int>
    private let starts: UnsafeMutablePointer<Int>
    private let rules: UnsafeMutablePointer<Int>

    init(_ byPolicy: [[[Int]]]) {
        policyStarts = .allocate(capacity: byPolicy.count + 1)
        let categories = byPolicy.reduce(0) { $0 + $1.count }
        starts = .allocate(capacity: categories + 1)
        let all = byPolicy.flatMap { $0.flatMap { $0 } }
        rules = .allocate(capacity: max(1, all.count))
        rules.initialize(from: all, count: all.count)
        var k = 0, at = 0
        for (p, policy) in byPolicy.enumerated() {
            policyStarts[p] = k
            for category in policy {
                starts[k] = at
                at += category.count
                k += 1
            }
        }
        policyStarts[byPolicy.count] = k
        starts[k] = at
    }

    deinit {
        policyStarts.deallocate(); starts.deallocate(); rules.deallocate()
    }

    /// The share rules of category `category` of policy `policy`, both indexes within range.
    @inline(__always) func shares(policy: Int, category: Int) -> UnsafeBufferPointer<Int> {
        let k = policyStarts[policy] + category
        return UnsafeBufferPointer(start: rules + starts[k], count: starts[k + 1] - starts[k])
    }
}

/// Applies a program to records one after another, reusing its working memory.
/// Not thread-safe: use one evaluator per thread.
public final class Evaluator {
    let program: Program
    let frame: Frame
    /// The program's calendar, unretained (`program` keeps it): reading it from the program retained
    /// and released it each time a clock was added.
    private let calendarRef: Unmanaged<WorkingCalendar>?
    /// The stretch of the calendar's zone's offset this evaluator last asked about (the times of one
    /// referral, and of the next, mostly fall in one).
    @exclusivity(unchecked) private var offsetSpan = OffsetSpan.none
    /// The same for the outcome table and the rules' atoms, read for every referral.
    private let outcomesRef: Unmanaged<OutcomeTable>
    private let rulesRef: Unmanaged<AtomTable>
    private let shareIndexRef: Unmanaged<ShareIndex>

    init(program: Program) {
        self.program = program
        self.frame = Frame(program.layout)
        calendarRef = program.calendar.map { Unmanaged.passUnretained($0) }
        outcomesRef = Unmanaged.passUnretained(program.outcomes)
        rulesRef = Unmanaged.passUnretained(program.ruleTable)
        shareIndexRef = Unmanaged.passUnretained(program.shareIndex)
        frame.ratingValues = program.outcomes.ratingIds.map(Value.string)
        frame.routeValues = program.outcomes.routeIds.map(Value.string)
        // A rule fires at most once, and a table's rows at most once each.
        contributionCapacity = max(1, program.outcomes.rules.count + program.outcomes.rows.reduce(0) { $0 + $1.count })
        contributions = .allocate(capacity: contributionCapacity)
    }

    deinit { contributions.deallocate() }

    /// Decides one referral at `moment`. With `explain: false` the facts behind each firing are not
    /// gathered (the rest of the decision is the same).
    /// A batch is evaluated at one moment: its text is written once, not per referral.
    private var lastMoment: DateTime?
    private var lastMomentText = ""

    /// What a referral's level, rating and route are, without the rest of a decision: no firings, no
    /// deadline, escalation or disclosure, no text built. A dry-run compares these for every referral
    /// and asks `evaluate` (the same program, observed more closely) only for those that change.
    public struct Outcome: Sendable, Hashable {
        public let rank: Int
        public let level: String
        public let rating: String?
        public let route: String?
    }

    public func outcome(_ record: DecodedRecord) -> Outcome {
        var problems: [String] = []
        var fired: [Decision.Fired] = []
        load(record, &problems)
        let (rank, rating, route) = decide(recording: false, explain: false, &fired, &problems)
        frame.release()
        let o = program.outcomes
        return Outcome(rank: rank, level: o.levelIds[rank] ?? o.levelIds[o.fallbackLevel] ?? "?",
                       rating: rating < 0 ? nil : o.ratingIds[rating], route: route < 0 ? nil : o.routeIds[route])
    }

    /// Puts the record's slots in the frame. `RecordDecoder` always gives a record of the schema's
    /// shape; a value built by hand may not, and must not crash the engine: missing slots read as null.
    private func load(_ record: DecodedRecord, _ problems: inout [String]) {
        let count = program.ruleSet.schema.root.fields.count
        // Read where the record keeps its fields: the caller holds the record throughout the call,
        // and the frame lets go of it (`release`) before returning. Taking the array retained it.
        let known = frame.inPlace
        if let fields = withUnsafePointer(to: record.value, { ArrayInPlace.fields($0, known: known) }), fields.count == count {
            frame.reset(fields: fields)
            return
        }
        var slots: [Value] = []
        if case .record(let s) = record.value { slots = s } else { problems.append("the record is not a record of the schema") }
        if slots.count != count {
            if !slots.isEmpty { problems.append("the record has \(slots.count) fields where the schema has \(count)") }
            slots = Array((slots + Array(repeating: Value.null, count: count)).prefix(count))
        }
        frame.reset(record: consume slots)
    }

    /// What the rules and rows that fired contribute, for the referral being decided: memory of the
    /// evaluator's own, room for every rule and every table row, written from the start for each
    /// referral. An array checked that it was not shared at each append, and was emptied through
    /// the general `replaceSubrange` (about 120 instructions a decision together).
    private let contributions: UnsafeMutablePointer<OutcomeTable.Contribution>
    private let contributionCapacity: Int
    @exclusivity(unchecked) private var contributionCount = 0

    @inline(__always) private func addContribution(_ c: OutcomeTable.Contribution) {
        guard contributionCount < contributionCapacity else { return }
        (contributions + contributionCount).initialize(to: c)
        contributionCount += 1
    }

    /// What a denied disclosure request's reason depends on.
    struct DenialKey: Hashable {
        enum Kind: UInt8 { case noPolicy, noCategory, neverShared, noShareRule }
        let kind: Kind
        let agency: String, category: String, audience: String, purpose: String?
        /// Kept at most: a few dozen kinds of request in practice; unusual records cannot grow it further.
        static let limit = 1024

        /// Hashed by the kind and the texts' lengths, as one number: hashing every byte of four texts
        /// was half of a look-up's 1,400 instructions, and their first bytes and a hasher's combining
        /// half of the rest. Keys alike in these are told apart by `==`.
        func hash(into hasher: inout Hasher) {
            let lengths = agency.utf8.count &* 0x1_0000_0000 &+ category.utf8.count &* 0x100_0000
                &+ audience.utf8.count &* 0x1_0000 &+ (purpose.map { $0.utf8.count &+ 1 } ?? 0) &* 0x100 &+ Int(kind.rawValue)
            hasher.combine(lengths)
        }
    }

    /// Denials already made, by what they depend on (the location too: a category's never-shared
    /// line is found from the agency and category).
    @exclusivity(unchecked) private var denials: [DenialKey: AnswerSource] = [:]

    /// Runs the rules and tables and combines what fired into a level rank, a rating and a route
    /// (indexes into the program's outcome table, -1 for none).
    /// With `recording`, each firing is also written to `fired` (with its facts when `explain`).
    private func decide(recording: Bool, explain: Bool, _ fired: inout [Decision.Fired], _ problems: inout [String])
        -> (rank: Int, rating: Int, route: Int) {
        outcomesRef._withUnsafeGuaranteedRef { decide(recording: recording, explain: explain, $0, &fired, &problems) }
    }

    private func decide(recording: Bool, explain: Bool, _ table: OutcomeTable, _ fired: inout [Decision.Fired], _ problems: inout [String])
        -> (rank: Int, rating: Int, route: Int) {
        contributionCount = 0

        frame.firedCount = 0
        rulesRef._withUnsafeGuaranteedRef { $0.fireRules(frame) }
        // One allocation for the firings rather than one per doubling: the rules that fired, and
        // usually at most a row per table.
        if recording, frame.firedCount + program.tables.count > 0 { fired.reserveCapacity(frame.firedCount + program.tables.count) }
        for k in 0..<frame.firedCount {
            let i = frame.fired[k]
            addContribution(table.rules[i])
            if recording { fired.append(.init(source: program.ruleFirings[i], facts: explain ? facts(program.rules[i].facts) : [])) }
        }

        for t in program.tableRefs.indices {
            // Tried through an unmanaged reference: taking each table out of the array retained it,
            // and most referrals match no row of most tables.
            program.tableRefs[t]._withUnsafeGuaranteedRef { compiled in
                if compiled.match(frame) { contribute(compiled, table, recording: recording, explain: explain, &fired, &problems) }
            }
        }

        // Combine: the highest level wins; rating and route as the rule set declares.
        var top = Int.min
        let made = UnsafeBufferPointer(start: contributions, count: contributionCount)
        for c in made where c.level > top { top = c.level }
        let rank = made.isEmpty ? table.defaultLevel : top
        let levelRank = table.levelIds.contains(rank) ? rank : table.fallbackLevel
        // `follows level`: what the rules at the winning level say, else the level's own; `most
        // urgent`/`most intensive`: the strongest of every firing and the level's own.
        var rating = -1, route = -1
        var sawRating = false, sawRoute = false
        let ratingFollows = table.ratingFollowsLevel, routeFollows = table.routeFollowsLevel
        for c in made where !ratingFollows || c.level == rank {
            if c.rating >= 0 {
                sawRating = true
                if rating < 0 || table.ratingUrgency[c.rating] < table.ratingUrgency[rating] { rating = c.rating }
            }
        }
        if !ratingFollows || !sawRating, let own = table.levelRating[levelRank], own >= 0,
           rating < 0 || table.ratingUrgency[own] < table.ratingUrgency[rating] { rating = own }
        for c in made where !routeFollows || c.level == rank {
            if c.route >= 0 {
                sawRoute = true
                if route < 0 || table.routeIntensity[c.route] > table.routeIntensity[route] { route = c.route }
            }
        }
        if !routeFollows || !sawRoute, let own = table.levelRoute[levelRank], own >= 0,
           route < 0 || table.routeIntensity[own] > table.routeIntensity[route] { route = own }
        return (rank, rating, route)
    }

    /// Decides one referral at `moment`. With `explain: false` the facts behind each firing are not
    /// gathered (the rest of the decision is the same).
    public func evaluate(_ record: DecodedRecord, at moment: DateTime, explain: Bool = true) -> Decision {
        var decision = Decision(id: "", ruleset: program.stamp, evaluatedAt: "", sources: program.decisionSources,
                                level: .passUnretained(LevelSource.placeholder))
        evaluate(record, at: moment, explain: explain, into: &decision)
        return decision
    }

    /// The same decision, written over `decision`: a caller deciding referral after referral hands
    /// back the previous one, and its lists' memory is reused, so that once they have grown a
    /// decision without explanations allocates nothing. Whatever `decision` held before is replaced.
    public func evaluate(_ record: DecodedRecord, at moment: DateTime, explain: Bool = true, into decision: inout Decision) {
        let rs = program.ruleSet
        // The lists are taken out of the decision, so that they are held once and emptied in place.
        // Everything the decision holds unretained is written below, so it may hold this program's
        // sources from here on.
        if decision.sources !== program.decisionSources { decision.sources = program.decisionSources }
        var fired: [Decision.Fired] = [], problems: [String] = []
        var escalations: [Decision.EscalationState] = [], disclosures: [Decision.DisclosureAnswer] = []
        swap(&fired, &decision.firings); swap(&problems, &decision.problems)
        swap(&escalations, &decision.escalations); swap(&disclosures, &decision.disclosures)
        // Emptied in place. The firings go one at a time from the end: `removeAll(keepingCapacity:)`
        // went through the general `replaceSubrange`, about 250 instructions for the two or three
        // firings a decision has (emptying escalation states and disclosure answers the same way was
        // measured at 67 fewer instructions but 0.8 more retains and releases a decision, and not
        // kept). A list that is empty already is left alone.
        while !fired.isEmpty { fired.removeLast() }
        if !problems.isEmpty { problems.removeAll(keepingCapacity: true) }
        if !escalations.isEmpty { escalations.removeAll(keepingCapacity: true) }
        if !disclosures.isEmpty { disclosures.removeAll(keepingCapacity: true) }

        load(record, &problems)
        let (rank, ratingIndex, routeIndex) = decide(recording: true, explain: explain, &fired, &problems)
        let outcomes = program.outcomes
        var deadline: DateTime?
        // The rating and route are written as unretained references (see `Decision.sources`).
        if ratingIndex >= 0, let rating = outcomes.ratingRefs[ratingIndex] {
            // Compiled code is called where it is kept: bound to a name first, its closure was
            // retained and released.
            if let clock = outcomes.ratingClocks[ratingIndex], program.clockStart != nil {
                if case .dateTime(let start) = program.clockStart!(frame) {
                    deadline = add(clock, to: start)
                } else {
                    problems.append("the response clock cannot start: the record has no start time for it")
                }
            }
            decision.ratingSource = rating
            decision.deadlineAt = deadline
        } else {
            decision.ratingSource = nil
            decision.deadlineAt = nil
        }
        decision.routeSource = routeIndex < 0 ? nil : outcomes.routeRefs[routeIndex]

        // What escalation and disclosure conditions read of the decision.
        frame.levelRank = rank
        frame.ratingIndex = ratingIndex
        frame.routeIndex = routeIndex
        frame.deadline = deadline.map(Value.dateTime) ?? .null

        for e in program.escalationRefs.indices {
            if let state = program.escalationRefs[e]._withUnsafeGuaranteedRef({ escalation($0, at: moment, problems: &problems) }) {
                escalations.append(state)
            }
        }
        // The record's fields where the frame reads them (passing `frame.record` retained and released it).
        disclosureAnswers(frame.rootFields, into: &disclosures)
        frame.release()

        if lastMoment != moment || lastMoment?.offset != moment.offset || lastMoment?.zone != moment.zone {
            lastMoment = moment
            lastMomentText = moment.description
        }
        decision.id = record.id
        // What is usually the same as in the decision written over is left as it is (assigning the
        // same texts retained the new and released the old).
        if decision.ruleset != program.stamp { decision.ruleset = program.stamp }
        if decision.evaluatedAt != lastMomentText { decision.evaluatedAt = lastMomentText }
        // A rank the rule set has no level for (none in a checked rule set) reads as its first level.
        decision.levelSource = program.levelRefs[rank] ?? program.levelRefs[rs.levels[0].rank]!
        decision.firings = fired
        decision.escalations = escalations
        decision.disclosures = disclosures
        decision.problems = problems
    }

    /// What a table whose rows matched (in the frame) contributes, and its firings.
    private func contribute(_ compiled: Program.Table, _ table: OutcomeTable, recording: Bool, explain: Bool,
                            _ fired: inout [Decision.Fired], _ problems: inout [String]) {
        let matchCount = frame.matchCount
        // The rows that count: all that matched, or for a priority table the one that wins.
        var chosen = 0..<matchCount
        switch compiled.hit {
        case .first, .collectMax:
            break
        case .unique:
            if matchCount > 1 {
                // DMN would return no result; a safeguarding engine must not drop a concern, so
                // every matching row counts and the decision says the table is ambiguous.
                let rows = (0..<matchCount).map { String(frame.matches[$0] + 1) }
                problems.append("table `\(compiled.id)` has hit policy unique, but rows \(rows.joined(separator: ", ")) all match")
            }
        case .priority:
            // The highest level wins; between equals, the first row.
            var best = 0
            for m in 1..<matchCount where compiled.priority[frame.matches[m]] > compiled.priority[frame.matches[best]] { best = m }
            chosen = best..<best + 1
        }
        // The table's facts are read only when explaining: handed over otherwise, the list was copied.
        let tableFacts = recording && explain ? facts(compiled.facts) : []
        for m in chosen {
            let r = frame.matches[m]
            addContribution(table.rows[compiled.index][r])
            if recording { fired.append(.init(source: program.rowFirings[program.rowFiringStart[compiled.index] + r], facts: tableFacts)) }
        }
    }

    /// The facts behind a firing, for an explanation.
    private func facts(_ list: [Program.Fact]) -> [Decision.Fact] {
        list.map { Decision.Fact(path: $0.path, value: ValueText.render($0.code(frame), type: $0.type)) }
    }

    private func add(_ clock: ClockSpec, to start: DateTime) -> DateTime? {
        if let calendarRef { return calendarRef._withUnsafeGuaranteedRef { $0.add(clock, to: start, near: &offsetSpan) } }
        return clock.working ? nil : WorkingCalendar.addElapsed(clock, to: start)
    }

    /// A time as the calendar's zone reads it.
    private func local(_ t: DateTime) -> DateTime { calendarRef?._withUnsafeGuaranteedRef { $0.local(t, near: &offsetSpan) } ?? t }

    private func escalation(_ e: Program.Escalation, at moment: DateTime, problems: inout [String]) -> Decision.EscalationState? {
        // The path's code is called where it is kept (see `evaluate`).
        if e.startsWhen != nil, e.startsWhen!(frame) != .yes { return nil }
        guard case .dateTime(let base) = e.startsAt(frame) else { return nil }
        guard let start = e.startsAfter.map({ add($0, to: base) }) ?? base else { return nil }
        // What the state says of the path is shared, made when the program was compiled.
        func state(_ status: Decision.EscalationState.Status, stage: Int?, since: DateTime?, due: DateTime?) -> Decision.EscalationState {
            .init(source: stage.map { e.staged[$0] } ?? e.unstaged, status: status, startedAt: local(start), stageSinceAt: since.map(local),
                  dueAt: due.map(local), overdue: status == .open && due.map { moment > $0 } == true)
        }
        if moment < start { return state(.pending, stage: nil, since: nil, due: nil) }
        if e.resolvedAt != nil, case .dateTime(let at) = e.resolvedAt!(frame), at <= moment {
            return state(.resolved, stage: nil, since: nil, due: nil)
        }
        var stage = 0
        var since = start
        var recorded = false
        if e.currentStage != nil, case .string(let id) = e.currentStage!(frame) {
            if let s = e.stageIds.firstIndex(of: id) {
                stage = s
                recorded = true
                if e.currentSince != nil, case .dateTime(let t) = e.currentSince!(frame) { since = t }
            } else {
                problems.append("escalation `\(e.id)`: the record says stage \"\(id)\", which the path does not have; the timetable is used instead")
            }
        }
        if !recorded {
            // No stage on record: the path follows its timetable. When a stage's time runs out
            // unresolved, the next stage takes it over from that moment.
            for next in e.stageLimits.indices.dropFirst() {
                guard let limit = e.stageLimits[stage], let due = add(limit, to: since), moment > due else { break }
                stage = next
                since = due
            }
        }
        let due = e.stageLimits[stage].flatMap { add($0, to: since) }
        return state(.open, stage: stage, since: since, due: due)
    }

    /// The answers to the record's disclosure requests, added to `answers`. The requests and their
    /// fields are read where the record keeps them (until the frame lets go of it): bound as arrays,
    /// the list, each request and the request handed to the conditions were retained and released.
    private func disclosureAnswers(_ slots: UnsafeBufferPointer<Value>, into answers: inout [Decision.DisclosureAnswer]) {
        guard let fields = program.ruleSet.requestFields, fields.listSlot < slots.count, let list = slots.baseAddress.map({ $0 + fields.listSlot })
        else { return }
        let known = frame.inPlace
        _ = ArrayInPlace.withItems(list, known: known) { requests in
            for n in requests.indices {
                let request = requests.baseAddress! + n
                _ = ArrayInPlace.withFields(request, known: known) { answer(request, number: n, $0, fields, into: &answers) }
            }
        }
    }

    /// The answer to request `n`, at `request`, with fields `r`.
    private func answer(_ request: UnsafePointer<Value>, number n: Int, _ r: UnsafeBufferPointer<Value>, _ fields: CheckedRuleSet.RequestFields,
                        into answers: inout [Decision.DisclosureAnswer]) {
        func text(_ slot: Int?) -> String? { slot.flatMap { if case .string(let s) = r[$0] { return s }; if case .number(let d) = r[$0] { return "\(d)" }; return nil } }
        let agency = text(fields.agency) ?? "", category = text(fields.category) ?? "", audience = text(fields.audience) ?? ""
        let purpose = text(fields.purpose)
        let requestId = text(fields.id) ?? "#\(n + 1)"
        // A denial is made once for each kind of request the records bring, not per request, and
        // shared by the answers it gives.
        func deny(_ kind: DenialKey.Kind, _ location: String?, _ reason: () -> String) -> Decision.DisclosureAnswer {
            let key = DenialKey(kind: kind, agency: agency, category: category, audience: audience, purpose: purpose)
            let source: AnswerSource
            if let known = denials[key] {
                source = known
            } else {
                source = AnswerSource(answer: .deny, form: nil, approvalBy: nil, requires: [], mustRecord: Program.recordTheDecisionOnly,
                                      reason: reason(), location: location)
                if denials.count < DenialKey.limit { denials[key] = source }
            }
            return .init(request: requestId, agency: agency, category: category, audience: audience, purpose: purpose, source: source)
        }
        // The policy, its categories and share rules are read where they are, by index: taking
        // a policy or a share rule out of its array copied it, retaining every text it holds.
        let policies = program.ruleSet.disclosures
        guard let p = policies.firstIndex(where: { $0.agency.id == agency }) else {
            answers.append(deny(.noPolicy, nil) { "no disclosure policy for agency \"\(agency)\"; anything not allowed is denied" })
            return
        }
        guard let c = policies[p].categories.firstIndex(where: { $0.id == category }) else {
            answers.append(deny(.noCategory, nil) { "\"\(category)\" is not a category of \(policies[p].agency.label); anything not allowed is denied" })
            return
        }
        if policies[p].categories[c].neverShared {
            answers.append(deny(.neverShared, policies[p].categories[c].location) { "\(policies[p].agency.label) never shares \(category)" })
            return
        }
        frame.requestAt = request
        var answered = false
        // The share rules of the request's category (the category equals `categories[c].id`).
        for s in shareIndexRef._withUnsafeGuaranteedRef({ $0.shares(policy: p, category: c) }) {
            guard policies[p].shares[s].audience == audience,
                  policies[p].shares[s].purpose == nil || policies[p].shares[s].purpose == purpose else { continue }
            // Read where it is: a copy of the share rule retained every text and list it holds.
            if program.shares[p][s].condition != nil, program.shares[p][s].condition!(frame) != .yes { continue }
            answers.append(.init(request: requestId, agency: agency, category: category, audience: audience, purpose: purpose,
                                 source: program.shares[p][s].source))
            answered = true
            break
        }
        frame.requestAt = frame.noRequest
        if !answered {
            answers.append(deny(.noShareRule, nil) {
                "no share rule of \(policies[p].agency.label) allows \(category) to go to \(audience)\(purpose.map { " for \($0)" } ?? ""); anything not allowed is denied"
            })
        }
    }
}

extension Program {
    /// When the record's response clock starts (its received time), if the rule set says. Each call
    /// makes working memory; in a loop, use an `Evaluator`'s `clockStart(of:)`.
    public func clockStart(of record: DecodedRecord) -> DateTime? { makeEvaluator().clockStart(of: record) }

    /// True when `t` falls in the rule set's working hours (false without a calendar).
    public func isWorkingTime(_ t: DateTime) -> Bool { calendar?.isWorkingTime(t) ?? false }
}

/// Values by level rank. A rule set has a handful of levels: they are found by a linear search, which
/// costs less than hashing the rank (a dictionary lookup showed in profiles, several per referral).
/// The first value given for a rank is kept, as `Dictionary(_:uniquingKeysWith: { a, _ in a })` would.
struct RankMap<Value>: Sendable where Value: Sendable {
    private let ranks: [Int]
    private let values: [Value]
    /// For a rule set with many levels, where the linear search would cost more than hashing.
    private let many: [Int: Value]?

    init(_ pairs: [(Int, Value)]) {
        var ranks: [Int] = [], values: [Value] = []
        for (rank, value) in pairs where !ranks.contains(rank) {
            ranks.append(rank)
            values.append(value)
        }
        self.ranks = ranks
        self.values = values
        many = ranks.count > 16 ? Dictionary(uniqueKeysWithValues: zip(ranks, values)) : nil
    }

    subscript(rank: Int) -> Value? {
        if let many { return many[rank] }
        for k in ranks.indices where ranks[k] == rank { return values[k] }
        return nil
    }

    /// Whether a value is kept for `rank`, without copying it (a copy retains what it holds).
    func contains(_ rank: Int) -> Bool {
        if let many { return many[rank] != nil }
        return ranks.contains(rank)
    }
}
