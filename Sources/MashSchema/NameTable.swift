import Foundation

/// A fixed set of byte strings (a record's field names, an enumeration's values), found by their
/// bytes in a probe or two: a hash of the length and three bytes picks the place, and the bytes are
/// compared there. The direct decoder looked for a key by trying the names in order from the one
/// after the last found, which cost tens of comparisons for a record whose optional fields are
/// mostly left out, and for a category among nineteen.
final class NameTable: @unchecked Sendable {
    /// All the names' bytes, one after another.
    private let bytes: UnsafeMutablePointer<UInt8>
    /// Per place: the index of the name there plus one (0 for none), its start in `bytes` and length.
    private let places: UnsafeMutablePointer<(index: Int32, start: Int32, length: Int32)>
    private let mask: Int
    /// Per index, where its name starts in `bytes` and how long it is.
    private let starts: UnsafeMutablePointer<Int>
    private let lengths: UnsafeMutablePointer<Int>
    let count: Int

    /// `names` must differ from each other.
    init(_ names: [[UInt8]]) {
        count = names.count
        let total = names.reduce(0) { $0 + $1.count }
        bytes = .allocate(capacity: max(1, total))
        var size = 8
        while size < names.count * 4 { size *= 2 }
        mask = size - 1
        places = .allocate(capacity: size)
        places.initialize(repeating: (0, 0, 0), count: size)
        starts = .allocate(capacity: max(1, names.count))
        lengths = .allocate(capacity: max(1, names.count))
        var start = 0
        for (index, name) in names.enumerated() {
            (starts + index).initialize(to: start)
            (lengths + index).initialize(to: name.count)
            (bytes + start).initialize(from: name, count: name.count)
            var h = name.withUnsafeBufferPointer { NameTable.hash($0.baseAddress, $0.count) } & mask
            while places[h].index != 0 { h = (h + 1) & mask }
            places[h] = (Int32(index + 1), Int32(start), Int32(name.count))
            start += name.count
        }
    }

    deinit {
        bytes.deallocate()
        places.deallocate()
        starts.deallocate()
        lengths.deallocate()
    }

    @inline(__always) private static func hash(_ p: UnsafePointer<UInt8>?, _ n: Int) -> Int {
        guard let p, n > 0 else { return 0 }
        return (n &* 0x9E5) ^ (Int(p[0]) &* 0x3B) ^ (Int(p[n &- 1]) &* 0x1F1) ^ (Int(p[n >> 1]) &* 0x7)
    }

    /// Whether `n` bytes at `a` and `b` are the same. Names are short: up to 16 bytes are compared
    /// as two words that may overlap, here rather than through a call to `memcmp` (a call per key
    /// and per enumeration value was a few percent of decoding).
    @inline(__always) private static func same(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let x = UnsafeRawPointer(a), y = UnsafeRawPointer(b)
        if n >= 8 && n <= 16 {
            return x.loadUnaligned(as: UInt64.self) == y.loadUnaligned(as: UInt64.self)
                && x.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == y.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        }
        if n >= 4 && n < 8 {
            return x.loadUnaligned(as: UInt32.self) == y.loadUnaligned(as: UInt32.self)
                && x.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) == y.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
        }
        if n < 4 {
            for k in 0..<n where a[k] != b[k] { return false }
            return true
        }
        return memcmp(a, b, n) == 0
    }

    /// Whether the `count` bytes at `p` start with `"name":` for the name at `index`: its bytes between
    /// two quotes, nothing escaped, and the colon straight after (as compact JSON writes a key). Then
    /// `count` must be at least the name's length plus three.
    @inline(__always) func isKey(_ index: Int, at p: UnsafePointer<UInt8>, count: Int) -> Bool {
        let n = lengths[index]
        guard count >= n + 3, p[0] == UInt8(ascii: "\""), p[n + 1] == UInt8(ascii: "\""), p[n + 2] == UInt8(ascii: ":") else { return false }
        return n == 0 || NameTable.same(bytes + starts[index], p + 1, n)
    }

    /// The length of the name at `index`.
    @inline(__always) func length(_ index: Int) -> Int { lengths[index] }

    /// The index of the name with the bytes of `key`, or nil.
    @inline(__always) func index(of key: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = key.count
        var h = NameTable.hash(key.baseAddress, n) & mask
        while true {
            let place = places[h]
            if place.index == 0 { return nil }
            if Int(place.length) == n, n == 0 || NameTable.same(bytes + Int(place.start), key.baseAddress!, n) {
                return Int(place.index) - 1
            }
            h = (h + 1) & mask
        }
    }
}
