import MashCore
import MashSchema
import MashSyntax

/// Values the decision itself supplies to escalation and disclosure conditions.
public enum ContextValue: String, Sendable, Hashable {
    case level, rating, route, deadline, request
}

/// Date, date-time and duration properties (`child.date_of_birth.year`).
public enum TemporalProperty: String, Sendable, Hashable, CaseIterable {
    case year, month, day, weekday, hour, minute, second, date, time
    case timeOffset = "time offset", timezone
    case years, months, days, hours, minutes, seconds
}

/// A checked expression: names resolved to slots, every node typed. The compiler turns it into code.
public struct TypedExpr: Sendable, Hashable {
    public let node: Node
    public let type: MType
    public let span: Span

    public init(_ node: Node, _ type: MType, _ span: Span) { self.node = node; self.type = type; self.span = span }

    public indirect enum Node: Sendable, Hashable {
        case constant(Value)
        /// A top-level field of the record, by slot.
        case root(Int)
        /// A variable bound by `some`/`every` or a filter, by frame slot.
        case local(Int)
        /// A field of a record; over a list of records it projects (FEEL path over a list).
        case field(TypedExpr, slot: Int, projection: Bool)
        case context(ContextValue)
        case definition(Int)
        case not(TypedExpr)
        case negate(TypedExpr)
        case and(TypedExpr, TypedExpr)
        case or(TypedExpr, TypedExpr)
        case compare(BinaryOperator, TypedExpr, TypedExpr)
        case arithmetic(BinaryOperator, TypedExpr, TypedExpr)
        case between(TypedExpr, TypedExpr, TypedExpr)
        case inRange(TypedExpr, low: TypedExpr, high: TypedExpr, lowClosed: Bool, highClosed: Bool)
        /// `x in (a, b)`: x equals one of the items.
        case inItems(TypedExpr, [TypedExpr])
        /// `x in list`: the list contains x.
        case inList(TypedExpr, TypedExpr)
        case list([TypedExpr])
        case conditional(TypedExpr, TypedExpr, TypedExpr)
        case quantified(every: Bool, local: Int, source: TypedExpr, body: TypedExpr)
        case filter(TypedExpr, local: Int, predicate: TypedExpr)
        case index(TypedExpr, TypedExpr)
        case call(Builtin, [TypedExpr])
        case property(TypedExpr, TemporalProperty)
        /// A range as a value.
        case range(low: TypedExpr, high: TypedExpr, lowClosed: Bool, highClosed: Bool)
        /// `for a in xs, b in ys return e`: one local per binding, the first outermost; the result is flat.
        case forLoop(locals: [Int], sources: [TypedExpr], body: TypedExpr)
    }

    /// True when the value depends on nothing but constants, so the compiler can fold it.
    public var isConstant: Bool {
        switch node {
        case .constant: return true
        case .root, .local, .context, .definition: return false
        case .field(let b, _, _): return b.isConstant
        case .not(let x), .negate(let x), .property(let x, _): return x.isConstant
        case .and(let a, let b), .or(let a, let b), .compare(_, let a, let b), .arithmetic(_, let a, let b), .inList(let a, let b), .index(let a, let b):
            return a.isConstant && b.isConstant
        case .between(let a, let b, let c), .conditional(let a, let b, let c): return a.isConstant && b.isConstant && c.isConstant
        case .inRange(let x, let lo, let hi, _, _): return x.isConstant && lo.isConstant && hi.isConstant
        case .inItems(let x, let items): return x.isConstant && items.allSatisfy(\.isConstant)
        case .list(let items): return items.allSatisfy(\.isConstant)
        case .quantified, .filter, .forLoop: return false
        case .range(let lo, let hi, _, _): return lo.isConstant && hi.isConstant
        case .call(_, let args): return args.allSatisfy(\.isConstant)
        }
    }
}

/// A record path whose value explains why a rule fired, and how to read it.
public struct FactPath: Sendable, Hashable {
    /// As written from the record's root, for example `referral.concerns.category`.
    public let path: String
    public let access: TypedExpr
    public let fieldType: FieldType
}
