import Foundation
import MashTestSupport
import Testing

/// The `mash` command as a user runs it: output and exit codes.
@Suite(.serialized) struct CLITests {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    func mash(_ arguments: [String], stdin: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Repository.mashBinary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: Repository.root)
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    @Test func checkIsCleanOnTheBundledRuleSet() throws {
        let run = try mash(["check", "rules/london"])
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("rules/london: ok — 33 rules, 3 tables (18 rows), 3 escalation paths, 4 disclosure policies;"))
    }

    @Test func checkFailsWithDiagnosticsOnABrokenRuleSet() throws {
        let set = try TemporaryRuleSet(["schema.yaml": testSchema, "rules.mash": testPreamble + "rule r \"R\"\n  when child.agee > 1\n  then level cin\n  because \"x\"\n"])
        defer { set.remove() }
        let human = try mash(["check", set.folder])
        #expect(human.status == 1)
        #expect(human.stdout.contains("error[unknown-field]: `child` has no field `agee`"))
        let json = try mash(["check", set.folder, "--format", "json"])
        #expect(json.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["errors"] as? Int == 1)
    }

    @Test func evalExplainsEachBundledReferral() throws {
        let run = try mash(["eval", "rules/london", "rules/london/referrals", "--at", "2026-03-04T12:00:00Z"])
        #expect(run.status == 0)
        #expect(run.stderr == "25 referrals decided, 0 rejected\n")
        #expect(run.stdout.contains("""
            R-2026-0002: level 4 protection (Acute: child protection (s47))
              rating:  red (Significant harm: act now, out of hours too), respond by 2026-03-03T02:40:00Z (4 hours)
              route:   immediate_protection (Immediate protection: police protection or emergency action)
              why:
                - rule immediate_danger "The child is in immediate danger" suggests level protection, rating red, route immediate_protection
                  because: A child in immediate danger needs emergency protection now, through Grip and Pace into response policing
                  facts:   referral.immediate_danger = true
                  source:  injury.mash:3
            """))
    }

    @Test func evalReadsJsonLinesAndReportsBadRecordsWithoutStopping() throws {
        let good = #"{"id":"A","referral":{"received":"2026-03-02T09:15:00Z","channel":"phone","referrer":{"agency":"public","professional":false},"concerns":[]},"child":{"gender":"male"},"household":[],"history":{"previous_referrals":[],"open_case":false,"previous_cp_plan":false}}"#
        let bad = good.replacingOccurrences(of: #""id":"A""#, with: #""id":"B""#).replacingOccurrences(of: #""gender":"male""#, with: #""gender":"boy""#)
        let run = try mash(["eval", "rules/london", "--at", "2026-03-04T12:00:00Z", "--format", "jsonl"], stdin: [good, bad, good.replacingOccurrences(of: #""id":"A""#, with: #""id":"C""#)].joined(separator: "\n"))
        #expect(run.status == 1)
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix(#"{"disclosures":[],"escalations":[],"evaluated_at":"2026-03-04T12:00:00Z","fired":[{"#))
        #expect(run.stderr == """
            error: record B (stdin:2): child.gender: "boy" is not one of female, male, other, unknown
            2 referrals decided, 1 rejected

            """)
    }

    @Test func evalNeedsAnEvaluationMomentWithAnOffset() throws {
        let run = try mash(["eval", "rules/london", "rules/london/referrals", "--at", "2026-03-04T12:00:00"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--at 2026-03-04T12:00:00 is not a date-time with an offset"))
    }

    /// A store or log that cannot be opened stops a dry-run (or an evaluation) before any work, with
    /// exit code 2 and the path named; a store that does not exist is never made.
    @Test func storesThatCannotBeOpenedStopTheRunAtOnce() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mash-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let notADatabase = folder + "/notes.sqlite"
        try "not a database".write(toFile: notADatabase, atomically: true, encoding: .utf8)
        let dryRun = ["dry-run", "--baseline", "rules/london", "--candidate", "rules/london-candidate", "--at", "2026-03-04T12:00:00Z"]

        let bad = try mash(dryRun + ["--referrals", notADatabase])
        #expect(bad.status == 2)
        #expect(bad.stdout.isEmpty)
        #expect(bad.stderr.hasPrefix("error: cannot open the store \(notADatabase): SQLite error 26: file is not a database"))

        let missing = try mash(dryRun + ["--referrals", folder + "/none.sqlite"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "error: no such file or folder: \(folder)/none.sqlite\n")
        #expect(!FileManager.default.fileExists(atPath: folder + "/none.sqlite"))

        let badLog = try mash(dryRun + ["--referrals", "rules/london/referrals", "--log", folder + "/no/such/folder/log.sqlite"])
        #expect(badLog.status == 2)
        #expect(badLog.stdout.isEmpty)
        #expect(badLog.stderr.hasPrefix("error: cannot open the log \(folder)/no/such/folder/log.sqlite: SQLite error 14"))

        let evalLog = try mash(["eval", "rules/london", "rules/london/referrals", "--at", "2026-03-04T12:00:00Z", "--log", notADatabase])
        #expect(evalLog.status == 2)
        #expect(evalLog.stdout.isEmpty)
        #expect(evalLog.stderr.hasPrefix("error: cannot open the log \(notADatabase): SQLite error 26"))

        let generate = try mash(["generate", "--count", "5", "--store", notADatabase, "--ruleset", "rules/london"])
        #expect(generate.status == 2)
        #expect(generate.stderr.hasPrefix("error: cannot open the store \(notADatabase): SQLite error 26: file is not a database"))
        #expect(try String(contentsOfFile: notADatabase, encoding: .utf8) == "not a database")
    }

    @Test func fmtCheckReportsUnformattedFiles() throws {
        let set = try TemporaryRuleSet(["a.mash": "let  x = 1\n", "b.mash": "let x = 1\n"])
        defer { set.remove() }
        let check = try mash(["fmt", "--check", set.folder])
        #expect(check.status == 1)
        #expect(check.stdout == "\(set.folder)/a.mash: not formatted\n")
        let write = try mash(["fmt", set.folder])
        #expect(write.status == 0)
        #expect(try String(contentsOfFile: set.folder + "/a.mash", encoding: .utf8) == "let x = 1\n")
        #expect(try mash(["fmt", "--check", set.folder]).status == 0)
        #expect(try mash(["fmt", "--check", "rules", "grammar"]).status == 0)
    }
}
