import Foundation
import GRDB
import Mash
import MashSchema

extension ReferralStore {
    /// Logs decisions with the record each was made from and the sources of the rule set that made
    /// them, in one transaction.
    public func log(_ entries: [(record: RawValue, decision: Decision)], ruleSet: LoadedRuleSet) throws {
        guard let checked = ruleSet.checked else { return }
        let sources = Dictionary(ruleSet.sources.files.map { ($0.key, $0.value.text) }, uniquingKeysWith: { a, _ in a })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let sourcesJSON = String(decoding: try encoder.encode(sources), as: UTF8.self)
        try db.write { db in
            try db.execute(sql: """
                INSERT INTO ruleset (hash, name, version, authority, folder, sources) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(hash) DO NOTHING
                """, arguments: [ruleSet.hash, checked.name, checked.version, checked.authority, ruleSet.folder, sourcesJSON])
            let statement = try db.makeStatement(sql: "INSERT INTO decision (referral_id, ruleset_hash, evaluated_at, record, decision) VALUES (?, ?, ?, ?, ?)")
            for entry in entries {
                try statement.execute(arguments: [entry.decision.id, ruleSet.hash, entry.decision.evaluatedAt, entry.record.jsonText,
                                                  DecisionOutput.jsonLine(entry.decision)])
            }
        }
    }

    public struct LoggedDecision: Sendable {
        public let referralId: String
        public let rulesetHash: String
        public let evaluatedAt: String
        public let record: String
        public let decision: String
    }

    public func loggedDecisions(referral id: String) throws -> [LoggedDecision] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT referral_id, ruleset_hash, evaluated_at, record, decision FROM decision WHERE referral_id = ? ORDER BY id",
                             arguments: [id]).map {
                LoggedDecision(referralId: $0[0], rulesetHash: $0[1], evaluatedAt: $0[2], record: $0[3], decision: $0[4])
            }
        }
    }

    /// Makes a logged decision again from the log alone: the rule set's sources are written out as they
    /// were, loaded, and applied to the logged record at the logged moment. Returns the new decision's
    /// JSON line, which equals the logged one when nothing has been tampered with.
    public func reproduce(_ logged: LoggedDecision) throws -> String {
        guard let row = try db.read({ try Row.fetchOne($0, sql: "SELECT folder, sources FROM ruleset WHERE hash = ?", arguments: [logged.rulesetHash]) }) else {
            throw ReproduceFailure(description: "the log has no rule set \(logged.rulesetHash)")
        }
        let folder: String = row["folder"], sourcesJSON: String = row["sources"]
        let sources = try JSONDecoder().decode([String: String].self, from: Data(sourcesJSON.utf8))
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mash-replay-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        func place(_ path: String) -> String {
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            return root + URL(fileURLWithPath: absolute).standardizedFileURL.path
        }
        for (path, text) in sources {
            let target = place(path)
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: target, atomically: true, encoding: .utf8)
        }
        let loaded = RuleSetLoader.load(folder: place(folder))
        guard let program = loaded.program else { throw ReproduceFailure(description: "the logged rule set no longer loads") }
        guard loaded.hash == logged.rulesetHash else { throw ReproduceFailure(description: "the logged sources hash to \(loaded.hash), not \(logged.rulesetHash)") }
        guard let moment = DateTime.parse(logged.evaluatedAt) else { throw ReproduceFailure(description: "bad moment \(logged.evaluatedAt)") }
        let record = try RecordDecoder(schema: program.ruleSet.schema).decode(DocumentReader.json(Data(logged.record.utf8)), origin: "log").get()
        // The decision names its rule set by hash, so the replayed one must match byte for byte.
        return DecisionOutput.jsonLine(program.makeEvaluator().evaluate(record, at: moment))
    }

    public struct ReproduceFailure: Error, CustomStringConvertible {
        public let description: String
    }
}
