import Foundation
import MashChecker
import MashSchema
import MashSyntax

/// Turns checked expressions into closures, once per rule set. Constant sub-expressions are
/// evaluated here, not per record.
struct Compiler {
    /// What frames for this code must hold; record paths are added as they are compiled.
    let layout: FrameLayout
    /// Definitions are compiled lazily through this table so they can refer to each other.
    let definitionCode: DefinitionTable

    /// Where constant expressions are computed while compiling: they read no record paths, so one
    /// frame without any serves them all.
    private let folding: Frame

    init(localCount: Int, definitionCount: Int = 0, definitionCode: DefinitionTable = DefinitionTable()) {
        layout = FrameLayout(localCount: localCount, definitionCount: definitionCount)
        folding = Frame(FrameLayout(localCount: localCount, definitionCount: definitionCount))
        self.definitionCode = definitionCode
    }

    final class DefinitionTable: @unchecked Sendable {
        // Written once while compiling, read only afterwards.
        var code: [Code] = []
    }

    func compile(_ e: TypedExpr) -> Code {
        let code = compileNode(e)
        if case .constant = e.node { return code }
        guard e.isConstant else { return code }
        // Folded: `duration("P6M")` or `2 * 12` is computed once here, not for every record.
        let value = code(folding)
        return { _ in value }
    }

    /// The value of an expression the checker marked constant.
    private func constant(_ e: TypedExpr) -> Value { compile(e)(folding) }

    /// Field slots from the root for `referral.dash_risk`-like chains (no lists on the way).
    private static func staticPath(_ e: TypedExpr) -> [Int]? {
        switch e.node {
        case .root(let slot): return [slot]
        case .field(let base, let slot, false): return staticPath(base).map { $0 + [slot] }
        default: return nil
        }
    }

    /// A comparison with a constant on one side, the commonest condition in a rule set
    /// (`referral.marac = true`, `c.risk = "high"`, `referral.dash_ticks >= 14`): strings, booleans and
    /// whole numbers are compared in place; anything else goes the general way, with the same result.
    private func compileCompare(_ op: BinaryOperator, _ a: TypedExpr, _ b: TypedExpr) -> Code {
        let flipped: BinaryOperator? = switch op {
        case .less: .greater
        case .lessOrEqual: .greaterOrEqual
        case .greater: .less
        case .greaterOrEqual: .lessOrEqual
        case .equal, .notEqual: op
        default: nil
        }
        if a.isConstant, !b.isConstant, let flipped { return compileCompare(flipped, b, a) }
        let l = compile(a)
        guard b.isConstant, !a.isConstant else {
            let r = compile(b)
            return { f in ValueOps.compare(op, l(f), r(f)) }
        }
        let c = constant(b)
        switch c {
        case .string(let cs):
            return { f in
                let x = l(f)
                if case .string(let s) = x { return .boolean(ValueOps.holds(op, s < cs ? -1 : (s == cs ? 0 : 1))) }
                return ValueOps.compare(op, x, c)
            }
        case .boolean(let cb) where op == .equal || op == .notEqual:
            let equal = op == .equal
            return { f in
                let x = l(f)
                if case .boolean(let v) = x { return .boolean((v == cb) == equal) }
                return ValueOps.compare(op, x, c)
            }
        case .number(let cn):
            let ci = ValueOps.smallInteger(cn)
            return { f in
                let x = l(f)
                if case .number(let n) = x {
                    if let ci, let xi = ValueOps.smallInteger(n) { return .boolean(ValueOps.holds(op, xi < ci ? -1 : (xi == ci ? 0 : 1))) }
                    return .boolean(ValueOps.holds(op, n < cn ? -1 : (n == cn ? 0 : 1)))
                }
                return ValueOps.compare(op, x, c)
            }
        case .yearMonthDuration(let cm):
            return { f in
                let x = l(f)
                if case .yearMonthDuration(let m) = x { return .boolean(ValueOps.holds(op, m < cm ? -1 : (m == cm ? 0 : 1))) }
                return ValueOps.compare(op, x, c)
            }
        default:
            break
        }
        return { f in ValueOps.compare(op, l(f), c) }
    }

