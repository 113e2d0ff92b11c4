import XCTest
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import AppCore
import Scheduling

final class SchedulingAPITests: XCTestCase {
    func book(_ app: Application, _ h: HTTPHeaders, _ b: Booking) async throws -> XCTHTTPResponse {
        try await HTTP.send(app, .POST, Site.apiAppointments.path(), headers: h, json: b)
    }

    func test_dst_bookingAtLocalTime_isStoredInUTC_andSlotsFollowTheWallClock() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let pid = try await Fixtures.patient(app)
            // 2027-03-14: Chicago springs forward; 14:00 CDT is 19:00Z (it would be 20:00Z the day before).
            let res = try await book(
                app, desk,
                Booking(
                    patientId: pid, providerId: w.provider.id, locationId: w.lake, typeId: w.followUp,
                    start: ISO8601DateFormatter().date(from: "2027-03-14T14:00:00-05:00")!))
            XCTAssertEqual(res.status, .created)
            XCTAssertEqual(
                try res.content.decode(AppointmentDTO.self).start,
                ISO8601DateFormatter().date(from: "2027-03-14T19:00:00Z"))
            for (day, firstUTC) in [
                ("2027-03-13", "2027-03-13T19:00:00Z"), ("2027-03-14", "2027-03-14T18:00:00Z"),
                ("2026-10-31", "2026-10-31T18:00:00Z"), ("2026-11-01", "2026-11-01T19:00:00Z"),
            ] {
                let slots = try await HTTP.send(
                    app, .GET,
                    Site.apiSlots.path()
                        + "?type=\(w.followUp)&location=\(w.lake)&provider=\(w.provider.id)&from=\(day)",
                    headers: desk)
                let list = try slots.content.decode([SchedulingStore.Slot].self)
                XCTAssertEqual(list.first.map { Fixtures.iso($0.start) }, firstUTC, "13:00 local at Lake on \(day)")
            }
        }
    }

    func test_slots_disappearWhenBooked_andReturnWhenCancelled() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let pid = try await Fixtures.patient(app)
            let url =
                Site.apiSlots.path()
                + "?type=\(w.followUp)&location=\(w.main)&provider=\(w.provider.id)&from=2026-11-03"
            let before = try await HTTP.send(app, .GET, url, headers: desk).content.decode([SchedulingStore.Slot].self)
            XCTAssertEqual(before.count, 15, "08:00 to 11:30 every 15 minutes for a 20-minute visit")
            let res = try await book(
                app, desk,
                Booking(
                    patientId: pid, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                    start: w.atMain("2026-11-03", 9)))
            let after = try await HTTP.send(app, .GET, url, headers: desk).content.decode([SchedulingStore.Slot].self)
            XCTAssertEqual(after.count, 12)
            XCTAssertFalse(after.contains { $0.start == w.atMain("2026-11-03", 9) })

            let id = try res.content.get(UUID.self, at: "id")
            let noReason = try await HTTP.send(
                app, .PATCH, Site.apiAppointment.path(id), headers: desk, json: ["status": "cancelled"])
            XCTAssertEqual(noReason.status, .unprocessableEntity)
            XCTAssertEqual(try noReason.problem().errors?.first?.field, "cancelReason")
            let cancelled = try await HTTP.send(
                app, .PATCH, Site.apiAppointment.path(id), headers: desk,
                json: ["status": "cancelled", "cancelReason": "patient request"])
            XCTAssertEqual(cancelled.status, .ok)
            let again = try await HTTP.send(app, .GET, url, headers: desk).content.decode([SchedulingStore.Slot].self)
            XCTAssertEqual(again.count, 15)
            let back = try await HTTP.send(
                app, .PATCH, Site.apiAppointment.path(id), headers: desk, json: ["status": "checked-in"])
            XCTAssertEqual(back.status, .conflict, "a cancelled visit cannot be checked in")
        }
    }

    func test_travelBuffer_leave_hours_andPast_areEnforced() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let p = try await Fixtures.workingProvider(app, main: w.main, lake: w.lake, allDayBoth: true)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let a = try await Fixtures.patient(app, family: "Alpha"),
                b = try await Fixtures.patient(app, family: "Beta")
            let d = "2026-11-03"
            let first = try await book(
                app, desk,
                Booking(patientId: a, providerId: p.id, locationId: w.main, typeId: w.followUp, start: w.atMain(d, 10)))
            XCTAssertEqual(first.status, .created)  // 15:00Z–15:20Z
            let tooSoon = try await book(
                app, desk,
                Booking(
                    patientId: b, providerId: p.id, locationId: w.lake, typeId: w.followUp, start: w.atLake(d, 9, 30)))
            XCTAssertEqual(tooSoon.status, .conflict)
            XCTAssertEqual(try tooSoon.problem().extra?["conflict"], "travel-buffer")
            let afterTravel = try await book(
                app, desk,
                Booking(
                    patientId: b, providerId: p.id, locationId: w.lake, typeId: w.followUp, start: w.atLake(d, 9, 50)))
            XCTAssertEqual(afterTravel.status, .created, "15:50Z is exactly the 30-minute buffer after 15:20Z")
            let sameSite = try await book(
                app, desk,
                Booking(
                    patientId: b, providerId: w.provider.id, locationId: w.main, typeId: w.video,
                    start: w.atMain(d, 10, 50)))
            XCTAssertEqual(sameSite.status, .conflict, "patient Beta is at Lake then")
            XCTAssertEqual(try sameSite.problem().extra?["conflict"], "patient")

            // Leave blocks booking and slots.
            try await AvailabilityExceptionRecord(
                providerID: w.provider.id, span: LocalDay("2026-11-04")!.span(in: w.mainZone), kind: "leave"
            ).create(on: app.db)
            let onLeave = try await book(
                app, desk,
                Booking(
                    patientId: a, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                    start: w.atMain("2026-11-04", 9)))
            XCTAssertEqual(onLeave.status, .conflict)
            let slots = try await HTTP.send(
                app, .GET,
                Site.apiSlots.path()
                    + "?type=\(w.followUp)&location=\(w.main)&provider=\(w.provider.id)&from=2026-11-04",
                headers: desk)
            XCTAssertEqual(try slots.content.decode([SchedulingStore.Slot].self).count, 0)

            let outside = try await book(
                app, desk,
                Booking(
                    patientId: a, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                    start: w.atMain("2026-11-05", 13)))
            XCTAssertEqual(outside.status, .conflict)
            XCTAssertEqual(try outside.problem().type, "/problems/outside-hours")
            let past = try await book(
                app, desk,
                Booking(
                    patientId: a, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                    start: clock.now().addingTimeInterval(-86400)))
            XCTAssertEqual(past.status, .unprocessableEntity)
            XCTAssertEqual(try past.problem().errors?.first?.field, "start")
        }
    }

    func test_providerOverlapOverride_needsAReason_isAudited_andStaffOnly() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app, rooms: 2)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let a = try await Fixtures.patient(app, family: "First"),
                b = try await Fixtures.patient(app, family: "Urgent")
            let t = w.atMain("2026-11-03", 9)
            _ = try await book(
                app, desk,
                Booking(patientId: a, providerId: w.provider.id, locationId: w.main, typeId: w.followUp, start: t))
            let plain = try await book(
                app, desk,
                Booking(patientId: b, providerId: w.provider.id, locationId: w.main, typeId: w.followUp, start: t))
            XCTAssertEqual(plain.status, .conflict)
            XCTAssertEqual(try plain.problem().extra?["conflict"], "provider")
            let over = try await book(
                app, desk,
                Booking(
                    patientId: b, providerId: w.provider.id, locationId: w.main, typeId: w.followUp, start: t,
                    overrideReason: "urgent post-op wound check"))
            XCTAssertEqual(over.status, .created)
            let events = try await Fixtures.auditRows(app, action: .create, patientID: b).map(\.detail)
            XCTAssertTrue(events.contains { $0.hasPrefix("provider overlap overridden") })

            let pat = try await Fixtures.patientUser(app)
            let patH = try await Fixtures.bearer(app, pat, clock: clock)
            let byPatient = try await book(
                app, patH,
                Booking(
                    patientId: nil, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                    start: w.atMain("2026-11-03", 9), overrideReason: "me first"))
            XCTAssertEqual(byPatient.status, .forbidden)
        }
    }

    func test_patientSelfScheduling_ownOnly_bookableTypesOnly() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let pat = try await Fixtures.patientUser(app)
            let other = try await Fixtures.patient(app, family: "Someoneelse")
            let patH = try await Fixtures.bearer(app, pat, clock: clock)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            _ = try await book(
                app, desk,
                Booking(
                    patientId: other, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                    start: w.atMain("2026-11-03", 8)))

            let mine = try await book(
                app, patH,
                Booking(
                    patientId: other, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                    start: w.atMain("2026-11-03", 10)))
            XCTAssertEqual(mine.status, .created)
            XCTAssertEqual(
                try mine.content.get(UUID.self, at: "patientId"), pat.patientID, "a patient always books for themself")
            let staffOnly = try await book(
                app, patH,
                Booking(
                    patientId: nil, providerId: w.provider.id, locationId: w.main, typeId: w.newPatient,
                    start: w.atMain("2026-11-03", 11)))
            XCTAssertEqual(staffOnly.status, .forbidden)
            let list = try await HTTP.send(
                app, .GET, Site.apiAppointments.path() + "?from=2026-11-01&to=2026-11-10", headers: patH)
            let rows = try list.content.decode([AppointmentDTO].self)
            XCTAssertEqual(rows.map(\.patientId), [pat.patientID!], "only their own appointments")
            let othersID = try await AppointmentRecord.query(on: app.db).filter(\.$patientID == other).first()!.id!
            let cancelOthers = try await HTTP.send(
                app, .PATCH, Site.apiAppointment.path(othersID), headers: patH,
                json: ["status": "cancelled", "cancelReason": "x"])
            XCTAssertEqual(cancelOthers.status, .forbidden)
            let checkIn = try await HTTP.send(
                app, .PATCH, Site.apiAppointment.path(rows[0].id), headers: patH, json: ["status": "checked-in"])
            XCTAssertEqual(checkIn.status, .forbidden)
            let slots = try await HTTP.send(
                app, .GET, Site.apiSlots.path() + "?type=\(w.newPatient)&from=2026-11-03", headers: patH)
            XCTAssertEqual(slots.status, .forbidden)
        }
    }

    func test_scheduleAccess_byRole() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let pid = try await Fixtures.patient(app)
            for role in Role.staffRoles {
                let h = try await Fixtures.bearer(app, try await Fixtures.user(app, role), clock: clock)
                let list = try await HTTP.send(
                    app, .GET, Site.apiAppointments.path() + "?from=2026-11-01&to=2026-11-08&provider=\(w.provider.id)",
                    headers: h)
                let allowed = [Role.admin, .medicalDirector, .provider, .medicalAssistant, .frontDesk].contains(role)
                XCTAssertEqual(list.status, allowed ? .ok : .forbidden, "\(role) list")
                let b = try await book(
                    app, h,
                    Booking(
                        patientId: pid, providerId: w.provider.id, locationId: w.main, typeId: w.video,
                        start: w.atMain("2026-11-03", 8).addingTimeInterval(
                            Double(Role.staffRoles.firstIndex(of: role)!) * 1800)))
                XCTAssertEqual(b.status, allowed ? .created : .forbidden, "\(role) book")
            }
            let bad = try await HTTP.send(
                app, .POST, Site.apiAppointments.path(),
                headers: try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock),
                raw: #"{"providerId":"nope","start":"tomorrow"}"#)
            XCTAssertEqual(bad.status, .badRequest)
            XCTAssertEqual(try bad.problem().errors?.first?.field, "providerId")
        }
    }
}

