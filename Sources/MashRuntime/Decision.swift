import MashSchema

/// What the engine decides for one referral, with every reason. Value type; the same inputs give
/// the same decision, byte for byte, once encoded.
public struct Decision: Sendable, Hashable, Codable {
    public struct Stamp: Sendable, Hashable, Codable {
        public let name: String
        public let version: String
        public let authority: String
        /// `sha256:` and the hex digest of the rule set's sources and schema.
        public let hash: String
        public init(name: String, version: String, authority: String, hash: String) {
            self.name = name; self.version = version; self.authority = authority; self.hash = hash
        }
    }

    /// A route: its id and label.
    public struct Named: Sendable, Hashable, Codable {
        /// Made once per route when the program is compiled and shared by every decision on it, with
        /// its JSON: a decision copies one reference, and tells the route it holds from another by it.
        let source: NamedSource
        public var id: String { source.id }
        public var label: String? { source.label }

        init(source: NamedSource) { self.source = source }

        init(id: String, label: String?) { source = NamedSource(id: id, label: label) }

        enum CodingKeys: String, CodingKey { case id, label }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(id: try c.decode(String.self, forKey: .id), label: try c.decodeIfPresent(String.self, forKey: .label))
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encodeIfPresent(label, forKey: .label)
        }

        public static func == (a: Self, b: Self) -> Bool { a.source === b.source || (a.id == b.id && a.label == b.label) }

