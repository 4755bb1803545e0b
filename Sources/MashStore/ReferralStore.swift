import Foundation
import GRDB
import Mash
import MashSchema

/// Referral histories and decision logs in one SQLite file (WAL mode).
///
/// Tables (see `migrator`):
/// - `referral(id PRIMARY KEY, received, document)`: one row per referral id, the record as JSON;
///   `received` (ISO 8601, UTC) is indexed, with `id`, for date ranges and for reading in order.
/// - `import_batch(id, source, stored, rejected, started_at)`: one row per import.
/// - `ruleset(hash PRIMARY KEY, name, version, authority, folder, sources)`: the sources of every rule
///   set a logged decision names, so a decision can be reproduced from the log alone.
/// - `decision(id, referral_id, ruleset_hash, evaluated_at, record, decision)`: the decision log.
///
/// Every import is one transaction: a crash or a kill leaves the store as it was before the batch.
/// Importing a referral id again replaces its row; it never duplicates it.
public final class ReferralStore {
    public let path: String
    let db: DatabasePool

    public init(path: String) throws {
        self.path = path
        db = try DatabasePool(path: path)
        try Self.migrator.migrate(db)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: referrals, imports, rule sets, decisions") { db in
            try db.execute(sql: """
                CREATE TABLE referral (
                    id TEXT PRIMARY KEY NOT NULL,
                    received TEXT,
                    document TEXT NOT NULL,
                    batch INTEGER
                );
                CREATE INDEX referral_received ON referral(received);
                CREATE TABLE import_batch (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    source TEXT NOT NULL,
                    stored INTEGER NOT NULL,
                    rejected INTEGER NOT NULL
                );
                CREATE TABLE ruleset (
                    hash TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    version TEXT NOT NULL,
                    authority TEXT NOT NULL,
                    folder TEXT NOT NULL,
                    sources TEXT NOT NULL
                );
                CREATE TABLE decision (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    referral_id TEXT NOT NULL,
                    ruleset_hash TEXT NOT NULL REFERENCES ruleset(hash),
                    evaluated_at TEXT NOT NULL,
                    record TEXT NOT NULL,
                    decision TEXT NOT NULL
                );
                CREATE INDEX decision_referral ON decision(referral_id);
                """)
        }
        // Referrals are read oldest first, ties by id: with `received` alone indexed, SQLite sorted
        // each run of equal received times in a temporary B-tree, and a store without received times
        // (a batch imported without a clock start) was sorted whole, documents and all.
        m.registerMigration("v2: referrals indexed by received time and id") { db in
            try db.execute(sql: """
                CREATE INDEX referral_received_id ON referral(received, id);
                DROP INDEX referral_received;
                """)
        }
        return m
    }

    public struct ImportSummary: Sendable {
        /// Rows written (new or replaced).
        public let stored: Int
        /// Of those, ids the store did not have before.
        public let added: Int
        public let rejected: [MashSchema.RecordError]
    }

    /// Validates and stores records in one transaction. `received` gives each record's received time
    /// (the rule set's clock start) for date-range queries.
    public func importRecords(source: String, _ produce: ((Result<(DecodedRecord, RawValue), MashSchema.RecordError>) -> Void) -> Void,
                              received: @escaping (DecodedRecord) -> DateTime?) throws -> ImportSummary {
        var rejected: [MashSchema.RecordError] = []
        var stored = 0
        let before = try count()
        try db.write { db in
            try db.execute(sql: "INSERT INTO import_batch (source, stored, rejected) VALUES (?, 0, 0)", arguments: [source])
            let batch = db.lastInsertedRowID
            let statement = try db.makeStatement(sql: """
                INSERT INTO referral (id, received, document, batch) VALUES (?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET received = excluded.received, document = excluded.document, batch = excluded.batch
                """)
            var failure: Error?
            produce { result in
                guard failure == nil else { return }
                switch result {
                case .failure(let e): rejected.append(e)
                case .success(let (record, raw)):
                    let time = received(record).map { DateTime(seconds: $0.seconds, nanoseconds: $0.nanoseconds).description }
                    do {
                        try statement.execute(arguments: [record.id, time, raw.jsonText, batch])
                        stored += 1
                    } catch { failure = error }
                }
            }
            if let failure { throw failure }
            try db.execute(sql: "UPDATE import_batch SET stored = ?, rejected = ? WHERE id = ?", arguments: [stored, rejected.count, batch])
        }
        return ImportSummary(stored: stored, added: try count() - before, rejected: rejected)
    }

    public func count() throws -> Int {
        try db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM referral") ?? 0 }
    }

    /// Every referral document, oldest first, optionally received in [from, to) (UTC dates).
    public func forEachDocument(from: LocalDate? = nil, to: LocalDate? = nil, _ body: (String, String) -> Void) throws {
        let (sql, arguments) = Self.select("id, document", from: from, to: to)
        try db.read { db in
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try cursor.next() { body(row[0], row[1]) }
        }
    }

    /// The same documents in the same order, as the stored bytes (UTF-8 JSON), valid only during the
    /// call: nothing is copied into a `String` first. For reading a whole store, as a dry-run does.
    ///
    /// With `oldestFirst: false`, the documents come in the order the store keeps them, for a reader
    /// whose result does not depend on the order (a dry-run's report does not). Reading oldest first
    /// goes through the received-time index and fetches each row where the import put it: on a store
    /// of 1,000,000 referrals that was one `pread` per row, a sixth of a dry-run on one core, where
    /// the store's own order reads each page once.
    public func forEachDocumentBytes(from: LocalDate? = nil, to: LocalDate? = nil, oldestFirst: Bool = true,
                                     _ body: (UnsafeRawBufferPointer) -> Void) throws {
        let (sql, arguments) = Self.select("document", from: from, to: to, ordered: oldestFirst)
        try db.read { db in
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try cursor.next() {
                try row.withUnsafeData(atIndex: 0) { data in
                    (data ?? Data()).withUnsafeBytes(body)
                }
            }
        }
    }

    static func select(_ columns: String, from: LocalDate?, to: LocalDate?, ordered: Bool = true) -> (String, StatementArguments) {
        var sql = "SELECT \(columns) FROM referral"
        var conditions: [String] = [], arguments: [DatabaseValueConvertible] = []
        if let from { conditions.append("received >= ?"); arguments.append(from.description) }
        if let to { conditions.append("received < ?"); arguments.append(to.description) }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        if ordered { sql += " ORDER BY received, id" }
        return (sql, StatementArguments(arguments))
    }

    /// Reads the store's referrals back through the schema: each one decoded or rejected.
    public func forEachRecord(decoder: RecordDecoder, from: LocalDate? = nil, to: LocalDate? = nil,
                              _ body: (Result<DecodedRecord, MashSchema.RecordError>) -> Void) throws {
        try forEachDocument(from: from, to: to) { id, document in
            do {
                body(decoder.decode(try DocumentReader.json(Data(document.utf8)), origin: "\(path)#\(id)"))
            } catch {
                body(.failure(MashSchema.RecordError(recordId: id, origin: path, problems: [.init(path: "", message: "\(error)")])))
            }
        }
    }
}
