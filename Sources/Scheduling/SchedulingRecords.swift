import Vapor
import Fluent
import Domain

/// A room or chair at a location.
package final class RoomRecord: Model, @unchecked Sendable {
    package static let schema = "room"

    // managed fields
    @ID(key: .id) package var id: UUID?

    // data fields
    @Field(key: "name") package var name: String
    @Field(key: "active") package var active: Bool

    // relationships
    @Field(key: "location_id") package var locationID: UUID

    package init() {}
    package init(locationID: UUID, name: String) {
        self.locationID = locationID
        self.name = name
        self.active = true
    }
}

/// What can be booked: how long it takes, whether it is a video visit, whether patients may book it, whether it needs a
/// room.
package final class AppointmentTypeRecord: Model, @unchecked Sendable {
    package static let schema = "appointment_type"

    // managed fields
    @ID(key: .id) package var id: UUID?

    // data fields
    @Field(key: "code") package var code: String
    @Field(key: "name") package var name: String
    @Field(key: "minutes") package var minutes: Int
    @Field(key: "telemedicine") package var telemedicine: Bool
    @Field(key: "patient_bookable") package var patientBookable: Bool
    @Field(key: "needs_room") package var needsRoom: Bool

    package init() {}
    package init(code: String, name: String, minutes: Int, telemedicine: Bool, patientBookable: Bool, needsRoom: Bool) {
        self.code = code
        self.name = name
        self.minutes = minutes
        self.telemedicine = telemedicine
        self.patientBookable = patientBookable
        self.needsRoom = needsRoom
    }
}

/// A provider's weekly working hours at a location (wall-clock minutes in the location's zone).
package final class ProviderHoursRecord: Model, @unchecked Sendable {
    package static let schema = "provider_hours"

    // managed fields
    @ID(key: .id) package var id: UUID?

    // data fields
    @Field(key: "weekday") package var weekday: Int
    @Field(key: "start_minute") package var startMinute: Int
    @Field(key: "end_minute") package var endMinute: Int

    // relationships
    @Field(key: "provider_id") package var providerID: UUID
    @Field(key: "location_id") package var locationID: UUID

    package init() {}
    package init(providerID: UUID, locationID: UUID, weekday: Int, startMinute: Int, endMinute: Int) {
        self.providerID = providerID
        self.locationID = locationID
        self.weekday = weekday
        self.startMinute = startMinute
        self.endMinute = endMinute
    }

    package var hours: WeeklyHours {
        WeeklyHours(weekday: weekday, startMinute: startMinute, endMinute: endMinute, locationID: locationID)
    }
}

/// Leave or blocked time: the provider is not bookable in this span.
package final class AvailabilityExceptionRecord: Model, @unchecked Sendable {
    package static let schema = "availability_exception"

    // managed fields
    @ID(key: .id) package var id: UUID?

    // data fields
    @Field(key: "start_at") package var startAt: Date
    @Field(key: "end_at") package var endAt: Date
    /// "leave" or "blocked".
    @Field(key: "kind") package var kind: String

    // relationships
    @Field(key: "provider_id") package var providerID: UUID

    package init() {}
    package init(providerID: UUID, span: TimeSpan, kind: String) {
        self.providerID = providerID
        self.startAt = span.start
        self.endAt = span.end
        self.kind = kind
    }
}

package final class AppointmentRecord: Model, @unchecked Sendable {
    package static let schema = "appointment"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "updated_at") package var updatedAt: Date
    @Field(key: "version") package var version: Int

    // data fields
    @Field(key: "start_at") package var startAt: Date
    @Field(key: "end_at") package var endAt: Date
    @Field(key: "status") package var status: AppointmentStatus
    @OptionalField(key: "cancel_reason") package var cancelReason: String?
    /// Set when staff booked over another appointment of the same provider; exempts it from the provider constraint.
    @OptionalField(key: "override_reason") package var overrideReason: String?

    // relationships
    @Field(key: "patient_id") package var patientID: UUID
    @Field(key: "provider_id") package var providerID: UUID
    @Field(key: "location_id") package var locationID: UUID
    @OptionalField(key: "room_id") package var roomID: UUID?
    @Field(key: "type_id") package var typeID: UUID

    package init() {}

    package var span: TimeSpan { TimeSpan(start: startAt, end: endAt) }
}

/// When a location is open, per weekday (local wall-clock minutes). A location with none is open whenever its providers
/// work.
package final class LocationHoursRecord: Model, @unchecked Sendable {
    package static let schema = "location_hours"

    // managed fields
    @ID(key: .id) package var id: UUID?

    // data fields
    @Field(key: "weekday") package var weekday: Int
    @Field(key: "start_minute") package var startMinute: Int
    @Field(key: "end_minute") package var endMinute: Int

    // relationships
    @Field(key: "location_id") package var locationID: UUID

    package init() {}
    package init(locationID: UUID, weekday: Int, startMinute: Int, endMinute: Int) {
        self.locationID = locationID
        self.weekday = weekday
        self.startMinute = startMinute
        self.endMinute = endMinute
    }

    package var hours: WeeklyHours {
        WeeklyHours(weekday: weekday, startMinute: startMinute, endMinute: endMinute, locationID: locationID)
    }
}
