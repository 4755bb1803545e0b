import Foundation
import MashCore
import MashSchema
import MashSyntax

/// A rule set that passed the checker: every name resolved, every expression typed.
/// It cannot fail at run time with a type error; the compiler turns it into a `Program`.
public struct CheckedRuleSet: Sendable {
    public struct Level: Sendable, Hashable {
        public let rank: Int
        public let id: String
        public let label: String
        public let rating: String?
        public let route: String?
        public var span: Span? = nil
    }

    public struct Rating: Sendable, Hashable {
        public let id: String
        public let label: String?
        public let clock: ClockSpec?
        /// 0 is the most urgent (shortest clock); ratings without a clock come last.
        public let urgency: Int
        public var span: Span? = nil
    }

    public struct Item: Sendable, Hashable {
        public let id: String
        public let label: String
        public var span: Span? = nil
    }

    public enum RatingPolicy: String, Sendable { case followsLevel = "follows level", mostUrgent = "most urgent" }
    public enum RoutePolicy: String, Sendable { case followsLevel = "follows level", mostIntensive = "most intensive" }

    public struct Outcome: Sendable, Hashable {
        public let level: Int?
        public let rating: String?
        public let route: String?
    }

    public struct Rule: Sendable {
        public let id: String
        public let span: Span
        public let title: String
        public let condition: TypedExpr
        public let outcome: Outcome
        public let because: String
        public let location: String
        public let facts: [FactPath]
    }

    public struct Table: Sendable {
        public struct Row: Sendable {
            public let span: Span
            public let tests: [CellTestCode]
            public let outcome: Outcome
            public let because: String
            public let location: String
        }
        public let id: String
        public let span: Span
        public let title: String
        public let hit: HitPolicy
        public let condition: TypedExpr?
        public let inputs: [TypedExpr]
        public let rows: [Row]
        public let location: String
        public let facts: [FactPath]
    }

    public struct Escalation: Sendable {
        public struct Stage: Sendable, Hashable {
            public let id: String
            public let role: Item
            public let within: ClockSpec?
        }
        public let id: String
        public let title: String
        public let startsAt: TypedExpr
        public let startsAfter: ClockSpec?
        public let startsWhen: TypedExpr?
        public let currentStage: TypedExpr?
        public let currentSince: TypedExpr?
        public let resolvedAt: TypedExpr?
        public let stages: [Stage]
        public let location: String
    }

    public struct Disclosure: Sendable {
        public struct Category: Sendable, Hashable {
            public let id: String
            public let span: Span
            public let handling: String?
            public let neverShared: Bool
            public let location: String
        }
        public struct Share: Sendable {
            public let category: String
            public let audience: String
            public let purpose: String?
            public let form: DisclosureDecl.Form
            public let condition: TypedExpr?
            public let requirements: [DisclosureDecl.Requirement]
            public let location: String
            public let facts: [FactPath]
        }
        public let agency: Item
        public let decidedBy: Item
        public let categories: [Category]
        public let shares: [Share]
    }

    /// Where disclosure requests sit in a record, and their fields' slots.
    public struct RequestFields: Sendable, Hashable {
        public let listSlot: Int
        public let type: RecordType
        public let agency: Int
        public let category: Int
        public let audience: Int
        public let purpose: Int?
        public let id: Int?
    }

    public let name: String
    public let version: String
    public let authority: String
    public let schema: Schema
    public let levels: [Level]
    public let ratings: [Rating]
    public let routes: [Item]
    public let roles: [Item]
    public let agencies: [Item]
    public let audiences: [Item]
    public let purposes: [Item]
    public let calendar: CalendarSpec?
    public let clockStart: TypedExpr?
    public let ratingPolicy: RatingPolicy
    public let routePolicy: RoutePolicy
    public let defaultLevel: Int
    public let definitions: [TypedExpr]
    public let rules: [Rule]
    public let tables: [Table]
    public let escalations: [Escalation]
    public let disclosures: [Disclosure]
    public let requestFields: RequestFields?
    /// How many frame slots `some`, `every` and filters need.
    public let localCount: Int
}

/// A compiled-ready cell test of a decision table.
public indirect enum CellTestCode: Sendable, Hashable {
    case any
    case compare(BinaryOperator, TypedExpr)
    case equals(TypedExpr)
    case inRange(low: TypedExpr, high: TypedExpr, lowClosed: Bool, highClosed: Bool)
    case inList(TypedExpr)
    case oneOf([CellTestCode])
    case not([CellTestCode])
}

/// A time limit, resolved: `4 working hours`, `72 hours`.
public struct ClockSpec: Sendable, Hashable, CustomStringConvertible {
    public let amount: Int
    public let working: Bool
    public let unit: Clock.Unit
    public init(amount: Int, working: Bool, unit: Clock.Unit) { self.amount = amount; self.working = working; self.unit = unit }
    public init(_ clock: Clock) { self.init(amount: clock.amount, working: clock.working, unit: clock.unit) }

    public var description: String {
        let unitText = amount == 1 ? String(unit.rawValue.dropLast()) : unit.rawValue
        return "\(amount)\(working ? " working" : "") \(unitText)"
    }
}

/// Working time: the time zone, working days and hours, and bank holidays.
public struct CalendarSpec: Sendable, Hashable {
    public let timeZone: String
    /// ISO weekdays, 1 = Monday.
    public let workingDays: Set<Int>
    /// Seconds after local midnight.
    public let dayStart: Int
    public let dayEnd: Int
    /// Epoch days of bank holidays.
    public let holidays: Set<Int>
    public init(timeZone: String, workingDays: Set<Int>, dayStart: Int, dayEnd: Int, holidays: Set<Int>) {
        self.timeZone = timeZone; self.workingDays = workingDays; self.dayStart = dayStart; self.dayEnd = dayEnd; self.holidays = holidays
    }
}
