import Foundation
import MashChecker
import MashSchema
import MashSyntax

/// A part of a condition that is decided from the record without running compiled code: a record
/// field compared with a constant (`referral.immediate_danger = true`, `child.caring = "some"`,
/// `referral.police_callouts_12m >= 5`, `child.date_of_birth = null`), the number of a list's items
/// compared with a whole number (`count(referral.concerns) = 0`), a text's membership bit (`"neglect"
/// in concern_categories`), a screen that rules a `some` out (`ItemScreen`), a definition compared
/// with a constant or read as a truth (`under_two`, which is `age < duration("P2Y")`; `rereferral`),
/// worked out once per record as its compiled code keeps it, or an `or` of such parts (`child.caring
/// = "some" or "young_carer" in concern_categories`).
///
/// Most rules are a few such parts joined by `and`, and most are false for most referrals. Each part
/// is plain data, tried by one `switch` in a loop (`AtomTable`): a rule whose part is false is
/// ruled out, and a rule made only of such parts is decided, without calling the closures its
/// condition compiles to (a closure per part, per `and`, per rule). This is OPA's rule indexing and
/// a DMN engine's table-driven rule selection, kept to what gives exactly the compiled answer.
struct Atom {
    enum Kind: UInt8 { case boolean, null, number, text, months, count, member, screen, any, some }
    /// Where a comparison's value is: a record path (`Frame.path(_:)`), a table input worked out before
    /// a table's rows are tried (`Frame.tableInputs`), or a definition, worked out once per record
    /// on first use (`Frame.definitions`, as its compiled code keeps it).
    enum Source: UInt8 { case path, input, definition }
    let kind: Kind
    let op: BinaryOperator
    /// The record path, table input or definition read; for `member` and `screen` the membership
    /// set; for `any` where its parts start in `AtomTable`'s parts; for `some` the record path of
    /// the list.
    let place: Int
    var source = Source.path
    /// `boolean`: the value that makes it true. `text`: true for `=`, false for `!=`. `any`: true when
    /// every part of the `or` is an atom.
    let wanted: Bool
    /// `number`, `months` and `count`: the whole number compared with. `text`: the text's index in
    /// `AtomTable`'s texts. `any` and `some`: how many parts.
    let constant: Int
    /// `member` and `screen`: the bits tested. `some`: where its parts start in `AtomTable`'s parts.
    let mask: UInt64
    /// What the comparison gives for null, worked out as `ConstantComparison` does.
    let whenNull: Truth
    /// A rough cost of trying it (`Compiler.cost`): a rule's atoms are tried the cheapest first, so
    /// that a definition (a child's age) is worked out only for records the cheap atoms leave in.
    var cost = 1

    /// The truth of a comparison of the value at `p`, or `.other` when it cannot tell from here (a
    /// value of another kind than the constant's, a number that is not a small whole number): the
    /// condition's compiled code decides then, the general way.
    /// With `inPlace` (`ArrayInPlace.layoutKnown`), a list's count is read where the list is.
    @inline(__always) static func truth(_ a: UnsafePointer<Atom>, of p: UnsafePointer<Value>, _ texts: UnsafePointer<String>,
                                        inPlace: Bool) -> Truth {
        // Each field is read where it is: a copy of the atom cost more than the test.
        switch a.pointee.kind {
        case .boolean:
            switch p.pointee {
            case .boolean(let b): return Truth(b == a.pointee.wanted)
            case .null: return a.pointee.whenNull
            default: return .other
            }
        case .null:
            if case .null = p.pointee { return a.pointee.whenNull }
            return Truth(a.pointee.op == .notEqual)
        case .number:
            switch p.pointee {
            case .number(let n):
                guard let k = ValueOps.smallInteger(n) else { return .other }
                return Truth(ValueOps.holds(a.pointee.op, k < a.pointee.constant ? -1 : (k == a.pointee.constant ? 0 : 1)))
            case .null: return a.pointee.whenNull
            default: return .other
            }
        case .months:
            switch p.pointee {
            case .yearMonthDuration(let m): return Truth(ValueOps.holds(a.pointee.op, m < a.pointee.constant ? -1 : (m == a.pointee.constant ? 0 : 1)))
            case .null: return a.pointee.whenNull
            default: return .other
            }
        case .count:
            // `count` of anything but a list is null.
            let k: Int
            if let items = ArrayInPlace.items(p, known: inPlace) {
                k = items.count
            } else {
                guard case .list(let items) = p.pointee else { return a.pointee.whenNull }
                k = items.count
            }
            return Truth(ValueOps.holds(a.pointee.op, k < a.pointee.constant ? -1 : (k == a.pointee.constant ? 0 : 1)))
        case .text:
            switch p.pointee {
            case .string(let s): return Truth((s == texts[a.pointee.constant]) == a.pointee.wanted)
            case .null: return a.pointee.whenNull
            default: return .other
            }
        case .member, .screen, .any, .some:
            return .other
        }
    }
}

