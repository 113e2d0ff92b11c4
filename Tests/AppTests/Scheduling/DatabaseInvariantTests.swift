import XCTest
import AppCore
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import Scheduling

/// The invariants hold in PostgreSQL itself, even for a write that does not come through CareSync's code
/// (an old version during a blue-green switch, a script, another node).
final class DatabaseInvariantTests: XCTestCase {
    func row(
        _ w: SchedulingWorld, patient: UUID, provider: UUID, room: UUID?, start: Date,
        status: AppointmentStatus = .booked
    )
        -> AppointmentRecord
    {
        let a = AppointmentRecord()
        a.patientID = patient
        a.providerID = provider
        a.locationID = w.main
        a.roomID = room
        a.typeID = w.followUp
        a.startAt = start
        a.endAt = start.addingTimeInterval(1200)
        a.status = status
        a.version = 1
        a.createdAt = start
        a.updatedAt = start
        return a
    }

    func test_postgresExclusionConstraints_refuseOverlapsWrittenDirectly() async throws {
        guard TestDatabase.isPostgres else {
            throw XCTSkip("exclusion constraints are PostgreSQL's; SQLite relies on the serialized transaction")
        }
        try await withTestApp { app, _ in
            let w = try await Fixtures.schedulingWorld(app)
            let other = try await Fixtures.workingProvider(app, main: w.main, lake: w.lake)
            let p1 = try await Fixtures.patient(app, family: "One"), p2 = try await Fixtures.patient(app, family: "Two")
            let t = w.atMain("2026-11-03", 9)
            try await row(w, patient: p1, provider: w.provider.id, room: w.mainRooms[0], start: t).create(on: app.db)
            for (label, a) in [
                (
                    "provider",
                    row(w, patient: p2, provider: w.provider.id, room: w.mainRooms[1], start: t.addingTimeInterval(600))
                ),
                (
                    "room",
                    row(w, patient: p2, provider: other.id, room: w.mainRooms[0], start: t.addingTimeInterval(600))
                ),
                (
                    "patient",
                    row(w, patient: p1, provider: other.id, room: w.mainRooms[1], start: t.addingTimeInterval(600))
                ),
            ] {
                do {
                    try await a.create(on: app.db)
                    XCTFail("\(label) overlap was stored")
                } catch {
                    XCTAssertTrue(
                        String(reflecting: error).contains("23P01"),
                        "\(label): \(String(reflecting: error).prefix(200))")
                }
            }
            // Back-to-back is fine, and a cancelled visit does not hold its time.
            try await row(
                w, patient: p2, provider: w.provider.id, room: w.mainRooms[0], start: t.addingTimeInterval(1200)
            ).create(on: app.db)
            try await row(w, patient: p2, provider: w.provider.id, room: w.mainRooms[0], start: t, status: .cancelled)
                .create(on: app.db)
            let v1 = try await AppointmentRecord.query(on: app.db).count()
            XCTAssertEqual(v1, 3)
        }
    }

    func test_openingHours_limitSlotsAndBookings() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let admin = try await Fixtures.bearer(app, try await Fixtures.user(app, .admin), clock: clock)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let day = LocalDay("2026-11-03")!
            struct O: Encodable { let locationId: UUID; let weekday: Int; let start: String; let end: String }
            let res = try await HTTP.send(
                app, .POST, Site.apiLocationHours.path(), headers: admin,
                json: O(locationId: w.main, weekday: day.weekday, start: "09:00", end: "11:00"))
            XCTAssertEqual(res.status, .created)
            let slots = try await HTTP.send(
                app, .GET,
                Site.apiSlots.path()
                    + "?type=\(w.followUp)&location=\(w.main)&provider=\(w.provider.id)&from=\(day.iso)",
                headers: desk)
            let list = try slots.content.decode([SchedulingStore.Slot].self)
            XCTAssertEqual(list.first?.start, w.atMain(day.iso, 9))
            XCTAssertEqual(list.last?.end, w.atMain(day.iso, 10, 50))
            let pid = try await Fixtures.patient(app)
            let early = try await HTTP.send(
                app, .POST, Site.apiAppointments.path(), headers: desk,
                json: Booking(
                    patientId: pid, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                    start: w.atMain(day.iso, 8)))
            XCTAssertEqual(early.status, .conflict, "the clinic opens at 09:00 that day")
        }
    }
}
