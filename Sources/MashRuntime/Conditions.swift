import Foundation
import MashChecker
import MashSchema
import MashSyntax

/// What a condition gives: FEEL's three-valued logic, and `other` for a value that is not a boolean
/// at all (`some`/`every` stop at one, where they go on past null).
enum Truth: UInt8, Sendable {
    case no, yes, null, other

    @inline(__always) init(_ v: Value) {
        switch v {
        case .boolean(let b): self = b ? .yes : .no
        case .null: self = .null
        default: self = .other
        }
    }

    @inline(__always) init(_ b: Bool) { self = b ? .yes : .no }

    /// As a value. Conditions the compiler makes never give `other`; it reads as null.
    @inline(__always) var value: Value {
        switch self {
        case .yes: .boolean(true)
        case .no: .boolean(false)
        case .null, .other: .null
        }
    }
}

/// A compiled condition: like `Code`, but it gives a `Truth` rather than a value, so rules, `and`,
/// `or`, comparisons and `some`/`every` pass a byte between them instead of copying values.
typealias Test = @Sendable (Frame) -> Truth

/// Where a condition's operand comes from. A record path (`referral.dash_risk`) or a variable's field
/// (`c.risk` in `some c in ...`) is read inside the condition's own code, without calling other code.
enum Operand: Sendable {
    case path(Int)
    case variableField(local: Int, slot: Int)
    case code(Code)
    /// A table input worked out before the table's rows are tried.
    case tableInput(Int)

    @inline(__always) func read(_ f: Frame) -> Value {
        switch self {
        case .path(let k): return f.path(k).pointee
        case .tableInput(let k): return k < f.tableInputCount ? f.tableInputs[k] : .null
        case .variableField(let local, let slot):
            if case .record(let fields) = f.locals[local], slot < fields.count { return fields[slot] }
            return .null
        case .code(let c): return c(f)
        }
    }

    /// Calls `body` with where the operand's value is, without copying it when it is a record path
    /// or the field of an item a loop has bound (copying a value retains and releases what it holds).
    @inline(__always) func withValue<R>(_ f: Frame, _ body: (UnsafePointer<Value>) -> R) -> R {
        switch self {
        case .path(let k):
            return body(f.path(k))
        case .tableInput(let k):
            return k < f.tableInputCount ? body(f.tableInputs + k) : withUnsafePointer(to: Value.null, body)
        case .variableField(let local, let slot):
            if let fields = f.itemFields[local] {
                if slot < f.itemFieldCounts[local] { return body(fields + slot) }
                return withUnsafePointer(to: Value.null, body)
            }
            return withUnsafePointer(to: read(f), body)
        case .code(let c):
            return withUnsafePointer(to: c(f), body)
        }
    }
}

/// Where a compiled condition finds its operand, as a type, so that code specialised for each place
/// captures only the place's numbers (see `ConstantComparison.compiled`).
protocol ValueSite: Sendable {
    func withValue<R>(_ f: Frame, _ body: (UnsafePointer<Value>) -> R) -> R
}

struct PathSite: ValueSite {
    let path: Int
    @inline(__always) func withValue<R>(_ f: Frame, _ body: (UnsafePointer<Value>) -> R) -> R { body(f.path(path)) }
}

struct ItemFieldSite: ValueSite {
    let local: Int, slot: Int
    @inline(__always) func withValue<R>(_ f: Frame, _ body: (UnsafePointer<Value>) -> R) -> R {
        Operand.variableField(local: local, slot: slot).withValue(f, body)
    }
}

struct TableInputSite: ValueSite {
    let input: Int
    @inline(__always) func withValue<R>(_ f: Frame, _ body: (UnsafePointer<Value>) -> R) -> R {
        Operand.tableInput(input).withValue(f, body)
    }
}

struct CodeSite: ValueSite {
    let code: Code
    @inline(__always) func withValue<R>(_ f: Frame, _ body: (UnsafePointer<Value>) -> R) -> R { withUnsafePointer(to: code(f), body) }
}

