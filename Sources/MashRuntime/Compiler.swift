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
    let folding: Frame

    /// How deep in loops (`some`, `every`, filters, `for`) the code being compiled is.
    final class Scope: @unchecked Sendable {
        var loops = 0
    }
    let scope = Scope()

    init(localCount: Int, definitionCount: Int = 0, definitionCode: DefinitionTable = DefinitionTable()) {
        layout = FrameLayout(localCount: localCount, definitionCount: definitionCount)
        folding = Frame(FrameLayout(localCount: localCount, definitionCount: definitionCount))
        self.definitionCode = definitionCode
    }

    final class DefinitionTable: @unchecked Sendable {
        /// A definition's code, held by a class so that it can be called through an unretained reference.
        final class Box {
            let code: Code
            init(_ code: @escaping Code) { self.code = code }
        }
        /// The definitions' code, set once while compiling (`define`) and read only afterwards. Compiled
        /// code and every `AtomTable` call it through `refs`, unretained: a closure taken out of an
        /// array for a call was retained and released, for each definition a record works out.
        private var boxes: [Box] = []
        private var refs = UnsafeMutablePointer<Unmanaged<Box>>.allocate(capacity: 1)
        /// How many definitions have code (`boxes.count`, read where the code is called).
        private(set) var count = 0
        deinit { refs.deallocate() }

        /// Sets the definitions' code, once: `AtomTable`s keep `refs` itself.
        func define(_ code: [Box]) {
            precondition(boxes.isEmpty, "a program's definitions are compiled once")
            boxes = code
            refs.deallocate()
            refs = .allocate(capacity: max(1, boxes.count))
            refs.initialize(from: boxes.map { Unmanaged.passUnretained($0) }, count: boxes.count)
            count = boxes.count
        }

        /// The boxes' unretained references and their number, for an `AtomTable` that keeps this
        /// table (and so them) alive and calls them where they are.
        var unretained: (refs: UnsafePointer<Unmanaged<Box>>, count: Int) { (UnsafePointer(refs), count) }

        /// Definition `index` worked out for `frame`'s record; null for one this table has no code for.
        @inline(__always) func work(_ index: Int, _ frame: Frame) -> Value {
            guard index < count else { return .null }
            return refs[index]._withUnsafeGuaranteedRef { $0.code(frame) }
        }
        /// The checked expressions behind the code, so a use can be compiled knowing what it reads.
        var expressions: [TypedExpr] = []
        /// What each definition costs to work out (`Compiler.cost`), once known.
        var costs: [Int: Int] = [:]
    }

    func compile(_ e: TypedExpr) -> Code {
        if scope.loops > 0, !e.isConstant, Compiler.worthKeeping(e), Compiler.isRecordInvariant(e) { return memoized(e) }
        let code = compileNode(e)
        if case .constant = e.node { return code }
        guard e.isConstant else { return code }
        // Folded: `duration("P6M")` or `2 * 12` is computed once here, not for every record.
        let value = code(folding)
        return { _ in value }
    }

    /// `e`, which reads the record but no variable and no decision value, inside a loop: worked out
    /// once per record, on first use, rather than for every item (`item > referral.received.date -
    /// duration("P12M")` in a filter of the previous referrals). Expressions have no effects, so
    /// working one out once gives what working it out for each item gives.
    private func memoized(_ e: TypedExpr) -> Code {
        let saved = scope.loops
        scope.loops = 0
        let code = compile(e)
        scope.loops = saved
        let k = layout.addMemo()
        return { f in k < f.definitionCount ? f.kept(k, code) : code(f) }
    }

    /// Code inside a loop: compiled one loop deeper.
    func inLoop<T>(_ body: () -> T) -> T {
        scope.loops += 1
        defer { scope.loops -= 1 }
        return body()
    }

    /// Whether keeping `e`'s value saves work: anything but reading a field, a variable, a
    /// definition (kept already) or a decision value.
    static func worthKeeping(_ e: TypedExpr) -> Bool {
        switch e.node {
        case .constant, .root, .local, .context, .definition: return false
        case .field(_, _, let projection): return projection
        default: return true
        }
    }

    /// True when `e` reads no variable and no decision value (`level`, the disclosure `request`),
    /// so its value is the same wherever it is worked out for one record.
    static func isRecordInvariant(_ e: TypedExpr) -> Bool {
        switch e.node {
        case .local, .context, .quantified, .filter, .forLoop: return false
        case .constant, .root, .definition: return true
        case .field(let x, _, _), .not(let x), .negate(let x), .property(let x, _): return isRecordInvariant(x)
        case .and(let a, let b), .or(let a, let b), .compare(_, let a, let b), .arithmetic(_, let a, let b), .index(let a, let b),
             .inList(let a, let b):
            return isRecordInvariant(a) && isRecordInvariant(b)
        case .between(let x, let lo, let hi), .inRange(let x, let lo, let hi, _, _), .conditional(let x, let lo, let hi):
            return isRecordInvariant(x) && isRecordInvariant(lo) && isRecordInvariant(hi)
        case .range(let lo, let hi, _, _): return isRecordInvariant(lo) && isRecordInvariant(hi)
        case .inItems(let x, let items): return isRecordInvariant(x) && items.allSatisfy(isRecordInvariant)
        case .list(let items), .call(_, let items): return items.allSatisfy(isRecordInvariant)
        }
    }

    /// The value of an expression the checker marked constant.
    func constant(_ e: TypedExpr) -> Value { compile(e)(folding) }

    /// Field slots from the root for `referral.dash_risk`-like chains (no lists on the way).
    static func staticPath(_ e: TypedExpr) -> [Int]? {
        switch e.node {
        case .root(let slot): return [slot]
        case .field(let base, let slot, false): return staticPath(base).map { $0 + [slot] }
        default: return nil
        }
    }

    private func compileNode(_ e: TypedExpr) -> Code {
        // Frames keep variables in memory of a fixed size: a variable the checker numbered beyond it
        // (which it never does) gives null rather than reading or writing outside that memory.
        guard Compiler.locals(of: e).allSatisfy({ $0 >= 0 && $0 < layout.localCount }) else { return { _ in .null } }
        switch e.node {
        case .and, .or, .not, .compare, .inItems, .inList, .quantified:
            // Conditions: compiled to give a truth, read here as a value.
            let test = compileTestNode(e)
            return { f in test(f).value }
        case .constant(let v):
            return { _ in v }
        case .local(let slot):
            return { f in f.locals[slot] }
        case .root, .field:
            // A record path, resolved once per record by the frame, or `c.category` inside
            // `some c in ...`, read straight from the variable.
            switch inPlace(e) {
            case .path(let k)?: return { f in f.path(k).pointee }
            case let read?: return { f in read.read(f) }
            case nil: break
            }
            guard case .field(let base, let slot, let projection) = e.node else { return { _ in .null } }
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
            return { f in f.kept(index) { table.work(index, $0) } }
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
        case .arithmetic(let op, let a, let b):
            let l = compile(a)
            if op == .add || op == .subtract, b.isConstant, !a.isConstant, case .yearMonthDuration(let m) = constant(b) {
                // `referral.received.date - duration("P12M")`: a date moved by whole months here, where
                // the general arithmetic switched on the operator and both values, and called the
                // constant's code, for about 180 instructions. Anything but a date goes the general way.
                let months = op == .add ? m : -m, c = Value.yearMonthDuration(m)
                return { f in
                    let v = l(f)
                    if case .date(let d) = v { return .date(d.adding(months: months)) }
                    return ValueOps.arithmetic(op, v, c)
                }
            }
            let r = compile(b)
            return { f in ValueOps.arithmetic(op, l(f), r(f)) }
        case .between(let x, let lo, let hi):
            let cx = compile(x), cl = compile(lo), ch = compile(hi)
            return { f in ValueOps.inRange(cx(f), cl(f), { ch(f) }, true, true) }
        case .inRange(let x, let lo, let hi, let lowClosed, let highClosed):
            let cx = compile(x)
            let test = Compiler.rangeTest(compile(lo), compile(hi), lowClosed, highClosed)
            return { f in test(cx(f), f) }
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
        case .filter(let list, let slot, let predicate):
            let cl = compile(list), cp = inLoop { compileTest(predicate) }
            return { f in
                guard case .list(let items) = cl(f) else { return .null }
                var out: [Value] = []
                f.forEach(items, binding: slot) { i in
                    if cp(f) == .yes {
                        // One allocation for the result, not one per doubling, and none when nothing passes.
                        if out.isEmpty { out.reserveCapacity(items.count - i) }
                        out.append(items[i])
                    }
                    return true
                }
                return .list(out)
            }
        case .index(let list, let index):
            if case .filter(let source, let slot, let predicate) = list.node, slot >= 0, slot < layout.localCount,
               index.isConstant, case .number(let n) = constant(index), let k = ValueOps.smallInteger(n), k > 0 {
                // `xs[condition][1]`: the k-th item that passes, found without making the filtered list.
                let cs = compile(source), cp = inLoop { compileTest(predicate) }
                return { f in
                    guard case .list(let items) = cs(f) else { return .null }
                    var seen = 0, found = -1
                    f.forEach(items, binding: slot) { i in
                        if cp(f) == .yes { seen += 1; if seen == k { found = i; return false } }
                        return true
                    }
                    return found < 0 ? .null : items[found]
                }
            }
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
                let cl = compile(list), cp = inLoop { compileTest(predicate) }
                return { f in
                    guard case .list(let items) = cl(f) else { return .null }
                    var n = 0
                    f.forEach(items, binding: slot) { _ in
                        if cp(f) == .yes { n += 1 }
                        return true
                    }
                    return ValueOps.count(n)
                }
            }
            let c = compile(args[0])
            return { f in
                guard case .list(let l) = c(f) else { return .null }
                return ValueOps.count(l.count)
            }
        case .call(let builtin, let args) where args.count == 1 || args.count == 2:
            // One or two arguments (`years and months duration(child.date_of_birth, referral.received)`)
            // are captured one by one: taken out of an array, a closure goes through a conversion
            // thunk and is retained, for each argument of each call.
            let c0 = compile(args[0])
            let c1 = args.count == 2 ? compile(args[1]) : nil
            if builtin == .yearsAndMonthsDuration, let c1 {
                // A child's age, read by most rule sets for most records: the dates are compared
                // here, where going through the argument array and the general call cost more than
                // working out the months.
                return { f in BuiltinFunctions.yearsAndMonthsDuration(c0(f), c1(f)) }
            }
            let site = layout.addCallSite()
            let arity = args.count
            return { f in
                guard site < f.callSiteCount else {
                    return BuiltinFunctions.call(builtin, c1.map { [c0(f), $0(f)] } ?? [c0(f)])
                }
                return Compiler.call(builtin, arguments: f.callArguments + site, arity: arity) { values in
                    values[0] = c0(f)
                    if let c1 { values[1] = c1(f) }
                }
            }
        case .call(let builtin, let args):
            let cs = args.map { compile($0) }
            // The arguments go in an array the frame keeps for this call, written over for each
            // record, so a call allocates nothing once the array is made (emptying and refilling it
            // cost more than the call, for `years and months duration`). A call's arguments never
            // contain the same call, so nothing else uses the array meanwhile.
            let site = layout.addCallSite()
            let arity = cs.count
            return { f in
                guard site < f.callSiteCount else { return BuiltinFunctions.call(builtin, cs.map { $0(f) }) }
                return Compiler.call(builtin, arguments: f.callArguments + site, arity: arity) { values in
                    for k in 0..<arity { values[k] = cs[k](f) }
                }
            }
        case .range(let lo, let hi, let lowClosed, let highClosed):
            let cl = compile(lo), ch = compile(hi)
            return { f in .range(low: cl(f), high: ch(f), lowClosed: lowClosed, highClosed: highClosed) }
        case .forLoop(let locals, let sources, let body):
            // Every source but the first is worked out inside the loop over the ones before it.
            let cs = sources.enumerated().map { k, source in k == 0 ? compile(source) : inLoop { compile(source) } }
            let cb = inLoop { compile(body) }
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
            if p == .date {
                // `referral.received.date`: the date of a date-time read here, where the general
                // property switched on the value and the property together (about 200 instructions).
                return { f in
                    let v = c(f)
                    if case .dateTime(let t) = v { return .date(t.local.date) }
                    return ValueOps.property(v, p)
                }
            }
            return { f in ValueOps.property(c(f), p) }
        }
    }

    /// Calls `builtin` with arguments `fill` writes over the array a frame keeps for the call site,
    /// then lets go of what they hold (text, a list, a record), so that the frame keeps nothing of
    /// the record alive past its decision (see `Frame.release`).
    @inline(__always) static func call(_ builtin: Builtin, arguments values: UnsafeMutablePointer<[Value]>, arity: Int,
                                       _ fill: (inout [Value]) -> Void) -> Value {
        if values.pointee.count != arity { values.pointee = Array(repeating: .null, count: arity) }
        fill(&values.pointee)
        let result = BuiltinFunctions.call(builtin, values.pointee)
        for k in values.pointee.indices {
            switch values.pointee[k] {
            case .string, .list, .record, .range: values.pointee[k] = .null
            default: break
            }
        }
        return result
    }

    /// What a list expression is once definitions are looked through: `concern_categories` is
    /// `referral.concerns.category`.
    func projected(_ e: TypedExpr) -> TypedExpr {
        if case .definition(let i) = e.node, i < layout.definitionCount, i < definitionCode.expressions.count {
            return projected(definitionCode.expressions[i])
        }
        return e
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

    /// A decision-table cell: true when the input value, read where it is, passes the test.
    func compileCell(_ test: CellTestCode) -> Cell {
        if let comparison = constantComparison(test) { return { v, _ in comparison.test(v) == .yes } }
        switch test {
        case .any:
            return { _, _ in true }
        case .compare(let op, let e):
            let c = compile(e)
            return { v, f in ValueOps.compare(op, v.pointee, c(f)).isTrue }
        case .equals(let e):
            let c = compile(e)
            return { v, f in ValueOps.equal(v.pointee, c(f)).isTrue }
        case .inRange(let lo, let hi, let lowClosed, let highClosed):
            let t = Compiler.rangeTest(compile(lo), compile(hi), lowClosed, highClosed)
            return { v, f in t(v.pointee, f).isTrue }
        case .inList(let e):
            let c = compile(e)
            return { v, f in
                guard case .list(let l) = c(f) else { return false }
                return l.contains { ValueOps.equal(v.pointee, $0).isTrue }
            }
        case .oneOf(let tests):
            let cs = tests.map(compileCell)
            return { v, f in cs.contains { $0(v, f) } }
        case .not(let tests):
            let cs = tests.map(compileCell)
            return { v, f in !cs.contains { $0(v, f) } }
        }
    }

    /// The comparison a cell makes with a constant (`"high"`, `>= 14`), if that is what it is.
    private func constantComparison(_ test: CellTestCode) -> ConstantComparison? {
        constantOperands(test).map { ConstantComparison($0.op, $0.constant) }
    }

    private func constantOperands(_ test: CellTestCode) -> (op: BinaryOperator, constant: Value)? {
        switch test {
        case .compare(let op, let e) where e.isConstant: (op, constant(e))
        case .equals(let e) where e.isConstant: (.equal, constant(e))
        default: nil
        }
    }

    /// A decision table's rows: each row an `and` of its cells, every cell reading its input in
    /// place (a record path where the record holds it, anything else from the slot `prepare` fills
    /// before the rows are tried). Cells that compare with a constant are atoms (see `AtomTable`),
    /// decided without calling code; a row with any other cell keeps its compiled test, each cell in
    /// turn. A cell that is `-` costs nothing.
    func compileRows(_ table: CheckedRuleSet.Table) -> (prepare: [TableInput], rows: AtomTable) {
        var prepare: [TableInput] = []
        let inputs: [Operand] = table.inputs.map { e in
            if let read = inPlace(e) { return read }
            let slot = layout.addTableInput()
            prepare.append(TableInput(slot: slot, code: compile(e)))
            return .tableInput(slot)
        }
        layout.maxRows = max(layout.maxRows, table.rows.count)
        var pool = AtomPool()
        var rows: [AtomTable.Condition] = []
        for row in table.rows {
            // The whole row, and the cells that are not atoms.
            var test: (@Sendable (Frame) -> Bool)?, others: (@Sendable (Frame) -> Bool)?
            var atoms: [Atom] = [], complete = true
            for (i, cellCode) in zip(row.tests.indices, row.tests).reversed() where i < inputs.count {
                if case .any = cellCode { continue }
                let input = inputs[i]
                let one: Test
                var atom: Atom?
                if let (op, c) = constantOperands(cellCode) {
                    one = ConstantComparison(op, c).compiled(reading: input)
                    if case .path(let k) = input { atom = comparisonAtom(op, c, place: k, texts: &pool.texts) }
                    if case .tableInput(let k) = input { atom = comparisonAtom(op, c, place: k, input: true, texts: &pool.texts) }
                } else {
                    let cell = compileCell(cellCode)
                    one = { f in Truth(input.withValue(f) { cell($0, f) }) }
                }
                if let atom {
                    atoms.insert(atom, at: 0)
                } else {
                    complete = false
                    if let rest = others { others = { f in one(f) == .yes && rest(f) } } else { others = { f in one(f) == .yes } }
                }
                if let rest = test { test = { f in one(f) == .yes && rest(f) } } else { test = { f in one(f) == .yes } }
            }
            var rest: Test?
            if !atoms.isEmpty, let others { rest = { f in Truth(others(f)) } }
            if let test {
                rows.append(AtomTable.Condition({ f in Truth(test(f)) }, atoms: atoms, complete: complete, rest: rest))
            } else {
                rows.append(AtomTable.Condition({ _ in .yes }, atoms: atoms, complete: complete))
            }
        }
        return (prepare, AtomTable(rows, pool: pool, definitions: definitionCode))
    }
}

/// A table input worked out into a frame slot before the rows are tried.
struct TableInput: Sendable {
    let slot: Int
    let code: Code
}

/// A compiled decision-table cell: the input value where it is, and the frame for anything else it reads.
typealias Cell = @Sendable (UnsafePointer<Value>, Frame) -> Bool
