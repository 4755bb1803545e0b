import Foundation
import Mash
import MashDryRun
@testable import MashStore
import GRDB
import MashTestSupport
import Testing

@Suite(.serialized) struct StoreTests {
    static let london = RuleSetLoader.load(folder: Repository.path("rules/london"))

    func temporaryStore() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mash-store-\(UUID().uuidString).sqlite").path
    }

    func remove(_ path: String) { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }

    func importLines(_ lines: [String], into store: ReferralStore) throws -> ReferralStore.ImportSummary {
        let program = try #require(Self.london.program)
        let reader = RecordReader(schema: program.ruleSet.schema)
        return try store.importRecords(source: "test", { emit in
            reader.readLines(Data(lines.joined(separator: "\n").utf8), origin: "test", raw: emit)
        }, received: { program.clockStart(of: $0) })
    }

    /// What `mash` with `arguments` writes to standard output; it must exit 0.
    func mash(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Repository.mashBinary)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(arguments)")
        return String(decoding: data, as: UTF8.self)
    }

    func generated(_ count: Int, seed: UInt64) -> [String] {
        var g = ReferralGenerator(.init(count: count, seed: seed))
        var lines: [String] = []
        g.generate { lines.append($0) }
        return lines
    }

    @Test func importsValidRecordsReportsBadOnesAndIsIdempotent() throws {
        let path = temporaryStore()
        defer { remove(path) }
        let store = try ReferralStore(path: path)
        var lines = generated(40, seed: 1)
        lines[7] = lines[7].replacingOccurrences(of: "\"open_case\":(true|false)", with: "\"open_case\":\"maybe\"", options: .regularExpression)
        let first = try importLines(lines, into: store)
        #expect(first.stored == 39)
        #expect(first.added == 39)
        #expect(first.rejected.map(\.recordId) == ["SYN-1-7"])
        #expect(first.rejected.first?.problems.map(\.path) == ["history.open_case"])
        let again = try importLines(lines, into: store)
        #expect(again.stored == 39)
        #expect(again.added == 0)
        #expect(try store.count() == 39)
        // Read back through the schema, oldest first, all of them.
        var ids: [String] = []
        try store.forEachRecord(decoder: RecordDecoder(schema: try #require(Self.london.program).ruleSet.schema)) {
            if case .success(let r) = $0 { ids.append(r.id) }
        }
        #expect(Set(ids).count == 39)
        // The bytes a dry-run reads are the same documents in the same order, with or without a range.
        var documents: [String] = [], bytes: [String] = []
        try store.forEachDocument { _, d in documents.append(d) }
        try store.forEachDocumentBytes { bytes.append(String(decoding: $0, as: UTF8.self)) }
        #expect(bytes.count == 39)
        #expect(bytes == documents)
        let from = try #require(LocalDate(year: 2025, month: 6, day: 1))
        documents = []; bytes = []
        try store.forEachDocument(from: from) { _, d in documents.append(d) }
        try store.forEachDocumentBytes(from: from) { bytes.append(String(decoding: $0, as: UTF8.self)) }
        #expect(bytes == documents)
    }

    @Test func referralsAreReadOldestFirstTiesByIdWithoutSortingThem() throws {
        let path = temporaryStore()
        defer { remove(path) }
        let store = try ReferralStore(path: path)
        let program = try #require(Self.london.program)
        let reader = RecordReader(schema: program.ruleSet.schema)
        // Every other referral received at the same moment, the rest with no received time: the
        // store gives those with none first, then the others, each run in id order.
        let noon = try #require(DateTime.parse("2026-01-05T12:00:00Z"))
        func atNoon(_ id: String) -> Bool { (Int(id.split(separator: "-").last ?? "") ?? 0) % 2 == 0 }
        _ = try store.importRecords(source: "test", { emit in
            reader.readLines(Data(generated(12, seed: 4).joined(separator: "\n").utf8), origin: "test", raw: emit)
        }, received: { atNoon($0.id) ? noon : nil })
        var ids: [String] = []
        try store.forEachDocument { id, _ in ids.append(id) }
        let all = (0..<12).map { "SYN-4-\($0)" }
        #expect(ids == all.filter { !atNoon($0) }.sorted() + all.filter(atNoon).sorted())
        #expect(ids.prefix(3) == ["SYN-4-1", "SYN-4-11", "SYN-4-3"])
        // Read through the index in that order: no temporary B-tree sorts the documents.
        for (from, to) in [(nil, nil), (LocalDate(year: 2026, month: 1, day: 1), LocalDate(year: 2026, month: 2, day: 1))] {
            let (sql, arguments) = ReferralStore.select("document", from: from, to: to)
            let plan = try store.db.read { db in try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String } }
            #expect(plan.contains { $0.contains("USING INDEX referral_received_id") }, "\(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        }
    }

    @Test func aStoreMadeBeforeTheReceivedAndIdIndexGetsIt() throws {
        let path = temporaryStore()
        defer { remove(path) }
        _ = try importLines(generated(10, seed: 2), into: try ReferralStore(path: path))
        // Put the store back as the first version of the schema left it.
        try ReferralStore(path: path).db.write { db in
            try db.execute(sql: """
                DROP INDEX referral_received_id;
                CREATE INDEX referral_received ON referral(received);
                DELETE FROM grdb_migrations WHERE identifier LIKE 'v2:%';
                """)
        }
        let reopened = try ReferralStore(path: path)
        let indexes = try reopened.db.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'referral' AND sql IS NOT NULL ORDER BY name")
        }
        #expect(indexes == ["referral_received_id"])
        #expect(try reopened.count() == 10)
    }

    @Test func aDecisionCanBeReproducedFromTheLogAlone() throws {
        let path = temporaryStore()
        defer { remove(path) }
        let store = try ReferralStore(path: path)
        let program = try #require(Self.london.program)
        let reader = RecordReader(schema: program.ruleSet.schema)
        var entries: [(record: RawValue, decision: Decision)] = []
        reader.read(file: Repository.path("rules/london/referrals/r22-school-and-social-care-disagree-about-th.yaml"), raw: { result in
            if case .success(let (record, raw)) = result {
                entries.append((raw, program.makeEvaluator().evaluate(record, at: DateTime.parse("2026-03-04T12:00:00Z")!)))
            }
        })
        try store.log(entries, ruleSet: Self.london)
        let logged = try #require(try store.loggedDecisions(referral: "R-2026-0022").first)
        #expect(logged.rulesetHash == Self.london.hash)
        #expect(try store.reproduce(logged) == logged.decision)
        #expect(logged.decision.contains("\"stage\":\"first_line\""))
    }

    /// `mash dry-run --log` writes both decisions of every changed referral, each reproducible from
    /// the log alone; without `--log` the dry-run keeps no records for a log and reports the same.
    @Test func aDryRunLogsBothDecisionsOfEveryChangedReferral() throws {
        let path = temporaryStore()
        defer { remove(path) }
        let lines = FileManager.default.temporaryDirectory.appendingPathComponent("mash-lines-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: lines) }
        try generated(600, seed: 8).joined(separator: "\n").write(toFile: lines, atomically: true, encoding: .utf8)
        func dryRun(_ extra: [String]) throws -> String {
            try mash(["dry-run", "--baseline", Repository.path("rules/london"), "--candidate", Repository.path("rules/london-candidate"),
                      "--referrals", lines, "--at", "2026-03-04T12:00:00Z", "--format", "json"] + extra)
        }
        let logged = try dryRun(["--log", path])
        #expect(logged == (try dryRun([])))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(logged.utf8)) as? [String: Any])
        let changes = try #require(report["changes"] as? [[String: Any]])
        #expect(changes.count == report["changed"] as? Int)
        #expect(changes.count >= 3)
        let store = try ReferralStore(path: path)
        let baselineHash = Self.london.hash
        let candidateHash = RuleSetLoader.load(folder: Repository.path("rules/london-candidate")).hash
        for change in changes {
            let id = try #require(change["id"] as? String)
            let decisions = try store.loggedDecisions(referral: id)
            #expect(decisions.map(\.rulesetHash) == [baselineHash, candidateHash], "\(id)")
            let levels = [change["before"], change["after"]].map { ($0 as? [String: Any])?["level"] as? String }
            for (decision, level) in zip(decisions, levels) {
                #expect(decision.decision.contains("\"level\":\"\(level ?? "?")\""), "\(id)")
                #expect(try store.reproduce(decision) == decision.decision, "\(id)")
            }
        }
        #expect(try store.db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM decision") } == changes.count * 2)
        // The library's dry-run, told to keep nothing for a log, gives the same report and no records.
        let program = try #require(Self.london.program)
        let candidate = try #require(RuleSetLoader.load(folder: Repository.path("rules/london-candidate")).program)
        var runs: [DryRunReport] = []
        for keeps in [true, false] {
            var run = DryRun(baseline: program, candidate: candidate, at: try #require(DateTime.parse("2026-03-04T12:00:00Z")))
            run.keepsLoggable = keeps
            run.addLines(try Data(contentsOf: URL(fileURLWithPath: lines)), origin: "lines", decoder: RecordDecoder(schema: program.ruleSet.schema), workers: 2)
            runs.append(run.report())
        }
        #expect(Set(runs[0].loggable.map(\.before.id)) == Set(changes.compactMap { $0["id"] as? String }))
        #expect(runs[0].loggable.count == changes.count)
        #expect(runs[1].loggable.isEmpty)
        #expect(DryRunOutput.json(runs[1]) == DryRunOutput.json(runs[0]))
    }

    /// A dry-run reads a store in the order the store keeps it, not oldest first: the report is
    /// the same either way, and the same as for the lines the store was made from.
    @Test func aDryRunOverAStoreReportsTheSameInAnyReadingOrder() throws {
        let path = temporaryStore()
        defer { remove(path) }
        let lines = FileManager.default.temporaryDirectory.appendingPathComponent("mash-lines-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: lines) }
        let london = Repository.path("rules/london"), candidate = Repository.path("rules/london-candidate")
        _ = try mash(["generate", "--count", "800", "--seed", "9", "--store", path, "--ruleset", london])
        _ = try mash(["generate", "--count", "800", "--seed", "9", "--output", lines])
        func dryRun(_ referrals: String) throws -> String {
            try mash(["dry-run", "--baseline", london, "--candidate", candidate, "--referrals", referrals, "--at", "2026-03-04T12:00:00Z", "--format", "json"])
        }
        let fromStore = try dryRun(path)
        #expect(fromStore == (try dryRun(lines)))
        #expect(fromStore.contains("\"referrals\" : 800"))

        // The two orders differ (the generator's received times are not in order), hold the same
        // documents, and give the same report.
        let store = try ReferralStore(path: path)
        var stored: [String] = [], oldestFirst: [String] = []
        try store.forEachDocumentBytes(oldestFirst: false) { stored.append(String(decoding: $0, as: UTF8.self)) }
        try store.forEachDocumentBytes { oldestFirst.append(String(decoding: $0, as: UTF8.self)) }
        #expect(stored != oldestFirst)
        #expect(stored.sorted() == oldestFirst.sorted())
        #expect(stored.count == 800)
        let program = try #require(Self.london.program)
        let candidateProgram = try #require(RuleSetLoader.load(folder: candidate).program)
        var reports: [String] = []
        for order in [true, false] {
            var run = DryRun(baseline: program, candidate: candidateProgram, at: try #require(DateTime.parse("2026-03-04T12:00:00Z")))
            run.addDocumentBytes(origin: path, decoder: RecordDecoder(schema: program.ruleSet.schema), workers: 2, batchBytes: 50_000) { body in
                try? store.forEachDocumentBytes(oldestFirst: order, body)
            }
            reports.append(DryRunOutput.json(run.report()))
        }
        #expect(reports[0] == reports[1])
        #expect(reports[0] == fromStore)
    }

    @Test func aKilledImportLeavesTheStoreAsItWas() throws {
        let path = temporaryStore()
        defer { remove(path) }
        _ = try importLines(generated(10, seed: 2), into: try ReferralStore(path: path))
        let batch = FileManager.default.temporaryDirectory.appendingPathComponent("mash-batch-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: batch) }
        try generated(40_000, seed: 3).joined(separator: "\n").write(toFile: batch, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Repository.mashBinary)
        process.arguments = ["import", "--store", path, "--ruleset", Repository.path("rules/london"), batch]
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 1.5)
        #expect(process.isRunning, "the import finished before it could be killed; give it a larger batch")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(try ReferralStore(path: path).count() == 10)
    }
}
