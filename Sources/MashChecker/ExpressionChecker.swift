import Foundation
import MashCore
import MashSchema
import MashSyntax

/// What names an expression may see besides the record's fields.
struct Scope {
    struct Local {
        let slot: Int
        let type: MType
        /// The record path this variable walks over, for explanations.
        let origin: FactPath?
    }
    var locals: [String: Local] = [:]
    /// Inside a filter `xs[...]`, the fields of the current item are names too.
    var item: Local?
    var context: Set<ContextValue> = []
    var requestType: RecordType?

    static let record = Scope()
}

/// Types expressions and resolves their names. Collects the record paths each expression reads.
extension CheckSession {
    func text(_ span: Span) -> String { sources[span.file]?.text(of: span) ?? "" }

    /// Checks an expression; `facts` gathers the record paths it reads.
    func check(_ e: Expr, _ scope: Scope, _ facts: inout [FactPath]) -> TypedExpr {
        let (typed, origin) = checkPath(e, scope, &facts)
        if let origin { note(origin, &facts) }
        return typed
    }

    private func note(_ fact: FactPath, _ facts: inout [FactPath]) {
        if !facts.contains(where: { $0.path == fact.path }) { facts.append(fact) }
    }

    private func unknown(_ span: Span) -> TypedExpr { TypedExpr(.constant(.null), .unknown, span) }

    /// Like `check`, but returns the record path of a name or member chain instead of noting it, so a
    /// chain `a.b.c` notes only its whole path.
    private func checkPath(_ e: Expr, _ scope: Scope, _ facts: inout [FactPath]) -> (TypedExpr, FactPath?) {
        switch e.kind {
        case .number(let text):
            guard let d = Decimal(string: text) else { return (unknown(e.span), nil) }
            return (TypedExpr(.constant(.number(d)), .number, e.span), nil)
        case .string(let s):
            return (TypedExpr(.constant(.string(s)), .string, e.span), nil)
        case .boolean(let b):
            return (TypedExpr(.constant(.boolean(b)), .boolean, e.span), nil)
        case .null:
            return (TypedExpr(.constant(.null), .null, e.span), nil)
        case .name(let name):
            return resolve(name, e.span, scope, &facts)
        case .member(let base, let name):
            return member(base, name, e.span, scope, &facts)
        default:
            return (checkComposite(e, scope, &facts), nil)
        }
    }

    private func resolve(_ name: String, _ span: Span, _ scope: Scope, _ facts: inout [FactPath]) -> (TypedExpr, FactPath?) {
        if let local = scope.locals[name] {
            return (TypedExpr(.local(local.slot), local.type, span), local.origin)
        }
        if let item = scope.item, case .record(let r) = item.type, let slot = r.slot(of: name) {
            let field = r.fields[slot]
            let base = TypedExpr(.local(item.slot), item.type, span)
            let typed = TypedExpr(.field(base, slot: slot, projection: false), MType(field.type), span)
            let origin = item.origin.map { o in
                FactPath(path: "\(o.path).\(name)", access: TypedExpr(.field(o.access, slot: slot, projection: true), .list(MType(field.type)), span),
                         fieldType: .list(field.type))
            }
            return (typed, origin)
        }
        if let index = definitionIndex[name] {
            usedDefinitions.insert(index)
            let def = checkDefinition(index)
            for f in def.facts { note(f, &facts) }
            return (TypedExpr(.definition(index), def.typed.type, span), nil)
        }
        if let slot = schema.root.slot(of: name) {
            let field = schema.root.fields[slot]
            let typed = TypedExpr(.root(slot), MType(field.type), span)
            return (typed, FactPath(path: name, access: typed, fieldType: field.type))
        }
        if let value = ContextValue(rawValue: name), scope.context.contains(value) {
            let type: MType
            switch value {
            case .level: type = .level
            case .rating: type = .rating
            case .route: type = .route
            case .deadline: type = .dateTime
            case .request: type = scope.requestType.map { .record($0) } ?? .unknown
            }
            return (TypedExpr(.context(value), type, span), nil)
        }
        if let level = levelsById[name] {
            return (TypedExpr(.constant(.number(Decimal(level.rank))), .level, span), nil)
        }
        if ratingsById[name] != nil { return (TypedExpr(.constant(.string(name)), .rating, span), nil) }
        if routesById[name] != nil { return (TypedExpr(.constant(.string(name)), .route, span), nil) }
        var candidates = Array(scope.locals.keys) + Array(definitionIndex.keys) + schema.root.fields.map(\.name)
        candidates += scope.context.map(\.rawValue) + levelsById.keys + ratingsById.keys + routesById.keys
        if let item = scope.item, case .record(let r) = item.type { candidates += r.fields.map(\.name) }
        if let context = ContextValue(rawValue: name), !scope.context.contains(context) {
            diagnostics.append(Diagnostic(code: "unknown-name", message: "`\(name)` is not available here", span: span,
                                          label: "only escalation and disclosure conditions see the decision's \(name)",
                                          help: "rules decide the level, so their conditions can only read the record"))
        } else {
            diagnostics.append(CheckerMessages.unknownName(name, candidates: candidates.sorted(), span: span))
        }
        return (unknown(span), nil)
    }

