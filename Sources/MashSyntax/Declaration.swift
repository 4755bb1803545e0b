import MashCore

/// One parsed `.mash` file: an optional header, its declarations, and its comments.
public struct RuleSetFile: Sendable, Hashable {
    public let path: String
    public let header: Header?
    public let declarations: [Declaration]
    public let comments: [Comment]
    public init(path: String, header: Header?, declarations: [Declaration], comments: [Comment]) {
        self.path = path; self.header = header; self.declarations = declarations; self.comments = comments
    }
}

/// `ruleset "name" version "v" authority "a"`, then optional `uses schema` and `extends` lines.
public struct Header: Sendable, Hashable {
    public let name: TextLiteral
    public let version: TextLiteral
    public let authority: TextLiteral
    public let schema: TextLiteral?
    public let base: TextLiteral?
    public let span: Span
    public init(name: TextLiteral, version: TextLiteral, authority: TextLiteral, schema: TextLiteral?, base: TextLiteral?, span: Span) {
        self.name = name; self.version = version; self.authority = authority; self.schema = schema; self.base = base; self.span = span
    }
}

public enum Declaration: Sendable, Hashable {
    case calendar(CalendarDecl)
    case levels(LevelsDecl)
    case ratings(RatingsDecl)
    case catalog(CatalogDecl)
    case combine(CombineDecl)
    case definition(LetDecl)
    case rule(RuleDecl)
    case table(TableDecl)
    case escalation(EscalationDecl)
    case disclosure(DisclosureDecl)

    public var span: Span {
        switch self {
        case .calendar(let d): return d.span
        case .levels(let d): return d.span
        case .ratings(let d): return d.span
        case .catalog(let d): return d.span
        case .combine(let d): return d.span
        case .definition(let d): return d.span
        case .rule(let d): return d.span
        case .table(let d): return d.span
        case .escalation(let d): return d.span
        case .disclosure(let d): return d.span
        }
    }
}

/// A time limit: `4 working hours`, `72 hours`, `5 working days`.
public struct Clock: Sendable, Hashable {
    public enum Unit: String, Sendable, Hashable, CaseIterable { case minutes, hours, days, weeks }
    public let amount: Int
    public let working: Bool
    public let unit: Unit
    public let span: Span
    public init(amount: Int, working: Bool, unit: Unit, span: Span) {
        self.amount = amount; self.working = working; self.unit = unit; self.span = span
    }
}

public struct CalendarDecl: Sendable, Hashable {
    public enum Item: Sendable, Hashable {
        case timezone(TextLiteral)
        case workingDays([Identifier], range: Bool)
        case workingHours(TextLiteral, TextLiteral)
        case holiday(TextLiteral, TextLiteral?)
    }
    public let entries: [CalendarEntry]
    public let span: Span
    public init(entries: [CalendarEntry], span: Span) { self.entries = entries; self.span = span }
}

public struct CalendarEntry: Sendable, Hashable {
    public let item: CalendarDecl.Item
    public let span: Span
    public init(item: CalendarDecl.Item, span: Span) { self.item = item; self.span = span }
}

public struct LevelsDecl: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public let rank: Int
        public let rankSpan: Span
        public let id: Identifier
        public let label: TextLiteral
        public let rating: Identifier?
        public let route: Identifier?
        public let span: Span
        public init(rank: Int, rankSpan: Span, id: Identifier, label: TextLiteral, rating: Identifier?, route: Identifier?, span: Span) {
            self.rank = rank; self.rankSpan = rankSpan; self.id = id; self.label = label; self.rating = rating; self.route = route; self.span = span
        }
    }
    public let entries: [Entry]
    public let span: Span
    public init(entries: [Entry], span: Span) { self.entries = entries; self.span = span }
}

public struct RatingsDecl: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public let id: Identifier
        public let clock: Clock?
        public let label: TextLiteral?
        public let span: Span
        public init(id: Identifier, clock: Clock?, label: TextLiteral?, span: Span) {
            self.id = id; self.clock = clock; self.label = label; self.span = span
        }
    }
    /// `measured from EXPR`: the date-time the response clocks start at.
    public let measuredFrom: Expr?
    public let entries: [Entry]
    public let span: Span
    public init(measuredFrom: Expr?, entries: [Entry], span: Span) { self.measuredFrom = measuredFrom; self.entries = entries; self.span = span }
}

