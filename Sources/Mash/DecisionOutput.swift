import Foundation
import MashRuntime
import MashSchema

/// Renders decisions and record errors. JSON keys are sorted, so equal decisions give equal bytes.
public enum DecisionOutput {
    private static let compact: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    private static let pretty: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return e
    }()

    /// One line of JSON, for JSON Lines output.
    public static func jsonLine(_ d: Decision) -> String { DecisionJSON.line(d) }

    /// `jsonLine(d)` and a newline, as UTF-8 added to `bytes`. For many decisions, a `JSONLineWriter`
    /// kept from one to the next writes the same bytes faster.
    public static func appendJSONLine(_ d: Decision, to bytes: inout [UInt8]) { DecisionJSON().appendLine(d, to: &bytes) }

    /// Writes decisions as JSON lines, the same bytes as `jsonLine`, one after another. It remembers the
    /// JSON of the levels, ratings, routes and rule-set stamp it has written and copies it the next
    /// time, so keep one for a batch. Not thread-safe: one writer per thread.
    public final class JSONLineWriter {
        private let json = DecisionJSON()
        public init() {}
        /// The decision as one line of JSON and a newline, added to `bytes`.
        public func append(_ d: Decision, to bytes: inout [UInt8]) { json.appendLine(d, to: &bytes) }

        /// Decides `record` and adds its decision line to `bytes`, writing the decision over
        /// `decision`, the last one, which is kept for the next call so that its lists' memory is
        /// reused. The decision is moved out of `decision` and back, not copied (read from a
        /// property or a captured variable for the writer, it was copied, about 1,000 instructions a
        /// referral), and bound as a variable where it is taken: taken into a constant and then moved
        /// to a variable, it was copied, and evaluating into the copy copied its lists again.
        public func decide(_ record: DecodedRecord, with evaluator: Evaluator, at moment: DateTime, explain: Bool,
                           over decision: inout Decision?, to bytes: inout [UInt8]) {
            if var d = decision.take() {
                evaluator.evaluate(record, at: moment, explain: explain, into: &d)
                append(d, to: &bytes)
                decision = consume d
            } else {
                let d = evaluator.evaluate(record, at: moment, explain: explain)
                append(d, to: &bytes)
                decision = consume d
            }
        }
    }

    public static func json(_ d: Decision) -> String {
        String(decoding: (try? pretty.encode(d)) ?? Data(), as: UTF8.self)
    }

    /// `{"decisions": [...], "rejected": [...]}`, pretty-printed.
    public static func json(decisions: [Decision], rejected: [RecordError]) -> String {
        struct Batch: Encodable {
            let decisions: [Decision]
            let rejected: [Rejected]
        }
        let batch = Batch(decisions: decisions, rejected: rejected.map(Rejected.init))
        return String(decoding: (try? pretty.encode(batch)) ?? Data(), as: UTF8.self) + "\n"
    }

    /// A rejected record in JSON: `{"rejected": {...}}` on one line, so JSON Lines consumers can tell it apart.
    public static func jsonLine(_ e: RecordError) -> String {
        struct Line: Encodable { let rejected: Rejected }
        return String(decoding: (try? compact.encode(Line(rejected: Rejected(e)))) ?? Data(), as: UTF8.self)
    }

    struct Rejected: Encodable {
        struct Problem: Encodable { let path: String; let message: String }
        let id: String?
        let origin: String
        let problems: [Problem]
        init(_ e: RecordError) {
            id = e.recordId
            origin = e.origin
            problems = e.problems.map { Problem(path: $0.path, message: $0.message) }
        }
    }

    /// For people: `error: record R-0007 (referrals/bad.yaml): child.age_months: expected a number, found "three"`.
    public static func human(_ e: RecordError) -> String {
        let who = e.recordId.map { "record \($0) (\(e.origin))" } ?? "record at \(e.origin)"
        return e.problems.map { "error: \(who): \($0.path.isEmpty ? "" : "\($0.path): ")\($0.message)" }.joined(separator: "\n")
    }

    /// A plain-language explanation of one decision, for a policy lead.
    public static func human(_ d: Decision) -> String {
        // Written as bytes: built from interpolated pieces, each piece was a text of its own appended
        // through the general growth of a `String` (a dry-run explains every changed referral twice).
        var out = TextBytes()
        out.put(d.id, ": level ", String(d.level.rank), " ", d.level.id, " (", d.level.label, ")\n")
        if let r = d.rating {
            out.put("  rating:  ", r.id)
            if let label = r.label { out.put(" (", label, ")") }
            if let deadline = r.deadline, let clock = r.clock { out.put(", respond by ", deadline, " (", clock, ")") }
            out.put("\n")
        }
        if let route = d.route {
            out.put("  route:   ", route.id)
            if let label = route.label { out.put(" (", label, ")") }
            out.put("\n")
        }
        if d.fired.isEmpty {
            out.put("  why:     no rule fired, so the default level applies\n")
        } else {
            out.put("  why:\n")
            for f in d.fired {
                if let row = f.row { out.put("    - table ", f.rule, " row ", String(row)) } else { out.put("    - rule ", f.rule) }
                out.put(" \"", f.title, "\" suggests level ", f.level)
                if let r = f.rating { out.put(", rating ", r) }
                if let r = f.route { out.put(", route ", r) }
                out.put("\n      because: ", f.because, "\n")
                if !f.facts.isEmpty {
                    out.put("      facts:   ")
                    for (k, fact) in f.facts.enumerated() { out.put(k == 0 ? "" : "; ", fact.path, " = ", fact.value) }
                    out.put("\n")
                }
                out.put("      source:  ", f.location, "\n")
            }
        }
        for e in d.escalations {
            out.put("  escalation ", e.path, " (", e.title, "): ")
            switch e.status {
            case .pending: out.put("starts at ", e.started, " if still needed")
            case .resolved: out.put("resolved")
            case .open:
                out.put("stage ", e.stage ?? "?", ", held by ", e.heldBy ?? "?")
                if let due = e.due { out.put(", due ", due) } else { out.put(", no time limit") }
                if e.overdue { out.put(" — OVERDUE") }
            }
            out.put("\n")
        }
        for a in d.disclosures {
            out.put("  disclosure ", a.request, ": ", a.agency, " ", a.category, " to ", a.audience)
            if let purpose = a.purpose { out.put(" for ", purpose) }
            out.put(": ")
            switch a.answer {
            case .permit: out.put("PERMIT")
            case .deny: out.put("DENY")
            case .needsApproval: out.put("NEEDS APPROVAL by the ", a.approvalBy ?? "decision maker")
            case .needsConsent: out.put(a.requires.contains { $0.hasPrefix("consent, or") } ? "NEEDS CONSENT or a recorded reason" : "NEEDS CONSENT")
            }
            if let form = a.form, a.answer != .deny { out.put(" (", form, ")") }
            out.put("\n      reason:  ", a.reason, "\n")
            if !a.requires.isEmpty { out.put("      requires: ", a.requires.joined(separator: "; "), "\n") }
            out.put("      record:  ", a.mustRecord.joined(separator: "; "), "\n")
            if let l = a.location { out.put("      source:  ", l, "\n") }
        }
        for p in d.problems { out.put("  problem: ", p, "\n") }
        out.put("  decided by \"", d.ruleset.name, "\" version ", d.ruleset.version, " (", String(d.ruleset.hash.prefix(19)), "…) at ", d.evaluatedAt, "\n")
        return out.text
    }
}

/// Text written as UTF-8 bytes and made a `String` once, at the end.
private struct TextBytes {
    private var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(4096) }

    /// Up to nine pieces one after another. Not variadic: a variadic list was an array made per
    /// call, and a parameter pack was not specialised.
    mutating func put(_ a: String, _ b: String = "", _ c: String = "", _ d: String = "", _ e: String = "",
                      _ f: String = "", _ g: String = "", _ h: String = "", _ i: String = "") {
        add(a); add(b); add(c); add(d); add(e); add(f); add(g); add(h); add(i)
    }

    @inline(__always) private mutating func add(_ piece: String) {
        if piece.isEmpty { return }
        if piece.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil { bytes.append(contentsOf: piece.utf8) }
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }
}
