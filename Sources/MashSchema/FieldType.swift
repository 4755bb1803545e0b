/// The type of a record field, as the schema declares it.
public indirect enum FieldType: Sendable, Hashable, CustomStringConvertible {
    case string
    case number
    case boolean
    case date
    case dateTime
    case duration
    case enumeration([String])
    case list(FieldType)
    case record(RecordType)

    public var description: String {
        switch self {
        case .string: return "string"
        case .number: return "number"
        case .boolean: return "boolean"
        case .date: return "date"
        case .dateTime: return "date-time"
        case .duration: return "duration"
        case .enumeration(let values): return "one of " + values.map { "\"\($0)\"" }.joined(separator: ", ")
        case .list(let element): return "list of \(element)"
        case .record(let r): return "record \(r.name)"
        }
    }
}

/// A record type: named fields in declaration order. A field's position is its slot at run time.
public struct RecordType: Sendable, Hashable {
    public struct Field: Sendable, Hashable {
        public let name: String
        public let type: FieldType
        public let optional: Bool
        public let doc: String?
        public init(name: String, type: FieldType, optional: Bool, doc: String? = nil) {
            self.name = name; self.type = type; self.optional = optional; self.doc = doc
        }
    }

    public let name: String
    public let fields: [Field]
    private let slots: [String: Int]

    public init(name: String, fields: [Field]) {
        self.name = name
        self.fields = fields
        var slots: [String: Int] = [:]
        for (i, f) in fields.enumerated() where slots[f.name] == nil { slots[f.name] = i }
        self.slots = slots
    }

    public func slot(of name: String) -> Int? { slots[name] }
    public func field(_ name: String) -> Field? { slots[name].map { fields[$0] } }
}

/// A record schema: the root record type and the path of the field that identifies a record.
public struct Schema: Sendable, Hashable {
    public let root: RecordType
    /// Field names from the root to the record's id, for example `["id"]`.
    public let idPath: [String]
    public let path: String

    public init(root: RecordType, idPath: [String], path: String) {
        self.root = root; self.idPath = idPath; self.path = path
    }
}
