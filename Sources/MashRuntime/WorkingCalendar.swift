import Foundation
import MashChecker
import MashSchema

/// Adds response clocks to a start time, counting only working time where the clock says so.
///
/// Working time is the calendar's working hours on its working days, less bank holidays, in its time
/// zone (daylight saving included). `N working days` is N times the length of the working day, so
/// 2 working days from Monday 15:00 on a 09:00–17:00 day ends on Wednesday at 15:00. Elapsed clocks
/// (`72 hours`) ignore the calendar. The clock never reads the machine's time or time zone.
/// A class: adding a clock reads its tables many times per referral, and a struct holding them would
/// be copied, with a retain of each, every time a program handed it out.
public final class WorkingCalendar: Sendable {
    public let spec: CalendarSpec
    /// Working hours as seconds after local midnight, and the bank holidays as bits from the first:
    /// read at every step of adding a clock, where hashing into `spec.holidays` cost more than the rest.
    private let dayStart: Int64, dayEnd: Int64
    private let firstHoliday: Int
    private let holidayBits: [UInt64]
    private let zone: TimeZone
    /// The zone's offsets from 1970 to 2100, read from the time-zone database once: `offsets[i]`
    /// holds from `transitions[i - 1]` (inclusive) to `transitions[i]`. Adding a clock asks for the
    /// offset at every step, and asking ICU each time (behind a lock) was an eighth of deciding.
    private let transitions: [Int64]
    private let offsets: [Int32]
    /// The mean time between two changes, for guessing where an instant falls among them.
    private let transitionSpacing: Int64
    /// Bit `d` set for ISO weekday `d` (1 = Monday) when it is a working day.
    private let workingDayBits: Int
    private static let tableEnd: Int64 = 4_102_444_800 // 2100-01-01T00:00:00Z
    /// The working days from `WorkingCalendar.dayTableFirst` (2000-01-01) to before
    /// `dayTableEnd` (2080-01-01), as epoch days in order, and for each day of that range how many
    /// come before it: a clock of whole working days is found by looking its last day up, where
    /// stepping through it day by day was two thirds of adding a clock (see `add`).
    private let workingDayList: [Int32]
    private let workingDaysBefore: [Int32]
    static let dayTableFirst = 10_957, dayTableEnd = 40_177

    public init?(_ spec: CalendarSpec) {
        guard let zone = TimeZone(identifier: spec.timeZone) else { return nil }
        self.spec = spec
        self.zone = zone
        let table = WorkingCalendar.offsetTable(zone)
        // Copies of their own (`map`), so threads with programs of their own share no storage.
        transitions = table.transitions.map { $0 }
        offsets = table.offsets.map { $0 }
        transitionSpacing = table.transitions.count > 1
            ? Swift.max(1, (table.transitions[table.transitions.count - 1] - table.transitions[0]) / Int64(table.transitions.count - 1))
            : 1
        workingDayBits = spec.workingDays.reduce(0) { $0 | (1 << $1) }
        dayStart = Int64(spec.dayStart)
        dayEnd = Int64(spec.dayEnd)
        let first = spec.holidays.min() ?? 0, last = spec.holidays.max() ?? -1
        firstHoliday = first
        // Holidays far apart (a table written for centuries) would make a long bit table: those
        // beyond 64 years of the first are looked up in the set.
        var bits = [UInt64](repeating: 0, count: max(0, min(last - first, 64 * 366) / 64 + 1))
        for day in spec.holidays where day - first < bits.count * 64 { bits[(day - first) / 64] |= 1 << UInt64((day - first) % 64) }
        holidayBits = bits
        var list: [Int32] = [], before: [Int32] = []
        before.reserveCapacity(WorkingCalendar.dayTableEnd - WorkingCalendar.dayTableFirst + 1)
        for day in WorkingCalendar.dayTableFirst..<WorkingCalendar.dayTableEnd {
            before.append(Int32(list.count))
            if Self.isWorkingDay(day, workingDayBits: workingDayBits, firstHoliday: first, holidayBits: bits, holidays: spec.holidays) {
                list.append(Int32(day))
            }
        }
        before.append(Int32(list.count))
        workingDayList = list
        workingDaysBefore = before
    }

    /// Reading a zone's transitions from the database takes milliseconds, so each zone's table is
    /// read once per process (loading a rule set again, as the tests and the checker do, reuses it).
    private final class OffsetTables: @unchecked Sendable {
        // Guarded by `lock`.
        let lock = NSLock()
        var tables: [String: (transitions: [Int64], offsets: [Int32])] = [:]
    }
    private static let offsetTables = OffsetTables()

