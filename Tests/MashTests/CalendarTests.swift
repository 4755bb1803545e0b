import Foundation
import Mash
import MashDryRun
import MashRuntime
import MashSyntax
import Testing

@Suite struct CalendarTests {
    static let calendar = WorkingCalendar(CalendarSpec(
        timeZone: "Europe/London", workingDays: [1, 2, 3, 4, 5], dayStart: 9 * 3600, dayEnd: 17 * 3600,
        holidays: [LocalDate(year: 2026, month: 4, day: 3)!.epochDay, LocalDate(year: 2026, month: 4, day: 6)!.epochDay]))!

    static let cases: [(String, Int, Bool, Clock.Unit, String)] = [
        ("2026-03-02T15:00:00Z", 4, true, .hours, "2026-03-03T11:00:00Z"),      // Monday into Tuesday
        ("2026-03-06T16:00:00Z", 2, true, .hours, "2026-03-09T10:00:00Z"),      // Friday over the weekend
        ("2026-03-07T10:00:00Z", 1, true, .hours, "2026-03-09T10:00:00Z"),      // received on a Saturday
        ("2026-03-03T07:00:00Z", 1, true, .hours, "2026-03-03T10:00:00Z"),      // before the working day
        ("2026-03-02T13:20:00Z", 24, true, .hours, "2026-03-05T13:20:00Z"),     // three working days
        ("2026-03-02T15:00:00Z", 2, true, .days, "2026-03-04T15:00:00Z"),       // working days are working-day lengths
        ("2026-03-02T17:00:00Z", 8, true, .hours, "2026-03-03T17:00:00Z"),      // ends exactly at close
        ("2026-04-02T15:00:00Z", 2, true, .hours, "2026-04-07T10:00:00+01:00"), // over Good Friday and Easter Monday
        ("2026-03-27T16:00:00Z", 2, true, .hours, "2026-03-30T10:00:00+01:00"), // clocks go forward on 29 March
        ("2026-10-23T15:30:00+01:00", 2, true, .hours, "2026-10-26T09:30:00Z"), // and back on 25 October
        ("2026-03-06T10:00:00Z", 72, false, .hours, "2026-03-09T10:00:00Z"),    // elapsed time ignores the weekend
        ("2026-03-02T22:40:00Z", 4, false, .hours, "2026-03-03T02:40:00Z"),     // red runs out of hours
        ("2026-03-02T09:00:00Z", 90, true, .minutes, "2026-03-02T10:30:00Z"),
        ("2026-03-02T09:00:00Z", 1, true, .weeks, "2026-03-06T17:00:00Z"),  // a working week ends at Friday's close
    ]

    @Test(arguments: cases)
    func addsClock(_ start: String, _ amount: Int, _ working: Bool, _ unit: Clock.Unit, _ expected: String) throws {
        let from = try #require(DateTime.parse(start))
        let due = Self.calendar.add(ClockSpec(amount: amount, working: working, unit: unit), to: from)
        #expect(due?.description == expected)
    }