/// What the atoms of one `AtomTable` are made with: the texts they compare with and the parts of
/// their `or`s (the definitions they read are the program's, given to the table).
struct AtomPool {
    var texts: [String] = []
    var parts: [Atom] = []
}

extension Compiler {
    /// `condition` as an `AtomTable` condition: its atoms, and its compiled code, whole and for the
    /// parts that are not atoms.
    func atomCondition(_ condition: TypedExpr, pool: inout AtomPool) -> AtomTable.Condition {
        let (atoms, complete, rest) = self.atoms(of: condition, pool: &pool)
        return AtomTable.Condition(compileTest(condition), atoms: atoms, complete: complete,
                                   rest: complete || atoms.isEmpty || rest.isEmpty ? nil : compileAnd(rest))
    }

    /// The parts of `condition` joined by `and` that are atoms, the cheapest first, whether every
    /// part is one that decides (a screen only rules out), so that the atoms alone give the
    /// condition's truth, and the parts that are not atoms.
    func atoms(of condition: TypedExpr, pool: inout AtomPool) -> (atoms: [Atom], complete: Bool, rest: [TypedExpr]) {
        let parts = Compiler.parts(of: condition, and: true)
        var atoms: [Atom] = [], rest: [TypedExpr] = []
        var complete = !condition.isConstant
        for part in parts {
            if case .quantified(false, let local, let source, let body) = part.node, local >= 0, local < layout.localCount,
               !part.isConstant, let screen = itemScreen(local, source, body) {
                // Both the screen, which rules the part out for most records through the index
                // without trying the items, and, when the body is made of item atoms, the `some`
                // that decides it once the screen lets it through.
                atoms.append(screen.atom)
                if let some = someAtom(local, source, body, pool: &pool) { atoms.append(some) } else { complete = false; rest.append(part) }
                continue
            }
            guard let a = atom(part, pool: &pool) else { complete = false; rest.append(part); continue }
            // A screen only rules out: its part is also left to code.
            if a.kind == .screen { complete = false; rest.append(part) }
            atoms.append(a)
        }
        // FEEL's `and` gives the same in any order, and an atom has no effect but its answer.
        let order = atoms.indices.sorted { (atoms[$0].cost, $0) < (atoms[$1].cost, $1) }
        return (order.map { atoms[$0] }, complete, rest)
    }