    private static func offsetTable(_ zone: TimeZone) -> (transitions: [Int64], offsets: [Int32]) {
        offsetTables.lock.lock()
        defer { offsetTables.lock.unlock() }
        if let table = offsetTables.tables[zone.identifier] { return table }
        var at = Date(timeIntervalSince1970: 0)
        var transitions: [Int64] = [], offsets = [Int32(zone.secondsFromGMT(for: at))]
        while transitions.count < 10_000, let next = zone.nextDaylightSavingTimeTransition(after: at), next > at,
              next.timeIntervalSince1970 < TimeInterval(WorkingCalendar.tableEnd) {
            transitions.append(Int64(next.timeIntervalSince1970.rounded(.down)))
            offsets.append(Int32(zone.secondsFromGMT(for: next)))
            at = next
        }
        offsetTables.tables[zone.identifier] = (transitions, offsets)
        return (transitions, offsets)
    }

    public func offset(at seconds: Int64) -> Int32 { span(at: seconds).offset }

    /// The stretch of one offset holding `seconds`: `hint` when it holds it, else looked up and kept
    /// in `hint`. A caller adding clocks to one referral's times after another's (an `Evaluator`)
    /// keeps a hint, and mostly asks about the stretch it asked about last.
    @inline(__always) private func span(at seconds: Int64, near hint: inout OffsetSpan) -> OffsetSpan {
        if seconds >= hint.from, seconds < hint.until { return hint }
        let found = span(at: seconds)
        hint = OffsetSpan(offset: found.offset, from: found.from, until: found.until)
        return hint
    }

