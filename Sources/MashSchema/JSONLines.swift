import Foundation

/// Walks the lines of a JSON Lines text without copying them.
public enum JSONLines {
    /// Calls `body` with each non-blank line (without its line break) and its 1-based line number.
    public static func forEachLine(in bytes: UnsafeBufferPointer<UInt8>, firstLine: Int = 1,
                                   _ body: (UnsafeBufferPointer<UInt8>, Int) -> Void) {
        var start = 0
        var line = firstLine
        let count = bytes.count
        while start < count {
            var end = start
            while end < count, bytes[end] != 0x0A { end += 1 }
            var last = end
            if last > start, bytes[last - 1] == 0x0D { last -= 1 }
            var blank = true
            for k in start..<last where bytes[k] != 0x20 && bytes[k] != 0x09 { blank = false; break }
            if !blank { body(UnsafeBufferPointer(rebasing: bytes[start..<last]), line) }
            line += 1
            start = end + 1
        }
    }

    /// Splits `bytes` into about `parts` ranges that each end at a line break, with the line number
    /// each range starts at.
    public static func chunks(of bytes: UnsafeBufferPointer<UInt8>, parts: Int) -> [(range: Range<Int>, firstLine: Int)] {
        guard bytes.count > 0, parts > 1 else { return [(0..<bytes.count, 1)] }
        var out: [(Range<Int>, Int)] = []
        var start = 0, line = 1
        let size = max(1, bytes.count / parts)
        while start < bytes.count {
            var end = min(bytes.count, start + size)
            while end < bytes.count, bytes[end - 1] != 0x0A { end += 1 }
            out.append((start..<end, line))
            for k in start..<end where bytes[k] == 0x0A { line += 1 }
            start = end
        }
        return out
    }
}
