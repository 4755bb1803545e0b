import Foundation

/// A calendar date without a time zone (FEEL `date`).
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    // Stored small to keep `Value` small (see `ZoneName`); years are within ±999,999,999.
    private let y: Int32
    private let m: UInt8
    private let d: UInt8
    public var year: Int { Int(y) }
    public var month: Int { Int(m) }
    public var day: Int { Int(d) }

    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), Swift.abs(year) <= 999_999_999, day >= 1, day <= LocalDate.daysIn(month: month, year: year) else { return nil }
        self.init(checkedYear: year, month: month, day: day)
    }

    /// For callers that have already made sure the date exists.
    private init(checkedYear year: Int, month: Int, day: Int) {
        y = Int32(clamping: year); m = UInt8(clamping: month); d = UInt8(clamping: day)
    }

    /// Days since 1970-01-01 (proleptic Gregorian), from Howard Hinnant's `days_from_civil`.
    public var epochDay: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public init(epochDay z0: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(checkedYear: yoe + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    /// ISO weekday: 1 = Monday ... 7 = Sunday.
    public var weekday: Int { ((epochDay % 7 + 7 + 3) % 7) + 1 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `YYYY-MM-DD` read from its bytes: nil when the bytes have another shape (the general parser
    /// decides those), `.some(nil)` when they have this shape but are not a date.
    public static func parseCommon(_ b: UnsafeBufferPointer<UInt8>) -> LocalDate?? {
        guard b.count == 10, b[4] == 45, b[7] == 45 else { return .none }
        guard let y1 = Digits.two(b, 0), let y2 = Digits.two(b, 2), let m = Digits.two(b, 5), let d = Digits.two(b, 8) else { return .some(nil) }
        return .some(LocalDate(year: y1 &* 100 &+ y2, month: m, day: d))
    }

    /// Parses `YYYY-MM-DD`; the year may have more digits and a minus sign (`-0044-03-15`), as in XML Schema.
    public static func parse(_ s: String) -> LocalDate? {
        // `YYYY-MM-DD`, the shape records use, read byte by byte; anything else the general way.
        var copy = s
        let fast: LocalDate?? = copy.withUTF8 { parseCommon($0) }
        if let fast { return fast }
        var text = Substring(s)
        let negative = text.hasPrefix("-")
        if negative { text = text.dropFirst() }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count >= 4, parts[0].count <= 9, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        if parts[0].count > 4 && parts[0].hasPrefix("0") { return nil }
        return LocalDate(year: negative ? -y : y, month: m, day: d)
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    public var description: String {
        (year < 0 ? "-" : "") + Digits.padded(Swift.abs(year), 4) + "-" + Digits.padded(month, 2) + "-" + Digits.padded(day, 2)
    }

    /// Adds whole months, clamping the day to the month's length (FEEL date + years-months duration).
    public func adding(months: Int) -> LocalDate {
        let total = year * 12 + (month - 1) + months
        let y = total >= 0 ? total / 12 : (total - 11) / 12
        let m = total - y * 12 + 1
        return LocalDate(checkedYear: y, month: m, day: min(day, LocalDate.daysIn(month: m, year: y)))
    }
}

/// Zero-padded decimal digits without `String(format:)`, which goes through CoreFoundation and showed in
/// profiles of decision output.
public enum Digits {
    /// The two decimal digits at `i` and `i + 1` of `b` as a number, or nil if either is not a
    /// digit. The caller has checked `b` is long enough. Dates and date-times in records are read
    /// this way: a loop per number, with its overflow checks, cost about 25 instructions a number.
    @inline(__always) static func two(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        let high = Int(b[i]) &- 48, low = Int(b[i + 1]) &- 48
        guard UInt(bitPattern: high) <= 9, UInt(bitPattern: low) <= 9 else { return nil }
        return high &* 10 &+ low
    }

    public static func padded(_ n: Int, _ width: Int) -> String {
        let text = String(n)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

/// How a date-time or time of day is tied to UTC.
public enum TemporalZone: Sendable, Hashable {
    /// No zone: a wall-clock reading (FEEL's local date-time or time).
    case local
    /// A fixed offset from UTC (`Z`, `+01:00`).
    case offset
    /// An IANA time zone (`@Europe/London`); the offset is the zone's at that moment.
    case named(ZoneName)
}

/// An IANA zone's name, held as a number so that a date-time holds no text: a `Value` then needs no
/// reference counting for dates and times and takes 24 bytes instead of 48, which halves the memory a
/// record's fields take and every copy of a value. Names are interned once per process.
public struct ZoneName: Sendable, Hashable, CustomStringConvertible {
    private let index: UInt32

    public init(_ name: String) { index = ZoneName.registry.intern(name) }

    public var name: String { ZoneName.registry.name(index) }
    public var description: String { name }

    private final class Registry: @unchecked Sendable {
        // Guarded by `lock`.
        private let lock = NSLock()
        private var names: [String] = []
        private var indexes: [String: UInt32] = [:]

        func intern(_ name: String) -> UInt32 {
            lock.lock(); defer { lock.unlock() }
            if let i = indexes[name] { return i }
            names.append(name)
            indexes[name] = UInt32(names.count - 1)
            return UInt32(names.count - 1)
        }

        func name(_ index: UInt32) -> String {
            lock.lock(); defer { lock.unlock() }
            return names[Int(index)]
        }
    }
    private static let registry = Registry()
}

/// An instant with the UTC offset it was written with (FEEL `date and time`), or a local wall-clock reading.
///
/// `seconds` counts from 1970-01-01T00:00:00Z; for a local date-time it counts to the wall-clock reading
/// taken as UTC. Equality and order compare instants; the offset only says how to print it. A local
/// date-time equals only local date-times. Records reject local date-times on input: a referral's clock
/// must never depend on the machine's time zone.
public struct DateTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let seconds: Int64
    public let nanoseconds: Int32
    public let offset: Int32
    public let zone: TemporalZone

    public init(seconds: Int64, nanoseconds: Int32 = 0, offset: Int32 = 0, zone: TemporalZone = .offset) {
        self.seconds = seconds; self.nanoseconds = nanoseconds; self.offset = offset; self.zone = zone
    }

    public var isLocal: Bool { zone == .local }

    public static func == (a: DateTime, b: DateTime) -> Bool { a.seconds == b.seconds && a.nanoseconds == b.nanoseconds && a.isLocal == b.isLocal }
    public func hash(into h: inout Hasher) { h.combine(seconds); h.combine(nanoseconds); h.combine(isLocal) }
    public static func < (a: DateTime, b: DateTime) -> Bool { (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds) }

    /// The local date and second of day at this date-time's own offset.
    public var local: (date: LocalDate, secondOfDay: Int) {
        let shifted = seconds + Int64(offset)
        let day = Int((shifted >= 0 ? shifted : shifted - 86399) / 86400)
        return (LocalDate(epochDay: day), Int(shifted - Int64(day) * 86400))
    }

    public func with(offset: Int32) -> DateTime { DateTime(seconds: seconds, nanoseconds: nanoseconds, offset: offset) }

    /// The time of day of this date-time, with its zone.
    public var timeOfDay: TimeOfDay {
        TimeOfDay(secondOfDay: local.secondOfDay, nanoseconds: nanoseconds, offset: isLocal ? nil : offset, zone: zone)
    }

    /// A wall-clock reading in a zone; nil for an unknown IANA zone.
    public static func make(date: LocalDate, secondOfDay: Int, nanoseconds: Int32, zone: ParsedZone) -> DateTime? {
        let wall = Int64(date.epochDay) * 86400 + Int64(secondOfDay)
        switch zone {
        case .none: return DateTime(seconds: wall, nanoseconds: nanoseconds, offset: 0, zone: .local)
        case .offset(let o): return DateTime(seconds: wall - Int64(o), nanoseconds: nanoseconds, offset: o, zone: .offset)
        case .named(let id):
            guard let o = ZoneTable.offset(id, wall: wall) else { return nil }
            return DateTime(seconds: wall - Int64(o), nanoseconds: nanoseconds, offset: o, zone: .named(ZoneName(id)))
        }
    }

    /// The same date-time moved to `seconds` (an instant, or a wall-clock reading for a local one), in its zone.
    public func moved(to newSeconds: Int64, nanoseconds newNanos: Int32) -> DateTime {
        switch zone {
        case .local, .offset: return DateTime(seconds: newSeconds, nanoseconds: newNanos, offset: offset, zone: zone)
        case .named(let id):
            let o = ZoneTable.offsetAt(id.name, instant: newSeconds) ?? offset
            return DateTime(seconds: newSeconds, nanoseconds: newNanos, offset: o, zone: zone)
        }
    }

    /// Parses `[-]YYYY-MM-DDThh:mm[:ss[.fff]]` followed by `Z`, `±hh:mm` or `@Area/City`. With `allowLocal`
    /// (FEEL expressions), the zone may be left out and a bare date means its midnight.
    public static func parse(_ s: String, allowLocal: Bool = false) -> DateTime? {
        if let fast = parseCommon(s) { return fast }
        guard let t = s.firstIndex(where: { $0 == "T" || $0 == "t" }) else {
            guard allowLocal, let date = LocalDate.parse(s) else { return nil }
            return make(date: date, secondOfDay: 0, nanoseconds: 0, zone: .none)
        }
        guard let date = LocalDate.parse(String(s[..<t])),
              let (sod, nanos, zone) = TimeOfDay.parseParts(s[s.index(after: t)...]) else { return nil }
        if case .none = zone, !allowLocal { return nil }
        return make(date: date, secondOfDay: sod, nanoseconds: nanos, zone: zone)
    }

    /// The shape records use almost always, `YYYY-MM-DDThh:mm:ss` with `Z` or `±hh:mm`, read byte by byte;
    /// nil sends anything else (fractions, zones, long years) to the general parser.
    static func parseCommon(_ s: String) -> DateTime? {
        var text = s
        return text.withUTF8 { parseCommon($0) }
    }

    /// `parseCommon` on the text's bytes, as a record decoder holds them.
    public static func parseCommon(_ b: UnsafeBufferPointer<UInt8>) -> DateTime? {
        guard b.count == 20 || b.count == 25, b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58, b[16] == 58 else { return nil }
        guard let y1 = Digits.two(b, 0), let y2 = Digits.two(b, 2), let mo = Digits.two(b, 5), let d = Digits.two(b, 8),
              let h = Digits.two(b, 11), let mi = Digits.two(b, 14), let se = Digits.two(b, 17),
              h < 24, mi < 60, se < 60, let date = LocalDate(year: y1 &* 100 &+ y2, month: mo, day: d) else { return nil }
        var offset: Int32 = 0
        if b.count == 20 {
            guard b[19] == 90 else { return nil }
        } else {
            guard b[19] == 43 || b[19] == 45, b[22] == 58, let oh = Digits.two(b, 20), let om = Digits.two(b, 23), oh <= 18, om < 60 else { return nil }
            offset = Int32(oh * 3600 + om * 60) * (b[19] == 45 ? -1 : 1)
        }
        let wall = Int64(date.epochDay) * 86400 + Int64(h * 3600 + mi * 60 + se)
        return DateTime(seconds: wall - Int64(offset), nanoseconds: 0, offset: offset, zone: .offset)
    }

    /// Parses `hh:mm[:ss[.fffffffff]]` into seconds of the day and nanoseconds.
    public static func parseTime(_ s: Substring) -> (Int, Int32)? {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts[0].count == 2, parts[1].count == 2,
              let h = Int(parts[0]), let m = Int(parts[1]), h <= 24, m < 60 else { return nil }
        // `24:00:00` is the end of the day: the next day's midnight (ISO 8601).
        if h == 24 { return parts.dropFirst().allSatisfy({ $0.allSatisfy { $0 == "0" } }) ? (86400, 0) : nil }
        var sec = 0
        var nanos: Int32 = 0
        if parts.count == 3 {
            let sp = parts[2].split(separator: ".", omittingEmptySubsequences: false)
            guard sp[0].count == 2, let ss = Int(sp[0]), ss < 60, sp.count <= 2 else { return nil }
            sec = ss
            if sp.count == 2 {
                let frac = sp[1]
                guard !frac.isEmpty, frac.count <= 9, frac.allSatisfy(\.isNumber), let f = Int32(frac) else { return nil }
                nanos = f * Int32(pow(10, Double(9 - frac.count)))
            }
        }
        return (h * 3600 + m * 60 + sec, nanos)
    }

    public var description: String {
        // The shape decisions are full of (`2026-03-02T09:15:00Z`, `...+01:00`), written as bytes.
        if let text = withCommonText({ String(decoding: $0, as: UTF8.self) }) { return text }
        let (date, sod) = local
        return "\(date)T" + TimeOfDay.clock(sod, nanoseconds) + TimeOfDay.suffix(zone, offset)
    }

    /// Calls `body` with the UTF-8 bytes of `description`, without making a `String` for the common
    /// shape (they are written on the stack). Inlinable, so that it is specialised where it is called.
    @inlinable public func withText<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let done = withCommonText(body) { return done }
        var text = description
        return text.withUTF8(body)
    }

    /// `body` with the common shape's text, written on the stack; nil for any other date-time.
    @inlinable package func withCommonText<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 25) { b in
            writeCommonShape(into: b).map { body(UnsafeBufferPointer(rebasing: b[..<$0])) }
        }
    }

    /// Writes the text of the common shape (whole seconds at an offset of whole minutes, in years
    /// 0–9999: 20 or 25 bytes) into `b`, which holds 25 at least, and says how many bytes it took;
    /// nil, writing nothing, for any other date-time.
    @usableFromInline func writeCommonShape(into b: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        let (date, sod) = local
        let a = abs(offset)
        guard nanoseconds == 0, zone == .offset, date.year >= 0, date.year <= 9999, a % 60 == 0, a < 100 * 3600 else { return nil }
        func two(_ v: Int, _ i: Int) { b[i] = UInt8(48 + v / 10); b[i + 1] = UInt8(48 + v % 10) }
        two(date.year / 100, 0); two(date.year % 100, 2); b[4] = 45; two(date.month, 5); b[7] = 45; two(date.day, 8)
        b[10] = 84; two(sod / 3600, 11); b[13] = 58; two(sod / 60 % 60, 14); b[16] = 58; two(sod % 60, 17)
        if offset == 0 { b[19] = 90; return 20 }
        b[19] = offset < 0 ? 45 : 43; two(Int(a / 3600), 20); b[22] = 58; two(Int(a / 60 % 60), 23)
        return 25
    }
}

/// A zone as written after a time: nothing, an offset, or an IANA name.
public enum ParsedZone: Sendable, Hashable {
    case none
    case offset(Int32)
    case named(String)
}

/// IANA zone offsets, through Foundation's time-zone database (tzdata).
public enum ZoneTable {
    public static func known(_ id: String) -> Bool { TimeZone(identifier: id) != nil }

    /// The zone's offset at an instant.
    public static func offsetAt(_ id: String, instant: Int64) -> Int32? {
        guard let tz = TimeZone(identifier: id) else { return nil }
        return Int32(tz.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
    }

    /// The zone's offset for a wall-clock reading (seconds of the reading taken as UTC).
    public static func offset(_ id: String, wall: Int64) -> Int32? {
        guard let first = offsetAt(id, instant: wall) else { return nil }
        return offsetAt(id, instant: wall - Int64(first))
    }
}

/// A time of day (FEEL `time`): local, with an offset, or in an IANA zone.
public struct TimeOfDay: Sendable, Hashable, CustomStringConvertible {
    /// Stored in 32 bits to keep `Value` small (see `ZoneName`).
    private let second: Int32
    public var secondOfDay: Int { Int(second) }
    public let nanoseconds: Int32
    /// Offset from UTC in seconds; nil for a local time.
    public let offset: Int32?
    public let zone: TemporalZone

    public init(secondOfDay: Int, nanoseconds: Int32 = 0, offset: Int32? = nil, zone: TemporalZone = .local) {
        self.second = Int32(clamping: secondOfDay); self.nanoseconds = nanoseconds; self.offset = offset; self.zone = zone
    }

    public init?(secondOfDay sod: Int, nanoseconds: Int32, zone parsed: ParsedZone) {
        let secondOfDay = sod % 86400
        switch parsed {
        case .none: self.init(secondOfDay: secondOfDay, nanoseconds: nanoseconds)
        case .offset(let o): self.init(secondOfDay: secondOfDay, nanoseconds: nanoseconds, offset: o, zone: .offset)
        case .named(let id):
            // A time has no date, so a zone's offset is taken on 1970-01-01.
            guard let o = ZoneTable.offset(id, wall: Int64(secondOfDay)) else { return nil }
            self.init(secondOfDay: secondOfDay, nanoseconds: nanoseconds, offset: o, zone: .named(ZoneName(id)))
        }
    }

    /// Seconds after UTC midnight (for comparison), or after local midnight for a local time.
    public var normalized: Int { secondOfDay - Int(offset ?? 0) }

    public static func == (a: TimeOfDay, b: TimeOfDay) -> Bool {
        (a.offset == nil) == (b.offset == nil) && a.normalized == b.normalized && a.nanoseconds == b.nanoseconds
    }
    public func hash(into h: inout Hasher) { h.combine(normalized); h.combine(nanoseconds); h.combine(offset == nil) }

    public static func parse(_ s: String) -> TimeOfDay? {
        guard let (sod, nanos, zone) = parseParts(Substring(s)) else { return nil }
        return TimeOfDay(secondOfDay: sod, nanoseconds: nanos, zone: zone)
    }

    /// `hh:mm:ss[.f]` then an optional `Z`, `±hh:mm[:ss]` or `@Area/City`.
    public static func parseParts(_ text: Substring) -> (Int, Int32, ParsedZone)? {
        var rest = text
        var zone = ParsedZone.none
        if let at = rest.firstIndex(of: "@") {
            let id = String(rest[rest.index(after: at)...])
            guard ZoneTable.known(id) else { return nil }
            zone = .named(id)
            rest = rest[..<at]
        } else if rest.hasSuffix("Z") || rest.hasSuffix("z") {
            zone = .offset(0)
            rest = rest.dropLast()
        } else if let signIndex = rest.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let o = rest[rest.index(after: signIndex)...].split(separator: ":", omittingEmptySubsequences: false)
            guard o.count == 2 || o.count == 3, o.allSatisfy({ $0.count == 2 }), let h = Int32(o[0]), let m = Int32(o[1]),
                  h <= 18, m < 60 else { return nil }
            let sec = o.count == 3 ? Int32(o[2]) ?? 60 : 0
            guard sec < 60 else { return nil }
            zone = .offset((h * 3600 + m * 60 + sec) * (rest[signIndex] == "-" ? -1 : 1))
            rest = rest[..<signIndex]
        }
        guard rest.split(separator: ":", omittingEmptySubsequences: false).count == 3,
              let (sod, nanos) = DateTime.parseTime(rest) else { return nil }
        return (sod, nanos, zone)
    }

    static func clock(_ sod: Int, _ nanos: Int32) -> String {
        var s = Digits.padded(sod / 3600, 2) + ":" + Digits.padded((sod / 60) % 60, 2) + ":" + Digits.padded(sod % 60, 2)
        if nanos != 0 {
            var frac = Digits.padded(Int(nanos), 9)
            while frac.hasSuffix("0") { frac.removeLast() }
            s += "." + frac
        }
        return s
    }

    static func suffix(_ zone: TemporalZone, _ offset: Int32) -> String {
        switch zone {
        case .local: return ""
        case .named(let id): return "@" + id.name
        case .offset:
            if offset == 0 { return "Z" }
            let a = abs(offset)
            var s = (offset < 0 ? "-" : "+") + Digits.padded(Int(a / 3600), 2) + ":" + Digits.padded(Int((a / 60) % 60), 2)
            if a % 60 != 0 { s += ":" + Digits.padded(Int(a % 60), 2) }
            return s
        }
    }

    public var description: String { TimeOfDay.clock(secondOfDay, nanoseconds) + TimeOfDay.suffix(zone, offset ?? 0) }
}

/// FEEL's two duration kinds: days-time (an exact number of seconds) and years-months (a number of months).
public enum Durations {
    /// Parses an ISO 8601 duration. `P1Y2M` gives months; `P1DT2H`, `PT4H` give seconds; mixing the two is invalid.
    public static func parse(_ text: String) -> (months: Int?, seconds: Decimal?)? {
        var s = Substring(text)
        var negative = false
        if s.hasPrefix("-") { negative = true; s = s.dropFirst() }
        guard s.hasPrefix("P"), s.count > 1 else { return nil }
        s = s.dropFirst()
        var inTime = false
        var months = 0, seconds = Decimal(0)
        var sawYM = false, sawDT = false
        var number = ""
        var sawAny = false
        for ch in s {
            if ch == "T" {
                guard !inTime, number.isEmpty else { return nil }
                inTime = true
                continue
            }
            if ch.isNumber || ch == "." { number.append(ch); continue }
            guard !number.isEmpty, let value = Decimal(string: number) else { return nil }
            let whole = NSDecimalNumber(decimal: value).intValue
            let isWhole = !number.contains(".")
            switch (ch, inTime) {
            case ("Y", false): guard isWhole else { return nil }; months += whole * 12; sawYM = true
            case ("M", false): guard isWhole else { return nil }; months += whole; sawYM = true
            case ("D", false): guard isWhole else { return nil }; seconds += value * 86400; sawDT = true
            case ("H", true): guard isWhole else { return nil }; seconds += value * 3600; sawDT = true
            case ("M", true): guard isWhole else { return nil }; seconds += value * 60; sawDT = true
            case ("S", true): seconds += value; sawDT = true
            default: return nil
            }
            number = ""
            sawAny = true
        }
        guard number.isEmpty, sawAny, !(sawYM && sawDT) else { return nil }
        if inTime && !sawDT { return nil }
        if sawYM { return (negative ? -months : months, nil) }
        return (nil, negative ? -seconds : seconds)
    }

    public static func format(months: Int) -> String {
        if months == 0 { return "P0M" }
        let a = abs(months)
        var s = months < 0 ? "-P" : "P"
        if a / 12 > 0 { s += "\(a / 12)Y" }
        if a % 12 > 0 { s += "\(a % 12)M" }
        return s
    }

    public static func format(seconds: Decimal) -> String {
        if seconds == 0 { return "PT0S" }
        let negative = seconds < 0
        var rest = negative ? -seconds : seconds
        let whole = NSDecimalNumber(decimal: rest).int64Value
        var wholeSeconds = Decimal(whole)
        if wholeSeconds > rest { wholeSeconds -= 1 }
        let fraction = rest - wholeSeconds
        rest = wholeSeconds
        let total = NSDecimalNumber(decimal: rest).int64Value
        let days = total / 86400, hours = (total % 86400) / 3600, minutes = (total % 3600) / 60, secs = total % 60
        var s = negative ? "-P" : "P"
        if days > 0 { s += "\(days)D" }
        if hours > 0 || minutes > 0 || secs > 0 || fraction > 0 {
            s += "T"
            if hours > 0 { s += "\(hours)H" }
            if minutes > 0 { s += "\(minutes)M" }
            if secs > 0 || fraction > 0 { s += "\(Decimal(secs) + fraction)S" }
        }
        return s
    }
}