    private func compileNode(_ e: TypedExpr) -> Code {
        // Frames keep variables in memory of a fixed size: a variable the checker numbered beyond it
        // (which it never does) gives null rather than reading or writing outside that memory.
        guard Compiler.locals(of: e).allSatisfy({ $0 >= 0 && $0 < layout.localCount }) else { return { _ in .null } }
        switch e.node {
        case .constant(let v):
            return { _ in v }
        case .root(let slot):
            let k = layout.path([slot])
            return { f in f.paths[k] }
        case .local(let slot):
            return { f in f.locals[slot] }
        case .field(let base, let slot, let projection):
            if let path = Compiler.staticPath(e) {
                // Resolved once per record by the frame.
                let k = layout.path(path)
                return { f in f.paths[k] }
            }
            if !projection, case .local(let local) = base.node, local >= 0, local < layout.localCount {
                // `c.category` inside `some c in ...`: read straight from the variable.
                return { f in
                    if case .record(let fields) = f.locals[local], slot < fields.count { return fields[slot] }
                    return .null
                }
            }
            let b = compile(base)
            if projection {
                return { f in
                    guard case .list(let items) = b(f) else { return .null }
                    return .list(items.map { item in
                        if case .record(let fields) = item, slot < fields.count { return fields[slot] }
                        return .null
                    })
                }
            }
            return { f in
                if case .record(let fields) = b(f), slot < fields.count { return fields[slot] }
                return .null
            }
        case .context(let c):
            switch c {
            case .level: return { f in f.level }
            case .rating: return { f in f.rating }
            case .route: return { f in f.route }
            case .deadline: return { f in f.deadline }
            case .request: return { f in f.request }
            }
        case .definition(let index):
            // Code compiled on its own (a filter, a table cell) has no definitions to read.
            guard index < layout.definitionCount else { return { _ in .null } }
            let table = definitionCode
            return { f in
                if f.definitionsDone[index] != 0 { return f.definitions[index] }
                let v = table.code[index](f)
                f.definitions[index] = v
                f.definitionsDone[index] = 1
                return v
            }
        case .not(let x):
            let c = compile(x)
            return { f in
                if case .boolean(let b) = c(f) { return .boolean(!b) }
                return .null
            }
        case .negate(let x):
            let c = compile(x)
            return { f in
                switch c(f) {
                case .number(let n): return .number(-n)
                case .dayTimeDuration(let s): return .dayTimeDuration(-s)
                case .yearMonthDuration(let m): return .yearMonthDuration(-m)
                default: return .null
                }
            }
        case .and(let a, let b):
            let l = compile(a), r = compile(b)
            return { f in ValueOps.and(l(f)) { r(f) } }
        case .or(let a, let b):
            let l = compile(a), r = compile(b)
            return { f in ValueOps.or(l(f)) { r(f) } }
        case .compare(let op, let a, let b):
            return compileCompare(op, a, b)
        case .arithmetic(let op, let a, let b):
            let l = compile(a), r = compile(b)
            return { f in ValueOps.arithmetic(op, l(f), r(f)) }
        case .between(let x, let lo, let hi):
            let cx = compile(x), cl = compile(lo), ch = compile(hi)
            return { f in ValueOps.inRange(cx(f), cl(f), { ch(f) }, true, true) }
        case .inRange(let x, let lo, let hi, let lowClosed, let highClosed):
            let cx = compile(x)
            let test = Compiler.rangeTest(compile(lo), compile(hi), lowClosed, highClosed)
            return { f in test(cx(f), f) }
        case .inItems(let x, let items):
            let cx = compile(x)
            if items.allSatisfy(\.isConstant) {
                // `c.category in ("cse", "cce")`: text compared in place, anything else the general way.
                let values = items.map(constant)
                let texts = values.compactMap { if case .string(let s) = $0 { return s }; return nil }
                return { f in
                    let v = cx(f)
                    if case .string(let s) = v, texts.count == values.count { return .boolean(texts.contains(s)) }
                    for c in values where ValueOps.matches(v, c).isTrue { return .boolean(true) }
                    return .boolean(false)
                }
            }
            let cs = items.map { compile($0) }
            return { f in
                let v = cx(f)
                for c in cs where ValueOps.matches(v, c(f)).isTrue { return .boolean(true) }
                return .boolean(false)
            }
        case .inList(let x, let list):
            let cx = compile(x), cl = compile(list)
            if x.isConstant, case .string(let text) = constant(x) {
                // `"neglect" in concern_categories`: the list's text items compared in place.
                let v = Value.string(text)
                return { f in
                    guard case .list(let items) = cl(f) else { return .null }
                    for item in items {
                        switch item {
                        case .string(let s): if s == text { return .boolean(true) }
                        case .null: continue
                        default: if ValueOps.matches(v, item).isTrue { return .boolean(true) }
                        }
                    }
                    return .boolean(false)
                }
            }
            return { f in
                let l = cl(f)
                guard case .list = l else { return .null }
                return ValueOps.matches(cx(f), l)
            }
        case .list(let items):
            let cs = items.map { compile($0) }
            return { f in .list(cs.map { $0(f) }) }
        case .conditional(let c, let a, let b):
            let cc = compile(c), ca = compile(a), cb = compile(b)
            // FEEL: true takes `then`; false or null takes `else`; any other value is an error, so null.
            return { f in
                switch cc(f) {
                case .boolean(true): return ca(f)
                case .boolean(false), .null: return cb(f)
                default: return .null
                }
            }
        case .quantified(let every, let slot, let source, let body):
            let cs = compile(source), cb = compile(body)
            return { f in
                guard case .list(let items) = cs(f) else { return .null }
                var sawNull = false
                var result: Value?
                f.forEach(items, binding: slot) { _ in
                    switch cb(f) {
                    case .boolean(let b):
                        if every && !b { result = .boolean(false); return false }
                        if !every && b { result = .boolean(true); return false }
                    case .null: sawNull = true
                    default: result = .null; return false
                    }
                    return true
                }
                return result ?? (sawNull ? .null : .boolean(every))
            }
        case .filter(let list, let slot, let predicate):
            let cl = compile(list), cp = compile(predicate)
            return { f in
                guard case .list(let items) = cl(f) else { return .null }
                var out: [Value] = []
                f.forEach(items, binding: slot) { i in
                    if cp(f).isTrue {
                        // One allocation for the result, not one per doubling, and none when nothing passes.
                        if out.isEmpty { out.reserveCapacity(items.count - i) }
                        out.append(items[i])
                    }
                    return true
                }
                return .list(out)
            }
        case .index(let list, let index):
            let cl = compile(list), ci = compile(index)
            return { f in
                guard case .list(let items) = cl(f), case .number(let n) = ci(f) else { return .null }
                let i = NSDecimalNumber(decimal: n).intValue
                let k = i > 0 ? i - 1 : items.count + i
                return i != 0 && k >= 0 && k < items.count ? items[k] : .null
            }
        case .call(.count, let args) where args.count == 1:
            if case .filter(let list, let slot, let predicate) = args[0].node, slot >= 0, slot < layout.localCount {
                // `count(xs[condition])`: counted as the filter runs, without making the filtered list.
                let cl = compile(list), cp = compile(predicate)
                return { f in
                    guard case .list(let items) = cl(f) else { return .null }
                    var n = 0
                    f.forEach(items, binding: slot) { _ in
                        if cp(f).isTrue { n += 1 }
                        return true
                    }
                    return .number(Decimal(n))
                }
            }
            let c = compile(args[0])
            return { f in
                guard case .list(let l) = c(f) else { return .null }
                return .number(Decimal(l.count))
            }
        case .call(let builtin, let args):
            let cs = args.map { compile($0) }
            return { f in BuiltinFunctions.call(builtin, cs.map { $0(f) }) }
        case .range(let lo, let hi, let lowClosed, let highClosed):
            let cl = compile(lo), ch = compile(hi)
            return { f in .range(low: cl(f), high: ch(f), lowClosed: lowClosed, highClosed: highClosed) }
        case .forLoop(let locals, let sources, let body):
            let cs = sources.map { compile($0) }, cb = compile(body)
            return { f in
                var out: [Value] = []
                func loop(_ k: Int) -> Bool {
                    if k == locals.count { out.append(cb(f)); return true }
                    guard let items = Compiler.iterate(cs[k](f)) else { return false }
                    for item in items {
                        f.locals[locals[k]] = item
                        if !loop(k + 1) { return false }
                    }
                    return true
                }
                return loop(0) ? .list(out) : .null
            }
        case .property(let x, let p):
            let c = compile(x)
            return { f in ValueOps.property(c(f), p) }
        }
    }

