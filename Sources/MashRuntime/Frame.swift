import Foundation
import MashSchema
import MashPrefetch

/// What a compiled program's frames hold: how many variables and definitions, and which record paths
/// (`referral.dash_risk`) its expressions read. Filled while compiling, read only afterwards.
final class FrameLayout: @unchecked Sendable {
    let localCount: Int
    let definitionCount: Int
    /// How many rules may fire at once (a program's rule count).
    var ruleCount = 0
    /// Each path is a field of its parent path's record, or of the root record when the parent is -1.
    /// A parent always comes before its children.
    private(set) var parents: [Int] = []
    private(set) var slots: [Int] = []
    private var index: [[Int]: Int] = [:]

    init(localCount: Int, definitionCount: Int) {
        self.localCount = localCount
        self.definitionCount = definitionCount
    }

    /// The position of the path given as field slots from the root, added if new.
    func path(_ fieldSlots: [Int]) -> Int {
        if let i = index[fieldSlots] { return i }
        let parent = fieldSlots.count == 1 ? -1 : path(Array(fieldSlots.dropLast()))
        parents.append(parent)
        slots.append(fieldSlots[fieldSlots.count - 1])
        index[fieldSlots] = parents.count - 1
        return parents.count - 1
    }

    var pathCount: Int { parents.count }

    /// Values worked out once per record for code inside a loop that does not depend on the loop
    /// (see `Compiler.memoized`): they follow the definitions in a frame, with a flag each.
    private(set) var memoCount = 0

    func addMemo() -> Int {
        memoCount += 1
        return definitionCount + memoCount - 1
    }

    /// How many built-in calls the code has; each gets an argument array of its own in a frame.
    private(set) var callSiteCount = 0

    func addCallSite() -> Int {
        callSiteCount += 1
        return callSiteCount - 1
    }

    /// Table inputs that are not read in place (`neglect_pattern`, `count(...)`): each has a slot a
    /// frame fills before the table's rows are tried.
    private(set) var tableInputCount = 0

    func addTableInput() -> Int {
        tableInputCount += 1
        return tableInputCount - 1
    }

    /// The most rows of any table: how many may match at once.
    var maxRows = 0

    /// The texts tested against a field of a list's items (`"neglect" in concern_categories`, or
    /// `c.category = "neglect"` in `some c in referral.concerns satisfies ...`), each with its bit: a
    /// frame works out once per record which of them the items hold.
    private(set) var memberSets: [MemberSet] = []
    /// Per membership set, the record path and field of its items (-1 for a list definition's set,
    /// which only its own code works out).
    private(set) var memberSources: [(path: Int, slot: Int)] = []
    private var membershipOf: [MemberKey: Int] = [:]

    /// Which items' field a membership set is about: a field of the items of a record path
    /// (`referral.concerns` and `category`), shared by every test of it, or a list definition whose
    /// list is worked out some other way.
    enum MemberKey: Hashable {
        case itemField(path: Int, slot: Int)
        case definition(Int)
    }

    /// The bit for `text` in the membership set of `key`, or nil when the set is full.
    func member(_ text: String, of key: MemberKey) -> (set: Int, texts: MemberSet, bit: Int)? {
        let set = membershipOf[key] ?? {
            memberSets.append(MemberSet())
            if case .itemField(let path, let slot) = key { memberSources.append((path, slot)) } else { memberSources.append((-1, -1)) }
            membershipOf[key] = memberSets.count - 1
            return memberSets.count - 1
        }()
        guard let bit = memberSets[set].add(text) else { return nil }
        return (set, memberSets[set], bit)
    }

    /// Called once compiling is over, before any frame evaluates: membership sets index their texts.
    func finishCompiling() {
        for set in memberSets { set.finish() }
    }

    typealias Groups = (parents: [Int], starts: [Int], slots: [Int], targets: [Int])
    private var cachedGroups: (pathCount: Int, groups: Groups)?

    /// The paths grouped by parent, parents in order, so a frame reads each record's fields once.
    /// Worked out once for all the frames made after compiling.
    var groups: Groups {
        if let cachedGroups, cachedGroups.pathCount == parents.count { return cachedGroups.groups }
        let groups = makeGroups()
        cachedGroups = (parents.count, groups)
        return groups
    }

