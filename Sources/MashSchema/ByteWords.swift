/// Tests on eight bytes at a time, for scanning text that is mostly plain (Hacker's Delight, 6-1).
/// A word is read from memory in little-endian order, so its lowest byte is the first in memory.
/// Inlinable: the JSON writer in another module tests every text of a decision with these.
public enum ByteWords {
    /// The word at `offset`, its first byte lowest.
    @inlinable @inline(__always) public static func load(_ base: UnsafePointer<UInt8>, at offset: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(base).loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Non-zero when a byte of `w` is below `n` (at most 128). `(w - n·0x0101…) & ~w & 0x8080…`
    /// sets the high bit of the first such byte, maybe of later ones (a borrow), never of earlier
    /// ones; so its lowest set bit is the first such byte, and the test as a whole is exact.
    @inlinable @inline(__always) public static func below(_ w: UInt64, _ n: UInt8) -> UInt64 {
        (w &- 0x0101_0101_0101_0101 &* UInt64(n)) & ~w & 0x8080_8080_8080_8080
    }

    /// Non-zero when a byte of `w` equals `byte`, the lowest set bit at the first one: a byte equal
    /// to `byte` is zero in `w ^ byte·0x0101…`, that is, below 1.
    @inlinable @inline(__always) public static func equal(_ w: UInt64, _ byte: UInt8) -> UInt64 {
        below(w ^ (0x0101_0101_0101_0101 &* UInt64(byte)), 1)
    }

    /// The place in the word of the first byte a mask (from `below` or `equal`) marks.
    @inlinable @inline(__always) public static func first(_ mask: UInt64) -> Int { mask.trailingZeroBitCount / 8 }
}
