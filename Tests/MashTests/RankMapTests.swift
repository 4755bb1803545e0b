@testable import MashRuntime
import Testing

/// Values by level rank are found by a linear search (or a dictionary past 16 ranks); either way, the
/// same as the dictionary they replace, keeping the first value given for a rank.
@Suite struct RankMapTests {
    @Test(arguments: [0, 1, 4, 16, 17, 40])
    func findsWhatADictionaryFinds(_ count: Int) {
        // Seeded ranks with repeats, negative and sparse ones.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(count + 1)
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33) % 50 - 10
        }
        let pairs = (0..<count).map { k in (next(), "value \(k)") }
        let expected = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
        let map = RankMap(pairs)
        for rank in -12...42 {
            #expect(map[rank] == expected[rank], "rank \(rank) of \(count)")
        }
        if let (rank, value) = pairs.first { #expect(map[rank] == value) }
    }
}
