import Foundation
import Yams

/// A document value before it is checked against a schema: what JSON and YAML have in common.
/// Numbers keep their source text so that no precision is lost on the way to `Decimal`.
public indirect enum RawValue: Sendable, Hashable {
    case null
    case boolean(Bool)
    case number(String)
    case string(String)
    case list([RawValue])
    case map([String: RawValue])
}

/// Reads JSON and YAML documents into `RawValue`s.
public enum DocumentReader {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let message: String
        public let line: Int?
        public var description: String { line.map { "line \($0): \(message)" } ?? message }
    }

    public static func json(_ data: Data) throws -> RawValue {
        do { return try JSONParser.parse(data) } catch let f as JSONParser.Failure { throw Failure(message: f.description, line: nil) }
    }

    /// Every document in a YAML text (documents are separated by `---`).
    public static func yamlDocuments(_ text: String) throws -> [RawValue] {
        do {
            var out: [RawValue] = []
            for node in try Yams.compose_all(yaml: text) { out.append(raw(node)) }
            return out
        } catch let error as YamlError {
            throw failure(error)
        }
    }

    public static func failure(_ error: YamlError) -> Failure {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return Failure(message: "not valid YAML: \(problem)", line: mark.line)
        default:
            return Failure(message: "not valid YAML: \(error)", line: nil)
        }
    }

    /// Scalars keep their text; YAML's own type guess is used only for null, booleans and numbers, and a
    /// quoted scalar is always text.
    public static func raw(_ node: Node) -> RawValue {
        switch node {
        case .scalar(let s):
            if s.style == .singleQuoted || s.style == .doubleQuoted || s.style == .literal || s.style == .folded { return .string(s.string) }
            switch node.tag.description {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return .boolean(Bool.construct(from: s) ?? false)
            case Tag.Name.int.rawValue, Tag.Name.float.rawValue:
                let text = s.string.replacingOccurrences(of: "_", with: "")
                return Decimal(string: text) != nil ? .number(text) : .string(s.string)
            default: return .string(s.string)
            }
        case .mapping(let m):
            var map: [String: RawValue] = [:]
            for (k, v) in m { map[k.string ?? "\(k)"] = raw(v) }
            return .map(map)
        case .sequence(let seq):
            return .list(seq.map(raw))
        @unknown default:
            return .null
        }
    }
}

extension RawValue: Encodable {
    /// JSON with numbers written as numbers (their exact decimal text) and keys sorted.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .boolean(let b): try c.encode(b)
        case .number(let n): if let d = Decimal(string: n) { try c.encode(d) } else { try c.encode(n) }
        case .string(let s): try c.encode(s)
        case .list(let l): try c.encode(l)
        case .map(let m): try c.encode(m)
        }
    }

    /// Compact JSON text of this value.
    public var jsonText: String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? e.encode(self)) ?? Data("null".utf8), as: UTF8.self)
    }
}
