import XCTest
@testable import Domain

final class SchedulingRulesTests: XCTestCase {
    let chicago = TimeZone(identifier: "America/Chicago")!
    let main = UUID(), lake = UUID()

    func utc(_ s: String) -> Date { ISO8601DateFormatter().date(from: s)! }

    func test_localTimes_areRightOnBothDSTChangeDays() {
        // 2026-03-08: clocks jump 02:00 → 03:00 in Chicago; 2026-11-01: 02:00 → 01:00.
        let before = LocalDay("2026-03-07")!, spring = LocalDay("2026-03-08")!, fall = LocalDay("2026-11-01")!
        XCTAssertEqual(before.instant(minuteOfDay: 9 * 60, in: chicago), utc("2026-03-07T15:00:00Z"))
        XCTAssertEqual(spring.instant(minuteOfDay: 9 * 60, in: chicago), utc("2026-03-08T14:00:00Z"))
        XCTAssertNil(spring.instant(minuteOfDay: 2 * 60 + 30, in: chicago), "02:30 does not exist that day")
        XCTAssertEqual(fall.instant(minuteOfDay: 9 * 60, in: chicago), utc("2026-11-01T15:00:00Z"))
        XCTAssertEqual(
            fall.instant(minuteOfDay: 60 + 30, in: chicago), utc("2026-11-01T06:30:00Z"), "first of the two 01:30s")
        XCTAssertEqual(spring.span(in: chicago).duration, 23 * 3600)
        XCTAssertEqual(fall.span(in: chicago).duration, 25 * 3600)
        XCTAssertEqual(LocalDay.of(utc("2026-03-08T05:30:00Z"), in: chicago), LocalDay("2026-03-07")!)
    }

    func test_slots_onSpringForwardDay_followTheWallClock() {
        let day = LocalDay("2026-03-08")!  // a Sunday
        let hours = [WeeklyHours(weekday: day.weekday, startMinute: 8 * 60, endMinute: 12 * 60, locationID: main)]
        let slots = SlotRules.freeSlots(
            SlotRequest(day: day, zone: chicago, locationID: main, duration: 30 * 60, step: 30 * 60),
            hours: hours, providerBusy: [])
        XCTAssertEqual(slots.count, 8)
        XCTAssertEqual(slots.first?.start, utc("2026-03-08T13:00:00Z"), "08:00 CDT")
        XCTAssertEqual(slots.last?.end, utc("2026-03-08T17:00:00Z"), "12:00 CDT")
    }

    func test_slots_avoidBookingsLeaveAndTravelBuffer() {
        let day = LocalDay("2026-06-03")!
        let hours = [WeeklyHours(weekday: day.weekday, startMinute: 9 * 60, endMinute: 12 * 60, locationID: main)]
        let at = { (h: Int, m: Int) in day.instant(minuteOfDay: h * 60 + m, in: self.chicago)! }
        let busy = [
            Busy(span: TimeSpan(start: at(9, 0), end: at(9, 30)), locationID: main),  // booked here
            Busy(span: TimeSpan(start: at(10, 30), end: at(11, 0)), locationID: lake),  // booked at the other clinic
            Busy(span: TimeSpan(start: at(11, 30), end: at(12, 0)), locationID: nil),  // blocked time
        ]
        let slots = SlotRules.freeSlots(
            SlotRequest(
                day: day, zone: chicago, locationID: main, duration: 30 * 60, step: 30 * 60,
                travelBuffer: 30 * 60), hours: hours, providerBusy: busy)
        XCTAssertEqual(
            slots.map(\.start), [at(9, 30)],
            "10:00 and 11:00 fall in the 30-minute travel buffer around the Lakeshore visit")
        // Back-to-back at the same location is fine (half-open spans).
        XCTAssertTrue(
            SlotRules.isClear(TimeSpan(start: at(9, 30), end: at(10, 0)), at: main, busy: busy, travelBuffer: 1800))
        XCTAssertFalse(
            SlotRules.isClear(TimeSpan(start: at(11, 0), end: at(11, 30)), at: main, busy: busy, travelBuffer: 1800))
        XCTAssertTrue(
            SlotRules.isClear(TimeSpan(start: at(11, 0), end: at(11, 30)), at: lake, busy: busy, travelBuffer: 1800))
    }

