import Foundation
import Mash
import Yams

/// Reads the YAML test files of a rule set (`<ruleset>/tests/*.yaml`).
///
/// ```yaml
/// at: 2026-03-04T12:00:00Z                 # the evaluation moment for every case in the file
/// cases:
///   - name: bruising on a 4-month-old baby
///     referral: ../referrals/r01.yaml      # a file (relative to this one) or an inline mapping
///     set: {child.mobile: true}            # changes to the referral, by field path
///     expect:
///       level: protection
///       fired: [bruising_non_mobile]
/// tables:                                  # many near-identical cases in rows
///   - name: DASH risk matrix
///     referral: ../referrals/r03.yaml
///     columns: [referral.dash_risk, referral.child_present, level, rating]
///     rows:
///       - [high, true, protection, red]
/// ```
/// In a table, a column named like an expectation (`level`, `rating`, `route`, `deadline`, `fired`,
/// `not_fired`) is expected; any other column is a field path to set.
public struct TestSuiteLoader {
    public private(set) var diagnostics: [Diagnostic] = []
    public private(set) var sources = SourceMap()
    let ruleSet: CheckedRuleSet

    public init(ruleSet: CheckedRuleSet) { self.ruleSet = ruleSet }

    /// The test files of a rule-set folder, in name order.
    public static func files(in folder: String) -> [String] {
        let tests = (folder as NSString).appendingPathComponent("tests")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: tests)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { (tests as NSString).appendingPathComponent($0) }
    }

    public mutating func load(files: [String]) -> [TestCase] {
        var cases: [TestCase] = []
        for path in files { cases += load(file: path) }
        var seen: [String: String] = [:]
        for c in cases {
            if let first = seen[c.name] {
                diagnostics.append(Diagnostic(code: "duplicate-test-name", severity: .warning,
                                              message: "two cases are named \"\(c.name)\" (\(first) and \(c.location))", span: nil))
            }
            seen[c.name] = c.location
        }
        return cases
    }

    // MARK: - One file

    private struct FileContext {
        let file: SourceFile
        var moment: DateTime?
    }

    private mutating func error(_ code: String, _ message: String, _ node: Node?, in file: SourceFile, help: String? = nil) {
        var span: Span?
        if let mark = node?.mark {
            let start = file.offset(line: mark.line, column: mark.column)
            span = Span(file: file.path, start: start, end: start + max(1, node?.scalar?.string.utf8.count ?? 1))
        }
        diagnostics.append(Diagnostic(code: code, message: message, span: span ?? Span(file: file.path, start: 0, end: 0), help: help))
    }

    mutating func load(file path: String) -> [TestCase] {
        guard let data = FileManager.default.contents(atPath: path) else {
            diagnostics.append(Diagnostic(code: "test-file-unreadable", message: "cannot read \(path)", span: nil))
            return []
        }
        let file = SourceFile(path: path, text: String(decoding: data, as: UTF8.self))
        sources.add(file)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: file.text) else { return [] }
            root = node
        } catch let yaml as YamlError {
            let failure = DocumentReader.failure(yaml)
            let offset = failure.line.map { file.offset(line: $0, column: 1) } ?? 0
            diagnostics.append(Diagnostic(code: "test-file-invalid", message: failure.message, span: Span(file: file.path, start: offset, end: offset + 1),
                                          help: "a key with [ or ] in it needs quotes in YAML's {...} style: \"referral.concerns[0].category\": neglect"))
            return []
        } catch {
            self.error("test-file-invalid", "not valid YAML: \(error)", nil, in: file)
            return []
        }
        guard let top = root.mapping else {
            error("test-file-shape", "a test file is a mapping with `cases` and/or `tables`", root, in: file)
            return []
        }
        var context = FileContext(file: file)
        var cases: [TestCase] = []
        for (key, value) in top {
            switch key.string ?? "" {
            case "at":
                context.moment = moment(value, in: file)
            case "cases", "tables": break
            default:
                error("test-unknown-key", "unknown key `\(key.string ?? "?")` in a test file", key, in: file, help: "a test file has `at`, `cases` and `tables`")
            }
        }
        if let list = top["cases"] {
            for node in list.sequence ?? [] { if let c = testCase(node, context) { cases.append(c) } }
        }
        if let list = top["tables"] {
            for node in list.sequence ?? [] { cases += table(node, context) }
        }
        return cases
    }

    private mutating func moment(_ node: Node, in file: SourceFile) -> DateTime? {
        guard let text = node.string, let t = DateTime.parse(text) else {
            error("test-bad-moment", "`at` must be a date-time with an offset, like 2026-03-04T12:00:00Z", node, in: file)
            return nil
        }
        return t
    }

    /// The referral of a case: a file next to the test file, or an inline mapping, with `set` changes.
    private mutating func referral(_ node: Node?, set: Node?, extra: [(String, RawValue, Node)] = [], _ context: FileContext) -> RawValue? {
        guard let node else {
            error("test-missing-referral", "the case has no `referral`", nil, in: context.file, help: "add `referral: ../referrals/r01.yaml` or an inline mapping")
            return nil
        }
        var record: RawValue
        if let name = node.string, node.mapping == nil {
            let path = ((context.file.path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                error("test-missing-referral", "no referral file at \(path)", node, in: context.file)
                return nil
            }
            do {
                if path.hasSuffix(".json") {
                    record = try DocumentReader.json(data)
                } else {
                    guard let first = try DocumentReader.yamlDocuments(String(decoding: data, as: UTF8.self)).first else {
                        error("test-missing-referral", "\(path) is empty", node, in: context.file)
                        return nil
                    }
                    record = first
                }
            } catch {
                self.error("test-missing-referral", "\(path): \(error)", node, in: context.file)
                return nil
            }
        } else {
            record = DocumentReader.raw(node)
        }
        var changes: [(String, RawValue, Node)] = []
        for (k, v) in set?.mapping ?? [:] { changes.append((k.string ?? "", DocumentReader.raw(v), k)) }
        for (path, value, at) in changes + extra {
            guard let updated = RawPath.set(record, path: path, to: value) else {
                error("test-bad-path", "cannot set `\(path)`: the referral has no such place", at, in: context.file,
                      help: "write a field path like child.mobile or referral.concerns[0].category")
                continue
            }
            record = updated
        }
        return record
    }

    private mutating func testCase(_ node: Node, _ context: FileContext) -> TestCase? {
        guard let m = node.mapping else {
            error("test-file-shape", "a case is a mapping with `name`, `referral` and `expect`", node, in: context.file)
            return nil
        }
        for (k, _) in m where !["name", "referral", "set", "at", "expect"].contains(k.string ?? "") {
            error("test-unknown-key", "unknown key `\(k.string ?? "?")` in a case", k, in: context.file,
                  help: Suggestion.closest(to: k.string ?? "", among: ["name", "referral", "set", "at", "expect"]).map { "did you mean `\($0)`?" }
                    ?? "a case has name, referral, set, at and expect")
        }
        let name = m["name"]?.string ?? "case at line \(node.mark?.line ?? 0)"
        var moment = context.moment
        if let at = m["at"] { moment = self.moment(at, in: context.file) }
        guard let record = referral(m["referral"], set: m["set"], context) else { return nil }
        guard let moment else {
            error("test-bad-moment", "case \"\(name)\" has no evaluation moment", node, in: context.file, help: "add `at:` to the case or the file")
            return nil
        }
        var checks: [Check] = []
        if let expect = m["expect"] {
            guard let em = expect.mapping else {
                error("test-file-shape", "`expect` is a mapping of expectations", expect, in: context.file)
                return nil
            }
            for (k, v) in em { if let c = check(k, v, context) { checks.append(c) } }
            checks += nestedChecks(expect, context.file)
        }
        if checks.isEmpty {
            error("test-no-expectations", "case \"\(name)\" expects nothing, so it can never fail", node, in: context.file,
                  help: "add `expect:` with at least a level")
        }
        return TestCase(name: name, file: context.file.path, line: node.mark?.line ?? 0, record: record, moment: moment, checks: checks)
    }

    private mutating func table(_ node: Node, _ context: FileContext) -> [TestCase] {
        guard let m = node.mapping else { return [] }
        let name = m["name"]?.string ?? "table at line \(node.mark?.line ?? 0)"
        let columns = (m["columns"]?.sequence ?? []).map { $0.string ?? "" }
        var moment = context.moment
        if let at = m["at"] { moment = self.moment(at, in: context.file) }
        guard let moment else {
            error("test-bad-moment", "table \"\(name)\" has no evaluation moment", node, in: context.file)
            return []
        }
        let expectations: Set<String> = ["level", "rating", "route", "deadline", "fired", "not_fired"]
        var cases: [TestCase] = []
        for (n, row) in (m["rows"]?.sequence ?? []).enumerated() {
            let cells = row.sequence ?? []
            guard cells.count == columns.count else {
                error("test-row-width", "this row has \(cells.count) cells but the table has \(columns.count) columns", row, in: context.file)
                continue
            }
            var sets: [(String, RawValue, Node)] = []
            var checks: [Check] = []
            var labels: [String] = []
            for (column, cell) in zip(columns, cells) {
                if expectations.contains(column) {
                    if let c = check(Node(column), cell, context) { checks.append(c) }
                } else {
                    sets.append((column, DocumentReader.raw(cell), cell))
                    labels.append("\(column.split(separator: ".").last ?? "")=\(cell.string ?? "…")")
                }
            }
            guard let record = referral(m["referral"], set: m["set"], extra: sets, context) else { continue }
            cases.append(TestCase(name: "\(name) [row \(n + 1): \(labels.joined(separator: ", "))]", file: context.file.path,
                                  line: row.mark?.line ?? 0, record: record, moment: moment, checks: checks))
        }
        return cases
    }

    // MARK: - Expectations

    private func strings(_ node: Node) -> [String]? {
        if let list = node.sequence { return list.compactMap(\.string) }
        return node.string.map { [$0] }
    }

    /// The name a case expects, reported when the rule set declares no such level, rating or route.
    private mutating func name(_ value: Node, _ kind: String, _ declared: [String], _ file: SourceFile) -> String? {
        guard let v = value.string else { return nil }
        if !declared.contains(v) {
            error("test-unknown-name", "unknown \(kind) `\(v)`", value, in: file,
                  help: Suggestion.closest(to: v, among: declared).map { "did you mean `\($0)`?" })
        }
        return v
    }

    private mutating func check(_ key: Node, _ value: Node, _ context: FileContext) -> Check? {
        let file = context.file
        let isNull = value.scalar != nil && (value.string == "null" || value.string == "~" || value.string == "none")
        switch key.string ?? "" {
        case "level":
            guard let v = name(value, "level", ruleSet.levels.map(\.id) + ruleSet.levels.map { String($0.rank) }, file) else { return nil }
            return .level(v)
        case "rating":
            if isNull { return .rating(nil) }
            guard let v = name(value, "rating", ruleSet.ratings.map(\.id), file) else { return nil }
            return .rating(v)
        case "route":
            if isNull { return .route(nil) }
            guard let v = name(value, "route", ruleSet.routes.map(\.id), file) else { return nil }
            return .route(v)
        case "deadline":
            if isNull { return .deadline(nil) }
            guard let v = value.string, DateTime.parse(v) != nil else {
                error("test-bad-moment", "`deadline` must be a date-time with an offset", value, in: file)
                return nil
            }
            return .deadline(v)
        case "fired", "not_fired":
            let names = strings(value) ?? []
            let known = ruleSet.rules.map(\.id) + ruleSet.tables.flatMap { t in [t.id] + t.rows.indices.map { "\(t.id)#\($0 + 1)" } }
            for n in names where !known.contains(n) {
                error("test-unknown-name", "no rule or table row `\(n)`", value, in: file,
                      help: Suggestion.closest(to: n, among: known).map { "did you mean `\($0)`?" } ?? "write a rule name, or table#row")
            }
            return key.string == "fired" ? .fired(names) : .notFired(names)
        case "problems":
            return .problems(strings(value) ?? [])
        case "escalations", "disclosures":
            // Returned through the list below.
            return nil
        default:
            error("test-unknown-key", "unknown expectation `\(key.string ?? "?")`", key, in: file,
                  help: Suggestion.closest(to: key.string ?? "", among: ExpectationKeys.top).map { "did you mean `\($0)`?" }
                    ?? "expectations are: \(ExpectationKeys.top.joined(separator: ", "))")
            return nil
        }
    }
}

