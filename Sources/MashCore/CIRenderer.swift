import Foundation

/// Renders diagnostics for CI systems: GitHub Actions workflow commands and SARIF 2.1.0.
extension DiagnosticRenderer {
    /// One `::error file=…,line=…,col=…::message` line per diagnostic (notes become `::notice`).
    public func github(_ diagnostics: [Diagnostic]) -> String {
        func escapeData(_ s: String) -> String {
            s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
        }
        func escapeProperty(_ s: String) -> String {
            escapeData(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
        }
        var out = ""
        for d in diagnostics.sortedBySource() {
            let command = d.severity == .error ? "error" : d.severity == .warning ? "warning" : "notice"
            var properties: [String] = []
            if let span = d.span {
                let l = location(span)
                properties += ["file=\(escapeProperty(l.file))", "line=\(l.line)", "col=\(l.column)", "endLine=\(l.endLine)", "endColumn=\(l.endColumn)"]
            }
            properties.append("title=\(escapeProperty("mash \(d.code)"))")
            var message = d.message
            if let help = d.help { message += "\nhelp: \(help)" }
            out += "::\(command) \(properties.joined(separator: ","))::\(escapeData(message))\n"
        }
        return out
    }

    /// A SARIF 2.1.0 log with one run: the rules used, and one result per diagnostic.
    public func sarif(_ diagnostics: [Diagnostic], toolVersion: String = "0.1.0") -> String {
        let sorted = diagnostics.sortedBySource()
        let codes = Array(Set(sorted.map(\.code))).sorted()
        let rules: [[String: Any]] = codes.map { ["id": $0, "name": $0, "shortDescription": ["text": $0]] }
        let results: [[String: Any]] = sorted.map { d in
            var result: [String: Any] = [
                "ruleId": d.code,
                "ruleIndex": codes.firstIndex(of: d.code) ?? 0,
                "level": d.severity == .error ? "error" : d.severity == .warning ? "warning" : "note",
                "message": ["text": d.help.map { "\(d.message) (help: \($0))" } ?? d.message],
            ]
            if let span = d.span {
                let l = location(span)
                result["locations"] = [[
                    "physicalLocation": [
                        "artifactLocation": ["uri": l.file],
                        "region": ["startLine": max(1, l.line), "startColumn": max(1, l.column), "endLine": max(1, l.endLine), "endColumn": max(1, l.endColumn)],
                    ],
                ]]
            }
            return result
        }
        let log: [String: Any] = [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [[
                "tool": ["driver": ["name": "mash", "informationUri": "https://example.invalid/mash", "version": toolVersion, "rules": rules]],
                "results": results,
            ]],
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: log, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
