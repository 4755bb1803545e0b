import Foundation
import MashCore
import MashFormat

/// Formatting for tools: a file's canonical text, or its syntax errors rendered.
public enum SourceFormatter {
    public struct Result: Sendable {
        public let text: String?
        public let diagnostics: [Diagnostic]
        public let rendered: String
    }

    public static func format(path: String, text: String) -> Result {
        let source = SourceFile(path: path, text: text)
        let (formatted, diagnostics) = Formatter.format(source)
        let rendered = DiagnosticRenderer(sources: SourceMap([source])).human(diagnostics)
        return Result(text: formatted, diagnostics: diagnostics, rendered: rendered)
    }
}

/// Finds `.mash` files under paths (folders searched recursively, hidden folders skipped).
public enum MashFiles {
    public static func find(_ paths: [String]) -> (found: [String], missing: [String]) {
        var found: [String] = [], missing: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else { missing.append(path); continue }
            guard isDir.boolValue else { found.append(path); continue }
            var names: [String] = []
            if let e = fm.enumerator(atPath: path) {
                while let name = e.nextObject() as? String {
                    if (name as NSString).lastPathComponent.hasPrefix(".") { e.skipDescendants(); continue }
                    if name.hasSuffix(".mash") { names.append(name) }
                }
            }
            found += names.sorted().map { (path as NSString).appendingPathComponent($0) }
        }
        return (found, missing)
    }
}
