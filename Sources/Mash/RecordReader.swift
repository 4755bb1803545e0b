import Foundation
import MashSchema
import SwiftCSV

/// Reads referral records from files (`.yaml`, `.yml`, `.json`, `.jsonl`, `.ndjson`), folders of them, or
/// JSON Lines text, checking each against the schema. A bad record never stops the batch: it comes out as
/// a `RecordError` naming the record, where it came from, and the path of every bad field.
public struct RecordReader: Sendable {
    public let decoder: RecordDecoder
    /// Decodes well-formed JSON records straight from their bytes; the rest go through `decoder`.
    private let direct: DirectRecordDecoder

    public init(schema: Schema) { self.init(decoder: RecordDecoder(schema: schema)) }
    public init(decoder: RecordDecoder) {
        self.decoder = decoder
        direct = DirectRecordDecoder(schema: decoder.schema)
    }

    public static let extensions: Set<String> = ["yaml", "yml", "json", "jsonl", "ndjson", "csv"]

    /// Files under `paths`, folders expanded (sorted, not recursive into hidden folders).
    public static func files(_ paths: [String]) -> (files: [String], missing: [String]) {
        var files: [String] = [], missing: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else { missing.append(path); continue }
            if isDir.boolValue {
                let names = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).sorted()
                for name in names where !name.hasPrefix(".") && extensions.contains((name as NSString).pathExtension.lowercased()) {
                    files.append((path as NSString).appendingPathComponent(name))
                }
            } else {
                files.append(path)
            }
        }
        return (files, missing)
    }

    /// Calls `body` once per record in the file, in order.
    public func read(file path: String, _ body: (Result<DecodedRecord, RecordError>) -> Void) {
        if ["jsonl", "ndjson"].contains((path as NSString).pathExtension.lowercased()),
           let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) {
            return readLines(data, origin: path, body)
        }
        read(file: path, raw: { body($0.map(\.0)) })
    }

    /// Like `read(file:_:)`, with each record's document as read (to store it as it came).
    public func read(file path: String, raw body: (Result<(DecodedRecord, RawValue), RecordError>) -> Void) {
        func emit(_ raw: RawValue, _ origin: String) { body(decoder.decode(raw, origin: origin).map { ($0, raw) }) }
        func fail(_ origin: String, _ message: String) {
            body(.failure(RecordError(recordId: nil, origin: origin, problems: [.init(path: "", message: message)])))
        }
        guard let data = FileManager.default.contents(atPath: path) else { return fail(path, "the file cannot be read") }
        switch (path as NSString).pathExtension.lowercased() {
        case "jsonl", "ndjson": readLines(data, origin: path, raw: body)
        case "csv":
            do {
                let csv = try CSV<Enumerated>(string: String(decoding: data, as: UTF8.self), delimiter: .comma, loadColumns: false)
                for (n, row) in csv.rows.enumerated() { emit(csvRecord(header: csv.header, row: row), "\(path):\(n + 2)") }
            } catch { fail(path, "not valid CSV: \(error)") }
        case "json":
            do {
                let raw = try DocumentReader.json(data)
                if case .list(let items) = raw {
                    for (i, item) in items.enumerated() { emit(item, "\(path)[\(i)]") }
                } else {
                    emit(raw, path)
                }
            } catch { fail(path, "\(error)") }
        default:
            do {
                let docs = try DocumentReader.yamlDocuments(String(decoding: data, as: UTF8.self))
                var n = 0
                for doc in docs {
                    if case .list(let items) = doc {
                        for item in items { n += 1; emit(item, "\(path)#\(n)") }
                    } else {
                        n += 1
                        emit(doc, docs.count == 1 ? path : "\(path)#\(n)")
                    }
                }
            } catch { fail(path, "\(error)") }
        }
    }

    /// A CSV row as a document: each column header is a field path (`referral.received`,
    /// `child.date_of_birth`, `referral.concerns[0].category`); an empty cell leaves the field out; a
    /// cell is read as the type the schema gives that path (a list or record cell is JSON).
    public func csvRecord(header: [String], row: [String]) -> RawValue {
        var record = RawValue.map([:])
        for (column, cell) in zip(header, row) where !cell.isEmpty {
            let path = column.trimmingCharacters(in: .whitespaces)
            let value: RawValue
            switch decoder.schema.type(at: path) {
            case .number?: value = .number(cell.trimmingCharacters(in: .whitespaces))
            case .boolean?:
                switch cell.lowercased().trimmingCharacters(in: .whitespaces) {
                case "true": value = .boolean(true)
                case "false": value = .boolean(false)
                default: value = .string(cell)
                }
            case .list?, .record?: value = (try? JSONParser.parse(Data(cell.utf8))) ?? .string(cell)
            default: value = .string(cell)
            }
            if let updated = RawPath.set(record, path: path, to: value) { record = updated }
        }
        return record
    }

    /// JSON Lines: one record per line; blank lines are skipped; a bad line is one bad record.
    public func readLines(_ data: Data, origin: String, _ body: (Result<DecodedRecord, RecordError>) -> Void) {
        data.withUnsafeBytes { raw in
            let bytes = UnsafeBufferPointer(start: raw.bindMemory(to: UInt8.self).baseAddress, count: raw.count)
            readLines(bytes, origin: origin, firstLine: 1, body)
        }
    }

    /// JSON Lines from a byte range whose first line has number `firstLine`, without keeping each
    /// record's document: well-formed records are decoded straight from their bytes.
    public func readLines(_ bytes: UnsafeBufferPointer<UInt8>, origin: String, firstLine: Int,
                          _ body: (Result<DecodedRecord, RecordError>) -> Void) {
        // Each record is given back after `body`, and its arrays hold the next record's fields.
        let spare = RecordSpare()
        JSONLines.forEachLine(in: bytes, firstLine: firstLine) { line, number in
            if let record = direct.decode(line, reusing: spare) {
                // Moved into the result and back out of it: wrapped as a copy, the record's id and
                // fields were retained for `body` and released after it.
                let result = Result<DecodedRecord, RecordError>.success(consume record)
                body(result)
                if case .success(let kept) = consume result { direct.recycle(kept, into: spare) }
                return
            }
            body(general(line, origin: origin, number: number).map(\.0))
        }
    }

    /// A line through the JSON parser and the schema decoder, which say exactly what is wrong.
    private func general(_ line: UnsafeBufferPointer<UInt8>, origin: String, number: Int) -> Result<(DecodedRecord, RawValue), RecordError> {
        do {
            let raw = try JSONParser.parse(line)
            return decoder.decode(raw, origin: "\(origin):\(number)").map { ($0, raw) }
        } catch {
            return .failure(RecordError(recordId: nil, origin: "\(origin):\(number)", problems: [.init(path: "", message: "\(error)")]))
        }
    }

    public func readLines(_ data: Data, origin: String, raw body: (Result<(DecodedRecord, RawValue), RecordError>) -> Void) {
        data.withUnsafeBytes { raw in
            let bytes = UnsafeBufferPointer(start: raw.bindMemory(to: UInt8.self).baseAddress, count: raw.count)
            readLines(bytes, origin: origin, firstLine: 1, raw: body)
        }
    }

    /// JSON Lines from a byte range whose first line has number `firstLine`.
    public func readLines(_ bytes: UnsafeBufferPointer<UInt8>, origin: String, firstLine: Int,
                          raw body: (Result<(DecodedRecord, RawValue), RecordError>) -> Void) {
        JSONLines.forEachLine(in: bytes, firstLine: firstLine) { line, number in body(general(line, origin: origin, number: number)) }
    }
}
