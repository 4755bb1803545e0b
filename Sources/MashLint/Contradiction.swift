import Foundation
import MashChecker
import MashCore
import MashSchema
import MashSyntax

/// Finds conjunctions that no record can satisfy: `x = "a" and x = "b"`, `n < 3 and n > 5`,
/// `x in ("a", "b") and x = "c"`, a value compared both with null and with something else.
///
/// Reasoning is per field and per `and`-chain (definitions are looked through); `or`, arithmetic and
/// relations between two fields are not reasoned about, so a rule this passes may still never fire.
struct Contradiction {
    let definitions: [TypedExpr]

    private struct Facts {
        var equal: (Value, Span)?
        var allowed: (Set<Value>, Span)?
        var excluded: [(Value, Span)] = []
        var lower: (Decimal, Bool, Span)?
        var upper: (Decimal, Bool, Span)?
        var enumeration: [String]?
    }

    /// The spans of atoms that cannot all hold, or nil.
    func find(_ condition: TypedExpr) -> [Span]? {
        var facts: [String: Facts] = [:]
        var atoms: [TypedExpr] = []
        flatten(condition, into: &atoms, depth: 0)
        for atom in atoms { if let conflict = add(atom, to: &facts) { return conflict } }
        return nil
    }

    private func flatten(_ e: TypedExpr, into atoms: inout [TypedExpr], depth: Int) {
        guard depth < 32 else { return }
        switch e.node {
        case .and(let a, let b):
            flatten(a, into: &atoms, depth: depth + 1)
            flatten(b, into: &atoms, depth: depth + 1)
        case .definition(let i) where i < definitions.count:
            flatten(definitions[i], into: &atoms, depth: depth + 1)
        default:
            atoms.append(e)
        }
    }

    private func key(_ e: TypedExpr) -> String? {
        switch e.node {
        case .root(let s): return "\(s)"
        case .field(let b, let slot, false): return key(b).map { "\($0).\(slot)" }
        case .definition(let i): return "d\(i)"
        default: return nil
        }
    }

    private func constant(_ e: TypedExpr) -> Value? { if case .constant(let v) = e.node { return v }; return nil }

    private func flipped(_ op: BinaryOperator) -> BinaryOperator {
        switch op {
        case .less: return .greater
        case .lessOrEqual: return .greaterOrEqual
        case .greater: return .less
        case .greaterOrEqual: return .lessOrEqual
        default: return op
        }
    }

    private func add(_ atom: TypedExpr, to facts: inout [String: Facts]) -> [Span]? {
        switch atom.node {
        case .compare(let op, let a, let b):
            if let k = key(a), let v = constant(b) { return constrain(k, a.type, op, v, atom.span, &facts) }
            if let k = key(b), let v = constant(a) { return constrain(k, b.type, flipped(op), v, atom.span, &facts) }
        case .not(let inner):
            if case .compare(.equal, let a, let b) = inner.node {
                if let k = key(a), let v = constant(b) { return constrain(k, a.type, .notEqual, v, atom.span, &facts) }
                if let k = key(b), let v = constant(a) { return constrain(k, b.type, .notEqual, v, atom.span, &facts) }
            }
        case .inItems(let x, let items):
            guard let k = key(x) else { return nil }
            var set: Set<Value> = []
            for item in items {
                guard let v = constant(item) else { return nil }
                if case .list(let l) = v { set.formUnion(l) } else { set.insert(v) }
            }
            var f = facts[k] ?? Facts()
            if case .enumeration(let vs) = x.type { f.enumeration = vs }
            f.allowed = f.allowed.map { ($0.0.intersection(set), $0.1) } ?? (set, atom.span)
            facts[k] = f
            return check(f)
        case .inRange(let x, let lo, let hi, let lc, let hc):
            guard let k = key(x), case .number(let l)? = constant(lo), case .number(let h)? = constant(hi) else { return nil }
            if let c = constrain(k, x.type, lc ? .greaterOrEqual : .greater, .number(l), atom.span, &facts) { return c }
            return constrain(k, x.type, hc ? .lessOrEqual : .less, .number(h), atom.span, &facts)
        case .between(let x, let lo, let hi):
            guard let k = key(x), case .number(let l)? = constant(lo), case .number(let h)? = constant(hi) else { return nil }
            if let c = constrain(k, x.type, .greaterOrEqual, .number(l), atom.span, &facts) { return c }
            return constrain(k, x.type, .lessOrEqual, .number(h), atom.span, &facts)
        default:
            break
        }
        return nil
    }

    private func constrain(_ k: String, _ type: MType, _ op: BinaryOperator, _ v: Value, _ span: Span, _ facts: inout [String: Facts]) -> [Span]? {
        var f = facts[k] ?? Facts()
        if case .enumeration(let vs) = type { f.enumeration = vs }
        switch (op, v) {
        case (.equal, _):
            if let (existing, s) = f.equal, existing != v { return [s, span] }
            f.equal = (v, span)
        case (.notEqual, _):
            f.excluded.append((v, span))
        case (.less, .number(let n)), (.lessOrEqual, .number(let n)):
            let inclusive = op == .lessOrEqual
            if let u = f.upper, u.0 < n || (u.0 == n && !u.1) { break }
            f.upper = (n, inclusive, span)
        case (.greater, .number(let n)), (.greaterOrEqual, .number(let n)):
            let inclusive = op == .greaterOrEqual
            if let l = f.lower, l.0 > n || (l.0 == n && !l.1) { break }
            f.lower = (n, inclusive, span)
        default:
            return nil
        }
        facts[k] = f
        return check(f)
    }

    private func within(_ n: Decimal, _ f: Facts) -> Bool {
        if let l = f.lower, n < l.0 || (n == l.0 && !l.1) { return false }
        if let u = f.upper, n > u.0 || (n == u.0 && !u.1) { return false }
        return true
    }

    /// The spans that conflict, when the facts about one field cannot all hold.
    private func check(_ f: Facts) -> [Span]? {
        let boundSpans = [f.lower?.2, f.upper?.2].compactMap { $0 }
        if let l = f.lower, let u = f.upper, l.0 > u.0 || (l.0 == u.0 && !(l.1 && u.1)) { return [l.2, u.2] }
        if let (v, s) = f.equal {
            if let hit = f.excluded.first(where: { $0.0 == v }) { return [s, hit.1] }
            if let (set, ss) = f.allowed, !set.contains(v) { return [ss, s] }
            if case .null = v, !boundSpans.isEmpty { return [s] + boundSpans }
            if case .number(let n) = v, !within(n, f) { return [s] + boundSpans }
        }
        if let (set, s) = f.allowed {
            let excluded = Set(f.excluded.map(\.0))
            let remaining = set.filter { value in
                if excluded.contains(value) { return false }
                if case .number(let n) = value { return within(n, f) }
                return true
            }
            if remaining.isEmpty { return [s] + f.excluded.map(\.1) + boundSpans }
        }
        if let vs = f.enumeration, f.equal == nil, f.allowed == nil {
            let excluded = Set(f.excluded.compactMap { if case .string(let s) = $0.0 { return s }; return nil })
            if !vs.isEmpty, vs.allSatisfy(excluded.contains) { return f.excluded.map(\.1) }
        }
        return nil
    }
}
