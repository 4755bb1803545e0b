import Foundation
import MashRuntime

/// A decision as compact JSON with sorted keys, written directly: byte for byte what `JSONEncoder`
/// with `.sortedKeys` and `.withoutEscapingSlashes` writes (the decision identity test holds it to
/// that), at a fraction of the cost. Absent optional fields are left out, as the encoder does.
struct DecisionJSON {
    private var out = ""

    static func line(_ d: Decision) -> String {
        var w = DecisionJSON()
        w.out.reserveCapacity(2048)
        w.decision(d)
        return w.out
    }

    private static let fallback: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes]
        return e
    }()

    private mutating func string(_ s: String) {
        // Control characters are rare in decisions; leave their spelling to the encoder.
        if s.utf8.contains(where: { $0 < 0x20 }) {
            out += String(decoding: (try? Self.fallback.encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
            return
        }
        out += "\""
        if s.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            for ch in s.unicodeScalars {
                if ch == "\"" { out += "\\\"" } else if ch == "\\" { out += "\\\\" } else { out.unicodeScalars.append(ch) }
            }
        } else {
            out += s
        }
        out += "\""
    }

    /// Writes `{"key":value,...}`; `fields` lists the keys in sorted order, each with a writer or nil to leave it out.
    private mutating func object(_ fields: [(String, ((inout DecisionJSON) -> Void)?)]) {
        out += "{"
        var first = true
        for (key, write) in fields {
            guard let write else { continue }
            if !first { out += "," }
            first = false
            out += "\"" + key + "\":"
            write(&self)
        }
        out += "}"
    }

    private mutating func array<T>(_ items: [T], _ write: (inout DecisionJSON, T) -> Void) {
        out += "["
        for (i, item) in items.enumerated() {
            if i > 0 { out += "," }
            write(&self, item)
        }
        out += "]"
    }

    private static func text(_ s: String?) -> ((inout DecisionJSON) -> Void)? { s.map { v in { $0.string(v) } } }
    private static func text(_ s: String) -> ((inout DecisionJSON) -> Void)? { { $0.string(s) } }
    private static func number(_ n: Int?) -> ((inout DecisionJSON) -> Void)? { n.map { v in { $0.out += String(v) } } }
    private static func texts(_ items: [String]) -> ((inout DecisionJSON) -> Void)? { { w in w.array(items) { $0.string($1) } } }

    private mutating func decision(_ d: Decision) {
        object([
            ("disclosures", { w in w.array(d.disclosures) { $0.disclosure($1) } }),
            ("escalations", { w in w.array(d.escalations) { $0.escalation($1) } }),
            ("evaluated_at", Self.text(d.evaluatedAt)),
            ("fired", { w in w.array(d.fired) { $0.firing($1) } }),
            ("id", Self.text(d.id)),
            ("level", { w in w.object([("id", Self.text(d.level.id)), ("label", Self.text(d.level.label)), ("rank", Self.number(d.level.rank))]) }),
            ("problems", Self.texts(d.problems)),
            ("rating", d.rating.map { r in { w in
                w.object([("clock", Self.text(r.clock)), ("deadline", Self.text(r.deadline)), ("id", Self.text(r.id)), ("label", Self.text(r.label))])
            } }),
            ("route", d.route.map { r in { w in w.object([("id", Self.text(r.id)), ("label", Self.text(r.label))]) } }),
            ("ruleset", { w in
                w.object([("authority", Self.text(d.ruleset.authority)), ("hash", Self.text(d.ruleset.hash)),
                          ("name", Self.text(d.ruleset.name)), ("version", Self.text(d.ruleset.version))])
            }),
        ])
    }

    private mutating func firing(_ f: Decision.Firing) {
        object([
            ("because", Self.text(f.because)),
            ("facts", { w in w.array(f.facts) { w, fact in w.object([("path", Self.text(fact.path)), ("value", Self.text(fact.value))]) } }),
            ("level", Self.text(f.level)), ("location", Self.text(f.location)), ("rating", Self.text(f.rating)),
            ("route", Self.text(f.route)), ("row", Self.number(f.row)), ("rule", Self.text(f.rule)), ("title", Self.text(f.title)),
        ])
    }

    private mutating func escalation(_ e: Decision.EscalationState) {
        object([
            ("due", Self.text(e.due)), ("held_by", Self.text(e.heldBy)), ("location", Self.text(e.location)),
            ("overdue", { $0.out += e.overdue ? "true" : "false" }), ("path", Self.text(e.path)), ("stage", Self.text(e.stage)),
            ("stage_since", Self.text(e.stageSince)), ("started", Self.text(e.started)), ("status", Self.text(e.status.rawValue)),
            ("title", Self.text(e.title)),
        ])
    }

    private mutating func disclosure(_ a: Decision.DisclosureAnswer) {
        object([
            ("agency", Self.text(a.agency)), ("answer", Self.text(a.answer.rawValue)), ("approval_by", Self.text(a.approvalBy)),
            ("audience", Self.text(a.audience)), ("category", Self.text(a.category)), ("form", Self.text(a.form)),
            ("location", Self.text(a.location)), ("must_record", Self.texts(a.mustRecord)), ("purpose", Self.text(a.purpose)),
            ("reason", Self.text(a.reason)), ("request", Self.text(a.request)), ("requires", Self.texts(a.requires)),
        ])
    }
}