/// `x op c` for a constant `c`: text, booleans, numbers and year-month durations are compared in
/// place (text for equality without ordering it); anything else goes the general way, with the same result.
struct ConstantComparison: Sendable {
    private enum Kind: Sendable {
        case text(String), boolean(Bool), number(Decimal, small: Int?), months(Int), null, other
    }
    private let op: BinaryOperator
    private let constant: Value
    private let kind: Kind
    /// What the comparison gives for a null value (an optional field left out, the commonest value
    /// of all): worked out once, as the general way would.
    private let whenNull: Truth

    init(_ op: BinaryOperator, _ constant: Value) {
        self.op = op
        self.constant = constant
        whenNull = Truth(ValueOps.compare(op, .null, constant))
        switch constant {
        case .string(let s): kind = .text(s)
        case .boolean(let b) where op == .equal || op == .notEqual: kind = .boolean(b)
        case .number(let n): kind = .number(n, small: ValueOps.smallInteger(n))
        case .yearMonthDuration(let m): kind = .months(m)
        case .null where op == .equal || op == .notEqual: kind = .null
        default: kind = .other
        }
    }

    @inline(__always) func test(_ x: Value) -> Truth {
        withUnsafePointer(to: x) { test($0) }
    }

    /// The test of the value at `p`, read where it is.
    @inline(__always) func test(_ p: UnsafePointer<Value>) -> Truth {
        // One switch at a time: switching on a tuple of both would copy the value.
        switch kind {
        case .text(let c):
            guard case .string(let s) = p.pointee else { break }
            if op == .equal { return Truth(s == c) }
            if op == .notEqual { return Truth(s != c) }
            return Truth(ValueOps.holds(op, s < c ? -1 : (s == c ? 0 : 1)))
        case .boolean(let c):
            guard case .boolean(let b) = p.pointee else { break }
            return Truth((b == c) == (op == .equal))
        case .number(let c, let small):
            guard case .number(let n) = p.pointee else { break }
            // The constant's whole-number form is worked out once; `order` would read both each time.
            if let small, let k = ValueOps.smallInteger(n) { return Truth(ValueOps.holds(op, k < small ? -1 : (k == small ? 0 : 1))) }
            return Truth(ValueOps.holds(op, ValueOps.order(n, c)))
        case .months(let c):
            guard case .yearMonthDuration(let m) = p.pointee else { break }
            return Truth(ValueOps.holds(op, m < c ? -1 : (m == c ? 0 : 1)))
        case .null:
            // `x = null`: null equals only null.
            if case .null = p.pointee { return whenNull }
            return Truth(op == .notEqual)
        case .other:
            break
        }
        if case .null = p.pointee { return whenNull }
        return Truth(ValueOps.compare(op, p.pointee, constant))
    }

    /// The comparison of the operand read by `read`, as code specialised for where the operand is and
    /// for the commonest comparisons (text equal or not, a boolean, a whole number), so that it
    /// captures only what it compares; any other value goes through `test`, with the same result.
    func compiled(reading read: Operand) -> Test {
        switch read {
        case .path(let k): compiled(PathSite(path: k))
        case .variableField(let local, let slot): compiled(ItemFieldSite(local: local, slot: slot))
        case .tableInput(let k): compiled(TableInputSite(input: k))
        case .code(let c): compiled(CodeSite(code: c))
        }
    }

    private func compiled<S: ValueSite>(_ site: S) -> Test {
        let general = self, op = op
        switch kind {
        case .text(let c) where op == .equal || op == .notEqual:
            let wanted = op == .equal
            return { f in
                site.withValue(f) { p in
                    if case .string(let s) = p.pointee { return Truth((s == c) == wanted) }
                    return general.test(p)
                }
            }
        case .boolean(let c):
            let wanted = op == .equal ? c : !c
            return { f in
                site.withValue(f) { p in
                    if case .boolean(let b) = p.pointee { return Truth(b == wanted) }
                    return general.test(p)
                }
            }
        case .number(_, let small?):
            return { f in
                site.withValue(f) { p in
                    if case .number(let n) = p.pointee, let k = ValueOps.smallInteger(n) {
                        return Truth(ValueOps.holds(op, k < small ? -1 : (k == small ? 0 : 1)))
                    }
                    return general.test(p)
                }
            }
        default:
            return { f in site.withValue(f) { general.test($0) } }
        }
    }
}

