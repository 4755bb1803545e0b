import Foundation
import MashChecker
import MashSchema

/// FEEL's time and calendar functions. A wrong argument gives null.
enum TemporalFunctions {
    static func whole(_ v: Value) -> Int? {
        guard case .number(let n) = v, let i = Int(exactly: NSDecimalNumber(decimal: n).doubleValue), Decimal(i) == n else { return nil }
        return i
    }

    /// `time(text)`, `time(date-time)`, `time(date)` (midnight UTC), or `time(hour, minute, second, offset)`.
    static func time(_ args: [Value]) -> Value {
        if args.count == 1 {
            switch args[0] {
            case .string(let s): return TimeOfDay.parse(s).map(Value.time) ?? .null
            case .dateTime(let t): return .time(t.timeOfDay)
            case .date: return .time(TimeOfDay(secondOfDay: 0, offset: 0, zone: .offset))
            case .time: return args[0]
            default: return .null
            }
        }
        guard args.count >= 3, let h = whole(args[0]), let m = whole(args[1]), case .number(let sec) = args[2],
              (0..<24).contains(h), (0..<60).contains(m), sec >= 0, sec < 60 else { return .null }
        let (wholeSeconds, nanos) = ValueOps.split(sec)
        let sod = h * 3600 + m * 60 + Int(wholeSeconds)
        if args.count == 4 {
            switch args[3] {
            case .null: break
            case .dayTimeDuration(let o):
                guard let offset = Int32(exactly: NSDecimalNumber(decimal: o).doubleValue), Swift.abs(offset) <= 18 * 3600 else { return .null }
                return .time(TimeOfDay(secondOfDay: sod, nanoseconds: nanos, offset: offset, zone: .offset))
            default: return .null
            }
        }
        return .time(TimeOfDay(secondOfDay: sod, nanoseconds: nanos))
    }

    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    /// `day of year`, `week of year` (ISO 8601) and `month of year` of a date or date-time.
    static func calendar(_ f: Builtin, _ v: Value) -> Value {
        let date: LocalDate
        switch v {
        case .date(let d): date = d
        case .dateTime(let t): date = t.local.date
        default: return .null
        }
        switch f {
        case .dayOfYear:
            guard let jan1 = LocalDate(year: date.year, month: 1, day: 1) else { return .null }
            return .number(Decimal(date.epochDay - jan1.epochDay + 1))
        case .weekOfYear:
            // The week holding the year's first Thursday is week 1.
            let thursday = LocalDate(epochDay: date.epochDay - date.weekday + 4)
            guard let jan1 = LocalDate(year: thursday.year, month: 1, day: 1) else { return .null }
            return .number(Decimal((thursday.epochDay - jan1.epochDay) / 7 + 1))
        default:
            return .string(months[date.month - 1])
        }
    }
}

