import Foundation

/// A run-time value. Records hold their fields by slot (schema order), never by name.
public enum Value: Sendable, Hashable {
    case null
    case boolean(Bool)
    case number(Decimal)
    case string(String)
    case date(LocalDate)
    case dateTime(DateTime)
    /// A time of day (FEEL `time`).
    case time(TimeOfDay)
    /// Days-time duration, in seconds.
    case dayTimeDuration(Decimal)
    /// Years-months duration, in months.
    case yearMonthDuration(Int)
    case list([Value])
    case record([Value])
    /// A range as a value (`[1..10]`, `(a..b]`): FEEL lets ranges be compared and listed.
    indirect case range(low: Value, high: Value, lowClosed: Bool, highClosed: Bool)

    /// `count` nulls, the slots of a record before its fields are read. The same as
    /// `Array(repeating: .null, count:)`, which asks the Swift runtime for the array's type by a
    /// hashed lookup at every call (about 330 instructions, several times a record); reserving
    /// capacity finds the type through a cached reference.
    @inline(__always) public static func nulls(_ count: Int) -> [Value] {
        var slots: [Value] = []
        slots.reserveCapacity(count)
        for _ in 0..<count { slots.append(.null) }
        return slots
    }

    /// The value, moved out and null left in its place (as `Optional.take()`): binding a value and
    /// then setting its place to null retained and released what it holds.
    @inline(__always) public mutating func take() -> Value {
        var taken = Value.null
        swap(&taken, &self)
        return taken
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }
    public var isTrue: Bool { if case .boolean(true) = self { return true } else { return false } }
}

/// Writes values as compact JSON-like text for explanations (`["neglect", "missing"]`, `2026-03-02`).
public enum ValueText {
    public static func render(_ value: Value, type: FieldType? = nil) -> String {
        switch value {
        case .null: return "null"
        case .boolean(let b): return b ? "true" : "false"
        case .number(let n): return "\(n)"
        case .string(let s): return quote(s)
        case .date(let d): return d.description
        case .dateTime(let d): return d.description
        case .time(let t): return t.description
        case .range(let lo, let hi, let lc, let hc):
            return (lc ? "[" : "(") + render(lo) + ".." + render(hi) + (hc ? "]" : ")")
        case .dayTimeDuration(let s): return Durations.format(seconds: s)
        case .yearMonthDuration(let m): return Durations.format(months: m)
        case .list(let items):
            var element: FieldType?
            if case .list(let e)? = type { element = e }
            return "[" + items.map { render($0, type: element) }.joined(separator: ", ") + "]"
        case .record(let fields):
            guard case .record(let r)? = type else { return "{…}" }
            let parts = zip(r.fields, fields).filter { !$0.1.isNull }.map { "\($0.0.name): \(render($0.1, type: $0.0.type))" }
            return "{" + parts.joined(separator: ", ") + "}"
        }
    }

    public static func quote(_ s: String) -> String {
        var out = "\""
        for ch in s {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out + "\""
    }
}
