import MashCore

/// The checker's message texts, in one place.
enum CheckerMessages {
    static func didYouMean(_ word: String, _ candidates: some Sequence<String>) -> String? {
        Suggestion.closest(to: word, among: candidates).map { "did you mean `\($0)`?" }
    }

    static func unknownField(_ name: String, of base: String, fields: [String], span: Span) -> Diagnostic {
        let help = didYouMean(name, fields) ?? "the fields of `\(base)` are: \(fields.joined(separator: ", "))"
        return Diagnostic(code: "unknown-field", message: "`\(base)` has no field `\(name)`", span: span,
                          label: "not a field of `\(base)`", help: help)
    }

    static func unknownName(_ name: String, candidates: [String], span: Span) -> Diagnostic {
        Diagnostic(code: "unknown-name", message: "unknown name `\(name)`", span: span, label: "not a field, definition, level, rating or route",
                   help: didYouMean(name, candidates) ?? "top-level record fields are: \(candidates.prefix(12).joined(separator: ", "))")
    }

    static func unknown(_ kind: String, _ name: String, declared: [String], span: Span, section: String) -> Diagnostic {
        let help = didYouMean(name, declared) ?? (declared.isEmpty
            ? "declare it in a `\(section)` section"
            : "the \(section) declared are: \(declared.joined(separator: ", "))")
        return Diagnostic(code: "unknown-\(kind)", message: "unknown \(kind) `\(name)`", span: span, label: "not a declared \(kind)", help: help)
    }

    /// A type mismatch is a warning: FEEL evaluates such an expression to null (so a condition never holds),
    /// and the checker says so before anything runs. `mash check --deny-warnings` makes it fail CI.
    static func typeMismatch(_ message: String, span: Span, label: String? = nil, help: String? = nil) -> Diagnostic {
        Diagnostic(code: "type-mismatch", severity: .warning, message: message, span: span, label: label ?? "FEEL gives null here", help: help)
    }

    static func duplicate(_ kind: String, _ name: String, span: Span, first: Span, help: String? = nil) -> Diagnostic {
        Diagnostic(code: "duplicate-declaration", message: "\(kind) `\(name)` is declared more than once", span: span,
                   label: "declared again here", secondary: [.init(span: first, message: "first declared here")], help: help)
    }
}
