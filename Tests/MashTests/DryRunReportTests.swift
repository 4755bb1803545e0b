import Foundation
import Mash
import MashDryRun
import MashTestSupport
import Testing

/// The HTML report as a browser renders it, and rule sets taken from a git revision.
@Suite struct DryRunReportTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    func report() throws -> DryRunReport {
        let baseline = try #require(RuleSetLoader.load(folder: Repository.path("rules/london")).program)
        let candidate = try #require(RuleSetLoader.load(folder: Repository.path("rules/london-candidate")).program)
        var generator = ReferralGenerator(.init(count: 1500, seed: 21))
        var lines: [String] = []
        generator.generate { lines.append($0) }
        var dryRun = DryRun(baseline: baseline, candidate: candidate, at: DateTime.parse("2026-03-04T12:00:00Z")!)
        RecordReader(schema: baseline.ruleSet.schema).readLines(Data(lines.joined(separator: "\n").utf8), origin: "generated") {
            if case .success(let r) = $0 { dryRun.add(r) }
        }
        return dryRun.report()
    }

    func attributes(_ name: String, in html: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: "\(name)=\"([^\"]*)\"")
        return pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)).map { String(html[Range($0.range(at: 1), in: html)!]) }
    }

    @Test(.enabled(if: chromium != nil, "needs Debian's chromium package; .ci/run installs it"))
    func htmlReportRendersInABrowserWithTheSameNumbersAsTheJSON() throws {
        let report = try report()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(DryRunOutput.json(report).utf8)) as? [String: Any])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mash-report-\(UUID().uuidString).html")
        try DryRunHTML.render(report).write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.chromium))
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", file.absoluteString]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let dom = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        // Both charts are there, with the same numbers as the JSON report.
        #expect(dom.contains("<svg id=\"transition-matrix\""))
        #expect(dom.contains("<svg id=\"weekly-red\""))
        let transitions = try #require(json["transitions"] as? [[Int]])
        #expect(attributes("data-count", in: dom).compactMap(Int.init) == transitions.flatMap { $0 })
        let weeks = try #require((json["workload"] as? [String: Any])?["weeks"] as? [[String: Any]])
        #expect(attributes("data-week", in: dom) == weeks.compactMap { $0["start"] as? String })
        #expect(attributes("data-before", in: dom).compactMap(Int.init) == weeks.compactMap { $0["red_before"] as? Int })
        #expect(attributes("data-after", in: dom).compactMap(Int.init) == weeks.compactMap { $0["red_after"] as? Int })
        #expect(attributes("data-series", in: dom) == ["before", "after"])
        #expect(dom.contains("id=\"changed\" data-value=\"\(json["changed"] as? Int ?? -1)\""))
        // Self-contained: nothing is fetched and nothing runs.
        #expect(!dom.contains("<script"))
        #expect(!dom.contains("http://") && !dom.contains("src=\"http"))
    }

    @Test func aBaselineCanBeTakenFromAGitRevision() throws {
        let repo = FileManager.default.temporaryDirectory.appendingPathComponent("mash-git-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: repo) }
        try FileManager.default.createDirectory(atPath: repo + "/rules", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Repository.path("grammar/examples/minimal"), toPath: repo + "/rules/minimal")
        func git(_ args: String...) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["git", "-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid"] + args
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "git \(args)")
        }
        try git("init", "-q")
        try git("add", "-A")
        try git("commit", "-qm", "v1")
        let file = repo + "/rules/minimal/ruleset.mash"
        try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "version \"2026.1\"", with: "version \"2026.2\"")
            .write(toFile: file, atomically: true, encoding: .utf8)
        try git("commit", "-qam", "v2")

        let spec = try #require(RuleSetRevision.split(repo + "/rules/minimal@HEAD~1"))
        let folder = try RuleSetRevision.materialize(folder: spec.folder, revision: spec.revision)
        #expect(RuleSetLoader.load(folder: folder).checked?.version == "2026.1")
        #expect(RuleSetLoader.load(folder: repo + "/rules/minimal").checked?.version == "2026.2")
        #expect(throws: RuleSetRevision.Failure.self) { try RuleSetRevision.materialize(folder: spec.folder, revision: "no-such-revision") }
        #expect(RuleSetRevision.split(Repository.path("rules/london")) == nil)
    }
}
