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

    static func call(_ f: Builtin, _ args: [Value]) -> Value {
        switch f {
        case .count:
            guard case .list(let l)? = args.first else { return .null }
            return .number(Decimal(l.count))
        case .sum:
            guard let n = numbers(args) else { return .null }
            return n.isEmpty ? .null : .number(n.reduce(0, +))
        case .mean:
            guard let n = numbers(args), !n.isEmpty else { return .null }
            return .number(n.reduce(0, +) / Decimal(n.count))
        case .min, .max:
            guard let list = items(args), var best = list.first else { return .null }
            for v in list.dropFirst() {
                guard let c = ValueOps.compare(v, best) else { return .null }
                if (f == .min && c < 0) || (f == .max && c > 0) { best = v }
            }
            if list.count == 1, ValueOps.compare(best, best) == nil { return .null }
            return best
        case .all, .any:
            guard let list = items(args) else { return .null }
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
            case .string(let s): return (LocalDate.parse(s).map(Value.date)) ?? (DateTime.parse(s).map { .date($0.local.date) } ?? .null)
            case .dateTime(let t): return .date(t.local.date)
            case .date: return args[0]
            default: return .null
            }
        case .dateAndTime:
            return text(args[0]).flatMap(DateTime.parse).map(Value.dateTime) ?? .null
        case .duration:
            guard let s = text(args[0]), let d = Durations.parse(s) else { return .null }
            if let m = d.months { return .yearMonthDuration(m) }
            return .dayTimeDuration(d.seconds ?? 0)
        case .yearsAndMonthsDuration:
            func date(_ v: Value) -> LocalDate? {
                switch v {
                case .date(let d): return d
                case .dateTime(let t): return t.local.date
                default: return nil
                }
            }
            guard let from = date(args[0]), let to = date(args[1]) else { return .null }
            var months = (to.year - from.year) * 12 + (to.month - from.month)
            if months > 0, to.day < from.day { months -= 1 }
            if months < 0, to.day > from.day { months += 1 }
            return .yearMonthDuration(months)
        case .abs:
            switch args[0] {
            case .number(let n): return .number(n < 0 ? -n : n)
            case .dayTimeDuration(let s): return .dayTimeDuration(s < 0 ? -s : s)
            case .yearMonthDuration(let m): return .yearMonthDuration(Swift.abs(m))
            default: return .null
            }
        case .floor, .ceiling:
            guard var n = number(args[0]) else { return .null }
            var r = Decimal()
            NSDecimalRound(&r, &n, 0, f == .floor ? .down : .up)
            return .number(r)
        case .string:
            if case .null = args[0] { return .null }
            if case .string = args[0] { return args[0] }
            return .string(ValueText.render(args[0]))
        case .dayOfWeek:
            let names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
            switch args[0] {
            case .date(let d): return .string(names[d.weekday - 1])
            case .dateTime(let t): return .string(names[t.local.date.weekday - 1])
            default: return .null
            }
        }
    }
}