    private func makeGroups() -> Groups {
        var byParent: [Int: [Int]] = [:]
        for (i, p) in parents.enumerated() { byParent[p, default: []].append(i) }
        var result: (parents: [Int], starts: [Int], slots: [Int], targets: [Int]) = ([], [], [], [])
        for p in byParent.keys.sorted() {
            result.parents.append(p)
            result.starts.append(result.targets.count)
            for i in byParent[p]! { result.slots.append(slots[i]); result.targets.append(i) }
        }
        result.starts.append(result.targets.count)
        return result
    }
}

/// The texts tested against one list definition, each with its bit. Written while compiling; read
/// only once `finish` has indexed them by length.
final class MemberSet: @unchecked Sendable {
    /// Written only while compiling, before any frame reads it. Without dynamic exclusivity checks:
    /// `Compiler.members` began an access to it for each record's items, a call into the runtime
    /// (about 150 instructions a decision, callgrind).
    @exclusivity(unchecked) private(set) var texts: [String: Int] = [:]
    /// Once indexed: for each UTF-8 length `n` below `lengthCount`, the texts of that length are the
    /// entries `lengthStarts[n]..<lengthStarts[n + 1]`; entry `e`'s bytes start at `entryStarts[e]`
    /// in `bytes`, and its bit is `entryBits[e]`. A text is found by its length and a comparison of
    /// bytes, where hashing it, or comparing it as a `String` (a call into the runtime for each text of
    /// the same length), cost more than the rest of the test. The index is memory of its own, so that
    /// reading it retains nothing.
    private var lengthCount = 0
    private var lengthStarts: UnsafeMutablePointer<Int>?
    private var entryStarts: UnsafeMutablePointer<Int>?
    private var entryBits: UnsafeMutablePointer<Int>?
    private var bytes: UnsafeMutablePointer<UInt8>?
    /// Per entry, its words as a short ASCII text (`SmallText`), when every text of at most 15
    /// bytes has them; a short ASCII text is then found by comparing words.
    private var entryWords: UnsafeMutablePointer<(UInt64, UInt64)>?

    func add(_ text: String) -> Int? {
        if let bit = texts[text] { return bit }
        guard texts.count < Frame.membershipBits else { return nil }
        texts[text] = texts.count
        return texts.count - 1
    }

    func finish() {
        // Only ASCII texts: another text equals one of them only if it has the same bytes.
        // Finished again (a text added since): indexed afresh.
        lengthStarts?.deallocate(); entryStarts?.deallocate(); entryBits?.deallocate(); bytes?.deallocate(); entryWords?.deallocate()
        lengthStarts = nil; entryStarts = nil; entryBits = nil; bytes = nil; entryWords = nil
        guard texts.keys.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }) else { return }
        let sorted = texts.sorted { ($0.key.utf8.count, $0.value) < ($1.key.utf8.count, $1.value) }
        lengthCount = (texts.keys.map(\.utf8.count).max() ?? 0) + 1
        let starts = UnsafeMutablePointer<Int>.allocate(capacity: lengthCount + 1)
        let entries = UnsafeMutablePointer<Int>.allocate(capacity: max(1, sorted.count))
        let bits = UnsafeMutablePointer<Int>.allocate(capacity: max(1, sorted.count))
        let store = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, sorted.reduce(0) { $0 + $1.key.utf8.count }))
        var e = 0, at = 0
        for n in 0...lengthCount {
            starts[n] = e
            while e < sorted.count, sorted[e].key.utf8.count == n {
                entries[e] = at
                bits[e] = sorted[e].value
                for byte in sorted[e].key.utf8 { store[at] = byte; at += 1 }
                e += 1
            }
        }
        lengthStarts = starts; entryStarts = entries; entryBits = bits; bytes = store
        let known = SmallText.layoutKnown
        let words = sorted.map { SmallText.words(String(decoding: Array($0.key.utf8), as: UTF8.self), known: known) }
        if known, zip(sorted, words).allSatisfy({ $0.key.utf8.count > 15 || $1 != nil }) {
            let w = UnsafeMutablePointer<(UInt64, UInt64)>.allocate(capacity: max(1, sorted.count))
            for (e, word) in words.enumerated() { w[e] = word ?? (0, 0) }
            entryWords = w
        }
    }

    deinit {
        lengthStarts?.deallocate(); entryStarts?.deallocate(); entryBits?.deallocate(); bytes?.deallocate(); entryWords?.deallocate()
    }

    /// The bit of the text equal to `s`, if any.
    @inline(__always) func bit(of s: String) -> Int? {
        guard let lengthStarts, let entryStarts, let entryBits, let bytes else { return texts[s] }
        if let entryWords, let w = SmallText.words(s, known: true) {
            // A short ASCII text equals only the text with its bytes: its words.
            let n = SmallText.length(w)
            guard n < lengthCount else { return nil }
            for e in lengthStarts[n]..<lengthStarts[n + 1] where entryWords[e] == w { return entryBits[e] }
            return nil
        }
        // nil: `s` has non-ASCII bytes (or is not stored as UTF-8), and is looked up the slow way.
        let found: Int?? = s.utf8.withContiguousStorageIfAvailable { u in
            let n = u.count
            if n < lengthCount {
                for e in lengthStarts[n]..<lengthStarts[n + 1] {
                    // The empty text is the only one of length 0.
                    guard n > 0, let text = u.baseAddress else { return .some(entryBits[e]) }
                    if memcmp(bytes + entryStarts[e], text, n) == 0 { return .some(entryBits[e]) }
                }
            }
            // Text written with other code points (`K` as the Kelvin sign) can equal an ASCII text of
            // another length: only text with non-ASCII bytes is looked up the slow way.
            for byte in u where byte >= 0x80 { return nil }
            return .some(nil)
        } ?? nil
        if let found { return found }
        return texts[s]
    }
}

