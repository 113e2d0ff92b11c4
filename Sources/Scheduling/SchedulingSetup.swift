import Vapor
import Fluent
import Domain
import Accounts
import Locations

/// Set-up data for scheduling: rooms, appointment types and weekly hours. Used by the demo seed and tests.
public enum SchedulingSetup {
    public struct TypeSpec: Sendable {
        public let code: String, name: String, minutes: Int, telemedicine: Bool, patientBookable: Bool, needsRoom: Bool

        package init(
            code: String, name: String, minutes: Int, telemedicine: Bool, patientBookable: Bool, needsRoom: Bool
        ) {
            self.code = code
            self.name = name
            self.minutes = minutes
            self.telemedicine = telemedicine
            self.patientBookable = patientBookable
            self.needsRoom = needsRoom
        }
    }

    public static let demoTypes: [TypeSpec] = [
        TypeSpec(
            code: "NEW", name: "New patient visit", minutes: 45, telemedicine: false, patientBookable: false,
            needsRoom: true),
        TypeSpec(
            code: "FU", name: "Follow-up visit", minutes: 20, telemedicine: false, patientBookable: true,
            needsRoom: true),
        TypeSpec(
            code: "WOUND", name: "Wound check", minutes: 15, telemedicine: false, patientBookable: true, needsRoom: true
        ),
        TypeSpec(
            code: "VIDEO", name: "Video follow-up", minutes: 20, telemedicine: true, patientBookable: true,
            needsRoom: false),
    ]

    @discardableResult
    package static func addType(_ s: TypeSpec, on db: any Database) async throws -> AppointmentTypeRecord {
        let t = AppointmentTypeRecord(
            code: s.code, name: s.name, minutes: s.minutes, telemedicine: s.telemedicine,
            patientBookable: s.patientBookable, needsRoom: s.needsRoom)
        try await t.create(on: db)
        return t
    }

    @discardableResult
    package static func addRooms(_ names: [String], at location: UUID, on db: any Database) async throws -> [RoomRecord]
    {
        var out: [RoomRecord] = []
        for n in names {
            let r = RoomRecord(locationID: location, name: n)
            try await r.create(on: db)
            out.append(r)
        }
        return out
    }

    /// Weekly hours for weekdays (2 = Monday … 6 = Friday by default).
    package static func addHours(
        provider: UUID, location: UUID, weekdays: [Int] = [2, 3, 4, 5, 6], from: Int, to: Int, on db: any Database
    ) async throws {
        for d in weekdays {
            try await ProviderHoursRecord(
                providerID: provider, locationID: location, weekday: d, startMinute: from, endMinute: to
            ).create(on: db)
        }
    }

    /// The demo practice's rooms, types and hours (Dr. Patel splits her day between both clinics).
    package static func seedDemo(_ app: Application, locations: [LocationRecord]) async throws {
        let db = app.db
        for t in demoTypes { try await addType(t, on: db) }
        try await addRooms(["Room 1", "Room 2", "Cast room"], at: try locations[0].requireID(), on: db)
        try await addRooms(["Chair A", "Chair B"], at: try locations[1].requireID(), on: db)
        func user(_ name: String) async throws -> UUID? {
            try await UserRecord.query(on: db).filter(\.$username == name).first()?.id
        }
        if let patel = try await user("drpatel") {
            try await addHours(
                provider: patel, location: try locations[0].requireID(), from: 8 * 60, to: 12 * 60, on: db)
            try await addHours(
                provider: patel, location: try locations[1].requireID(), from: 13 * 60, to: 17 * 60, on: db)
        }
        if let kim = try await user("drkim") {
            try await addHours(
                provider: kim, location: try locations[1].requireID(), weekdays: [2, 3, 4, 5], from: 8 * 60,
                to: 16 * 60, on: db)
        }
        if let hughes = try await user("drhughes") {
            try await addHours(
                provider: hughes, location: try locations[0].requireID(), weekdays: [6], from: 9 * 60, to: 12 * 60,
                on: db)
        }
    }
}
