import Foundation

/// A provider's working hours at one location on one weekday, in that location's wall-clock minutes.
public struct WeeklyHours: Equatable, Sendable, Codable {
    public let weekday: Int  // 1 = Sunday … 7 = Saturday
    public let startMinute: Int  // minutes after local midnight
    public let endMinute: Int
    public let locationID: UUID

    public init(weekday: Int, startMinute: Int, endMinute: Int, locationID: UUID) {
        self.weekday = weekday
        self.startMinute = startMinute
        self.endMinute = endMinute
        self.locationID = locationID
    }
}

extension WeeklyHours {
    /// Provider hours cut to a location's opening hours (no opening hours defined: unchanged).
    public static func within(_ provider: [WeeklyHours], opening: [WeeklyHours]) -> [WeeklyHours] {
        guard !opening.isEmpty else { return provider }
        var out: [WeeklyHours] = []
        for p in provider {
            for o in opening where o.weekday == p.weekday && o.locationID == p.locationID {
                let s = max(p.startMinute, o.startMinute), e = min(p.endMinute, o.endMinute)
                if e > s {
                    out.append(WeeklyHours(weekday: p.weekday, startMinute: s, endMinute: e, locationID: p.locationID))
                }
            }
            if !opening.contains(where: { $0.locationID == p.locationID }) { out.append(p) }
        }
        return out
    }
}

extension WeeklyHours {
    /// Where a provider's new weekly hours collide with hours they already have, compared as instants: each set of
    /// hours is in its own location's zone, so 16:00–20:00 Eastern and 08:00–16:00 Central overlap from 15:00 to
    /// 16:00 Central. Checked for every day of a year from `from`, so a difference in daylight-saving rules shows.
    /// Returns the first instant both are worked, or nil.
    public static func firstOverlap(
        _ new: WeeklyHours, existing: [WeeklyHours], zones: [UUID: TimeZone], from: Date,
        days: Int = 371
    ) -> Date? {
        guard let newZone = zones[new.locationID] else { return nil }
        func spans(_ h: WeeklyHours, _ zone: TimeZone) -> [TimeSpan] {
            // A day either side, so hours near midnight in another zone are compared with the right local day.
            let first = LocalDay.of(from, in: zone).adding(days: -1)
            return (0...(days + 1)).compactMap { n -> TimeSpan? in
                let d = first.adding(days: n)
                guard d.weekday == h.weekday, let s = d.instant(minuteOfDay: h.startMinute, in: zone),
                    let e = d.instant(minuteOfDay: h.endMinute, in: zone), e > s
                else { return nil }
                return TimeSpan(start: s, end: e)
            }
        }
        let mine = spans(new, newZone)
        var first: Date?
        for other in existing {
            guard let zone = zones[other.locationID] else { continue }
            for o in spans(other, zone) {
                for m in mine where m.start < o.end && o.start < m.end {
                    let at = max(m.start, o.start)
                    if first == nil || at < first! { first = at }
                }
            }
        }
        return first
    }
}

/// Time a resource is taken: a booking (with its location, for travel buffers), leave or blocked time.
public struct Busy: Equatable, Sendable {
    public let span: TimeSpan
    /// Where the provider is during it; nil for leave and blocked time (no travel involved).
    public let locationID: UUID?

    public init(span: TimeSpan, locationID: UUID?) {
        self.span = span
        self.locationID = locationID
    }
}

public struct SlotRequest: Sendable {
    public let day: LocalDay
    public let zone: TimeZone
    public let locationID: UUID
    public let duration: TimeInterval
    public let step: TimeInterval
    /// Gap a provider needs when switching location within a day.
    public let travelBuffer: TimeInterval
    /// Slots must start at or after this instant (no booking in the past).
    public let notBefore: Date

    public init(
        day: LocalDay, zone: TimeZone, locationID: UUID, duration: TimeInterval, step: TimeInterval = 15 * 60,
        travelBuffer: TimeInterval = 30 * 60, notBefore: Date = .distantPast
    ) {
        self.day = day
        self.zone = zone
        self.locationID = locationID
        self.duration = duration
        self.step = step
        self.travelBuffer = travelBuffer
        self.notBefore = notBefore
    }
}

