import Foundation
import Mash

/// Renders a test report for people, for machines (JSON) and for CI systems (JUnit XML).
public enum TestReportRenderer {
    /// Failures in full (what differs, then the explanation of the actual decision), the coverage when
    /// asked for, and the closing line `N passed, N failed`.
    public static func human(_ report: TestReport, coverage: Bool) -> String {
        var out = ""
        for r in report.results where !r.passed {
            out += "FAIL \(r.testCase.location)  \(r.testCase.name)\n"
            if let error = r.error { out += "  error: \(error)\n" }
            for m in r.mismatches { out += "  \(m.field): expected \(m.expected), got \(m.actual)\n" }
            if let d = r.decision {
                out += "  the decision, and why:\n"
                out += DecisionOutput.human(d).split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n"
            }
            out += "\n"
        }
        if coverage { out += self.coverage(report.coverage) }
        out += "\(report.passed) passed, \(report.failed) failed\n"
        return out
    }

    public static func coverage(_ c: Coverage) -> String {
        let parts = Coverage.Kind.allCases.map { kind -> String in
            let (covered, total) = c.count(kind)
            return "\(kind.rawValue) \(covered)/\(total)"
        }
        var out = String(format: "coverage: %.1f%% (%d of %d) — ", c.percent, c.coveredCount, c.items.count) + parts.joined(separator: ", ") + "\n"
        let missing = c.items.filter { !$0.covered }
        if !missing.isEmpty {
            out += "not exercised by any case:\n"
            for item in missing { out += "  \(item.kind.rawValue.dropLast()) \(item.id)  (\(item.location))\n" }
        }
        return out
    }

    struct JSONReport: Encodable {
        struct Case: Encodable {
            struct Difference: Encodable { let field: String; let expected: String; let actual: String }
            let name: String
            let location: String
            let status: String
            let error: String?
            let differences: [Difference]
            let decision: Decision?
        }
        struct CoverageItem: Encodable { let kind: String; let id: String; let location: String; let covered: Bool }
        struct CoverageReport: Encodable { let percent: Double; let covered: Int; let total: Int; let items: [CoverageItem] }
        let passed: Int
        let failed: Int
        let cases: [Case]
        let coverage: CoverageReport
    }

    public static func json(_ report: TestReport) -> String {
        let cases = report.results.map { r in
            JSONReport.Case(name: r.testCase.name, location: r.testCase.location, status: r.passed ? "passed" : "failed", error: r.error,
                            differences: r.mismatches.map { .init(field: $0.field, expected: $0.expected, actual: $0.actual) },
                            decision: r.passed ? nil : r.decision)
        }
        let c = report.coverage
        let coverage = JSONReport.CoverageReport(percent: (c.percent * 10).rounded() / 10, covered: c.coveredCount, total: c.items.count,
                                                 items: c.items.map { .init(kind: $0.kind.rawValue, id: $0.id, location: $0.location, covered: $0.covered) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(JSONReport(passed: report.passed, failed: report.failed, cases: cases, coverage: coverage))) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// JUnit XML, one `<testsuite>` per test file, as CI systems read it.
    public static func junit(_ report: TestReport, name: String) -> String {
        var byFile: [(String, [CaseResult])] = []
        for r in report.results {
            if let i = byFile.firstIndex(where: { $0.0 == r.testCase.file }) { byFile[i].1.append(r) } else { byFile.append((r.testCase.file, [r])) }
        }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"\(escape(name))\" tests=\"\(report.results.count)\" failures=\"\(report.results.filter { !$0.passed && $0.error == nil }.count)\" errors=\"\(report.results.filter { $0.error != nil }.count)\">\n"
        for (file, results) in byFile {
            let failures = results.filter { !$0.passed && $0.error == nil }.count, errors = results.filter { $0.error != nil }.count
            out += "  <testsuite name=\"\(escape(file))\" tests=\"\(results.count)\" failures=\"\(failures)\" errors=\"\(errors)\">\n"
            for r in results {
                out += "    <testcase name=\"\(escape(r.testCase.name))\" classname=\"\(escape(file))\" file=\"\(escape(file))\" line=\"\(r.testCase.line)\" time=\"0\""
                if r.passed { out += "/>\n"; continue }
                out += ">\n"
                if let error = r.error {
                    out += "      <error message=\"\(escape(error))\"/>\n"
                } else {
                    let summary = r.mismatches.map { "\($0.field): expected \($0.expected), got \($0.actual)" }.joined(separator: "; ")
                    let body = r.decision.map(DecisionOutput.human) ?? ""
                    out += "      <failure message=\"\(escape(summary))\">\(escape(summary + "\n\n" + body))</failure>\n"
                }
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t", "\r": out.unicodeScalars.append(ch)
            default:
                // XML 1.0 allows no other control characters.
                if ch.value < 0x20 { continue }
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