    func test_slots_respectNotBeforeAndRoomAvailability() {
        let day = LocalDay("2026-06-03")!
        let hours = [WeeklyHours(weekday: day.weekday, startMinute: 9 * 60, endMinute: 11 * 60, locationID: main)]
        let at = { (h: Int, m: Int) in day.instant(minuteOfDay: h * 60 + m, in: self.chicago)! }
        let slots = SlotRules.freeSlots(
            SlotRequest(day: day, zone: chicago, locationID: main, duration: 3600, step: 1800, notBefore: at(9, 15)),
            hours: hours, providerBusy: [], roomFree: { $0.start != at(10, 0) })
        XCTAssertEqual(slots.map(\.start), [at(9, 30)])
        XCTAssertTrue(
            SlotRules.withinHours(
                TimeSpan(start: at(9, 0), end: at(10, 0)), location: main, zone: chicago, hours: hours))
        XCTAssertFalse(
            SlotRules.withinHours(
                TimeSpan(start: at(10, 30), end: at(11, 30)), location: main, zone: chicago, hours: hours))
        XCTAssertFalse(
            SlotRules.withinHours(
                TimeSpan(start: at(9, 0), end: at(10, 0)), location: lake, zone: chicago, hours: hours))
    }

    func test_statusMachine() {
        XCTAssertTrue(AppointmentStatus.booked.canChange(to: .checkedIn))
        XCTAssertTrue(AppointmentStatus.checkedIn.canChange(to: .fulfilled))
        XCTAssertTrue(AppointmentStatus.booked.canChange(to: .noshow))
        XCTAssertFalse(AppointmentStatus.cancelled.canChange(to: .booked))
        XCTAssertFalse(AppointmentStatus.fulfilled.canChange(to: .cancelled))
        XCTAssertTrue(AppointmentStatus.fulfilled.canChange(to: .enteredInError))
        XCTAssertEqual(
            Set(AppointmentStatus.allCases.filter { !$0.holdsTime }), [.cancelled, .noshow, .enteredInError])
    }

    func test_spans_areHalfOpen() {
        let a = TimeSpan(start: utc("2026-06-03T15:00:00Z"), end: utc("2026-06-03T15:30:00Z"))
        let b = TimeSpan(start: utc("2026-06-03T15:30:00Z"), end: utc("2026-06-03T16:00:00Z"))
        XCTAssertFalse(a.overlaps(b))
        XCTAssertTrue(a.padded(by: 1).overlaps(b))
    }
}

final class OpeningHoursTests: XCTestCase {
    func test_providerHours_areCutToOpeningHours_onlyWhereDefined() {
        let a = UUID(), b = UUID()
        let provider = [
            WeeklyHours(weekday: 2, startMinute: 7 * 60, endMinute: 13 * 60, locationID: a),
            WeeklyHours(weekday: 2, startMinute: 14 * 60, endMinute: 18 * 60, locationID: b),
        ]
        let opening = [WeeklyHours(weekday: 2, startMinute: 8 * 60, endMinute: 12 * 60, locationID: a)]
        let cut = WeeklyHours.within(provider, opening: opening)
        XCTAssertEqual(
            cut, [WeeklyHours(weekday: 2, startMinute: 8 * 60, endMinute: 12 * 60, locationID: a), provider[1]])
        XCTAssertEqual(
            WeeklyHours.within(
                provider, opening: [WeeklyHours(weekday: 3, startMinute: 0, endMinute: 600, locationID: a)]),
            [provider[1]],
            "a location open only on Tuesdays is closed on Mondays")
    }
}
