import MashCore
import MashSyntax

/// Prints a parsed file in the canonical layout. It depends on the syntax tree only.
///
/// Guarantees, checked by the tests: `format(format(x)) == format(x)`, and the output parses to the
/// same tree as the input. Comments are kept: a comment on its own line stays above what followed it,
/// a comment at the end of a line stays at the end of that line.
public struct Formatter {
    public static let lineWidth = 100

    public static func format(_ source: SourceFile) -> (String?, [Diagnostic]) {
        let parsed = Parser.parse(source)
        guard !parsed.diagnostics.hasErrors else { return (nil, parsed.diagnostics) }
        var printer = Printer(file: parsed.file, source: source)
        return (printer.run(), parsed.diagnostics)
    }
}

private struct Printer {
    let file: RuleSetFile
    let source: SourceFile
    var comments: [Comment]
    var out: [String] = []

    init(file: RuleSetFile, source: SourceFile) {
        self.file = file
        self.source = source
        self.comments = file.comments
    }

    private func line(of offset: Int) -> Int { source.location(of: offset).line }

    /// Emits own-line comments that stand before `offset`, keeping one blank line where the source had
    /// a blank line after a comment.
    private mutating func flushComments(before offset: Int, indent: String) {
        while let c = comments.first, c.span.start < offset {
            comments.removeFirst()
            out.append(indent + c.text)
            let next = comments.first.map { $0.span.start < offset ? $0.span.start : offset } ?? offset
            if line(of: next) - line(of: c.span.start) > 1 { out.append("") }
        }
    }

    /// Emits one output line for source text at `span`, with any comment that ended that source line.
    private mutating func emit(_ text: String, _ span: Span?, indent: String = "") {
        if let span { flushComments(before: span.start, indent: indent) }
        var line = indent + text
        if let span {
            let lastLine = self.line(of: max(span.start, span.end - 1))
            while let i = comments.firstIndex(where: { !$0.ownLine && $0.span.start >= span.start && self.line(of: $0.span.start) <= lastLine }) {
                line += "  " + comments[i].text
                comments.remove(at: i)
            }
        }
        out.append(line)
    }

    mutating func run() -> String {
        if let h = file.header {
            emit("ruleset \(quote(h.name.value)) version \(quote(h.version.value)) authority \(quote(h.authority.value))", h.name.span.to(h.authority.span))
            if let s = h.schema { emit("uses schema \(quote(s.value))", s.span) }
            if let b = h.base { emit("extends \(quote(b.value))", b.span) }
        }
        var previous: Declaration?
        for d in file.declarations {
            if !out.isEmpty {
                if case .definition = d, case .definition? = previous {} else { out.append("") }
            }
            declaration(d)
            previous = d
        }
        if !comments.isEmpty {
            if !out.isEmpty { out.append("") }
            for c in comments { out.append(c.text) }
            comments.removeAll()
        }
        while out.last == "" { out.removeLast() }
        return out.joined(separator: "\n") + "\n"
    }

