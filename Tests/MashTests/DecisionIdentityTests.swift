import Crypto
import Foundation
import Mash
import MashDryRun
import MashTestSupport
import Testing

/// Optimisations must not change a single decision. The decisions of the bundled referrals and of 10,000
/// seeded synthetic ones, through London, with and without explanations, are hashed and compared with the
/// digests committed in `london-decisions.sha256`, recorded from the straightforward evaluator before any
/// optimisation. A deliberate change to London's rules or to the decision format changes them: rerun with
/// `MASH_RECORD_DECISIONS=1` and say why in the commit.
@Suite struct DecisionIdentityTests {
    static let digestsPath = Repository.path("Tests/MashTests/london-decisions.sha256")

    static func digests() throws -> [String] {
        let loaded = RuleSetLoader.load(folder: Repository.path("rules/london"))
        let program = try #require(loaded.program)
        let reader = RecordReader(schema: program.ruleSet.schema)
        let moment = DateTime.parse("2026-03-04T12:00:00Z")!
        var records: [DecodedRecord] = []
        let (files, _) = RecordReader.files([Repository.path("rules/london/referrals")])
        for file in files.sorted() {
            reader.read(file: file) { if case .success(let r) = $0 { records.append(r) } }
        }
        var generator = ReferralGenerator(.init(count: 10_000, seed: 2026))
        var lines = Data()
        generator.generate { lines.append(contentsOf: ($0 + "\n").utf8) }
        reader.readLines(lines, origin: "generated") { if case .success(let r) = $0 { records.append(r) } }
        #expect(records.count == 10_025)
        return [true, false].map { explain in
            let evaluator = program.makeEvaluator()
            var hasher = SHA256()
            for record in records { hasher.update(data: Data((DecisionOutput.jsonLine(evaluator.evaluate(record, at: moment, explain: explain)) + "\n").utf8)) }
            return "\(explain ? "explained" : "plain") " + hasher.finalize().map { String(format: "%02x", $0) }.joined()
        }
    }

    @Test func decisionsAreByteForByteThoseOfTheReference() throws {
        let actual = try Self.digests()
        if ProcessInfo.processInfo.environment["MASH_RECORD_DECISIONS"] != nil {
            try (actual.joined(separator: "\n") + "\n").write(toFile: Self.digestsPath, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOfFile: Self.digestsPath, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(actual == committed)
    }
}
