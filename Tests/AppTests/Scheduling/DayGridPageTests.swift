import XCTest
import AppCore
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import Scheduling

/// The calendar's day as a time grid (a column per provider, open time to click, appointments as blocks), and the
/// printed day sheet.
final class DayGridPageTests: XCTestCase {
    func test_dayGrid_showsEachProvidersOpenTimeAndBookings_andOpenTimeLeadsToTheBookingForm() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let pid = try await Fixtures.patient(app, family: "Gridpatient")
            let desk = try await Fixtures.user(app, .frontDesk)
            let web = PageClient(app)
            try await web.signIn(desk, clock: clock)
            let booked = try await web.post(
                Site.scheduleBook.path(),
                [
                    "patientId": pid.uuidString, "providerId": w.provider.id.uuidString,
                    "locationId": w.main.uuidString, "typeId": w.followUp.uuidString,
                    "start": Fixtures.iso(w.atMain("2026-11-03", 9)),
                ])
            XCTAssertEqual(booked.status, .seeOther)
            let appt = try await AppointmentRecord.query(on: app.db).filter(\.$patientID == pid).first()!

            let html = try await web.get(Site.schedule.path() + "?date=2026-11-03").body.string
            XCTAssertTrue(html.contains(#"class="timegrid loc-0""#) && html.contains(#"class="timegrid loc-1""#))
            XCTAssertTrue(html.contains(#"data-appointment="\#(appt.id!.uuidString)""#), "the booking is a block")
            XCTAssertTrue(html.contains("Gridpatient"))
            XCTAssertTrue(html.contains(#"aria-label="Book Test Provider at 9:30 AM ET""#), "open after the visit")
            XCTAssertFalse(html.contains(#"aria-label="Book Test Provider at 9:00 AM ET""#), "taken time is not open")
            XCTAssertFalse(html.contains(#"aria-label="Book Test Provider at 9:15 AM ET""#), "it would overlap")
            XCTAssertTrue(html.contains(#"aria-label="Book Test Provider at 1:00 PM CT""#), "the other place, its zone")
            XCTAssertTrue(html.contains(#"id="appt-\#(appt.id!.uuidString)""#), "the block's card with its actions")

            // The open time leads to the booking form with that provider, place, day and time chosen.
            let hrefs = html.components(separatedBy: #"href=""#).dropFirst().map { $0.prefix { $0 != "\"" } }
            let open = try XCTUnwrap(hrefs.first { $0.contains("at=") && $0.contains(w.main.uuidString) })
            let form = try await web.get(String(open).replacingOccurrences(of: "&amp;", with: "&"))
            XCTAssertEqual(form.status, .ok)
            XCTAssertTrue(form.body.string.contains(#"id="chosen-time""#), form.body.string)
            let typed = try await web.get(
                String(open).replacingOccurrences(of: "&amp;", with: "&") + "&type=\(w.followUp)")
            XCTAssertTrue(typed.body.string.contains(#"class="slot chosen""#), "the picked time is marked")

            // Checked in from the grid's block: the block says so.
            let checkIn = try await web.post(Site.scheduleAppointment.path(appt.id!), ["status": "checked-in"])
            XCTAssertEqual(checkIn.status, .seeOther)
            let after = try await web.get(Site.schedule.path() + "?date=2026-11-03&location=\(w.main)").body.string
            XCTAssertTrue(after.contains(#"class="tg-blk" data-status="checked-in""#))
            XCTAssertEqual(
                after.components(separatedBy: #"class="timegrid "#).count, 2, "one location when one is chosen")
        }
    }

    /// The week as a time grid per location: each day above its providers' columns, a booking in its own day's
    /// column, open time that books that day.
    func test_weekGrid_putsEachBookingUnderItsDay_andOpenTimeBooksThatDay() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let pid = try await Fixtures.patient(app, family: "Weekpatient")
            let deskUser = try await Fixtures.user(app, .frontDesk)
            let api = try await Fixtures.bearer(app, deskUser, clock: clock)
            var ids: [String] = []
            for day in ["2026-11-03", "2026-11-05"] {
                let booked = try await HTTP.send(
                    app, .POST, Site.apiAppointments.path(), headers: api,
                    json: Booking(
                        patientId: pid, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                        start: w.atMain(day, 9)))
                XCTAssertEqual(booked.status, .created)
                ids.append(try booked.content.get(UUID.self, at: "id").uuidString)
            }
            let web = PageClient(app)
            try await web.signIn(deskUser, clock: clock)
            let html = try await web.get(Site.schedule.path() + "?date=2026-11-02&view=week&location=\(w.main)")
                .body.string
            XCTAssertEqual(html.components(separatedBy: #"class="timegrid "#).count, 2, "Main's week grid")
            for day in ["Mon, Nov 2", "Tue, Nov 3", "Thu, Nov 5", "Sun, Nov 8"] {
                XCTAssertTrue(html.contains(#"class="tg-head tg-day""#) && html.contains(">\(day)</div>"), day)
            }
            // The provider works every day: Monday is column 2, Tuesday 3, Thursday 5 (column 1 holds the hours).
            XCTAssertTrue(html.contains(#"data-appointment="\#(ids[0])" style="grid-column:3 / span 1;"#), html)
            XCTAssertTrue(html.contains(#"data-appointment="\#(ids[1])" style="grid-column:5 / span 1;"#))
            XCTAssertTrue(html.contains(#"aria-label="Book Test Provider at 9:30 AM ET on Thu, Nov 5""#))
            XCTAssertFalse(html.contains(#"aria-label="Book Test Provider at 9:00 AM ET on Thu, Nov 5""#))
            let hrefs = html.components(separatedBy: #"href=""#).dropFirst().map { $0.prefix { $0 != "\"" } }
            let thursday = try XCTUnwrap(hrefs.first { $0.contains("at=") && $0.contains("date=2026-11-05") })
            XCTAssertTrue(thursday.contains("provider=\(w.provider.id.uuidString)"))
        }
    }

    func test_daySheet_listsTheDayPerLocation_isAuditedAsAPrint_andOnlyScheduleRolesGetIt() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let pid = try await Fixtures.patient(app, family: "Sheetpatient")
            let deskUser = try await Fixtures.user(app, .frontDesk)
            let api = try await Fixtures.bearer(app, deskUser, clock: clock)
            let booked = try await HTTP.send(
                app, .POST, Site.apiAppointments.path(), headers: api,
                json: Booking(
                    patientId: pid, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                    start: w.atMain("2026-11-03", 9)))
            XCTAssertEqual(booked.status, .created)

            let desk = PageClient(app)
            try await desk.signIn(deskUser, clock: clock)
            let sheet = try await desk.get(Site.scheduleDaySheet.path() + "?date=2026-11-03")
            XCTAssertEqual(sheet.status, .ok)
            let s = sheet.body.string
            XCTAssertTrue(s.contains("Day sheet — Tue, Nov 3"), s)
            XCTAssertTrue(s.contains("<td>9:00 – 9:20 AM ET</td><td>Sheetpatient, Alex</td>"), s)
            XCTAssertTrue(s.contains("Printed by \(deskUser.username)") && s.contains(Site.assetsPrintScript.path()))
            let printed = try await Fixtures.auditRows(app, action: .print, patientID: pid).filter {
                $0.category == "appointments" && $0.detail == "day sheet"
            }
            XCTAssertEqual(printed.count, 1, "each patient on the sheet: one print event")
            let lake = try await desk.get(Site.scheduleDaySheet.path() + "?date=2026-11-03&location=\(w.lake)")
            XCTAssertFalse(lake.body.string.contains("Sheetpatient"), "one location's sheet names only its patients")

            let support = PageClient(app)
            try await support.signIn(try await Fixtures.user(app, .support), clock: clock)
            let refused = try await support.get(Site.scheduleDaySheet.path() + "?date=2026-11-03")
            XCTAssertEqual(refused.status, .forbidden)
            XCTAssertFalse(refused.body.string.contains("Sheetpatient"))
            let pat = try await Fixtures.patientUser(app, family: "Otherpatient")
            let portal = PageClient(app)
            try await portal.signIn(pat, clock: clock, portal: true)
            let patientTry = try await portal.get(Site.scheduleDaySheet.path() + "?date=2026-11-03")
            XCTAssertNotEqual(patientTry.status, .ok)
            XCTAssertFalse(patientTry.body.string.contains("Sheetpatient"), "a patient never sees another's visit")
        }
    }

    func test_headerCounts_showTheWorkWaitingBehindEachLink() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let pat = try await Fixtures.patientUser(app, family: "Countpatient")
            let portal = PageClient(app)
            try await portal.signIn(pat, clock: clock, portal: true)
            let sent = try await portal.post(
                Site.portalMessages.path(),
                ["subject": "Question", "body": "Is the swelling normal?", "locationId": w.main.uuidString])
            XCTAssertEqual(sent.status, .seeOther)
            let ma = PageClient(app)
            try await ma.signIn(try await Fixtures.user(app, .medicalAssistant), clock: clock)
            let page = try await ma.get(Site.schedule.path() + "?date=2026-11-03").body.string
            XCTAssertTrue(
                page.contains(#"href="/inbox">Inbox<span class="count" aria-label="1 waiting">1</span></a>"#), page)
            XCTAssertFalse(page.contains(#"href="/intake">Intake<span"#), "nothing waits there")
            let portalPage = try await portal.get(Site.portal.path()).body.string
            XCTAssertFalse(portalPage.contains(#"class="count""#), "patients get no staff counts")
        }
    }
}
