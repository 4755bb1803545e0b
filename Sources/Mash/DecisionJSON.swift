import Foundation
import MashRuntime
import MashSchema

/// A decision as compact JSON with sorted keys, written directly: byte for byte what `JSONEncoder`
/// with `.sortedKeys` and `.withoutEscapingSlashes` writes (the decision identity test holds it to
/// that), at a fraction of the cost. Absent optional fields are left out, as the encoder does. Keys
/// are written in sorted order by hand.
struct DecisionJSON {
    private var out = ByteWriter(capacity: 2048)

    static func line(_ d: Decision) -> String {
        var w = DecisionJSON()
        defer { w.out.free() }
        w.decision(d)
        return String(decoding: w.out.bytes, as: UTF8.self)
    }

    /// The same bytes and a newline, added to `bytes` without making a `String` first.
    static func appendLine(_ d: Decision, to bytes: inout [UInt8]) {
        var w = DecisionJSON()
        defer { w.out.free() }
        w.decision(d)
        w.out.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: w.out.bytes)
    }

    private static let fallback: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes]
        return e
    }()

    private mutating func raw(_ s: StaticString) {
        out.append(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    private mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { string(utf8: $0) }
    }

    private mutating func string(utf8 bytes: UnsafeBufferPointer<UInt8>) {
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
    static func isPlain(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
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
    private mutating func key(_ k: StaticString, _ first: inout Bool) {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        out.append(UInt8(ascii: "\""))
        raw(k)
        raw("\":")
    }

    private mutating func field(_ k: StaticString, _ value: String?, _ first: inout Bool) {
        guard let value else { return }
        key(k, &first)
        string(value)
    }

    /// A date-time's text, written from its bytes without making a `String`.
    private mutating func field(_ k: StaticString, _ value: DateTime?, _ first: inout Bool) {
        guard let value else { return }
        key(k, &first)
        value.withText { string(utf8: $0) }
    }

    /// `[a,b,...]`, each item written by `write`.
    private mutating func list<T>(_ items: [T], _ write: (inout DecisionJSON, T) -> Void) {
        raw("[")
        for (i, item) in items.enumerated() {
            if i > 0 { raw(",") }
            write(&self, item)
        }
        raw("]")
    }

    private mutating func strings(_ items: [String]) { list(items) { $0.string($1) } }

    private mutating func number(_ n: Int) {
        var text = String(n)
        text.withUTF8 { out.append($0) }
    }

    private mutating func decision(_ d: Decision) {
        var first = true
        raw("{")
        key("disclosures", &first)
        list(d.disclosures) { $0.disclosure($1) }
        key("escalations", &first)
        list(d.escalations) { $0.escalation($1) }
        field("evaluated_at", d.evaluatedAt, &first)
        key("fired", &first)
        list(d.fired) { $0.firing($1) }
        field("id", d.id, &first)
        key("level", &first)
        var inner = true
        raw("{")
        field("id", d.level.id, &inner)
        field("label", d.level.label, &inner)
        key("rank", &inner)
        number(d.level.rank)
        raw("}")
        key("problems", &first)
        strings(d.problems)
        if let r = d.rating {
            key("rating", &first)
            inner = true
            raw("{")
            field("clock", r.clock, &inner)
            field("deadline", r.deadlineAt, &inner)
            field("id", r.id, &inner)
            field("label", r.label, &inner)
            raw("}")
        }
        if let r = d.route {
            key("route", &first)
            inner = true
            raw("{")
            field("id", r.id, &inner)
            field("label", r.label, &inner)
            raw("}")
        }
        key("ruleset", &first)
        inner = true
        raw("{")
        field("authority", d.ruleset.authority, &inner)
        field("hash", d.ruleset.hash, &inner)
        field("name", d.ruleset.name, &inner)
        field("version", d.ruleset.version, &inner)
        raw("}}")
    }

    private mutating func firing(_ f: Decision.Firing) {
        var first = true
        raw("{")
        field("because", f.because, &first)
        key("facts", &first)
        list(f.facts) { w, fact in
            var inner = true
            w.raw("{")
            w.field("path", fact.path, &inner)
            w.field("value", fact.value, &inner)
            w.raw("}")
        }
        field("level", f.level, &first)
        field("location", f.location, &first)
        field("rating", f.rating, &first)
        field("route", f.route, &first)
        if let row = f.row {
            key("row", &first)
            number(row)
        }
        field("rule", f.rule, &first)
        field("title", f.title, &first)
        raw("}")
    }

    private mutating func escalation(_ e: Decision.EscalationState) {
        var first = true
        raw("{")
        field("due", e.dueAt, &first)
        field("held_by", e.heldBy, &first)
        field("location", e.location, &first)
        key("overdue", &first)
        if e.overdue { raw("true") } else { raw("false") }
        field("path", e.path, &first)
        field("stage", e.stage, &first)
        field("stage_since", e.stageSinceAt, &first)
        field("started", e.startedAt, &first)
        field("status", e.status.rawValue, &first)
        field("title", e.title, &first)
        raw("}")
    }

    private mutating func disclosure(_ a: Decision.DisclosureAnswer) {
        var first = true
        raw("{")
        field("agency", a.agency, &first)
        field("answer", a.answer.rawValue, &first)
        field("approval_by", a.approvalBy, &first)
        field("audience", a.audience, &first)
        field("category", a.category, &first)
        field("form", a.form, &first)
        field("location", a.location, &first)
        key("must_record", &first)
        strings(a.mustRecord)
        field("purpose", a.purpose, &first)
        field("reason", a.reason, &first)
        field("request", a.request, &first)
        key("requires", &first)
        strings(a.requires)
        raw("}")
    }
}

/// A growing byte buffer written through a pointer. A decision is written in a hundred or so small
/// pieces, and `Array.append(contentsOf:)` cost more per piece than copying the bytes. The owner
/// calls `free()` when done (a `DecisionJSON` does, before returning).
struct ByteWriter {
    private var base: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    func free() { base.deallocate() }

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
        if piece.count <= 16 {
            // Keys and punctuation: a few bytes, cheaper copied here than through a call to memmove.
            for k in 0..<piece.count { base[count + k] = start[k] }
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
