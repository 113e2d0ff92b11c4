import XCTest
import XCTVapor
import Fluent
@testable import App
import Domain
import TestSupport

final class PortalTests: XCTestCase {
    func test_portalHome_showsOwnRecord_andWhoLookedAtIt() async throws {
        try await withTestApp { app, clock in
            let pat = try await Fixtures.patientUser(app, family: "Haddad")
            let dr = try await Fixtures.user(app, .provider)
            let drH = try await Fixtures.bearer(app, dr, clock: clock)
            _ = try await HTTP.send(app, .GET, "/api/v1/patients/\(pat.patientID!)", headers: drH)

            let web = PageClient(app)
            try await web.signIn(pat, clock: clock, portal: true)
            let home = try await web.get("/portal")
            XCTAssertEqual(home.status, .ok)
            let html = home.body.string
            XCTAssertTrue(html.contains("Haddad"))
            XCTAssertTrue(html.contains("id=\"access-log\""))
            XCTAssertTrue(html.contains(dr.username), "the provider's read is listed")
            XCTAssertTrue(html.contains("viewport"))
        }
    }
}
