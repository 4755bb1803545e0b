import Foundation
import MashSchema

/// Reads referral records from files (`.yaml`, `.yml`, `.json`, `.jsonl`, `.ndjson`), folders of them, or
/// JSON Lines text, checking each against the schema. A bad record never stops the batch: it comes out as
/// a `RecordError` naming the record, where it came from, and the path of every bad field.
public struct RecordReader: Sendable {
    public let decoder: RecordDecoder

    public init(schema: Schema) { decoder = RecordDecoder(schema: schema) }

    public static let extensions: Set<String> = ["yaml", "yml", "json", "jsonl", "ndjson"]

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
        guard let data = FileManager.default.contents(atPath: path) else {
            body(.failure(RecordError(recordId: nil, origin: path, problems: [.init(path: "", message: "the file cannot be read")])))
            return
        }
        switch (path as NSString).pathExtension.lowercased() {
        case "jsonl", "ndjson": readLines(data, origin: path, body)
        case "json":
            do {
                let raw = try DocumentReader.json(data)
                if case .list(let items) = raw {
                    for (i, item) in items.enumerated() { body(decoder.decode(item, origin: "\(path)[\(i)]")) }
                } else {
                    body(decoder.decode(raw, origin: path))
                }
            } catch {
                body(.failure(RecordError(recordId: nil, origin: path, problems: [.init(path: "", message: "\(error)")])))
            }
        default:
            do {
                let docs = try DocumentReader.yamlDocuments(String(decoding: data, as: UTF8.self))
                var n = 0
                for doc in docs {
                    if case .list(let items) = doc {
                        for item in items { n += 1; body(decoder.decode(item, origin: "\(path)#\(n)")) }
                    } else {
                        n += 1
                        body(decoder.decode(doc, origin: docs.count == 1 ? path : "\(path)#\(n)"))
                    }
                }
            } catch {
                body(.failure(RecordError(recordId: nil, origin: path, problems: [.init(path: "", message: "\(error)")])))
            }
        }
    }

    /// JSON Lines: one record per line; blank lines are skipped; a bad line is one bad record.
    public func readLines(_ data: Data, origin: String, _ body: (Result<DecodedRecord, RecordError>) -> Void) {
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }) { continue }
            do {
                body(decoder.decode(try DocumentReader.json(Data(line)), origin: "\(origin):\(lineNumber)"))
            } catch {
                body(.failure(RecordError(recordId: nil, origin: "\(origin):\(lineNumber)", problems: [.init(path: "", message: "\(error)")])))
            }
        }
    }
}