extension Compiler {
    /// How code reads `e`: in place for a record path or a variable's field, else through its code.
    func operand(_ e: TypedExpr) -> Operand { inPlace(e) ?? .code(compile(e)) }

    /// A record path or a variable's field, which code reads in place; nil for anything else.
    func inPlace(_ e: TypedExpr) -> Operand? {
        if !e.isConstant, let path = Compiler.staticPath(e) { return .path(layout.path(path)) }
        if case .field(let base, let slot, false) = e.node, case .local(let local) = base.node, local >= 0, local < layout.localCount {
            return .variableField(local: local, slot: slot)
        }
        return nil
    }

    /// A condition, compiled to give a `Truth`. Anything that is not one of the condition kinds is
    /// compiled as a value and then read as a truth.
    func compileTest(_ e: TypedExpr) -> Test {
        let test = compileTestNode(e)
        guard e.isConstant else { return test }
        // Folded: a condition of constants is decided once, here.
        let t = test(folding)
        return { _ in t }
    }

    /// A condition compiled without folding (`compile` folds what this gives as a value).
    func compileTestNode(_ e: TypedExpr) -> Test {
        if case .quantified(_, let slot, _, _) = e.node, slot < 0 || slot >= layout.localCount { return { _ in .null } }
        switch e.node {
        case .and:
            // FEEL's `and` gives the same whichever part is tried first, and trying one has no
            // effect but its answer: the cheapest parts are tried first, so that `under_thirteen
            // and child.pregnant = true` works out the child's age only for a pregnant child.
            return chain(cheapestFirst(e, and: true), stopsAt: .no, unless: .yes)
        case .or:
            return chain(cheapestFirst(e, and: false), stopsAt: .yes, unless: .no)
        case .not(let x):
            let t = compileTest(x)
            return { f in
                switch t(f) {
                case .yes: .no
                case .no: .yes
                case .null, .other: .null
                }
            }
        case .compare(let op, let a, let b):
            return compileCompare(op, a, b)
        case .inItems(let x, let items):
            let read = operand(x)
            if items.allSatisfy(\.isConstant) {
                // `c.category in ("cse", "cce")`: text compared in place, anything else the general way.
                let values = items.map(constant)
                let texts = values.compactMap { if case .string(let s) = $0 { return s }; return nil }
                let allText = texts.count == values.count
                return { f in
                    read.withValue(f) { v in
                        if allText, case .string(let s) = v.pointee { return Truth(texts.contains(s)) }
                        for c in values where ValueOps.matches(v.pointee, c).isTrue { return .yes }
                        return .no
                    }
                }
            }
            let cs = items.map { compile($0) }
            return { f in
                let v = read.read(f)
                for c in cs where ValueOps.matches(v, c(f)).isTrue { return .yes }
                return .no
            }
        case .inList(let x, let list):
            return compileInList(x, list)
        case .quantified(let every, let slot, let source, let body):
            let cs = operand(source), cb = inLoop { compileTest(body) }
            let screen = every ? nil : itemScreen(slot, source, body)
            return { f in
                if let screen, screen.rulesOut(f) { return .no }
                var sawNull = false
                var result: Truth?
                // The list read where it is (a copy retained and released it).
                let isList = cs.withValue(f) { list in
                    f.forEach(inList: list, binding: slot) { _ in
                        switch cb(f) {
                        case .yes: if !every { result = .yes; return false }
                        case .no: if every { result = .no; return false }
                        case .null: sawNull = true
                        case .other: result = .null; return false
                        }
                        return true
                    }
                }
                guard isList else { return .null }
                return result ?? (sawNull ? .null : Truth(every))
            }
        default:
            let c = compile(e)
            return { f in Truth(c(f)) }
        }
    }

