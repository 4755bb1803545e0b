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

    @inline(__always) func read(_ f: Frame) -> Value {
        switch self {
        case .path(let k): return f.paths[k]
        case .variableField(let local, let slot):
            if case .record(let fields) = f.locals[local], slot < fields.count { return fields[slot] }
            return .null
        case .code(let c): return c(f)
        }
    }
}

/// `x op c` for a constant `c`: text, booleans, numbers and year-month durations are compared in
/// place (text for equality without ordering it); anything else goes the general way, with the same result.
struct ConstantComparison: Sendable {
    private enum Kind: Sendable {
        case text(String), boolean(Bool), number(Decimal, small: Int?), months(Int), other
    }
    private let op: BinaryOperator
    private let constant: Value
    private let kind: Kind

    init(_ op: BinaryOperator, _ constant: Value) {
        self.op = op
        self.constant = constant
        switch constant {
        case .string(let s): kind = .text(s)
        case .boolean(let b) where op == .equal || op == .notEqual: kind = .boolean(b)
        case .number(let n): kind = .number(n, small: ValueOps.smallInteger(n))
        case .yearMonthDuration(let m): kind = .months(m)
        default: kind = .other
        }
    }

    @inline(__always) func test(_ x: Value) -> Truth {
        // One switch at a time: switching on a tuple of both would copy the value.
        switch kind {
        case .text(let c):
            guard case .string(let s) = x else { break }
            if op == .equal { return Truth(s == c) }
            if op == .notEqual { return Truth(s != c) }
            return Truth(ValueOps.holds(op, s < c ? -1 : (s == c ? 0 : 1)))
        case .boolean(let c):
            guard case .boolean(let b) = x else { break }
            return Truth((b == c) == (op == .equal))
        case .number(let c, let small):
            guard case .number(let n) = x else { break }
            // The constant's whole-number form is worked out once; `order` would read both each time.
            if let small, let k = ValueOps.smallInteger(n) { return Truth(ValueOps.holds(op, k < small ? -1 : (k == small ? 0 : 1))) }
            return Truth(ValueOps.holds(op, ValueOps.order(n, c)))
        case .months(let c):
            guard case .yearMonthDuration(let m) = x else { break }
            return Truth(ValueOps.holds(op, m < c ? -1 : (m == c ? 0 : 1)))
        case .other:
            break
        }
        return Truth(ValueOps.compare(op, x, constant))
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
        case .and(let a, let b):
            let l = compileTest(a), r = compileTest(b)
            return { f in
                let x = l(f)
                if x == .no { return .no }
                let y = r(f)
                if y == .no { return .no }
                return x == .yes && y == .yes ? .yes : .null
            }
        case .or(let a, let b):
            let l = compileTest(a), r = compileTest(b)
            return { f in
                let x = l(f)
                if x == .yes { return .yes }
                let y = r(f)
                if y == .yes { return .yes }
                return x == .no && y == .no ? .no : .null
            }
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
                    let v = read.read(f)
                    if allText, case .string(let s) = v { return Truth(texts.contains(s)) }
                    for c in values where ValueOps.matches(v, c).isTrue { return .yes }
                    return .no
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
            let cs = operand(source), cb = compileTest(body)
            return { f in
                guard case .list(let items) = cs.read(f) else { return .null }
                var sawNull = false
                var result: Truth?
                f.forEach(items, binding: slot) { _ in
                    switch cb(f) {
                    case .yes: if !every { result = .yes; return false }
                    case .no: if every { result = .no; return false }
                    case .null: sawNull = true
                    case .other: result = .null; return false
                    }
                    return true
                }
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
        let flipped: BinaryOperator? = switch op {
        case .less: .greater
        case .lessOrEqual: .greaterOrEqual
        case .greater: .less
        case .greaterOrEqual: .lessOrEqual
        case .equal, .notEqual: op
        default: nil
        }
        if a.isConstant, !b.isConstant, let flipped { return compileCompare(flipped, b, a) }
        guard b.isConstant, !a.isConstant else {
            let l = compile(a), r = compile(b)
            return { f in Truth(ValueOps.compare(op, l(f), r(f))) }
        }
        let comparison = ConstantComparison(op, constant(b))
        let read = operand(a)
        return { f in comparison.test(read.read(f)) }
    }

    /// Which of `texts` the field `slot` of the items of `list` holds, as `"x" in list.field` decides
    /// it for each text: text by equality, null never, any other value as `in` matches it.
    static func members(_ list: Value, _ slot: Int, _ texts: [String: Int]) -> UInt64 {
        guard case .list(let items) = list else { return Frame.membershipKnown | Frame.membershipNotAList }
        var bits = Frame.membershipKnown
        for item in items {
            guard case .record(let fields) = item, slot < fields.count else { continue }
            switch fields[slot] {
            case .string(let s):
                if let k = texts[s] { bits |= 1 << UInt64(k) }
            case .null:
                continue
            case let v:
                for (text, k) in texts where ValueOps.matches(.string(text), v).isTrue { bits |= 1 << UInt64(k) }
            }
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
           let (set, bit) = layout.member(text, of: definition) {
            // `"neglect" in concern_categories`, where the definition is `referral.concerns.category`:
            // the first such test for a record reads the items once and marks every text the rule set
            // tests against it; this and later tests read a bit.
            let read = operand(base), layout = layout, mask: UInt64 = 1 << UInt64(bit)
            return { f in
                // A frame made before the set was (the compiler's own, for constants) works it out each time.
                var bits = set < f.membershipCount ? f.memberships[set] : 0
                if bits == 0 {
                    bits = Compiler.members(read.read(f), slot, layout.memberTexts[set])
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
