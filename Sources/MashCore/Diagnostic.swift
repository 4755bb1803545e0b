/// How serious a diagnostic is. Errors stop a rule set from being used; warnings do not.
public enum Severity: String, Sendable, Hashable, Codable {
    case error, warning, note
}

/// One finding about a source: a stable code, a message, where, and what to write instead.
///
/// Producing a diagnostic and rendering it are separate: see `DiagnosticRenderer`.
public struct Diagnostic: Sendable, Hashable {
    /// A secondary place that helps explain the finding (for example, the first declaration of a duplicate).
    public struct Label: Sendable, Hashable {
        public let span: Span
        public let message: String
        public init(span: Span, message: String) { self.span = span; self.message = message }
    }

    /// Stable kebab-case code, for example `unknown-field`. Codes never change meaning once released.
    public let code: String
    public let severity: Severity
    public let message: String
    public let span: Span?
    /// Short text printed under the caret.
    public let label: String?
    public let secondary: [Label]
    /// What to write instead, for example "did you mean `age_months`?".
    public let help: String?
    public let notes: [String]

    public init(code: String, severity: Severity = .error, message: String, span: Span?, label: String? = nil,
                secondary: [Label] = [], help: String? = nil, notes: [String] = []) {
        self.code = code
        self.severity = severity
        self.message = message
        self.span = span
        self.label = label
        self.secondary = secondary
        self.help = help
        self.notes = notes
    }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }
    public var errorCount: Int { filter { $0.severity == .error }.count }
    public var warningCount: Int { filter { $0.severity == .warning }.count }

    /// Diagnostics in source order (file, offset), then by code; the order every renderer uses.
    public func sortedBySource() -> [Diagnostic] {
        sorted { a, b in
            switch (a.span, b.span) {
            case let (x?, y?) where x != y: return x < y
            case (nil, _?): return false
            case (_?, nil): return true
            default: return (a.code, a.message) < (b.code, b.message)
            }
        }
    }
}
