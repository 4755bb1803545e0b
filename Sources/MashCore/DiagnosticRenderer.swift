import Foundation

/// Renders diagnostics for people (compiler style, with the source line and a caret) or machines (JSON).
public struct DiagnosticRenderer: Sendable {
    public let sources: SourceMap
    public init(sources: SourceMap) { self.sources = sources }

    /// Compiler-style text:
    /// ```
    /// error[unknown-field]: `child` has no field `age_month`
    ///   --> rules/x/injury.mash:12:14
    ///    |
    /// 12 |   when child.age_month < 6
    ///    |              ^^^^^^^^^ not a field of `child`
    ///    = help: did you mean `age_months`?
    /// ```
    public func human(_ diagnostic: Diagnostic) -> String {
        var out = "\(diagnostic.severity.rawValue)[\(diagnostic.code)]: \(diagnostic.message)\n"
        if let span = diagnostic.span {
            out += snippet(span, label: diagnostic.label, arrow: "-->")
        }
        for label in diagnostic.secondary {
            out += snippet(label.span, label: label.message, arrow: ":::")
        }
        if let help = diagnostic.help { out += "   = help: \(help)\n" }
        for note in diagnostic.notes { out += "   = note: \(note)\n" }
        return out
    }

    public func human(_ diagnostics: [Diagnostic]) -> String {
        var out = diagnostics.sortedBySource().map(human).joined(separator: "\n")
        let errors = diagnostics.errorCount, warnings = diagnostics.warningCount
        if errors + warnings > 0 {
            if !out.isEmpty { out += "\n" }
            out += "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")\n"
        }
        return out
    }

    private func snippet(_ span: Span, label: String?, arrow: String) -> String {
        guard let file = sources[span.file] else { return "  \(arrow) \(span.file)\n" }
        let start = file.location(of: span.start)
        let end = file.location(of: span.end)
        let gutter = String(repeating: " ", count: String(start.line).count)
        var out = "\(gutter)\(arrow == "-->" ? "--> " : "::: ")\(span.file):\(start.line):\(start.column)\n"
        out += "\(gutter) |\n"
        let text = file.line(start.line)
        out += "\(start.line) | \(text)\n"
        let lineLength = text.count
        let width = end.line == start.line ? max(1, end.column - start.column) : max(1, lineLength - start.column + 1)
        // Tabs in the line before the caret are kept so the caret lines up in a terminal.
        let prefix = String(text.prefix(start.column - 1).map { $0 == "\t" ? "\t" : " " })
        out += "\(gutter) | \(prefix)\(String(repeating: "^", count: width))"
        if let label { out += " \(label)" }
        out += "\n"
        return out
    }

    /// One JSON document: `{"diagnostics": [...], "errors": N, "warnings": N}`, keys sorted, stable order.
    public func json(_ diagnostics: [Diagnostic]) -> String {
        let report = Report(
            diagnostics: diagnostics.sortedBySource().map(entry),
            errors: diagnostics.errorCount,
            warnings: diagnostics.warningCount)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(report) else { return "{}" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    public func entry(_ d: Diagnostic) -> Entry {
        Entry(code: d.code, severity: d.severity.rawValue, message: d.message,
              location: d.span.map(location), label: d.label,
              related: d.secondary.map { Related(message: $0.message, location: location($0.span)) },
              help: d.help, notes: d.notes)
    }

    public func location(_ span: Span) -> Location {
        let file = sources[span.file]
        let s = file?.location(of: span.start), e = file?.location(of: span.end)
        return Location(file: span.file, line: s?.line ?? 0, column: s?.column ?? 0,
                        endLine: e?.line ?? 0, endColumn: e?.column ?? 0)
    }

    public struct Report: Codable, Sendable {
        public let diagnostics: [Entry]
        public let errors: Int
        public let warnings: Int
    }

    public struct Entry: Codable, Sendable {
        public let code: String
        public let severity: String
        public let message: String
        public let location: Location?
        public let label: String?
        public let related: [Related]
        public let help: String?
        public let notes: [String]
    }

    public struct Related: Codable, Sendable {
        public let message: String
        public let location: Location
    }

    public struct Location: Codable, Sendable {
        public let file: String
        public let line: Int
        public let column: Int
        public let endLine: Int
        public let endColumn: Int
        enum CodingKeys: String, CodingKey { case file, line, column, endLine = "end_line", endColumn = "end_column" }
    }
}
