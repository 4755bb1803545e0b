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
        public let deadline: String?
    }

    public struct Fact: Sendable, Hashable, Codable {
        public let path: String
        public let value: String
    }

    /// A rule, or a row of a decision table, whose condition was true.
    public struct Firing: Sendable, Hashable, Codable {
        public let rule: String
        public let title: String
        /// The 1-based row of a decision table; nil for a single rule.
        public let row: Int?
        public let level: String
        public let rating: String?
        public let route: String?
        public let because: String
        public let location: String
        public let facts: [Fact]
    }

    public struct EscalationState: Sendable, Hashable, Codable {
        public enum Status: String, Sendable, Hashable, Codable { case pending, open, resolved }
        public let path: String
        public let title: String
        public let status: Status
        public let started: String
        public let stage: String?
        public let heldBy: String?
        public let stageSince: String?
        public let due: String?
        public let overdue: Bool
        public let location: String

        enum CodingKeys: String, CodingKey {
            case path, title, status, started, stage, due, overdue, location
            case heldBy = "held_by", stageSince = "stage_since"
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

    public let id: String
    public let ruleset: Stamp
    public let evaluatedAt: String
    public let level: LevelOutcome
    public let rating: RatingOutcome?
    public let route: Named?
    public let fired: [Firing]
    public let escalations: [EscalationState]
    public let disclosures: [DisclosureAnswer]
    /// Things the engine could not settle from the record (for example a `unique` table with two
    /// matching rows); never silently dropped.
    public let problems: [String]

    enum CodingKeys: String, CodingKey {
        case id, ruleset, level, rating, route, fired, escalations, disclosures, problems
        case evaluatedAt = "evaluated_at"
    }
}
