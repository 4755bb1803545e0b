/// Short ASCII text compared by its two words. Swift keeps a text of at most 15 bytes in the
/// string's own two words: its bytes, then its length and flags, among them whether every byte is
/// ASCII. Two such texts are equal exactly when their words are, and an ASCII text equals no text
/// with other bytes (canonical equivalence needs a code point beyond ASCII, which a text with the
/// ASCII flag has none of). Compared so, a mismatch costs two comparisons where Swift's equality
/// calls into its runtime, and a look-up in a `MemberSet` needs no copy of the text's bytes.
///
/// That representation is Swift's, not a promise of the language: `layoutKnown` checks it once on
/// texts Swift made, and where it does not hold, callers compare texts the ordinary way.
enum SmallText {
    /// Whether `words` finds short ASCII texts as Swift lays them out.
    static let layoutKnown: Bool = {
        guard MemoryLayout<String>.size == 16 else { return false }
        func made(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
        for text in ["", "a", "high", "neglect", "mash_assessment", "fifteen_bytes__"] {
            let s = made(Array(text.utf8))
            guard let w = unchecked(s) else { return false }
            // The bytes, in order from the first word's lowest byte, and the length in the top byte.
            var expected: (UInt64, UInt64) = (0, UInt64(0xE0 | text.utf8.count) << 56)
            for (i, byte) in text.utf8.enumerated() {
                if i < 8 { expected.0 |= UInt64(byte) << (8 * UInt64(i)) } else { expected.1 |= UInt64(byte) << (8 * UInt64(i - 8)) }
            }
            guard w == expected else { return false }
        }
        // Not ASCII, or too long: never read as short ASCII.
        for text in ["é", "caf\u{E9}", "\u{212A}", "a text of more than fifteen bytes"] where unchecked(made(Array(text.utf8))) != nil {
            return false
        }
        return true
    }()

    /// The two words of `s` when it is a short ASCII text (`known` being `layoutKnown`), else nil.
    @inline(__always) static func words(_ s: String, known: Bool) -> (UInt64, UInt64)? {
        known ? unchecked(s) : nil
    }

    @inline(__always) private static func unchecked(_ s: String) -> (UInt64, UInt64)? {
        let w = unsafeBitCast(s, to: (UInt64, UInt64).self)
        // The top byte: small (0x20), ASCII (0x40) and immortal (0x80) flags, then the length.
        return w.1 >> 60 == 0xE && (w.1 >> 56) & 0xF <= 15 ? w : nil
    }

    /// The length of a short ASCII text from its words.
    @inline(__always) static func length(_ w: (UInt64, UInt64)) -> Int { Int((w.1 >> 56) & 0xF) }
}
