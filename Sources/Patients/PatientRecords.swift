import Vapor
import AppCore
import Fluent
import Domain

package final class PatientRecord: Model, @unchecked Sendable {
    package static let schema = "patient"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "updated_at") package var updatedAt: Date
    /// Bumped on every change; clients send it back in If-Match.
    @Field(key: "version") package var version: Int
    @OptionalField(key: "retired_at") package var retiredAt: Date?

    // data fields
    @Field(key: "mrn") package var mrn: String
    @Field(key: "family_name") package var familyName: String
    @Field(key: "given_name") package var givenName: String
    @Field(key: "family_norm") package var familyNorm: String
    @Field(key: "given_norm") package var givenNorm: String
    @Field(key: "duplicate_key") package var duplicateKey: String
    @Field(key: "birth_date") package var birthDate: String
    @Field(key: "sex") package var sex: String
    @OptionalField(key: "email") package var email: String?
    @OptionalField(key: "phone") package var phone: String?
    @OptionalField(key: "address_line1") package var addressLine1: String?
    @OptionalField(key: "address_line2") package var addressLine2: String?
    @OptionalField(key: "city") package var city: String?
    @OptionalField(key: "state") package var state: String?
    @OptionalField(key: "postal_code") package var postalCode: String?
    @OptionalField(key: "insurance_payer") package var insurancePayer: String?
    @OptionalField(key: "insurance_member_id") package var insuranceMemberID: String?
    @OptionalField(key: "insurance_group") package var insuranceGroup: String?
    /// Demo and test records: never real people.
    @Field(key: "synthetic") package var synthetic: Bool

    // relationships
    @OptionalField(key: "preferred_location_id") package var preferredLocationID: UUID?
    @OptionalField(key: "preferred_language") package var preferredLanguage: String?

    package init() {}

    package var demographics: PatientDemographics {
        PatientDemographics(
            familyName: familyName, givenName: givenName, birthDate: birthDate, sex: Sex(rawValue: sex) ?? .unknown,
            email: email, phone: phone, addressLine1: addressLine1, addressLine2: addressLine2, city: city,
            state: state, postalCode: postalCode, preferredLocationID: preferredLocationID,
            insurancePayer: insurancePayer, insuranceMemberID: insuranceMemberID, insuranceGroup: insuranceGroup,
            preferredLanguage: preferredLanguage.flatMap(PatientLanguage.init(rawValue:)))
    }

    package func apply(_ d: PatientDemographics) {
        familyName = d.familyName
        givenName = d.givenName
        familyNorm = Text.normalizedName(d.familyName)
        givenNorm = Text.normalizedName(d.givenName)
        duplicateKey = PatientRules.duplicateKey(
            familyName: d.familyName, givenName: d.givenName, birthDate: d.birthDate)
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
        preferredLanguage = d.preferredLanguage?.rawValue
    }
}

/// Every version of a patient's demographics: edits keep their history.
package final class PatientVersionRecord: Model, @unchecked Sendable {
    package static let schema = "patient_version"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "changed_at") package var changedAt: Date

    // data fields
    @Field(key: "version") package var version: Int
    /// JSON of PatientDemographics as it was after this change.
    @Field(key: "snapshot") package var snapshot: String
    @Field(key: "changed_fields") package var changedFields: String
    @Field(key: "changed_by") package var changedBy: String

    // relationships
    @Field(key: "patient_id") package var patientID: UUID

    package init() {}
}

extension PatientRecord {
    /// The patient's language (English when none is set), for their pages and notices.
    package var language: PatientLanguage { preferredLanguage.flatMap(PatientLanguage.init(rawValue:)) ?? .en }
    /// Text for this patient's notices, in their language.
    package var tr: Translator { Locales.translator(language) }
}
