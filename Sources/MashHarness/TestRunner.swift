import Foundation
import Mash

/// The outcome of one case.
public struct CaseResult: Sendable {
    public let testCase: TestCase
    /// nil when the referral did not match the schema.
    public let decision: Decision?
    public let mismatches: [Mismatch]
    /// Why the case could not run (for example, a referral that does not match the schema).
    public let error: String?
    public var passed: Bool { error == nil && mismatches.isEmpty }
}

/// Everything `mash test` reports.
public struct TestReport: Sendable {
    public let results: [CaseResult]
    public let coverage: Coverage
    public var passed: Int { results.filter(\.passed).count }
    public var failed: Int { results.count - passed }
}

/// Runs test cases through the compiled program, the same one `mash eval` uses.
public enum TestRunner {
    public static func run(_ program: Program, cases: [TestCase], filter: String? = nil) -> TestReport {
        let evaluator = program.makeEvaluator()
        let decoder = RecordDecoder(schema: program.ruleSet.schema)
        var results: [CaseResult] = []
        for c in cases where filter.map({ c.name.localizedCaseInsensitiveContains($0) }) ?? true {
            switch decoder.decode(c.record, origin: c.location) {
            case .failure(let e):
                let problems = e.problems.map { "\($0.path.isEmpty ? "" : $0.path + ": ")\($0.message)" }.joined(separator: "; ")
                results.append(CaseResult(testCase: c, decision: nil, mismatches: [], error: "the referral does not match the schema: \(problems)"))
            case .success(let record):
                let decision = evaluator.evaluate(record, at: c.moment)
                results.append(CaseResult(testCase: c, decision: decision, mismatches: c.checks.flatMap { compare($0, decision) }, error: nil))
            }
        }
        return TestReport(results: results, coverage: Coverage(program.ruleSet, decisions: results.compactMap(\.decision)))
    }

    static func firedNames(_ d: Decision) -> [String] { d.fired.map { $0.rule + ($0.row.map { "#\($0)" } ?? "") } }

    static func show(_ s: String?) -> String { s ?? "none" }

    static func sameInstant(_ a: String?, _ b: String?) -> Bool {
        guard let a, let b else { return a == b }
        if let x = DateTime.parse(a), let y = DateTime.parse(b) { return x == y }
        return a == b
    }

    /// The differences between one expectation and the decision.
    public static func compare(_ check: Check, _ d: Decision) -> [Mismatch] {
        switch check {
        case .level(let l):
            return l == d.level.id || l == String(d.level.rank) ? [] : [Mismatch(field: "level", expected: l, actual: d.level.id)]
        case .rating(let r):
            return r == d.rating?.id ? [] : [Mismatch(field: "rating", expected: show(r), actual: show(d.rating?.id))]
        case .route(let r):
            return r == d.route?.id ? [] : [Mismatch(field: "route", expected: show(r), actual: show(d.route?.id))]
        case .deadline(let t):
            return sameInstant(t, d.rating?.deadline) ? [] : [Mismatch(field: "deadline", expected: show(t), actual: show(d.rating?.deadline))]
        case .fired(let names):
            let fired = firedNames(d)
            let missing = names.filter { n in !fired.contains(n) && !(n.contains("#") == false && fired.contains { $0.hasPrefix(n + "#") }) }
            return missing.map { Mismatch(field: "fired", expected: "\($0) fires", actual: fired.isEmpty ? "no rule fired" : "fired: \(fired.joined(separator: ", "))") }
        case .notFired(let names):
            let fired = firedNames(d)
            let unwanted = names.filter { n in fired.contains(n) || fired.contains { $0.hasPrefix(n + "#") } }
            return unwanted.map { Mismatch(field: "not_fired", expected: "\($0) does not fire", actual: "it fired") }
        case .problems(let list):
            return list == d.problems ? [] : [Mismatch(field: "problems", expected: list.joined(separator: "; "), actual: d.problems.joined(separator: "; "))]
        case .escalation(let path, let fields):
            let state = d.escalations.first { $0.path == path }
            guard let fields else {
                return state == nil ? [] : [Mismatch(field: "escalations.\(path)", expected: "not in the decision", actual: state!.status.rawValue)]
            }
            guard let state else { return [Mismatch(field: "escalations.\(path)", expected: "in the decision", actual: "not there")] }
            let actual: [String: String?] = [
                "status": state.status.rawValue, "stage": state.stage, "held_by": state.heldBy, "started": state.started,
                "stage_since": state.stageSince, "due": state.due, "overdue": state.overdue ? "true" : "false",
            ]
            return fields.sorted { $0.key < $1.key }.compactMap { key, expected in
                let got = actual[key] ?? nil
                let same = ["started", "stage_since", "due"].contains(key) ? sameInstant(expected == "null" ? nil : expected, got) : (got ?? "null") == expected
                return same ? nil : Mismatch(field: "escalations.\(path).\(key)", expected: expected, actual: got ?? "null")
            }
        case .disclosure(let request, let fields):
            guard let answer = d.disclosures.first(where: { $0.request == request }) else {
                return [Mismatch(field: "disclosures.\(request)", expected: "an answer", actual: "no such request in the referral")]
            }
            let actual: [String: String] = [
                "answer": answer.answer.rawValue, "form": answer.form ?? "null", "approval_by": answer.approvalBy ?? "null",
                "requires": answer.requires.joined(separator: "; "), "must_record": answer.mustRecord.joined(separator: "; "), "reason": answer.reason,
            ]
            return fields.sorted { $0.key < $1.key }.compactMap { key, expected in
                actual[key] == expected ? nil : Mismatch(field: "disclosures.\(request).\(key)", expected: expected, actual: actual[key] ?? "null")
            }
        }
    }
}
