import Foundation
import Mash
import MashTestSupport
import Testing

/// A decision explained for a policy lead (`DecisionOutput.human`), pinned line by line for bundled
/// referrals that between them have every kind of line: a rule and a table row with their facts, an
/// open escalation with and without a time limit, an overdue one, one not started, and disclosures
/// needing approval, denied and permitted.
@Suite struct ExplanationTests {
    @Test func bundledReferralsAreExplainedLineByLine() throws {
        let loaded = RuleSetLoader.load(folder: Repository.path("rules/london"))
        let program = try #require(loaded.program)
        let hash = String(program.stamp.hash.prefix(19))
        let reader = RecordReader(schema: program.ruleSet.schema)
        var explained: [String: String] = [:]
        for file in RecordReader.files([Repository.path("rules/london/referrals")]).files {
            reader.read(file: file) { result in
                if case .success(let record) = result {
                    explained[record.id] = DecisionOutput.human(program.makeEvaluator().evaluate(record, at: DateTime.parse("2026-03-04T12:00:00Z")!))
                }
            }
        }
        #expect(explained.count == 25)
        #expect(explained["R-2026-0001"] == """
            R-2026-0001: level 4 protection (Acute: child protection (s47))
              rating:  red (Significant harm: act now, out of hours too), respond by 2026-03-02T13:15:00Z (4 hours)
              route:   strategy_discussion (Strategy discussion (Children Act 1989 s47))
              why:
                - rule bruising_non_mobile "Bruising or marks on a non-mobile baby" suggests level protection, rating red, route strategy_discussion
                  because: Any bruise or mark on a pre-mobile baby (all babies under 6 months) is a child protection concern
                  facts:   referral.concerns.category = ["physical_injury"]; child.date_of_birth = 2025-11-01; referral.received = 2026-03-02T09:15:00Z; child.mobile = false
                  source:  injury.mash:8
              escalation strategy_discussion_overdue (Level 4 without a strategy discussion in time): stage service_manager, held by Children's social care service manager, no time limit
              disclosure D-1: police intelligence to children_social_care for s47_enquiry: NEEDS APPROVAL by the MASH sergeant (sanitised)
                  reason:  share rule for intelligence with children_social_care for s47_enquiry and its condition holds
                  requires: approval by the MASH sergeant; a recorded rationale
                  record:  the decision and the reason for it, whether or not the information is shared; who approved the disclosure; the rationale for sharing
                  source:  disclosure.mash:18
              disclosure D-2: police source_identity to children_social_care for s47_enquiry: DENY
                  reason:  Metropolitan Police Service never shares source_identity
                  record:  the decision and the reason for it, whether or not the information is shared
                  source:  disclosure.mash:8
              decided by "London MASH thresholds" version 2026.1 (\(hash)…) at 2026-03-04T12:00:00Z

            """)
        #expect(explained["R-2026-0004"] == """
            R-2026-0004: level 3 child_in_need (Complex needs: child in need (s17))
              rating:  amber (Complex needs: decide within a working day), respond by 2026-03-05T13:20:00Z (24 working hours)
              route:   s17_assessment (Child and family assessment (Children Act 1989 s17))
              why:
                - table domestic_abuse_risk row 7 "Domestic abuse by DASH risk and the child's presence" suggests level child_in_need, rating amber
                  because: Medium-risk domestic abuse: a history of abuse affects the child
                  facts:   referral.concerns.category = ["domestic_abuse"]; referral.dash_risk = "medium"; referral.dash_ticks = 9; referral.marac = null; referral.child_present = false
                  source:  domestic_abuse.mash:12
              escalation response_clock_breached (The rating's response clock ran out before a decision): starts at 2026-03-05T13:20:00Z if still needed
              disclosure D-5: education safeguarding_file to children_social_care: PERMIT (full)
                  reason:  share rule for safeguarding_file with children_social_care and its condition holds
                  requires: a recorded rationale
                  record:  the decision and the reason for it, whether or not the information is shared; the rationale for sharing
                  source:  disclosure.mash:48
              decided by "London MASH thresholds" version 2026.1 (\(hash)…) at 2026-03-04T12:00:00Z

            """)
        #expect(explained["R-2026-0022"] == """
            R-2026-0022: level 3 child_in_need (Complex needs: child in need (s17))
              rating:  amber (Complex needs: decide within a working day), respond by 2026-02-25T10:00:00Z (24 working hours)
              route:   s17_assessment (Child and family assessment (Children Act 1989 s17))
              why:
                - table domestic_abuse_risk row 7 "Domestic abuse by DASH risk and the child's presence" suggests level child_in_need, rating amber
                  because: Medium-risk domestic abuse: a history of abuse affects the child
                  facts:   referral.concerns.category = ["domestic_abuse"]; referral.dash_risk = "medium"; referral.dash_ticks = null; referral.marac = null; referral.child_present = null
                  source:  domestic_abuse.mash:12
              escalation disagreement (Resolving professional disagreement): stage first_line, held by First-line manager (team manager, Detective Sergeant, named professional), due 2026-03-04T11:00:00Z — OVERDUE
              decided by "London MASH thresholds" version 2026.1 (\(hash)…) at 2026-03-04T12:00:00Z

            """)
    }
}