        public func hash(into h: inout Hasher) { h.combine(id); h.combine(label) }
    }

    public struct LevelOutcome: Sendable, Hashable, Codable {
        /// Made once per level when the program is compiled and shared, as `Named.source` is.
        let source: LevelSource
        public var rank: Int { source.rank }
        public var id: String { source.id }
        public var label: String { source.label }

        init(source: LevelSource) { self.source = source }

        init(rank: Int, id: String, label: String) { source = LevelSource(rank: rank, id: id, label: label) }

        enum CodingKeys: String, CodingKey { case rank, id, label }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(rank: try c.decode(Int.self, forKey: .rank), id: try c.decode(String.self, forKey: .id),
                      label: try c.decode(String.self, forKey: .label))
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(rank, forKey: .rank)
            try c.encode(id, forKey: .id)
            try c.encode(label, forKey: .label)
        }

        public static func == (a: Self, b: Self) -> Bool {
            a.source === b.source || (a.rank == b.rank && a.id == b.id && a.label == b.label)
        }

        public func hash(into h: inout Hasher) { h.combine(rank); h.combine(id); h.combine(label) }
    }

    public struct RatingOutcome: Sendable, Hashable, Codable {
        /// The rating's id, label and clock, made once per rating when the program is compiled and
        /// shared, as `Named.source` is.
        let source: RatingSource
        public var id: String { source.id }
        public var label: String? { source.label }
        /// The response clock, for example `4 working hours`.
        public var clock: String? { source.clock }
        /// When the response is due, kept as a time: its text is written only when it is read or
        /// encoded, so deciding makes no text.
        public internal(set) var deadlineAt: DateTime?
        /// `deadlineAt` as text, for example `2026-03-02T13:00:00Z`.
        public var deadline: String? { deadlineAt?.description }

        public init(id: String, label: String?, clock: String?, deadlineAt: DateTime?) {
            self.init(source: RatingSource(id: id, label: label, clock: clock), deadlineAt: deadlineAt)
        }

        init(source: RatingSource, deadlineAt: DateTime?) { self.source = source; self.deadlineAt = deadlineAt }

        enum CodingKeys: String, CodingKey { case id, label, clock, deadline }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(id: try c.decode(String.self, forKey: .id), label: try c.decodeIfPresent(String.self, forKey: .label),
                      clock: try c.decodeIfPresent(String.self, forKey: .clock), deadlineAt: try c.decodeDateTimeIfPresent(forKey: .deadline))
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encodeIfPresent(label, forKey: .label)
            try c.encodeIfPresent(clock, forKey: .clock)
            try c.encodeIfPresent(deadline, forKey: .deadline)
        }

        /// Equal when they read the same: a date-time's `==` compares instants, and the same instant
        /// at another offset is a different deadline to a reader.
        public static func == (a: Self, b: Self) -> Bool {
            (a.source === b.source || (a.id == b.id && a.label == b.label && a.clock == b.clock)) && a.deadline == b.deadline
        }

        public func hash(into h: inout Hasher) {
            h.combine(id); h.combine(label); h.combine(clock); h.combine(deadline)
        }
    }

    public struct Fact: Sendable, Hashable, Codable {
        public let path: String
        public let value: String
    }

    /// A rule, or a row of a decision table, whose condition was true.
    public struct Firing: Sendable, Hashable, Codable {
        /// What the rule or row says, made once when the program is compiled and shared by each of
        /// its firings: a firing copies one reference, not eight texts.
        let source: FiringSource
        public let facts: [Fact]

        public var rule: String { source.rule }
        public var title: String { source.title }
        /// The 1-based row of a decision table; nil for a single rule.
        public var row: Int? { source.row }
        public var level: String { source.level }
        public var rating: String? { source.rating }
        public var route: String? { source.route }
        public var because: String { source.because }
        public var location: String { source.location }

        init(source: FiringSource, facts: [Fact]) {
            self.source = source; self.facts = facts
        }

        enum CodingKeys: String, CodingKey { case rule, title, row, level, rating, route, because, location, facts }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            source = FiringSource(rule: try c.decode(String.self, forKey: .rule), title: try c.decode(String.self, forKey: .title),
                                  row: try c.decodeIfPresent(Int.self, forKey: .row), level: try c.decode(String.self, forKey: .level),
                                  rating: try c.decodeIfPresent(String.self, forKey: .rating),
                                  route: try c.decodeIfPresent(String.self, forKey: .route),
                                  because: try c.decode(String.self, forKey: .because), location: try c.decode(String.self, forKey: .location))
            facts = try c.decode([Fact].self, forKey: .facts)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(rule, forKey: .rule)
            try c.encode(title, forKey: .title)
            try c.encodeIfPresent(row, forKey: .row)
            try c.encode(level, forKey: .level)
            try c.encodeIfPresent(rating, forKey: .rating)
            try c.encodeIfPresent(route, forKey: .route)
            try c.encode(because, forKey: .because)
            try c.encode(location, forKey: .location)
            try c.encode(facts, forKey: .facts)
        }

        public static func == (a: Self, b: Self) -> Bool { a.source == b.source && a.facts == b.facts }

        public func hash(into h: inout Hasher) {
            h.combine(source); h.combine(facts)
        }
    }

    public struct EscalationState: Sendable, Hashable, Codable {
        public enum Status: String, Sendable, Hashable, Codable { case pending, open, resolved }
        /// The path and stage, made once per stage of each path when the program is compiled and
        /// shared by each state at it: a state copies one reference, not five texts.
        let source: EscalationSource
        public let status: Status
        /// The times are kept as date-times in the calendar's zone; their text is written only when it
        /// is read or encoded.
        public let startedAt: DateTime
        public let stageSinceAt: DateTime?
        public let dueAt: DateTime?
        public let overdue: Bool

        public var path: String { source.path }
        public var title: String { source.title }
        public var stage: String? { source.stage }
        public var heldBy: String? { source.heldBy }
        public var location: String { source.location }
        public var started: String { startedAt.description }
        public var stageSince: String? { stageSinceAt?.description }
        public var due: String? { dueAt?.description }

        init(source: EscalationSource, status: Status, startedAt: DateTime, stageSinceAt: DateTime?, dueAt: DateTime?, overdue: Bool) {
            self.source = source; self.status = status; self.startedAt = startedAt; self.stageSinceAt = stageSinceAt
            self.dueAt = dueAt; self.overdue = overdue
        }

        public init(path: String, title: String, status: Status, startedAt: DateTime, stage: String?, heldBy: String?,
                    stageSinceAt: DateTime?, dueAt: DateTime?, overdue: Bool, location: String) {
            self.init(source: EscalationSource(path: path, title: title, stage: stage, heldBy: heldBy, location: location), status: status,
                      startedAt: startedAt, stageSinceAt: stageSinceAt, dueAt: dueAt, overdue: overdue)
        }

        enum CodingKeys: String, CodingKey {
            case path, title, status, started, stage, due, overdue, location
            case heldBy = "held_by", stageSince = "stage_since"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let path = try c.decode(String.self, forKey: .path)
            let title = try c.decode(String.self, forKey: .title)
            status = try c.decode(Status.self, forKey: .status)
            guard let started = try c.decodeDateTimeIfPresent(forKey: .started) else {
                throw DecodingError.keyNotFound(CodingKeys.started, .init(codingPath: c.codingPath, debugDescription: "no start"))
            }
            startedAt = started
            let stage = try c.decodeIfPresent(String.self, forKey: .stage)
            let heldBy = try c.decodeIfPresent(String.self, forKey: .heldBy)
            stageSinceAt = try c.decodeDateTimeIfPresent(forKey: .stageSince)
            dueAt = try c.decodeDateTimeIfPresent(forKey: .due)
            overdue = try c.decode(Bool.self, forKey: .overdue)
            let location = try c.decode(String.self, forKey: .location)
            source = EscalationSource(path: path, title: title, stage: stage, heldBy: heldBy, location: location)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(path, forKey: .path)
            try c.encode(title, forKey: .title)
            try c.encode(status, forKey: .status)
            try c.encode(started, forKey: .started)
            try c.encodeIfPresent(stage, forKey: .stage)
            try c.encodeIfPresent(heldBy, forKey: .heldBy)
            try c.encodeIfPresent(stageSince, forKey: .stageSince)
            try c.encodeIfPresent(due, forKey: .due)
            try c.encode(overdue, forKey: .overdue)
            try c.encode(location, forKey: .location)
        }

        /// Equal when they read the same (see `RatingOutcome`).
        public static func == (a: Self, b: Self) -> Bool {
            a.path == b.path && a.title == b.title && a.status == b.status && a.started == b.started && a.stage == b.stage
                && a.heldBy == b.heldBy && a.stageSince == b.stageSince && a.due == b.due && a.overdue == b.overdue && a.location == b.location
        }

        public func hash(into h: inout Hasher) {
            h.combine(path); h.combine(title); h.combine(status); h.combine(started); h.combine(stage)
            h.combine(heldBy); h.combine(stageSince); h.combine(due); h.combine(overdue); h.combine(location)
        }
    }

    public struct DisclosureAnswer: Sendable, Hashable, Codable {
        public enum Answer: String, Sendable, Hashable, Codable {
            case permit, deny
            case needsApproval = "needs-approval"
            case needsConsent = "needs-consent"
        }
        public let request: String
        public let agency: String
        public let category: String
        public let audience: String
        public let purpose: String?
        /// The answer and what goes with it, made once per share rule (or kind of denial) and shared by
        /// each answer it gives: an answer copies one reference, not seven texts and lists.
        let source: AnswerSource
        public var answer: Answer { source.answer }
        /// How much may go: `full`, `sanitised`, or `flag` (that information is held, without what it is).
        public var form: String? { source.form }
        public var approvalBy: String? { source.approvalBy }
        public var requires: [String] { source.requires }
        public var mustRecord: [String] { source.mustRecord }
        public var reason: String { source.reason }
        public var location: String? { source.location }

        init(request: String, agency: String, category: String, audience: String, purpose: String?, source: AnswerSource) {
            self.request = request; self.agency = agency; self.category = category; self.audience = audience; self.purpose = purpose
            self.source = source
        }

        enum CodingKeys: String, CodingKey {
            case request, agency, category, audience, purpose, answer, form, requires, reason, location
            case approvalBy = "approval_by", mustRecord = "must_record"
        }

        // Coded as the fields were when each was stored here: in this order, optional ones left out when absent.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            request = try c.decode(String.self, forKey: .request)
            agency = try c.decode(String.self, forKey: .agency)
            category = try c.decode(String.self, forKey: .category)
            audience = try c.decode(String.self, forKey: .audience)
            purpose = try c.decodeIfPresent(String.self, forKey: .purpose)
            source = AnswerSource(answer: try c.decode(Answer.self, forKey: .answer), form: try c.decodeIfPresent(String.self, forKey: .form),
                                  approvalBy: try c.decodeIfPresent(String.self, forKey: .approvalBy),
                                  requires: try c.decode([String].self, forKey: .requires),
                                  mustRecord: try c.decode([String].self, forKey: .mustRecord), reason: try c.decode(String.self, forKey: .reason),
                                  location: try c.decodeIfPresent(String.self, forKey: .location))
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(request, forKey: .request)
            try c.encode(agency, forKey: .agency)
            try c.encode(category, forKey: .category)
            try c.encode(audience, forKey: .audience)
            try c.encodeIfPresent(purpose, forKey: .purpose)
            try c.encode(answer, forKey: .answer)
            try c.encodeIfPresent(form, forKey: .form)
            try c.encodeIfPresent(approvalBy, forKey: .approvalBy)
            try c.encode(requires, forKey: .requires)
            try c.encode(mustRecord, forKey: .mustRecord)
            try c.encode(reason, forKey: .reason)
            try c.encodeIfPresent(location, forKey: .location)
        }

        public static func == (a: Self, b: Self) -> Bool {
            a.request == b.request && a.agency == b.agency && a.category == b.category && a.audience == b.audience && a.purpose == b.purpose
                && a.source == b.source
        }

        public func hash(into h: inout Hasher) {
            h.combine(request); h.combine(agency); h.combine(category); h.combine(audience); h.combine(purpose); h.combine(source)
        }
    }

    // Set only by the evaluator, which can write a decision into one the caller hands back, reusing
    // its lists' memory (`Evaluator.evaluate(_:at:explain:into:)`).
    public internal(set) var id: String
    public internal(set) var ruleset: Stamp
    public internal(set) var evaluatedAt: String

    /// The level, rating, route and firings are shared sources, made once per program. A decision
    /// holds them unretained, and `sources` (one object per program) keeps them alive: holding each
    /// as a strong reference cost an atomic retain and release whenever it changed from the decision
    /// written over (the firings at every referral), eight a decision. What the properties below
    /// hand out holds its source strongly, so it may outlive the decision.
    var sources: DecisionSources
    var levelSource: Unmanaged<LevelSource>
    var ratingSource: Unmanaged<RatingSource>?
    /// When the rating's response is due; nil without a rating.
    var deadlineAt: DateTime?
    var routeSource: Unmanaged<NamedSource>?
    var firings: [Fired]

    public var level: LevelOutcome { LevelOutcome(source: levelSource.takeUnretainedValue()) }
    public var rating: RatingOutcome? {
        guard let ratingSource else { return nil }
        return RatingOutcome(source: ratingSource.takeUnretainedValue(), deadlineAt: deadlineAt)
    }
    public var route: Named? { routeSource.map { Named(source: $0.takeUnretainedValue()) } }
    /// The rules and table rows that fired, in order.
    public var fired: Firings { Firings(sources: sources, entries: firings) }

    public internal(set) var escalations: [EscalationState]
    public internal(set) var disclosures: [DisclosureAnswer]
    /// Things the engine could not settle from the record (for example a `unique` table with two
    /// matching rows); never silently dropped.
    public internal(set) var problems: [String]

    /// A firing as a decision keeps it: its source unretained (kept alive by the decision's
    /// `sources`), and its facts when explained.
    struct Fired: Sendable {
        let source: Unmanaged<FiringSource>
        let facts: [Fact]
    }

    /// The firings of a decision, read as `Firing`s (each holding its source), without copying them
    /// into an array of their own.
    public struct Firings: RandomAccessCollection, Sendable, Hashable {
        let sources: DecisionSources
        let entries: [Fired]
        public var startIndex: Int { 0 }
        public var endIndex: Int { entries.count }
        public subscript(position: Int) -> Firing {
            Firing(source: entries[position].source.takeUnretainedValue(), facts: entries[position].facts)
        }

        public static func == (a: Self, b: Self) -> Bool { a.elementsEqual(b) }

        public func hash(into h: inout Hasher) {
            h.combine(count)
            for f in self { h.combine(f) }
        }
    }

    init(id: String, ruleset: Stamp, evaluatedAt: String, sources: DecisionSources, level: Unmanaged<LevelSource>) {
        self.id = id; self.ruleset = ruleset; self.evaluatedAt = evaluatedAt
        self.sources = sources; levelSource = level; ratingSource = nil; deadlineAt = nil; routeSource = nil; firings = []
        escalations = []; disclosures = []; problems = []
    }

    enum CodingKeys: String, CodingKey {
        case id, ruleset, level, rating, route, fired, escalations, disclosures, problems
        case evaluatedAt = "evaluated_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        ruleset = try c.decode(Stamp.self, forKey: .ruleset)
        evaluatedAt = try c.decode(String.self, forKey: .evaluatedAt)
        let level = try c.decode(LevelOutcome.self, forKey: .level)
        let rating = try c.decodeIfPresent(RatingOutcome.self, forKey: .rating)
        let route = try c.decodeIfPresent(Named.self, forKey: .route)
        let fired = try c.decode([Firing].self, forKey: .fired)
        // A decision read back keeps sources of its own.
        sources = DecisionSources(levels: [level.source], ratings: rating.map { [$0.source] } ?? [], routes: route.map { [$0.source] } ?? [],
                                  firings: fired.map(\.source))
        levelSource = .passUnretained(level.source)
        ratingSource = rating.map { .passUnretained($0.source) }
        deadlineAt = rating?.deadlineAt
        routeSource = route.map { .passUnretained($0.source) }
        firings = fired.map { Fired(source: .passUnretained($0.source), facts: $0.facts) }
        escalations = try c.decode([EscalationState].self, forKey: .escalations)
        disclosures = try c.decode([DisclosureAnswer].self, forKey: .disclosures)
        problems = try c.decode([String].self, forKey: .problems)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(ruleset, forKey: .ruleset)
        try c.encode(evaluatedAt, forKey: .evaluatedAt)
        try c.encode(level, forKey: .level)
        try c.encodeIfPresent(rating, forKey: .rating)
        try c.encodeIfPresent(route, forKey: .route)
        try c.encode(Array(fired), forKey: .fired)
        try c.encode(escalations, forKey: .escalations)
        try c.encode(disclosures, forKey: .disclosures)
        try c.encode(problems, forKey: .problems)
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.id == b.id && a.ruleset == b.ruleset && a.evaluatedAt == b.evaluatedAt && a.level == b.level && a.rating == b.rating
            && a.route == b.route && a.fired == b.fired && a.escalations == b.escalations && a.disclosures == b.disclosures
            && a.problems == b.problems
    }

    public func hash(into h: inout Hasher) {
        h.combine(id); h.combine(ruleset); h.combine(evaluatedAt); h.combine(level); h.combine(rating); h.combine(route)
        h.combine(fired); h.combine(escalations); h.combine(disclosures); h.combine(problems)
    }
}