    /// `e` as an atom, if it is one (looking through definitions: `domestic_abuse` is `"domestic_abuse"
    /// in concern_categories`).
    func atom(_ e: TypedExpr, pool: inout AtomPool, depth: Int = 0, inOr: Bool = false) -> Atom? {
        guard !e.isConstant, depth < 16 else { return nil }
        switch e.node {
        case .definition(let i):
            guard i < layout.definitionCount, i < definitionCode.expressions.count else { return nil }
            if let a = atom(definitionCode.expressions[i], pool: &pool, depth: depth + 1, inOr: inOr) { return a }
            // A condition of its own (`rereferral`): its value, worked out once per record, read as a truth.
            guard i < definitionCode.count else { return nil }
            var a = Atom(kind: .boolean, op: .equal, place: i, wanted: true, constant: 0, mask: 0, whenNull: .null)
            a.source = .definition
            a.cost = cost(e)
            return a
        case .compare(let op, let a, let b):
            // As `compileCompare` reads it: the constant on the right.
            guard let flipped = Compiler.flipped(op) else { return nil }
            let (op, a, b) = a.isConstant && !b.isConstant ? (flipped, b, a) : (op, a, b)
            guard b.isConstant, !a.isConstant else { return nil }
            let c = constant(b)
            if case .call(.count, let args) = a.node, args.count == 1, !args[0].isConstant, let path = staticPlace(args[0]),
               case .number(let n) = c, let k = ValueOps.smallInteger(n) {
                return Atom(kind: .count, op: op, place: path, wanted: false, constant: k, mask: 0, whenNull: Truth(ValueOps.compare(op, .null, c)),
                            cost: 2)
            }
            if let path = staticPlace(a) { return comparisonAtom(op, c, place: path, texts: &pool.texts) }
            // `age < duration("P2Y")`: a definition's value, worked out once per record.
            if case .definition(let i) = a.node, i < layout.definitionCount, i < definitionCode.count,
               var atom = comparisonAtom(op, c, place: i, texts: &pool.texts) {
                atom.source = .definition
                atom.cost = cost(a)
                return atom
            }
            return nil
        case .inList(let x, let list):
            // As `compileInList` reads `"neglect" in concern_categories`: a bit of the record's membership set.
            guard x.isConstant, case .string(let text) = constant(x), case .definition = list.node,
                  case .field(let base, let slot, true) = projected(list).node, let key = memberKey(base, slot),
                  let (set, _, bit) = layout.member(text, of: key) else { return nil }
            return Atom(kind: .member, op: .equal, place: set, wanted: true, constant: 0, mask: 1 << UInt64(bit), whenNull: .null, cost: 2)
        case .quantified(false, let local, let source, let body):
            guard local >= 0, local < layout.localCount else { return nil }
            if let some = someAtom(local, source, body, pool: &pool) { return some }
            guard let screen = itemScreen(local, source, body) else { return nil }
            return screen.atom
        case .or where !inOr:
            // `child.caring = "some" or "young_carer" in concern_categories`: true when a part is,
            // false when every part is; a part that is not an atom leaves it to code unless another is true.
            let disjuncts = Compiler.parts(of: e, and: false)
            var found: [Atom] = []
            for d in disjuncts {
                if let a = atom(d, pool: &pool, depth: depth + 1, inOr: true) { found.append(a) }
            }
            guard !found.isEmpty else { return nil }
            // The cheapest first: the first true one decides.
            found = found.indices.sorted { (found[$0].cost, $0) < (found[$1].cost, $1) }.map { found[$0] }
            let start = pool.parts.count
            pool.parts.append(contentsOf: found)
            return Atom(kind: .any, op: .equal, place: start, wanted: found.count == disjuncts.count, constant: found.count, mask: 0,
                        whenNull: .null, cost: found.reduce(0) { $0 + $1.cost })
        default:
            return nil
        }
    }

    /// `x op c` for the value `x` at `place` (a record path, or a table input with `input`) and the
    /// constant `c`, as `ConstantComparison` decides it; nil for a comparison it does not read in place.
    func comparisonAtom(_ op: BinaryOperator, _ c: Value, place: Int, input: Bool = false, texts: inout [String]) -> Atom? {
        let equality = op == .equal || op == .notEqual
        guard equality || op == .less || op == .lessOrEqual || op == .greater || op == .greaterOrEqual else { return nil }
        let whenNull = Truth(ValueOps.compare(op, .null, c))
        var atom: Atom
        switch c {
        case .boolean(let v) where equality:
            atom = Atom(kind: .boolean, op: op, place: place, wanted: op == .equal ? v : !v, constant: 0, mask: 0, whenNull: whenNull)
        case .null where equality:
            atom = Atom(kind: .null, op: op, place: place, wanted: false, constant: 0, mask: 0, whenNull: whenNull)
        case .number(let n):
            guard let k = ValueOps.smallInteger(n) else { return nil }
            atom = Atom(kind: .number, op: op, place: place, wanted: false, constant: k, mask: 0, whenNull: whenNull)
        case .yearMonthDuration(let m):
            atom = Atom(kind: .months, op: op, place: place, wanted: false, constant: m, mask: 0, whenNull: whenNull)
        case .string(let s) where equality:
            texts.append(s)
            atom = Atom(kind: .text, op: op, place: place, wanted: op == .equal, constant: texts.count - 1, mask: 0, whenNull: whenNull)
        default:
            return nil
        }
        if input { atom.source = .input }
        return atom
    }

