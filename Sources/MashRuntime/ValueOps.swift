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
            case (.range(let l1, let h1, let lc1, let hc1), .range(let l2, let h2, let lc2, let hc2)):
                return .boolean(lc1 == lc2 && hc1 == hc2 && equal(l1, l2).isTrue && equal(h1, h2).isTrue)
            case (.dateTime(let x), .dateTime(let y)) where x.isLocal != y.isLocal: return .boolean(false)
            case (.time(let x), .time(let y)) where (x.offset == nil) != (y.offset == nil): return .boolean(false)
            default: return .null
            }
        }
    }

    /// Order of two values of the same ordered kind; nil when they cannot be ordered.
    static func compare(_ a: Value, _ b: Value) -> Int? {
        switch (a, b) {
        case (.number(let x), .number(let y)):
            return order(x, y)
        case (.string(let x), .string(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.date(let x), .date(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.dateTime(let x), .dateTime(let y)):
            guard x.isLocal == y.isLocal else { return nil }
            return x < y ? -1 : (x == y ? 0 : 1)
        case (.time(let x), .time(let y)):
            guard (x.offset == nil) == (y.offset == nil) else { return nil }
            return (x.normalized, x.nanoseconds) < (y.normalized, y.nanoseconds) ? -1 : (x == y ? 0 : 1)
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

    /// Whether an ordering operator holds for a comparison result (-1, 0, 1).
    @inline(__always) static func holds(_ op: BinaryOperator, _ c: Int) -> Bool {
        switch op {
        case .equal: return c == 0
        case .notEqual: return c != 0
        case .less: return c < 0
        case .lessOrEqual: return c <= 0
        case .greater: return c > 0
        case .greaterOrEqual: return c >= 0
        default: return false
        }
    }

    /// `.number(Decimal(n))`: for the counts and level ranks deciding makes for every referral, a
    /// value made once (making a decimal from an integer cost about 150 instructions).
    @inline(__always) static func count(_ n: Int) -> Value {
        n >= 0 && n < smallNumbers.count ? smallNumbers[n] : .number(Decimal(n))
    }

    private static let smallNumbers: [Value] = (0..<64).map { .number(Decimal($0)) }

    /// A decimal that is a whole number below 65,536 in magnitude, read from its bytes: Foundation's
    /// comparison of decimals showed in profiles, and rules mostly compare small counts (`>= 5`).
    /// Foundation keeps the parts internal, so the layout (an 8-bit exponent; a byte holding the
    /// length in its high four bits and the sign in bit 3; then 16-bit mantissa words from byte 4)
    /// is checked once against decimals Foundation made; if it does not hold, this always says nil
    /// and every comparison goes through Foundation.
    @inline(__always) static func smallInteger(_ d: Decimal) -> Int? {
        decimalLayoutKnown ? rawSmallInteger(d) : nil
    }

    private static func rawSmallInteger(_ d: Decimal) -> Int? {
        withUnsafeBytes(of: d) { b -> Int? in
            guard b.count == 20, b[0] == 0 else { return nil }
            let length = b[1] >> 4, negative = b[1] & 0x08 != 0
            if length == 0 { return negative ? nil : 0 }
            guard length == 1 else { return nil }
            let m = Int(b[4]) | Int(b[5]) << 8
            return negative ? -m : m
        }
    }

    /// The order of two decimals (-1, 0 or 1). Most numbers in records have few digits (`30.5`
    /// hours, a count): those are compared as integers at a common exponent, which gives Foundation's
    /// answer without its allocation; the rest go through Foundation.
    @inline(__always) static func order(_ x: Decimal, _ y: Decimal) -> Int {
        if decimalLayoutKnown, let a = rawSmallFixed(x), let b = rawSmallFixed(y) {
            if a.exponent == b.exponent { return a.mantissa < b.mantissa ? -1 : (a.mantissa == b.mantissa ? 0 : 1) }
            let (high, low, flip) = a.exponent > b.exponent ? (a, b, 1) : (b, a, -1)
            let gap = high.exponent - low.exponent
            if gap < powersOfTen.count {
                let (scaled, overflow) = high.mantissa.multipliedReportingOverflow(by: powersOfTen[gap])
                if !overflow { return flip * (scaled < low.mantissa ? -1 : (scaled == low.mantissa ? 0 : 1)) }
            }
        }
        return x < y ? -1 : (x == y ? 0 : 1)
    }

    private static let powersOfTen: [Int] = (0...18).map { k in (0..<k).reduce(1) { r, _ in r * 10 } }

    /// A decimal whose mantissa fits in 32 bits, as a signed mantissa and its power of ten
    /// (`30.5` is 305 and -1), read from its bytes as `rawSmallInteger` does; nil for others and NaN.
    private static func rawSmallFixed(_ d: Decimal) -> (mantissa: Int, exponent: Int)? {
        withUnsafeBytes(of: d) { b -> (mantissa: Int, exponent: Int)? in
            guard b.count == 20 else { return nil }
            let length = b[1] >> 4, negative = b[1] & 0x08 != 0
            if length == 0 { return negative ? nil : (0, 0) }
            guard length <= 2 else { return nil }
            var m = Int(b[4]) | Int(b[5]) << 8
            if length == 2 { m |= Int(b[6]) << 16 | Int(b[7]) << 24 }
            return (negative ? -m : m, Int(Int8(bitPattern: b[0])))
        }
    }

    private static let decimalLayoutKnown: Bool = {
        let cases: [(Decimal?, Int?)] = [
            (Decimal(0), 0), (Decimal(5), 5), (Decimal(-5), -5), (Decimal(65535), 65535), (Decimal(-65535), -65535),
            (Decimal(string: "-7"), -7), (Decimal(string: "301"), 301), (Decimal(65536), nil), (Decimal(string: "12.5"), nil),
            (Decimal(string: "0.5"), nil), (Decimal(string: "-0.25"), nil), (Decimal.nan, nil), (Decimal(string: "1234567.5"), nil),
        ]
        let fixed: [(Decimal?, Int, Int)] = [
            (Decimal(string: "12.5"), 125, -1), (Decimal(string: "-0.25"), -25, -2), (Decimal(string: "1234567.5"), 12345675, -1),
            (Decimal(65536), 65536, 0), (Decimal(string: "4294967295"), 4294967295, 0), (Decimal(string: "3e5"), 3, 5),
            (Decimal(string: "-30.5"), -305, -1),
        ]
        return cases.allSatisfy { d, expected in d.map { rawSmallInteger($0) == expected } ?? false }
            && fixed.allSatisfy { d, m, e in d.flatMap(rawSmallFixed).map { $0 == (m, e) } ?? false }
            && [Decimal(string: "4294967296"), Decimal.nan].allSatisfy { $0.map { rawSmallFixed($0) == nil } ?? false }
    }()

    /// `v` within `lo..hi` with the given ends; the high end is computed only when the low one passes.
    static func inRange(_ v: Value, _ lo: Value, _ hi: () -> Value, _ lowClosed: Bool, _ highClosed: Bool) -> Value {
        and(compare(lowClosed ? .greaterOrEqual : .greater, v, lo)) { compare(highClosed ? .lessOrEqual : .less, v, hi()) }
    }

    /// FEEL's `x in item`: a range tests membership, a list (beside a value that is not a list) is
    /// searched, anything else is compared for equality.
    static func matches(_ v: Value, _ item: Value) -> Value {
        switch item {
        case .range(let lo, let hi, let lc, let hc):
            if case .range = v { return equal(v, item) }
            return inRange(v, lo, { hi }, lc, hc)
        case .list(let l):
            if case .list = v { return equal(v, item) }
            var sawNull = false
            for x in l {
                switch matches(v, x) {
                case .boolean(true): return .boolean(true)
                case .null: sawNull = true
                default: break
                }
            }
            return sawNull && v.isNull ? .null : .boolean(false)
        default:
            let e = equal(v, item)
            return e.isNull ? .boolean(false) : e
        }
    }

    /// FEEL numbers are IEEE 754 decimal128: 34 significant digits. Foundation's Decimal holds up to 38,
    /// so a result longer than 34 digits (a division, a long product) is rounded half-even to 34.
    private static let decimal128Limit = Decimal(string: "1e34")!

    static func decimal128(_ d: Decimal) -> Decimal {
        // A mantissa below 10^34 has at most 34 digits: the common case is one comparison.
        guard d.significand >= decimal128Limit else { return d }
        let text = d.description
        var digits = text.utf8.drop { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: ".") }
            .filter { $0 != UInt8(ascii: ".") }.count
        // Digits before the point, or (negative) zeros after it before the first significant digit.
        let unsigned = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        let whole = unsigned.prefix { $0 != "." }
        let magnitudeDigits = whole == "0" ? -(unsigned.dropFirst(2).prefix { $0 == "0" }.count) : whole.count
        guard digits > 34 else { return d }
        digits = 34
        var copy = d, rounded = Decimal()
        NSDecimalRound(&rounded, &copy, digits - magnitudeDigits, .bankers)
        return rounded
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

    static func split(_ seconds: Decimal) -> (Int64, Int32) {
        var whole = seconds
        var rounded = Decimal()
        NSDecimalRound(&rounded, &whole, 0, .down)
        if rounded > seconds { rounded -= 1 }
        let nanos = NSDecimalNumber(decimal: (seconds - rounded) * 1_000_000_000).int32Value
        return (NSDecimalNumber(decimal: rounded).int64Value, nanos)
    }

    /// `d` moved by an exact number of seconds, in its own zone.
    static func dateTime(_ d: DateTime, plus delta: Decimal) -> DateTime {
        let (whole, nanos) = split(seconds(d) + delta)
        return d.moved(to: whole, nanoseconds: nanos)
    }

    static func parsedZone(_ d: DateTime) -> ParsedZone {
        switch d.zone {
        case .local: return .none
        case .offset: return .offset(d.offset)
        case .named(let id): return .named(id.name)
        }
    }

    static func addMonths(_ d: DateTime, _ months: Int) -> DateTime? {
        let (date, sod) = d.local
        return DateTime.make(date: date.adding(months: months), secondOfDay: sod, nanoseconds: d.nanoseconds, zone: parsedZone(d))
    }

    /// A date as a date-time: its midnight UTC (so beside a local date-time the difference is null).
    static func midnight(_ d: LocalDate) -> DateTime { DateTime(seconds: Int64(d.epochDay) * 86400, offset: 0, zone: .offset) }

    static func difference(_ x: DateTime, _ y: DateTime) -> Value {
        guard x.isLocal == y.isLocal else { return .null }
        return .dayTimeDuration(seconds(x) - seconds(y))
    }

    static func time(_ t: TimeOfDay, plus delta: Decimal) -> TimeOfDay {
        let total = Decimal(t.secondOfDay) + Decimal(Int(t.nanoseconds)) / 1_000_000_000 + delta
        let (whole, nanos) = split(total)
        let sod = Int(((whole % 86400) + 86400) % 86400)
        return TimeOfDay(secondOfDay: sod, nanoseconds: nanos, offset: t.offset, zone: t.zone)
    }

    static func arithmetic(_ op: BinaryOperator, _ a: Value, _ b: Value) -> Value {
        switch (op, a, b) {
        case (.add, .number(let x), .number(let y)): return .number(x + y)
        case (.subtract, .number(let x), .number(let y)): return .number(x - y)
        case (.multiply, .number(let x), .number(let y)): return .number(decimal128(x * y))
        case (.divide, .number(let x), .number(let y)): return y == 0 ? .null : .number(decimal128(x / y))
        case (.power, .number(let x), .number(let y)):
            guard let n = Int(exactly: NSDecimalNumber(decimal: y).doubleValue), abs(n) <= 999 else {
                let r = Foundation.pow(NSDecimalNumber(decimal: x).doubleValue, NSDecimalNumber(decimal: y).doubleValue)
                return r.isFinite ? (Decimal(string: "\(r)").map(Value.number) ?? .null) : .null
            }
            if n >= 0 { return .number(decimal128(pow(x, n))) }
            return x == 0 ? .null : .number(decimal128(1 / pow(x, -n)))
        case (.add, .string(let x), .string(let y)): return .string(x + y)
        case (.subtract, .date(let x), .date(let y)): return .dayTimeDuration(Decimal(x.epochDay - y.epochDay) * 86400)
        case (.subtract, .dateTime(let x), .dateTime(let y)): return difference(x, y)
        case (.subtract, .dateTime(let x), .date(let y)): return difference(x, midnight(y))
        case (.subtract, .date(let x), .dateTime(let y)): return difference(midnight(x), y)
        case (.subtract, .time(let x), .time(let y)):
            guard (x.offset == nil) == (y.offset == nil) else { return .null }
            return .dayTimeDuration(Decimal(x.normalized - y.normalized) + Decimal(Int(x.nanoseconds) - Int(y.nanoseconds)) / 1_000_000_000)
        case (.add, .time(let t), .dayTimeDuration(let s)), (.add, .dayTimeDuration(let s), .time(let t)): return .time(time(t, plus: s))
        case (.subtract, .time(let t), .dayTimeDuration(let s)): return .time(time(t, plus: -s))
        case (.add, .date(let d), .dayTimeDuration(let s)), (.add, .dayTimeDuration(let s), .date(let d)):
            return .date(shift(d, by: s))
        case (.subtract, .date(let d), .dayTimeDuration(let s)): return .date(shift(d, by: -s))
        case (.add, .date(let d), .yearMonthDuration(let m)), (.add, .yearMonthDuration(let m), .date(let d)): return .date(d.adding(months: m))
        case (.subtract, .date(let d), .yearMonthDuration(let m)): return .date(d.adding(months: -m))
        case (.add, .dateTime(let d), .dayTimeDuration(let s)), (.add, .dayTimeDuration(let s), .dateTime(let d)):
            return .dateTime(dateTime(d, plus: s))
        case (.subtract, .dateTime(let d), .dayTimeDuration(let s)): return .dateTime(dateTime(d, plus: -s))
        case (.add, .dateTime(let d), .yearMonthDuration(let m)), (.add, .yearMonthDuration(let m), .dateTime(let d)):
            return addMonths(d, m).map(Value.dateTime) ?? .null
        case (.subtract, .dateTime(let d), .yearMonthDuration(let m)): return addMonths(d, -m).map(Value.dateTime) ?? .null
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
            case .time: return .time(t.timeOfDay)
            case .timeOffset: return t.isLocal ? .null : .dayTimeDuration(Decimal(Int(t.offset)))
            case .timezone: if case .named(let id) = t.zone { return .string(id.name) }; return .null
            default: return .null
            }
        case (.time(let t), _):
            switch p {
            case .hour: return .number(Decimal(t.secondOfDay / 3600))
            case .minute: return .number(Decimal((t.secondOfDay / 60) % 60))
            case .second: return .number(Decimal(t.secondOfDay % 60) + Decimal(Int(t.nanoseconds)) / 1_000_000_000)
            case .timeOffset: return t.offset.map { .dayTimeDuration(Decimal(Int($0))) } ?? .null
            case .timezone: if case .named(let id) = t.zone { return .string(id.name) }; return .null
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
