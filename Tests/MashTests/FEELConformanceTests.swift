import Foundation
import Mash
import MashTestSupport
import Testing

/// The DMN TCK's FEEL cases (shared/conformance/feel), each through the project's own parser,
/// checker and evaluator. The pass count may never drop below the floor committed beside this file;
/// the floor only rises. No case is special-cased.
@Suite struct FEELConformanceTests {
    static let casesPath = (Repository.root as NSString).appendingPathComponent("../shared/conformance/feel/cases.jsonl")
    static let floorPath = Repository.path("Tests/MashTests/feel-conformance-floor.txt")

    enum Outcome: Equatable { case passed, failed(String), unsupported(String) }

    /// A typed TCK value as a field type and a document value; nil when the language has no such type.
    static func typed(_ v: [String: Any]) -> (FieldType?, RawValue)? {
        switch v["t"] as? String {
        case "null": return (nil, .null)
        case "string": return (.string, .string(v["v"] as? String ?? ""))
        case "number": return (.number, .number(v["v"] as? String ?? "0"))
        case "boolean": return (.boolean, .boolean(v["v"] as? Bool ?? false))
        case "date": return (.date, .string(v["v"] as? String ?? ""))
        case "dateTime": return (.dateTime, .string(v["v"] as? String ?? ""))
        case "duration": return (.duration, .string(v["v"] as? String ?? ""))
        case "list":
            let items = (v["v"] as? [[String: Any]] ?? []).compactMap(typed)
            guard items.count == (v["v"] as? [Any] ?? []).count else { return nil }
            let element = items.compactMap(\.0).first ?? .string
            return (.list(element), .list(items.map(\.1)))
        default: return nil
        }
    }

    /// A run-time value back as a field type and document, to bind a required expression's result.
    static func bind(_ value: Value) -> (FieldType, RawValue)? {
        switch value {
        case .null: return (.string, .null)
        case .boolean(let b): return (.boolean, .boolean(b))
        case .number(let n): return (.number, .number("\(n)"))
        case .string(let s): return (.string, .string(s))
        case .date(let d): return (.date, .string(d.description))
        case .dateTime(let d): return (.dateTime, .string(d.description))
        case .dayTimeDuration(let s): return (.duration, .string(Durations.format(seconds: s)))
        case .yearMonthDuration(let m): return (.duration, .string(Durations.format(months: m)))
        case .list(let items):
            let bound = items.compactMap(bind)
            guard bound.count == items.count else { return nil }
            return (.list(bound.first?.0 ?? .string), .list(bound.map(\.1)))
        case .record, .time, .range: return nil
        }
    }

    /// FEEL converts a result to the decision's declared type: a singleton list to its item, an item to a
    /// list of one, and a value of another kind to null.
    static func coerce(_ value: Value, to type: String?) -> Value {
        guard let type, type != "Any" else { return value }
        if type.hasPrefix("list<") {
            let inner = String(type.dropFirst(5).dropLast())
            switch value {
            case .null: return .null
            case .list(let items):
                let converted = items.map { coerce($0, to: inner) }
                return zip(items, converted).contains { !$0.0.isNull && $0.1.isNull } ? .null : .list(converted)
            default:
                let item = coerce(value, to: inner)
                return item.isNull ? .null : .list([item])
            }
        }
        if case .list(let items) = value, items.count == 1 { return coerce(items[0], to: type) }
        switch (type, value) {
        case (_, .null), ("number", .number), ("string", .string), ("boolean", .boolean), ("date", .date), ("dateTime", .dateTime),
             ("time", .time), ("dayTimeDuration", .dayTimeDuration), ("yearMonthDuration", .yearMonthDuration):
            return value
        default: return .null
        }
    }

    static func matches(_ value: Value, _ expected: [String: Any]) -> Bool {
        switch (expected["t"] as? String, value) {
        case ("null", .null): return true
        case ("string", .string(let s)): return s == expected["v"] as? String
        case ("boolean", .boolean(let b)): return b == expected["v"] as? Bool
        case ("number", .number(let n)):
            guard let e = Decimal(string: expected["v"] as? String ?? "") else { return false }
            if n == e { return true }
            let diff = NSDecimalNumber(decimal: n - e).doubleValue, scale = max(abs(NSDecimalNumber(decimal: e).doubleValue), 1e-300)
            return abs(diff) / scale < 1e-8
        case ("date", .date(let d)): return d.description == expected["v"] as? String
        case ("time", .time(let t)): return TimeOfDay.parse(expected["v"] as? String ?? "").map { $0 == t && $0.zone == t.zone } ?? false
        case ("dateTime", .dateTime(let d)):
            guard let e = DateTime.parse(expected["v"] as? String ?? "", allowLocal: true) else { return false }
            return e == d && e.zone == d.zone
        case ("duration", .dayTimeDuration(let s)): return Durations.parse(expected["v"] as? String ?? "").flatMap(\.seconds) == s
        case ("duration", .yearMonthDuration(let m)): return Durations.parse(expected["v"] as? String ?? "").flatMap(\.months) == m
        case ("list", .list(let items)):
            let e = expected["v"] as? [[String: Any]] ?? []
            return e.count == items.count && zip(items, e).allSatisfy { matches($0, $1) }
        default: return false
        }
    }