/// Keeps alive the shared sources that decisions hold unretained: one per program, and one for each
/// decision read back from JSON. (`LevelSource.placeholder`, which a new decision holds until its
/// level is written, is a static and lives throughout.)
final class DecisionSources: Sendable {
    let levels: [LevelSource]
    let ratings: [RatingSource]
    let routes: [NamedSource]
    let firings: [FiringSource]

    init(levels: [LevelSource], ratings: [RatingSource], routes: [NamedSource], firings: [FiringSource]) {
        self.levels = levels; self.ratings = ratings; self.routes = routes; self.firings = firings
    }
}

extension KeyedDecodingContainer {
    /// A date-time written as text, as decisions write them.
    func decodeDateTimeIfPresent(forKey key: Key) throws -> DateTime? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let t = DateTime.parse(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not a date-time: \(text)")
        }
        return t
    }
}

/// What a rule or a decision table's row says when it fires, with the JSON of a firing around its
/// facts written once (`DecisionJSON` copies it), since every firing of it writes the same text.
final class FiringSource: Sendable, Hashable {
    let rule: String
    let title: String
    let row: Int?
    let level: String
    let rating: String?
    let route: String?
    let because: String
    let location: String
    /// `{"because":…,"facts":[` and `],"level":…}`: a firing's JSON is these with its facts between.
    let jsonHead: JSONBytes
    let jsonTail: JSONBytes

