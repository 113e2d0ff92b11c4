import Vapor
import Fluent
import Domain

final class PatientRecord: Model, @unchecked Sendable {
    static let schema = "patient"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    /// Bumped on every change; clients send it back in If-Match.
    @Field(key: "version") var version: Int
    @OptionalField(key: "retired_at") var retiredAt: Date?

    // data fields
    @Field(key: "mrn") var mrn: String
    @Field(key: "family_name") var familyName: String
    @Field(key: "given_name") var givenName: String
    @Field(key: "family_norm") var familyNorm: String
    @Field(key: "given_norm") var givenNorm: String
    @Field(key: "duplicate_key") var duplicateKey: String
    @Field(key: "birth_date") var birthDate: String
    @Field(key: "sex") var sex: String
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "address_line1") var addressLine1: String?
    @OptionalField(key: "address_line2") var addressLine2: String?
    @OptionalField(key: "city") var city: String?
    @OptionalField(key: "state") var state: String?
    @OptionalField(key: "postal_code") var postalCode: String?
    @OptionalField(key: "insurance_payer") var insurancePayer: String?
    @OptionalField(key: "insurance_member_id") var insuranceMemberID: String?
    @OptionalField(key: "insurance_group") var insuranceGroup: String?
    /// Demo and test records: never real people.
    @Field(key: "synthetic") var synthetic: Bool

    // relationships
    @OptionalField(key: "preferred_location_id") var preferredLocationID: UUID?

    init() {}

    var demographics: PatientDemographics {
        PatientDemographics(familyName: familyName, givenName: givenName, birthDate: birthDate, sex: Sex(rawValue: sex) ?? .unknown,
                            email: email, phone: phone, addressLine1: addressLine1, addressLine2: addressLine2, city: city,
                            state: state, postalCode: postalCode, preferredLocationID: preferredLocationID,
                            insurancePayer: insurancePayer, insuranceMemberID: insuranceMemberID, insuranceGroup: insuranceGroup)
    }

    func apply(_ d: PatientDemographics) {
        familyName = d.familyName
        givenName = d.givenName
        familyNorm = Text.normalizedName(d.familyName)
        givenNorm = Text.normalizedName(d.givenName)
        duplicateKey = PatientRules.duplicateKey(familyName: d.familyName, givenName: d.givenName, birthDate: d.birthDate)
        birthDate = d.birthDate
        sex = d.sex.rawValue
        email = d.email
        phone = d.phone
        addressLine1 = d.addressLine1
        addressLine2 = d.addressLine2
        city = d.city
        state = d.state
        postalCode = d.postalCode
        preferredLocationID = d.preferredLocationID
        insurancePayer = d.insurancePayer
        insuranceMemberID = d.insuranceMemberID
        insuranceGroup = d.insuranceGroup
    }
}

/// Every version of a patient's demographics: edits keep their history.
final class PatientVersionRecord: Model, @unchecked Sendable {
    static let schema = "patient_version"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "changed_at") var changedAt: Date

    // data fields
    @Field(key: "version") var version: Int
    /// JSON of PatientDemographics as it was after this change.
    @Field(key: "snapshot") var snapshot: String
    @Field(key: "changed_fields") var changedFields: String
    @Field(key: "changed_by") var changedBy: String

    // relationships
    @Field(key: "patient_id") var patientID: UUID

    init() {}
}
