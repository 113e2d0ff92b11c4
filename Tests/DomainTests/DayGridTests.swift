import XCTest
@testable import Domain

final class DayGridTests: XCTestCase {
    func test_rowsRunFromTheHourBeforeTheFirstToTheHourAfterTheLast() {
        let g = DayGrid(covering: [(8 * 60 + 40)...(9 * 60), (13 * 60 + 15)...(16 * 60 + 10)])
        XCTAssertEqual(g.firstMinute, 8 * 60)
        XCTAssertEqual(g.endMinute, 17 * 60)
        XCTAssertEqual(g.rowCount, 36)
        XCTAssertEqual(g.minute(ofRow: 3), 8 * 60 + 45)
    }

    func test_anEmptyDay_showsOfficeHours() {
        let g = DayGrid(covering: [])
        XCTAssertEqual(g.firstMinute, 8 * 60)
        XCTAssertEqual(g.endMinute, 17 * 60)
    }

    func test_spansCoverEveryRowTheyTouch_shortOnesGetOne_outsideOnesNone() {
        let g = DayGrid(covering: [(9 * 60)...(12 * 60)])
        XCTAssertEqual(g.rows(from: 9 * 60, to: 9 * 60 + 20)?.first, 0)
        XCTAssertEqual(g.rows(from: 9 * 60, to: 9 * 60 + 20)?.count, 2, "20 minutes touch two 15-minute rows")
        XCTAssertEqual(g.rows(from: 9 * 60 + 50, to: 9 * 60 + 55)?.count, 1)
        XCTAssertEqual(g.rows(from: 11 * 60 + 30, to: 13 * 60)?.count, 2, "clipped at the end of the grid")
        XCTAssertNil(g.rows(from: 6 * 60, to: 7 * 60))
        XCTAssertEqual(g.rows(from: 10 * 60, to: 10 * 60)?.count, 1, "a zero-length span still shows")
    }

    func test_lateSpans_stopAtMidnight() {
        let g = DayGrid(covering: [(22 * 60 + 30)...(24 * 60)])
        XCTAssertEqual(g.endMinute, 24 * 60)
        XCTAssertEqual(g.firstMinute, 22 * 60)
    }

    func test_minuteOfDay_isTheLocationsWallClock() {
        // 2026-11-30 15:30 UTC is 9:30 AM in Chicago (CST) and 10:30 AM in New York (EST).
        let t = Date(timeIntervalSince1970: 1_796_052_600)
        XCTAssertEqual(DayGrid.minuteOfDay(t, in: TimeZone(identifier: "America/Chicago")!), 9 * 60 + 30)
        XCTAssertEqual(DayGrid.minuteOfDay(t, in: TimeZone(identifier: "America/New_York")!), 10 * 60 + 30)
    }
}