    /// A comparison; with a constant on one side (`referral.marac = true`, `c.risk = "high"`,
    /// `referral.dash_ticks >= 14`, the commonest condition in a rule set) it is compared in place.
    private func compileCompare(_ op: BinaryOperator, _ a: TypedExpr, _ b: TypedExpr) -> Test {
        if a.isConstant, !b.isConstant, let flipped = Compiler.flipped(op) { return compileCompare(flipped, b, a) }
        guard b.isConstant, !a.isConstant else {
            let l = compile(a), r = compile(b)
            guard op == .less || op == .lessOrEqual || op == .greater || op == .greaterOrEqual else {
                return { f in Truth(ValueOps.compare(op, l(f), r(f))) }
            }
            // Two dates, or two date-times (`referral.decided_at > deadline`, `item > referral.received.date
            // - duration("P12M")`), ordered here: the general comparison switched on the pair, which
            // copied both values, and cost about 270 instructions. The same result as `ValueOps.compare`:
            // a local date-time and one with an offset have no order.
            return { f in
                let x = l(f), y = r(f)
                if case .dateTime(let p) = x, case .dateTime(let q) = y {
                    guard p.isLocal == q.isLocal else { return .null }
                    return Truth(ValueOps.holds(op, p < q ? -1 : (p == q ? 0 : 1)))
                }
                if case .date(let p) = x, case .date(let q) = y { return Truth(ValueOps.holds(op, p < q ? -1 : (p == q ? 0 : 1))) }
                return Truth(ValueOps.compare(op, x, y))
            }
        }
        let c = constant(b)
        // `flipped` is nil for anything but the six comparisons.
        if case .context(.level) = a.node, case .number(let n) = c, let k = ValueOps.smallInteger(n), Compiler.flipped(op) != nil {
            // `level = protection`, `level >= child_in_need`: the decision's rank compared with the
            // level's, as whole numbers, where the general comparison made the rank a decimal and
            // read it back (about 200 instructions). Before there is a level, as null compares.
            let whenNull = Truth(ValueOps.compare(op, .null, c))
            return { f in
                let rank = f.levelRank
                return rank < 0 ? whenNull : Truth(ValueOps.holds(op, rank < k ? -1 : (rank == k ? 0 : 1)))
            }
        }
        if case .call(.count, let args) = a.node, args.count == 1, case .filter(let list, let slot, let predicate) = args[0].node,
           slot >= 0, slot < layout.localCount, case .number(let n) = c, let k = ValueOps.smallInteger(n),
           // Inside a loop, a count that reads only the record is kept per record by `compile`, as before.
           !(scope.loops > 0 && Compiler.isRecordInvariant(a)) {
            return countComparison(op, k, whenNull: Truth(ValueOps.compare(op, .null, c)), list, slot, predicate)
        }
        return ConstantComparison(op, c).compiled(reading: operand(a))
    }

    /// `count(xs[condition]) op k` (`count(history.previous_referrals[item > ...]) > 0`): the items
    /// that pass are counted as whole numbers and compared with `k`, where the count was made a
    /// decimal and compared with the constant's (about 130 instructions). Counting stops once more
    /// than `k` have passed, when no further item can change the answer; trying an item has no
    /// effect but its answer. Not a list: null, compared as null compares.
    private func countComparison(_ op: BinaryOperator, _ k: Int, whenNull: Truth, _ list: TypedExpr, _ slot: Int,
                                 _ predicate: TypedExpr) -> Test {
        let cl = operand(list), cp = inLoop { compileTest(predicate) }
        return { f in
            var n = 0
            let isList = cl.withValue(f) { items in
                f.forEach(inList: items, binding: slot) { _ in
                    if cp(f) == .yes { n += 1 }
                    return n <= k
                }
            }
            guard isList else { return whenNull }
            return Truth(ValueOps.holds(op, n < k ? -1 : (n == k ? 0 : 1)))
        }
    }

    /// The comparison that gives the same with its sides swapped (`3 < x` is `x > 3`); nil for an
    /// operator that is not a comparison.
    static func flipped(_ op: BinaryOperator) -> BinaryOperator? {
        switch op {
        case .less: .greater
        case .lessOrEqual: .greaterOrEqual
        case .greater: .less
        case .greaterOrEqual: .lessOrEqual
        case .equal, .notEqual: op
        default: nil
        }
    }

    /// `and` (`stop` false, `all` true) or `or` (`stop` true, `all` false) of `parts`, tried in
    /// order: the first part that gives `stop` decides; else `all` when every part gives it, else null.
    private func chain(_ parts: [TypedExpr], stopsAt stop: Truth, unless all: Truth) -> Test {
        var test = compileTest(parts[0])
        for part in parts.dropFirst() {
            let l = test, r = compileTest(part)
            test = { f in
                let x = l(f)
                if x == stop { return stop }
                let y = r(f)
                if y == stop { return stop }
                return x == all && y == all ? all : .null
            }
        }
        return test
    }

