import XCTest
import AppCore
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import Accounts
import Scheduling

final class SchedulePagesTests: XCTestCase {
    func test_desk_booksWithTheSlotPicker_seesBothLocations_checksIn_andCancelsWithAReason() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let pid = try await Fixtures.patient(app, family: "Pagebooker")
            let desk = try await Fixtures.user(app, .frontDesk)
            let web = PageClient(app)
            try await web.signIn(desk, clock: clock)

            let picker = try await web.get(
                Site.scheduleBook.path() + "?patient=\(pid)&type=\(w.followUp)&date=2026-11-03&location=\(w.main)")
            XCTAssertEqual(picker.status, .ok)
            let html = picker.body.string
            XCTAssertTrue(html.contains("id=\"slots\""))
            XCTAssertTrue(html.contains("9:00 – 9:20 AM ET"), "times are shown in the location's zone")
            let start = Fixtures.iso(w.atMain("2026-11-03", 9))
            XCTAssertTrue(html.contains("value=\"\(start)\""))

            let booked = try await web.post(
                Site.scheduleBook.path(),
                [
                    "patientId": pid.uuidString, "providerId": w.provider.id.uuidString,
                    "locationId": w.main.uuidString, "typeId": w.followUp.uuidString, "start": start,
                ])
            XCTAssertEqual(booked.status, .seeOther)
            XCTAssertEqual(booked.headers.first(name: .location), Site.schedule.path() + "?date=2026-11-03&booked=1")
            let twice = try await web.post(
                Site.scheduleBook.path(),
                [
                    "patientId": pid.uuidString, "providerId": w.provider.id.uuidString,
                    "locationId": w.main.uuidString, "typeId": w.followUp.uuidString, "start": start,
                ])
            XCTAssertEqual(twice.status, .conflict)
            // The form again, not an error page: what collided, the patient kept, and the nearest free times to take.
            let again = twice.body.string
            XCTAssertTrue(again.contains("Pick another time") && again.contains("The nearest free times"), again)
            XCTAssertTrue(again.contains(#"id="booking-patient""#) && again.contains("Pagebooker"))
            XCTAssertTrue(again.contains("Dr") || again.contains("Test Provider"))
            // 9:15 would overlap the 9:00 visit: 9:30 (or 8:30) at Main Street with the same provider comes first.
            let firstOffered = again.components(separatedBy: "aria-label=\"").dropFirst().first {
                $0.first?.isNumber == true
            }
            XCTAssertTrue(
                firstOffered?.contains("AM ET · Test Provider · Main Street Clinic\"") == true,
                "the same provider at the same place comes first: \(firstOffered?.prefix(80) ?? "none")")
            XCTAssertTrue(
                again.contains(#"aria-label="9:30 – 9:50 AM ET · Test Provider · Main Street Clinic""#),
                "the nearest free time after the one taken")

            let day = try await web.get(Site.schedule.path() + "?date=2026-11-03")
            let cal = day.body.string
            XCTAssertTrue(cal.contains("data-location=\"MAIN\""))
            XCTAssertTrue(cal.contains("data-location=\"LAKE\""), "both locations on one screen")
            XCTAssertTrue(cal.contains("Pagebooker"))
            let v1 = try await Fixtures.auditRows(app, action: .query, patientID: pid).filter {
                $0.category == "appointments"
            }.count
            XCTAssertEqual(v1, 1)

            let appt = try await AppointmentRecord.query(on: app.db).filter(\.$patientID == pid).first()!
            let noReason = try await web.post(
                Site.scheduleAppointment.path(appt.id!), ["status": "cancelled", "cancelReason": ""])
            XCTAssertEqual(noReason.status, .unprocessableEntity)
            let v2 = try await web.post(Site.scheduleAppointment.path(appt.id!), ["status": "checked-in"]).status
            XCTAssertEqual(v2, .seeOther)
            let v3 = try await AppointmentRecord.find(appt.id, on: app.db)?.status
            XCTAssertEqual(v3, .checkedIn)

            // Move another booking to 10:30 with the picker (atomic reschedule).
            let other = try await Fixtures.patient(app, family: "Movable")
            _ = try await web.post(
                Site.scheduleBook.path(),
                [
                    "patientId": other.uuidString, "providerId": w.provider.id.uuidString,
                    "locationId": w.main.uuidString,
                    "typeId": w.followUp.uuidString, "start": Fixtures.iso(w.atMain("2026-11-03", 10)),
                ])
            let movable = try await AppointmentRecord.query(on: app.db).filter(\.$patientID == other).first()!
            let picker2 = try await web.get(Site.scheduleAppointmentMove.path(movable.id!))
            XCTAssertTrue(picker2.body.string.contains("Move appointment (now 10:00 – 10:20 AM ET"))
            let moved = try await web.post(
                Site.scheduleAppointmentMove.path(movable.id!),
                [
                    "providerId": w.provider.id.uuidString, "locationId": w.main.uuidString,
                    "start": Fixtures.iso(w.atMain("2026-11-03", 10, 30)),
                ])
            XCTAssertEqual(moved.status, .seeOther)
            let v9 = try await AppointmentRecord.find(movable.id, on: app.db)?.startAt
            XCTAssertEqual(v9, w.atMain("2026-11-03", 10, 30))
            let clash = try await web.post(
                Site.scheduleAppointmentMove.path(movable.id!),
                [
                    "providerId": w.provider.id.uuidString, "locationId": w.main.uuidString,
                    "start": start,
                ])
            XCTAssertEqual(clash.status, .conflict)
            XCTAssertTrue(clash.body.string.contains("keeps its old time"))
            XCTAssertTrue(
                clash.body.string.contains("The nearest free times") && clash.body.string.contains("Movable"),
                "the move form names the patient and offers other times")
            XCTAssertEqual(
                moved.headers.first(name: .location), Site.schedule.path() + "?date=2026-11-03&moved=1",
                "success says so")

            let week = try await web.get(Site.schedule.path() + "?date=2026-11-02&view=week&provider=\(w.provider.id)")
            XCTAssertTrue(week.body.string.contains("Pagebooker"))
        }
    }

    func test_bookingOrMovingWithAMissingOrBadField_showsTheFormWithThatFieldMarked_andBooksNothing() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let pid = try await Fixtures.patient(app, family: "Markedfield")
            let web = PageClient(app)
            try await web.signIn(try await Fixtures.user(app, .frontDesk), clock: clock)
            let start = Fixtures.iso(w.atMain("2026-11-03", 9))

            // No type and no start: the booking form again (not an error page) with both fields marked.
            let missing = try await web.post(
                Site.scheduleBook.path(),
                ["patientId": pid.uuidString, "providerId": w.provider.id.uuidString, "locationId": w.main.uuidString])
            XCTAssertEqual(missing.status, .unprocessableEntity)
            let html = missing.body.string
            XCTAssertTrue(html.contains("Please correct the marked fields"), html)
            XCTAssertTrue(html.contains(#"id="type-error""#) && html.contains("Appointment type is required."))
            XCTAssertTrue(html.contains(#"id="date-error""#) && html.contains("Start time is required"))
            XCTAssertTrue(html.contains(#"id="booking-patient""#) && html.contains("Markedfield"), "the patient kept")
            XCTAssertTrue(html.contains(#"id="find-slots""#), "the form to find free times again")

            // What the desk typed into the patient search comes back escaped, quotes included.
            let typed = try await web.get(Site.scheduleBook.path() + "?find=%3Cb%3Ex%3C%2Fb%3E%22%27")
            XCTAssertFalse(typed.body.string.contains("<b>x</b>"), "HTML in the search is not markup")
            XCTAssertTrue(typed.body.string.contains("&lt;b&gt;x&lt;/b&gt;"), "shown back as text")
            XCTAssertFalse(typed.body.string.contains(#"value="<b>x</b>"'""#))

            // A slot taken without a patient: the picker is marked and the free times are offered again.
            let noPatient = try await web.post(
                Site.scheduleBook.path(),
                [
                    "providerId": w.provider.id.uuidString, "locationId": w.main.uuidString,
                    "typeId": w.followUp.uuidString, "start": start,
                ])
            XCTAssertEqual(noPatient.status, .unprocessableEntity)
            XCTAssertTrue(noPatient.body.string.contains("field picker invalid"))
            XCTAssertTrue(noPatient.body.string.contains("Patient is required."))
            XCTAssertTrue(noPatient.body.string.contains(#"id="slots""#))
            let none = try await AppointmentRecord.query(on: app.db).count()
            XCTAssertEqual(none, 0, "nothing booked")

            // Moving to a time off the 5-minute grid: the move form with the day marked; the old time kept.
            _ = try await web.post(
                Site.scheduleBook.path(),
                [
                    "patientId": pid.uuidString, "providerId": w.provider.id.uuidString,
                    "locationId": w.main.uuidString, "typeId": w.followUp.uuidString, "start": start,
                ])
            let first = try await AppointmentRecord.query(on: app.db).first()
            let appt = try XCTUnwrap(first)
            let offGrid = try await web.post(
                Site.scheduleAppointmentMove.path(try appt.requireID()),
                [
                    "providerId": w.provider.id.uuidString, "locationId": w.main.uuidString,
                    "start": Fixtures.iso(w.atMain("2026-11-03", 10, 2)),
                ])
            XCTAssertEqual(offGrid.status, .unprocessableEntity)
            XCTAssertTrue(offGrid.body.string.contains(#"id="date-error""#), offGrid.body.string)
            XCTAssertTrue(offGrid.body.string.contains("keeps its old time"))
            let kept = try await AppointmentRecord.find(appt.id, on: app.db)?.startAt
            XCTAssertEqual(kept, w.atMain("2026-11-03", 9))
        }
    }

    func test_providerDay_spansBothLocations_andOtherRolesAreKeptOut() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let a = try await Fixtures.patient(app, family: "Morning"),
                b = try await Fixtures.patient(app, family: "Afternoon")
            _ = try await HTTP.send(
                app, .POST, Site.apiAppointments.path(), headers: desk,
                json: Booking(
                    patientId: a, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                    start: w.atMain("2026-11-03", 9)))
            _ = try await HTTP.send(
                app, .POST, Site.apiAppointments.path(), headers: desk,
                json: Booking(
                    patientId: b, providerId: w.provider.id, locationId: w.lake, typeId: w.followUp,
                    start: w.atLake("2026-11-03", 14)))
            let web = PageClient(app)
            try await web.signIn(w.provider, clock: clock)
            let day = try await web.get(Site.scheduleMyDay.path() + "?date=2026-11-03")
            XCTAssertTrue(day.body.string.contains("Morning"))
            XCTAssertTrue(day.body.string.contains("Afternoon"))
            XCTAssertTrue(day.body.string.contains("2:00 – 2:20 PM CT"))

            let support = PageClient(app)
            try await support.signIn(try await Fixtures.user(app, .support), clock: clock)
            let v4 = try await support.get(Site.schedule.path()).status
            XCTAssertEqual(v4, .forbidden)
            let pat = PageClient(app)
            try await pat.signIn(try await Fixtures.patientUser(app), clock: clock, portal: true)
            let v5 = try await pat.get(Site.schedule.path()).headers.first(name: .location)
            XCTAssertEqual(v5, Site.portal.path())
        }
    }

    func test_portal_selfSchedules_reschedules_andCancels() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let pat = try await Fixtures.patientUser(app)
            let web = PageClient(app)
            try await web.signIn(pat, clock: clock, portal: true)
            let form = try await web.get(Site.portalAppointmentsBook.path() + "?type=\(w.followUp)&date=2026-11-03")
            XCTAssertEqual(form.status, .ok)
            XCTAssertFalse(form.body.string.contains("New patient"), "staff-only types are not offered")
            let start = Fixtures.iso(w.atMain("2026-11-03", 10))
            let booked = try await web.post(
                Site.portalAppointmentsBook.path(),
                [
                    "providerId": w.provider.id.uuidString, "locationId": w.main.uuidString,
                    "typeId": w.followUp.uuidString, "start": start,
                ])
            XCTAssertEqual(booked.headers.first(name: .location), Site.portalAppointments.path() + "?done=booked")
            let list = try await web.get(Site.portalAppointments.path())
            XCTAssertTrue(list.body.string.contains("10:00 – 10:20 AM ET"))
            let appt = try await AppointmentRecord.query(on: app.db).filter(\.$patientID == pat.patientID!).first()!

            let moved = try await web.post(
                Site.portalAppointmentReschedule.path(appt.id!),
                [
                    "providerId": w.provider.id.uuidString, "locationId": w.main.uuidString,
                    "typeId": w.followUp.uuidString, "start": Fixtures.iso(w.atMain("2026-11-03", 11)),
                ])
            XCTAssertEqual(moved.headers.first(name: .location), Site.portalAppointments.path() + "?done=rescheduled")
            let v6 = try await AppointmentRecord.find(appt.id, on: app.db)?.startAt
            XCTAssertEqual(v6, w.atMain("2026-11-03", 11))
            let v7 = try await web.post(Site.portalAppointmentCancel.path(appt.id!), [:]).status
            XCTAssertEqual(v7, .seeOther)
            let v8 = try await AppointmentRecord.find(appt.id, on: app.db)?.status
            XCTAssertEqual(v8, .cancelled)

            // Someone else's appointment cannot be touched from the portal.
            let other = try await Fixtures.patient(app, family: "Notmine")
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let theirs = try await HTTP.send(
                app, .POST, Site.apiAppointments.path(), headers: desk,
                json: Booking(
                    patientId: other, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                    start: w.atMain("2026-11-04", 9)))
            let theirID = try theirs.content.get(UUID.self, at: "id")
            let v9 = try await web.post(Site.portalAppointmentCancel.path(theirID), ["cancelReason": "x"]).status
            XCTAssertEqual(v9, .forbidden)
            let v10 = try await web.get(Site.portalAppointmentReschedule.path(theirID)).status
            XCTAssertEqual(v10, .forbidden)
            let v11 = try await AppointmentRecord.find(theirID, on: app.db)?.status
            XCTAssertEqual(v11, .booked)
        }
    }
}
