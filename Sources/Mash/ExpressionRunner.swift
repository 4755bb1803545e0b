import Foundation
import MashChecker
import MashCore
import MashRuntime
import MashSchema
import MashSyntax

/// Evaluates a single FEEL expression of the rule language against a record: for tools, tests and
/// conformance suites. Static errors come back as diagnostics; run-time problems give null, as in FEEL.
public enum ExpressionRunner {
    public struct Outcome: Sendable {
        public let value: Value?
        public let type: MType?
        public let diagnostics: [Diagnostic]
        public let sources: SourceMap
    }

    /// An empty schema, for expressions that read no record.
    public static let emptySchema = Schema(root: RecordType(name: "record", fields: []), idPath: [], path: "")

    /// A condition written on the command line (`--where`), checked against a schema and compiled.
    public static func compileCondition(_ text: String, schema: Schema) -> (CompiledExpression?, [Diagnostic], SourceMap) {
        let source = SourceFile(path: "<--where>", text: text)
        let sources = SourceMap([source])
        let (parsed, syntax) = Parser.parseExpression(source)
        guard let parsed, !syntax.hasErrors else { return (nil, syntax, sources) }
        let (typed, locals, found) = Checker.check(expression: parsed, schema: schema, sources: sources)
        // A filter FEEL would make null for every record is a mistake, not a query: refuse it.
        guard let typed, !found.contains(where: { $0.code == "type-mismatch" }) else { return (nil, found, sources) }
        guard typed.type == .boolean || typed.type == .unknown else {
            let d = Diagnostic(code: "type-mismatch", message: "the filter must be true or false, but it is \(typed.type)", span: parsed.span,
                               help: "write a condition, for example: \"domestic_abuse\" in referral.concerns.category")
            return (nil, found + [d], sources)
        }
        return (CompiledExpression(typed, localCount: locals), found, sources)
    }

    public static func evaluate(_ text: String, schema: Schema = emptySchema, record: RawValue = .map([:])) -> Outcome {
        let source = SourceFile(path: "<expression>", text: text)
        let sources = SourceMap([source])
        let (parsed, syntax) = Parser.parseExpression(source)
        guard let parsed, !syntax.hasErrors else { return Outcome(value: nil, type: nil, diagnostics: syntax, sources: sources) }
        let (typed, locals, found) = Checker.check(expression: parsed, schema: schema, sources: sources)
        guard let typed else { return Outcome(value: nil, type: nil, diagnostics: syntax + found, sources: sources) }
        var problems: [RecordError.Problem] = []
        let decoded = RecordDecoder(schema: schema).decodeValue(record, problems: &problems)
        guard problems.isEmpty else {
            let d = problems.map { Diagnostic(code: "bad-record", message: "\($0.path): \($0.message)", span: nil) }
            return Outcome(value: nil, type: typed.type, diagnostics: d, sources: sources)
        }
        let value = CompiledExpression(typed, localCount: locals).evaluate(decoded)
        return Outcome(value: value, type: typed.type, diagnostics: syntax + found, sources: sources)
    }
}