    /// The offset at `seconds`, and from when until when it holds (the time between two changes), so
    /// that adding a clock, which asks at every step, looks the table up once per change crossed.
    private func span(at seconds: Int64) -> (offset: Int32, from: Int64, until: Int64) {
        guard seconds >= 0, seconds < WorkingCalendar.tableEnd else {
            return (Int32(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))), seconds, seconds + 1)
        }
        // The number of transitions at or before `seconds`: guessed from the changes' mean spacing
        // (most zones change twice a year, evenly) and put right by a step or two; a search by
        // halves when the guess is further out. The search alone was a tenth of adding a clock.
        let count = transitions.count
        var low = 0
        if count > 0 {
            var guess = Swift.min(count, Swift.max(0, Int((seconds - transitions[0]) / transitionSpacing) + 1))
            var steps = 0
            while steps < 4, guess > 0, transitions[guess - 1] > seconds { guess -= 1; steps += 1 }
            while steps < 4, guess < count, transitions[guess] <= seconds { guess += 1; steps += 1 }
            if (guess == 0 || transitions[guess - 1] <= seconds) && (guess == count || transitions[guess] > seconds) {
                low = guess
            } else {
                var high = count
                while low < high {
                    let mid = (low + high) / 2
                    if transitions[mid] <= seconds { low = mid + 1 } else { high = mid }
                }
            }
        }
        return (offsets[low], low == 0 ? 0 : transitions[low - 1], low == count ? WorkingCalendar.tableEnd : transitions[low])
    }

    /// The same instant, written with the calendar's offset at that instant.
    public func local(_ t: DateTime) -> DateTime { t.with(offset: offset(at: t.seconds)) }

    /// The same, with a hint (see `span(at:near:)`).
    package func local(_ t: DateTime, near hint: inout OffsetSpan) -> DateTime { t.with(offset: span(at: t.seconds, near: &hint).offset) }

    public var workingDaySeconds: Int64 { dayEnd - dayStart }

    @inline(__always) func isWorkingDay(_ epochDay: Int) -> Bool {
        Self.isWorkingDay(epochDay, workingDayBits: workingDayBits, firstHoliday: firstHoliday, holidayBits: holidayBits, holidays: spec.holidays)
    }

    @inline(__always) private static func isWorkingDay(_ epochDay: Int, workingDayBits: Int, firstHoliday: Int, holidayBits: [UInt64],
                                                       holidays: Set<Int>) -> Bool {
        let weekday = ((epochDay % 7 + 7 + 3) % 7) + 1 // as LocalDate.weekday
        guard workingDayBits & (1 << weekday) != 0 else { return false }
        let k = epochDay - firstHoliday
        guard k >= 0 else { return true }
        if k < holidayBits.count * 64 { return holidayBits[k / 64] & (1 << UInt64(k % 64)) == 0 }
        return !holidays.contains(epochDay)
    }

    public static func elapsedSeconds(_ clock: ClockSpec) -> Int64 {
        let n = Int64(clock.amount)
        switch clock.unit {
        case .minutes: return n * 60
        case .hours: return n * 3600
        case .days: return n * 86400
        case .weeks: return n * 7 * 86400
        }
    }

    public func add(_ clock: ClockSpec, to start: DateTime) -> DateTime? {
        var hint = OffsetSpan.none
        return add(clock, to: start, near: &hint)
    }

    /// The same, with a hint (see `span(at:near:)`).
    package func add(_ clock: ClockSpec, to start: DateTime, near hint: inout OffsetSpan) -> DateTime? {
        guard clock.working else {
            return local(DateTime(seconds: start.seconds + WorkingCalendar.elapsedSeconds(clock), nanoseconds: start.nanoseconds), near: &hint)
        }
        let remaining = workingSeconds(clock)
        guard workingDayBits != 0, workingDaySeconds > 0 else { return nil }
        if let due = addWithinOneOffset(remaining, to: start, near: &hint) { return due }
        return addStepping(remaining, to: start)
    }

    /// The working time a working clock counts: a working day is the working day's length, a week five.
    package func workingSeconds(_ clock: ClockSpec) -> Int64 {
        let n = Int64(clock.amount)
        switch clock.unit {
        case .minutes: return n * 60
        case .hours: return n * 3600
        case .days: return n * workingDaySeconds
        case .weeks: return n * 5 * workingDaySeconds
        }
    }

    /// `remaining` working seconds from `start`, found with the day tables, when the whole clock runs
    /// in one stretch of the zone's offset (between two changes of summer time) and within the
    /// tables; nil otherwise, and `addStepping` decides. In one offset, local time is UTC moved by a
    /// constant, and what `addStepping` does step by step comes to this: the rest of the first day if
    /// it is a working day and the clock fits there; otherwise the clock ends on the working day
    /// `(remaining - 1) / length` whole working days after the next one, `remaining` less those days
    /// into its working hours (a clock ending exactly at close ends then, not at the next opening).
    private func addWithinOneOffset(_ working: Int64, to start: DateTime, near hint: inout OffsetSpan) -> DateTime? {
        let current = span(at: start.seconds, near: &hint)
        let local = start.seconds + Int64(current.offset)
        let day = Int((local >= 0 ? local : local - 86399) / 86400)
        let secondOfDay = local - Int64(day) * 86400
        guard working >= 0, day >= WorkingCalendar.dayTableFirst, day < WorkingCalendar.dayTableEnd else { return nil }
        var remaining = working
        if isWorkingDay(day), secondOfDay < dayEnd {
            let from = Swift.max(secondOfDay, dayStart)
            let available = dayEnd - from
            if remaining <= available {
                let due = start.seconds + (from - secondOfDay) + remaining
                guard due < current.until else { return nil }
                // Written with the offset of the stretch it falls in (as `local` would find it).
                return DateTime(seconds: due, nanoseconds: from == secondOfDay ? start.nanoseconds : 0).with(offset: current.offset)
            }
            remaining -= available
        }
        let length = workingDaySeconds
        let wholeDays = (remaining - 1) / length
        let index = Int64(workingDaysBefore[day + 1 - WorkingCalendar.dayTableFirst]) + wholeDays
        guard index < Int64(workingDayList.count) else { return nil }
        let last = Int(workingDayList[Int(index)])
        // `addStepping` gives up after 20,000 steps, at most three a day: far longer clocks are left to it.
        guard last - day <= 6_000 else { return nil }
        let due = Int64(last) * 86400 + dayStart + (remaining - wholeDays * length) - Int64(current.offset)
        guard due < current.until else { return nil }
        return DateTime(seconds: due, nanoseconds: 0).with(offset: current.offset)
    }

    /// `remaining` working seconds from `start`, a step at a time: through the working hours of a day,
    /// to the next midnight, to the next opening, asking for the zone's offset at each step. `add` uses
    /// it where the day tables do not serve; the tests hold the tables to it.
    package func addStepping(_ working: Int64, to start: DateTime) -> DateTime? {
        guard workingDayBits != 0, workingDaySeconds > 0 else { return nil }
        var remaining = working
        var t = start.seconds
        var current = span(at: t)
        // Each step either finishes, uses up a working day, or moves to the next day; a year of bank
        // holidays cannot make this loop run away.
        for _ in 0..<20_000 {
            if t < current.from || t >= current.until { current = span(at: t) }
            let local = t + Int64(current.offset)
            let day = Int((local >= 0 ? local : local - 86399) / 86400)
            let secondOfDay = local - Int64(day) * 86400
            if isWorkingDay(day), secondOfDay < dayEnd {
                if secondOfDay < dayStart {
                    t += dayStart - secondOfDay
                    continue
                }
                let available = dayEnd - secondOfDay
                if remaining <= available {
                    return self.local(DateTime(seconds: t + remaining, nanoseconds: t == start.seconds ? start.nanoseconds : 0))
                }
                remaining -= available
                t += available
            } else {
                t += 86400 - secondOfDay
            }
        }
        return nil
    }

    /// Without a calendar only elapsed clocks can be added; the checker rejects working clocks then.
    public static func addElapsed(_ clock: ClockSpec, to start: DateTime) -> DateTime {
        DateTime(seconds: start.seconds + elapsedSeconds(clock), nanoseconds: start.nanoseconds, offset: start.offset)
    }
}

extension WorkingCalendar {
    /// True when `t` falls in working hours on a working day.
    public func isWorkingTime(_ t: DateTime) -> Bool {
        let (date, secondOfDay) = local(t).local
        return isWorkingDay(date.epochDay) && secondOfDay >= spec.dayStart && secondOfDay < spec.dayEnd
    }
}

/// A stretch of time in which a zone's offset from UTC does not change: from `from` (inclusive) to
/// `until`. `none` holds no time.
package struct OffsetSpan: Sendable {
    let offset: Int32
    let from: Int64, until: Int64
    package static let none = OffsetSpan(offset: 0, from: 0, until: 0)
}