    /// `some v in items satisfies body` for a record path's list `items`, where `body` is fields of
    /// `v` compared with constants and joined by `and` (`some m in household satisfies
    /// m.mental_health_concern = true`): each comparison an atom reading the item's field, tried by
    /// `AtomTable.some` item by item, where the compiled code bound each item and called a closure
    /// per comparison and per `and`. Nil for any other body.
    private func someAtom(_ local: Int, _ source: TypedExpr, _ body: TypedExpr, pool: inout AtomPool) -> Atom? {
        guard let list = staticPlace(source) else { return nil }
        let parts = Compiler.parts(of: body, and: true)
        var found: [Atom] = []
        for part in parts {
            guard case .compare(let written, let l, let r) = part.node, let flipped = Compiler.flipped(written) else { return nil }
            // As `compileCompare` reads it: the constant on the right.
            let (op, x, c) = l.isConstant && !r.isConstant ? (flipped, r, l) : (written, l, r)
            guard c.isConstant, case .field(let base, let slot, false) = x.node, case .local(let bound) = base.node, bound == local,
                  let atom = comparisonAtom(op, constant(c), place: slot, texts: &pool.texts) else { return nil }
            found.append(atom)
        }
        guard !found.isEmpty else { return nil }
        let start = pool.parts.count
        pool.parts.append(contentsOf: found)
        return Atom(kind: .some, op: .equal, place: list, wanted: false, constant: found.count, mask: UInt64(start), whenNull: .null,
                    cost: 4 + found.count)
    }

    /// The record path `e` is, read in place by the frame.
    private func staticPlace(_ e: TypedExpr) -> Int? {
        if case .path(let k)? = inPlace(e) { return k }
        return nil
    }
}

/// Conditions decided by their atoms where they can be (see `Atom`), by their compiled code where
/// not: a program's rules, a decision table's rows, a table's `when`. Each entry is an `and` of its
/// atoms and, unless they are the whole of it, its compiled code.
final class AtomTable: @unchecked Sendable {
    /// An entry's atoms are `atoms[start..<end]`; with `complete`, they are its whole condition.
    private struct Entry {
        let start: Int, end: Int
        let complete: Bool
    }

    /// An entry's compiled condition, held by a class so that calling it through an unmanaged
    /// reference retains nothing (taking a closure out of an array retains its context).
    fileprivate final class Code {
        let test: Test
        init(_ test: @escaping Test) { self.test = test }
    }

    /// A condition: its compiled code and its atoms (`Compiler.atoms(of:texts:)`). The code is held
    /// by a class from the start: a closure kept in an array or a tuple is kept in the form generic
    /// code uses, and calling it then goes through a conversion thunk that retains what it captured.
    struct Condition {
        fileprivate let code: Code
        fileprivate let rest: Code?
        let atoms: [Atom]
        let complete: Bool

        /// `code` is the whole condition; `rest`, if given, the `and` of its parts that are not
        /// atoms (or that only screen), tried when every atom could read its value.
        init(_ code: @escaping Test, atoms: [Atom], complete: Bool, rest: Test? = nil) {
            self.code = Code(code)
            self.rest = rest.map { Code($0) }
            self.atoms = atoms
            self.complete = complete
        }
    }

