import Foundation
import MashChecker
import MashSchema
import MashSyntax

/// FEEL semantics for values: equality, order, arithmetic and properties. Anything FEEL leaves
/// undefined (a type mismatch, a division by zero) gives null, never a crash.
enum ValueOps {
    /// FEEL `=`: null equals only null; values of different kinds give null.
    static func equal(_ a: Value, _ b: Value) -> Value {
        switch (a, b) {
        case (.null, .null): return .boolean(true)
        case (.null, _), (_, .null): return .boolean(false)
        default:
            if let c = compare(a, b) { return .boolean(c == 0) }
            switch (a, b) {
            case (.boolean(let x), .boolean(let y)): return .boolean(x == y)
            case (.list(let x), .list(let y)):
                guard x.count == y.count else { return .boolean(false) }
                for (p, q) in zip(x, y) where !equal(p, q).isTrue { return .boolean(false) }
                return .boolean(true)
            case (.record(let x), .record(let y)): return .boolean(x == y)
            default: return .null
            }
        }
    }

    /// Order of two values of the same ordered kind; nil when they cannot be ordered.
    static func compare(_ a: Value, _ b: Value) -> Int? {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.string(let x), .string(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.date(let x), .date(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.dateTime(let x), .dateTime(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.dayTimeDuration(let x), .dayTimeDuration(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.yearMonthDuration(let x), .yearMonthDuration(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        default: return nil
        }
    }

    static func compare(_ op: BinaryOperator, _ a: Value, _ b: Value) -> Value {
        switch op {
        case .equal: return equal(a, b)
        case .notEqual:
            if case .boolean(let e) = equal(a, b) { return .boolean(!e) }
            return .null
        default:
            guard let c = compare(a, b) else { return .null }
            switch op {
            case .less: return .boolean(c < 0)
            case .lessOrEqual: return .boolean(c <= 0)
            case .greater: return .boolean(c > 0)
            case .greaterOrEqual: return .boolean(c >= 0)
            default: return .null
            }
        }
    }

    static func and(_ a: Value, _ b: () -> Value) -> Value {
        if case .boolean(false) = a { return .boolean(false) }
        let rhs = b()
        if case .boolean(false) = rhs { return .boolean(false) }
        if case .boolean(true) = a, case .boolean(true) = rhs { return .boolean(true) }
        return .null
    }

    static func or(_ a: Value, _ b: () -> Value) -> Value {
        if case .boolean(true) = a { return .boolean(true) }
        let rhs = b()
        if case .boolean(true) = rhs { return .boolean(true) }
        if case .boolean(false) = a, case .boolean(false) = rhs { return .boolean(false) }
        return .null
    }

    static func seconds(_ d: DateTime) -> Decimal { Decimal(d.seconds) + Decimal(Int(d.nanoseconds)) / 1_000_000_000 }

    static func dateTime(_ seconds: Decimal, offset: Int32) -> DateTime {
        var whole = seconds
        var rounded = Decimal()
        NSDecimalRound(&rounded, &whole, 0, .down)
        if rounded > seconds { rounded -= 1 }
        let nanos = NSDecimalNumber(decimal: (seconds - rounded) * 1_000_000_000).int32Value
        return DateTime(seconds: NSDecimalNumber(decimal: rounded).int64Value, nanoseconds: nanos, offset: offset)
    }

    static func addMonths(_ d: DateTime, _ months: Int) -> DateTime {
        let (date, sod) = d.local
        let moved = date.adding(months: months)
        let local = Int64(moved.epochDay) * 86400 + Int64(sod)
        return DateTime(seconds: local - Int64(d.offset), nanoseconds: d.nanoseconds, offset: d.offset)
    }

    static func arithmetic(_ op: BinaryOperator, _ a: Value, _ b: Value) -> Value {
        switch (op, a, b) {
        case (.add, .number(let x), .number(let y)): return .number(x + y)
        case (.subtract, .number(let x), .number(let y)): return .number(x - y)
        case (.multiply, .number(let x), .number(let y)): return .number(x * y)
        case (.divide, .number(let x), .number(let y)): return y == 0 ? .null : .number(x / y)
        case (.power, .number(let x), .number(let y)):
            guard let n = Int(exactly: NSDecimalNumber(decimal: y).doubleValue), abs(n) <= 999 else {
                let r = Foundation.pow(NSDecimalNumber(decimal: x).doubleValue, NSDecimalNumber(decimal: y).doubleValue)
                return r.isFinite ? (Decimal(string: "\(r)").map(Value.number) ?? .null) : .null
            }
            if n >= 0 { return .number(pow(x, n)) }
            return x == 0 ? .null : .number(1 / pow(x, -n))
        case (.add, .string(let x), .string(let y)): return .string(x + y)
        case (.subtract, .date(let x), .date(let y)): return .dayTimeDuration(Decimal(x.epochDay - y.epochDay) * 86400)
        case (.subtract, .dateTime(let x), .dateTime(let y)): return .dayTimeDuration(seconds(x) - seconds(y))
        case (.add, .date(let d), .dayTimeDuration(let s)), (.add, .dayTimeDuration(let s), .date(let d)):
            return .date(shift(d, by: s))
        case (.subtract, .date(let d), .dayTimeDuration(let s)): return .date(shift(d, by: -s))
        case (.add, .date(let d), .yearMonthDuration(let m)), (.add, .yearMonthDuration(let m), .date(let d)): return .date(d.adding(months: m))
        case (.subtract, .date(let d), .yearMonthDuration(let m)): return .date(d.adding(months: -m))
        case (.add, .dateTime(let d), .dayTimeDuration(let s)), (.add, .dayTimeDuration(let s), .dateTime(let d)):
            return .dateTime(dateTime(seconds(d) + s, offset: d.offset))
        case (.subtract, .dateTime(let d), .dayTimeDuration(let s)): return .dateTime(dateTime(seconds(d) - s, offset: d.offset))
        case (.add, .dateTime(let d), .yearMonthDuration(let m)), (.add, .yearMonthDuration(let m), .dateTime(let d)): return .dateTime(addMonths(d, m))
        case (.subtract, .dateTime(let d), .yearMonthDuration(let m)): return .dateTime(addMonths(d, -m))
        case (.add, .dayTimeDuration(let x), .dayTimeDuration(let y)): return .dayTimeDuration(x + y)
        case (.subtract, .dayTimeDuration(let x), .dayTimeDuration(let y)): return .dayTimeDuration(x - y)
        case (.add, .yearMonthDuration(let x), .yearMonthDuration(let y)): return .yearMonthDuration(x + y)
        case (.subtract, .yearMonthDuration(let x), .yearMonthDuration(let y)): return .yearMonthDuration(x - y)
        case (.multiply, .dayTimeDuration(let s), .number(let n)), (.multiply, .number(let n), .dayTimeDuration(let s)): return .dayTimeDuration(s * n)
        case (.multiply, .yearMonthDuration(let m), .number(let n)), (.multiply, .number(let n), .yearMonthDuration(let m)):
            return .yearMonthDuration(NSDecimalNumber(decimal: Decimal(m) * n).intValue)
        case (.divide, .dayTimeDuration(let s), .number(let n)): return n == 0 ? .null : .dayTimeDuration(s / n)
        case (.divide, .yearMonthDuration(let m), .number(let n)): return n == 0 ? .null : .yearMonthDuration(NSDecimalNumber(decimal: Decimal(m) / n).intValue)
        case (.divide, .dayTimeDuration(let x), .dayTimeDuration(let y)): return y == 0 ? .null : .number(x / y)
        case (.divide, .yearMonthDuration(let x), .yearMonthDuration(let y)): return y == 0 ? .null : .number(Decimal(x) / Decimal(y))
        default: return .null
        }
    }

    /// A date moved by a days-time duration: FEEL takes the date's midnight, adds, and keeps the date,
    /// so `date - PT1H` is the day before.
    static func shift(_ d: LocalDate, by seconds: Decimal) -> LocalDate {
        var days = seconds / 86400, whole = Decimal()
        NSDecimalRound(&whole, &days, 0, .down)
        if whole > days { whole -= 1 }
        return LocalDate(epochDay: d.epochDay + NSDecimalNumber(decimal: whole).intValue)
    }

    static func property(_ v: Value, _ p: TemporalProperty) -> Value {
        switch (v, p) {
        case (.date(let d), .year): return .number(Decimal(d.year))
        case (.date(let d), .month): return .number(Decimal(d.month))
        case (.date(let d), .day): return .number(Decimal(d.day))
        case (.date(let d), .weekday): return .number(Decimal(d.weekday))
        case (.dateTime(let t), _):
            let (date, sod) = t.local
            switch p {
            case .year: return .number(Decimal(date.year))
            case .month: return .number(Decimal(date.month))
            case .day: return .number(Decimal(date.day))
            case .weekday: return .number(Decimal(date.weekday))
            case .hour: return .number(Decimal(sod / 3600))
            case .minute: return .number(Decimal((sod / 60) % 60))
            case .second: return .number(Decimal(sod % 60))
            case .date: return .date(date)
            default: return .null
            }
        case (.dayTimeDuration(let s), _):
            let total = NSDecimalNumber(decimal: s).int64Value
            switch p {
            case .days: return .number(Decimal(total / 86400))
            case .hours: return .number(Decimal((total % 86400) / 3600))
            case .minutes: return .number(Decimal((total % 3600) / 60))
            case .seconds: return .number(Decimal(total % 60))
            default: return .null
            }
        case (.yearMonthDuration(let m), .years): return .number(Decimal(m / 12))
        case (.yearMonthDuration(let m), .months): return .number(Decimal(m % 12))
        default: return .null
        }
    }
}