public enum SlotRules {
    /// Appointments start on a 5-minute mark with no seconds (the same in every zone: offsets are whole 15 minutes).
    public static func onGrid(_ start: Date) -> Bool {
        let seconds = start.timeIntervalSince1970
        return seconds == seconds.rounded() && Int64(seconds) % 300 == 0
    }

    /// Free start times for one provider on one local day at one location: inside the provider's hours there,
    /// clear of every busy span, and — around bookings at another location — clear of the travel buffer too.
    /// `roomFree` (optional) says whether some room of the location is free for a candidate span.
    public static func freeSlots(
        _ r: SlotRequest, hours: [WeeklyHours], providerBusy: [Busy],
        roomFree: ((TimeSpan) -> Bool)? = nil
    ) -> [TimeSpan] {
        var out: [TimeSpan] = []
        for h in hours where h.weekday == r.day.weekday && h.locationID == r.locationID && h.endMinute > h.startMinute {
            guard let open = r.day.instant(minuteOfDay: h.startMinute, in: r.zone),
                let close = r.day.instant(minuteOfDay: h.endMinute, in: r.zone)
            else { continue }
            var t = open
            while t.addingTimeInterval(r.duration) <= close {
                let candidate = TimeSpan(start: t, end: t.addingTimeInterval(r.duration))
                if t >= r.notBefore,
                    isClear(candidate, at: r.locationID, busy: providerBusy, travelBuffer: r.travelBuffer),
                    roomFree?(candidate) ?? true
                {
                    out.append(candidate)
                }
                t = t.addingTimeInterval(r.step)
            }
        }
        return out.sorted { $0.start < $1.start }
    }

    /// Whether a provider can take `span` at `location` given what they already have.
    public static func isClear(_ span: TimeSpan, at location: UUID, busy: [Busy], travelBuffer: TimeInterval) -> Bool {
        for b in busy {
            let needsTravel = b.locationID != nil && b.locationID != location
            let blocked = needsTravel ? b.span.padded(by: travelBuffer) : b.span
            if blocked.overlaps(span) { return false }
        }
        return true
    }

    /// Whether the provider works at `location` for the whole span (per the weekly hours of that local day).
    public static func withinHours(_ span: TimeSpan, location: UUID, zone: TimeZone, hours: [WeeklyHours]) -> Bool {
        let day = LocalDay.of(span.start, in: zone)
        return hours.contains { h in
            guard h.weekday == day.weekday, h.locationID == location,
                let open = day.instant(minuteOfDay: h.startMinute, in: zone),
                let close = day.instant(minuteOfDay: h.endMinute, in: zone)
            else { return false }
            return TimeSpan(start: open, end: close).contains(span)
        }
    }
}

/// FHIR Appointment.status values CareSync uses, and which changes are allowed.
public enum AppointmentStatus: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    /// The stored FHIR word (what pages and messages show).
    public var description: String { rawValue }

    case proposed, booked, arrived
    case checkedIn = "checked-in"
    case fulfilled, cancelled, noshow
    case enteredInError = "entered-in-error"

    /// In words, for a calendar block.
    public var label: String {
        switch self {
        case .proposed: "proposed"
        case .booked: "booked"
        case .arrived: "arrived"
        case .checkedIn: "checked in"
        case .fulfilled: "completed"
        case .cancelled: "cancelled"
        case .noshow: "no-show"
        case .enteredInError: "entered in error"
        }
    }

    /// Statuses that hold the provider, room and patient (the database constraints use the same list).
    public var holdsTime: Bool { ![.cancelled, .noshow, .enteredInError].contains(self) }

    public var isFinal: Bool { [.fulfilled, .cancelled, .noshow, .enteredInError].contains(self) }

    public func canChange(to next: AppointmentStatus) -> Bool {
        if next == .enteredInError { return self != .enteredInError }
        switch (self, next) {
        case (.proposed, .booked), (.proposed, .cancelled): return true
        case (.booked, .arrived), (.booked, .checkedIn), (.booked, .cancelled), (.booked, .noshow): return true
        case (.arrived, .checkedIn), (.arrived, .fulfilled), (.arrived, .cancelled): return true
        case (.checkedIn, .fulfilled), (.checkedIn, .cancelled): return true
        default: return false
        }
    }
}
