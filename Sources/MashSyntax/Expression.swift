import MashCore

/// A name written in the source, with where it was written.
public struct Identifier: Sendable, Hashable {
    public let name: String
    public let span: Span
    public init(name: String, span: Span) { self.name = name; self.span = span }
}

/// A quoted text written in the source (its decoded value).
public struct TextLiteral: Sendable, Hashable {
    public let value: String
    public let span: Span
    public init(value: String, span: Span) { self.value = value; self.span = span }
}

/// An expression of the FEEL subset (see grammar/mash.ebnf).
public struct Expr: Sendable, Hashable {
    public let kind: Kind
    public let span: Span
    public init(_ kind: Kind, _ span: Span) { self.kind = kind; self.span = span }

    public indirect enum Kind: Sendable, Hashable {
        case number(String)
        case string(String)
        case boolean(Bool)
        case null
        /// A bare name: a field, a bound variable, a `let`, a level/rating/route, or a decision value.
        case name(String)
        /// `base.name`: a record field, a list projection, or a date/duration property.
        case member(Expr, Identifier)
        /// `list[expr]`: a filter when `expr` is true/false, an index when it is a number.
        case subscripted(Expr, Expr)
        /// A built-in function; multi-word names are joined by one space (`string length`).
        case call(Identifier, [Expr])
        case negate(Expr)
        /// `not(expr)`.
        case not(Expr)
        case binary(BinaryOperator, Expr, Expr)
        case between(Expr, Expr, Expr)
        /// `x in target`, where target is a list, a range, or a parenthesised list of values.
        case membership(Expr, Expr)
        case list([Expr])
        case range(Range)
        case conditional(Expr, Expr, Expr)
        case quantified(Quantifier, [Binding], Expr)
        /// `for x in xs return e`.
        case forLoop([Binding], Expr)
    }

    public enum Quantifier: String, Sendable, Hashable { case some, every }

    public struct Binding: Sendable, Hashable {
        public let name: Identifier
        public let source: Expr
        public init(name: Identifier, source: Expr) { self.name = name; self.source = source }
    }

    public struct Range: Sendable, Hashable {
        public let low: Expr
        public let high: Expr
        public let lowClosed: Bool
        public let highClosed: Bool
        public init(low: Expr, high: Expr, lowClosed: Bool, highClosed: Bool) {
            self.low = low; self.high = high; self.lowClosed = lowClosed; self.highClosed = highClosed
        }
    }
}

public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
    case or, and
    case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case add = "+", subtract = "-", multiply = "*", divide = "/", power = "**"

    /// Binding strength: higher binds tighter.
    public var precedence: Int {
        switch self {
        case .or: return 1
        case .and: return 2
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: return 3
        case .add, .subtract: return 5
        case .multiply, .divide: return 6
        case .power: return 7
        }
    }

    public var isComparison: Bool { precedence == 3 }
}

/// The built-in functions, by their FEEL names. The parser recognises the multi-word names from this
/// closed list, so `string length(x)` is one name while `date and time` never is outside a call.
public enum BuiltinNames {
    public static let multiWord: [[String]] = [
        ["string", "length"], ["upper", "case"], ["lower", "case"], ["substring", "before"], ["substring", "after"],
        ["starts", "with"], ["ends", "with"], ["date", "and", "time"], ["years", "and", "months", "duration"],
        ["day", "of", "week"], ["day", "of", "year"], ["month", "of", "year"], ["week", "of", "year"],
        ["list", "contains"], ["round", "half", "up"], ["round", "half", "down"], ["round", "up"], ["round", "down"], ["distinct", "values"], ["index", "of"], ["string", "join"], ["is", "defined"],
        ["insert", "before"], ["list", "replace"],
    ]
}