    let count: Int
    private let entries: UnsafeMutablePointer<Entry>
    private let atoms: UnsafeMutablePointer<Atom>
    private let atomCount: Int
    /// The parts of `any` atoms (`AtomPool.parts`).
    private let parts: UnsafeMutablePointer<Atom>
    private let partCount: Int
    private let texts: UnsafeMutablePointer<String>
    private let textCount: Int
    /// Keeps the codes alive for `unmanaged`.
    private let codes: [Code]
    private let unmanaged: UnsafeMutablePointer<Unmanaged<Code>>
    /// Per entry, its `rest` (nil when it has none), kept alive by `rests`.
    private let rests: [Code?]
    private let restUnmanaged: UnsafeMutablePointer<Unmanaged<Code>?>
    /// The program's definitions' code, for atoms that read a definition the record has not worked
    /// out yet: the table keeps the code alive, and it is called through the table's unretained
    /// references, read from here (through the table, each call cost about five instructions more).
    private let definitions: Compiler.DefinitionTable
    private let definitionCode: UnsafePointer<Unmanaged<Compiler.DefinitionTable.Box>>
    private let definitionCodeCount: Int

    /// `ArrayInPlace.layoutKnown`, read once.
    private let inPlace = ArrayInPlace.layoutKnown

    /// An index of the entries by their membership atoms, OPA's rule indexing for `"neglect" in
    /// concern_categories` and `some c in referral.concerns satisfies c.category = "neglect" …`:
    /// most rules are about one kind of concern, and most referrals have one or two. An entry is
    /// keyed by its first `member` or `screen` atom. When the record's bits of its set are worked
    /// out (not 0) and share none with the atom's mask, the atom is false, or null for a `member`
    /// atom on a value that is not a list (`truth`); either way the entry's `and` cannot be true,
    /// and it is passed over without being tried (`fireRules`).
    ///
    /// Entries are numbered in words of 64 bits. Per indexed set (`indexSets`, `indexSetCount`),
    /// `keyed` has `words` words: the entries keyed by the set. `alive` has 64 × `words` words per
    /// set: per bit of the set, the keyed entries whose atom's mask has the bit.
    private let words: Int
    private let indexSets: UnsafeMutablePointer<Int>
    private let indexSetCount: Int
    private let keyed: UnsafeMutablePointer<UInt64>
    private let alive: UnsafeMutablePointer<UInt64>

    /// The conditions, what their atoms are made with, and the program's definitions' code.
    init(_ conditions: [Condition], pool: AtomPool, definitions: Compiler.DefinitionTable) {
        count = conditions.count
        let all = conditions.flatMap(\.atoms)
        atomCount = all.count
        atoms = .allocate(capacity: max(1, all.count))
        atoms.initialize(from: all, count: all.count)
        partCount = pool.parts.count
        parts = .allocate(capacity: max(1, partCount))
        parts.initialize(from: pool.parts, count: partCount)
        entries = .allocate(capacity: max(1, conditions.count))
        var at = 0
        for (i, condition) in conditions.enumerated() {
            (entries + i).initialize(to: Entry(start: at, end: at + condition.atoms.count, complete: condition.complete))
            at += condition.atoms.count
        }
        textCount = pool.texts.count
        self.texts = .allocate(capacity: max(1, textCount))
        self.texts.initialize(from: pool.texts, count: textCount)
        codes = conditions.map(\.code)
        unmanaged = .allocate(capacity: max(1, codes.count))
        unmanaged.initialize(from: codes.map { Unmanaged.passUnretained($0) }, count: codes.count)
        rests = conditions.map(\.rest)
        restUnmanaged = .allocate(capacity: max(1, rests.count))
        restUnmanaged.initialize(from: rests.map { $0.map { Unmanaged.passUnretained($0) } }, count: rests.count)
        self.definitions = definitions
        (definitionCode, definitionCodeCount) = definitions.unretained

        let words = (conditions.count + 63) / 64
        var sets: [Int] = [], keyedBits: [[UInt64]] = [], aliveBits: [[UInt64]] = []
        for (i, condition) in conditions.enumerated() {
            guard let key = condition.atoms.first(where: { $0.kind == .member || $0.kind == .screen }) else { continue }
            let mask = key.mask
            let s = sets.firstIndex(of: key.place) ?? {
                sets.append(key.place)
                keyedBits.append(Array(repeating: 0, count: words))
                aliveBits.append(Array(repeating: 0, count: 64 * words))
                return sets.count - 1
            }()
            let word = i / 64, bit: UInt64 = 1 << UInt64(i % 64)
            keyedBits[s][word] |= bit
            for b in 0..<64 where mask & (1 << UInt64(b)) != 0 { aliveBits[s][b * words + word] |= bit }
        }
        self.words = words
        indexSetCount = sets.count
        indexSets = .allocate(capacity: max(1, sets.count))
        indexSets.initialize(from: sets, count: sets.count)
        keyed = .allocate(capacity: max(1, sets.count * words))
        keyed.initialize(from: keyedBits.flatMap { $0 }, count: sets.count * words)
        alive = .allocate(capacity: max(1, sets.count * 64 * words))
        alive.initialize(from: aliveBits.flatMap { $0 }, count: sets.count * 64 * words)
    }