extension TestSuiteLoader {
    /// Escalation and disclosure expectations hold several checks each; `check` leaves them to this.
    mutating func nestedChecks(_ expect: Node, _ file: SourceFile) -> [Check] {
        var out: [Check] = []
        for (path, fields) in expect["escalations"]?.mapping ?? [:] {
            let id = path.string ?? ""
            if !ruleSet.escalations.contains(where: { $0.id == id }) {
                error("test-unknown-name", "no escalation path `\(id)`", path, in: file,
                      help: Suggestion.closest(to: id, among: ruleSet.escalations.map(\.id)).map { "did you mean `\($0)`?" })
            }
            if fields.string == "none" || fields.string == "null" {
                out.append(.escalation(path: id, fields: nil))
                continue
            }
            var map: [String: String] = [:]
            for (k, v) in fields.mapping ?? [:] {
                let name = k.string ?? ""
                if !ExpectationKeys.escalation.contains(name) {
                    error("test-unknown-key", "unknown escalation field `\(name)`", k, in: file,
                          help: "escalation fields are: \(ExpectationKeys.escalation.joined(separator: ", "))")
                }
                map[name] = v.string ?? "null"
            }
            out.append(.escalation(path: id, fields: map))
        }
        for (request, fields) in expect["disclosures"]?.mapping ?? [:] {
            var map: [String: String] = [:]
            for (k, v) in fields.mapping ?? [:] {
                let name = k.string ?? ""
                if !ExpectationKeys.disclosure.contains(name) {
                    error("test-unknown-key", "unknown disclosure field `\(name)`", k, in: file,
                          help: "disclosure fields are: \(ExpectationKeys.disclosure.joined(separator: ", "))")
                }
                map[name] = v.sequence.map { $0.compactMap(\.string).joined(separator: "; ") } ?? v.string ?? "null"
            }
            out.append(.disclosure(request: request.string ?? "", fields: map))
        }
        return out
    }
}