/// The mutable state of one evaluation: the record's slots, the values at the record paths the
/// program reads (resolved once per record), variables bound by `some`/`every`, filters and `for`,
/// definitions already computed for this record, and the decision values escalation and disclosure
/// conditions may read. One frame is reused across the records of a batch.
///
/// Paths, variables and definitions live in memory the frame owns rather than in arrays: reading an
/// array that is a class's property retains and releases its storage on every read, and expressions
/// read these all the time. Dynamic exclusivity checks are off for the other fields for the same
/// reason. A frame is only ever used by one evaluation on one thread at a time.
final class Frame {
    /// The record, when the frame holds it (`reset(record:)`); empty when it reads a record its
    /// caller holds (`reset(fields:)`).
    @exclusivity(unchecked) var record: [Value] = []
    /// The root record's fields for the record being decided, read where they are: in `record`, or
    /// in a record the caller holds throughout. Valid until `release` or the next `reset`.
    @exclusivity(unchecked) private(set) var rootFields = UnsafeBufferPointer<Value>(start: nil, count: 0)
    /// Where the value at record path `k` is: in the fields of its parent record, found once per
    /// record (`reset`), at the path's slot. Read there, never assigned.
    @inline(__always) func path(_ k: Int) -> UnsafePointer<Value> { groupBases[pathGroup[k]] + pathSlot[k] }
    /// Per path, the group of its parent (`FrameLayout.groups`) and its slot in the parent's fields.
    private let pathGroup: UnsafeMutablePointer<Int>
    private let pathSlot: UnsafeMutablePointer<Int>
    /// Per group: where its parent's fields start for this record, and how many it reads.
    private let groupBases: UnsafeMutablePointer<UnsafePointer<Value>>
    private let groupNeeds: UnsafeMutablePointer<Int>
    /// Per group, fields of its own (`groupNeeds[g]` from `spareStarts[g]`), read instead when the
    /// parent record has fewer fields than the schema says (a value built by hand); after them,
    /// `nulls`, as many as the largest group reads, always null, read when the parent is not a
    /// record at all (an optional record left out, the commonest case).
    private let spare: UnsafeMutablePointer<Value>
    private let nulls: UnsafePointer<Value>
    private let ownedSpare: Int
    private let spareStarts: UnsafeMutablePointer<Int>
    private let spareCount: Int
    /// Whether `spare` holds any of this record's values.
    private var spareUsed = false
    let locals: UnsafeMutablePointer<Value>
    let definitions: UnsafeMutablePointer<Value>
    let definitionsDone: UnsafeMutablePointer<Int>
    /// The rules that fired for this record, in rule order.
    let fired: UnsafeMutablePointer<Int>
    @exclusivity(unchecked) var firedCount = 0
    private let ruleCount: Int
    /// The decision's level rank, for escalation and disclosure conditions; -1 before there is one.
    /// Kept as a whole number so that `level = protection` compares two numbers (see
    /// `Compiler.compileCompare`); read as a value, it is the rank as a number, or null.
    @exclusivity(unchecked) var levelRank = -1
    var level: Value { levelRank < 0 ? .null : ValueOps.count(levelRank) }
    /// The decision's rating and route, as indexes into `ratingValues` and `routeValues` (-1 for
    /// none), for escalation and disclosure conditions. Written per referral as whole numbers: written
    /// as values, each new text was retained and the old released, for conditions that seldom read them.
    @exclusivity(unchecked) var ratingIndex = -1
    @exclusivity(unchecked) var routeIndex = -1
    /// The program's rating and route ids as values, set by the evaluator (empty for a frame that
    /// only folds constants, which reads them as null).
    var ratingValues: [Value] = []
    var routeValues: [Value] = []
    var rating: Value { ratingIndex >= 0 && ratingIndex < ratingValues.count ? ratingValues[ratingIndex] : .null }
    var route: Value { routeIndex >= 0 && routeIndex < routeValues.count ? routeValues[routeIndex] : .null }
    @exclusivity(unchecked) var deadline: Value = .null
    /// The disclosure request being answered, read where the record keeps it while the answer's
    /// conditions run (`noRequest`, a null of the frame's own, otherwise): set as a value, it was
    /// retained and released for every request, whether a condition read it or not.
    @exclusivity(unchecked) var requestAt: UnsafePointer<Value>
    let noRequest: UnsafePointer<Value>
    var request: Value { requestAt.pointee }
    /// Table inputs worked out for the table being tried (see `FrameLayout.addTableInput`).
    let tableInputs: UnsafeMutablePointer<Value>
    let tableInputCount: Int
    /// The rows of the table being tried that match, in row order.
    let matches: UnsafeMutablePointer<Int>
    @exclusivity(unchecked) var matchCount = 0
    private let maxRows: Int
    /// An argument array per built-in call, kept between calls so their storage is reused.
    let callArguments: UnsafeMutablePointer<[Value]>
    let callSiteCount: Int
    /// Per membership set: 0 until worked out for this record, then `membershipKnown`, with
    /// `membershipNotAList` when the list is not a list, `membershipNullItem` when an item's field is
    /// null, `membershipOddItem` when an item is not a record or its field is neither text nor null,
    /// and the bits of the texts the items hold.
    let memberships: UnsafeMutablePointer<UInt64>
    let membershipCount: Int
    /// Per membership set: its texts (kept alive by `memberSets`), and the record path and field of
    /// its items (`FrameLayout.memberSources`).
    private let memberSets: [MemberSet]
    private let memberTexts: UnsafeMutablePointer<Unmanaged<MemberSet>>
    private let memberPaths: UnsafeMutablePointer<Int>
    private let memberSlots: UnsafeMutablePointer<Int>
    static let membershipBits = 60
    static let membershipKnown: UInt64 = 1 << 63
    static let membershipNotAList: UInt64 = 1 << 62
    static let membershipNullItem: UInt64 = 1 << 61
    static let membershipOddItem: UInt64 = 1 << 60
    private let pathCount: Int
    private let localCount: Int
    /// Definitions, then the values `Compiler.memoized` keeps for a record.
    let definitionCount: Int
    private let groupCount: Int
    private let groupParents: UnsafeMutablePointer<Int>