    /// `parts` joined by `and`, the cheapest tried first, as a condition (see `AtomTable`: what a
    /// rule's atoms leave to code).
    func compileAnd(_ parts: [TypedExpr]) -> Test {
        let costs = parts.map { cost($0) }
        let ordered = parts.indices.sorted { (costs[$0], $0) < (costs[$1], $1) }.map { parts[$0] }
        return ordered.count == 1 ? compileTest(ordered[0]) : chain(ordered, stopsAt: .no, unless: .yes)
    }

    /// The parts of a chain of `and` (with `and: false`, of `or`), in the order written; a chain of
    /// the other kind inside it is one part.
    static func parts(of e: TypedExpr, and: Bool) -> [TypedExpr] {
        var parts: [TypedExpr] = []
        func collect(_ x: TypedExpr) {
            switch x.node {
            case .and(let a, let b) where and: collect(a); collect(b)
            case .or(let a, let b) where !and: collect(a); collect(b)
            default: parts.append(x)
            }
        }
        collect(e)
        return parts
    }

    /// The parts of a chain of `and` (or of `or`), the cheapest first (see `cost`); parts of equal
    /// cost stay in the order written.
    func cheapestFirst(_ e: TypedExpr, and: Bool) -> [TypedExpr] {
        let parts = Compiler.parts(of: e, and: and)
        let costs = parts.map { cost($0) }
        return parts.indices.sorted { (costs[$0], $0) < (costs[$1], $1) }.map { parts[$0] }
    }

    /// A rough cost of working out `e` once, for ordering the parts of `and` and `or`: reading a
    /// field or comparing costs little; calling a built-in, making a list, a filter or a loop over
    /// a list's items costs much more. A definition costs what its expression does (it is worked
    /// out once per record, but a part that need not be tried may spare working it out at all).
    func cost(_ e: TypedExpr, depth: Int = 0) -> Int {
        if e.isConstant { return 0 }
        guard depth < 64 else { return 1_000 }
        func c(_ x: TypedExpr) -> Int { cost(x, depth: depth + 1) }
        switch e.node {
        case .constant: return 0
        case .root, .local, .context: return 1
        case .field(let base, _, let projection): return c(base) + (projection ? 10 : 1)
        case .definition(let index):
            guard index < definitionCode.expressions.count else { return 1 }
            if let known = definitionCode.costs[index] { return known }
            let worked = c(definitionCode.expressions[index])
            definitionCode.costs[index] = worked
            return worked
        case .not(let x), .negate(let x), .property(let x, _): return 1 + c(x)
        case .and(let a, let b), .or(let a, let b), .compare(_, let a, let b), .arithmetic(_, let a, let b), .index(let a, let b):
            return 1 + c(a) + c(b)
        case .between(let x, let lo, let hi), .inRange(let x, let lo, let hi, _, _): return 2 + c(x) + c(lo) + c(hi)
        case .inItems(let x, let items): return 1 + c(x) + items.reduce(0) { $0 + c($1) }
        case .inList(let x, let list):
            // `"neglect" in concern_categories` reads a bit once the record's set is worked out.
            if x.isConstant, case .definition = list.node, case .field(_, _, true) = projected(list).node { return 2 }
            return 2 + c(x) + c(list)
        case .list(let items): return 5 + items.reduce(0) { $0 + c($1) }
        case .conditional(let test, let a, let b): return 1 + c(test) + max(c(a), c(b))
        case .quantified(let every, let local, let source, let body):
            // Ruled out without trying the items, for most records (`ItemScreen`).
            if !every, screenedTexts(local, body) != nil, case .path? = inPlace(source) { return 3 }
            return 10 + c(source) + 4 * c(body)
        case .filter(let list, _, let predicate): return 10 + c(list) + 4 * c(predicate)
        case .call(_, let args): return 20 + args.reduce(0) { $0 + c($1) }
        case .range(let lo, let hi, _, _): return 5 + c(lo) + c(hi)
        case .forLoop(_, let sources, let body): return 20 + sources.reduce(0) { $0 + c($1) } + 4 * c(body)
        }
    }