    deinit {
        entries.deinitialize(count: count); entries.deallocate()
        atoms.deinitialize(count: atomCount); atoms.deallocate()
        parts.deinitialize(count: partCount); parts.deallocate()
        texts.deinitialize(count: textCount); texts.deallocate()
        unmanaged.deallocate()
        restUnmanaged.deallocate()
        indexSets.deallocate()
        keyed.deallocate()
        alive.deallocate()
    }

    /// An atom's truth for the frame's record, or `.other` when it cannot tell (see `Atom.truth`).
    @inline(__always) private func truth(_ a: UnsafePointer<Atom>, _ f: Frame) -> Truth {
        switch a.pointee.kind {
        case .member:
            let bits = f.membership(a.pointee.place)
            if bits == 0 { return .other }
            if bits & Frame.membershipNotAList != 0 { return .null }
            return Truth(bits & a.pointee.mask != 0)
        case .screen:
            let bits = f.membership(a.pointee.place)
            return bits != 0 && bits & a.pointee.mask == 0 ? .no : .other
        case .any:
            return any(a, f)
        case .some:
            return some(a, f)
        default:
            if a.pointee.source == .path { return Atom.truth(a, of: f.path(a.pointee.place), texts, inPlace: inPlace) }
            return elsewhere(a, f)
        }
    }

    /// FEEL's `or` of an `any` atom's parts: true if any part is true, else false if every part is
    /// false, else null.
    @inline(never) private func any(_ a: UnsafePointer<Atom>, _ f: Frame) -> Truth {
        var sawNull = false, sawOther = !a.pointee.wanted
        // By pointer, as in `holds`.
        var part = UnsafePointer(parts + a.pointee.place)
        let end = part + a.pointee.constant
        while part < end {
            // Parts are never `any` themselves (`Compiler.atom` does not nest them).
            switch truth(part, f) {
            case .yes: return .yes
            case .no: break
            case .null: sawNull = true
            case .other: sawOther = true
            }
            part += 1
        }
        return sawOther ? .other : (sawNull ? .null : .no)
    }

    /// FEEL's `some` over the items of the list at a record path (`Compiler.someAtom`): true at the
    /// first item whose parts are all true; else null if the list is not a list or an item's parts
    /// are null at best; else false. An item that is not a record, or has fewer fields, reads its
    /// fields as null, as a bound variable's fields read. A part that cannot tell (`Atom.truth`)
    /// leaves the whole to the compiled code.
    @inline(never) private func some(_ a: UnsafePointer<Atom>, _ f: Frame) -> Truth {
        let list = f.path(a.pointee.place)
        guard let items = ArrayInPlace.items(list, known: inPlace) else {
            // Not a list: null, as the compiled code says; a list when the layout is not known: the code decides.
            if case .list = list.pointee { return .other }
            return .null
        }
        let first = UnsafePointer(parts + Int(a.pointee.mask)), end = first + a.pointee.constant
        var sawNull = false
        for i in 0..<items.count {
            let fields = ArrayInPlace.fields(items.baseAddress! + i, known: true)
            switch itemTruth(first, end, fields?.baseAddress, fields?.count ?? 0) {
            case .yes: return .yes
            case .no: break
            case .null: sawNull = true
            case .other: return .other
            }
        }
        return sawNull ? .null : .no
    }

