import XCTest
import AppCore
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import Scheduling

/// Double-booking races: many requests for the same provider, room or patient at overlapping times,
/// all at once. Exactly one may win; the table itself must show no overlap afterwards.
final class BookingConcurrencyTests: XCTestCase {
    let day = "2026-11-03"

    func fire(_ app: Application, _ headers: HTTPHeaders, _ bookings: [Booking]) async throws -> [HTTPStatus] {
        try await withThrowingTaskGroup(of: HTTPStatus.self) { g in
            for b in bookings {
                g.addTask {
                    try await HTTP.send(app, .POST, Site.apiAppointments.path(), headers: headers, json: b).status
                }
            }
            var out: [HTTPStatus] = []
            for try await s in g { out.append(s) }
            return out
        }
    }

    func assertNoOverlap(
        _ rows: [AppointmentRecord], _ key: (AppointmentRecord) -> UUID?, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        let active = rows.filter { $0.status.holdsTime && $0.overrideReason == nil }
        for (i, a) in active.enumerated() {
            for b in active[(i + 1)...] where key(a) != nil && key(a) == key(b) {
                XCTAssertFalse(a.span.overlaps(b.span), "overlap \(a.id!) / \(b.id!)", file: file, line: line)
            }
        }
    }

    func test_50ConcurrentBookings_sameProviderAcrossBothLocations_exactlyOneWins() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app, rooms: 3)
            let p = try await Fixtures.workingProvider(app, main: w.main, lake: w.lake, allDayBoth: true)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            var bookings: [Booking] = []
            for i in 0..<50 {
                let pid = try await Fixtures.patient(app, family: "Race\(i)")
                let atMain = i % 2 == 0
                // 10:00 Eastern at Main and 09:00 Central at Lake are the same instant; shifted by 0, 5 or 10 minutes.
                let start = atMain ? w.atMain(day, 10, (i % 3) * 5) : w.atLake(day, 9, (i % 3) * 5)
                bookings.append(
                    Booking(
                        patientId: pid, providerId: p.id, locationId: atMain ? w.main : w.lake, typeId: w.followUp,
                        start: start, roomId: (atMain ? w.mainRooms : w.lakeRooms)[i % 3]))
            }
            let statuses = try await fire(app, desk, bookings)
            XCTAssertEqual(statuses.filter { $0 == .created }.count, 1)
            XCTAssertEqual(statuses.filter { $0 == .conflict }.count, 49)
            let rows = try await AppointmentRecord.query(on: app.db).filter(\.$providerID == p.id).all()
            XCTAssertEqual(rows.count, 1, "the table holds exactly one appointment for the provider")
        }
    }

    func test_50ConcurrentBookings_sameRoom_exactlyOneWins() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            var bookings: [Booking] = []
            for i in 0..<50 {
                let prov = try await Fixtures.workingProvider(app, main: w.main, lake: w.lake)
                let pid = try await Fixtures.patient(app, family: "Room\(i)")
                bookings.append(
                    Booking(
                        patientId: pid, providerId: prov.id, locationId: w.main, typeId: w.followUp,
                        start: w.atMain(day, 9, (i % 4) * 5), roomId: w.mainRooms[0]))
            }
            let statuses = try await fire(app, desk, bookings)
            XCTAssertEqual(statuses.filter { $0 == .created }.count, 1)
            XCTAssertEqual(statuses.filter { $0 == .conflict }.count, 49)
            let rows = try await AppointmentRecord.query(on: app.db).filter(\.$roomID == w.mainRooms[0]).all()
            XCTAssertEqual(rows.count, 1)
        }
    }

    func test_50ConcurrentBookings_samePatient_exactlyOneWins() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let pid = try await Fixtures.patient(app, family: "Samepatient")
            var bookings: [Booking] = []
            for i in 0..<50 {
                let prov = try await Fixtures.workingProvider(app, main: w.main, lake: w.lake, allDayBoth: true)
                let atMain = i % 2 == 0
                bookings.append(
                    Booking(
                        patientId: pid, providerId: prov.id, locationId: atMain ? w.main : w.lake, typeId: w.video,
                        start: atMain ? w.atMain(day, 10, (i % 3) * 5) : w.atLake(day, 9, (i % 3) * 5)))
            }
            let statuses = try await fire(app, desk, bookings)
            XCTAssertEqual(statuses.filter { $0 == .created }.count, 1)
            XCTAssertEqual(statuses.filter { $0 == .conflict }.count, 49)
            let rows = try await AppointmentRecord.query(on: app.db).filter(\.$patientID == pid).all()
            XCTAssertEqual(rows.count, 1)
        }
    }

    func test_rescheduleRacingBookings_losesNothing_andCreatesNoOverlap() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app, rooms: 3)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let x = try await Fixtures.patient(app, family: "Mover")
            let y = try await Fixtures.patient(app, family: "Newcomer")
            let z = try await Fixtures.patient(app, family: "Taker")
            for round in 0..<8 {
                let d = LocalDay("2026-11-10")!.adding(days: round).iso
                let a = try await HTTP.send(
                    app, .POST, Site.apiAppointments.path(), headers: desk,
                    json: Booking(
                        patientId: x, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                        start: w.atMain(d, 9)))
                XCTAssertEqual(a.status, .created)
                let aid = try a.content.get(UUID.self, at: "id")
                // Move A to 10:00 while someone books 10:00 and someone else grabs A's old 9:00.
                async let move = HTTP.send(
                    app, .PATCH, Site.apiAppointment.path(aid), headers: desk,
                    json: ["start": Fixtures.iso(w.atMain(d, 10))])
                async let newAtTen = HTTP.send(
                    app, .POST, Site.apiAppointments.path(), headers: desk,
                    json: Booking(
                        patientId: y, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                        start: w.atMain(d, 10)))
                async let takeNine = HTTP.send(
                    app, .POST, Site.apiAppointments.path(), headers: desk,
                    json: Booking(
                        patientId: z, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                        start: w.atMain(d, 9)))
                let (m, b, c) = try await (move, newAtTen, takeNine)
                XCTAssertTrue([HTTPStatus.ok, .conflict].contains(m.status))
                XCTAssertNotEqual(m.status == .ok && b.status == .created, true, "both cannot hold 10:00")
                let moved = try await AppointmentRecord.find(aid, on: app.db)
                XCTAssertEqual(moved?.status, .booked, "A is never lost")
                XCTAssertEqual(moved?.startAt, m.status == .ok ? w.atMain(d, 10) : w.atMain(d, 9))
                if m.status == .conflict { XCTAssertEqual(c.status, .conflict, "A kept 9:00, so nobody else got it") }
            }
            let rows = try await AppointmentRecord.query(on: app.db).all()
            assertNoOverlap(rows, { $0.providerID })
            assertNoOverlap(rows, { $0.roomID })
            assertNoOverlap(rows, { $0.patientID })
        }
    }
}
