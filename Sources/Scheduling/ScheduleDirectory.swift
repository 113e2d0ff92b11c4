import Vapor
import Fluent
import Domain
import Accounts
import AppCore
import Locations
import Patients

/// Names and zones the schedule pages need, loaded once per request.
package struct ScheduleDirectory: Sendable {
    package let locations: [LocationRecord]
    package let providers: [UserRecord]
    package let types: [AppointmentTypeRecord]
    package let rooms: [RoomRecord]

    package static func load(_ db: any Database) async throws -> ScheduleDirectory {
        ScheduleDirectory(
            locations: try await LocationRecord.query(on: db).sort(\.$name).all(),
            providers: try await UserRecord.query(on: db).filter(
                \.$role ~~ [Role.provider, .medicalDirector]
            )
            .filter(\.$active == true).sort(\.$displayName).all(),
            types: try await AppointmentTypeRecord.query(on: db).sort(\.$name).all(),
            rooms: try await RoomRecord.query(on: db).all())
    }

    package func location(_ id: UUID) -> LocationRecord? { locations.first { $0.id == id } }
    package func zone(_ id: UUID) -> TimeZone {
        location(id).flatMap { TimeZone(identifier: $0.timeZone) } ?? TimeZone(identifier: "UTC")!
    }
    package func providerName(_ id: UUID) -> String { providers.first { $0.id == id }?.displayName ?? "—" }
    package func typeName(_ id: UUID) -> String { types.first { $0.id == id }?.name ?? "—" }
    package func isTelemedicine(_ id: UUID) -> Bool { types.first { $0.id == id }?.telemedicine ?? false }
    package func roomName(_ id: UUID?) -> String? { id.flatMap { r in rooms.first { $0.id == r }?.name } }
    package var homeZone: TimeZone {
        locations.first.flatMap { TimeZone(identifier: $0.timeZone) } ?? TimeZone(identifier: "UTC")!
    }

    /// "9:00 – 9:20 AM CT" in the location's own zone (the name people read, never an offset).
    package func localTimes(_ span: TimeSpan, at location: UUID) -> String {
        Format.timeRange(span.start, span.end, zone: zone(location))
    }
}

package struct CalendarRow: Sendable {
    package let id: UUID
    package let day: LocalDay
    package let span: TimeSpan
    package let times: String
    package let location: String
    package let locationID: UUID
    package let provider: String
    package let providerID: UUID
    package let patient: String
    package let patientID: UUID
    package let type: String
    package let room: String?
    package let status: AppointmentStatus
    package var telemedicine = false
}

extension ScheduleDirectory {
    /// Appointments as the calendar, the provider's day and the home page show them: times in each place's zone,
    /// names rather than ids.
    package func rows(_ listed: [SchedulingStore.Listed]) -> [CalendarRow] {
        listed.map { l in
            let a = l.appointment
            return CalendarRow(
                id: a.id, day: LocalDay.of(a.start, in: zone(a.locationId)), span: a.span,
                times: localTimes(a.span, at: a.locationId),
                location: location(a.locationId)?.name ?? "—", locationID: a.locationId,
                provider: providerName(a.providerId), providerID: a.providerId,
                patient: l.patientName, patientID: a.patientId, type: typeName(a.typeId),
                room: roomName(a.roomId), status: a.status,
                telemedicine: isTelemedicine(a.typeId))
        }
    }
}
