/// A span-free, comment-free rendering of a syntax tree as S-expressions.
///
/// Two sources mean the same when their dumps are equal; the formatter's tests rely on that
/// (locations are left out, as cedar leaves them out of AST equality).
public enum SyntaxDump {
    public static func expression(_ e: Expr) -> String {
        switch e.kind {
        case .number(let n): return n
        case .string(let s): return "\"\(s)\""
        case .boolean(let b): return b ? "true" : "false"
        case .null: return "null"
        case .name(let n): return n
        case .member(let base, let name): return "(. \(expression(base)) \(name.name))"
        case .subscripted(let base, let index): return "([] \(expression(base)) \(expression(index)))"
        case .call(let name, let args): return "(call \"\(name.name)\"\(args.map { " " + expression($0) }.joined()))"
        case .negate(let x): return "(neg \(expression(x)))"
        case .not(let x): return "(not \(expression(x)))"
        case .binary(let op, let l, let r): return "(\(op.rawValue) \(expression(l)) \(expression(r)))"
        case .between(let x, let lo, let hi): return "(between \(expression(x)) \(expression(lo)) \(expression(hi)))"
        case .membership(let x, let t): return "(in \(expression(x)) \(expression(t)))"
        case .list(let items): return "(list\(items.map { " " + expression($0) }.joined()))"
        case .range(let r):
            return "(range \(r.lowClosed ? "[" : "(") \(expression(r.low)) \(expression(r.high)) \(r.highClosed ? "]" : ")"))"
        case .conditional(let c, let a, let b): return "(if \(expression(c)) \(expression(a)) \(expression(b)))"
        case .quantified(let q, let bindings, let body):
            let bs = bindings.map { "(\($0.name.name) \(expression($0.source)))" }.joined(separator: " ")
            return "(\(q.rawValue) (\(bs)) \(expression(body)))"
        case .forLoop(let bindings, let body):
            let bs = bindings.map { "(\($0.name.name) \(expression($0.source)))" }.joined(separator: " ")
            return "(for (\(bs)) \(expression(body)))"
        }
    }

    static func cell(_ tests: [CellTest]) -> String {
        tests.map { test in
            switch test {
            case .any: return "-"
            case .compare(let op, let e): return "(\(op.rawValue) \(expression(e)))"
            case .value(let e): return expression(e)
            case .not(let inner, _): return "(not \(cell(inner)))"
            }
        }.joined(separator: ",")
    }

    static func clock(_ c: Clock?) -> String {
        guard let c else { return "-" }
        return "\(c.amount)\(c.working ? " working" : "") \(c.unit.rawValue)"
    }

    public static func file(_ f: RuleSetFile) -> String {
        var lines: [String] = []
        if let h = f.header {
            lines.append("(ruleset \"\(h.name.value)\" \"\(h.version.value)\" \"\(h.authority.value)\" schema=\(h.schema?.value ?? "-") extends=\(h.base?.value ?? "-"))")
        }
        for d in f.declarations { lines.append(declaration(d)) }
        return lines.joined(separator: "\n")
    }

    public static func declaration(_ d: Declaration) -> String {
        switch d {
        case .calendar(let c):
            return "(calendar" + c.entries.map { e -> String in
                switch e.item {
                case .timezone(let t): return " (timezone \(t.value))"
                case .workingDays(let days, let range): return " (days \(range ? "range " : "")\(days.map(\.name).joined(separator: " ")))"
                case .workingHours(let a, let b): return " (hours \(a.value) \(b.value))"
                case .holiday(let d, let l): return " (holiday \(d.value) \(l?.value ?? "-"))"
                }
            }.joined() + ")"
        case .levels(let l):
            return "(levels" + l.entries.map { " (\($0.rank) \($0.id.name) \"\($0.label.value)\" \($0.rating?.name ?? "-") \($0.route?.name ?? "-"))" }.joined() + ")"
        case .ratings(let r):
            return "(ratings from=\(r.measuredFrom.map(expression) ?? "-")" + r.entries.map { " (\($0.id.name) \(clock($0.clock)) \($0.label?.value ?? "-"))" }.joined() + ")"
        case .catalog(let c):
            return "(\(c.kind.rawValue)" + c.entries.map { " (\($0.id.name) \"\($0.label.value)\")" }.joined() + ")"
        case .combine(let c):
            return "(combine" + c.entries.map { " \($0.item)" }.joined() + ")"
        case .definition(let l):
            return "(let\(l.isOverride ? " override" : "") \(l.name.name) \(expression(l.value)))"
        case .rule(let r):
            return "(rule\(r.isOverride ? " override" : "") \(r.id.name) \"\(r.title.value)\" \(expression(r.condition)) "
                + r.outcomes.map { "\($0.kind.rawValue)=\($0.value.name)" }.joined(separator: ",") + " \"\(r.because.value)\")"
        case .table(let t):
            var s = "(table\(t.isOverride ? " override" : "") \(t.id.name) \"\(t.title.value)\" \(t.hit.rawValue) when=\(t.condition.map(expression) ?? "-")"
            s += " (" + t.inputs.map(expression).joined(separator: " | ") + " || " + t.columns.map(\.column.rawValue).joined(separator: " | ") + ")"
            for row in t.rows {
                s += " (" + row.inputs.map(cell).joined(separator: " | ") + " || " + row.outputs.map { o -> String in
                    switch o {
                    case .none: return "-"
                    case .name(let n): return n.name
                    case .text(let t): return "\"\(t.value)\""
                    }
                }.joined(separator: " | ") + ")"
            }
            return s + " because=\(t.because?.value ?? "-"))"
        case .escalation(let e):
            var s = "(escalation\(e.isOverride ? " override" : "") \(e.id.name) \"\(e.title.value)\" starts=\(clock(e.startsAfter)) \(expression(e.startsAt))"
            s += " when=\(e.startsWhen.map(expression) ?? "-") stage=\(e.currentStage.map(expression) ?? "-") since=\(e.currentSince.map(expression) ?? "-")"
            s += " resolved=\(e.resolvedAt.map(expression) ?? "-")"
            return s + e.stages.map { " (stage \($0.id.name) \($0.role.name) \(clock($0.within)))" }.joined() + ")"
        case .disclosure(let d):
            var s = "(disclosure\(d.isOverride ? " override" : "") \(d.agency.name) \"\(d.title.value)\" \(d.decidedBy.name)"
            for c in d.categories { s += " (category \(c.id.name) \(c.handling?.name ?? "-") \(c.neverShared ? "never" : "-") \(c.label?.value ?? "-"))" }
            for r in d.shares {
                s += " (share \(r.category.name) \(r.audience.name) \(r.purpose?.name ?? "-") \(r.form.rawValue) \(r.condition.map(expression) ?? "-") "
                s += r.requirements.map(\.rawValue).joined(separator: ",") + ")"
            }
            return s + ")"
        }
    }
}