    private func member(_ base: Expr, _ name: Identifier, _ span: Span, _ scope: Scope, _ facts: inout [FactPath]) -> (TypedExpr, FactPath?) {
        let (b, origin) = checkPath(base, scope, &facts)
        switch b.type {
        case .unknown, .null:
            // A value known only at run time: a temporal property is read then (null when it has none).
            if b.type == .unknown, let property = TemporalProperty(rawValue: name.name) { return (TypedExpr(.property(b, property), .unknown, span), nil) }
            return (unknown(span), nil)
        case .record(let r), .list(.record(let r)):
            let projection = b.type != .record(r)
            guard let slot = r.slot(of: name.name) else {
                diagnostics.append(CheckerMessages.unknownField(name.name, of: text(base.span), fields: r.fields.map(\.name), span: name.span))
                return (unknown(span), nil)
            }
            let field = r.fields[slot]
            let fieldType: MType = projection ? .list(MType(field.type)) : MType(field.type)
            let typed = TypedExpr(.field(b, slot: slot, projection: projection), fieldType, span)
            let newOrigin = origin.map { o -> FactPath in
                let projected: Bool
                if case .list = o.fieldType { projected = true } else { projected = false }
                let t: FieldType = projected ? .list(field.type) : field.type
                return FactPath(path: "\(o.path).\(name.name)", access: TypedExpr(.field(o.access, slot: slot, projection: projected), MType(t), span), fieldType: t)
            }
            return (typed, newOrigin)
        case .date, .dateTime, .time, .dayTimeDuration, .yearMonthDuration, .anyDuration:
            if let origin { note(origin, &facts) }
            guard let property = TemporalProperty(rawValue: name.name), let type = propertyType(b.type, property) else {
                let valid = TemporalProperty.allCases.filter { propertyType(b.type, $0) != nil }.map(\.rawValue)
                diagnostics.append(Diagnostic(code: "unknown-property", message: "\(b.type) has no property `\(name.name)`", span: name.span,
                                              help: CheckerMessages.didYouMean(name.name, valid) ?? "its properties are: \(valid.joined(separator: ", "))"))
                return (unknown(span), nil)
            }
            return (TypedExpr(.property(b, property), type, span), nil)
        default:
            if let origin { note(origin, &facts) }
            diagnostics.append(CheckerMessages.typeMismatch("`\(text(base.span))` is \(b.type), which has no fields", span: name.span,
                                                            label: "no field `\(name.name)` here"))
            return (unknown(span), nil)
        }
    }

