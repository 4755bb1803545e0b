import Foundation
import Mash
import MashDryRun
import MashTestSupport
import Testing

@Suite struct DryRunTests {
    static let london = RuleSetLoader.load(folder: Repository.path("rules/london"))
    static let candidate = RuleSetLoader.load(folder: Repository.path("rules/london-candidate"))
    static let moment = DateTime.parse("2026-03-04T12:00:00Z")!

    func generate(count: Int, seed: UInt64) -> [String] {
        var generator = ReferralGenerator(.init(count: count, seed: seed))
        var lines: [String] = []
        generator.generate { lines.append($0) }
        return lines
    }

    func decode(_ lines: [String]) throws -> (records: [DecodedRecord], rejected: [RecordError]) {
        let program = try #require(Self.london.program)
        var records: [DecodedRecord] = [], rejected: [RecordError] = []
        RecordReader(schema: program.ruleSet.schema).readLines(Data(lines.joined(separator: "\n").utf8), origin: "generated") {
            switch $0 {
            case .success(let r): records.append(r)
            case .failure(let e): rejected.append(e)
            }
        }
        return (records, rejected)
    }

    @Test func generatorIsDeterministicAndFollowsTheSchema() throws {
        let a = generate(count: 300, seed: 5), b = generate(count: 300, seed: 5), c = generate(count: 300, seed: 6)
        #expect(a == b)
        #expect(a != c)
        let (records, rejected) = try decode(a)
        #expect(rejected.isEmpty, "\(rejected.prefix(3))")
        #expect(records.count == 300)
        #expect(records.first?.id == "SYN-5-0")
    }

    @Test func generatedHistoryLooksLikeTheNationalFigures() throws {
        let lines = generate(count: 4000, seed: 11)
        func share(_ needle: String) -> Double { Double(lines.filter { $0.contains(needle) }.count) / Double(lines.count) }
        #expect((0.25...0.31).contains(share("\"agency\":\"police\",\"professional\"")))
        #expect((0.26...0.34).contains(share("\"category\":\"domestic_abuse\"")))
        // About 22% have a referral in the 12 months before (plus some older ones).
        let (records, _) = try decode(lines)
        let program = try #require(Self.london.program)
        let evaluator = program.makeEvaluator()
        let rereferrals = records.filter { r in evaluator.evaluate(r, at: Self.moment, explain: false).fired.contains { $0.rule == "rereferral_within_twelve_months" } }
        #expect((0.17...0.24).contains(Double(rereferrals.count) / Double(records.count)))
    }

