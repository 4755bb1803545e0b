import Foundation

/// A JSON (RFC 8259) parser straight into `RawValue`. Foundation's `JSONDecoder` through `Decodable`
/// was about 40% of a dry-run's time; this reads the bytes once, keeps numbers as their exact text,
/// and reports where a document goes wrong.
public struct JSONParser {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let message: String
        public let offset: Int
        public var description: String { "not valid JSON at byte \(offset): \(message)" }
    }

    fileprivate let b: UnsafeBufferPointer<UInt8>
    fileprivate var i = 0
    private var depth = 0
    /// Where lists and records an earlier record had and this one does not are kept for later ones
    /// (`RecordSpare`), when decoding with one.
    fileprivate var kept: Unmanaged<RecordSpare>?

    public static func parse(_ data: Data) throws -> RawValue {
        try data.withUnsafeBytes { raw in
            try parse(UnsafeBufferPointer(start: raw.bindMemory(to: UInt8.self).baseAddress, count: raw.count))
        }
    }

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws -> RawValue {
        var p = JSONParser(b: bytes)
        p.skipSpace()
        let v = try p.value()
        p.skipSpace()
        guard p.i == bytes.count else { throw p.failure("unexpected text after the value") }
        return v
    }

    fileprivate init(b: UnsafeBufferPointer<UInt8>) { self.b = b }

    private func failure(_ message: String) -> Failure { Failure(message: message, offset: i) }

    fileprivate mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    private mutating func value() throws -> RawValue {
        guard i < b.count else { throw failure("unexpected end") }
        switch b[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .boolean(true)
        case UInt8(ascii: "f"): try literal("false"); return .boolean(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw failure("unexpected character")
        }
    }

    /// `null`, `true` and `fals` as four bytes read as a little-endian word: the direct decoder tests
    /// a literal with one comparison, where a byte loop with a thrown error for a mismatch cost ten
    /// times as much.
    fileprivate static let nullWord: UInt32 = 0x6C6C_756E, trueWord: UInt32 = 0x6575_7274, falsWord: UInt32 = 0x736C_6166

    /// Whether the next four bytes are `word` (little-endian), moving past them if so.
    @inline(__always) fileprivate mutating func skip(word: UInt32) -> Bool {
        guard i + 4 <= b.count, let base = b.baseAddress else { return false }
        guard UInt32(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt32.self)) == word else { return false }
        i += 4
        return true
    }

    fileprivate mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count else { throw failure("unexpected end") }
        for k in 0..<n where b[i + k] != word.utf8Start[k] { throw failure("unknown word") }
        i += n
    }

    private mutating func enter() throws {
        depth += 1
        if depth > 512 { throw failure("nested too deeply") }
    }

    private mutating func object() throws -> RawValue {
        try enter()
        defer { depth -= 1 }
        i += 1
        var map: [String: RawValue] = [:]
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .map(map) }
        while true {
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw failure("expected a quoted key") }
            let key = try string()
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw failure("expected `:`") }
            i += 1
            skipSpace()
            map[key] = try value()
            skipSpace()
            guard i < b.count else { throw failure("unexpected end") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "}") { i += 1; return .map(map) }
            throw failure("expected `,` or `}`")
        }
    }

    private mutating func array() throws -> RawValue {
        try enter()
        defer { depth -= 1 }
        i += 1
        var items: [RawValue] = []
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .list(items) }
        while true {
            skipSpace()
            items.append(try value())
            skipSpace()
            guard i < b.count else { throw failure("unexpected end") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "]") { i += 1; return .list(items) }
            throw failure("expected `,` or `]`")
        }
    }

    /// A whole number of at most 18 digits without a fraction or exponent (`7`, `-12`), read in place;
    /// nil, and nothing consumed, for anything else, which `number()` then reads.
    fileprivate mutating func wholeNumber() -> Int? {
        var k = i
        let negative = b[k] == UInt8(ascii: "-")
        if negative { k += 1 }
        let first = k
        var v = 0
        while k < b.count, b[k] >= UInt8(ascii: "0"), b[k] <= UInt8(ascii: "9"), k - first < 18 {
            v = v * 10 + Int(b[k] - UInt8(ascii: "0"))
            k += 1
        }
        let digits = k - first
        guard digits > 0, digits < 18, !(digits > 1 && b[first] == UInt8(ascii: "0")), !(negative && v == 0) else { return nil }
        if k < b.count, b[k] == UInt8(ascii: ".") || b[k] == UInt8(ascii: "e") || b[k] == UInt8(ascii: "E") || (b[k] >= UInt8(ascii: "0") && b[k] <= UInt8(ascii: "9")) { return nil }
        i = k
        return negative ? -v : v
    }

    fileprivate mutating func number() throws -> String {
        let start = i
        if b[i] == UInt8(ascii: "-") { i += 1 }
        func digits() -> Int {
            let s = i
            while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") { i += 1 }
            return i - s
        }
        let whole = digits()
        guard whole > 0 else { throw failure("expected digits") }
        if whole > 1, b[start + (b[start] == UInt8(ascii: "-") ? 1 : 0)] == UInt8(ascii: "0") { throw failure("leading zero") }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw failure("expected digits after `.`") }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw failure("expected digits in the exponent") }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
    }

    fileprivate mutating func string() throws -> String {
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < b.count, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "\\") {
            if b[i] < 0x20 { throw failure("control character in text") }
            i += 1
        }
        guard i < b.count else { throw failure("unterminated text") }
        if b[i] == UInt8(ascii: "\"") {
            let s = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
            i += 1
            return s
        }
        var bytes = Array(UnsafeBufferPointer(rebasing: b[start..<i]))
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") { i += 1; return String(decoding: bytes, as: UTF8.self) }
            if c < 0x20 { throw failure("control character in text") }
            if c != UInt8(ascii: "\\") { bytes.append(c); i += 1; continue }
            guard i + 1 < b.count else { throw failure("unterminated escape") }
            let e = b[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(e)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard i + 1 < b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") else { throw failure("lone surrogate") }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw failure("bad surrogate pair") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw failure("lone surrogate")
                }
                guard let u = Unicode.Scalar(scalar) else { throw failure("bad escape") }
                bytes.append(contentsOf: Array(String(Character(u)).utf8))
            default: throw failure("unknown escape")
            }
        }
        throw failure("unterminated text")
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= b.count else { throw failure("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw failure("bad \\u escape")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }
}

/// Decodes a JSON record straight into slots by its schema, without building a document first: the
/// path every well-formed record takes. Anything unusual (a missing or unknown field, a value of the
/// wrong kind, a repeated key, a numeric id) gives nil, and the caller decodes the document the
/// general way, which reports the problem exactly. Both ways give the same value for every record the
/// fast one accepts.
public struct DirectRecordDecoder: Sendable {
    final class Shape: Sendable {
        /// The field names by their bytes: a record's keys are looked up here.
        let table: NameTable
        let kinds: [Kind]
        /// The same kinds, read without retaining them (`kinds` keeps them alive): one retain and
        /// release per field showed in profiles.
        let kindRefs: [Unmanaged<Kind>]
        let optional: [Bool]
        /// As bits, the fields a record must have, and all its fields.
        let required: UInt64, all: UInt64
        /// How many fields after the last one read are tried by their bytes before a key is looked up.
        static let lookahead = 4
        /// This record type's number among the decoder's, from 0: where a `RecordSpare` keeps which of
        /// its fields it has ever written.
        let index: Int
        init(_ r: RecordType, shapes: inout Int) {
            index = shapes
            shapes += 1
            table = NameTable(r.fields.map { Array($0.name.utf8) })
            // Only records of at most 64 fields are read this way (see `direct`).
            required = r.fields.enumerated().reduce(0) { $1.offset < 64 && !$1.element.optional ? $0 | 1 << UInt64($1.offset) : $0 }
            all = r.fields.count >= 64 ? ~0 : (1 << UInt64(r.fields.count)) - 1
            kinds = r.fields.map { Kind($0.type, shapes: &shapes) }
            kindRefs = kinds.map { Unmanaged.passUnretained($0) }
            optional = r.fields.map(\.optional)
        }
    }

    /// An enumeration's values, matched as bytes; a match gives the decoder's own copy of the text, so
    /// no text is made per field, and decoders on different threads share no reference counts.
    final class Values: Sendable {
        let table: NameTable
        let texts: [String]
        init(_ values: [String]) {
            table = NameTable(values.map { Array($0.utf8) })
            texts = values.map { String(decoding: Array($0.utf8), as: UTF8.self) }
        }
    }

    /// What a field holds, as the decoder reads it. A class rather than an indirect enumeration: the
    /// decoder passes it to each field, and an enumeration's payload was copied, retained and released
    /// there every time.
    final class Kind: Sendable {
        enum Tag: UInt8, Sendable { case string, number, boolean, date, dateTime, duration, enumeration, list, record }
        let tag: Tag
        /// For `enumeration`, `list` and `record` only.
        let values: Values?, element: Kind?, shape: Shape?

        init(_ t: FieldType, shapes: inout Int) {
            var values: Values?, element: Kind?, shape: Shape?
            switch t {
            case .string: tag = .string
            case .number: tag = .number
            case .boolean: tag = .boolean
            case .date: tag = .date
            case .dateTime: tag = .dateTime
            case .duration: tag = .duration
            case .enumeration(let v): tag = .enumeration; values = Values(v)
            case .list(let e): tag = .list; element = Kind(e, shapes: &shapes)
            case .record(let r): tag = .record; shape = Shape(r, shapes: &shapes)
            }
            self.values = values; self.element = element; self.shape = shape
        }
    }

    let root: Kind
    /// The id's slots from the root, when every step is a field of a record.
    let idSlots: [Int]?

    public init(schema: Schema) {
        var shapes = 0
        root = Kind(.record(schema.root), shapes: &shapes)
        var slots: [Int] = []
        var record: RecordType? = schema.root
        for part in schema.idPath {
            guard let r = record, let slot = r.slot(of: part) else { slots = []; record = nil; break }
            slots.append(slot)
            if case .record(let inner) = r.fields[slot].type { record = inner } else { record = nil }
        }
        idSlots = slots.isEmpty ? nil : slots
    }

    /// The record and its id, or nil when the general decoder must look at it.
    public func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> DecodedRecord? {
        var spare = Value.null
        return decode(bytes, spare: &spare)
    }

    /// The same record, written into the arrays of the record last given to `recycle(_:into:)`
    /// where it has them (a referral is a tree of about a dozen arrays; allocating and freeing
    /// them was a tenth of deciding JSON Lines). What the caller holds never changes: an array
    /// still held elsewhere is copied before it is written. Within the package only, with
    /// `recycle(_:into:)`: a spare must only ever be given records decoded with it (see
    /// `RecordSpare.everWritten`), as `RecordReader` gives it.
    package func decode(_ bytes: UnsafeBufferPointer<UInt8>, reusing spare: RecordSpare) -> DecodedRecord? {
        decode(bytes, spare: &spare.value, keeping: Unmanaged.passUnretained(spare))
    }

    /// Keeps `record`, decoded with `spare`, in `spare` for the next `decode(_:reusing:)`, in place
    /// of what it held.
    package func recycle(_ record: consuming DecodedRecord, into spare: RecordSpare) {
        spare.value = record.value
    }

    private func decode(_ bytes: UnsafeBufferPointer<UInt8>, spare: inout Value, keeping kept: Unmanaged<RecordSpare>? = nil) -> DecodedRecord? {
        var p = JSONParser(b: bytes)
        p.kept = kept
        p.skipSpace()
        guard let value = p.direct(root, spare: &spare) else { return nil }
        p.skipSpace()
        guard p.i == bytes.count, let idSlots else { return nil }
        guard let id = idSlots.count == 1 ? DirectRecordDecoder.text(in: value, at: idSlots[0])
                                          : DirectRecordDecoder.text(in: value, at: idSlots[...]) else { return nil }
        return DecodedRecord(id: id, value: value)
    }

    /// The text in field `slot` of the record `value`: an id at the top of the record, the common
    /// case, read without walking a slice of the path (which retained and released the path and
    /// each record on the way, five times a record).
    private static func text(in value: Value, at slot: Int) -> String? {
        guard case .record(let fields) = value, slot >= 0, slot < fields.count, case .string(let s) = fields[slot] else { return nil }
        return s
    }

    /// The text at `slots` from `value`, read in place: walking down a copy of each record retained
    /// and released its fields' array.
    private static func text(in value: Value, at slots: ArraySlice<Int>) -> String? {
        guard let slot = slots.first else {
            if case .string(let s) = value { return s }
            return nil
        }
        guard case .record(let fields) = value, slot >= 0, slot < fields.count else { return nil }
        return fields.withUnsafeBufferPointer { text(in: $0[slot], at: slots.dropFirst()) }
    }
}

extension JSONParser {
    /// The index of the first `"` or `\` at or after `start`, or `b.count`, looked for eight bytes at
    /// a time (the byte loop was the decoder's largest cost).
    @inline(__always) static func quoteOrBackslash(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var k = start
        if let base = b.baseAddress {
            while k + 8 <= b.count {
                let w = ByteWords.load(base, at: k)
                let found = ByteWords.equal(w, UInt8(ascii: "\"")) | ByteWords.equal(w, UInt8(ascii: "\\"))
                if found != 0 { return k + ByteWords.first(found) }
                k += 8
            }
        }
        while k < b.count, b[k] != UInt8(ascii: "\""), b[k] != UInt8(ascii: "\\") { k += 1 }
        return k
    }

    /// The bytes of a string with no escapes, `i` moved past its closing quote; nil for anything
    /// else (which the direct decoder leaves to the general one).
    fileprivate mutating func plainString() -> UnsafeBufferPointer<UInt8>? {
        guard i < b.count, b[i] == UInt8(ascii: "\"") else { return nil }
        let end = JSONParser.quoteOrBackslash(b, from: i + 1)
        guard end < b.count, b[end] == UInt8(ascii: "\"") else { return nil }
        defer { i = end + 1 }
        return UnsafeBufferPointer(rebasing: b[(i + 1)..<end])
    }

    /// The value of `kind` at `i`. `spare` is the value the same place held in an earlier record
    /// (or null): a record or list takes its array, leaving null, and writes over it.
    fileprivate mutating func direct(_ kind: DirectRecordDecoder.Kind, spare: inout Value) -> Value? {
        guard i < b.count else { return nil }
        if b[i] == UInt8(ascii: "n") {
            // The earlier record's list or record at this place is kept for a later one.
            if kind.tag == .list || kind.tag == .record { keep(&spare, kind) }
            return skip(word: JSONParser.nullWord) ? .null : nil
        }
        switch kind.tag {
        case .string:
            guard b[i] == UInt8(ascii: "\""), let s = try? string() else { return nil }
            return .string(s)
        case .number:
            guard b[i] == UInt8(ascii: "-") || (b[i] >= UInt8(ascii: "0") && b[i] <= UInt8(ascii: "9")) else { return nil }
            if let whole = wholeNumber() { return .number(Decimal(whole)) }
            guard let text = try? number(), let d = Decimal(string: text) else { return nil }
            return .number(d)
        case .boolean:
            if b[i] == UInt8(ascii: "t") { return skip(word: JSONParser.trueWord) ? .boolean(true) : nil }
            if skip(word: JSONParser.falsWord), i < b.count, b[i] == UInt8(ascii: "e") { i += 1; return .boolean(false) }
            return nil
        case .date:
            // The common shape is read from the bytes; text of any other shape is made and parsed
            // the general way, with the same result.
            let start = i
            if let text = plainString(), let common = LocalDate.parseCommon(text) { return common.map(Value.date) }
            i = start
            guard b[i] == UInt8(ascii: "\""), let s = try? string(), let d = LocalDate.parse(s) else { return nil }
            return .date(d)
        case .dateTime:
            let start = i
            if let text = plainString(), let common = DateTime.parseCommon(text) { return .dateTime(common) }
            i = start
            guard b[i] == UInt8(ascii: "\""), let s = try? string(), let d = DateTime.parse(s) else { return nil }
            return .dateTime(d)
        case .duration:
            guard b[i] == UInt8(ascii: "\""), let s = try? string(), let d = Durations.parse(s) else { return nil }
            if let m = d.months { return .yearMonthDuration(m) }
            return .dayTimeDuration(d.seconds ?? 0)
        case .enumeration:
            let values = kind.values!
            guard let text = plainString(), let k = values.table.index(of: text) else { return nil }
            return .string(values.texts[k])
        case .list:
            if case .null = spare { spare = taken(kind) }
            return list(kind, spare: &spare)
        case .record:
            if case .null = spare { spare = taken(kind) }
            return record(kind.shape!, spare: &spare)
        }
    }

    /// Moves `value` (a list or record of `kind` an earlier record had) to the reader's spare for a
    /// later record. Let go of instead, its arrays were freed here and made again for the next record
    /// that had one.
    @inline(__always) fileprivate mutating func keep(_ value: inout Value, _ kind: DirectRecordDecoder.Kind) {
        guard let kept else { return }
        switch value {
        case .list, .record: kept._withUnsafeGuaranteedRef { $0.keep(value.take(), ObjectIdentifier(kind)) }
        default: break
        }
    }

    /// A list or record of `kind` kept from an earlier record, or null.
    @inline(__always) fileprivate func taken(_ kind: DirectRecordDecoder.Kind) -> Value {
        guard let kept else { return .null }
        return kept._withUnsafeGuaranteedRef { $0.take(ObjectIdentifier(kind)) }
    }

    /// A list of `element` at `i` (see `direct`). Apart from `direct`, so that a field that is text,
    /// a number or a boolean is read by a small function (a list or record needs many registers,
    /// and `direct` saved and restored them all for every field).
    @inline(never)
    fileprivate mutating func list(_ kind: DirectRecordDecoder.Kind, spare: inout Value) -> Value? {
        guard b[i] == UInt8(ascii: "[") else { return nil }
        i += 1
        let element = kind.element!
        var items: [Value] = []
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "]") {
            i += 1
            // An empty list: the earlier list's array, its items kept for later lists.
            if case .list(let old) = spare.take() {
                items = old
                keepItems(&items, from: 0, element)
            }
            return .list(items)
        }
        // The earlier list's array, its items written over in order (the binding is the array's
        // only holder once the spare is null).
        if case .list(let old) = spare.take() { items = old }
        // Room for a few items at once: grown from empty, a list of three was allocated three times.
        if items.capacity < 4 { items.reserveCapacity(4) }
        var n = 0
        while true {
            skipSpace()
            if n < items.count {
                guard let item = direct(element, spare: &items[n]) else { return nil }
                items[n] = consume item
            } else {
                var none = element.tag == .list || element.tag == .record ? taken(element) : .null
                guard let item = direct(element, spare: &none) else { return nil }
                items.append(consume item)
            }
            n += 1
            skipSpace()
            guard i < b.count else { return nil }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "]") {
                i += 1
                if n < items.count { keepItems(&items, from: n, element) }
                return .list(items)
            }
            return nil
        }
    }

    /// Removes `items[n...]`, keeping those that are lists or records for later lists.
    fileprivate mutating func keepItems(_ items: inout [Value], from n: Int, _ element: DirectRecordDecoder.Kind) {
        if element.tag == .list || element.tag == .record {
            for k in n..<items.count { keep(&items[k], element) }
        }
        items.removeSubrange(n...)
    }

    /// A record of `shape` at `i` (see `direct`).
    @inline(never)
    fileprivate mutating func record(_ shape: DirectRecordDecoder.Shape, spare: inout Value) -> Value? {
        guard b[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        let count = shape.table.count
        guard count <= 64 else { return nil }
        // The earlier record's array, when it is one of this shape; fields this record leaves
        // out are set to null at the end.
        var slots: [Value]
        var reused = false
        if case .record(let old) = spare.take(), old.count == count { slots = old; reused = true } else { slots = Value.nulls(count) }
        // Which fields have been read, as bits; records of more than 64 fields go the general way.
        var seen: UInt64 = 0
        // The slots are written in place: through the array, each field's two writes checked the
        // array was not shared, and each field left out was written null again.
        let read: Bool = slots.withUnsafeMutableBufferPointer { slots in
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "}") {
                i += 1
            } else {
                // The field after the last one read, in the schema's order: records written in that
                // order (most are, optional fields left out) find most keys by comparing their bytes,
                // and the colon after them, with the next few names, without scanning for the key's
                // end and hashing it. A key with space before its colon is found the general way.
                var next = 0
                while true {
                    skipSpace()
                    var slot = -1
                    if let base = b.baseAddress {
                        var k = next
                        while k < count, k < next + DirectRecordDecoder.Shape.lookahead {
                            if shape.table.isKey(k, at: base + i, count: b.count - i) { slot = k; break }
                            k += 1
                        }
                    }
                    if slot >= 0 {
                        // The key, its quotes and the colon after it.
                        i += shape.table.length(slot) + 3
                    } else {
                        // Keys without escapes are compared as bytes; anything else goes the general way.
                        guard let key = plainString(), let found = shape.table.index(of: key) else { return false }
                        slot = found
                        skipSpace()
                        guard i < b.count, b[i] == UInt8(ascii: ":") else { return false }
                        i += 1
                    }
                    guard seen & (1 << UInt64(slot)) == 0 else { return false }
                    next = slot + 1
                    skipSpace()
                    guard let v = shape.kindRefs[slot]._withUnsafeGuaranteedRef({ direct($0, spare: &slots[slot]) }) else { return false }
                    if case .null = v, !shape.optional[slot] { return false }
                    slots[slot] = consume v
                    seen |= 1 << UInt64(slot)
                    skipSpace()
                    guard i < b.count else { return false }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "}") { i += 1; break }
                    return false
                }
            }
            // The fields left out: none may be required; in an earlier record's array, those it
            // held are set to null. Most were left out of every record before too: only the fields
            // the reader has ever written in a record of this shape are looked at (each slot was
            // looked at, about 700 instructions a referral).
            if shape.required & ~seen != 0 { return false }
            if reused {
                var missing = shape.all & ~seen & (kept?._withUnsafeGuaranteedRef { $0.written(shape.index) } ?? ~0)
                while missing != 0 {
                    let k = missing.trailingZeroBitCount
                    missing &= missing - 1
                    if case .null = slots[k] { continue }
                    shape.kindRefs[k]._withUnsafeGuaranteedRef { keep(&slots[k], $0) }
                    slots[k] = .null
                }
            }
            kept?._withUnsafeGuaranteedRef { $0.write(shape.index, seen) }
            return true
        }
        guard read else { return nil }
        return .record(slots)
    }
}

