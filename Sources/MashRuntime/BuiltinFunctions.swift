import Foundation
import MashChecker
import MashSchema

/// Run-time behaviour of the built-in functions; a wrong argument gives null (FEEL).
enum BuiltinFunctions {
    static func numbers(_ args: [Value]) -> [Decimal]? {
        let items: [Value]
        if args.count == 1, case .list(let l) = args[0] { items = l } else { items = args }
        var out: [Decimal] = []
        for v in items {
            guard case .number(let n) = v else { return nil }
            out.append(n)
        }
        return out
    }

    static func items(_ args: [Value]) -> [Value]? {
        if args.count == 1 { if case .list(let l) = args[0] { return l }; return nil }
        return args
    }

    static func text(_ v: Value) -> String? { if case .string(let s) = v { return s }; return nil }
    static func number(_ v: Value) -> Decimal? { if case .number(let n) = v { return n }; return nil }

    /// `years and months duration(from, to)`: the whole months from one date (or date-time, at its
    /// own offset) to the other, null unless both are dates.
    static func yearsAndMonthsDuration(_ a: Value, _ b: Value) -> Value {
        func date(_ v: Value) -> LocalDate? {
            switch v {
            case .date(let d): return d
            case .dateTime(let t): return t.local.date
            default: return nil
            }
        }
        guard let from = date(a), let to = date(b) else { return .null }
        var months = (to.year - from.year) * 12 + (to.month - from.month)
        if months > 0, to.day < from.day { months -= 1 }
        if months < 0, to.day > from.day { months += 1 }
        return .yearMonthDuration(months)
    }

