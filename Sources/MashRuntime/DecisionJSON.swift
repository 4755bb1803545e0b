import Foundation
import MashSchema

/// A decision as compact JSON with sorted keys, written directly: byte for byte what `JSONEncoder`
/// with `.sortedKeys` and `.withoutEscapingSlashes` writes (the decision identity test holds it to
/// that), at a fraction of the cost. Absent optional fields are left out, as the encoder does. Keys
/// are written in sorted order by hand.
///
/// Most of a decision is text that repeats from one referral to the next: a firing's JSON is kept
/// with its rule (`FiringSource`), and a writer kept from one decision to the next remembers the JSON
/// of the rule set's stamp, found again by comparing it (the same texts, so nearly free), and
/// levels, ratings and routes carry theirs. Not thread-safe: one writer per thread.
package final class DecisionJSON {
    // Unchecked: a writer is used by one thread, and the dynamic exclusivity checks on each small
    // write cost more than the write.
    @exclusivity(unchecked) private var out = ByteWriter(capacity: 2048)
    /// Rule-set stamps already written, with their JSON. Small: a writer sees one rule set, or two
    /// in a dry-run; past `memoLimit` further ones are written each time.
    @exclusivity(unchecked) private var stamps = Memo<Decision.Stamp>()
    private static let memoLimit = 32

    package init() {}
    deinit { out.free() }

    package static func line(_ d: Decision) -> String { DecisionJSON().line(d) }

    package func line(_ d: Decision) -> String {
        out.removeAll()
        decision(d)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// The same bytes and a newline, added to `bytes` without making a `String` first.
    package func appendLine(_ d: Decision, to bytes: inout [UInt8]) {
        out.removeAll()
        decision(d)
        out.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: out.bytes)
    }

    /// A firing's JSON before and after its facts, made once per rule or row. A program's firings are
    /// written with one writer (`using`), not one each.
    static func firingFragments(rule: String, title: String, row: Int?, level: String, rating: String?, route: String?,
                                because: String, location: String, using writer: DecisionJSON? = nil) -> (head: JSONBytes, tail: JSONBytes) {
        let w = writer ?? DecisionJSON()
        w.out.removeAll()
        var first = true
        w.raw("{")
        w.field("because", because, &first)
        w.key("facts", &first)
        w.raw("[")
        let head = JSONBytes(w.out.bytes)
        w.out.removeAll()
        w.raw("]")
        w.field("level", level, &first)
        w.field("location", location, &first)
        w.field("rating", rating, &first)
        w.field("route", route, &first)
        if let row {
            w.key("row", &first)
            w.number(row)
        }
        w.field("rule", rule, &first)
        w.field("title", title, &first)
        w.raw("}")
        return (head, JSONBytes(w.out.bytes))
    }

    /// A rating's JSON before its deadline, `{"clock":…,` (`{` without a clock), and after it,
    /// `"id":…,"label":…}`: the id is never absent.
    static func ratingFragments(id: String, label: String?, clock: String?, using writer: DecisionJSON? = nil) -> (head: JSONBytes, tail: JSONBytes) {
        let w = writer ?? DecisionJSON()
        let head = w.piece { _ in
            w.raw("{")
            if let clock {
                var inner = true
                w.field("clock", clock, &inner)
                w.raw(",")
            }
        }
        let tail = w.piece(first: true) { first in
            w.field("id", id, &first)
            w.field("label", label, &first)
            w.raw("}")
        }
        return (head, tail)
    }

    /// A route's JSON, `{"id":…,"label":…}`, or with a rank a level's, `{"id":…,"label":…,"rank":…}`.
    static func namedJSON(id: String, label: String?, rank: Int? = nil, using writer: DecisionJSON? = nil) -> JSONBytes {
        let w = writer ?? DecisionJSON()
        return w.piece(first: true) { first in
            w.raw("{")
            w.field("id", id, &first)
            w.field("label", label, &first)
            if let rank {
                w.key("rank", &first)
                w.number(rank)
            }
            w.raw("}")
        }
    }

    /// What an escalation state's JSON holds of its path and stage, which every state at that stage
    /// writes the same, in key order: `held_by` (if any) and `location` (without a comma before
    /// them: `due` may or may not come first), `,"path":…` with the stage (if any), and `,"title":…`.
    struct EscalationFragments: Sendable {
        let heldByAndLocation: JSONBytes, pathAndStage: JSONBytes, title: JSONBytes
        /// For the `EscalationSource` that keeps them, when it goes.
        func free() { heldByAndLocation.free(); pathAndStage.free(); title.free() }
    }

    static func escalationFragments(path: String, title: String, stage: String?, heldBy: String?, location: String) -> EscalationFragments {
        let w = DecisionJSON()
        // The first key's comma is left to the writer.
        return EscalationFragments(heldByAndLocation: w.piece(first: true) { w.field("held_by", heldBy, &$0); w.field("location", location, &$0) },
                                   pathAndStage: w.piece { w.field("path", path, &$0); w.field("stage", stage, &$0) },
                                   title: w.piece { w.field("title", title, &$0) })
    }

    /// What a disclosure answer's JSON holds of its share rule (or kind of denial), which every answer
    /// it gives writes the same, in key order between the request's own fields, each with the comma
    /// before it (`agency` always comes first): the answer and who approves, the form, location and
    /// what must be recorded, the reason, and what is required.
    struct AnswerFragments: Sendable {
        let answerAndApproval: JSONBytes, formLocationAndRecord: JSONBytes, reason: JSONBytes, requires: JSONBytes
        /// For the `AnswerSource` that keeps them, when it goes.
        func free() { answerAndApproval.free(); formLocationAndRecord.free(); reason.free(); requires.free() }
    }

    static func answerFragments(answer: Decision.DisclosureAnswer.Answer, form: String?, approvalBy: String?, requires: [String],
                                mustRecord: [String], reason: String, location: String?) -> AnswerFragments {
        let w = DecisionJSON()
        return AnswerFragments(
            answerAndApproval: w.piece { w.field("answer", answer.rawValue, &$0); w.field("approval_by", approvalBy, &$0) },
            formLocationAndRecord: w.piece {
                w.field("form", form, &$0)
                w.field("location", location, &$0)
                w.key("must_record", &$0)
                w.strings(mustRecord)
            },
            reason: w.piece { w.field("reason", reason, &$0) },
            requires: w.piece { w.key("requires", &$0); w.strings(requires) })
    }

    /// What `write` writes, as bytes of their own: keys after the first of an object, each with the
    /// comma before it, unless `first`.
    private func piece(first: Bool = false, _ write: (inout Bool) -> Void) -> JSONBytes {
        out.removeAll()
        var first = first
        write(&first)
        return JSONBytes(out.bytes)
    }

    private static let fallback: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes]
        return e
    }()

    @inline(__always) private func raw(_ s: StaticString) {
        out.append(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    private func string(_ s: String) {
        // Read in place: `withUTF8` needs a variable, and the copy retained and released the text.
        if s.utf8.withContiguousStorageIfAvailable({ string(utf8: $0) }) != nil { return }
        var s = s
        s.withUTF8 { string(utf8: $0) }
    }

    private func string(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        if Self.isPlain(bytes) {
            out.append(UInt8(ascii: "\""))
            out.append(bytes)
            out.append(UInt8(ascii: "\""))
            return
        }
        // Quotes, backslashes and control characters are rare in decisions: the encoder spells them.
        let encoded = (try? Self.fallback.encode(String(decoding: bytes, as: UTF8.self))) ?? Data("\"\"".utf8)
        encoded.withUnsafeBytes { out.append($0.bindMemory(to: UInt8.self)) }
    }

    /// Whether text can be written as it is: no control character, quote or backslash. Decisions are
    /// mostly long plain texts (a rule's `because`), so eight bytes are tested at a time.
    package static func isPlain(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var i = 0
        while i + 8 <= bytes.count {
            let w = ByteWords.load(base, at: i)
            if ByteWords.below(w, 0x20) | ByteWords.equal(w, UInt8(ascii: "\"")) | ByteWords.equal(w, UInt8(ascii: "\\")) != 0 { return false }
            i += 8
        }
        while i < bytes.count {
            let b = base[i]
            if b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { return false }
            i += 1
        }
        return true
    }

    /// `"key":` after a comma unless it is the object's first key.
    @inline(__always) private func key(_ k: StaticString, _ first: inout Bool) {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        out.append(UInt8(ascii: "\""))
        raw(k)
        raw("\":")
    }

    private func field(_ k: StaticString, _ value: String?, _ first: inout Bool) {
        guard let value else { return }
        key(k, &first)
        string(value)
    }

    /// A date-time's text, written from its bytes without making a `String`. The common shape
    /// (digits, dashes, colons, `T`, `Z` or an offset) needs no escaping; any other is checked.
    private func field(_ k: StaticString, _ value: DateTime?, _ first: inout Bool) {
        guard let value else { return }
        key(k, &first)
        let common: Void? = value.withCommonText { text in
            out.append(UInt8(ascii: "\""))
            out.append(text)
            out.append(UInt8(ascii: "\""))
        }
        if common == nil { value.withText { string(utf8: $0) } }
    }

    /// `[a,b,...]`, each item written by `write`.
    private func list<T>(_ items: [T], _ write: (T) -> Void) {
        raw("[")
        for (i, item) in items.enumerated() {
            if i > 0 { raw(",") }
            write(item)
        }
        raw("]")
    }

    private func strings(_ items: [String]) { list(items) { string($0) } }

    private func number(_ n: Int) {
        var text = String(n)
        text.withUTF8 { out.append($0) }
    }

    private func bytes(_ b: JSONBytes) { out.append(b.bytes) }

    /// The JSON of `key`'s object, copied when `memo` has it, else written by `write` and kept.
    /// `write` is given the key, so that it captures nothing it would have to copy.
    private func memoized<K: Equatable>(_ key: K, _ memo: inout Memo<K>, _ write: (K) -> Void) {
        // Compared and copied where they are: `for (known, json) in memo` copied each entry it
        // passed, retaining and releasing its texts and JSON (and entries kept as tuples were
        // copied by the runtime's generic tuple copy).
        for k in memo.keys.indices where memo.keys[k] == key {
            memo.jsons[k].withUnsafeBufferPointer { out.append($0) }
            return
        }
        let start = out.count
        write(key)
        if memo.keys.count < Self.memoLimit {
            memo.keys.append(key)
            memo.jsons.append(Array(out.bytes[start...]))
        }
    }

    /// Objects already written, and their JSON, in two lists read side by side.
    private struct Memo<K> {
        var keys: [K] = []
        var jsons: [[UInt8]] = []
    }

    private func decision(_ d: Decision) {
        var first = true
        raw("{")
        key("disclosures", &first)
        list(d.disclosures) { disclosure($0) }
        key("escalations", &first)
        list(d.escalations) { escalation($0) }
        field("evaluated_at", d.evaluatedAt, &first)
        key("fired", &first)
        list(d.firings) { firing($0) }
        field("id", d.id, &first)
        key("level", &first)
        // Levels, ratings and routes carry their JSON (`LevelSource`, `RatingSource`, `NamedSource`).
        // Read through the decision's unretained references, which `d.sources` keeps alive.
        d.levelSource._withUnsafeGuaranteedRef { bytes($0.json) }
        key("problems", &first)
        strings(d.problems)
        if let r = d.ratingSource {
            key("rating", &first)
            r._withUnsafeGuaranteedRef { bytes($0.jsonHead) }
            if let deadline = d.deadlineAt {
                var inner = true
                field("deadline", deadline, &inner)
                raw(",")
            }
            r._withUnsafeGuaranteedRef { bytes($0.jsonTail) }
        }
        if let r = d.routeSource {
            key("route", &first)
            r._withUnsafeGuaranteedRef { bytes($0.json) }
        }
        key("ruleset", &first)
        memoized(d.ruleset, &stamps) { stamp in
            var inner = true
            raw("{")
            field("authority", stamp.authority, &inner)
            field("hash", stamp.hash, &inner)
            field("name", stamp.name, &inner)
            field("version", stamp.version, &inner)
            raw("}")
        }
        raw("}")
    }

    private func firing(_ f: Decision.Fired) {
        // The fragments carry the brackets around the facts.
        f.source._withUnsafeGuaranteedRef { bytes($0.jsonHead) }
        for (i, fact) in f.facts.enumerated() {
            if i > 0 { raw(",") }
            var inner = true
            raw("{")
            field("path", fact.path, &inner)
            field("value", fact.value, &inner)
            raw("}")
        }
        f.source._withUnsafeGuaranteedRef { bytes($0.jsonTail) }
    }

    // What the path and stage, or the share rule, say is copied as the JSON written for them once.
    private func escalation(_ e: Decision.EscalationState) {
        var first = true
        let shared = e.source.json
        raw("{")
        field("due", e.dueAt, &first)
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        bytes(shared.heldByAndLocation)
        key("overdue", &first)
        if e.overdue { raw("true") } else { raw("false") }
        bytes(shared.pathAndStage)
        field("stage_since", e.stageSinceAt, &first)
        field("started", e.startedAt, &first)
        field("status", e.status.rawValue, &first)
        bytes(shared.title)
        raw("}")
    }

    private func disclosure(_ a: Decision.DisclosureAnswer) {
        var first = true
        let shared = a.source.json
        raw("{")
        field("agency", a.agency, &first)
        bytes(shared.answerAndApproval)
        field("audience", a.audience, &first)
        field("category", a.category, &first)
        bytes(shared.formLocationAndRecord)
        field("purpose", a.purpose, &first)
        bytes(shared.reason)
        field("request", a.request, &first)
        bytes(shared.requires)
        raw("}")
    }
}

/// JSON written once and kept by what it is written for (a firing's rule, a level, a share rule),
/// which frees it when it goes: copied into each decision's JSON without retaining anything, where
/// reading an array's bytes out of a shared object retained and released the array, about ten
/// times a decision written.
struct JSONBytes: @unchecked Sendable {
    let bytes: UnsafeBufferPointer<UInt8>

    init(_ written: UnsafeBufferPointer<UInt8>) {
        let copy = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, written.count))
        if let base = written.baseAddress { copy.initialize(from: base, count: written.count) }
        bytes = UnsafeBufferPointer(start: copy, count: written.count)
    }

    /// Called once, by the owner's `deinit`.
    func free() { UnsafeMutablePointer(mutating: bytes.baseAddress!).deallocate() }
}

