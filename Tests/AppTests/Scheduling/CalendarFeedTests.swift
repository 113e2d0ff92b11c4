import XCTest
import AppCore
import XCTVapor
import Fluent
import App
import Domain
import TestSupport

final class CalendarFeedTests: XCTestCase {
    func test_providerFeed_listsTimesAndPlacesOnly_andRevokedLinkStops() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let pid = try await Fixtures.patient(app, family: "Verysecretname")
            _ = try await HTTP.send(
                app, .POST, Site.apiAppointments.path(), headers: desk,
                json: Booking(
                    patientId: pid, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                    start: w.atMain("2026-09-28", 9)))
            let drH = try await Fixtures.bearer(app, w.provider, clock: clock)
            let issued = try await HTTP.send(
                app, .POST, Site.apiCalendarFeeds.path(), headers: drH, json: [String: String]())
            XCTAssertEqual(issued.status, .created)
            let url = try issued.content.get(String.self, at: "url")
            let feed = try await HTTP.send(app, .GET, url)
            XCTAssertEqual(feed.status, .ok)
            XCTAssertEqual(feed.headers.contentType?.subType, "calendar")
            let ics = feed.body.string
            XCTAssertTrue(ics.contains("BEGIN:VEVENT"))
            XCTAssertTrue(ics.contains("DTSTART:\(ICalendar.utc(w.atMain("2026-09-28", 9)))"))
            XCTAssertTrue(ics.contains("SUMMARY:Follow-up"))
            XCTAssertFalse(ics.contains("Verysecretname"), "no patient in the feed")

            // Another provider cannot issue a feed for this one; desk cannot either.
            let other = try await Fixtures.user(app, .provider)
            let otherH = try await Fixtures.bearer(app, other, clock: clock)
            let denied = try await HTTP.send(
                app, .POST, Site.apiCalendarFeeds.path(), headers: otherH,
                json: ["providerId": w.provider.id.uuidString])
            XCTAssertEqual(denied.status, .forbidden)
            let v1 = try await HTTP.send(
                app, .POST, Site.apiCalendarFeeds.path(), headers: desk, json: ["providerId": w.provider.id.uuidString]
            ).status
            XCTAssertEqual(v1, .forbidden)

            let id = try issued.content.get(UUID.self, at: "id")
            let v2 = try await HTTP.send(app, .DELETE, Site.apiCalendarFeed.path(id), headers: drH).status
            XCTAssertEqual(v2, .noContent)
            let v3 = try await HTTP.send(app, .GET, url).status
            XCTAssertEqual(v3, .notFound)
            let v4 = try await HTTP.send(app, .GET, "/calendar/guessed-token.ics").status
            XCTAssertEqual(v4, .notFound)
        }
    }
}
