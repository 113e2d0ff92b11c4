import Vapor
import Fluent
import Domain

/// A room or chair at a location.
final class RoomRecord: Model, @unchecked Sendable {
    static let schema = "room"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "name") var name: String
    @Field(key: "active") var active: Bool

    // relationships
    @Field(key: "location_id") var locationID: UUID

    init() {}
    init(locationID: UUID, name: String) {
        self.locationID = locationID
        self.name = name
        self.active = true
    }
}

/// What can be booked: how long it takes, whether it is a video visit, whether patients may book it, whether it needs a room.
final class AppointmentTypeRecord: Model, @unchecked Sendable {
    static let schema = "appointment_type"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "minutes") var minutes: Int
    @Field(key: "telemedicine") var telemedicine: Bool
    @Field(key: "patient_bookable") var patientBookable: Bool
    @Field(key: "needs_room") var needsRoom: Bool

    init() {}
    init(code: String, name: String, minutes: Int, telemedicine: Bool, patientBookable: Bool, needsRoom: Bool) {
        self.code = code
        self.name = name
        self.minutes = minutes
        self.telemedicine = telemedicine
        self.patientBookable = patientBookable
        self.needsRoom = needsRoom
    }
}

/// A provider's weekly working hours at a location (wall-clock minutes in the location's zone).
final class ProviderHoursRecord: Model, @unchecked Sendable {
    static let schema = "provider_hours"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "weekday") var weekday: Int
    @Field(key: "start_minute") var startMinute: Int
    @Field(key: "end_minute") var endMinute: Int

    // relationships
    @Field(key: "provider_id") var providerID: UUID
    @Field(key: "location_id") var locationID: UUID

    init() {}
    init(providerID: UUID, locationID: UUID, weekday: Int, startMinute: Int, endMinute: Int) {
        self.providerID = providerID
        self.locationID = locationID
        self.weekday = weekday
        self.startMinute = startMinute
        self.endMinute = endMinute
    }

    var hours: WeeklyHours { WeeklyHours(weekday: weekday, startMinute: startMinute, endMinute: endMinute, locationID: locationID) }
}

/// Leave or blocked time: the provider is not bookable in this span.
final class AvailabilityExceptionRecord: Model, @unchecked Sendable {
    static let schema = "availability_exception"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "start_at") var startAt: Date
    @Field(key: "end_at") var endAt: Date
    /// "leave" or "blocked".
    @Field(key: "kind") var kind: String

    // relationships
    @Field(key: "provider_id") var providerID: UUID

    init() {}
    init(providerID: UUID, span: TimeSpan, kind: String) {
        self.providerID = providerID
        self.startAt = span.start
        self.endAt = span.end
        self.kind = kind
    }
}

final class AppointmentRecord: Model, @unchecked Sendable {
    static let schema = "appointment"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @Field(key: "version") var version: Int

    // data fields
    @Field(key: "start_at") var startAt: Date
    @Field(key: "end_at") var endAt: Date
    @Field(key: "status") var status: String
    @OptionalField(key: "cancel_reason") var cancelReason: String?
    /// Set when staff booked over another appointment of the same provider; exempts it from the provider constraint.
    @OptionalField(key: "override_reason") var overrideReason: String?

    // relationships
    @Field(key: "patient_id") var patientID: UUID
    @Field(key: "provider_id") var providerID: UUID
    @Field(key: "location_id") var locationID: UUID
    @OptionalField(key: "room_id") var roomID: UUID?
    @Field(key: "type_id") var typeID: UUID

    init() {}

    var span: TimeSpan { TimeSpan(start: startAt, end: endAt) }
    var statusValue: AppointmentStatus { AppointmentStatus(rawValue: status) ?? .enteredInError }
}

/// When a location is open, per weekday (local wall-clock minutes). A location with none is open whenever its providers work.
final class LocationHoursRecord: Model, @unchecked Sendable {
    static let schema = "location_hours"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "weekday") var weekday: Int
    @Field(key: "start_minute") var startMinute: Int
    @Field(key: "end_minute") var endMinute: Int

    // relationships
    @Field(key: "location_id") var locationID: UUID

    init() {}
    init(locationID: UUID, weekday: Int, startMinute: Int, endMinute: Int) {
        self.locationID = locationID
        self.weekday = weekday
        self.startMinute = startMinute
        self.endMinute = endMinute
    }

    var hours: WeeklyHours { WeeklyHours(weekday: weekday, startMinute: startMinute, endMinute: endMinute, locationID: locationID) }
}