/// The record a reader last decoded, whose arrays `DirectRecordDecoder.decode(_:reusing:)` writes
/// the next record into. `RecordReader.readLines` keeps one for each batch. For one thread at a time.
package final class RecordSpare {
    /// Without dynamic exclusivity checks, as the kept values below: beginning the access for each
    /// record decoded into it and each recycled into it called the runtime (about 160 instructions a
    /// referral, callgrind).
    @exclusivity(unchecked) fileprivate var value: Value = .null
    /// Lists and records earlier records had and later ones did not, by the kind of value they are
    /// (at most `keptLimit` of each kind), for the next record that has one: reused, their arrays are
    /// not freed and made again. Read and written by one decoding thread.
    @exclusivity(unchecked) private var keptKinds: [ObjectIdentifier] = []
    @exclusivity(unchecked) private var keptValues: [[Value]] = []
    private static let keptLimit = 64
    /// For each record type (`Shape.index`), the fields ever written in a record of that type decoded
    /// with this spare: every other field is null in every array the spare holds or lends, since
    /// each comes from such a record or is new. Past `shapeLimit` types, every field counts.
    private let everWritten: UnsafeMutablePointer<UInt64>
    private static let shapeLimit = 64

    package init() {
        everWritten = .allocate(capacity: RecordSpare.shapeLimit)
        everWritten.initialize(repeating: 0, count: RecordSpare.shapeLimit)
    }

    deinit { everWritten.deallocate() }

    /// The fields of record type `shape` that may be other than null in an array of that type.
    @inline(__always) fileprivate func written(_ shape: Int) -> UInt64 {
        shape < RecordSpare.shapeLimit ? everWritten[shape] : ~0
    }

    /// Notes that a record of type `shape` was decoded with `fields` written.
    @inline(__always) fileprivate func write(_ shape: Int, _ fields: UInt64) {
        if shape < RecordSpare.shapeLimit { everWritten[shape] |= fields }
    }

    fileprivate func keep(_ value: consuming Value, _ kind: ObjectIdentifier) {
        for k in keptKinds.indices where keptKinds[k] == kind {
            if keptValues[k].count < RecordSpare.keptLimit { keptValues[k].append(value) }
            return
        }
        keptKinds.append(kind)
        keptValues.append([value])
    }

    fileprivate func take(_ kind: ObjectIdentifier) -> Value {
        for k in keptKinds.indices where keptKinds[k] == kind { return keptValues[k].popLast() ?? .null }
        return .null
    }
}
