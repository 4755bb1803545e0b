import Foundation
import Mash

/// Where the repository is, found from this file's own path.
public enum Repository {
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    public static func path(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }

    /// The `mash` executable beside the test bundle.
    public static var mashBinary: String {
        var url = Bundle.main.bundleURL
        while url.pathExtension == "xctest" || url.lastPathComponent.hasSuffix(".xctest") { url.deleteLastPathComponent() }
        let candidate = url.appendingPathComponent("mash").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        return path(".build/debug/mash")
    }
}

/// A rule set written to a fresh temporary folder, for tests that need files on disk.
public struct TemporaryRuleSet {
    public let folder: String

    public init(_ files: [String: String], name: String = "ruleset") throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("mash-test-\(UUID().uuidString)")
        folder = base.appendingPathComponent(name).path
        for (relative, text) in files {
            let path = (folder as NSString).appendingPathComponent(relative)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    /// The parent folder, so sibling rule sets (a base and a borough) can live side by side.
    public var parent: String { (folder as NSString).deletingLastPathComponent }

    public func load() -> LoadedRuleSet { RuleSetLoader.load(folder: folder) }

    /// Rendered diagnostics with this folder's path taken out, so expected texts are stable.
    public func rendered(_ loaded: LoadedRuleSet) -> String {
        loaded.renderer.human(loaded.diagnostics).replacingOccurrences(of: parent + "/", with: "")
    }

    public func remove() { try? FileManager.default.removeItem(atPath: parent) }
}

/// The program of a rule set made of `files`, written to a temporary folder that is removed again;
/// an error with the rendered diagnostics when it does not load.
public func testProgram(_ files: [String: String]) throws -> Program {
    let set = try TemporaryRuleSet(files)
    defer { set.remove() }
    let loaded = set.load()
    guard let program = loaded.program else { throw RuleSetDidNotLoad(description: set.rendered(loaded)) }
    return program
}

public struct RuleSetDidNotLoad: Error, CustomStringConvertible {
    public let description: String
}

/// A small schema for tests: a referral with a child, concerns, dates and an enumeration.
public let testSchema = """
record: referral
id: id
fields:
  id: string
  received: date-time
  dash_risk: {enum: [standard, medium, high], optional: true}
  child:
    fields:
      age: number?
      age_months: number?
      date_of_birth: date?
      mobile: boolean?
  concerns:
    list:
      fields:
        category: {enum: [neglect, physical_injury, domestic_abuse]}
        severity: {enum: [minor, significant], optional: true}
  tags: {list: string, optional: true}
"""

/// The header, levels, ratings and routes every small test rule set starts with.
public let testPreamble = """
ruleset "Test" version "1" authority "Test Council"
uses schema "schema.yaml"

calendar
  timezone "Europe/London"
  working days monday to friday
  working hours "09:00" to "17:00"

levels
  1 universal  "Universal"  rating green route signpost
  2 early_help "Early help" rating green route early_help
  3 cin        "Child in need" rating amber route s17
  4 protection "Child protection" rating red route strategy

ratings measured from received
  red   within 4 hours
  amber within 24 working hours
  green within 72 hours

routes
  signpost   "Signpost"
  early_help "Early help"
  s17        "Assessment"
  strategy   "Strategy discussion"

"""

public func decodedRecord(_ yaml: String, schema: Schema) -> DecodedRecord? {
    guard let doc = try? DocumentReader.yamlDocuments(yaml).first else { return nil }
    return try? RecordDecoder(schema: schema).decode(doc, origin: "test").get()
}

/// A test record: `id: X`, received 2026-03-02T09:00:00Z, then `fields` as YAML; nil when it does not decode.
public func testRecord(_ fields: String, schema: Schema) -> DecodedRecord? {
    decodedRecord("id: X\nreceived: \"2026-03-02T09:00:00Z\"\n" + fields, schema: schema)
}

/// When test records are decided: an hour after they are received.
public let testMoment = DateTime.parse("2026-03-02T10:00:00Z")!

/// A test schema: a referral with an id and a received time, then `fields` (YAML lines indented by two).
public func testSchema(fields: String) -> String {
    "record: referral\nid: id\nfields:\n  id: string\n  received: date-time\n" + fields
}

/// The `disclosure_requests` field a schema needs for disclosure policies, as `testSchema(fields:)` lines.
public let testRequestsField = [
    "  disclosure_requests:", "    optional: true", "    list:", "      fields:", "        id: string", "        agency: string",
    "        category: string", "        audience: string", "        purpose: string?",
].joined(separator: "\n") + "\n"

/// A role, an agency and an audience (`csc`) for small disclosure policies, after `testPreamble`.
public let testDisclosureNames = """
    roles
      manager "Team manager"
    agencies
      police "Police"
    audiences
      csc "Children's social care"

    """
