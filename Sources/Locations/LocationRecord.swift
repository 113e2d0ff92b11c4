import Vapor
import Fluent

/// The practice itself: its name and the MRN counter.
package final class PracticeRecord: Model, @unchecked Sendable {
    package static let schema = "practice"

    // managed fields
    @ID(key: .id) package var id: UUID?

    // data fields
    @Field(key: "name") package var name: String
    @Field(key: "mrn_prefix") package var mrnPrefix: String
    @Field(key: "mrn_next") package var mrnNext: Int
    @Field(key: "travel_buffer_minutes") package var travelBufferMinutes: Int

    package init() {}
    package init(name: String, mrnPrefix: String) {
        self.name = name
        self.mrnPrefix = mrnPrefix
        self.mrnNext = 1
        self.travelBufferMinutes = 30
    }
}

/// A clinic location with its IANA time zone (calendar math happens in that zone).
package final class LocationRecord: Model, @unchecked Sendable {
    package static let schema = "location"

    // managed fields
    @ID(key: .id) package var id: UUID?

    // data fields
    @Field(key: "code") package var code: String
    @Field(key: "name") package var name: String
    @Field(key: "time_zone") package var timeZone: String
    @Field(key: "address") package var address: String
    @Field(key: "phone") package var phone: String

    package init() {}
    package init(code: String, name: String, timeZone: String, address: String, phone: String) {
        self.code = code
        self.name = name
        self.timeZone = timeZone
        self.address = address
        self.phone = phone
    }
}

package struct LocationDTO: Content {
    package let id: UUID
    package let code: String
    package let name: String
    package let timeZone: String
    package let address: String
    package let phone: String

    package init(_ r: LocationRecord) throws {
        id = try r.requireID()
        code = r.code
        name = r.name
        timeZone = r.timeZone
        address = r.address
        phone = r.phone
    }
}

extension LocationRecord {
    /// The practice's locations by name (for pickers and the chart).
    package static func byName(on db: any Database) async throws -> [LocationRecord] {
        try await LocationRecord.query(on: db).sort(\.$name).all()
    }

    /// The practice's own time zone (its first location's), for times that belong to no one place.
    package static func homeZone(on db: any Database) async throws -> TimeZone {
        try await byName(on: db).first.flatMap { TimeZone(identifier: $0.timeZone) } ?? TimeZone(identifier: "UTC")!
    }
}

extension LocationRecord {
    /// The practice's own time zone: its first location's (by code); UTC before any location exists.
    package static func practiceZone(_ db: any Database) async throws -> TimeZone {
        try await query(on: db).sort(\.$code).first().flatMap { TimeZone(identifier: $0.timeZone) }
            ?? TimeZone(identifier: "UTC")!
    }
}
