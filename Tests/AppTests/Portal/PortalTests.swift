import XCTest
import AppCore
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import Accounts

final class PortalTests: XCTestCase {
    func test_portalHome_showsOwnRecord_andWhoLookedAtIt() async throws {
        try await withTestApp { app, clock in
            let pat = try await Fixtures.patientUser(app, family: "Haddad")
            let dr = try await Fixtures.user(app, .provider)
            let drH = try await Fixtures.bearer(app, dr, clock: clock)
            _ = try await HTTP.send(app, .GET, Site.apiPatient.path(pat.patientID!), headers: drH)

            let web = PageClient(app)
            try await web.signIn(pat, clock: clock, portal: true)
            let home = try await web.get(Site.portal.path())
            XCTAssertEqual(home.status, .ok)
            let html = home.body.string
            XCTAssertTrue(html.contains("Haddad"))
            XCTAssertTrue(html.contains("id=\"access-history\""))
            XCTAssertTrue(
                html.contains("<strong>Test Provider</strong>, provider, viewed your details"),
                "the provider's read is listed in words, by display name")
            XCTAssertTrue(html.contains("viewport"))
        }
    }
}

/// Regressions found by walking the portal on the real clock.
final class PortalRealClockTests: XCTestCase {
    /// The page read the clock twice for its 62-day window, which then ran a few microseconds over the limit and
    /// failed for every patient. A frozen clock hid it; a ticking one shows it.
    func test_myAppointments_onAMovingClock_opens() async throws {
        try await withTestApp { app, clock in
            let pat = try await Fixtures.patientUser(app, family: "Okafor")
            let web = PageClient(app)
            try await web.signIn(pat, clock: clock, portal: true)
            clock.startTicking()
            let page = try await web.get(Site.portalAppointments.path())
            XCTAssertEqual(page.status, .ok, page.body.string)
            XCTAssertTrue(page.body.string.contains("My appointments"))
            XCTAssertFalse(page.body.string.contains("span at most 62 days"))
        }
    }
}
