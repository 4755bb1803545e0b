import MashCore

/// One lexical token. Words are not split into keywords here: most keywords are contextual, so a record
/// may have a field called `level` or `rule` and still be named in an expression.
public struct Token: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case word
        case number
        case string
        case symbol
        case newline
        case end
    }

    public let kind: Kind
    /// For strings: the decoded value; for everything else: the source text.
    public let text: String
    public let span: Span

    public func isWord(_ w: String) -> Bool { kind == .word && text == w }
    public func isSymbol(_ s: String) -> Bool { kind == .symbol && text == s }
}

/// A `#` comment, kept so the formatter can put it back.
public struct Comment: Sendable, Hashable {
    public let text: String
    public let span: Span
    /// True when nothing but white space stands before it on its line.
    public let ownLine: Bool
}
