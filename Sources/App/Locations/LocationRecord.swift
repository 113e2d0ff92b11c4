import Vapor
import Fluent

/// The practice itself: its name and the MRN counter.
final class PracticeRecord: Model, @unchecked Sendable {
    static let schema = "practice"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "name") var name: String
    @Field(key: "mrn_prefix") var mrnPrefix: String
    @Field(key: "mrn_next") var mrnNext: Int
    @Field(key: "travel_buffer_minutes") var travelBufferMinutes: Int

    init() {}
    init(name: String, mrnPrefix: String) {
        self.name = name
        self.mrnPrefix = mrnPrefix
        self.mrnNext = 1
        self.travelBufferMinutes = 30
    }
}

/// A clinic location with its IANA time zone (calendar math happens in that zone).
final class LocationRecord: Model, @unchecked Sendable {
    static let schema = "location"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "time_zone") var timeZone: String
    @Field(key: "address") var address: String
    @Field(key: "phone") var phone: String

    init() {}
    init(code: String, name: String, timeZone: String, address: String, phone: String) {
        self.code = code
        self.name = name
        self.timeZone = timeZone
        self.address = address
        self.phone = phone
    }
}

struct LocationDTO: Content {
    let id: UUID
    let code: String
    let name: String
    let timeZone: String
    let address: String
    let phone: String

    init(_ r: LocationRecord) {
        id = r.id!
        code = r.code
        name = r.name
        timeZone = r.timeZone
        address = r.address
        phone = r.phone
    }
}
