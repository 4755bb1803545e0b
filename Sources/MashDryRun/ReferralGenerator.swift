import Foundation
import Mash

/// Writes synthetic referral histories for the London-model schema (`rules/london/schema.yaml`),
/// following the national figures in DOMAIN.md: who refers (police about 28%, schools 21%), ages
/// (a quarter under 5, about 30% aged 10–15), the factors found at assessment with their
/// co-occurrence (domestic abuse, parental mental health and substance misuse together), DASH risk,
/// re-referrals within 12 months (about 22%), babies under 6 months, missing episodes, disclosure
/// requests, open disagreements, and received times across working hours, nights, weekends and bank
/// holidays. Every record is synthetic. The same seed gives the same output, byte for byte.
public struct ReferralGenerator {
    public struct Options: Sendable {
        public var count: Int
        public var seed: UInt64
        /// The first day referrals are received on.
        public var start: LocalDate
        /// How many days of history to spread them over.
        public var days: Int
        public init(count: Int, seed: UInt64, start: LocalDate = LocalDate(year: 2025, month: 3, day: 1)!, days: Int = 365) {
            self.count = count; self.seed = seed; self.start = start; self.days = days
        }
    }

    let options: Options
    var random: SeededRandom

    public init(_ options: Options) {
        self.options = options
        random = SeededRandom(seed: options.seed)
    }

    /// Calls `body` with one JSON Lines record (no trailing newline) at a time.
    public mutating func generate(_ body: (String) -> Void) {
        for i in 0..<options.count { body(record(i)) }
    }

    static let referrers: [(String, Double)] = [
        ("police", 28), ("school", 21), ("health", 15), ("public", 11), ("anonymous", 5), ("children_social_care", 5),
        ("housing", 4), ("probation", 3), ("other", 8),
    ]

    private mutating func received() -> Int64 {
        var day = options.start.epochDay + random.int(0...max(0, options.days - 1))
        // Hubs see far fewer contacts at weekends: most weekend draws move to a weekday.
        if LocalDate(epochDay: day).weekday >= 6, random.chance(0.75) { day -= LocalDate(epochDay: day).weekday - 5 + random.int(0...4) }
        // Most contacts arrive in working hours; some at night and at weekends, whatever the day.
        let minute: Int = random.pick([(0, 72.0), (1, 28.0)]) == 0 ? random.int(8 * 60...17 * 60 + 59) : random.int(0...24 * 60 - 1)
        return Int64(day) * 86400 + Int64(minute) * 60
    }

    private func iso(_ seconds: Int64) -> String { DateTime(seconds: seconds).description }
    private func isoDate(_ epochDay: Int) -> String { LocalDate(epochDay: epochDay).description }