    /// Holidays are kept as bits from the first; every working day of six years, with holidays on
    /// either side of each 64-day word, and one a century on (beyond the bits), must be what the
    /// holiday list says.
    @Test func holidaysAreWhatTheListSays() throws {
        let first = try #require(LocalDate(year: 2026, month: 1, day: 1)).epochDay
        let offsets = [0, 63, 64, 65, 127, 128, 700, 36_500]
        let holidays = Set(offsets.map { first + $0 })
        let calendar = try #require(WorkingCalendar(CalendarSpec(timeZone: "UTC", workingDays: [1, 2, 3, 4, 5],
                                                                 dayStart: 9 * 3600, dayEnd: 17 * 3600, holidays: holidays)))
        var wrong: [Int] = []
        let days = Array((first - 10)..<(first + 6 * 366)) + [36_499, 36_500, 36_501].map { first + $0 }
        for day in days {
            let weekday = LocalDate(epochDay: day).weekday
            let expected = weekday <= 5 && !holidays.contains(day)
            // One working hour from the start of the day ends at 10:00 that day exactly when it is a working day.
            let start = DateTime(seconds: Int64(day) * 86_400 + 9 * 3600, nanoseconds: 0)
            let due = calendar.add(ClockSpec(amount: 1, working: true, unit: .hours), to: start)
            if (due?.seconds == start.seconds + 3600) != expected { wrong.append(day) }
        }
        #expect(wrong == [])
    }

    /// The calendar keeps each zone's offsets in a table read once; it must agree with the time-zone
    /// database at every hour and on both sides of every change, in zones with summer time, with
    /// half-hour summer time, with none, and south of the equator; outside the table it asks the database.
    @Test(arguments: ["Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo", "America/New_York"])
    func offsetsAgreeWithTheTimeZoneDatabase(_ identifier: String) throws {
        let calendar = try #require(WorkingCalendar(CalendarSpec(timeZone: identifier, workingDays: [1, 2, 3, 4, 5],
                                                                 dayStart: 9 * 3600, dayEnd: 17 * 3600, holidays: [])))
        let zone = try #require(TimeZone(identifier: identifier))
        func database(_ s: Int64) -> Int32 { Int32(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(s)))) }
        var mismatches: [Int64] = []
        // Every hour of 2024 to 2027, and each second either side of each hour (a change falls on one).
        for hour in stride(from: Int64(1_704_067_200), to: 1_830_297_600, by: 3600) {
            for s in [hour - 1, hour, hour + 1] where calendar.offset(at: s) != database(s) { mismatches.append(s) }
        }
        // Every 13 hours from 1970 to 2100, so that each part of the table is read at some time of day.
        for s in stride(from: Int64(0), to: 4_102_444_800, by: 13 * 3600) where calendar.offset(at: s) != database(s) {
            mismatches.append(s)
        }
        // Far past and future, in and outside the table.
        for s: Int64 in [0, 86_400 * 365 * 10, 4_102_444_799, 4_102_444_800, 5_000_000_000, -1_000_000] where calendar.offset(at: s) != database(s) {
            mismatches.append(s)
        }
        #expect(mismatches.isEmpty, "\(identifier): \(mismatches.prefix(5))")
    }

    /// `add` finds a clock that runs in one offset with its day tables, and steps through it only
    /// otherwise; both must give what stepping gives, to the nanosecond and offset, for starts at
    /// random from 1999 to 2081 (the tables cover 2000 to 2079), on both sides of each change of summer
    /// time, at opening and close, in zones with summer time, with half-hour summer time, with
    /// none, south of the equator, and for a night shift and six working days a week.
    @Test(arguments: ["Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo", "America/New_York"])
    func dayTablesGiveWhatSteppingGives(_ identifier: String) throws {
        let dates: [(Int, Int, Int)] = [(2026, 4, 3), (2026, 4, 6), (2026, 12, 25), (2026, 12, 28), (2027, 1, 1), (2000, 1, 3), (2079, 12, 30)]
        let holidays = Set(dates.compactMap { LocalDate(year: $0.0, month: $0.1, day: $0.2)?.epochDay })
        let shapes: [(days: Set<Int>, open: Int, close: Int)] = [([1, 2, 3, 4, 5], 32_400, 61_200), ([1, 2, 3, 4, 5, 6], 27_000, 68_400),
                                                                  ([1, 2, 3, 4, 7], 79_200, 86_400)]
        var calendars: [WorkingCalendar] = []
        for shape in shapes {
            let spec = CalendarSpec(timeZone: identifier, workingDays: shape.days, dayStart: shape.open, dayEnd: shape.close, holidays: holidays)
            calendars.append(try #require(WorkingCalendar(spec)))
        }
        var random = SeededRandom(seed: 19)
        var starts: [DateTime] = []
        for _ in 0..<1_000 {
            // 1999-01-01 to 2081-01-01, at any second, with or without a fraction.
            let seconds = Int64(random.int(915_148_800...3_502_828_800))
            starts.append(DateTime(seconds: seconds, nanoseconds: random.chance(0.3) ? Int32(random.int(1...999_999_999)) : 0))
        }
        // Either side of each change of offset from 2024 to 2027, and at opening and close nearby.
        for hour in stride(from: Int64(1_704_067_200), to: 1_830_297_600, by: 3600) where calendars[0].offset(at: hour - 3600) != calendars[0].offset(at: hour) {
            for delta: Int64 in [-86_400 * 3, -86_400, -3601, -1, 0, 1, 3600, 86_400, 86_400 * 2] { starts.append(DateTime(seconds: hour + delta)) }
        }
        for day in [20_600, 20_601, 20_602, 20_605, 20_606] {
            for s: Int64 in [0, 7 * 3600 + 1800, 9 * 3600, 17 * 3600, 19 * 3600, 22 * 3600, 86_399] {
                starts.append(DateTime(seconds: Int64(day) * 86_400 + s - Int64(calendars[0].offset(at: Int64(day) * 86_400))))
            }
        }
        // Clocks of years (stepping gives up on the longest), for a few of the starts: stepping through them is slow.
        let clocks: [(Int, Clock.Unit)] = [(0, .hours), (1, .minutes), (90, .minutes), (1, .hours), (8, .hours), (24, .hours), (37, .hours),
                                           (1, .days), (5, .days), (1, .weeks), (13, .weeks)]
        let long: [(Int, Clock.Unit)] = [(400, .weeks), (1_300, .weeks), (2_000, .weeks)]
        var wrong: [String] = []
        for calendar in calendars {
            for (n, start) in starts.enumerated() {
                for (amount, unit) in n % 50 == 0 ? clocks + long : clocks {
                    // What the clock counts is pinned by `addsClock`; here only how it is counted.
                    let clock = ClockSpec(amount: amount, working: true, unit: unit)
                    let found = calendar.add(clock, to: start)
                    let stepped = calendar.addStepping(calendar.workingSeconds(clock), to: start)
                    if found != stepped || found?.offset != stepped?.offset || found?.nanoseconds != stepped?.nanoseconds {
                        wrong.append("\(start) + \(amount) \(unit) (\(calendar.spec.dayStart)): \(found.map { "\($0)" } ?? "nil") != \(stepped.map { "\($0)" } ?? "nil")")
                    }
                }
            }
        }
        #expect(wrong.isEmpty, "\(identifier): \(wrong.count) wrong, \(wrong.prefix(3))")
    }

    /// An evaluator keeps the stretch of offset it last asked about and reads a time's offset from it
    /// when the time falls in it. Times either side of each change, exactly at it, and far apart, in
    /// turns, must be written, and clocks added, as without the hint.
    @Test(arguments: ["Europe/London", "Australia/Lord_Howe", "Asia/Kolkata"])
    func offsetHintGivesWhatLookingUpGives(_ identifier: String) throws {
        let calendar = try #require(WorkingCalendar(CalendarSpec(timeZone: identifier, workingDays: [1, 2, 3, 4, 5],
                                                                 dayStart: 9 * 3600, dayEnd: 17 * 3600, holidays: [])))
        var times: [Int64] = [0, -1, 4_102_444_799, 4_102_444_800, 5_000_000_000]
        for hour in stride(from: Int64(1_704_067_200), to: 1_830_297_600, by: 3600) where calendar.offset(at: hour - 3600) != calendar.offset(at: hour) {
            // The change falls within the hour before `hour`: every second of its last minute, and an hour on.
            for s in (hour - 3600)...(hour + 3600) where s % 60 == 0 || s >= hour - 60 { times.append(s) }
        }
        var random = SeededRandom(seed: 23)
        times += (0..<2_000).map { _ in Int64(random.int(1_704_067_200...1_830_297_600)) }
        var hint = OffsetSpan.none
        var wrong: [Int64] = []
        for (n, s) in times.enumerated() {
            let t = DateTime(seconds: s, nanoseconds: 5)
            let local = calendar.local(t, near: &hint)
            if local != calendar.local(t) || local.offset != calendar.local(t).offset { wrong.append(s) }
            let clock = ClockSpec(amount: n % 7 + 1, working: n % 2 == 0, unit: .hours)
            let due = calendar.add(clock, to: t, near: &hint), expected = calendar.add(clock, to: t)
            if due != expected || due?.offset != expected?.offset { wrong.append(s) }
        }
        #expect(wrong.isEmpty, "\(identifier): \(wrong.prefix(5))")
    }
}
