import Foundation

/// A calendar date without a time zone (FEEL `date`).
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= LocalDate.daysIn(month: month, year: year) else { return nil }
        self.init(checkedYear: year, month: month, day: day)
    }

    /// For callers that have already made sure the date exists.
    private init(checkedYear year: Int, month: Int, day: Int) {
        self.year = year; self.month = month; self.day = day
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
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
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

    /// Parses `YYYY-MM-DD`.
    public static func parse(_ s: String) -> LocalDate? {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        return LocalDate(year: y, month: m, day: d)
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    /// Adds whole months, clamping the day to the month's length (FEEL date + years-months duration).
    public func adding(months: Int) -> LocalDate {
        let total = year * 12 + (month - 1) + months
        let y = total >= 0 ? total / 12 : (total - 11) / 12
        let m = total - y * 12 + 1
        return LocalDate(checkedYear: y, month: m, day: min(day, LocalDate.daysIn(month: m, year: y)))
    }
}

/// An instant with the UTC offset it was written with (FEEL `date and time`).
///
/// `seconds` counts from 1970-01-01T00:00:00Z. Equality and order compare instants; the offset only
/// says how to print it. A date-time written without an offset is rejected on input: a referral's clock
/// must never depend on the machine's time zone.
public struct DateTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let seconds: Int64
    public let nanoseconds: Int32
    public let offset: Int32

    public init(seconds: Int64, nanoseconds: Int32 = 0, offset: Int32 = 0) {
        self.seconds = seconds; self.nanoseconds = nanoseconds; self.offset = offset
    }

    public static func == (a: DateTime, b: DateTime) -> Bool { a.seconds == b.seconds && a.nanoseconds == b.nanoseconds }
    public func hash(into h: inout Hasher) { h.combine(seconds); h.combine(nanoseconds) }
    public static func < (a: DateTime, b: DateTime) -> Bool { (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds) }

    /// The local date and second of day at this date-time's own offset.
    public var local: (date: LocalDate, secondOfDay: Int) {
        let shifted = seconds + Int64(offset)
        let day = Int((shifted >= 0 ? shifted : shifted - 86399) / 86400)
        return (LocalDate(epochDay: day), Int(shifted - Int64(day) * 86400))
    }

    public func with(offset: Int32) -> DateTime { DateTime(seconds: seconds, nanoseconds: nanoseconds, offset: offset) }

    /// Parses `YYYY-MM-DDThh:mm[:ss[.fff]](Z|±hh:mm)`.
    public static func parse(_ s: String) -> DateTime? {
        guard let t = s.firstIndex(where: { $0 == "T" || $0 == "t" }), let date = LocalDate.parse(String(s[..<t])) else { return nil }
        var rest = Substring(s[s.index(after: t)...])
        var offset: Int32
        if rest.hasSuffix("Z") || rest.hasSuffix("z") {
            offset = 0
            rest = rest.dropLast()
        } else if let signIndex = rest.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let o = rest[rest.index(after: signIndex)...].split(separator: ":")
            guard o.count == 2, o[0].count == 2, o[1].count == 2, let h = Int32(o[0]), let m = Int32(o[1]), h <= 18, m < 60 else { return nil }
            offset = (h * 3600 + m * 60) * (rest[signIndex] == "-" ? -1 : 1)
            rest = rest[..<signIndex]
        } else {
            return nil
        }
        guard let (secondOfDay, nanos) = parseTime(rest) else { return nil }
        let local = Int64(date.epochDay) * 86400 + Int64(secondOfDay)
        return DateTime(seconds: local - Int64(offset), nanoseconds: nanos, offset: offset)
    }

    /// Parses `hh:mm[:ss[.fffffffff]]` into seconds of the day and nanoseconds.
    public static func parseTime(_ s: Substring) -> (Int, Int32)? {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts[0].count == 2, parts[1].count == 2,
              let h = Int(parts[0]), let m = Int(parts[1]), h < 24, m < 60 else { return nil }
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
        let (date, sod) = local
        var s = "\(date)T" + String(format: "%02d:%02d:%02d", sod / 3600, (sod / 60) % 60, sod % 60)
        if nanoseconds != 0 {
            var frac = String(format: "%09d", nanoseconds)
            while frac.hasSuffix("0") { frac.removeLast() }
            s += "." + frac
        }
        if offset == 0 { return s + "Z" }
        let a = abs(offset)
        return s + (offset < 0 ? "-" : "+") + String(format: "%02d:%02d", a / 3600, (a / 60) % 60)
    }
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