    /// The membership set of a field of a record path's items (`referral.concerns` and `category`),
    /// or nil when the items are not read from a record path.
    func memberKey(_ items: TypedExpr, _ slot: Int) -> FrameLayout.MemberKey? {
        if case .path(let k)? = inPlace(items) { return .itemField(path: k, slot: slot) }
        return nil
    }

    /// A screen for `some v in items satisfies body` when `body` is a condition joined by `and`, one of
    /// whose parts tests a field of `v` against texts (`c.category in ("cse", "cce")`,
    /// `c.category = "physical_injury"`): see `ItemScreen`.
    func itemScreen(_ local: Int, _ items: TypedExpr, _ body: TypedExpr) -> ItemScreen? {
        guard let (slot, texts, nullIsNo) = screenedTexts(local, body), !texts.isEmpty, case .path(let path)? = inPlace(items) else { return nil }
        let key = FrameLayout.MemberKey.itemField(path: path, slot: slot)
        var mask: UInt64 = Frame.membershipNotAList | Frame.membershipOddItem | (nullIsNo ? 0 : Frame.membershipNullItem)
        var found: Int?
        for text in texts {
            guard let (set, _, bit) = layout.member(text, of: key) else { return nil }
            mask |= 1 << UInt64(bit)
            found = set
        }
        guard let found else { return nil }
        return ItemScreen(set: found, mask: mask)
    }

    /// The field of `local` and the texts a part of `body` (joined to the rest by `and`) tests it
    /// against, and whether that part is false, not null, when the field is null.
    private func screenedTexts(_ local: Int, _ body: TypedExpr) -> (slot: Int, texts: [String], nullIsNo: Bool)? {
        func field(_ e: TypedExpr) -> Int? {
            if case .field(let base, let slot, false) = e.node, case .local(let l) = base.node, l == local { return slot }
            return nil
        }
        func text(_ e: TypedExpr) -> String? {
            guard e.isConstant, case .string(let s) = constant(e) else { return nil }
            return s
        }
        switch body.node {
        case .and(let a, let b):
            return screenedTexts(local, a) ?? screenedTexts(local, b)
        case .compare(.equal, let a, let b):
            guard let (slot, t) = field(a).flatMap({ s in text(b).map { (s, $0) } }) ?? field(b).flatMap({ s in text(a).map { (s, $0) } })
            else { return nil }
            // As `ConstantComparison` decides it for a null field.
            return (slot, [t], Truth(ValueOps.compare(.equal, .null, .string(t))) == .no)
        case .inItems(let x, let items):
            guard let slot = field(x) else { return nil }
            let texts = items.compactMap(text)
            guard texts.count == items.count else { return nil }
            // `null in ("a", "b")` is false, as the compiled test decides it.
            return (slot, texts, items.allSatisfy { !ValueOps.matches(.null, constant($0)).isTrue })
        default:
            return nil
        }
    }

    /// Which of `texts` the field `slot` of the items of `list` holds, as `"x" in list.field` decides
    /// it for each text: text by equality, null never, any other value as `in` matches it. Also says
    /// whether any item's field is null (`membershipNullItem`), or is neither text nor null, or the
    /// item is not a record (`membershipOddItem`), for `ItemScreen`.
    /// The list at `list` is read where it is, and its items by index: a copy of the list, and of
    /// each item, retained and released them.
    /// With `inPlace` (`ArrayInPlace.layoutKnown`), the items and their fields are read where they
    /// are, without binding their arrays (a retain and a release for the list and for each item).
    static func members(_ list: UnsafePointer<Value>, _ slot: Int, _ texts: MemberSet, inPlace: Bool) -> UInt64 {
        @inline(__always) func bit(of field: UnsafePointer<Value>, into bits: inout UInt64) {
            switch field.pointee {
            case .string(let s):
                if let k = texts.bit(of: s) { bits |= 1 << UInt64(k) }
            case .null:
                bits |= Frame.membershipNullItem
            case let v:
                bits |= Frame.membershipOddItem
                for (text, k) in texts.texts where ValueOps.matches(.string(text), v).isTrue { bits |= 1 << UInt64(k) }
            }
        }
        var bits = Frame.membershipKnown
        if let items = ArrayInPlace.items(list, known: inPlace) {
            for i in 0..<items.count {
                guard let fields = ArrayInPlace.fields(items.baseAddress! + i, known: true), slot < fields.count else {
                    bits |= Frame.membershipOddItem
                    continue
                }
                bit(of: fields.baseAddress! + slot, into: &bits)
            }
            return bits
        }
        guard case .list(let items) = list.pointee else { return Frame.membershipKnown | Frame.membershipNotAList }
        for i in items.indices {
            guard case .record(let fields) = items[i], slot < fields.count else {
                bits |= Frame.membershipOddItem
                continue
            }
            fields.withUnsafeBufferPointer { bit(of: $0.baseAddress! + slot, into: &bits) }
        }
        return bits
    }