    /// Two blocks hold the values (variables, then definitions) and the integers; the
    /// argument arrays and membership sets have one each (frames are also made for checks at load
    /// time, many of them).
    private let values: UnsafeMutablePointer<Value>
    let itemFields: UnsafeMutablePointer<UnsafePointer<Value>?>
    let itemFieldCounts: UnsafeMutablePointer<Int>
    /// `ArrayInPlace.layoutKnown`, read once.
    let inPlace = ArrayInPlace.layoutKnown
    private let integers: UnsafeMutablePointer<Int>

    init(_ layout: FrameLayout) {
        let null = UnsafeMutablePointer<Value>.allocate(capacity: 1)
        null.initialize(to: .null)
        noRequest = UnsafePointer(null)
        requestAt = noRequest
        pathCount = layout.pathCount
        ruleCount = layout.ruleCount
        localCount = layout.localCount
        definitionCount = layout.definitionCount + layout.memoCount
        callSiteCount = layout.callSiteCount
        callArguments = .allocate(capacity: max(1, callSiteCount))
        callArguments.initialize(repeating: [], count: callSiteCount)
        membershipCount = layout.memberSets.count
        memberships = .allocate(capacity: max(1, membershipCount))
        memberships.initialize(repeating: 0, count: membershipCount)
        memberSets = layout.memberSets
        memberTexts = .allocate(capacity: max(1, membershipCount))
        memberTexts.initialize(from: memberSets.map { Unmanaged.passUnretained($0) }, count: membershipCount)
        let valueCount = localCount + definitionCount + layout.tableInputCount
        tableInputCount = layout.tableInputCount
        maxRows = layout.maxRows
        values = .allocate(capacity: max(1, valueCount))
        values.initialize(repeating: .null, count: valueCount)
        locals = values
        definitions = values + localCount
        tableInputs = values + localCount + definitionCount
        itemFields = .allocate(capacity: max(1, localCount))
        itemFields.initialize(repeating: nil, count: localCount)
        itemFieldCounts = .allocate(capacity: max(1, localCount))
        itemFieldCounts.initialize(repeating: 0, count: localCount)
        let groups = layout.groups
        groupCount = groups.parents.count
        let total = definitionCount + ruleCount + maxRows + groups.parents.count
            + 2 * membershipCount + 2 * pathCount + 2 * groups.parents.count
        integers = .allocate(capacity: max(1, total))
        var at = integers
        func take(_ part: [Int]?, _ count: Int) -> UnsafeMutablePointer<Int> {
            let start = at
            if let part { start.initialize(from: part, count: count) } else { start.initialize(repeating: 0, count: count) }
            at += count
            return start
        }
        definitionsDone = take(nil, definitionCount)
        fired = take(nil, ruleCount)
        matches = take(nil, maxRows)
        groupParents = take(groups.parents, groups.parents.count)
        memberPaths = take(layout.memberSources.map(\.path), membershipCount)
        memberSlots = take(layout.memberSources.map(\.slot), membershipCount)
        var groupOf = Array(repeating: 0, count: pathCount), needs = Array(repeating: 0, count: groups.parents.count)
        for g in groups.parents.indices {
            for k in groups.starts[g]..<groups.starts[g + 1] {
                groupOf[groups.targets[k]] = g
                needs[g] = Swift.max(needs[g], groups.slots[k] + 1)
            }
        }
        pathGroup = take(groupOf, pathCount)
        pathSlot = take(layout.slots, pathCount)
        groupNeeds = take(needs, groups.parents.count)
        spareStarts = take(needs.indices.map { g in needs[..<g].reduce(0, +) }, groups.parents.count)
        let owned = needs.reduce(0, +)
        ownedSpare = owned
        spareCount = owned + (needs.max() ?? 0)
        spare = .allocate(capacity: Swift.max(1, spareCount))
        spare.initialize(repeating: .null, count: spareCount)
        nulls = UnsafePointer(spare + owned)
        groupBases = .allocate(capacity: Swift.max(1, groups.parents.count))
        for g in groups.parents.indices { (groupBases + g).initialize(to: UnsafePointer(spare + spareStarts[g])) }
    }