    @Test func pinsTheTransitionMatrixForAFixedSeedHistory() throws {
        let (records, _) = try decode(generate(count: 2000, seed: 3))
        var dryRun = DryRun(baseline: try #require(Self.london.program), candidate: try #require(Self.candidate.program), at: Self.moment)
        for r in records { dryRun.add(r) }
        let report = dryRun.report()
        #expect(report.referrals == 2000)
        #expect(report.levels == ["1 universal", "2 early_help", "3 child_in_need", "4 protection"])
        #expect(report.transitions == [[189, 0, 0, 0], [0, 418, 25, 0], [0, 0, 1018, 0], [0, 0, 0, 350]])
        #expect(report.changed == 25)
        #expect(report.ratingChanges.map { "\($0.change) \($0.referrals)" } == ["green → amber 25"])
        #expect(report.causes.map(\.rule) == ["repeat_police_callouts"])
        #expect(report.workload.redBefore == 248)
        #expect(report.workload.redAfter == 248)
        // Every changed referral carries both explanations, and the candidate's names the new rule.
        #expect(report.changes.allSatisfy { $0.explanationAfter.contains("rule repeat_police_callouts") && $0.rulesAdded == ["repeat_police_callouts"] })

        // The same matrix, counted the straightforward way.
        let b = try #require(Self.london.program).makeEvaluator(), c = try #require(Self.candidate.program).makeEvaluator()
        var counted = [[Int]](repeating: [0, 0, 0, 0], count: 4)
        for r in records { counted[b.evaluate(r, at: Self.moment).level.rank - 1][c.evaluate(r, at: Self.moment).level.rank - 1] += 1 }
        #expect(counted == report.transitions)

        let csv = DryRunOutput.csv(report).split(separator: "\n")
        #expect(csv.first == "id,received,level_before,level_after,rating_before,rating_after,route_before,route_after,rules_added,rules_removed")
        #expect(csv.count == 26)
        #expect(csv.dropFirst().allSatisfy { $0.contains(",early_help,child_in_need,green,amber,early_help_assessment,s17_assessment,repeat_police_callouts,") })
    }

    @Test func theReportDoesNotDependOnHowManyThreadsRanIt() throws {
        let program = try #require(Self.london.program), candidate = try #require(Self.candidate.program)
        var lines = generate(count: 1200, seed: 13)
        lines[5] = "{not json"
        let data = Data(lines.joined(separator: "\n").utf8)
        var outputs: [String] = []
        for workers in [1, 3] {
            var dryRun = DryRun(baseline: program, candidate: candidate, at: Self.moment)
            dryRun.addLines(data, origin: "h.jsonl", decoder: RecordDecoder(schema: program.ruleSet.schema), workers: workers)
            #expect(dryRun.rejectedRecords.map(\.origin) == ["h.jsonl:6"])
            outputs.append(DryRunOutput.json(dryRun.report()))
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0].contains("\"referrals\" : 1199"))
    }

    /// A rule the candidate renames and changes is a cause of some changes as the baseline names it
    /// (it no longer fires) and of others as the candidate does (it fires with another outcome): the
    /// report names it as the candidate does, whichever referral comes first.
    @Test func aRenamedRuleIsNamedTheSameWhateverTheOrderOfTheReferrals() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("mash-renamed-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Repository.path("rules/london"), toPath: base + "/london")
        let history = base + "/london/history.mash"
        let old = """
            rule open_case "The child's case is open to children's social care"
              when history.open_case = true
              then level child_in_need, route pass_to_allocated_worker
            """
        let text = try String(contentsOfFile: history, encoding: .utf8)
        #expect(text.contains(old))
        try text.replacingOccurrences(of: old, with: """
            rule open_case "An open case with a new concern"
              when history.open_case = true and count(referral.concerns) > 0
              then level protection, route pass_to_allocated_worker
            """).write(toFile: history, atomically: true, encoding: .utf8)
        let loaded = RuleSetLoader.load(folder: base + "/london")
        let program = try #require(Self.london.program), candidate = try #require(loaded.program, "\(loaded.renderer.human(loaded.diagnostics))")
        let lines = generate(count: 3000, seed: 17)
        func report(_ lines: [String]) -> DryRunReport {
            var dryRun = DryRun(baseline: program, candidate: candidate, at: Self.moment)
            dryRun.addLines(Data(lines.joined(separator: "\n").utf8), origin: "h.jsonl", decoder: RecordDecoder(schema: program.ruleSet.schema), workers: 1)
            return dryRun.report()
        }
        let changes = report(lines).changes
        let added = try #require(changes.first { $0.rulesAdded.contains("open_case") }?.id)
        let removed = try #require(changes.first { $0.rulesRemoved.contains("open_case") }?.id)
        // One order starts with a referral the rule is removed from, the other with one it is added to.
        func first(_ id: String) throws -> [String] {
            let k = try #require(lines.firstIndex { $0.contains("\"id\":\"\(id)\"") })
            return [lines[k]] + lines[..<k] + lines[(k + 1)...]
        }
        let reports = [report(try first(removed)), report(try first(added))]
        #expect(reports.map { r in r.causes.first { $0.rule == "open_case" }?.title } == ["An open case with a new concern", "An open case with a new concern"])
        #expect(DryRunOutput.json(reports[0]) == DryRunOutput.json(reports[1]))
    }