/// FEEL's text functions that use regular expressions (XML Schema flavour, run by ICU), and `is`.
enum TextFunctions {
    static func call(_ f: Builtin, _ args: [Value]) -> Value {
        switch f {
        case .is:
            // The same kind of value and equal, a date-time's zone included.
            switch (args[0], args[1]) {
            case (.dateTime(let a), .dateTime(let b)): return .boolean(a == b && a.zone == b.zone && a.offset == b.offset)
            case (.time(let a), .time(let b)): return .boolean(a == b && a.zone == b.zone && a.offset == b.offset)
            default:
                guard kind(args[0]) == kind(args[1]) else { return .boolean(false) }
                return .boolean(ValueOps.equal(args[0], args[1]).isTrue)
            }
        case .matches:
            guard case .string(let input) = args[0], case .string(let pattern) = args[1] else { return .null }
            guard let flags = flags(args.count > 2 ? args[2] : .null), let regex = regex(pattern, flags) else { return .null }
            let range = NSRange(input.startIndex..., in: input)
            return .boolean(regex.firstMatch(in: input, range: range) != nil)
        case .replace:
            guard case .string(let input) = args[0], case .string(let pattern) = args[1], case .string(let replacement) = args[2] else { return .null }
            guard let flags = flags(args.count > 3 ? args[3] : .null), let regex = regex(pattern, flags) else { return .null }
            // XPath: a pattern that matches the empty text is an error.
            if regex.firstMatch(in: "", range: NSRange(location: 0, length: 0)) != nil { return .null }
            let template = flags.contains("q") ? NSRegularExpression.escapedTemplate(for: replacement) : replacement
            return .string(regex.stringByReplacingMatches(in: input, range: NSRange(input.startIndex..., in: input), withTemplate: template))
        default: // split
            guard case .string(let input) = args[0], case .string(let pattern) = args[1], let regex = regex(pattern, "") else { return .null }
            var parts: [Value] = []
            var last = input.startIndex
            for m in regex.matches(in: input, range: NSRange(input.startIndex..., in: input)) {
                guard let r = Range(m.range, in: input), !r.isEmpty else { continue }
                parts.append(.string(String(input[last..<r.lowerBound])))
                last = r.upperBound
            }
            parts.append(.string(String(input[last...])))
            return .list(parts)
        }
    }

    static func kind(_ v: Value) -> Int {
        switch v {
        case .null: return 0
        case .boolean: return 1
        case .number: return 2
        case .string: return 3
        case .date: return 4
        case .dateTime: return 5
        case .time: return 6
        case .dayTimeDuration: return 7
        case .yearMonthDuration: return 8
        case .list: return 9
        case .record: return 10
        case .range: return 11
        }
    }

    static func flags(_ v: Value) -> String? {
        switch v {
        case .null: return ""
        case .string(let s) where s.allSatisfy({ "smixq".contains($0) }): return s
        default: return nil
        }
    }

    /// XML Schema to ICU, character by character: whitespace outside classes dropped (flag `x`), class
    /// subtraction `[a-z-[aeiou]]` written as ICU's `[a-z--[aeiou]]`, block names `\p{IsX}` as `\p{InX}`.
    static func translate(_ pattern: String, dropWhitespace: Bool) -> String {
        var out = ""
        var depth = 0
        var escaped = false
        for ch in pattern {
            if escaped {
                if dropWhitespace && depth == 0 && ch.isWhitespace { continue }
                out.append(ch); escaped = false; continue
            }
            switch ch {
            case "\\": out.append(ch); escaped = true
            case "[":
                if depth > 0, out.hasSuffix("-") { out.append("-") }
                depth += 1; out.append(ch)
            case "]": depth = max(0, depth - 1); out.append(ch)
            case " ", "\t", "\n", "\r":
                if !(dropWhitespace && depth == 0) { out.append(ch) }
            default: out.append(ch)
            }
        }
        return out.replacingOccurrences(of: "\\p{Is", with: "\\p{In").replacingOccurrences(of: "\\P{Is", with: "\\P{In")
    }

    /// Translates an XML Schema pattern to ICU: block names `\p{IsX}` become `\p{InX}`; flag `x` drops
    /// whitespace, `q` takes the pattern literally.
    static func regex(_ pattern: String, _ flags: String) -> NSRegularExpression? {
        var p = pattern
        if flags.contains("q") {
            p = NSRegularExpression.escapedPattern(for: p)
        } else {
            p = translate(p, dropWhitespace: flags.contains("x"))
        }
        var options: NSRegularExpression.Options = []
        if flags.contains("i") { options.insert(.caseInsensitive) }
        if flags.contains("s") { options.insert(.dotMatchesLineSeparators) }
        if flags.contains("m") { options.insert(.anchorsMatchLines) }
        return try? NSRegularExpression(pattern: p, options: options)
    }
}

/// FEEL's list functions. A value that is not a list counts as a list of one (FEEL's singleton coercion).
enum ListFunctions {
    static func list(_ v: Value) -> [Value]? {
        switch v {
        case .list(let l): return l
        case .null: return nil
        default: return [v]
        }
    }