    deinit {
        values.deinitialize(count: localCount + definitionCount + tableInputCount)
        values.deallocate()
        spare.deinitialize(count: spareCount)
        spare.deallocate()
        UnsafeMutablePointer(mutating: noRequest).deinitialize(count: 1).deallocate()
        groupBases.deallocate()
        callArguments.deinitialize(count: callSiteCount)
        callArguments.deallocate()
        memberships.deallocate()
        memberTexts.deallocate()
        itemFields.deallocate()
        itemFieldCounts.deallocate()
        integers.deallocate()
    }

    /// Calls `body` with each item's index, the item bound to variable `slot` while it runs, until
    /// `body` says false.
    /// The variable holds each item without retaining it (a retain and a release per item showed in
    /// profiles of `some c in ... satisfies`): `items` keeps them alive throughout, and the variable
    /// is emptied, without a release, before this returns. Only this may bind `slot` meanwhile: the
    /// checker gives every binding a variable of its own, so a nested loop never binds the same one.
    /// While an item that is a record is bound, `itemFields` has where its fields are (`c.risk` is read
    /// there, see `Operand.withValue`), and `itemFieldCounts` how many.
    @inline(__always) func forEach(_ items: [Value], binding slot: Int, _ body: (Int) -> Bool) {
        items.withUnsafeBufferPointer { forEach(in: $0, binding: slot, body) }
    }

