import MashSchema

/// A list's items or a record's fields, read where the array keeps them. Binding the array from
/// memory (`case .list(let items) = p.pointee`) copies its reference: a retain and a release for
/// each list and each item read, in the hottest loops of a decision. Here the value's payload is
/// read as the array's storage: where its count and its first element are.
///
/// That layout is Swift's, not a promise of the language; it is checked once against arrays Swift
/// made (`layoutKnown`), and where it does not hold, callers take the ordinary way. Only for values
/// whose owner (the frame's record) holds them while they are read.
enum ArrayInPlace {
    /// Whether `elements` reads arrays as Swift laid them out, checked on lists and records of
    /// several sizes, and an empty one.
    static let layoutKnown: Bool = {
        guard MemoryLayout<Value>.size >= MemoryLayout<UnsafeRawPointer>.size else { return false }
        func holds(_ value: Value, _ array: [Value]) -> Bool {
            withUnsafePointer(to: value) { p in
                let read = unchecked(p)
                return array.withUnsafeBufferPointer { $0.count == read.count && ($0.isEmpty || $0.baseAddress == read.baseAddress) }
            }
        }
        let items: [Value] = [.boolean(true), .string("a text longer than fifteen bytes"), .null]
        let fields: [Value] = [.number(12), .list(items), .record([]), .string("x")]
        let nulls = Value.nulls(7), empty: [Value] = []
        return holds(.list(items), items) && holds(.record(fields), fields) && holds(.record(nulls), nulls) && holds(.list(empty), empty)
            && holds(.record(empty), empty)
    }()

    /// The items of the list at `p`, or nil for any other value or when the layout is not known.
    /// `known` is `layoutKnown`, read once by the caller (reading a lazy global checks that it was
    /// made, a call each time).
    @inline(__always) static func items(_ p: UnsafePointer<Value>, known: Bool) -> UnsafeBufferPointer<Value>? {
        guard known, case .list = p.pointee else { return nil }
        return unchecked(p)
    }

    /// The fields of the record at `p`, or nil for any other value or when the layout is not known.
    @inline(__always) static func fields(_ p: UnsafePointer<Value>, known: Bool) -> UnsafeBufferPointer<Value>? {
        guard known, case .record = p.pointee else { return nil }
        return unchecked(p)
    }

    /// `body` over the items of the list at `p`: read in place where the layout is known, else bound
    /// as an array for the call. Nil, with nothing done, when the value is not a list.
    @inline(__always) static func withItems<R>(_ p: UnsafePointer<Value>, known: Bool, _ body: (UnsafeBufferPointer<Value>) -> R) -> R? {
        if let items = items(p, known: known) { return body(items) }
        guard case .list(let items) = p.pointee else { return nil }
        return items.withUnsafeBufferPointer(body)
    }

    /// `body` over the fields of the record at `p`, as `withItems` reads a list's items.
    @inline(__always) static func withFields<R>(_ p: UnsafePointer<Value>, known: Bool, _ body: (UnsafeBufferPointer<Value>) -> R) -> R? {
        if let fields = fields(p, known: known) { return body(fields) }
        guard case .record(let fields) = p.pointee else { return nil }
        return fields.withUnsafeBufferPointer(body)
    }

    @inline(__always) private static func unchecked(_ p: UnsafePointer<Value>) -> UnsafeBufferPointer<Value> {
        let storage = UnsafeRawPointer(p).load(as: UnsafeRawPointer.self)
        // A Swift array's storage: the object's header (two words), the count, the capacity and
        // flags, then the elements.
        let count = storage.load(fromByteOffset: 2 * MemoryLayout<Int>.stride, as: Int.self)
        return UnsafeBufferPointer(start: (storage + 4 * MemoryLayout<Int>.stride).assumingMemoryBound(to: Value.self), count: count)
    }
}
