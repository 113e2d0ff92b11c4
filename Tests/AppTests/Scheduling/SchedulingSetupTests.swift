import XCTest
import AppCore
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import Locations
import Scheduling

final class SchedulingSetupTests: XCTestCase {
    func test_admin_setsUpRoomsTypesHoursAndLeave_othersCannot() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let admin = try await Fixtures.bearer(app, try await Fixtures.user(app, .admin), clock: clock)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let dr = try await Fixtures.user(app, .provider)

            let room = try await HTTP.send(
                app, .POST, Site.apiRooms.path(), headers: admin,
                json: ["locationId": w.lake.uuidString, "name": "Chair C"])
            XCTAssertEqual(room.status, .created)
            let v1 = try await HTTP.send(
                app, .POST, Site.apiRooms.path(), headers: desk, json: ["locationId": w.lake.uuidString, "name": "X"]
            ).status
            XCTAssertEqual(v1, .forbidden)

            struct T: Encodable { let code = "POSTOP", name = "Post-op check", minutes = 30, patientBookable = true }
            let v2 = try await HTTP.send(app, .POST, Site.apiAppointmentTypes.path(), headers: admin, json: T()).status
            XCTAssertEqual(v2, .created)
            let v3 = try await HTTP.send(app, .POST, Site.apiAppointmentTypes.path(), headers: admin, json: T()).status
            XCTAssertEqual(v3, .conflict)
            let badType = try await HTTP.send(
                app, .POST, Site.apiAppointmentTypes.path(), headers: admin,
                raw: #"{"code":"a b","name":"","minutes":1}"#)
            XCTAssertEqual(Set(try badType.problem().errors!.map(\.field)), ["code", "name", "minutes"])

            struct H: Encodable {
                let providerId: UUID; let locationId: UUID; let weekday: Int; let start: String; let end: String
            }
            let day = LocalDay("2026-11-05")!
            let hours = try await HTTP.send(
                app, .POST, Site.apiProviderHours.path(), headers: admin,
                json: H(providerId: dr.id, locationId: w.lake, weekday: day.weekday, start: "13:00", end: "15:00"))
            XCTAssertEqual(hours.status, .created)
            let overlap = try await HTTP.send(
                app, .POST, Site.apiProviderHours.path(), headers: admin,
                json: H(providerId: dr.id, locationId: w.main, weekday: day.weekday, start: "14:00", end: "16:00"))
            XCTAssertEqual(overlap.status, .conflict)
            let badHours = try await HTTP.send(
                app, .POST, Site.apiProviderHours.path(), headers: admin,
                json: H(providerId: dr.id, locationId: w.main, weekday: 9, start: "25:00", end: "10:00"))
            XCTAssertEqual(badHours.status, .unprocessableEntity)

            let slots = try await HTTP.send(
                app, .GET, Site.apiSlots.path() + "?type=\(w.video)&provider=\(dr.id)&from=\(day.iso)", headers: desk)
            let list = try slots.content.decode([SchedulingStore.Slot].self)
            XCTAssertEqual(list.first?.start, w.atLake(day.iso, 13), "new hours drive slot search at once")

            struct X: Encodable { let providerId: UUID; let start: String; let end: String; let kind: String }
            let leave = try await HTTP.send(
                app, .POST, Site.apiAvailabilityExceptions.path(), headers: admin,
                json: X(
                    providerId: dr.id, start: Fixtures.iso(w.atLake(day.iso, 13)),
                    end: Fixtures.iso(w.atLake(day.iso, 15)), kind: "leave"))
            XCTAssertEqual(leave.status, .created)
            let after = try await HTTP.send(
                app, .GET, Site.apiSlots.path() + "?type=\(w.video)&provider=\(dr.id)&from=\(day.iso)", headers: desk)
            XCTAssertEqual(try after.content.decode([SchedulingStore.Slot].self).count, 0)

            let v4 = try await HTTP.send(
                app, .PUT, Site.apiSchedulingSettings.path(), headers: admin, json: ["travelBufferMinutes": 45]
            ).status
            XCTAssertEqual(v4, .ok)
            let v5 = try await PracticeRecord.query(on: app.db).first()?.travelBufferMinutes
            XCTAssertEqual(v5, 45)
            let v6 = try await HTTP.send(
                app, .PUT, Site.apiSchedulingSettings.path(), headers: desk, json: ["travelBufferMinutes": 0]
            ).status
            XCTAssertEqual(v6, .forbidden)
            let setupEvents = try await Fixtures.auditRows(app).filter { $0.entityType == "SchedulingSetup" }
            XCTAssertEqual(setupEvents.count, 5)
        }
    }
}