/// `POST /api/v1/appointments` answers with a `Location`; that address reads the appointment back.
final class AppointmentReadTests: XCTestCase {
    func test_bookingsLocation_readsTheAppointment_onlyForThoseWhoMay() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let pat = try await Fixtures.patientUser(app, family: "Reader")
            let other = try await Fixtures.patientUser(app, family: "Otherreader")
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let start = w.atMain("2026-12-01", 9)
            let booked = try await HTTP.send(
                app, .POST, Site.apiAppointments.path(), headers: desk,
                json: Booking(
                    patientId: pat.patientID!, providerId: w.provider.id, locationId: w.main,
                    typeId: w.followUp, start: start))
            XCTAssertEqual(booked.status, .created, booked.body.string)
            let location = try XCTUnwrap(booked.headers.first(name: .location))
            let read = try await HTTP.send(app, .GET, location, headers: desk)
            XCTAssertEqual(read.status, .ok, read.body.string)
            XCTAssertEqual(try read.content.get(UUID.self, at: "id"), try booked.content.get(UUID.self, at: "id"))
            XCTAssertEqual(read.headers.first(name: .eTag), booked.headers.first(name: .eTag))
            let own = try await HTTP.send(
                app, .GET, location, headers: try await Fixtures.bearer(app, pat, clock: clock))
            XCTAssertEqual(own.status, .ok)
            let notYours = try await HTTP.send(
                app, .GET, location, headers: try await Fixtures.bearer(app, other, clock: clock))
            XCTAssertEqual(notYours.status, .forbidden)
            let support = try await HTTP.send(
                app, .GET, location,
                headers: try await Fixtures.bearer(app, try await Fixtures.user(app, .support), clock: clock))
            XCTAssertEqual(support.status, .forbidden)
            let missing = try await HTTP.send(app, .GET, Site.apiAppointment.path(UUID()), headers: desk)
            XCTAssertEqual(missing.status, .notFound)
            let reads = try await Fixtures.auditRows(app, action: .read, patientID: pat.patientID!).filter {
                $0.entityType == "Appointment"
            }
            XCTAssertEqual(reads.count, 2, "each read audited")
        }
    }
}
