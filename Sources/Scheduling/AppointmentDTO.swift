import Vapor
import Domain
import AppCore

/// An appointment as the scheduling store hands it out (and the API shows it).
package struct AppointmentDTO: Content {
    package let id: UUID
    package let patientId: UUID
    package let providerId: UUID
    package let locationId: UUID
    package let roomId: UUID?
    package let typeId: UUID
    package let start: Date
    package let end: Date
    package let status: AppointmentStatus
    package let cancelReason: String?
    package let overrideReason: String?
    package let version: Int
    package let updatedAt: Date

    package init(_ a: AppointmentRecord) throws {
        id = try a.requireID()
        patientId = a.patientID
        providerId = a.providerID
        locationId = a.locationID
        roomId = a.roomID
        typeId = a.typeID
        start = a.startAt
        end = a.endAt
        status = a.status
        cancelReason = a.cancelReason
        overrideReason = a.overrideReason
        version = a.version
        updatedAt = a.updatedAt
    }

    package var span: TimeSpan { TimeSpan(start: start, end: end) }
}
