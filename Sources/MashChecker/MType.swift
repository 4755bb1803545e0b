import MashSchema

/// The static type of an expression. Every type also admits null (FEEL); `unknown` follows an error so
/// one mistake is reported once, not at every use.
public indirect enum MType: Sendable, Hashable, CustomStringConvertible {
    case unknown
    case null
    case boolean
    case number
    case string
    /// Text limited to the listed values (a schema enumeration).
    case enumeration([String])
    case date
    case dateTime
    /// A time of day.
    case time
    /// A range of values (`[1..10]`) used as a value.
    case range(MType)
    case dayTimeDuration
    case yearMonthDuration
    /// A schema `duration` field: either kind, known only at run time.
    case anyDuration
    case list(MType)
    case record(RecordType)
    case level
    case rating
    case route

    public init(_ field: FieldType) {
        switch field {
        case .string: self = .string
        case .number: self = .number
        case .boolean: self = .boolean
        case .date: self = .date
        case .dateTime: self = .dateTime
        case .duration: self = .anyDuration
        case .enumeration(let v): self = .enumeration(v)
        case .list(let e): self = .list(MType(e))
        case .record(let r): self = .record(r)
        }
    }

    public var description: String {
        switch self {
        case .unknown: return "unknown"
        case .null: return "null"
        case .boolean: return "true/false"
        case .number: return "a number"
        case .string: return "text"
        case .enumeration(let v): return "one of " + v.prefix(6).map { "\"\($0)\"" }.joined(separator: ", ") + (v.count > 6 ? ", …" : "")
        case .date: return "a date"
        case .dateTime: return "a date-time"
        case .time: return "a time of day"
        case .range(let e): return "a range of \(e.plural)"
        case .dayTimeDuration: return "a days-time duration"
        case .yearMonthDuration: return "a years-months duration"
        case .anyDuration: return "a duration"
        case .list(let e): return "a list of \(e.plural)"
        case .record(let r): return "a record (\(r.name))"
        case .level: return "a level"
        case .rating: return "a rating"
        case .route: return "a route"
        }
    }

    var plural: String {
        switch self {
        case .number: return "numbers"
        case .string, .enumeration: return "texts"
        case .boolean: return "true/false values"
        case .date: return "dates"
        case .dateTime: return "date-times"
        case .record(let r): return "\(r.name) records"
        default: return description
        }
    }

    var isTextual: Bool { if case .string = self { return true }; if case .enumeration = self { return true }; return false }
    var isDuration: Bool { self == .dayTimeDuration || self == .yearMonthDuration || self == .anyDuration }
    var isLenient: Bool { self == .unknown || self == .null }
}
