import Vapor
import Domain
import AppCore

/// What the patient store hands out: values, never the Fluent records behind them.
package struct PatientDTO: Content {
    package let id: UUID
    package let mrn: String
    package let version: Int
    package let familyName: String
    package let givenName: String
    package let birthDate: String
    package let sex: String
    package let email: String?
    package let phone: String?
    package let addressLine1: String?
    package let addressLine2: String?
    package let city: String?
    package let state: String?
    package let postalCode: String?
    package let preferredLocationID: UUID?
    package let insurancePayer: String?
    package let insuranceMemberID: String?
    package let insuranceGroup: String?
    /// The language of the patient's pages and messages.
    package let preferredLanguage: PatientLanguage
    package let synthetic: Bool
    package let retired: Bool
    package let createdAt: Date
    package let updatedAt: Date
    package var warnings: [String]?

    package init(_ p: PatientRecord, warnings: [String]? = nil) throws {
        id = try p.requireID()
        mrn = p.mrn
        version = p.version
        familyName = p.familyName
        givenName = p.givenName
        birthDate = p.birthDate
        sex = p.sex
        email = p.email
        phone = p.phone
        addressLine1 = p.addressLine1
        addressLine2 = p.addressLine2
        city = p.city
        state = p.state
        postalCode = p.postalCode
        preferredLocationID = p.preferredLocationID
        insurancePayer = p.insurancePayer
        insuranceMemberID = p.insuranceMemberID
        insuranceGroup = p.insuranceGroup
        preferredLanguage = p.preferredLanguage.flatMap(PatientLanguage.init(rawValue:)) ?? .en
        synthetic = p.synthetic
        retired = p.retiredAt != nil
        createdAt = p.createdAt
        updatedAt = p.updatedAt
        self.warnings = warnings
    }
}

package struct PatientVersionDTO: Content {
    package let version: Int
    package let changedAt: Date
    package let changedBy: String
    package let changedFields: [String]
    package let snapshot: PatientDemographics

    package init(_ v: PatientVersionRecord) {
        version = v.version
        changedAt = v.changedAt
        changedBy = v.changedBy
        changedFields = v.changedFields.split(separator: ",").map(String.init)
        snapshot =
            (try? JSONDecoder().decode(PatientDemographics.self, from: Data(v.snapshot.utf8)))
            ?? PatientDemographics(familyName: "", givenName: "", birthDate: "", sex: .unknown)
    }
}

package struct AccessLogEntryDTO: Content {
    package let at: Date
    package let user: String
    package let role: String
    package let action: String
    package let category: String

    package init(_ e: AuditEventRecord) {
        at = e.recordedAt
        user = e.username
        role = e.role
        action = e.action
        category = e.category
    }
}

package struct PatientListDTO: Content {
    package let items: [PatientDTO]
    package let count: Int
}