    private func propertyType(_ t: MType, _ p: TemporalProperty) -> MType? {
        switch (t, p) {
        case (.date, .year), (.date, .month), (.date, .day), (.date, .weekday): return .number
        case (.dateTime, .year), (.dateTime, .month), (.dateTime, .day), (.dateTime, .weekday),
             (.dateTime, .hour), (.dateTime, .minute), (.dateTime, .second): return .number
        case (.dateTime, .date): return .date
        case (.dateTime, .time): return .time
        case (.dateTime, .timeOffset), (.time, .timeOffset): return .dayTimeDuration
        case (.dateTime, .timezone), (.time, .timezone): return .string
        case (.time, .hour), (.time, .minute), (.time, .second): return .number
        case (.dayTimeDuration, .days), (.dayTimeDuration, .hours), (.dayTimeDuration, .minutes), (.dayTimeDuration, .seconds): return .number
        case (.yearMonthDuration, .years), (.yearMonthDuration, .months): return .number
        case (.anyDuration, .years), (.anyDuration, .months), (.anyDuration, .days), (.anyDuration, .hours),
             (.anyDuration, .minutes), (.anyDuration, .seconds): return .number
        default: return nil
        }
    }

    func requireBoolean(_ t: TypedExpr, _ what: String) {
        guard t.type != .boolean, !t.type.isLenient else { return }
        diagnostics.append(CheckerMessages.typeMismatch("\(what) must be true or false, but `\(text(t.span))` is \(t.type)", span: t.span,
                                                        help: "compare it with something, for example `\(text(t.span)) = ...`"))
    }

    private func checkComposite(_ e: Expr, _ scope: Scope, _ facts: inout [FactPath]) -> TypedExpr {
        switch e.kind {
        case .negate(let x):
            let t = check(x, scope, &facts)
            if t.type == .number || t.type.isDuration || t.type.isLenient { return TypedExpr(.negate(t), t.type == .null ? .unknown : t.type, e.span) }
            diagnostics.append(CheckerMessages.typeMismatch("cannot negate \(t.type)", span: e.span))
            return unknown(e.span)
        case .not(let x):
            let t = check(x, scope, &facts)
            requireBoolean(t, "the value inside `not(...)`")
            return TypedExpr(.not(t), .boolean, e.span)
        case .binary(let op, let l, let r):
            let a = check(l, scope, &facts), b = check(r, scope, &facts)
            return binary(op, a, b, e.span)
        case .between(let x, let lo, let hi):
            let tx = check(x, scope, &facts), tl = check(lo, scope, &facts), th = check(hi, scope, &facts)
            orderable(tx, tl, "`between`", e.span)
            orderable(tx, th, "`between`", e.span)
            return TypedExpr(.between(tx, tl, th), .boolean, e.span)
        case .membership(let x, let target):
            let tx = check(x, scope, &facts)
            return membership(tx, target, e.span, scope, &facts)
        case .list(let items):
            let typed = items.map { check($0, scope, &facts) }
            return TypedExpr(.list(typed), .list(unify(typed.map(\.type))), e.span)
        case .range(let r):
            let lo = check(r.low, scope, &facts), hi = check(r.high, scope, &facts)
            orderable(lo, hi, "a range", e.span)
            return TypedExpr(.range(low: lo, high: hi, lowClosed: r.lowClosed, highClosed: r.highClosed), .range(unify([lo.type, hi.type])), e.span)
        case .forLoop(let bindings, let body):
            var inner = scope
            var locals: [Int] = [], sources: [TypedExpr] = []
            for binding in bindings {
                let source = check(binding.source, inner, &facts)
                var element = MType.unknown
                switch source.type {
                case .list(let el), .range(let el): element = el
                case .unknown, .null: break
                default:
                    diagnostics.append(CheckerMessages.typeMismatch("`for` needs a list or a range, but `\(text(source.span))` is \(source.type)", span: source.span))
                }
                let slot = allocateLocal()
                inner.locals[binding.name.name] = Scope.Local(slot: slot, type: element, origin: nil)
                locals.append(slot)
                sources.append(source)
            }
            let b = check(body, inner, &facts)
            return TypedExpr(.forLoop(locals: locals, sources: sources, body: b), .list(b.type), e.span)
        case .conditional(let c, let a, let b):
            let tc = check(c, scope, &facts)
            requireBoolean(tc, "the `if` condition")
            let ta = check(a, scope, &facts), tb = check(b, scope, &facts)
            return TypedExpr(.conditional(tc, ta, tb), unify([ta.type, tb.type]), e.span)
        case .quantified(let q, let bindings, let body):
            return quantified(q, bindings[...], body, e.span, scope, &facts)
        case .subscripted(let base, let index):
            return subscripted(base, index, e.span, scope, &facts)
        case .call(let name, let args):
            return call(name, args, e.span, scope, &facts)
        case .number, .string, .boolean, .null, .name, .member:
            return check(e, scope, &facts)
        }
    }