    init(rule: String, title: String, row: Int?, level: String, rating: String?, route: String?, because: String, location: String,
         writer: DecisionJSON? = nil) {
        self.rule = rule; self.title = title; self.row = row; self.level = level; self.rating = rating; self.route = route
        self.because = because; self.location = location
        (jsonHead, jsonTail) = DecisionJSON.firingFragments(rule: rule, title: title, row: row, level: level, rating: rating, route: route,
                                                            because: because, location: location, using: writer)
    }

    deinit { jsonHead.free(); jsonTail.free() }

    static func == (a: FiringSource, b: FiringSource) -> Bool {
        a === b || (a.rule == b.rule && a.title == b.title && a.row == b.row && a.level == b.level && a.rating == b.rating
            && a.route == b.route && a.because == b.because && a.location == b.location)
    }

    func hash(into h: inout Hasher) {
        h.combine(rule); h.combine(title); h.combine(row); h.combine(level); h.combine(rating); h.combine(route)
        h.combine(because); h.combine(location)
    }
}

/// What an escalation state says of its path and stage (none while pending or once resolved), made
/// once per stage of each path and shared by every state at it.
final class EscalationSource: Sendable {
    let path: String
    let title: String
    let stage: String?
    let heldBy: String?
    let location: String
    /// Its parts of a state's JSON, written once (`DecisionJSON.escalationFragments`).
    let json: DecisionJSON.EscalationFragments

