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

    public struct Named: Sendable, Hashable, Codable {
        public let id: String
        public let label: String?
    }

    public struct LevelOutcome: Sendable, Hashable, Codable {
        public let rank: Int
        public let id: String
        public let label: String
    }

    public struct RatingOutcome: Sendable, Hashable, Codable {
        public let id: String
        public let label: String?
        /// The response clock, for example `4 working hours`.
        public let clock: String?
        /// When the response is due, kept as a time: its text is written only when it is read or
        /// encoded, so deciding makes no text.
        public internal(set) var deadlineAt: DateTime?
        /// `deadlineAt` as text, for example `2026-03-02T13:00:00Z`.
        public var deadline: String? { deadlineAt?.description }

        public init(id: String, label: String?, clock: String?, deadlineAt: DateTime?) {
            self.id = id; self.label = label; self.clock = clock; self.deadlineAt = deadlineAt
        }

        enum CodingKeys: String, CodingKey { case id, label, clock, deadline }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            label = try c.decodeIfPresent(String.self, forKey: .label)
            clock = try c.decodeIfPresent(String.self, forKey: .clock)
            deadlineAt = try c.decodeDateTimeIfPresent(forKey: .deadline)
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
            a.id == b.id && a.label == b.label && a.clock == b.clock && a.deadline == b.deadline
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
        public let path: String
        public let title: String
        public let status: Status
        /// The times are kept as date-times in the calendar's zone; their text is written only when it
        /// is read or encoded.
        public let startedAt: DateTime
        public let stage: String?
        public let heldBy: String?
        public let stageSinceAt: DateTime?
        public let dueAt: DateTime?
        public let overdue: Bool
        public let location: String

        public var started: String { startedAt.description }
        public var stageSince: String? { stageSinceAt?.description }
        public var due: String? { dueAt?.description }

        public init(path: String, title: String, status: Status, startedAt: DateTime, stage: String?, heldBy: String?,
                    stageSinceAt: DateTime?, dueAt: DateTime?, overdue: Bool, location: String) {
            self.path = path; self.title = title; self.status = status; self.startedAt = startedAt; self.stage = stage
            self.heldBy = heldBy; self.stageSinceAt = stageSinceAt; self.dueAt = dueAt; self.overdue = overdue; self.location = location
        }

        enum CodingKeys: String, CodingKey {
            case path, title, status, started, stage, due, overdue, location
            case heldBy = "held_by", stageSince = "stage_since"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            path = try c.decode(String.self, forKey: .path)
            title = try c.decode(String.self, forKey: .title)
            status = try c.decode(Status.self, forKey: .status)
            guard let started = try c.decodeDateTimeIfPresent(forKey: .started) else {
                throw DecodingError.keyNotFound(CodingKeys.started, .init(codingPath: c.codingPath, debugDescription: "no start"))
            }
            startedAt = started
            stage = try c.decodeIfPresent(String.self, forKey: .stage)
            heldBy = try c.decodeIfPresent(String.self, forKey: .heldBy)
            stageSinceAt = try c.decodeDateTimeIfPresent(forKey: .stageSince)
            dueAt = try c.decodeDateTimeIfPresent(forKey: .due)
            overdue = try c.decode(Bool.self, forKey: .overdue)
            location = try c.decode(String.self, forKey: .location)
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
        public let answer: Answer
        /// How much may go: `full`, `sanitised`, or `flag` (that information is held, without what it is).
        public let form: String?
        public let approvalBy: String?
        public let requires: [String]
        public let mustRecord: [String]
        public let reason: String
        public let location: String?

        enum CodingKeys: String, CodingKey {
            case request, agency, category, audience, purpose, answer, form, requires, reason, location
            case approvalBy = "approval_by", mustRecord = "must_record"
        }
    }

    // Set only by the evaluator, which can write a decision into one the caller hands back, reusing
    // its lists' memory (`Evaluator.evaluate(_:at:explain:into:)`).
    public internal(set) var id: String
    public internal(set) var ruleset: Stamp
    public internal(set) var evaluatedAt: String
    public internal(set) var level: LevelOutcome
    public internal(set) var rating: RatingOutcome?
    public internal(set) var route: Named?
    public internal(set) var fired: [Firing]
    public internal(set) var escalations: [EscalationState]
    public internal(set) var disclosures: [DisclosureAnswer]
    /// Things the engine could not settle from the record (for example a `unique` table with two
    /// matching rows); never silently dropped.
    public internal(set) var problems: [String]

    enum CodingKeys: String, CodingKey {
        case id, ruleset, level, rating, route, fired, escalations, disclosures, problems
        case evaluatedAt = "evaluated_at"
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
    let jsonHead: [UInt8]
    let jsonTail: [UInt8]

    init(rule: String, title: String, row: Int?, level: String, rating: String?, route: String?, because: String, location: String,
         writer: DecisionJSON? = nil) {
        self.rule = rule; self.title = title; self.row = row; self.level = level; self.rating = rating; self.route = route
        self.because = because; self.location = location
        (jsonHead, jsonTail) = DecisionJSON.firingFragments(rule: rule, title: title, row: row, level: level, rating: rating, route: route,
                                                            because: because, location: location, using: writer)
    }

    static func == (a: FiringSource, b: FiringSource) -> Bool {
        a === b || (a.rule == b.rule && a.title == b.title && a.row == b.row && a.level == b.level && a.rating == b.rating
            && a.route == b.route && a.because == b.because && a.location == b.location)
    }

    func hash(into h: inout Hasher) {
        h.combine(rule); h.combine(title); h.combine(row); h.combine(level); h.combine(rating); h.combine(route)
        h.combine(because); h.combine(location)
    }
}
