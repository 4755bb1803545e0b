import Foundation
import Mash

/// What a rule change does, in numbers and in cases.
public struct DryRunReport: Sendable, Encodable {
    public struct Outcome: Sendable, Encodable {
        public let level: String
        public let rating: String?
        public let route: String?
        public let deadline: String?
        init(_ d: Decision) { level = d.level.id; rating = d.rating?.id; route = d.route?.id; deadline = d.rating?.deadline }
    }

    public struct ChangedReferral: Sendable, Encodable {
        public let id: String
        public let received: String?
        public let before: Outcome
        public let after: Outcome
        /// Rules and table rows that fire only in the candidate, or fire there with another outcome.
        public let rulesAdded: [String]
        /// Rules and table rows that fire only in the baseline.
        public let rulesRemoved: [String]
        public let explanationBefore: String
        public let explanationAfter: String
    }

    public struct Change: Sendable, Encodable {
        public let change: String
        public let referrals: Int
    }

    public struct Cause: Sendable, Encodable {
        public let rule: String
        public let title: String
        public let referrals: Int
    }

    public struct Week: Sendable, Encodable {
        /// The Monday the week starts on.
        public let start: String
        public let redBefore: Int
        public let redAfter: Int
    }

    public struct Workload: Sendable, Encodable {
        public let weeks: [Week]
        public let redBefore: Int
        public let redAfter: Int
        public let redPerWeekBefore: Double
        public let redPerWeekAfter: Double
        /// Share of red referrals received outside working hours (the candidate's calendar).
        public let redOutOfHoursPercentBefore: Double
        public let redOutOfHoursPercentAfter: Double
    }

    public let baseline: Decision.Stamp
    public let candidate: Decision.Stamp
    public let evaluatedAt: String
    public let referrals: Int
    public let rejected: Int
    public let outsideRange: Int
    public let changed: Int
    public let levelChanged: Int
    public let ratingChanged: Int
    public let routeChanged: Int
    /// Level names in rank order; `transitions[b][c]` counts referrals at level b before and c after.
    public let levels: [String]
    public let transitions: [[Int]]
    public let ratingChanges: [Change]
    public let routeChanges: [Change]
    public let workload: Workload
    public let causes: [Cause]
    public let changes: [ChangedReferral]
    /// The changed referrals' records and both decisions, for a decision log (not encoded); empty
    /// when the dry-run did not keep them (`DryRun.keepsLoggable`).
    public var loggable: [(record: RawValue, before: Decision, after: Decision)] = []

    enum CodingKeys: String, CodingKey {
        case baseline, candidate, evaluatedAt, referrals, rejected, outsideRange, changed, levelChanged, ratingChanged, routeChanged
        case levels, transitions, ratingChanges, routeChanges, workload, causes, changes
    }
}

/// Renders a dry-run report as text for a policy lead, JSON, or CSV of the changed referrals.
public enum DryRunOutput {
    public static func json(_ r: DryRunReport) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: (try? e.encode(r)) ?? Data(), as: UTF8.self) + "\n"
    }

    public static func csv(_ r: DryRunReport) -> String {
        func field(_ s: String?) -> String {
            guard let s else { return "" }
            return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var out = "id,received,level_before,level_after,rating_before,rating_after,route_before,route_after,rules_added,rules_removed\n"
        for c in r.changes {
            out += [c.id, c.received, c.before.level, c.after.level, c.before.rating, c.after.rating, c.before.route, c.after.route,
                    c.rulesAdded.joined(separator: " "), c.rulesRemoved.joined(separator: " ")].map(field).joined(separator: ",") + "\n"
        }
        return out
    }

    public static func human(_ r: DryRunReport, examples: Int = 10) -> String {
        var out = "Dry run: \"\(r.baseline.name)\" \(r.baseline.version) → \"\(r.candidate.name)\" \(r.candidate.version), at \(r.evaluatedAt)\n"
        let pct = r.referrals == 0 ? 0 : Double(r.changed) * 100 / Double(r.referrals)
        out += String(format: "%d referrals: %d change (%.1f%%) — level %d, rating %d, route %d", r.referrals, r.changed, pct, r.levelChanged, r.ratingChanged, r.routeChanged)
        if r.rejected > 0 { out += "; \(r.rejected) rejected" }
        if r.outsideRange > 0 { out += "; \(r.outsideRange) left out by --from, --to or --where" }
        out += "\n\nLevel: baseline (rows) × candidate (columns)\n"
        let width = max(8, (r.levels.map(\.count).max() ?? 8) + 1)
        func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        out += pad("", width) + r.levels.map { pad($0, width) }.joined() + "\n"
        for (i, row) in r.transitions.enumerated() {
            out += pad(r.levels[i], width) + row.map { pad(String($0), width) }.joined() + "\n"
        }
        if !r.ratingChanges.isEmpty { out += "\nRating changes: " + r.ratingChanges.map { "\($0.change) \($0.referrals)" }.joined(separator: "; ") + "\n" }
        if !r.routeChanges.isEmpty { out += "Route changes: " + r.routeChanges.map { "\($0.change) \($0.referrals)" }.joined(separator: "; ") + "\n" }
        let w = r.workload
        out += String(format: "\nWorkload: red referrals %d → %d (%.1f → %.1f a week over %d weeks); received out of hours %.1f%% → %.1f%%\n",
                      w.redBefore, w.redAfter, w.redPerWeekBefore, w.redPerWeekAfter, w.weeks.count, w.redOutOfHoursPercentBefore, w.redOutOfHoursPercentAfter)
        if !r.causes.isEmpty {
            out += "\nRules behind the changes (referrals moved):\n"
            for c in r.causes.prefix(15) { out += "  \(pad(String(c.referrals), 7))  \(c.rule)  \"\(c.title)\"\n" }
        }
        if !r.changes.isEmpty {
            out += "\nChanged referrals (\(min(examples, r.changes.count)) of \(r.changes.count); --format csv or json lists them all):\n"
            for c in r.changes.prefix(examples) {
                out += "\n\(c.id): \(c.before.level)/\(c.before.rating ?? "-")/\(c.before.route ?? "-") → \(c.after.level)/\(c.after.rating ?? "-")/\(c.after.route ?? "-")\n"
                out += "  before:\n" + c.explanationBefore.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n"
                out += "  after:\n" + c.explanationAfter.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n"
            }
        }
        return out
    }
}