    private func unify(_ types: [MType]) -> MType {
        let known = types.filter { !$0.isLenient }
        guard let first = known.first else { return types.contains(.null) ? .null : .unknown }
        if known.allSatisfy({ $0 == first }) { return first }
        if known.allSatisfy(\.isTextual) { return .string }
        return .unknown
    }

    // MARK: Comparisons

    func equatable(_ a: MType, _ b: MType) -> Bool {
        if a.isLenient || b.isLenient { return true }
        switch (a, b) {
        case _ where a.isTextual && b.isTextual: return true
        case (.number, .number), (.boolean, .boolean), (.date, .date), (.dateTime, .dateTime), (.time, .time): return true
        case (.range, .range): return true
        case (.level, .level), (.level, .number), (.number, .level), (.rating, .rating), (.route, .route): return true
        case (.anyDuration, _) where b.isDuration, (_, .anyDuration) where a.isDuration: return true
        case (.dayTimeDuration, .dayTimeDuration), (.yearMonthDuration, .yearMonthDuration): return true
        case (.list(let x), .list(let y)): return equatable(x, y)
        case (.record(let x), .record(let y)): return x == y
        default: return false
        }
    }

    func ordered(_ a: MType, _ b: MType) -> Bool {
        if a.isLenient || b.isLenient { return true }
        switch (a, b) {
        case (.number, .number), (.string, .string), (.date, .date), (.dateTime, .dateTime), (.time, .time): return true
        case (.dayTimeDuration, .dayTimeDuration), (.yearMonthDuration, .yearMonthDuration): return true
        case (.anyDuration, _) where b.isDuration, (_, .anyDuration) where a.isDuration: return true
        case (.level, .level), (.level, .number), (.number, .level): return true
        default: return false
        }
    }

    private func mismatchHelp(_ a: TypedExpr, _ b: TypedExpr) -> String? {
        switch (a.type, b.type) {
        case (.dayTimeDuration, .yearMonthDuration), (.yearMonthDuration, .dayTimeDuration):
            return "FEEL keeps days-time durations (like `PT4H`, or the difference of two dates) apart from years-months durations (like `P6M`): comparing them gives null, so the rule would never fire. Compare with `duration(\"P182D\")`, or use `years and months duration(from, to)`"
        case (.date, .dateTime), (.dateTime, .date):
            return "take the date of the date-time first: `\(text(a.type == .dateTime ? a.span : b.span)).date`"
        case _ where a.type.isTextual && b.type == .number:
            return "`\(text(a.span))` holds text; write the number as text in quotes, or compare a numeric field"
        case _ where a.type == .number && b.type.isTextual:
            return "`\(text(a.span))` is a number; compare it with a number, not with text"
        default:
            return "both sides must be the same kind of value"
        }
    }

    /// Enumeration fields compared with a literal: the literal must be one of the values.
    func checkEnumLiteral(_ a: TypedExpr, _ b: TypedExpr) {
        for (field, literal) in [(a, b), (b, a)] {
            guard case .enumeration(let values) = field.type, case .constant(.string(let s)) = literal.node, !values.contains(s) else { continue }
            let help = Suggestion.closest(to: s, among: values).map { "did you mean \"\($0)\"?" } ?? "the values are: \(values.joined(separator: ", "))"
            diagnostics.append(Diagnostic(code: "unknown-value", message: "\"\(s)\" is not a value of `\(text(field.span))`", span: literal.span,
                                          label: "never equal to `\(text(field.span))`", help: help))
        }
    }