    private func pad(_ s: String, _ width: Int) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }

    private mutating func declaration(_ d: Declaration) {
        let i1 = "  "
        switch d {
        case .calendar(let c):
            emit("calendar", Span(file: c.span.file, start: c.span.start, end: c.span.start + 8))
            for e in c.entries {
                let text: String
                switch e.item {
                case .timezone(let t): text = "timezone \(quote(t.value))"
                case .workingDays(let days, let range): text = "working days " + days.map(\.name).joined(separator: range ? " to " : ", ")
                case .workingHours(let a, let b): text = "working hours \(quote(a.value)) to \(quote(b.value))"
                case .holiday(let d, let l): text = "holiday \(quote(d.value))" + (l.map { " " + quote($0.value) } ?? "")
                }
                emit(text, e.span, indent: i1)
            }
        case .levels(let l):
            emit("levels", Span(file: l.span.file, start: l.span.start, end: l.span.start + 6))
            let w = l.entries.map { "\($0.rank) \($0.id.name)".count }.max() ?? 0
            let lw = l.entries.map { quote($0.label.value).count }.max() ?? 0
            let rw = l.entries.map { $0.rating.map { "rating \($0.name)".count } ?? 0 }.max() ?? 0
            for e in l.entries {
                var text = pad("\(e.rank) \(e.id.name)", w) + " " + quote(e.label.value)
                if e.rating != nil || e.route != nil { text = pad(text, w + 1 + lw) }
                if e.route != nil { text += " " + pad(e.rating.map { "rating \($0.name)" } ?? "", rw) } else if let r = e.rating { text += " rating \(r.name)" }
                if let r = e.route { text += " route \(r.name)" }
                emit(text.trimmingTrailingSpaces(), e.span, indent: i1)
            }
        case .ratings(let r):
            emit("ratings" + (r.measuredFrom.map { " measured from " + expr($0) } ?? ""), Span(file: r.span.file, start: r.span.start, end: r.span.start + 7))
            let w = r.entries.map(\.id.name.count).max() ?? 0
            let cw = r.entries.map { $0.clock.map { "within \(clock($0))".count } ?? 0 }.max() ?? 0
            for e in r.entries {
                var text = pad(e.id.name, w)
                text += " " + pad(e.clock.map { "within \(clock($0))" } ?? "", cw)
                if let label = e.label { text += " " + quote(label.value) }
                emit(text.trimmingTrailingSpaces(), e.span, indent: i1)
            }
        case .catalog(let c):
            emit(c.kind.rawValue, Span(file: c.span.file, start: c.span.start, end: c.span.start + c.kind.rawValue.utf8.count))
            let w = c.entries.map(\.id.name.count).max() ?? 0
            for e in c.entries { emit(pad(e.id.name, w) + " " + quote(e.label.value), e.span, indent: i1) }
        case .combine(let c):
            emit("combine", Span(file: c.span.file, start: c.span.start, end: c.span.start + 7))
            for e in c.entries {
                let text: String
                switch e.item {
                case .levelHighest: text = "level highest"
                case .ratingFollowsLevel: text = "rating follows level"
                case .ratingMostUrgent: text = "rating most urgent"
                case .routeFollowsLevel: text = "route follows level"
                case .routeMostIntensive: text = "route most intensive"
                case .defaultLevel(let id): text = "default level \(id.name)"
                }
                emit(text, e.span, indent: i1)
            }
        case .definition(let l):
            let head = (l.isOverride ? "override " : "") + "let \(l.name.name) = "
            emitExpression(head, l.value, span: l.span, indent: "", continuation: "  ")
        case .rule(let r):
            emit((r.isOverride ? "override " : "") + "rule \(r.id.name) \(quote(r.title.value))", r.id.span.to(r.title.span))
            emitExpression("when ", r.condition, span: r.condition.span, indent: i1, continuation: "    ")
            emit("then " + r.outcomes.map { "\($0.kind.rawValue) \($0.value.name)" }.joined(separator: ", "),
                 r.outcomes[0].span.to(r.outcomes[r.outcomes.count - 1].span), indent: i1)
            emit("because \(quote(r.because.value))", r.because.span, indent: i1)
        case .table(let t):
            emit((t.isOverride ? "override " : "") + "table \(t.id.name) \(quote(t.title.value)) hit \(t.hit.rawValue)", t.id.span.to(t.hitSpan))
            if let c = t.condition { emitExpression("when ", c, span: c.span, indent: i1, continuation: "    ") }
            var grid: [[String]] = [t.inputs.map(expr) + t.columns.map(\.column.rawValue)]
            for row in t.rows {
                grid.append(row.inputs.map(cell) + row.outputs.map { o -> String in
                    switch o {
                    case .none: return "-"
                    case .name(let n): return n.name
                    case .text(let s): return quote(s.value)
                    }
                })
            }
            let widths = (0..<(grid.map(\.count).max() ?? 0)).map { col in grid.map { col < $0.count ? $0[col].count : 0 }.max() ?? 0 }
            let split = t.inputs.count
            func render(_ cells: [String]) -> String {
                var s = ""
                for (i, c) in cells.enumerated() {
                    if i > 0 { s += i == split ? " || " : " | " }
                    s += i == cells.count - 1 ? c : pad(c, widths[i])
                }
                return s
            }
            let headerSpan = t.inputs[0].span.to(t.columns.last?.span ?? t.inputs[0].span)
            emit(render(grid[0]), headerSpan, indent: i1)
            for (k, row) in t.rows.enumerated() { emit(render(grid[k + 1]), row.span, indent: i1) }
            if let b = t.because { emit("because \(quote(b.value))", b.span, indent: i1) }
        case .escalation(let e):
            emit((e.isOverride ? "override " : "") + "escalation \(e.id.name) \(quote(e.title.value))", e.id.span.to(e.title.span))
            var starts = "starts " + (e.startsAfter.map { "\(clock($0)) after " } ?? "at ") + expr(e.startsAt)
            if let w = e.startsWhen { starts += " when " + expr(w) }
            emit(starts, e.startsAt.span.to(e.startsWhen?.span ?? e.startsAt.span), indent: i1)
            if let s = e.currentStage {
                emit("current stage " + expr(s) + (e.currentSince.map { " since " + expr($0) } ?? ""), s.span.to(e.currentSince?.span ?? s.span), indent: i1)
            }
            if let r = e.resolvedAt { emit("resolved at " + expr(r), r.span, indent: i1) }
            let w = e.stages.map(\.id.name.count).max() ?? 0
            let rw = e.stages.map(\.role.name.count).max() ?? 0
            for s in e.stages {
                var text = "stage " + pad(s.id.name, w) + " by " + s.role.name
                if let c = s.within { text = "stage " + pad(s.id.name, w) + " by " + pad(s.role.name, rw) + " within " + clock(c) }
                emit(text, s.span, indent: i1)
            }
        case .disclosure(let d):
            emit((d.isOverride ? "override " : "") + "disclosure \(d.agency.name) \(quote(d.title.value)) decided by \(d.decidedBy.name)",
                 d.agency.span.to(d.decidedBy.span))
            let w = d.categories.map(\.id.name.count).max() ?? 0
            func marks(_ c: DisclosureDecl.Category) -> String {
                [c.handling.map { "handling \($0.name)" }, c.neverShared ? "never shared" : nil].compactMap { $0 }.joined(separator: " ")
            }
            let hw = d.categories.map { marks($0).count }.max() ?? 0
            for c in d.categories {
                var text = "category " + pad(c.id.name, w)
                if hw > 0 { text += " " + pad(marks(c), hw) }
                if let l = c.label { text += " " + quote(l.value) }
                emit(text.trimmingTrailingSpaces(), c.span, indent: i1)
            }
            for s in d.shares {
                var head = "share \(s.category.name) with \(s.audience.name)"
                if let p = s.purpose { head += " for \(p.name)" }
                if s.formWritten { head += " as \(s.form.rawValue)" }
                emit(head, s.category.span.to((s.purpose ?? s.audience).span), indent: i1)
                if let c = s.condition { emitExpression("when ", c, span: c.span, indent: "    ", continuation: "      ") }
                if !s.requirements.isEmpty {
                    emit("requires " + s.requirements.map(\.rawValue).joined(separator: ", "), nil, indent: "    ")
                }
            }
        }
    }

    /// An expression after a keyword; a long top-level `and`/`or` chain goes one operand per line.
    private mutating func emitExpression(_ head: String, _ e: Expr, span: Span, indent: String, continuation: String) {
        let flat = head + expr(e)
        if indent.count + flat.count <= Formatter.lineWidth { emit(flat, span, indent: indent); return }
        if case .quantified(let q, let bindings, let body) = e.kind {
            // The body of `some`/`every` runs to the end of the condition, so a continuation line
            // parses back into the body: break there.
            let quantifierHead = q.rawValue + " " + bindings.map { "\($0.name.name) in " + wrap($0.source, above: 4) }.joined(separator: ", ") + " satisfies "
            emitExpression(head + quantifierHead, body, span: span, indent: indent, continuation: continuation)
            return
        }
        guard case .binary(let op, _, _) = e.kind, op == .and || op == .or else { emit(flat, span, indent: indent); return }
        var operands: [Expr] = []
        func collect(_ x: Expr) {
            if case .binary(let o, let l, let r) = x.kind, o == op { collect(l); operands.append(r) } else { operands.append(x) }
        }
        collect(e)
        emit(head + operand(operands[0], op), operands[0].span, indent: indent)
        for o in operands.dropFirst() { emit("\(op.rawValue) " + operand(o, op), o.span, indent: continuation) }
    }

    private func operand(_ e: Expr, _ op: BinaryOperator) -> String { wrap(e, above: op.precedence + 1) }

    // MARK: Expressions

    private func precedence(_ e: Expr) -> Int {
        switch e.kind {
        case .conditional, .quantified, .forLoop: return 0
        case .binary(let op, _, _): return op.precedence
        case .between, .membership: return 3
        case .negate: return 8
        default: return 9
        }
    }

    private func wrap(_ e: Expr, above minimum: Int) -> String {
        precedence(e) < minimum ? "(" + expr(e) + ")" : expr(e)
    }

    func expr(_ e: Expr) -> String {
        switch e.kind {
        case .number(let n): return n
        case .string(let s): return quote(s)
        case .boolean(let b): return b ? "true" : "false"
        case .null: return "null"
        case .name(let n): return n
        case .member(let base, let name): return wrap(base, above: 9) + "." + name.name
        case .subscripted(let base, let index): return wrap(base, above: 9) + "[" + expr(index) + "]"
        case .call(let name, let args): return name.name + "(" + args.map(expr).joined(separator: ", ") + ")"
        case .negate(let x): return "-" + wrap(x, above: 9)
        case .not(let x): return "not(" + expr(x) + ")"
        case .binary(let op, let l, let r):
            return wrap(l, above: op.precedence) + " " + op.rawValue + " " + wrap(r, above: op.precedence + 1)
        case .between(let x, let lo, let hi): return wrap(x, above: 4) + " between " + wrap(lo, above: 4) + " and " + wrap(hi, above: 4)
        case .membership(let x, let target):
            let t: String
            if case .list(let items) = target.kind { t = "(" + items.map(expr).joined(separator: ", ") + ")" } else { t = wrap(target, above: 4) }
            return wrap(x, above: 4) + " in " + t
        case .list(let items): return "[" + items.map(expr).joined(separator: ", ") + "]"
        case .range(let r): return (r.lowClosed ? "[" : "(") + expr(r.low) + ".." + expr(r.high) + (r.highClosed ? "]" : ")")
        case .conditional(let c, let a, let b): return "if " + expr(c) + " then " + expr(a) + " else " + expr(b)
        case .quantified(let q, let bindings, let body):
            return q.rawValue + " " + bindings.map { "\($0.name.name) in " + wrap($0.source, above: 4) }.joined(separator: ", ") + " satisfies " + expr(body)
        case .forLoop(let bindings, let body):
            return "for " + bindings.map { "\($0.name.name) in " + wrap($0.source, above: 4) }.joined(separator: ", ") + " return " + expr(body)
        }
    }

    private func cell(_ tests: [CellTest]) -> String {
        tests.map { t -> String in
            switch t {
            case .any: return "-"
            case .compare(let op, let e): return op.rawValue + " " + wrap(e, above: 4)
            case .value(let e): return wrap(e, above: 4)
            case .not(let inner, _): return "not(" + cell(inner) + ")"
            }
        }.joined(separator: ", ")
    }

    private func clock(_ c: Clock) -> String {
        let unit = c.amount == 1 ? String(c.unit.rawValue.dropLast()) : c.unit.rawValue
        return "\(c.amount)\(c.working ? " working" : "") \(unit)"
    }

    private func quote(_ s: String) -> String {
        var out = "\""
        for ch in s {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.append(ch)
            }
        }
        return out + "\""
    }
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