    static func call(_ f: Builtin, _ args: [Value]) -> Value {
        switch f {
        case .count:
            guard case .list(let l)? = args.first else { return .null }
            return ValueOps.count(l.count)
        case .sum:
            guard let n = numbers(args) else { return .null }
            return n.isEmpty ? .null : .number(n.reduce(0, +))
        case .mean:
            guard let n = numbers(args), !n.isEmpty else { return .null }
            return .number(ValueOps.decimal128(n.reduce(0, +) / Decimal(n.count)))
        case .min, .max:
            guard let list = items(args), var best = list.first else { return .null }
            for v in list.dropFirst() {
                guard let c = ValueOps.compare(v, best) else { return .null }
                if (f == .min && c < 0) || (f == .max && c > 0) { best = v }
            }
            if list.count == 1, ValueOps.compare(best, best) == nil { return .null }
            return best
        case .all, .any:
            let list = items(args) ?? args
            var sawNull = false
            for v in list {
                guard case .boolean(let b) = v else { sawNull = true; continue }
                if f == .all && !b { return .boolean(false) }
                if f == .any && b { return .boolean(true) }
            }
            return sawNull ? .null : .boolean(f == .all)
        case .stringLength:
            guard let s = text(args[0]) else { return .null }
            return .number(Decimal(s.unicodeScalars.count))
        case .upperCase:
            return text(args[0]).map { .string($0.uppercased()) } ?? .null
        case .lowerCase:
            return text(args[0]).map { .string($0.lowercased()) } ?? .null
        case .contains, .startsWith, .endsWith:
            guard let s = text(args[0]), let p = text(args[1]) else { return .null }
            switch f {
            case .contains: return .boolean(p.isEmpty || s.contains(p))
            case .startsWith: return .boolean(s.hasPrefix(p))
            default: return .boolean(s.hasSuffix(p))
            }
        case .substring:
            guard let s = text(args[0]), let startD = number(args[1]) else { return .null }
            let scalars = Array(s.unicodeScalars)
            let start = NSDecimalNumber(decimal: startD).intValue
            let from = start > 0 ? start - 1 : scalars.count + start
            guard from >= 0, from <= scalars.count else { return .null }
            var to = scalars.count
            if args.count == 3 {
                guard let len = number(args[2]) else { return .null }
                to = min(scalars.count, from + max(0, NSDecimalNumber(decimal: len).intValue))
            }
            var out = String.UnicodeScalarView()
            out.append(contentsOf: scalars[from..<to])
            return .string(String(out))
        case .substringBefore, .substringAfter:
            guard let s = text(args[0]), let p = text(args[1]) else { return .null }
            guard !p.isEmpty, let r = s.range(of: p) else { return .string(f == .substringAfter && p.isEmpty ? s : "") }
            return .string(f == .substringBefore ? String(s[..<r.lowerBound]) : String(s[r.upperBound...]))
        case .listContains:
            guard case .list(let l) = args[0] else { return .null }
            return .boolean(l.contains { ValueOps.equal($0, args[1]).isTrue })
        case .distinctValues:
            guard case .list(let l) = args[0] else { return .null }
            var out: [Value] = []
            for v in l where !out.contains(where: { ValueOps.equal($0, v).isTrue }) { out.append(v) }
            return .list(out)
        case .date:
            if args.count == 3 {
                guard let y = number(args[0]), let m = number(args[1]), let d = number(args[2]),
                      let date = LocalDate(year: NSDecimalNumber(decimal: y).intValue, month: NSDecimalNumber(decimal: m).intValue,
                                           day: NSDecimalNumber(decimal: d).intValue) else { return .null }
                return .date(date)
            }
            switch args[0] {
            case .string(let s): return (LocalDate.parse(s).map(Value.date)) ?? .null
            case .dateTime(let t): return .date(t.local.date)
            case .date: return args[0]
            default: return .null
            }
        case .dateAndTime:
            if args.count == 2 {
                let date: LocalDate
                switch args[0] {
                case .date(let d): date = d
                case .dateTime(let t): date = t.local.date
                default: return .null
                }
                guard case .time(let t) = args[1] else { return .null }
                let zone: ParsedZone
                switch t.zone {
                case .local: zone = .none
                case .offset: zone = .offset(t.offset ?? 0)
                case .named(let id): zone = .named(id.name)
                }
                return DateTime.make(date: date, secondOfDay: t.secondOfDay, nanoseconds: t.nanoseconds, zone: zone).map(Value.dateTime) ?? .null
            }
            switch args[0] {
            case .string(let s): return DateTime.parse(s, allowLocal: true).map(Value.dateTime) ?? .null
            case .dateTime: return args[0]
            case .date(let d): return .dateTime(DateTime(seconds: Int64(d.epochDay) * 86400, zone: .local))
            default: return .null
            }
        case .time:
            return TemporalFunctions.time(args)
        case .duration:
            guard let s = text(args[0]), let d = Durations.parse(s) else { return .null }
            if let m = d.months { return .yearMonthDuration(m) }
            return .dayTimeDuration(d.seconds ?? 0)
        case .yearsAndMonthsDuration:
            return yearsAndMonthsDuration(args[0], args[1])
        case .abs:
            switch args[0] {
            case .number(let n): return .number(n < 0 ? -n : n)
            case .dayTimeDuration(let s): return .dayTimeDuration(s < 0 ? -s : s)
            case .yearMonthDuration(let m): return .yearMonthDuration(Swift.abs(m))
            default: return .null
            }
        case .floor, .ceiling:
            guard var n = number(args[0]) else { return .null }
            var scale = 0
            if args.count == 2 {
                guard let s = number(args[1]), let k = Int(exactly: NSDecimalNumber(decimal: s).doubleValue), (-6111...6176).contains(k) else { return .null }
                scale = k
            }
            var r = Decimal()
            NSDecimalRound(&r, &n, scale, f == .floor ? .down : .up)
            return .number(r)
        case .string:
            if case .null = args[0] { return .null }
            if case .string = args[0] { return args[0] }
            return .string(ValueText.render(args[0]))
        case .modulo:
            // FEEL: dividend - divisor * floor(dividend / divisor); the result takes the divisor's sign.
            guard let a = number(args[0]), let b = number(args[1]), b != 0 else { return .null }
            var q = a / b, r = Decimal()
            NSDecimalRound(&r, &q, 0, .down)
            if r > a / b { r -= 1 }
            return .number(a - b * r)
        case .sqrt, .log, .exp:
            guard let n = number(args[0]) else { return .null }
            let d = NSDecimalNumber(decimal: n).doubleValue
            if f == .sqrt, d < 0 { return .null }
            if f == .log, d <= 0 { return .null }
            let r = f == .sqrt ? Foundation.sqrt(d) : f == .log ? Foundation.log(d) : Foundation.exp(d)
            guard r.isFinite else { return .null }
            return Decimal(string: "\(r)").map(Value.number) ?? .null
        case .even, .odd:
            guard let n = number(args[0]) else { return .null }
            var whole = n, r = Decimal()
            NSDecimalRound(&r, &whole, 0, .plain)
            guard r == n else { return .null }
            let isEven = NSDecimalNumber(decimal: n).int64Value % 2 == 0
            return .boolean(f == .even ? isEven : !isEven)
        case .median:
            guard let n = numbers(args), !n.isEmpty else { return .null }
            let sorted = n.sorted()
            return .number(sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2)
        case .product:
            guard let n = numbers(args), !n.isEmpty else { return .null }
            return .number(n.reduce(1, *))
        case .decimal, .roundUp, .roundDown, .roundHalfUp, .roundHalfDown:
            guard var n = number(args[0]), let s = number(args[1]) else { return .null }
            let scale = Int(NSDecimalNumber(decimal: s).doubleValue.rounded(.towardZero))
            guard (-6111...6176).contains(scale) else { return .null }
            let negative = n < 0
            var r = Decimal()
            switch f {
            case .decimal: NSDecimalRound(&r, &n, scale, .bankers)
            case .roundHalfUp: NSDecimalRound(&r, &n, scale, .plain)
            case .roundHalfDown:
                // Half away from zero is `.plain`; half towards zero needs the tie handled.
                var up = Decimal(), down = Decimal(), copy = n
                NSDecimalRound(&up, &copy, scale, .plain)
                copy = n
                NSDecimalRound(&down, &copy, scale, negative ? .up : .down)
                var half = Decimal(5)
                var exponent = Decimal(1)
                for _ in 0..<max(0, scale + 1) { exponent /= 10 }
                half *= exponent
                r = abs(n - down) == half ? down : up
            default:
                // Round up: away from zero; round down: towards zero.
                let away = f == .roundUp
                NSDecimalRound(&r, &n, scale, negative ? (away ? .down : .up) : (away ? .up : .down))
            }
            return .number(r)
        case .number:
            // FEEL: number(text) or number(text, grouping, decimal); grouping is a space, comma or
            // period, decimal a period or comma, and the two differ.
            guard case .string(var s) = args[0], args.count == 1 || args.count == 3 else { return .null }
            if args.count == 3 {
                var grouping: String?, point: String?
                switch args[1] {
                case .null: break
                case .string(let g) where [" ", ",", "."].contains(g): grouping = g
                default: return .null
                }
                switch args[2] {
                case .null: break
                case .string(let d) where [".", ","].contains(d): point = d
                default: return .null
                }
                if let grouping, grouping == point { return .null }
                if let grouping { s = s.replacingOccurrences(of: grouping, with: "") }
                if let point, point != "." { s = s.replacingOccurrences(of: point, with: ".") }
            }
            guard !s.isEmpty, s.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" || $0 == "e" || $0 == "E" }),
                  let n = Decimal(string: s) else { return .null }
            return .number(n)
        case .stringJoin:
            let items: [Value]
            switch args[0] {
            case .list(let l): items = l
            case .string: items = [args[0]]
            default: return .null
            }
            var separator = ""
            if args.count == 2 {
                switch args[1] {
                case .null: break
                case .string(let sep): separator = sep
                default: return .null
                }
            }
            var parts: [String] = []
            for item in items {
                switch item {
                case .null: continue
                case .string(let s): parts.append(s)
                default: return .null
                }
            }
            return .string(parts.joined(separator: separator))
        case .dayOfWeek:
            let names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
            switch args[0] {
            case .date(let d): return .string(names[d.weekday - 1])
            case .dateTime(let t): return .string(names[t.local.date.weekday - 1])
            default: return .null
            }
        case .dayOfYear, .weekOfYear, .monthOfYear:
            return TemporalFunctions.calendar(f, args[0])
        case .is, .replace, .matches, .split:
            return TextFunctions.call(f, args)
        case .mode, .stddev, .append, .concatenate, .insertBefore, .remove, .reverse, .indexOf, .union, .sublist, .flatten, .listReplace:
            return ListFunctions.call(f, args)
        }
    }
}