    /// A dry-run is a value: a copy counts on its own, so what is added to one is not in the other,
    /// and copies deciding on two threads at once give what each gives alone.
    @Test func aCopyOfADryRunCountsOnItsOwn() throws {
        let program = try #require(Self.london.program), candidate = try #require(Self.candidate.program)
        let (records, _) = try decode(generate(count: 1000, seed: 23))
        var first = DryRun(baseline: program, candidate: candidate, at: Self.moment)
        for r in records.prefix(500) { first.add(r) }
        var second = first
        for r in records.dropFirst(500) { second.add(r) }
        #expect(first.report().referrals == 500)
        #expect(second.report().referrals == 1000)
        var whole = DryRun(baseline: program, candidate: candidate, at: Self.moment)
        for r in records { whole.add(r) }
        #expect(DryRunOutput.json(second.report()) == DryRunOutput.json(whole.report()))

        // Two copies of one dry-run, each given half of the rest on a thread of its own.
        final class Results: @unchecked Sendable { var reports: [DryRunReport?] = [nil, nil] }
        let results = Results()
        nonisolated(unsafe) let start = first
        let halves = [Array(records[500..<750]), Array(records[750...])]
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            var copy = start
            for r in halves[k] { copy.add(r) }
            results.reports[k] = copy.report()
        }
        for k in 0..<2 {
            var alone = first
            for r in halves[k] { alone.add(r) }
            #expect(results.reports[k].map(DryRunOutput.json) == DryRunOutput.json(alone.report()))
        }
        #expect(first.report().referrals == 500)
    }

    /// Documents from a store come in batches, read while the previous batch is decided: the report
    /// is the one the same lines give read at once.
    @Test func documentsInOverlappingBatchesGiveTheSameReport() throws {
        let program = try #require(Self.london.program), candidate = try #require(Self.candidate.program)
        let lines = generate(count: 1200, seed: 21)
        let decoder = RecordDecoder(schema: program.ruleSet.schema)
        var whole = DryRun(baseline: program, candidate: candidate, at: Self.moment)
        whole.addLines(Data(lines.joined(separator: "\n").utf8), origin: "store", decoder: decoder, workers: 1)
        var batched = DryRun(baseline: program, candidate: candidate, at: Self.moment)
        batched.addDocuments(origin: "store", decoder: decoder, workers: 2, batchBytes: 20_000) { body in lines.forEach(body) }
        #expect(DryRunOutput.json(batched.report()) == DryRunOutput.json(whole.report()))
        #expect(batched.report().referrals == 1200)
    }

    /// A bad document in a later batch is named by its place among all the documents, and progress
    /// counts on across batches, as for the same lines read at once.
    @Test func batchesAreNumberedOnFromTheBatchBefore() throws {
        let program = try #require(Self.london.program), candidate = try #require(Self.candidate.program)
        var lines = generate(count: 1200, seed: 21)
        lines[999] = "{not json"
        let decoder = RecordDecoder(schema: program.ruleSet.schema)
        var whole = DryRun(baseline: program, candidate: candidate, at: Self.moment)
        whole.addLines(Data(lines.joined(separator: "\n").utf8), origin: "store", decoder: decoder, workers: 1)
        final class Seen: @unchecked Sendable { let lock = NSLock(); var counts: [Int] = [] }
        let seen = Seen()
        var batched = DryRun(baseline: program, candidate: candidate, at: Self.moment)
        batched.addDocuments(origin: "store", decoder: decoder, workers: 2, batchBytes: 20_000,
                             progress: { n in seen.lock.lock(); seen.counts.append(n); seen.lock.unlock() }) { body in lines.forEach(body) }
        #expect(whole.rejectedRecords.map(\.origin) == ["store:1000"])
        #expect(batched.rejectedRecords.map(\.origin) == ["store:1000"])
        #expect(seen.counts.max() == 1200)
        #expect(seen.counts.count > 16)
    }

    @Test func aBadRecordIsReportedAndTheOthersCompared() throws {
        var lines = generate(count: 50, seed: 9)
        lines[10] = lines[10].replacingOccurrences(of: "\"gender\":\"", with: "\"gender\":\"x")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mash-dry-\(UUID().uuidString).jsonl").path
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Repository.mashBinary)
        process.arguments = ["dry-run", "--baseline", "rules/london", "--candidate", "rules/london-candidate", "--referrals", file,
                             "--at", "2026-03-04T12:00:00Z", "--format", "json"]
        process.currentDirectoryURL = URL(fileURLWithPath: Repository.root)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(String(decoding: e, as: UTF8.self).hasPrefix("error: record SYN-9-10 (\(file):11): child.gender:"))
        let report = try #require(try JSONSerialization.jsonObject(with: o) as? [String: Any])
        #expect(report["referrals"] as? Int == 49)
        #expect(report["rejected"] as? Int == 1)
    }
}