    @discardableResult
    private func orderable(_ a: TypedExpr, _ b: TypedExpr, _ op: String, _ span: Span) -> Bool {
        if ordered(a.type, b.type) { return true }
        if case .enumeration = a.type, b.type.isTextual || b.type == .enumeration([]) {
            diagnostics.append(CheckerMessages.typeMismatch("the values of `\(text(a.span))` have no order, so \(op) cannot compare them", span: span,
                                                            help: "test for the values you mean: `\(text(a.span)) in (\"a\", \"b\")`"))
            return false
        }
        diagnostics.append(CheckerMessages.typeMismatch("cannot compare `\(text(a.span))` (\(a.type)) with `\(text(b.span))` (\(b.type)) using \(op)",
                                                        span: span, label: "\(a.type) and \(b.type)", help: mismatchHelp(a, b)))
        return false
    }

    func binary(_ op: BinaryOperator, _ a: TypedExpr, _ b: TypedExpr, _ span: Span) -> TypedExpr {
        switch op {
        case .and, .or:
            requireBoolean(a, "each side of `\(op.rawValue)`")
            requireBoolean(b, "each side of `\(op.rawValue)`")
            return TypedExpr(op == .and ? .and(a, b) : .or(a, b), .boolean, span)
        case .equal, .notEqual:
            if !equatable(a.type, b.type) {
                diagnostics.append(CheckerMessages.typeMismatch("cannot compare `\(text(a.span))` (\(a.type)) with `\(text(b.span))` (\(b.type))",
                                                                span: span, label: "\(a.type) and \(b.type)", help: mismatchHelp(a, b)))
            } else {
                checkEnumLiteral(a, b)
            }
            return TypedExpr(.compare(op, a, b), .boolean, span)
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            orderable(a, b, "`\(op.rawValue)`", span)
            return TypedExpr(.compare(op, a, b), .boolean, span)
        case .add, .subtract, .multiply, .divide, .power:
            guard let type = arithmeticType(op, a.type, b.type) else {
                diagnostics.append(CheckerMessages.typeMismatch("cannot use `\(op.rawValue)` on `\(text(a.span))` (\(a.type)) and `\(text(b.span))` (\(b.type))",
                                                                span: span, help: mismatchHelp(a, b)))
                return unknown(span)
            }
            return TypedExpr(.arithmetic(op, a, b), type, span)
        }
    }

    func arithmeticType(_ op: BinaryOperator, _ a: MType, _ b: MType) -> MType? {
        if a.isLenient || b.isLenient { return .unknown }
        switch (op, a, b) {
        case (_, .number, .number): return .number
        case (.add, _, _) where a.isTextual && b.isTextual: return .string
        case (.add, .date, _) where b.isDuration, (.subtract, .date, _) where b.isDuration: return .date
        case (.add, _, .date) where a.isDuration: return .date
        case (.add, .dateTime, _) where b.isDuration, (.subtract, .dateTime, _) where b.isDuration: return .dateTime
        case (.add, _, .dateTime) where a.isDuration: return .dateTime
        case (.subtract, .date, .date), (.subtract, .dateTime, .dateTime), (.subtract, .date, .dateTime), (.subtract, .dateTime, .date),
             (.subtract, .time, .time): return .dayTimeDuration
        case (.add, .time, .dayTimeDuration), (.add, .dayTimeDuration, .time), (.subtract, .time, .dayTimeDuration): return .time
        case (.add, .time, .anyDuration), (.add, .anyDuration, .time), (.subtract, .time, .anyDuration): return .unknown
        case (.add, _, _) where a.isDuration && b.isDuration && equatable(a, b), (.subtract, _, _) where a.isDuration && b.isDuration && equatable(a, b):
            return a == .anyDuration ? b : a
        case (.multiply, _, .number) where a.isDuration, (.divide, _, .number) where a.isDuration: return a
        case (.multiply, .number, _) where b.isDuration: return b
        case (.divide, _, _) where a.isDuration && b.isDuration && equatable(a, b): return .number
        default: return nil
        }
    }

