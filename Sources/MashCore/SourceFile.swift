/// A source text with a path, and the line index needed to turn byte offsets into line and column.
public struct SourceFile: Sendable, Hashable {
    public let path: String
    public let text: String
    /// UTF-8 byte offset of the first byte of every line.
    public let lineStarts: [Int]
    public let bytes: [UInt8]

    public init(path: String, text: String) {
        self.path = path
        self.text = text
        let bytes = Array(text.utf8)
        self.bytes = bytes
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        self.lineStarts = starts
    }

    /// 1-based line and column (column counted in characters, not bytes) of a byte offset.
    public func location(of offset: Int) -> SourceLocation {
        let clamped = max(0, min(offset, bytes.count))
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= clamped { lo = mid } else { hi = mid - 1 }
        }
        let start = lineStarts[lo]
        let column = String(decoding: bytes[start..<clamped], as: UTF8.self).count + 1
        return SourceLocation(line: lo + 1, column: column)
    }

    /// The text of a 1-based line, without its line break.
    public func line(_ number: Int) -> String {
        guard number >= 1, number <= lineStarts.count else { return "" }
        let start = lineStarts[number - 1]
        var end = number < lineStarts.count ? lineStarts[number] : bytes.count
        while end > start, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    public func text(of span: Span) -> String {
        let s = max(0, min(span.start, bytes.count)), e = max(s, min(span.end, bytes.count))
        return String(decoding: bytes[s..<e], as: UTF8.self)
    }
}

/// A 1-based line and column.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public init(line: Int, column: Int) { self.line = line; self.column = column }
    public var description: String { "\(line):\(column)" }
}

/// The files a run has read, by path, so diagnostics can be rendered with their source lines.
public struct SourceMap: Sendable {
    public private(set) var files: [String: SourceFile] = [:]
    public init(_ files: [SourceFile] = []) { for f in files { self.files[f.path] = f } }
    public mutating func add(_ file: SourceFile) { files[file.path] = file }
    public subscript(path: String) -> SourceFile? { files[path] }
}

extension SourceFile {
    /// Byte offset of a 1-based line and a 1-based column counted in Unicode scalars (as libyaml counts).
    public func offset(line: Int, column: Int) -> Int {
        guard line >= 1, line <= lineStarts.count else { return bytes.count }
        let start = lineStarts[line - 1]
        let end = line < lineStarts.count ? lineStarts[line] : bytes.count
        let lineText = String(decoding: bytes[start..<end], as: UTF8.self)
        var offset = start
        for (i, scalar) in lineText.unicodeScalars.enumerated() {
            if i >= column - 1 { break }
            offset += String(scalar).utf8.count
        }
        return offset
    }
}
