import Foundation
import MashCore
import MashSchema
import MashSyntax

extension CheckSession {
    /// The type of several lists joined: their common element, or unknown.
    func unifiedList(_ types: [MType]) -> MType {
        var element: MType?
        for t in types {
            guard case .list(let e) = t else { return .list(.unknown) }
            if e.isLenient { continue }
            if element == nil { element = e } else if element != e { return .list(.unknown) }
        }
        return .list(element ?? .unknown)
    }

    func call(_ name: Identifier, _ args: [Expr], _ span: Span, _ scope: Scope, _ facts: inout [FactPath]) -> TypedExpr {
        let typed = args.map { check($0, scope, &facts) }
        guard let builtin = Builtin(rawValue: name.name) else {
            diagnostics.append(Diagnostic(code: "unknown-function", message: "unknown function `\(name.name)`", span: name.span,
                                          help: CheckerMessages.didYouMean(name.name, Builtin.allCases.map(\.rawValue))
                                            ?? "the functions are: \(Builtin.allCases.map(\.rawValue).joined(separator: ", "))"))
            return TypedExpr(.constant(.null), .unknown, span)
        }
        var ok = true
        func fail(_ message: String) {
            if ok { diagnostics.append(Diagnostic(code: "bad-arguments", message: message, span: span)) }
            ok = false
        }
        func arity(_ counts: ClosedRange<Int>) {
            if !counts.contains(typed.count) {
                let expected = counts.lowerBound == counts.upperBound ? "\(counts.lowerBound)" : "\(counts.lowerBound) to \(counts.upperBound)"
                fail("`\(builtin.rawValue)` takes \(expected) argument\(counts.upperBound == 1 ? "" : "s"), not \(typed.count)")
            }
        }
        func expect(_ i: Int, _ what: String, _ accepts: (MType) -> Bool) {
            guard i < typed.count, !typed[i].type.isLenient, !accepts(typed[i].type) else { return }
            diagnostics.append(CheckerMessages.typeMismatch(
                "argument \(i + 1) of `\(builtin.rawValue)` must be \(what), but `\(text(typed[i].span))` is \(typed[i].type)", span: typed[i].span))
        }
        let isList: (MType) -> Bool = { if case .list = $0 { return true }; return false }
        let isText: (MType) -> Bool = { $0.isTextual }
        let isNumber: (MType) -> Bool = { $0 == .number }
        let isDateLike: (MType) -> Bool = { $0 == .date || $0 == .dateTime }
        var element: MType { if typed.count == 1, case .list(let e) = typed[0].type { return e }; return .unknown }
        var result: MType
        switch builtin {
        case .count:
            arity(1...1); expect(0, "a list", isList); result = .number
        case .sum, .mean:
            if typed.count == 1 { expect(0, "a list of numbers", { if case .list(let e) = $0 { return e == .number || e.isLenient }; return false }) }
            else { arity(1...64); for i in typed.indices { expect(i, "a number", isNumber) } }
            result = .number
        case .min, .max:
            if typed.count == 1 {
                expect(0, "a list", isList)
                result = element
            } else {
                arity(1...64)
                result = typed.first.map(\.type) ?? .unknown
            }
        case .all, .any:
            arity(1...64)
            if typed.count == 1 {
                expect(0, "a list of true/false values", { if case .list(let e) = $0 { return e == .boolean || e.isLenient }; return $0 == .boolean })
            }
            result = .boolean
        case .stringLength:
            arity(1...1); expect(0, "text", isText); result = .number
        case .upperCase, .lowerCase:
            arity(1...1); expect(0, "text", isText); result = .string
        case .contains, .startsWith, .endsWith:
            arity(2...2); expect(0, "text", isText); expect(1, "text", isText); result = .boolean
        case .substring:
            arity(2...3); expect(0, "text", isText); expect(1, "a number", isNumber); expect(2, "a number", isNumber); result = .string
        case .substringBefore, .substringAfter:
            arity(2...2); expect(0, "text", isText); expect(1, "text", isText); result = .string
        case .listContains:
            arity(2...2); expect(0, "a list", isList); result = .boolean
        case .distinctValues:
            arity(1...1); expect(0, "a list", isList); result = typed.first?.type ?? .unknown
        case .date:
            if typed.count == 3 {
                for i in 0..<3 { expect(i, "a number", isNumber) }
            } else {
                arity(1...1)
                expect(0, "text or a date-time", { $0.isTextual || $0 == .dateTime || $0 == .date })
                if case .constant(.string(let s))? = typed.first?.node, LocalDate.parse(s) == nil, DateTime.parse(s) == nil {
                    fail("\"\(s)\" is not a date; write it as YYYY-MM-DD")
                }
            }
            result = .date
        case .dateAndTime:
            arity(1...2)
            if typed.count == 1 {
                expect(0, "text", isText)
                if case .constant(.string(let s))? = typed.first?.node, DateTime.parse(s, allowLocal: true) == nil {
                    fail("\"\(s)\" is not a date-time; write it as 2026-03-02T09:15:00Z, with an offset like +01:00, or a zone like @Europe/London")
                }
            } else {
                expect(0, "a date", isDateLike); expect(1, "a time", { $0 == .time })
            }
            result = .dateTime
        case .time:
            arity(1...4)
            if typed.count == 1 {
                expect(0, "text, a date or a date-time", { $0.isTextual || isDateLike($0) || $0 == .time })
                if case .constant(.string(let s))? = typed.first?.node, TimeOfDay.parse(s) == nil {
                    fail("\"\(s)\" is not a time; write it as 09:15:00, 09:15:00Z or 09:15:00@Europe/London")
                }
            } else {
                arity(3...4)
                for i in 0..<3 { expect(i, "a number", isNumber) }
                expect(3, "a days-time duration", { $0 == .dayTimeDuration || $0 == .anyDuration })
            }
            result = .time
        case .is:
            arity(2...2); result = .boolean
        case .replace:
            arity(3...4); for i in typed.indices { expect(i, "text", isText) }; result = .string
        case .matches:
            arity(2...3); for i in typed.indices { expect(i, "text", isText) }; result = .boolean
        case .split:
            arity(2...2); expect(0, "text", isText); expect(1, "text", isText); result = .list(.string)
        case .mode:
            arity(1...64); result = .list(typed.count == 1 ? element : typed.first?.type ?? .unknown)
        case .stddev:
            arity(1...64); result = .number
        case .append:
            arity(1...64); expect(0, "a list", isList); result = typed.first?.type ?? .unknown
        case .concatenate, .union:
            arity(0...64); for i in typed.indices { expect(i, "a list", isList) }
            result = unifiedList(typed.map(\.type))
        case .insertBefore, .listReplace:
            arity(3...3); expect(0, "a list", isList); result = typed.first?.type ?? .unknown
            if builtin == .listReplace { result = .unknown }
        case .remove:
            arity(2...2); expect(0, "a list", isList); expect(1, "a number", isNumber); result = typed.first?.type ?? .unknown
        case .reverse:
            arity(1...1); expect(0, "a list", isList); result = typed.first?.type ?? .unknown
        case .indexOf:
            arity(2...2); expect(0, "a list", isList); result = .list(.number)
        case .sublist:
            arity(2...3); expect(0, "a list", isList); expect(1, "a number", isNumber); expect(2, "a number", isNumber)
            result = typed.first?.type ?? .unknown
        case .flatten:
            arity(1...1); expect(0, "a list", isList); result = .list(.unknown)
        case .dayOfYear, .weekOfYear:
            arity(1...1); expect(0, "a date", isDateLike); result = .number
        case .monthOfYear:
            arity(1...1); expect(0, "a date", isDateLike); result = .string
        case .duration:
            arity(1...1); expect(0, "text", isText)
            result = .anyDuration
            if case .constant(.string(let s))? = typed.first?.node {
                if let d = Durations.parse(s) { result = d.months != nil ? .yearMonthDuration : .dayTimeDuration }
                else { fail("\"\(s)\" is not an ISO 8601 duration; write for example \"P6M\", \"P14D\" or \"PT4H\"") }
            }
        case .yearsAndMonthsDuration:
            arity(2...2); expect(0, "a date", isDateLike); expect(1, "a date", isDateLike); result = .yearMonthDuration
        case .abs:
            arity(1...1); expect(0, "a number or a duration", { $0 == .number || $0.isDuration }); result = typed.first?.type ?? .number
        case .floor, .ceiling:
            arity(1...2); expect(0, "a number", isNumber); expect(1, "a number", isNumber); result = .number
        case .string:
            arity(1...1); result = .string
        case .modulo:
            arity(2...2); expect(0, "a number", isNumber); expect(1, "a number", isNumber); result = .number
        case .sqrt, .log, .exp, .even, .odd:
            arity(1...1); expect(0, "a number", isNumber); result = builtin == .even || builtin == .odd ? .boolean : .number
        case .median, .product:
            if typed.count == 1 { expect(0, "a list of numbers", { if case .list(let e) = $0 { return e == .number || e.isLenient }; return false }) }
            else { arity(1...64); for i in typed.indices { expect(i, "a number", isNumber) } }
            result = .number
        case .decimal, .roundUp, .roundDown, .roundHalfUp, .roundHalfDown:
            arity(2...2); expect(0, "a number", isNumber); expect(1, "a number", isNumber); result = .number
        case .number:
            arity(1...3); expect(0, "text", isText); result = .number
            if typed.count == 2 { fail("`number` takes the text alone, or the text, a grouping separator and a decimal separator") }
        case .stringJoin:
            arity(1...2)
            expect(0, "a list of texts", { if case .list(let e) = $0 { return e.isTextual || e.isLenient }; return $0.isTextual })
            expect(1, "text", isText)
            result = .string
        case .dayOfWeek:
            arity(1...1); expect(0, "a date", isDateLike)
            result = .enumeration(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])
        }
        if !ok { return TypedExpr(.constant(.null), .unknown, span) }
        return TypedExpr(.call(builtin, typed), result, span)
    }
}
