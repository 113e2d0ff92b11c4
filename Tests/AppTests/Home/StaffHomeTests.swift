import Domain
import Fluent
import TestSupport
import XCTVapor
import XCTest

import App
import Accounts
import AppCore
import Intake

/// Each role's start page says what waits for that role today, and nothing a role may not open.
final class StaffHomeTests: XCTestCase {
    func test_homePage_countsTheWorkEachRoleMayDo() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let pat = try await Fixtures.patientUser(app, family: "Homecount")
            // A patient writes (unread by staff) and an intake waits for review.
            let web = PageClient(app)
            try await web.signIn(pat, clock: clock, portal: true)
            let sent = try await web.post(
                Site.portalMessages.path(),
                [
                    "subject": "Question", "body": "Is the swelling normal?",
                    "locationId": w.main.uuidString,
                ])
            XCTAssertEqual(sent.status, .seeOther, sent.body.string)
            let intake = IntakeSubmissionRecord()
            intake.patientID = pat.patientID!
            intake.formCode = "new-patient"
            intake.formVersion = 1
            intake.status = .submitted
            intake.answers = "{}"
            intake.createdAt = clock.now()
            intake.updatedAt = clock.now()
            intake.submittedAt = clock.now()
            try await intake.create(on: app.db)

            // A visit today at Main Street, booked through the API.
            let deskUser = try await Fixtures.user(app, .frontDesk)
            let deskAPI = try await Fixtures.bearer(app, deskUser, clock: clock)
            let today = LocalDay.of(clock.now(), in: w.mainZone).iso
            let booked = try await HTTP.send(
                app, .POST, Site.apiAppointments.path(), headers: deskAPI,
                json: Booking(
                    patientId: pat.patientID!, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                    start: w.atMain(today, 11)))
            XCTAssertEqual(booked.status, .created, booked.body.string)

            let desk = PageClient(app)
            try await desk.signIn(deskUser, clock: clock)
            let deskHome = try await desk.get("/")
            XCTAssertEqual(deskHome.status, .ok)
            let dh = deskHome.body.string
            XCTAssertTrue(dh.contains(#"id="count-inbox""#) && dh.contains("unread messages"), dh)
            XCTAssertFalse(dh.contains(#"id="count-intake""#), "intake is clinical: not counted for the front desk")
            XCTAssertTrue(
                dh.contains(#"id="today-by-location""#) && dh.contains("<td>Main Street Clinic</td><td>1</td>"), dh)
            // Counts name nobody, so nobody's access history says the front desk looked at their appointments.
            let looked = try await Fixtures.auditRows(app, action: .query, patientID: pat.patientID!)
                .filter { $0.username == deskUser.username && $0.category == "appointments" }
            XCTAssertEqual(looked.count, 0)

            let ma = PageClient(app)
            try await ma.signIn(try await Fixtures.user(app, .medicalAssistant), clock: clock)
            let mh = try await ma.get("/").body.string
            XCTAssertTrue(
                mh.contains(#"<a class="tile" id="count-intake" href="/intake"><span class="n">1</span>"#), mh)

            let dr = PageClient(app)
            try await dr.signIn(w.provider, clock: clock)
            let ph = try await dr.get("/").body.string
            XCTAssertTrue(ph.contains(#"id="my-day-today""#) && ph.contains(#"id="count-video""#))
            XCTAssertFalse(ph.contains(#"id="count-approvals""#), "only the Medical Director approves")

            let support = PageClient(app)
            try await support.signIn(try await Fixtures.user(app, .support), clock: clock)
            let sh = try await support.get("/").body.string
            XCTAssertFalse(
                sh.contains("work-waiting") || sh.contains("today-by-location"), "support sees no patient work")
        }
    }

    func test_waitingRoomList_updatesAlone_forProvidersOnly() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let dr = PageClient(app)
            try await dr.signIn(w.provider, clock: clock)
            let page = try await dr.get(Site.visitsWaitingRoom.path()).body.string
            XCTAssertFalse(page.contains("http-equiv"), "no whole-page refresh")
            XCTAssertTrue(page.contains(Site.assetsWaitingScript.path()) && page.contains(#"id="waiting-list""#))
            let fragment = try await dr.get(Site.visitsWaitingList.path())
            XCTAssertEqual(fragment.status, .ok)
            XCTAssertTrue(fragment.body.string.contains("Nobody is waiting."))
            XCTAssertFalse(fragment.body.string.contains("<html"))
            let desk = PageClient(app)
            try await desk.signIn(try await Fixtures.user(app, .frontDesk), clock: clock)
            let refused = try await desk.get(Site.visitsWaitingList.path()).status
            XCTAssertEqual(refused, .forbidden)
        }
    }
}