    private func compileInList(_ x: TypedExpr, _ list: TypedExpr) -> Test {
        guard x.isConstant, case .string(let text) = constant(x) else {
            let cx = compile(x), cl = compile(list)
            return { f in
                let l = cl(f)
                guard case .list = l else { return .null }
                return Truth(ValueOps.matches(cx(f), l))
            }
        }
        // `"neglect" in concern_categories`: the list's text items compared in place.
        let v = Value.string(text)
        @Sendable @inline(__always) func found(_ item: Value) -> Bool {
            switch item {
            case .string(let s): return s == text
            case .null: return false
            default: return ValueOps.matches(v, item).isTrue
            }
        }
        if case .definition(let definition) = list.node, case .field(let base, let slot, true) = projected(list).node,
           let (set, texts, bit) = layout.member(text, of: memberKey(base, slot) ?? .definition(definition)) {
            // `"neglect" in concern_categories`, where the definition is `referral.concerns.category`:
            // the first such test for a record reads the items once and marks every text the rule set
            // tests against it; this and later tests read a bit.
            let read = operand(base), mask: UInt64 = 1 << UInt64(bit)
            return { f in
                // A list definition's set, or a frame made before the set was (the compiler's own,
                // for constants), is worked out here; a record path's items' set by the frame.
                var bits = f.membership(set)
                if bits == 0 {
                    bits = read.withValue(f) { Compiler.members($0, slot, texts, inPlace: f.inPlace) }
                    if set < f.membershipCount { f.memberships[set] = bits }
                }
                if bits & Frame.membershipNotAList != 0 { return .null }
                return Truth(bits & mask != 0)
            }
        }
        if case .field(let base, let slot, true) = projected(list).node {
            // `"neglect" in referral.concerns.category`, directly or through a definition: each
            // item's field is tested where it is, without making the projected list.
            let read = operand(base)
            return { f in
                guard case .list(let items) = read.read(f) else { return .null }
                for item in items {
                    guard case .record(let fields) = item, slot < fields.count else { continue }
                    if found(fields[slot]) { return .yes }
                }
                return .no
            }
        }
        let cl = compile(list)
        return { f in
            guard case .list(let items) = cl(f) else { return .null }
            for item in items where found(item) { return .yes }
            return .no
        }
    }
}

/// Rules out `some v in items satisfies ... and v.f in ("a", "b") and ...` for a record without
/// trying its items: when no item's `f` is one of the texts, that part is false for every item, so
/// the body is, so `some` is false. Which texts the items hold is worked out once per record in a
/// membership set, shared by every test of the same field (the London rules test
/// `referral.concerns`' `category` in nine rules, where most referrals have one or two concerns of
/// another category). Anything else (not a list, an item not a record, a field neither text nor
/// null, a null field where that part would be null) leaves the items to be tried.
struct ItemScreen: Sendable {
    /// The membership set of the items' field (`Frame.membership`).
    let set: Int
    /// The texts' bits, and what stops the screen.
    let mask: UInt64

    /// As an atom (`Atom.Kind.screen`), which only rules out.
    var atom: Atom { Atom(kind: .screen, op: .equal, place: set, wanted: false, constant: 0, mask: mask, whenNull: .null, cost: 3) }

    @inline(__always) func rulesOut(_ f: Frame) -> Bool {
        // A frame made before the set was (the compiler's own, for constants) has none: it tries the items.
        let bits = f.membership(set)
        return bits != 0 && bits & mask == 0
    }
}
