import Foundation

/// A half-open span of time [start, end): back-to-back spans do not overlap.
public struct TimeSpan: Equatable, Hashable, Sendable, Codable {
    public let start: Date
    public let end: Date

    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }

    public var duration: TimeInterval { end.timeIntervalSince(start) }
    public var isEmpty: Bool { end <= start }

    public func overlaps(_ o: TimeSpan) -> Bool { start < o.end && o.start < end }
    public func contains(_ o: TimeSpan) -> Bool { start <= o.start && o.end <= end }
    public func padded(by seconds: TimeInterval) -> TimeSpan {
        TimeSpan(start: start.addingTimeInterval(-seconds), end: end.addingTimeInterval(seconds))
    }
}

/// A wall-clock date in a location's zone, and conversions that are right on DST change days.
public struct LocalDay: Equatable, Hashable, Sendable, Comparable {
    public let year: Int, month: Int, day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public init?(_ iso: String) {
        guard let d = CalendarDate.parse(iso) else { return nil }
        self.init(year: d.year, month: d.month, day: d.day)
    }

    public var iso: String { String(format: "%04d-%02d-%02d", year, month, day) }

    public static func < (a: LocalDay, b: LocalDay) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    static func calendar(_ zone: TimeZone) -> Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = zone
        return c
    }

    /// The local day an instant falls on in `zone`.
    public static func of(_ instant: Date, in zone: TimeZone) -> LocalDay {
        let c = calendar(zone).dateComponents([.year, .month, .day], from: instant)
        return LocalDay(year: c.year!, month: c.month!, day: c.day!)
    }

    /// 1 = Sunday … 7 = Saturday, as Calendar numbers weekdays.
    public var weekday: Int {
        let cal = LocalDay.calendar(TimeZone(identifier: "UTC")!)
        return cal.component(
            .weekday, from: cal.date(from: DateComponents(year: year, month: month, day: day, hour: 12))!)
    }

    public func adding(days n: Int) -> LocalDay {
        let cal = LocalDay.calendar(TimeZone(identifier: "UTC")!)
        let noon = cal.date(from: DateComponents(year: year, month: month, day: day, hour: 12))!
        let d = cal.date(byAdding: .day, value: n, to: noon)!
        return LocalDay.of(d, in: TimeZone(identifier: "UTC")!)
    }

    /// The instant of a wall-clock time on this day in `zone`; nil when that time does not exist (the spring-forward
    /// gap). In the fall-back hour the earlier of the two instants is used.
    public func instant(minuteOfDay m: Int, in zone: TimeZone) -> Date? {
        let cal = LocalDay.calendar(zone)
        let comps = DateComponents(year: year, month: month, day: day, hour: m / 60, minute: m % 60)
        guard let d = cal.date(from: comps) else { return nil }
        let back = cal.dateComponents([.year, .month, .day, .hour, .minute], from: d)
        guard back.year == year, back.month == month, back.day == day, back.hour == m / 60, back.minute == m % 60 else {
            return nil
        }
        // In the fall-back hour a wall time happens twice: take the first occurrence.
        let earlier = d.addingTimeInterval(-3600)
        let e = cal.dateComponents([.year, .month, .day, .hour, .minute], from: earlier)
        if e.year == year, e.month == month, e.day == day, e.hour == m / 60, e.minute == m % 60 { return earlier }
        return d
    }

    /// The whole local day as a span of instants (23, 24 or 25 hours long).
    public func span(in zone: TimeZone) -> TimeSpan {
        let cal = LocalDay.calendar(zone)
        let start = cal.startOfDay(for: cal.date(from: DateComponents(year: year, month: month, day: day, hour: 12))!)
        let next = adding(days: 1)
        let end = cal.startOfDay(
            for: cal.date(from: DateComponents(year: next.year, month: next.month, day: next.day, hour: 12))!)
        return TimeSpan(start: start, end: end)
    }
}
