import Foundation
import MashChecker
import MashCore
import MashRuntime
import MashSchema
import MashSyntax

/// Finds the input combinations a decision table does not cover, the overlaps its hit policy does
/// not allow, and rows that can never be chosen.
///
/// Method: enumeration. Each input gets the values worth trying: every value of an enumeration, true
/// and false, for numbers each constant in the column and points just either side of it, for text each
/// constant and one other text, and always null. Every combination is tried against every row (at most
/// `maxCombinations`). Limits: only tables whose cells compare with constants are analysed; dates,
/// durations and lists as inputs are not; the table's `when` condition is not taken into account, so a
/// gap may lie outside the cases the table applies to.
public enum TableAnalysis {
    public static let maxCombinations = 200_000

    public struct Example: Sendable, Hashable {
        /// The input expression as written, for example `referral.dash_risk`.
        public let input: String
        public let value: Value
    }

    public enum Kind: Sendable, Hashable {
        case gap
        /// Rows that all match one input under `unique` (1-based).
        case overlap([Int])
        /// A row that can never be chosen under the table's hit policy (1-based).
        case unreachable(Int)
    }

    public struct Finding: Sendable, Hashable {
        public let kind: Kind
        public let example: [Example]
        /// How many of the combinations tried show the same finding.
        public let count: Int
    }

    public enum Outcome: Sendable {
        case analysed([Finding])
        case skipped(String)
    }

    public static func analyze(_ table: CheckedRuleSet.Table, ruleSet: CheckedRuleSet, sources: SourceMap) -> Outcome {
        for row in table.rows where !row.tests.allSatisfy(CellMatcher.isConstant) {
            return .skipped("row cells compare with values that are not constants")
        }
        var domains: [[Value]] = []
        for (i, input) in table.inputs.enumerated() {
            guard let d = domain(input.type, constants: table.rows.flatMap { i < $0.tests.count ? CellMatcher.constants($0.tests[i]) : [] }, ruleSet: ruleSet) else {
                return .skipped("input `\(sources[input.span.file]?.text(of: input.span) ?? "?")` is \(input.type), which is not analysed")
            }
            domains.append(d)
        }
        let total = domains.reduce(1) { $0 * $1.count }
        guard total <= maxCombinations else { return .skipped("\(total) input combinations is more than the \(maxCombinations) tried") }
        let matchers = table.rows.map { $0.tests.map(CellMatcher.init) }
        let names = table.inputs.map { sources[$0.span.file]?.text(of: $0.span) ?? "input" }

        var gaps = 0
        var gapExample: [Value]?
        var overlaps: [[Int]: (example: [Value], count: Int)] = [:]
        var overlapOrder: [[Int]] = []
        var chosen = Set<Int>()
        var index = [Int](repeating: 0, count: domains.count)
        for _ in 0..<total {
            let values = index.enumerated().map { domains[$0.offset][$0.element] }
            var matching: [Int] = []
            for (r, cells) in matchers.enumerated() where zip(cells, values).allSatisfy({ $0.matches($1) }) { matching.append(r) }
            if matching.isEmpty {
                gaps += 1
                if gapExample == nil { gapExample = values }
            } else {
                switch table.hit {
                case .first: chosen.insert(matching[0])
                case .priority:
                    let best = matching.max { a, b in
                        let la = table.rows[a].outcome.level ?? 0, lb = table.rows[b].outcome.level ?? 0
                        return la != lb ? la < lb : a > b
                    }
                    if let best { chosen.insert(best) }
                case .unique, .collectMax:
                    chosen.formUnion(matching)
                    if table.hit == .unique, matching.count > 1 {
                        let key = matching.map { $0 + 1 }
                        if let seen = overlaps[key] { overlaps[key] = (seen.example, seen.count + 1) } else {
                            overlaps[key] = (values, 1)
                            overlapOrder.append(key)
                        }
                    }
                }
            }
            // Next combination (odometer order: the last input changes fastest).
            var k = domains.count - 1
            while k >= 0 {
                index[k] += 1
                if index[k] < domains[k].count { break }
                index[k] = 0
                k -= 1
            }
        }
        func example(_ values: [Value]) -> [Example] { zip(names, values).map { Example(input: $0, value: $1) } }
        var findings: [Finding] = []
        if let gapExample { findings.append(Finding(kind: .gap, example: example(gapExample), count: gaps)) }
        for key in overlapOrder { findings.append(Finding(kind: .overlap(key), example: example(overlaps[key]!.example), count: overlaps[key]!.count)) }
        for r in table.rows.indices where !chosen.contains(r) { findings.append(Finding(kind: .unreachable(r + 1), example: [], count: 0)) }
        return .analysed(findings)
    }

    /// The values worth trying for one input; nil when the input's kind is not analysed.
    static func domain(_ type: MType, constants: [Value], ruleSet: CheckedRuleSet) -> [Value]? {
        var values: [Value]
        switch type {
        case .enumeration(let vs): values = vs.map(Value.string)
        case .boolean: values = [.boolean(true), .boolean(false)]
        case .number:
            var points: [Decimal] = []
            for case .number(let c) in constants { points += [c - 1, c - Decimal(string: "0.5")!, c, c + Decimal(string: "0.5")!, c + 1] }
            if points.isEmpty { points = [0] }
            values = Array(Set(points)).sorted().map(Value.number)
        case .string:
            var texts = constants.compactMap { if case .string(let s) = $0 { return s }; return nil }
            texts.append("any other text")
            values = Array(Set(texts)).sorted().map(Value.string)
        case .level: values = ruleSet.levels.map { .number(Decimal($0.rank)) }
        case .rating: values = ruleSet.ratings.map { .string($0.id) }
        case .route: values = ruleSet.routes.map { .string($0.id) }
        default: return nil
        }
        return values + [.null]
    }
}
