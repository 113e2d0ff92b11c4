import Foundation

/// The rows of a calendar's day grid at one location: `step`-minute rows from the whole hour at or before the earliest
/// time shown to the whole hour at or after the latest, in the location's wall-clock minutes (0 = midnight). A day with
/// nothing to show gets office hours.
public struct DayGrid: Equatable, Sendable {
    public let firstMinute: Int
    public let endMinute: Int
    public let step: Int

    public init(covering spans: [ClosedRange<Int>], step: Int = 15, empty: ClosedRange<Int> = (8 * 60)...(17 * 60)) {
        precondition(step > 0 && 60 % step == 0, "a row is a whole fraction of an hour")
        let shown = spans.isEmpty ? [empty] : spans
        let lo = max(0, shown.map(\.lowerBound).min()!)
        let hi = min(24 * 60, max(shown.map(\.upperBound).max()!, lo + step))
        firstMinute = lo / 60 * 60
        endMinute = min(24 * 60, (hi + 59) / 60 * 60)
        self.step = step
    }

    public var rowCount: Int { (endMinute - firstMinute) / step }

    /// The wall-clock minute a row (0-based) starts at.
    public func minute(ofRow row: Int) -> Int { firstMinute + row * step }

    /// The rows (0-based first row, how many) a span covers, clipped to the grid; a span shorter than a row still
    /// gets one. Nil when it lies wholly outside.
    public func rows(from start: Int, to end: Int) -> (first: Int, count: Int)? {
        let s = max(start, firstMinute), e = min(max(end, start + 1), endMinute)
        guard s < e else { return nil }
        let first = (s - firstMinute) / step
        let last = (e - firstMinute + step - 1) / step
        return (first, max(1, last - first))
    }

    /// Wall-clock minutes since midnight of an instant in `zone` (the grid's axis).
    public static func minuteOfDay(_ instant: Date, in zone: TimeZone) -> Int {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let c = cal.dateComponents([.hour, .minute], from: instant)
        return (c.hour ?? 0) * 60 + (c.minute ?? 0)
    }
}
