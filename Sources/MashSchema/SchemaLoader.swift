import MashCore
import Yams

/// Reads a record schema from YAML.
///
/// ```yaml
/// record: referral          # the record type's name
/// id: id                    # path of the field that identifies a record (dotted for nested)
/// fields:
///   id: string
///   received: date-time
///   dash_risk: {enum: [standard, medium, high], optional: true}
///   child:
///     fields:
///       age_months: number?          # a trailing ? makes a field optional
///   concerns:
///     list:
///       fields:
///         category: {enum: [neglect, physical_injury]}
/// ```
public enum SchemaLoader {
    public static let scalarTypes: [String: FieldType] = [
        "string": .string, "number": .number, "boolean": .boolean, "date": .date, "date-time": .dateTime, "duration": .duration,
    ]

    public static func load(_ file: SourceFile) -> (Schema?, [Diagnostic]) {
        var loader = Loader(file: file)
        let schema = loader.run()
        return (loader.diagnostics.hasErrors ? nil : schema, loader.diagnostics)
    }

    private struct Loader {
        let file: SourceFile
        var diagnostics: [Diagnostic] = []

        func span(_ node: Node) -> Span {
            guard let mark = node.mark else { return Span(file: file.path, start: 0, end: 0) }
            let start = file.offset(line: mark.line, column: mark.column)
            let length = node.scalar.map { max(1, $0.string.utf8.count) } ?? 1
            return Span(file: file.path, start: start, end: start + length)
        }

        mutating func error(_ code: String, _ message: String, _ node: Node?, help: String? = nil) {
            let s = node.map(span) ?? Span(file: file.path, start: 0, end: 0)
            diagnostics.append(Diagnostic(code: code, message: message, span: s, help: help))
        }

        mutating func run() -> Schema? {
            let root: Node
            do {
                guard let node = try Yams.compose(yaml: file.text) else {
                    error("schema-empty", "the schema file is empty", nil, help: "a schema starts with `record:`, `id:` and `fields:`")
                    return nil
                }
                root = node
            } catch let e as YamlError {
                let f = DocumentReader.failure(e)
                let offset = f.line.map { file.offset(line: $0, column: 1) } ?? 0
                diagnostics.append(Diagnostic(code: "schema-invalid-yaml", message: f.message, span: Span(file: file.path, start: offset, end: offset + 1)))
                return nil
            } catch {
                diagnostics.append(Diagnostic(code: "schema-invalid-yaml", message: "\(error)", span: nil))
                return nil
            }
            guard let top = root.mapping else {
                error("schema-shape", "the schema must be a mapping with `record`, `id` and `fields`", root)
                return nil
            }
            var name = "record", idPath: [String] = []
            var fieldsNode: Node?
            for (k, v) in top {
                switch k.string ?? "" {
                case "record": name = v.string ?? name
                case "id": idPath = (v.string ?? "").split(separator: ".").map(String.init)
                case "fields": fieldsNode = v
                default:
                    error("schema-unknown-key", "unknown schema key `\(k.string ?? "?")`", k,
                          help: Suggestion.closest(to: k.string ?? "", among: ["record", "id", "fields"]).map { "did you mean `\($0)`?" }
                            ?? "a schema has `record`, `id` and `fields`")
                }
            }
            guard let fieldsNode else {
                error("schema-shape", "the schema has no `fields`", root)
                return nil
            }
            guard let rootType = record(named: name, fieldsNode) else { return nil }
            if idPath.isEmpty {
                error("schema-missing-id", "the schema does not say which field identifies a record", root, help: "add `id: id` (the path of the id field)")
            } else {
                var type = FieldType.record(rootType)
                for part in idPath {
                    guard case .record(let r) = type, let f = r.field(part) else {
                        error("schema-bad-id", "the id path `\(idPath.joined(separator: "."))` is not a field of the record", top.first(where: { $0.key.string == "id" })?.value)
                        return nil
                    }
                    type = f.type
                }
                if type != .string && type != .number {
                    error("schema-bad-id", "the id field must be a string or a number", top.first(where: { $0.key.string == "id" })?.value)
                }
            }
            return Schema(root: rootType, idPath: idPath, path: file.path)
        }

        mutating func record(named name: String, _ node: Node) -> RecordType? {
            guard let mapping = node.mapping else {
                error("schema-shape", "`fields` must map field names to types", node)
                return nil
            }
            var fields: [RecordType.Field] = []
            var seen: Set<String> = []
            for (k, v) in mapping {
                guard let fieldName = k.string, !fieldName.isEmpty else { continue }
                if !seen.insert(fieldName).inserted {
                    error("schema-duplicate-field", "field `\(fieldName)` is declared twice", k)
                    continue
                }
                if let (type, optional, doc) = fieldType(v, name: fieldName) {
                    fields.append(RecordType.Field(name: fieldName, type: type, optional: optional, doc: doc))
                }
            }
            return RecordType(name: name, fields: fields)
        }

        mutating func fieldType(_ node: Node, name: String) -> (FieldType, Bool, String?)? {
            if let text = node.string, node.mapping == nil {
                var t = text.trimmingCharacters(in: .whitespaces)
                var optional = false
                if t.hasSuffix("?") { optional = true; t.removeLast() }
                if let type = SchemaLoader.scalarTypes[t] { return (type, optional, nil) }
                error("schema-unknown-type", "unknown type `\(t)` for field `\(name)`", node,
                      help: Suggestion.closest(to: t, among: SchemaLoader.scalarTypes.keys).map { "did you mean `\($0)`?" }
                        ?? "the types are string, number, boolean, date, date-time, duration; or a mapping with enum, list or fields")
                return nil
            }
            guard let m = node.mapping else {
                error("schema-shape", "field `\(name)` needs a type", node)
                return nil
            }
            var optional = false
            var doc: String?
            var type: FieldType?
            var kinds = 0
            for (k, v) in m {
                switch k.string ?? "" {
                case "optional": optional = v.bool ?? false
                case "doc": doc = v.string
                case "type":
                    kinds += 1
                    if let (t, o, _) = fieldType(v, name: name) { type = t; optional = optional || o }
                case "enum":
                    kinds += 1
                    guard let values = v.sequence?.compactMap({ $0.string }), !values.isEmpty else {
                        error("schema-shape", "`enum` of field `\(name)` must list its values", v)
                        return nil
                    }
                    type = .enumeration(values)
                case "list":
                    kinds += 1
                    if let (t, _, _) = fieldType(v, name: name) { type = .list(t) }
                case "fields":
                    kinds += 1
                    if let r = record(named: name, v) { type = .record(r) }
                default:
                    error("schema-unknown-key", "unknown key `\(k.string ?? "?")` in field `\(name)`", k,
                          help: "a field mapping has one of type, enum, list or fields, and may have optional and doc")
                }
            }
            if kinds != 1 {
                if kinds == 0 { error("schema-shape", "field `\(name)` needs one of type, enum, list or fields", node) }
                else { error("schema-shape", "field `\(name)` has more than one of type, enum, list and fields", node) }
                return nil
            }
            guard let type else { return nil }
            return (type, optional, doc)
        }
    }
}