    init(path: String, title: String, stage: String?, heldBy: String?, location: String) {
        self.path = path; self.title = title; self.stage = stage; self.heldBy = heldBy; self.location = location
        json = DecisionJSON.escalationFragments(path: path, title: title, stage: stage, heldBy: heldBy, location: location)
    }

    deinit { json.free() }
}

/// What a disclosure answer says apart from the request it answers: made once per share rule, and
/// once per kind of denial the records bring, and shared by every answer it gives.
final class AnswerSource: Sendable, Hashable {
    let answer: Decision.DisclosureAnswer.Answer
    let form: String?
    let approvalBy: String?
    let requires: [String]
    let mustRecord: [String]
    let reason: String
    let location: String?
    /// Its parts of an answer's JSON, written once (`DecisionJSON.answerFragments`).
    let json: DecisionJSON.AnswerFragments

    init(answer: Decision.DisclosureAnswer.Answer, form: String?, approvalBy: String?, requires: [String], mustRecord: [String],
         reason: String, location: String?) {
        self.answer = answer; self.form = form; self.approvalBy = approvalBy; self.requires = requires; self.mustRecord = mustRecord
        self.reason = reason; self.location = location
        json = DecisionJSON.answerFragments(answer: answer, form: form, approvalBy: approvalBy, requires: requires, mustRecord: mustRecord,
                                            reason: reason, location: location)
    }