/// A plain list of named things: routes, roles, agencies, audiences, purposes.
public struct CatalogDecl: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case routes, roles, agencies, audiences, purposes
        public var singular: String {
            switch self {
            case .routes: return "route"
            case .roles: return "role"
            case .agencies: return "agency"
            case .audiences: return "audience"
            case .purposes: return "purpose"
            }
        }
    }
    public struct Entry: Sendable, Hashable {
        public let id: Identifier
        public let label: TextLiteral
        public let span: Span
        public init(id: Identifier, label: TextLiteral, span: Span) { self.id = id; self.label = label; self.span = span }
    }
    public let kind: Kind
    public let entries: [Entry]
    public let span: Span
    public init(kind: Kind, entries: [Entry], span: Span) { self.kind = kind; self.entries = entries; self.span = span }
}

/// How the outcomes of the rules that fired combine into one decision.
public struct CombineDecl: Sendable, Hashable {
    public enum Item: Sendable, Hashable {
        case levelHighest
        case ratingFollowsLevel, ratingMostUrgent
        case routeFollowsLevel, routeMostIntensive
        case defaultLevel(Identifier)
    }
    public struct Entry: Sendable, Hashable {
        public let item: Item
        public let span: Span
        public init(item: Item, span: Span) { self.item = item; self.span = span }
    }
    public let entries: [Entry]
    public let span: Span
    public init(entries: [Entry], span: Span) { self.entries = entries; self.span = span }
}

public struct LetDecl: Sendable, Hashable {
    public let isOverride: Bool
    public let name: Identifier
    public let value: Expr
    public let span: Span
    public init(isOverride: Bool, name: Identifier, value: Expr, span: Span) {
        self.isOverride = isOverride; self.name = name; self.value = value; self.span = span
    }
}

/// `level X`, `rating Y`, `route Z` after `then` or in a table's output columns.
public struct Outcome: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable { case level, rating, route }
    public let kind: Kind
    public let value: Identifier
    public let span: Span
    public init(kind: Kind, value: Identifier, span: Span) { self.kind = kind; self.value = value; self.span = span }
}

public struct RuleDecl: Sendable, Hashable {
    public let isOverride: Bool
    public let id: Identifier
    public let title: TextLiteral
    public let condition: Expr
    public let outcomes: [Outcome]
    public let because: TextLiteral
    public let span: Span
    public init(isOverride: Bool, id: Identifier, title: TextLiteral, condition: Expr, outcomes: [Outcome], because: TextLiteral, span: Span) {
        self.isOverride = isOverride; self.id = id; self.title = title; self.condition = condition
        self.outcomes = outcomes; self.because = because; self.span = span
    }
}

public enum HitPolicy: String, Sendable, Hashable, CaseIterable {
    case first, unique, priority
    case collectMax = "collect max"
}

/// A DMN unary test in one input cell of a decision table.
public indirect enum CellTest: Sendable, Hashable {
    /// `-`: any value, including null.
    case any(Span)
    /// `< 14`, `>= 3`, `!= "x"`.
    case compare(BinaryOperator, Expr)
    /// A plain value (equality) or a range (membership).
    case value(Expr)
    /// `not(t1, t2)`.
    case not([CellTest], Span)

    public var span: Span {
        switch self {
        case .any(let s): return s
        case .compare(_, let e): return e.span
        case .value(let e): return e.span
        case .not(_, let s): return s
        }
    }
}