    /// The same, over items whose owner keeps them alive throughout (a list in the record, read in
    /// place: `forEach(inList:binding:_:)`).
    @inline(__always) func forEach(in buffer: UnsafeBufferPointer<Value>, binding slot: Int, _ body: (Int) -> Bool) {
        let variable = locals + slot
        variable.pointee = .null // releases what an earlier loop or record left there
        defer {
            UnsafeMutableRawPointer(variable).initializeMemory(as: Value.self, repeating: .null, count: 1)
            itemFields[slot] = nil
        }
        guard let base = buffer.baseAddress else { return }
        for i in 0..<buffer.count {
            UnsafeMutableRawPointer(variable).copyMemory(from: base + i, byteCount: MemoryLayout<Value>.size)
            if let fields = ArrayInPlace.fields(base + i, known: inPlace) {
                itemFields[slot] = fields.baseAddress
                itemFieldCounts[slot] = fields.count
            } else if case .record(let fields) = base[i] {
                // `items` holds the item, so its fields stay where they are while it is bound.
                itemFields[slot] = fields.withUnsafeBufferPointer { $0.baseAddress }
                itemFieldCounts[slot] = fields.count
            } else {
                itemFields[slot] = nil
            }
            if !body(i) { break }
        }
    }

    /// `forEach` over the list at `list`, read in place where the layout is known, else bound as an
    /// array; false, with nothing done, when the value is not a list. `list` must stay where it is
    /// meanwhile: a record path, an item's field, or a value the caller holds.
    @inline(__always) func forEach(inList list: UnsafePointer<Value>, binding slot: Int, _ body: (Int) -> Bool) -> Bool {
        if let items = ArrayInPlace.items(list, known: inPlace) {
            forEach(in: items, binding: slot, body)
            return true
        }
        guard case .list(let items) = list.pointee else { return false }
        forEach(items, binding: slot, body)
        return true
    }

    /// The value in definition slot `k` for this record (a definition, or a value
    /// `Compiler.memoized` keeps), worked out by `work` on first use.
    @inline(__always) func kept(_ k: Int, _ work: (Frame) -> Value) -> Value { keptPlace(k, work).pointee }

    /// Where `kept` keeps the value in definition slot `k`, worked out by `work` on first use: read
    /// there (an atom comparing a definition with a constant), it is not copied.
    @inline(__always) func keptPlace(_ k: Int, _ work: (Frame) -> Value) -> UnsafePointer<Value> {
        if definitionsDone[k] == 0 {
            definitions[k] = work(self)
            definitionsDone[k] = 1
        }
        return UnsafePointer(definitions + k)
    }

    /// The bits of membership set `set` for this record (see `memberships`), worked out on first
    /// use; 0 for a set this frame does not have or that is not about a record path's items.
    @inline(__always) func membership(_ set: Int) -> UInt64 {
        guard set < membershipCount else { return 0 }
        let bits = memberships[set]
        return bits != 0 ? bits : workOutMembership(set)
    }

    @inline(never) private func workOutMembership(_ set: Int) -> UInt64 {
        let path = memberPaths[set]
        guard path >= 0 else { return 0 }
        let bits = memberTexts[set]._withUnsafeGuaranteedRef { Compiler.members(self.path(path), memberSlots[set], $0, inPlace: inPlace) }
        memberships[set] = bits
        return bits
    }