    private mutating func record(_ i: Int) -> String {
        let r = received()
        let receivedDay = Int(r / 86400)
        var fields: [String] = ["\"id\":\"SYN-\(options.seed)-\(i)\""]

        // Child: age bands from the national figures; a few unborn babies.
        let unborn = random.chance(0.02)
        let ageDays: Int = unborn ? 0 : random.pick([
            (random.int(0...182), 4.0), (random.int(183...364), 5), (random.int(365...1825), 16),
            (random.int(1826...3650), 25), (random.int(3651...5840), 30), (random.int(5841...6569), 20),
        ])
        let ageYears = ageDays / 365
        var child: [String] = []
        if unborn { child.append("\"expected_delivery\":\"\(isoDate(receivedDay + random.int(30...200)))\"") } else {
            child.append("\"date_of_birth\":\"\(isoDate(receivedDay - ageDays))\"")
        }
        child.append("\"gender\":\"\(unborn ? "unknown" : random.chance(0.53) ? "male" : "female")\"")
        if !unborn, ageDays < 730 { child.append("\"mobile\":\(ageDays > 240 && random.chance(0.8))") }

        // Factors at assessment, with the "toxic trio" co-occurring.
        var concerns: [String] = []
        func concern(_ category: String, _ extra: String = "") { concerns.append("{\"category\":\"\(category)\"\(extra)}") }
        let domesticAbuse = random.chance(0.30)
        if domesticAbuse { concern("domestic_abuse") }
        if random.chance(domesticAbuse ? 0.45 : 0.22) { concern("parental_mental_health") }
        if random.chance(domesticAbuse ? 0.35 : 0.12) { concern("parental_substance_misuse") }
        if random.chance(0.15) { concern("emotional_abuse") }
        if random.chance(0.14) { concern("neglect", ",\"pattern\":\"\(random.pick([("emerging", 5.0), ("chronic", 4), ("long_term", 1)]))\"") }
        if random.chance(0.10) {
            let significant = random.chance(0.3)
            concern("physical_injury", ",\"severity\":\"\(significant ? "significant" : "minor")\",\"unexplained\":\(random.chance(0.3))"
                    + (ageYears >= 4 && random.chance(0.3) ? ",\"disclosed_by\":\"child\"" : ""))
        }
        if random.chance(0.06) { concern("sexual_abuse") }
        if ageYears >= 10, random.chance(0.10) { concern("self_harm") }
        if ageYears >= 10, random.chance(0.06) { concern(random.chance(0.6) ? "cse" : "cce", ",\"risk\":\"\(random.pick([("low", 4.0), ("medium", 4), ("high", 2)]))\"") }
        let missing = ageYears >= 10 && random.chance(0.05)
        if missing { concern("missing") }
        if ageYears >= 12, random.chance(0.02) { concern("gangs") }
        if random.chance(0.03) { concern("housing") }
        if ageYears >= 8, random.chance(0.02) { concern("young_carer") }
        if random.chance(0.004) { concern(random.pick([("fgm", 1.0), ("honour_based", 1), ("trafficking", 1), ("radicalisation", 2)])) }
        if concerns.isEmpty, random.chance(0.6) { concern(random.pick([("parental_mental_health", 3.0), ("emotional_abuse", 2), ("neglect", 2), ("housing", 1)])) }

        var referral: [String] = [
            "\"received\":\"\(iso(r))\"",
            "\"channel\":\"\(random.pick([("phone", 40.0), ("email", 20), ("portal", 25), ("police_notification", 12), ("in_person", 3)]))\"",
        ]
        let referrer = random.pick(Self.referrers)
        referral.append("\"referrer\":{\"agency\":\"\(referrer)\",\"professional\":\(!["public", "anonymous"].contains(referrer))}")
        referral.append("\"concerns\":[\(concerns.joined(separator: ","))]")
        if random.chance(0.01) { referral.append("\"immediate_danger\":true") }
        if domesticAbuse {
            let risk = random.pick([("standard", 55.0), ("medium", 30), ("high", 15)])
            let ticks = risk == "high" ? random.int(12...22) : risk == "medium" ? random.int(6...13) : random.int(0...7)
            referral.append("\"dash_risk\":\"\(risk)\",\"dash_ticks\":\(ticks),\"marac\":\(risk == "high" && random.chance(0.7)),\"child_present\":\(random.chance(0.4))")
            referral.append("\"police_callouts_12m\":\(random.pick([(0, 30.0), (1, 20), (2, 15), (3, 12), (4, 9), (5, 6), (6, 4), (8, 4)]))")
            if random.chance(0.04) { referral.append("\"victim_pregnant\":true") }
        }
        if unborn, random.chance(0.5) { referral.append("\"prebirth\":\"\(random.chance(0.7) ? "assessment" : "conference")\"") }
        // Most referrals are decided within their clock; some are late, a few not yet decided.
        if random.chance(0.97) { referral.append("\"decided_at\":\"\(iso(r + Int64(random.pick([(random.int(600...14400), 70.0), (random.int(14401...172800), 30)]))))\"") }
        fields.append("\"referral\":{\(referral.joined(separator: ","))}")

        if missing {
            child.append("\"missing_episodes_90d\":\(random.pick([(1, 55.0), (2, 25), (3, 12), (5, 8)])),\"longest_missing_hours\":\(random.int(2...48))")
            if random.chance(0.25) { child.append("\"exploitation_risk_while_missing\":true") }
        }
        if !unborn, ageYears >= 12, random.chance(0.01) { child.append("\"pregnant\":true") }
        if !unborn, ageYears >= 16, random.chance(0.02) { child.append("\"homeless\":true") }
        fields.append("\"child\":{\(child.joined(separator: ","))}")

        // Household: one or two parents; substance misuse and mental health as the concerns say.
        var household: [String] = []
        let substance = concerns.contains { $0.contains("parental_substance_misuse") }
        for parent in random.chance(0.6) ? ["mother", "father"] : ["mother"] {
            let misuse = substance && random.chance(0.5) ? random.pick([("occasional", 3.0), ("daily", 1)]) : "none"
            household.append("{\"relationship\":\"\(parent)\",\"parental_responsibility\":true,\"substance_misuse\":\"\(misuse)\"}")
        }
        fields.append("\"household\":[\(household.joined(separator: ","))]")

        // History: about 22% are re-referrals within 12 months.
        var previous: [String] = []
        if random.chance(0.22) { previous.append("\"\(isoDate(receivedDay - random.int(14...364)))\"") }
        if random.chance(0.15) { previous.append("\"\(isoDate(receivedDay - random.int(366...1500)))\"") }
        fields.append("\"history\":{\"previous_referrals\":[\(previous.joined(separator: ","))],\"open_case\":\(random.chance(0.08)),\"previous_cp_plan\":\(random.chance(0.05))}")

        if random.chance(0.02) {
            let raised = r + Int64(random.int(1...10)) * 86400
            fields.append("\"disagreement\":{\"raised\":\"\(iso(raised))\"}")
        }
        if random.chance(0.3) {
            let requests = [
                ("police", "intelligence", "children_social_care", "s47_enquiry"), ("police", "crime_reports", "mash_partners", "mash_assessment"),
                ("health", "health_records", "children_social_care", "s17_assessment"), ("education", "attendance", "early_help_service", "early_help"),
                ("children_social_care", "outcome", "referrer", "referrer_feedback"),
            ]
            let (agency, category, audience, purpose) = requests[random.int(0...requests.count - 1)]
            fields.append("\"disclosure_requests\":[{\"id\":\"D-\(i)\",\"agency\":\"\(agency)\",\"category\":\"\(category)\",\"audience\":\"\(audience)\",\"purpose\":\"\(purpose)\"}]")
        }
        return "{" + fields.joined(separator: ",") + "}"
    }
}