public struct TableDecl: Sendable, Hashable {
    public enum Column: String, Sendable, Hashable, CaseIterable { case level, rating, route, because }
    public enum OutputCell: Sendable, Hashable {
        case none(Span)
        case name(Identifier)
        case text(TextLiteral)
    }
    public struct Row: Sendable, Hashable {
        /// Each input cell is a list of tests, any of which may match (comma-separated in the source).
        public let inputs: [[CellTest]]
        public let outputs: [OutputCell]
        public let span: Span
        public init(inputs: [[CellTest]], outputs: [OutputCell], span: Span) { self.inputs = inputs; self.outputs = outputs; self.span = span }
    }
    public let isOverride: Bool
    public let id: Identifier
    public let title: TextLiteral
    public let hit: HitPolicy
    public let hitSpan: Span
    public let condition: Expr?
    public let inputs: [Expr]
    public let columns: [OutputColumn]
    public let rows: [Row]
    public let because: TextLiteral?
    public let span: Span
    public init(isOverride: Bool, id: Identifier, title: TextLiteral, hit: HitPolicy, hitSpan: Span, condition: Expr?, inputs: [Expr],
                columns: [OutputColumn], rows: [Row], because: TextLiteral?, span: Span) {
        self.isOverride = isOverride; self.id = id; self.title = title; self.hit = hit; self.hitSpan = hitSpan
        self.condition = condition; self.inputs = inputs; self.columns = columns; self.rows = rows; self.because = because; self.span = span
    }
}

public struct OutputColumn: Sendable, Hashable {
    public let column: TableDecl.Column
    public let span: Span
    public init(column: TableDecl.Column, span: Span) { self.column = column; self.span = span }
}

public struct EscalationDecl: Sendable, Hashable {
    public struct Stage: Sendable, Hashable {
        public let id: Identifier
        public let role: Identifier
        public let within: Clock?
        public let span: Span
        public init(id: Identifier, role: Identifier, within: Clock?, span: Span) { self.id = id; self.role = role; self.within = within; self.span = span }
    }
    public let isOverride: Bool
    public let id: Identifier
    public let title: TextLiteral
    /// `starts at EXPR` or `starts CLOCK after EXPR`.
    public let startsAt: Expr
    public let startsAfter: Clock?
    public let startsWhen: Expr?
    /// `current stage EXPR since EXPR`: where the record says the path has got to.
    public let currentStage: Expr?
    public let currentSince: Expr?
    public let resolvedAt: Expr?
    public let stages: [Stage]
    public let span: Span
    public init(isOverride: Bool, id: Identifier, title: TextLiteral, startsAt: Expr, startsAfter: Clock?, startsWhen: Expr?,
                currentStage: Expr?, currentSince: Expr?, resolvedAt: Expr?, stages: [Stage], span: Span) {
        self.isOverride = isOverride; self.id = id; self.title = title; self.startsAt = startsAt; self.startsAfter = startsAfter
        self.startsWhen = startsWhen; self.currentStage = currentStage; self.currentSince = currentSince
        self.resolvedAt = resolvedAt; self.stages = stages; self.span = span
    }
}

public struct DisclosureDecl: Sendable, Hashable {
    public struct Category: Sendable, Hashable {
        public let id: Identifier
        public let handling: Identifier?
        public let neverShared: Bool
        public let label: TextLiteral?
        public let span: Span
        public init(id: Identifier, handling: Identifier?, neverShared: Bool, label: TextLiteral?, span: Span) {
            self.id = id; self.handling = handling; self.neverShared = neverShared; self.label = label; self.span = span
        }
    }
    public enum Form: String, Sendable, Hashable, CaseIterable { case full, sanitised, flag }
    public enum Requirement: String, Sendable, Hashable, CaseIterable {
        case approval, consent, rationale
        case consentOrRationale = "consent or rationale"
    }
    public struct Share: Sendable, Hashable {
        public let category: Identifier
        public let audience: Identifier
        public let purpose: Identifier?
        public let form: Form
        public let formWritten: Bool
        public let condition: Expr?
        public let requirements: [Requirement]
        public let span: Span
        public init(category: Identifier, audience: Identifier, purpose: Identifier?, form: Form, formWritten: Bool,
                    condition: Expr?, requirements: [Requirement], span: Span) {
            self.category = category; self.audience = audience; self.purpose = purpose; self.form = form
            self.formWritten = formWritten; self.condition = condition; self.requirements = requirements; self.span = span
        }
    }
    public let isOverride: Bool
    public let agency: Identifier
    public let title: TextLiteral
    public let decidedBy: Identifier
    public let categories: [Category]
    public let shares: [Share]
    public let span: Span
    public init(isOverride: Bool, agency: Identifier, title: TextLiteral, decidedBy: Identifier, categories: [Category], shares: [Share], span: Span) {
        self.isOverride = isOverride; self.agency = agency; self.title = title; self.decidedBy = decidedBy
        self.categories = categories; self.shares = shares; self.span = span
    }
}