    deinit { json.free() }

    static func == (a: AnswerSource, b: AnswerSource) -> Bool {
        a === b || (a.answer == b.answer && a.form == b.form && a.approvalBy == b.approvalBy && a.requires == b.requires
            && a.mustRecord == b.mustRecord && a.reason == b.reason && a.location == b.location)
    }

    func hash(into h: inout Hasher) {
        h.combine(answer); h.combine(form); h.combine(approvalBy); h.combine(requires); h.combine(mustRecord); h.combine(reason)
        h.combine(location)
    }
}

/// A level as decisions say it, with its JSON (`{"id":…,"label":…,"rank":…}`) written once.
final class LevelSource: Sendable {
    let rank: Int
    let id: String
    let label: String
    let json: JSONBytes

    init(rank: Int, id: String, label: String, writer: DecisionJSON? = nil) {
        self.rank = rank; self.id = id; self.label = label
        json = DecisionJSON.namedJSON(id: id, label: label, rank: rank, using: writer)
    }

    /// What a new decision holds until the evaluator writes its level: made once, so that making
    /// a decision allocates no level of its own.
    static let placeholder = LevelSource(rank: 0, id: "", label: "")

    deinit { json.free() }
}

/// A rating as decisions say it, with its JSON around the deadline written once: `{"clock":…,` (or
/// `{` without a clock) before it, and `"id":…,"label":…}` after it.
final class RatingSource: Sendable {
    let id: String
    let label: String?
    let clock: String?
    let jsonHead: JSONBytes
    let jsonTail: JSONBytes

    init(id: String, label: String?, clock: String?, writer: DecisionJSON? = nil) {
        self.id = id; self.label = label; self.clock = clock
        (jsonHead, jsonTail) = DecisionJSON.ratingFragments(id: id, label: label, clock: clock, using: writer)
    }

    deinit { jsonHead.free(); jsonTail.free() }
}

/// A route as decisions say it, with its JSON (`{"id":…,"label":…}`) written once.
final class NamedSource: Sendable {
    let id: String
    let label: String?
    let json: JSONBytes

    init(id: String, label: String?, writer: DecisionJSON? = nil) {
        self.id = id; self.label = label
        json = DecisionJSON.namedJSON(id: id, label: label, using: writer)
    }

    deinit { json.free() }
}
