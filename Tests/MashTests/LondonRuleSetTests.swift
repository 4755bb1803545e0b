import Foundation
import Mash
import MashTestSupport
import Testing

/// The bundled London-model rule set against every bundled synthetic referral.
@Suite struct LondonRuleSetTests {
    static let loaded = RuleSetLoader.load(folder: Repository.path("rules/london"))
    static let moment = DateTime.parse("2026-03-04T12:00:00Z")!

    static func decisions() throws -> [String: Decision] {
        let program = try #require(loaded.program)
        let reader = RecordReader(schema: program.ruleSet.schema)
        let evaluator = program.makeEvaluator()
        var out: [String: Decision] = [:]
        let (files, _) = RecordReader.files([Repository.path("rules/london/referrals")])
        for file in files {
            reader.read(file: file) { result in
                if case .success(let record) = result { out[record.id] = evaluator.evaluate(record, at: moment) }
            }
        }
        return out
    }

    @Test func checksClean() {
        #expect(Self.loaded.diagnostics.isEmpty, "\(Self.loaded.renderer.human(Self.loaded.diagnostics))")
        #expect(Self.loaded.checked?.rules.count == 33)
        #expect(Self.loaded.checked?.tables.count == 3)
    }

    static let expected: [(String, String, String, String, String, [String])] = [
        ("R-2026-0001", "protection", "red", "strategy_discussion", "2026-03-02T13:15:00Z", ["bruising_non_mobile"]),
        ("R-2026-0002", "protection", "red", "immediate_protection", "2026-03-03T02:40:00Z", ["immediate_danger"]),
        ("R-2026-0003", "protection", "red", "strategy_discussion", "2026-03-03T12:05:00Z", ["domestic_abuse_risk#1"]),
        ("R-2026-0004", "child_in_need", "amber", "s17_assessment", "2026-03-05T13:20:00Z", ["domestic_abuse_risk#7"]),
        ("R-2026-0005", "early_help", "green", "early_help_assessment", "2026-03-06T11:00:00Z", ["domestic_abuse_risk#9"]),
        ("R-2026-0006", "protection", "red", "strategy_discussion", "2026-03-03T19:30:00Z", ["exploitation_high_risk", "missing_from_home#5"]),
        ("R-2026-0007", "protection", "amber", "strategy_discussion", "2026-03-05T10:00:00Z", ["missing_from_home#1"]),
        ("R-2026-0008", "early_help", "green", "early_help_assessment", "2026-03-06T09:45:00Z", ["missing_from_home#5"]),
        ("R-2026-0009", "child_in_need", "amber", "s17_assessment", "2026-03-05T11:30:00Z", ["neglect#2"]),
        ("R-2026-0010", "protection", "amber", "strategy_discussion", "2026-03-06T14:00:00Z", ["neglect#3"]),
        ("R-2026-0011", "protection", "red", "strategy_discussion", "2026-03-02T20:00:00Z", ["sexual_activity_under_thirteen", "pregnant_under_eighteen"]),
        ("R-2026-0012", "child_in_need", "amber", "s17_assessment", "2026-03-06T10:15:00Z", ["pregnant_under_eighteen"]),
        ("R-2026-0013", "protection", "red", "strategy_discussion", "2026-03-04T12:30:00Z", ["baby_exposed_to_daily_drug_use", "parental_substance_misuse"]),
        ("R-2026-0014", "child_in_need", "amber", "s17_assessment", "2026-03-05T12:00:00Z",
         ["toxic_trio", "parental_mental_health", "parental_substance_misuse", "domestic_abuse_risk#7"]),
        ("R-2026-0015", "early_help", "green", "early_help_assessment", "2026-03-06T13:00:00Z", ["young_carer"]),
        ("R-2026-0016", "child_in_need", "amber", "s17_assessment", "2026-03-05T15:10:00Z", ["homeless"]),
        ("R-2026-0017", "protection", "amber", "strategy_discussion", "2026-03-05T09:50:00Z", ["unborn_pre_birth_conference", "parental_substance_misuse"]),
        ("R-2026-0018", "child_in_need", "amber", "pass_to_allocated_worker", "2026-03-06T16:40:00Z", ["open_case", "emotional_abuse"]),
        ("R-2026-0019", "child_in_need", "amber", "s17_assessment", "2026-03-05T14:30:00Z", ["rereferral_within_twelve_months", "parental_mental_health"]),
        ("R-2026-0020", "universal", "blue", "nfa", "", ["no_safeguarding_concern"]),
        ("R-2026-0021", "early_help", "green", "early_help_assessment", "2026-03-06T09:05:00Z", ["poor_housing"]),
        ("R-2026-0022", "child_in_need", "amber", "s17_assessment", "2026-02-25T10:00:00Z", ["domestic_abuse_risk#7"]),
        ("R-2026-0023", "early_help", "green", "early_help_assessment", "2026-03-07T09:00:00Z", ["parental_mental_health"]),
        ("R-2026-0024", "universal", "blue", "signpost_universal", "", []),
        ("R-2026-0025", "protection", "red", "strategy_discussion", "2026-03-04T11:10:00Z", ["gangs_trafficking", "exploitation_vulnerable"]),
    ]