    @inline(__always) func match(_ row: Int) {
        guard matchCount < maxRows else { return }
        matches[matchCount] = row
        matchCount += 1
    }

    @inline(__always) func fire(_ rule: Int) {
        guard firedCount < ruleCount else { return }
        fired[firedCount] = rule
        firedCount += 1
    }

    /// Lets go of the record once a decision is made, so that a reader can reuse its arrays
    /// (`RecordPool`). The paths are not read again before the next `reset` finds them.
    func release() {
        record = []
        rootFields = UnsafeBufferPointer(start: nil, count: 0)
        if spareUsed { clearSpare() }
    }

    private func clearSpare() {
        for i in 0..<ownedSpare { spare[i] = .null }
        spareUsed = false
    }

    /// Starts a record the frame holds (until `release`): where its paths are is found (a field of
    /// a missing record is null), definitions forgotten, decision values cleared.
    func reset(record: consuming [Value]) {
        // The same record again (a dry-run asks for its clock start, then its outcome): arrays are
        // values, so the same storage means the same fields, and the paths are where they were.
        let same = !record.isEmpty && record.count == self.record.count
            && record.withUnsafeBufferPointer({ $0.baseAddress }) == self.record.withUnsafeBufferPointer({ $0.baseAddress })
        // Moved in, not copied: a copy retained the record's array and released it again.
        self.record = consume record
        if !same { place(self.record.withUnsafeBufferPointer { $0 }) }
        forget()
    }

    /// Starts a record whose fields the caller holds, unchanged, until `release`: the frame reads
    /// them where they are and holds no reference (holding one cost an atomic retain and release a
    /// referral).
    func reset(fields root: UnsafeBufferPointer<Value>) {
        // The record the frame holds already (a clock start read it): it cannot have been reused.
        let same = !record.isEmpty && record.count == root.count && record.withUnsafeBufferPointer({ $0.baseAddress }) == root.baseAddress
        if !same {
            if !record.isEmpty { record = [] }
            place(root)
        }
        forget()
    }

    /// Finds where the paths are in `root` and its records.
    private func place(_ root: UnsafeBufferPointer<Value>) {
        rootFields = root
        if spareUsed { clearSpare() }
        // Each group's fields are read where its parent record keeps them: only where each
        // record's fields start is written per record, not every path's value. The record's owner
        // holds them until the next record replaces it. Parents come first.
        for g in 0..<groupCount {
            let parent = groupParents[g], need = groupNeeds[g]
            var base: UnsafePointer<Value>?
            var fields: [Value] = []
            if parent < 0 {
                if root.count >= need { base = root.baseAddress } else { fields = Array(root) }
            } else if let f = ArrayInPlace.fields(path(parent), known: inPlace), f.count >= need {
                // Read in place: binding the parent's fields retained and released them, for each group.
                base = f.baseAddress
            } else if case .record(let f) = path(parent).pointee {
                if f.count >= need { base = f.withUnsafeBufferPointer { $0.baseAddress } } else { fields = f }
            } else {
                base = nulls
            }
            if let base {
                groupBases[g] = base
                // The fields are asked for now, all together, rather than each when a condition
                // first reads it: a record decided long after it was decoded is no longer in the
                // processor's caches, and waiting for its lines one at a time was a third of a
                // decision's time.
                let raw = UnsafeRawPointer(base)
                var offset = 0
                let end = need * MemoryLayout<Value>.stride
                while offset < end { mash_prefetch(raw + offset); offset += 64 }
            } else {
                // Not a record, or fewer fields than the schema has: fields of the frame's own.
                let own = spare + spareStarts[g]
                for i in 0..<need { own[i] = i < fields.count ? fields[i] : .null }
                spareUsed = true
                groupBases[g] = UnsafePointer(own)
            }
        }
    }

    /// Definitions forgotten, decision values cleared.
    @inline(__always) private func forget() {
        for i in 0..<definitionCount { definitionsDone[i] = 0 }
        for i in 0..<membershipCount { memberships[i] = 0 }
        levelRank = -1; ratingIndex = -1; routeIndex = -1; deadline = .null; requestAt = noRequest
    }
}

/// A compiled expression: names already resolved to slots.
typealias Code = @Sendable (Frame) -> Value
