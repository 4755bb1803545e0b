import Foundation
import MashCore

/// A record that matched its schema.
public struct DecodedRecord: Sendable {
    public let id: String
    public let value: Value
    public init(id: String, value: Value) { self.id = id; self.value = value }
}

/// A record that did not match its schema: which record, where it came from, and every bad field.
public struct RecordError: Error, Sendable, Hashable {
    public struct Problem: Sendable, Hashable {
        /// Dotted path with list indexes, for example `concerns[1].category`.
        public let path: String
        public let message: String
        public init(path: String, message: String) { self.path = path; self.message = message }
    }
    /// The record's id when it could be read, otherwise nil.
    public let recordId: String?
    /// Where the record came from, for example `referrals.jsonl:17`.
    public let origin: String
    public let problems: [Problem]
    public init(recordId: String?, origin: String, problems: [Problem]) {
        self.recordId = recordId; self.origin = origin; self.problems = problems
    }
}

/// Where the decoder is inside a record, kept as parts and written as text (`concerns[1].category`)
/// only for a problem.
struct DecodingPath {
    enum Part { case field(String), index(Int) }
    var parts: [Part] = []

    var text: String {
        var out = ""
        for part in parts {
            switch part {
            case .field(let name): out += out.isEmpty ? name : "." + name
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }
}

/// Checks a raw document against the schema and turns it into a slot-ordered `Value`.
public struct RecordDecoder: Sendable {
    public let schema: Schema
    public init(schema: Schema) { self.schema = schema }

    public func decode(_ raw: RawValue, origin: String) -> Result<DecodedRecord, RecordError> {
        var problems: [RecordError.Problem] = []
        let id = recordId(raw)
        var path = DecodingPath()
        let value = decode(raw, as: .record(schema.root), path: &path, problems: &problems)
        if !problems.isEmpty { return .failure(RecordError(recordId: id, origin: origin, problems: problems)) }
        guard let id else {
            return .failure(RecordError(recordId: nil, origin: origin, problems: [.init(path: schema.idPath.joined(separator: "."), message: "the record has no id")]))
        }
        return .success(DecodedRecord(id: id, value: value))
    }

    private func recordId(_ raw: RawValue) -> String? {
        var node = raw
        for part in schema.idPath {
            guard case .map(let m) = node, let next = m[part] else { return nil }
            node = next
        }
        switch node {
        case .string(let s): return s
        case .number(let n): return n
        default: return nil
        }
    }

    private func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    private func describe(_ raw: RawValue) -> String {
        switch raw {
        case .null: return "null"
        case .boolean(let b): return "\(b)"
        case .number(let n): return n
        case .string(let s): return ValueText.quote(s)
        case .list: return "a list"
        case .map: return "a mapping"
        }
    }

    /// `path` is written out as text only when there is a problem to report: building every field's
    /// path as text, for records that are almost always fine, was a large part of decoding.
    func decode(_ raw: RawValue, as type: FieldType, path: inout DecodingPath, problems: inout [RecordError.Problem]) -> Value {
        func bad(_ message: String) -> Value {
            problems.append(.init(path: path.text, message: message))
            return .null
        }
        if case .null = raw { return .null }
        switch type {
        case .string:
            guard case .string(let s) = raw else { return bad("expected text, found \(describe(raw))") }
            return .string(s)
        case .number:
            guard case .number(let n) = raw, let d = Decimal(string: n) else { return bad("expected a number, found \(describe(raw))") }
            return .number(d)
        case .boolean:
            guard case .boolean(let b) = raw else { return bad("expected true or false, found \(describe(raw))") }
            return .boolean(b)
        case .date:
            guard case .string(let s) = raw, let d = LocalDate.parse(s) else { return bad("expected a date like 2026-03-02, found \(describe(raw))") }
            return .date(d)
        case .dateTime:
            guard case .string(let s) = raw, let d = DateTime.parse(s) else {
                return bad("expected a date-time with an offset like 2026-03-02T09:15:00Z or 2026-07-01T09:15:00+01:00, found \(describe(raw))")
            }
            return .dateTime(d)
        case .duration:
            guard case .string(let s) = raw, let d = Durations.parse(s) else { return bad("expected an ISO 8601 duration like P6M or PT4H, found \(describe(raw))") }
            if let m = d.months { return .yearMonthDuration(m) }
            return .dayTimeDuration(d.seconds ?? 0)
        case .enumeration(let values):
            guard case .string(let s) = raw else { return bad("expected one of \(values.joined(separator: ", ")), found \(describe(raw))") }
            guard values.contains(s) else {
                let hint = Suggestion.closest(to: s, among: values).map { " (did you mean \"\($0)\"?)" } ?? ""
                return bad("\(ValueText.quote(s)) is not one of \(values.joined(separator: ", "))\(hint)")
            }
            return .string(s)
        case .list(let element):
            guard case .list(let items) = raw else { return bad("expected a list, found \(describe(raw))") }
            var out: [Value] = []
            out.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                path.parts.append(.index(i))
                out.append(decode(item, as: element, path: &path, problems: &problems))
                path.parts.removeLast()
            }
            return .list(out)
        case .record(let r):
            guard case .map(let m) = raw else { return bad("expected a mapping of fields, found \(describe(raw))") }
            var slots = Value.nulls(r.fields.count)
            var found = 0
            for (i, field) in r.fields.enumerated() {
                path.parts.append(.field(field.name))
                defer { path.parts.removeLast() }
                if let v = m[field.name] {
                    found += 1
                    if case .null = v, !field.optional {
                        problems.append(.init(path: path.text, message: "required field is null"))
                    }
                    slots[i] = decode(v, as: field.type, path: &path, problems: &problems)
                } else if !field.optional {
                    problems.append(.init(path: path.text, message: "required field is missing"))
                }
            }
            // Every key was a field: nothing unknown to report, and no need to sort the keys.
            if found < m.count {
                for key in m.keys.sorted() where r.field(key) == nil {
                    let hint = Suggestion.closest(to: key, among: r.fields.map(\.name)).map { " (did you mean `\($0)`?)" } ?? ""
                    problems.append(.init(path: join(path.text, key), message: "unknown field\(hint)"))
                }
            }
            return .record(slots)
        }
    }
}

extension RecordDecoder {
    /// The record's value without requiring an id (for evaluating expressions against partial records).
    public func decodeValue(_ raw: RawValue, problems: inout [RecordError.Problem]) -> Value {
        var path = DecodingPath()
        return decode(raw, as: .record(schema.root), path: &path, problems: &problems)
    }
}

extension RecordDecoder {
    /// The inverse of decoding: a record's value as a document again, field names from the schema,
    /// null fields left out. Decoding the result gives the same value.
    public func encode(_ value: Value) -> RawValue { encode(value, as: .record(schema.root)) }

    func encode(_ value: Value, as type: FieldType) -> RawValue {
        switch (value, type) {
        case (.null, _): return .null
        case (.boolean(let b), _): return .boolean(b)
        case (.number(let n), _): return .number("\(n)")
        case (.string(let s), _): return .string(s)
        case (.date(let d), _): return .string(d.description)
        case (.dateTime(let d), _): return .string(d.description)
        case (.dayTimeDuration(let s), _): return .string(Durations.format(seconds: s))
        case (.yearMonthDuration(let m), _): return .string(Durations.format(months: m))
        case (.list(let items), .list(let element)): return .list(items.map { encode($0, as: element) })
        case (.record(let fields), .record(let r)):
            var map: [String: RawValue] = [:]
            for (field, v) in zip(r.fields, fields) where !v.isNull { map[field.name] = encode(v, as: field.type) }
            return .map(map)
        default: return .null
        }
    }
}