    @Test func decidesEveryBundledReferral() throws {
        let all = try Self.decisions()
        #expect(all.count == Self.expected.count)
        for (id, level, rating, route, deadline, fired) in Self.expected {
            let d = try #require(all[id], "no decision for \(id)")
            #expect(d.level.id == level, "\(id)")
            #expect(d.rating?.id == rating, "\(id)")
            #expect(d.route?.id == route, "\(id)")
            #expect((d.rating?.deadline ?? "") == deadline, "\(id)")
            #expect(d.fired.map { $0.rule + ($0.row.map { "#\($0)" } ?? "") } == fired, "\(id)")
        }
    }

    @Test func explainsWhyWithFacts() throws {
        let d = try #require(try Self.decisions()["R-2026-0001"])
        let firing = try #require(d.fired.first)
        #expect(firing.because == "Any bruise or mark on a pre-mobile baby (all babies under 6 months) is a child protection concern")
        #expect(firing.location == "injury.mash:8")
        #expect(firing.facts.map { "\($0.path) = \($0.value)" } == [
            "referral.concerns.category = [\"physical_injury\"]", "child.date_of_birth = 2025-11-01",
            "referral.received = 2026-03-02T09:15:00Z", "child.mobile = false",
        ])
    }

    @Test func tracksEscalationsAtTheMoment() throws {
        let all = try Self.decisions()
        let disagreement = try #require(all["R-2026-0022"]?.escalations.first { $0.path == "disagreement" })
        #expect(disagreement.status == .open)
        #expect(disagreement.stage == "first_line")
        #expect(disagreement.heldBy == "First-line manager (team manager, Detective Sergeant, named professional)")
        #expect(disagreement.due == "2026-03-04T11:00:00Z")
        #expect(disagreement.overdue)
        // No stage on record: the path follows its timetable, so after the team manager's two working
        // hours it has passed to the service manager.
        let strategy = try #require(all["R-2026-0001"]?.escalations.first)
        #expect(strategy.path == "strategy_discussion_overdue")
        #expect(strategy.started == "2026-03-03T09:15:00Z")
        #expect(strategy.stage == "service_manager")
        #expect(strategy.stageSince == "2026-03-03T11:15:00Z")
        #expect(strategy.due == nil)
        #expect(!strategy.overdue)
        let breach = try #require(all["R-2026-0025"]?.escalations.first { $0.path == "response_clock_breached" })
        #expect(breach.status == .open)
        #expect(breach.stage == "mash_manager")
        #expect(breach.due == "2026-03-04T13:10:00Z")
        #expect(!breach.overdue)
        let pending = try #require(all["R-2026-0013"]?.escalations.first { $0.path == "response_clock_breached" })
        #expect(pending.status == .pending)
        #expect(pending.started == "2026-03-04T12:30:00Z")
        // Decided within the clock: no breach path.
        #expect(all["R-2026-0003"]?.escalations.isEmpty == true)
    }

    @Test func answersDisclosureRequests() throws {
        let all = try Self.decisions()
        func answer(_ record: String, _ request: String) throws -> Decision.DisclosureAnswer {
            try #require(all[record]?.disclosures.first { $0.request == request })
        }
        let intelligence = try answer("R-2026-0001", "D-1")
        #expect(intelligence.answer == .needsApproval)
        #expect(intelligence.approvalBy == "MASH sergeant")
        #expect(intelligence.form == "sanitised")
        #expect(intelligence.requires == ["approval by the MASH sergeant", "a recorded rationale"])
        let source = try answer("R-2026-0001", "D-2")
        #expect(source.answer == .deny)
        #expect(source.reason == "Metropolitan Police Service never shares source_identity")
        #expect(try answer("R-2026-0003", "D-4").form == "flag")
        #expect(try answer("R-2026-0004", "D-5").answer == .permit)
        #expect(try answer("R-2026-0009", "D-6").requires == ["consent, or a recorded reason to share without it"])
        #expect(try answer("R-2026-0023", "D-9").answer == .needsConsent)
        let noRisk = try answer("R-2026-0020", "D-8")
        #expect(noRisk.answer == .deny)
        #expect(noRisk.mustRecord == ["the decision and the reason for it, whether or not the information is shared"])
    }

    /// Decision JSON is written by hand for speed; it must be exactly what `JSONEncoder` writes, for
    /// every bundled decision with and without facts, and for text that needs escaping (an id with a
    /// quote, a backslash, a newline, a control character, a slash, accents and an emoji). Text is
    /// tested for escapes eight bytes at a time, so each of these characters is also put at every
    /// place in a word, next to characters that need no escape (DEL, é).
    @Test(arguments: ["", "Q\"uote\\back\nline\u{7}/slash é 🐎"]
          + (0..<9).flatMap { pad in ["\"", "\\", "\u{1f}", "\n", "\u{7f}", "é"].map { String(repeating: "x", count: pad) + $0 + "-tail-of-id" } })
    func decisionJSONIsWhatTheEncoderWrites(_ idSuffix: String) throws {
        let program = try #require(Self.loaded.program)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let reader = RecordReader(schema: program.ruleSet.schema)
        var checked = 0
        for file in RecordReader.files([Repository.path("rules/london/referrals")]).files {
            reader.read(file: file, raw: { result in
                guard case .success(let (_, raw)) = result, case .map(var fields) = raw, case .string(let id)? = fields["id"] else { return }
                fields["id"] = .string(id + idSuffix)
                guard case .success(let record) = reader.decoder.decode(.map(fields), origin: file) else { return }
                for explain in [false, true] {
                    let decision = program.makeEvaluator().evaluate(record, at: Self.moment, explain: explain)
                    let expected = String(decoding: (try? encoder.encode(decision)) ?? Data(), as: UTF8.self)
                    #expect(DecisionOutput.jsonLine(decision) == expected, "\(file)")
                    var bytes: [UInt8] = []
                    DecisionOutput.appendJSONLine(decision, to: &bytes)
                    #expect(bytes == Array((expected + "\n").utf8))
                }
                checked += 1
            })
        }
        #expect(checked == 25)
    }

    @Test func decisionsAreByteForByteDeterministicAndNameTheRuleSet() throws {
        let first = try Self.decisions().values.sorted { $0.id < $1.id }.map(DecisionOutput.jsonLine)
        let again = RuleSetLoader.load(folder: Repository.path("rules/london"))
        #expect(again.hash == Self.loaded.hash)
        #expect(Self.loaded.hash.hasPrefix("sha256:") && Self.loaded.hash.count == 71)
        let second = try Self.decisions().values.sorted { $0.id < $1.id }.map(DecisionOutput.jsonLine)
        #expect(first == second)
        #expect(first[0].contains("\"hash\":\"\(Self.loaded.hash)\""))
        #expect(first[0].contains("\"version\":\"2026.1\""))
    }
}
