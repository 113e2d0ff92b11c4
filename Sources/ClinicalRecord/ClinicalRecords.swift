import Vapor
import Fluent
import Domain

/// One entry of a patient's clinical summary (problem, allergy or reported medication).
package final class ClinicalEntryRecord: Model, @unchecked Sendable {
    package static let schema = "clinical_entry"

    @ID(key: .id) package var id: UUID?
    @Field(key: "patient_id") package var patientID: UUID
    @Field(key: "kind") package var kind: String
    @OptionalField(key: "code") package var code: String?
    @Field(key: "display") package var display: String
    @Field(key: "status") package var status: String
    @Field(key: "verification") package var verification: String
    @OptionalField(key: "onset") package var onset: String?
    @OptionalField(key: "reaction") package var reaction: String?
    @OptionalField(key: "severity") package var severity: String?
    @OptionalField(key: "dose") package var dose: String?
    /// Who or what it came from: "clinician", "patient", or "intake:<submission id>".
    @Field(key: "source") package var source: String
    @Field(key: "recorded_by") package var recordedBy: String
    @Field(key: "recorded_at") package var recordedAt: Date
    @OptionalField(key: "confirmed_by") package var confirmedBy: String?
    @Field(key: "updated_at") package var updatedAt: Date
    @Field(key: "version") package var version: Int

    package init() {}

    package var values: ClinicalEntryValues {
        ClinicalEntryValues(
            kind: ClinicalKind(rawValue: kind) ?? .problem, code: code, display: display, onset: onset,
            reaction: reaction, severity: severity.flatMap(AllergySeverity.init(rawValue:)), dose: dose)
    }
}

package struct CreateClinicalEntry: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("clinical_entry")
            .id()
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .field("kind", .string, .required)
            .field("code", .string)
            .field("display", .string, .required)
            .field("status", .string, .required)
            .field("verification", .string, .required)
            .field("onset", .string)
            .field("reaction", .string)
            .field("severity", .string)
            .field("dose", .string)
            .field("source", .string, .required)
            .field("recorded_by", .string, .required)
            .field("recorded_at", .datetime, .required)
            .field("confirmed_by", .string)
            .field("updated_at", .datetime, .required)
            .field("version", .int, .required)
            .create()
    }

    package func revert(on db: any Database) async throws { try await db.schema("clinical_entry").delete() }

    package init() {}
}

/// One observation: a vital sign, a lab result, the smoking status (FHIR Observation).
package final class ObservationRecord: Model, @unchecked Sendable {
    package static let schema = "observation"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "recorded_at") package var recordedAt: Date
    @Field(key: "updated_at") package var updatedAt: Date
    @Field(key: "version") package var version: Int

    // data fields
    @Field(key: "kind") package var kind: ObservationKind
    @Field(key: "code") package var code: String
    @OptionalField(key: "value") package var value: Double?
    @OptionalField(key: "value2") package var value2: Double?
    @OptionalField(key: "answer") package var answer: String?
    @OptionalField(key: "unit") package var unit: String?
    /// The day it was measured (YYYY-MM-DD).
    @Field(key: "effective") package var effective: String
    @Field(key: "status") package var status: ObservationStatus
    /// "clinician", or "intake:<submission id>".
    @Field(key: "source") package var source: String
    @Field(key: "recorded_by") package var recordedBy: String
    @OptionalField(key: "confirmed_by") package var confirmedBy: String?

    // relationships
    @Field(key: "patient_id") package var patientID: UUID

    package init() {}
}

package struct CreateObservation: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("observation")
            .id()
            .field("recorded_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("version", .int, .required)
            .field("kind", .string, .required)
            .field("code", .string, .required)
            .field("value", .double)
            .field("value2", .double)
            .field("answer", .string)
            .field("unit", .string)
            .field("effective", .string, .required)
            .field("status", .string, .required)
            .field("source", .string, .required)
            .field("recorded_by", .string, .required)
            .field("confirmed_by", .string)
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .create()
    }

    package func revert(on db: any Database) async throws { try await db.schema("observation").delete() }

    package init() {}
}

/// A referral into the practice, with the referring provider and their letter.
package final class ReferralRecord: Model, @unchecked Sendable {
    package static let schema = "referral"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "received_at") package var receivedAt: Date
    @Field(key: "recorded_by") package var recordedBy: String

    // data fields
    @Field(key: "referrer_name") package var referrerName: String
    @Field(key: "referrer_npi") package var referrerNPI: String
    @OptionalField(key: "referrer_phone") package var referrerPhone: String?
    @OptionalField(key: "referrer_fax") package var referrerFax: String?
    @Field(key: "diagnosis") package var diagnosis: String
    @Field(key: "request") package var request: String
    @OptionalField(key: "letter_note") package var letterNote: String?
    /// "clinician", or "intake:<submission id>".
    @Field(key: "source") package var source: String

    // relationships
    @Field(key: "patient_id") package var patientID: UUID
    @OptionalField(key: "letter_attachment_id") package var letterAttachmentID: UUID?

    package init() {}
}

package struct CreateReferral: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("referral")
            .id()
            .field("received_at", .datetime, .required)
            .field("recorded_by", .string, .required)
            .field("referrer_name", .string, .required)
            .field("referrer_npi", .string, .required)
            .field("referrer_phone", .string)
            .field("referrer_fax", .string)
            .field("diagnosis", .string, .required)
            .field("request", .string, .required)
            .field("letter_note", .string)
            .field("source", .string, .required)
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .field("letter_attachment_id", .uuid)
            .create()
    }

    package func revert(on db: any Database) async throws { try await db.schema("referral").delete() }

    package init() {}
}