    private func membership(_ x: TypedExpr, _ target: Expr, _ span: Span, _ scope: Scope, _ facts: inout [FactPath]) -> TypedExpr {
        switch target.kind {
        case .range(let r):
            let lo = check(r.low, scope, &facts), hi = check(r.high, scope, &facts)
            orderable(x, lo, "a range", span)
            orderable(x, hi, "a range", span)
            return TypedExpr(.inRange(x, low: lo, high: hi, lowClosed: r.lowClosed, highClosed: r.highClosed), .boolean, span)
        case .list(let items):
            let typed = items.map { check($0, scope, &facts) }
            for item in typed {
                // An item may be a range or a list to search, besides a value.
                var itemType = item.type
                if case .range(let e) = itemType { itemType = e }
                if case .list(let e) = itemType, !{ if case .list = x.type { return true }; return false }() { itemType = e }
                if case .range(let e) = itemType { itemType = e }
                if !equatable(x.type, itemType) {
                    diagnostics.append(CheckerMessages.typeMismatch("`\(text(x.span))` (\(x.type)) can never equal `\(text(item.span))` (\(item.type))",
                                                                    span: item.span, help: mismatchHelp(x, item)))
                } else {
                    checkEnumLiteral(x, item)
                }
            }
            return TypedExpr(.inItems(x, typed), .boolean, span)
        default:
            let t = check(target, scope, &facts)
            if case .list(let element) = t.type {
                if !equatable(x.type, element) {
                    diagnostics.append(CheckerMessages.typeMismatch("`\(text(x.span))` (\(x.type)) can never be in `\(text(t.span))` (\(t.type))",
                                                                    span: span))
                }
                return TypedExpr(.inList(x, t), .boolean, span)
            }
            if !equatable(x.type, t.type) {
                diagnostics.append(CheckerMessages.typeMismatch("cannot compare `\(text(x.span))` (\(x.type)) with `\(text(t.span))` (\(t.type))",
                                                                span: span, help: mismatchHelp(x, t)))
            } else {
                checkEnumLiteral(x, t)
            }
            return TypedExpr(.inItems(x, [t]), .boolean, span)
        }
    }

    private func quantified(_ q: Expr.Quantifier, _ bindings: ArraySlice<Expr.Binding>, _ body: Expr, _ span: Span,
                            _ scope: Scope, _ facts: inout [FactPath]) -> TypedExpr {
        guard let binding = bindings.first else {
            let b = check(body, scope, &facts)
            requireBoolean(b, "the condition after `satisfies`")
            return b
        }
        let (source, origin) = checkPath(binding.source, scope, &facts)
        var element = MType.unknown
        switch source.type {
        case .list(let e): element = e
        case .unknown, .null: break
        default:
            diagnostics.append(CheckerMessages.typeMismatch("`\(q.rawValue)` needs a list, but `\(text(source.span))` is \(source.type)", span: source.span))
        }
        let slot = allocateLocal()
        var inner = scope
        var elementOrigin: FactPath?
        if let origin, case .list(let ft) = origin.fieldType {
            elementOrigin = FactPath(path: origin.path, access: origin.access, fieldType: .list(ft))
        }
        inner.locals[binding.name.name] = Scope.Local(slot: slot, type: element, origin: elementOrigin)
        let rest = quantified(q, bindings.dropFirst(), body, span, inner, &facts)
        return TypedExpr(.quantified(every: q == .every, local: slot, source: source, body: rest), .boolean, span)
    }

    private func subscripted(_ base: Expr, _ index: Expr, _ span: Span, _ scope: Scope, _ facts: inout [FactPath]) -> TypedExpr {
        let (list, origin) = checkPath(base, scope, &facts)
        guard case .list(let element) = list.type else {
            if !list.type.isLenient {
                diagnostics.append(CheckerMessages.typeMismatch("`\(text(base.span))` is \(list.type), not a list, so it cannot be filtered", span: base.span))
            }
            return unknown(span)
        }
        let slot = allocateLocal()
        var inner = scope
        let itemOrigin = origin.map { FactPath(path: $0.path, access: $0.access, fieldType: $0.fieldType) }
        inner.locals["item"] = Scope.Local(slot: slot, type: element, origin: itemOrigin)
        inner.item = Scope.Local(slot: slot, type: element, origin: itemOrigin)
        let predicate = check(index, inner, &facts)
        if predicate.type == .number {
            let plain = check(index, scope, &facts)
            return TypedExpr(.index(list, plain), element, span)
        }
        requireBoolean(predicate, "a filter")
        return TypedExpr(.filter(list, local: slot, predicate: predicate), list.type, span)
    }
}