/// A growing byte buffer written through a pointer. A decision is written in a hundred or so small
/// pieces, and `Array.append(contentsOf:)` cost more per piece than copying the bytes. The owner
/// calls `free()` when done (a `DecisionJSON` does, before returning).
struct ByteWriter {
    private var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    func free() { base.deallocate() }

    /// Forgets what was written, keeping the memory.
    mutating func removeAll() { count = 0 }

    /// What has been written, valid until the next write or `free()`.
    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    @inline(__always) mutating func append(_ byte: UInt8) {
        if count == capacity { grow(count + 1) }
        base[count] = byte
        count += 1
    }

    @inline(__always) mutating func append(_ piece: UnsafeBufferPointer<UInt8>) {
        guard let start = piece.baseAddress, piece.count > 0 else { return }
        if count + piece.count > capacity { grow(count + piece.count) }
        let n = piece.count
        if n <= 16 {
            // Keys and punctuation: a few bytes, cheaper copied here than through a call to memmove,
            // as two words that may overlap (a byte loop cost four instructions a byte).
            let from = UnsafeRawPointer(start), to = UnsafeMutableRawPointer(base + count)
            if n >= 8 {
                to.storeBytes(of: from.loadUnaligned(as: UInt64.self), as: UInt64.self)
                to.storeBytes(of: from.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self), toByteOffset: n - 8, as: UInt64.self)
            } else if n >= 4 {
                to.storeBytes(of: from.loadUnaligned(as: UInt32.self), as: UInt32.self)
                to.storeBytes(of: from.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self), toByteOffset: n - 4, as: UInt32.self)
            } else {
                for k in 0..<n { base[count + k] = start[k] }
            }
        } else {
            (base + count).update(from: start, count: piece.count)
        }
        count += piece.count
    }

    private mutating func grow(_ needed: Int) {
        let larger = max(needed, capacity * 2)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.update(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = larger
    }
}