    /// A position counted from 1, or from the end when negative; nil when outside the list.
    static func position(_ v: Value, count: Int, allowEnd: Bool = false) -> Int? {
        guard case .number(let n) = v else { return nil }
        let p = Int(NSDecimalNumber(decimal: n).doubleValue.rounded(.towardZero))
        if p > 0, p <= count + (allowEnd ? 1 : 0) { return p - 1 }
        if p < 0, -p <= count { return count + p }
        return nil
    }

    static func numbers(_ args: [Value]) -> [Decimal]? {
        let items: [Value]
        if args.count == 1 { guard let l = list(args[0]) else { return nil }; items = l } else { items = args }
        var out: [Decimal] = []
        for v in items {
            guard case .number(let n) = v else { return nil }
            out.append(n)
        }
        return out
    }

    static func call(_ f: Builtin, _ args: [Value]) -> Value {
        switch f {
        case .mode:
            guard let n = numbers(args) else { return .null }
            var counts: [Decimal: Int] = [:]
            for x in n { counts[x, default: 0] += 1 }
            let top = counts.values.max() ?? 0
            return .list(counts.filter { $0.value == top }.keys.sorted().map(Value.number))
        case .stddev:
            guard let n = numbers(args), n.count >= 2 else { return .null }
            let mean = n.reduce(0, +) / Decimal(n.count)
            let variance = n.reduce(Decimal(0)) { $0 + ($1 - mean) * ($1 - mean) } / Decimal(n.count - 1)
            return .number(ValueOps.decimal128(squareRoot(variance)))
        case .append:
            guard let l = list(args[0]) else { return .null }
            return .list(l + args.dropFirst())
        case .concatenate:
            var out: [Value] = []
            for a in args {
                guard case .list(let l) = a else { return .null }
                out += l
            }
            return .list(out)
        case .union:
            var out: [Value] = []
            for a in args {
                guard let l = list(a) else { return .null }
                for v in l where !out.contains(where: { ValueOps.equal($0, v).isTrue }) { out.append(v) }
            }
            return .list(out)
        case .insertBefore:
            guard var l = list(args[0]), let p = position(args[1], count: l.count) else { return .null }
            l.insert(args[2], at: p)
            return .list(l)
        case .listReplace:
            guard var l = list(args[0]), let p = position(args[1], count: l.count) else { return .null }
            l[p] = args[2]
            return .list(l)
        case .remove:
            guard var l = list(args[0]), let p = position(args[1], count: l.count) else { return .null }
            l.remove(at: p)
            return .list(l)
        case .reverse:
            return list(args[0]).map { .list($0.reversed()) } ?? .null
        case .indexOf:
            guard let l = list(args[0]) else { return .null }
            return .list(l.indices.filter { ValueOps.equal(l[$0], args[1]).isTrue }.map { .number(Decimal($0 + 1)) })
        case .sublist:
            guard let l = list(args[0]), let start = position(args[1], count: l.count) else { return .null }
            var end = l.count
            if args.count == 3 {
                guard case .number(let n) = args[2], let length = Int(exactly: NSDecimalNumber(decimal: n).doubleValue), length >= 0,
                      start + length <= l.count else { return .null }
                end = start + length
            }
            return .list(Array(l[start..<end]))
        default: // flatten
            guard let l = list(args[0]) else { return .null }
            func flat(_ items: [Value]) -> [Value] { items.flatMap { if case .list(let inner) = $0 { return flat(inner) }; return [$0] } }
            return .list(flat(l))
        }
    }

    /// Square root to Decimal's precision: Newton's method from the Double estimate.
    static func squareRoot(_ x: Decimal) -> Decimal {
        guard x > 0 else { return 0 }
        var r = Decimal(Foundation.sqrt(NSDecimalNumber(decimal: x).doubleValue))
        for _ in 0..<6 { r = (r + x / r) / 2 }
        return r
    }
}