@Suite struct CSVAndFilterTests {
    static let london = RuleSetLoader.load(folder: Repository.path("rules/london"))

    @Test func csvRowsAreTypedByTheSchemaAndBadRowsNamed() throws {
        let program = try #require(Self.london.program)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mash-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try """
            id,referral.received,referral.channel,referral.referrer.agency,referral.referrer.professional,referral.concerns,child.date_of_birth,child.gender,household,history.previous_referrals,history.open_case,history.previous_cp_plan,referral.police_callouts_12m
            123,2026-03-02T09:00:00Z,phone,school,true,"[{""category"":""neglect"",""pattern"":""chronic""}]",2015-01-01,female,[],[],false,false,
            C-2,2026-03-02T10:00:00Z,phone,public,false,[],2015-01-01,boy,[],[],false,false,4
            """.write(toFile: file, atomically: true, encoding: .utf8)
        var ids: [String] = [], errors: [RecordError] = []
        var decisions: [Decision] = []
        RecordReader(schema: program.ruleSet.schema).read(file: file) {
            switch $0 {
            case .success(let r):
                ids.append(r.id)
                decisions.append(program.makeEvaluator().evaluate(r, at: DateTime.parse("2026-03-04T12:00:00Z")!))
            case .failure(let e): errors.append(e)
            }
        }
        // "123" stays text because the schema says the id is a string.
        #expect(ids == ["123"])
        #expect(decisions.first?.fired.map(\.rule) == ["neglect"])
        #expect(errors.map(\.origin) == ["\(file):3"])
        #expect(errors.first?.problems.map(\.path) == ["child.gender"])
    }

    @Test func whereConditionsAreCheckedAndFilter() throws {
        let program = try #require(Self.london.program)
        let schema = program.ruleSet.schema
        let (bad, diagnostics, _) = ExpressionRunner.compileCondition("referral.dash_risk = 3", schema: schema)
        #expect(bad == nil)
        #expect(diagnostics.map(\.code) == ["type-mismatch"])
        let (notBoolean, d2, _) = ExpressionRunner.compileCondition("referral.dash_ticks", schema: schema)
        #expect(notBoolean == nil)
        #expect(d2.first?.message == "the filter must be true or false, but it is a number")
        var generator = ReferralGenerator(.init(count: 400, seed: 4))
        var lines: [String] = []
        generator.generate { lines.append($0) }
        var dryRun = DryRun(baseline: program, candidate: program, at: DateTime.parse("2026-03-04T12:00:00Z")!)
        let filter = try #require(ExpressionRunner.compileCondition("\"domestic_abuse\" in referral.concerns.category", schema: schema).0)
        dryRun.filter = filter
        dryRun.addLines(Data(lines.joined(separator: "\n").utf8), origin: "g", decoder: RecordDecoder(schema: schema), workers: 2)
        let report = dryRun.report()
        let expected = lines.filter { $0.contains("\"category\":\"domestic_abuse\"") }.count
        #expect(report.referrals == expected)
        #expect(report.outsideRange == 400 - expected)
        #expect(report.changed == 0)
    }
}
