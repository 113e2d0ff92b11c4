import Foundation
import XCTVapor
import Fluent
import App
import Domain
import Locations
import Scheduling

/// A small practice for scheduling tests: two locations in different zones, rooms, types, and a provider
/// who works mornings at Main and afternoons at Lake on every day of the week.
package struct SchedulingWorld: Sendable {
    package let main: UUID
    package let lake: UUID
    package let mainRooms: [UUID]
    package let lakeRooms: [UUID]
    package let followUp: UUID  // 20 min, needs a room, patients may book
    package let newPatient: UUID  // 45 min, needs a room, staff only
    package let video: UUID  // 20 min, telemedicine, no room
    package let provider: TestUser
    package let mainZone = TimeZone(identifier: "America/Indiana/Indianapolis")!
    package let lakeZone = TimeZone(identifier: "America/Chicago")!

    /// The instant of a local wall-clock time at Main.
    package func atMain(_ day: String, _ h: Int, _ m: Int = 0) -> Date {
        LocalDay(day)!.instant(minuteOfDay: h * 60 + m, in: mainZone)!
    }
    package func atLake(_ day: String, _ h: Int, _ m: Int = 0) -> Date {
        LocalDay(day)!.instant(minuteOfDay: h * 60 + m, in: lakeZone)!
    }
}

extension Fixtures {
    package static let allWeek = [1, 2, 3, 4, 5, 6, 7]

    package static func schedulingWorld(_ app: Application, rooms: Int = 2) async throws -> SchedulingWorld {
        let db = app.db
        let main = LocationRecord(
            code: "MAIN", name: "Main Street Clinic", timeZone: "America/Indiana/Indianapolis",
            address: "1 Main St, Evansville, IN 47708",
            phone: "+1 812 555 0101")
        let lake = LocationRecord(
            code: "LAKE", name: "Lakeshore Clinic", timeZone: "America/Chicago",
            address: "2 Lake Dr, Chicago, IL 60601",
            phone: "+1 312 555 0102")
        try await main.create(on: db)
        try await lake.create(on: db)
        let mainRooms = try await SchedulingSetup.addRooms(
            (1...rooms).map { "Main \($0)" }, at: try main.requireID(), on: db
        )
        .compactMap(\.id)
        let lakeRooms = try await SchedulingSetup.addRooms(
            (1...rooms).map { "Lake \($0)" }, at: try lake.requireID(), on: db
        )
        .compactMap(\.id)
        let types = try await (
            SchedulingSetup.addType(
                .init(
                    code: "FU", name: "Follow-up", minutes: 20, telemedicine: false, patientBookable: true,
                    needsRoom: true), on: db),
            SchedulingSetup.addType(
                .init(
                    code: "NEW", name: "New patient", minutes: 45, telemedicine: false, patientBookable: false,
                    needsRoom: true), on: db),
            SchedulingSetup.addType(
                .init(
                    code: "VIDEO", name: "Video", minutes: 20, telemedicine: true, patientBookable: true,
                    needsRoom: false), on: db)
        )
        let provider = try await workingProvider(app, main: try main.requireID(), lake: try lake.requireID())
        return SchedulingWorld(
            main: try main.requireID(), lake: try lake.requireID(), mainRooms: mainRooms, lakeRooms: lakeRooms,
            followUp: try types.0.requireID(),
            newPatient: try types.1.requireID(), video: try types.2.requireID(), provider: provider)
    }

    /// A provider at Main 08:00–12:00 and Lake 13:00–17:00 local, every day (tests pick any date).
    package static func workingProvider(_ app: Application, main: UUID, lake: UUID, allDayBoth: Bool = false)
        async throws -> TestUser
    {
        let p = try await user(app, .provider)
        try await SchedulingSetup.addHours(
            provider: p.id, location: main, weekdays: allWeek, from: allDayBoth ? 0 : 8 * 60,
            to: allDayBoth ? 24 * 60 - 1 : 12 * 60, on: app.db)
        try await SchedulingSetup.addHours(
            provider: p.id, location: lake, weekdays: allWeek, from: allDayBoth ? 0 : 13 * 60,
            to: allDayBoth ? 24 * 60 - 1 : 17 * 60, on: app.db)
        return p
    }

    package static func iso(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: d)
    }
}

/// The JSON body of `POST /api/v1/appointments`.
package struct Booking: Encodable, Sendable {
    package var patientId: UUID?
    package var providerId: UUID
    package var locationId: UUID
    package var typeId: UUID
    package var start: String
    package var roomId: UUID?
    package var overrideReason: String?

    package init(
        patientId: UUID?, providerId: UUID, locationId: UUID, typeId: UUID, start: Date, roomId: UUID? = nil,
        overrideReason: String? = nil
    ) {
        self.patientId = patientId
        self.providerId = providerId
        self.locationId = locationId
        self.typeId = typeId
        self.start = Fixtures.iso(start)
        self.roomId = roomId
        self.overrideReason = overrideReason
    }
}
