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
        var out = "\(d.id): level \(d.level.rank) \(d.level.id) (\(d.level.label))\n"
        if let r = d.rating {
            var line = "  rating:  \(r.id)"
            if let label = r.label { line += " (\(label))" }
            if let deadline = r.deadline, let clock = r.clock { line += ", respond by \(deadline) (\(clock))" }
            out += line + "\n"
        }
        if let route = d.route { out += "  route:   \(route.id)\(route.label.map { " (\($0))" } ?? "")\n" }
        if d.fired.isEmpty {
            out += "  why:     no rule fired, so the default level applies\n"
        } else {
            out += "  why:\n"
            for f in d.fired {
                var outcome = "level \(f.level)"
                if let r = f.rating { outcome += ", rating \(r)" }
                if let r = f.route { outcome += ", route \(r)" }
                let what = f.row.map { "table \(f.rule) row \($0)" } ?? "rule \(f.rule)"
                out += "    - \(what) \"\(f.title)\" suggests \(outcome)\n"
                out += "      because: \(f.because)\n"
                if !f.facts.isEmpty { out += "      facts:   " + f.facts.map { "\($0.path) = \($0.value)" }.joined(separator: "; ") + "\n" }
                out += "      source:  \(f.location)\n"
            }
        }
        for e in d.escalations {
            var line = "  escalation \(e.path) (\(e.title)): "
            switch e.status {
            case .pending: line += "starts at \(e.started) if still needed"
            case .resolved: line += "resolved"
            case .open:
                line += "stage \(e.stage ?? "?"), held by \(e.heldBy ?? "?")"
                if let due = e.due { line += ", due \(due)" } else { line += ", no time limit" }
                if e.overdue { line += " — OVERDUE" }
            }
            out += line + "\n"
        }
        for a in d.disclosures {
            var line = "  disclosure \(a.request): \(a.agency) \(a.category) to \(a.audience)\(a.purpose.map { " for \($0)" } ?? ""): "
            switch a.answer {
            case .permit: line += "PERMIT"
            case .deny: line += "DENY"
            case .needsApproval: line += "NEEDS APPROVAL by the \(a.approvalBy ?? "decision maker")"
            case .needsConsent: line += a.requires.contains { $0.hasPrefix("consent, or") } ? "NEEDS CONSENT or a recorded reason" : "NEEDS CONSENT"
            }
            if let form = a.form, a.answer != .deny { line += " (\(form))" }
            out += line + "\n      reason:  \(a.reason)\n"
            if !a.requires.isEmpty { out += "      requires: \(a.requires.joined(separator: "; "))\n" }
            out += "      record:  \(a.mustRecord.joined(separator: "; "))\n"
            if let l = a.location { out += "      source:  \(l)\n" }
        }
        for p in d.problems { out += "  problem: \(p)\n" }
        let shortHash = String(d.ruleset.hash.prefix(19))
        out += "  decided by \"\(d.ruleset.name)\" version \(d.ruleset.version) (\(shortHash)…) at \(d.evaluatedAt)\n"
        return out
    }
}