    /// FEEL's `and` of a `some` atom's parts for one item whose fields are `count` from `fields`.
    @inline(__always) private func itemTruth(_ first: UnsafePointer<Atom>, _ end: UnsafePointer<Atom>, _ fields: UnsafePointer<Value>?,
                                             _ count: Int) -> Truth {
        var truth = Truth.yes
        var part = first
        while part < end {
            let slot = part.pointee.place
            // A field the item does not have reads as null.
            switch slot < count ? Atom.truth(part, of: fields! + slot, texts, inPlace: true) : part.pointee.whenNull {
            case .yes: break
            case .no: return .no
            case .null: truth = .null
            case .other: return .other
            }
            part += 1
        }
        return truth
    }

    /// A comparison of a table input or a definition.
    @inline(never) private func elsewhere(_ a: UnsafePointer<Atom>, _ f: Frame) -> Truth {
        let k = a.pointee.place
        switch a.pointee.source {
        case .path:
            return Atom.truth(a, of: f.path(k), texts, inPlace: inPlace)
        case .input:
            return k < f.tableInputCount ? Atom.truth(a, of: f.tableInputs + k, texts, inPlace: inPlace) : .other
        case .definition:
            // Worked out as its compiled code keeps it, then read where it is kept.
            guard k < f.definitionCount, k < definitionCodeCount else { return .other }
            let place = f.keptPlace(k) { frame in definitionCode[k]._withUnsafeGuaranteedRef { $0.code(frame) } }
            return Atom.truth(a, of: place, texts, inPlace: inPlace)
        }
    }

    /// True when condition `i` is true (not false, not null) for the frame's record.
    @inline(__always) func holds(_ i: Int, _ f: Frame) -> Bool {
        // FEEL's `and`: false if any part is false, else true if every part is true, else null.
        var truth = Truth.yes
        // `decided` is `complete && !sawOther`, kept as its own flag: worked out after the loop
        // instead, the loop compiled to 90 more instructions a decision (callgrind).
        var decided = entries[i].complete, sawOther = false
        // The atoms are walked by pointer: a range of indices was checked on making it, and each
        // step checked for overflow.
        var a = UnsafePointer(atoms + entries[i].start)
        let end = UnsafePointer(atoms + entries[i].end)
        while a < end {
            switch self.truth(a, f) {
            case .yes: break
            case .no: return false
            case .null: truth = .null
            case .other: decided = false; sawOther = true
            }
            a += 1
        }
        if decided { return truth == .yes }
        // Every atom read its value: the condition holds only if each of them and the rest do (a
        // null atom leaves it null at best). The atoms' parts are not worked out again.
        if let rest = restUnmanaged[i], !sawOther {
            return truth == .yes && rest._withUnsafeGuaranteedRef { $0.test(f) } == .yes
        }
        return unmanaged[i]._withUnsafeGuaranteedRef { $0.test(f) } == .yes
    }

    /// The rules that hold, written into the frame in rule order (`Frame.fire`).
    func fireRules(_ f: Frame) {
        for w in 0..<words {
            // The entries of this word that the index leaves in, tried in order.
            var left = (w == words - 1 && count % 64 != 0 ? (1 << UInt64(count % 64)) - 1 : ~0) & ~ruledOut(w, f)
            while left != 0 {
                let r = w * 64 + left.trailingZeroBitCount
                left &= left &- 1
                if holds(r, f) { f.fire(r) }
            }
        }
    }

    /// The entries of word `w` that the index rules out for the frame's record (see `keyed`).
    @inline(__always) private func ruledOut(_ w: Int, _ f: Frame) -> UInt64 {
        var out: UInt64 = 0
        for s in 0..<indexSetCount {
            var bits = f.membership(indexSets[s])
            // Not worked out: nothing is ruled out.
            if bits == 0 { continue }
            var left: UInt64 = 0
            while bits != 0 {
                left |= alive[(s * 64 + bits.trailingZeroBitCount) * words + w]
                bits &= bits &- 1
            }
            out |= keyed[s * words + w] & ~left
        }
        return out
    }

    /// The rows that hold, written into the frame in row order (`Frame.match`); only the first with `first`.
    func matchRows(_ f: Frame, first: Bool) {
        for r in 0..<count where holds(r, f) {
            f.match(r)
            if first { return }
        }
    }
}