    /// The variables this node itself reads or binds.
    private static func locals(of e: TypedExpr) -> [Int] {
        switch e.node {
        case .local(let slot), .quantified(_, let slot, _, _), .filter(_, let slot, _): return [slot]
        case .forLoop(let locals, _, _): return locals
        default: return []
        }
    }

    /// The items a `for` walks: a list's, or a range's whole numbers or dates, up or down.
    static func iterate(_ v: Value) -> [Value]? {
        switch v {
        case .list(let l): return l
        case .range(.number(let a), .number(let b), _, _):
            guard let x = Int(exactly: NSDecimalNumber(decimal: a).doubleValue), let y = Int(exactly: NSDecimalNumber(decimal: b).doubleValue),
                  Decimal(x) == a, Decimal(y) == b, abs(y - x) <= 1_000_000 else { return nil }
            return (x <= y ? Array(x...y) : Array((y...x).reversed())).map { .number(Decimal($0)) }
        case .range(.date(let a), .date(let b), _, _):
            let x = a.epochDay, y = b.epochDay
            guard abs(y - x) <= 1_000_000 else { return nil }
            return (x <= y ? Array(x...y) : Array((y...x).reversed())).map { .date(LocalDate(epochDay: $0)) }
        default: return nil
        }
    }

    static func rangeTest(_ lo: @escaping Code, _ hi: @escaping Code, _ lowClosed: Bool, _ highClosed: Bool) -> @Sendable (Value, Frame) -> Value {
        { v, f in ValueOps.inRange(v, lo(f), { hi(f) }, lowClosed, highClosed) }
    }

    /// A decision-table cell: true when the input value passes the test.
    func compileCell(_ test: CellTestCode) -> @Sendable (Value, Frame) -> Bool {
        switch test {
        case .any:
            return { _, _ in true }
        case .compare(let op, let e):
            let c = compile(e)
            return { v, f in ValueOps.compare(op, v, c(f)).isTrue }
        case .equals(let e):
            let c = compile(e)
            return { v, f in ValueOps.equal(v, c(f)).isTrue }
        case .inRange(let lo, let hi, let lowClosed, let highClosed):
            let t = Compiler.rangeTest(compile(lo), compile(hi), lowClosed, highClosed)
            return { v, f in t(v, f).isTrue }
        case .inList(let e):
            let c = compile(e)
            return { v, f in
                guard case .list(let l) = c(f) else { return false }
                return l.contains { ValueOps.equal(v, $0).isTrue }
            }
        case .oneOf(let tests):
            let cs = tests.map(compileCell)
            return { v, f in cs.contains { $0(v, f) } }
        case .not(let tests):
            let cs = tests.map(compileCell)
            return { v, f in !cs.contains { $0(v, f) } }
        }
    }
}
