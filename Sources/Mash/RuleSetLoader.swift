import Crypto
import Foundation
import MashChecker
import MashCore
import MashLint
import MashRuntime
import MashSchema
import MashSyntax

/// A rule set loaded from its folder: the sources read, every diagnostic, and — when there were no
/// errors — the compiled program.
public struct LoadedRuleSet: Sendable {
    public let folder: String
    public let sources: SourceMap
    public let diagnostics: [Diagnostic]
    public let checked: CheckedRuleSet?
    public let program: Program?
    /// `sha256:` and the digest of every source file and the schema, base rule sets included.
    public let hash: String

    public var renderer: DiagnosticRenderer { DiagnosticRenderer(sources: sources) }
}

/// Reads a rule-set folder: its `.mash` files (one of which has the `ruleset` header), its schema, and
/// the rule sets it extends.
public enum RuleSetLoader {
    public static func load(folder: String) -> LoadedRuleSet {
        var state = State()
        let layers = state.layers(folder: folder, requestedBy: nil, chain: [])
        var diagnostics = state.diagnostics
        var checked: CheckedRuleSet?
        if let layers, let schema = state.schema, !diagnostics.hasErrors {
            let (result, found) = Checker.check(layers: layers, schema: schema, sources: state.sources, folder: folder)
            diagnostics += found
            checked = result
            // Lints only make sense for a rule set that checks; they are warnings, never errors.
            if let result { diagnostics += Linter.lint(result, sources: state.sources) }
        }
        let hash = "sha256:" + SHA256.hash(data: state.hashInput).map { String(format: "%02x", $0) }.joined()
        var program: Program?
        if let checked, !diagnostics.hasErrors {
            program = Program(checked, stamp: Decision.Stamp(name: checked.name, version: checked.version, authority: checked.authority, hash: hash))
        }
        return LoadedRuleSet(folder: folder, sources: state.sources, diagnostics: diagnostics, checked: diagnostics.hasErrors ? nil : checked,
                             program: program, hash: hash)
    }

    private struct State {
        var sources = SourceMap()
        var diagnostics: [Diagnostic] = []
        var schema: Schema?
        var hashInput = Data()

        mutating func read(_ path: String) -> SourceFile? {
            guard let data = FileManager.default.contents(atPath: path) else { return nil }
            guard let text = String(data: data, encoding: .utf8) else {
                diagnostics.append(Diagnostic(code: "not-utf8", message: "\(path) is not UTF-8 text", span: nil))
                return nil
            }
            let file = SourceFile(path: path, text: text)
            sources.add(file)
            return file
        }

        mutating func hash(_ name: String, _ text: String) {
            hashInput.append(Data("\(name)\n\(text.utf8.count)\n".utf8))
            hashInput.append(Data(text.utf8))
        }

        /// The layers of the rule set at `folder`, base first; nil when it cannot be read.
        mutating func layers(folder: String, requestedBy: TextLiteral?, chain: [String]) -> [RuleSetLayer]? {
            let fm = FileManager.default
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
                diagnostics.append(Diagnostic(code: requestedBy == nil ? "missing-ruleset" : "missing-base",
                                              message: requestedBy == nil ? "no rule-set folder at \(folder)" : "the base rule set \(folder) does not exist",
                                              span: requestedBy?.span, help: "a rule set is a folder holding .mash files and a schema"))
                return nil
            }
            let canonical = URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath().path
            if chain.contains(canonical) {
                diagnostics.append(Diagnostic(code: "extends-cycle", message: "rule sets extend each other in a circle", span: requestedBy?.span,
                                              help: "a rule set cannot extend itself, directly or through another"))
                return nil
            }
            let names = ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".mash") }.sorted()
            guard !names.isEmpty else {
                diagnostics.append(Diagnostic(code: "empty-ruleset", message: "the folder \(folder) holds no .mash files", span: requestedBy?.span))
                return nil
            }
            var files: [RuleSetFile] = []
            for name in names {
                let path = (folder as NSString).appendingPathComponent(name)
                guard let source = read(path) else { continue }
                hash(name, source.text)
                let parsed = Parser.parse(source)
                diagnostics += parsed.diagnostics
                files.append(parsed.file)
            }
            let headers = files.compactMap(\.header)
            guard let header = headers.first else {
                if !diagnostics.hasErrors {
                    diagnostics.append(Diagnostic(code: "missing-header", message: "no file in \(folder) starts with a `ruleset` header", span: nil,
                                                  help: "start one file with: ruleset \"Name\" version \"2026.1\" authority \"Council\""))
                }
                return nil
            }
            for extra in headers.dropFirst() {
                diagnostics.append(Diagnostic(code: "duplicate-header", message: "a rule set has one `ruleset` header, and this is a second one", span: extra.span,
                                              secondary: [.init(span: header.span, message: "the first header")]))
            }
            var layers: [RuleSetLayer] = []
            if let base = header.base {
                let baseFolder = (folder as NSString).appendingPathComponent(base.value)
                guard let baseLayers = self.layers(folder: baseFolder, requestedBy: base, chain: chain + [canonical]) else { return nil }
                layers = baseLayers
            }
            if let schemaName = header.schema {
                let path = (folder as NSString).appendingPathComponent(schemaName.value)
                guard let file = read(path) else {
                    diagnostics.append(Diagnostic(code: "missing-schema", message: "the schema file \(path) does not exist", span: schemaName.span,
                                                  help: "put the record schema beside the rule set, or fix the file name"))
                    return nil
                }
                hash("schema:" + schemaName.value, file.text)
                let (loaded, found) = SchemaLoader.load(file)
                diagnostics += found
                schema = loaded
            } else if schema == nil {
                diagnostics.append(Diagnostic(code: "missing-schema", message: "the rule set does not say which record schema it uses", span: header.span,
                                              help: "add under the header: uses schema \"schema.yaml\""))
            }
            return layers + [RuleSetLayer(files: files)]
        }
    }
}