    static func run(_ c: [String: Any]) -> Outcome {
        var fields: [RecordType.Field] = []
        var record: [String: RawValue] = [:]
        for (name, v) in c["inputs"] as? [String: [String: Any]] ?? [:] {
            if name.contains(" ") { return .unsupported("name with spaces") }
            guard let (type, raw) = typed(v) else { return .unsupported("input of type \(v["t"] ?? "?")") }
            fields.append(.init(name: name, type: type ?? .string, optional: true))
            record[name] = raw
        }
        func schema() -> Schema { Schema(root: RecordType(name: "inputs", fields: fields.sorted { $0.name < $1.name }), idPath: [], path: "") }
        for required in c["requires"] as? [[String: Any]] ?? [] {
            guard let name = required["name"] as? String, let text = required["expression"] as? String else { return .unsupported("requires") }
            if name.contains(" ") { return .unsupported("name with spaces") }
            let outcome = ExpressionRunner.evaluate(text, schema: schema(), record: .map(record))
            guard let value = outcome.value, let (type, raw) = bind(value) else { return .unsupported("required value") }
            fields.append(.init(name: name, type: type, optional: true))
            record[name] = raw
        }
        let text = c["expression"] as? String ?? ""
        let evaluated = ExpressionRunner.evaluate(text, schema: schema(), record: .map(record))
        let outcome = (value: evaluated.value.map { coerce($0, to: c["decision_type"] as? String) }, diagnostics: evaluated.diagnostics)
        let expected = c["expected"] as? [String: Any] ?? [:]
        if c["error"] as? Bool == true {
            if outcome.value == nil || outcome.value == .null { return .passed }
            return .failed("expected an error or null")
        }
        guard let value = outcome.value else {
            return .failed(outcome.diagnostics.first.map { "\($0.code)" } ?? "no value")
        }
        if matches(value, expected) { return .passed }
        if ProcessInfo.processInfo.environment["MASH_FEEL_VERBOSE"] != nil { print("WRONG \(c["id"] ?? ""): \(text) = \(ValueText.render(value)), expected \(expected)") }
        return .failed("wrong value")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: casesPath), "needs shared/conformance/feel beside the repository"))
    func tckCasesPassAtLeastTheFloor() throws {
        let text = try String(contentsOfFile: Self.casesPath, encoding: .utf8)
        var passed = 0, failed = 0, unsupported = 0
        var bySubset: [String: (Int, Int)] = [:]
        var reasons: [String: Int] = [:]
        var folders: [String: (Int, Int)] = [:]
        var features: [String: (Int, Int)] = [:]
        var byExpectation: [String: (Int, Int)] = [:]
        for line in text.split(separator: "\n") {
            guard let c = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            let outcome = Self.run(c)
            let subset = c["subset"] as? String ?? "?"
            let folder = (c["id"] as? String ?? "?").split(separator: "/").first.map(String.init) ?? "?"
            let ok = outcome == .passed
            if !ok, ProcessInfo.processInfo.environment["MASH_FEEL_VERBOSE"] != nil {
                print("CASE \(c["id"] ?? "") \(outcome) :: \(c["expression"] ?? "") => \(c["expected"] ?? "")")
            }
            bySubset[subset, default: (0, 0)].0 += ok ? 1 : 0
            bySubset[subset, default: (0, 0)].1 += 1
            folders[folder, default: (0, 0)].0 += ok ? 1 : 0
            folders[folder, default: (0, 0)].1 += 1
            for feature in c["features"] as? [String] ?? [] {
                features[feature, default: (0, 0)].0 += ok ? 1 : 0
                features[feature, default: (0, 0)].1 += 1
            }
            let expectation = c["error"] as? Bool == true ? "expected error" : "expected value"
            byExpectation[expectation, default: (0, 0)].0 += ok ? 1 : 0
            byExpectation[expectation, default: (0, 0)].1 += 1
            switch outcome {
            case .passed: passed += 1
            case .failed(let why): failed += 1; reasons["failed: \(why)", default: 0] += 1
            case .unsupported(let why): unsupported += 1; reasons["unsupported: \(why)", default: 0] += 1
            }
        }
        let total = passed + failed + unsupported
        print("FEEL conformance: \(passed) of \(total) passed, \(failed) failed, \(unsupported) unsupported; "
              + bySubset.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.0)/\($0.value.1)" }.joined(separator: ", "))
        func line(_ groups: [String: (Int, Int)]) -> String {
            groups.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.0)/\($0.value.1)" }.joined(separator: ", ")
        }
        print("  by expectation: " + line(byExpectation))
        print("  by feature: " + line(features))
        for (reason, n) in reasons.sorted(by: { $0.value > $1.value }).prefix(8) { print("  \(n) \(reason)") }
        for (folder, (ok, n)) in folders.sorted(by: { $0.value.1 - $0.value.0 > $1.value.1 - $1.value.0 }).prefix(8) { print("  \(folder): \(ok)/\(n)") }
        let floor = Int((try String(contentsOfFile: Self.floorPath, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(total == 2231)
        #expect(passed >= floor, "FEEL conformance fell from the floor of \(floor) to \(passed)")
    }
}
