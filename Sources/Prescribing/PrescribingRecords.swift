import Vapor
import Fluent
import Domain

/// A prescriber's identifiers: NPI (required on every NewRx) and DEA registration (controlled substances).
package final class PrescriberCredentialRecord: Model, @unchecked Sendable {
    package static let schema = "prescriber_credential"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "updated_at") package var updatedAt: Date
    @Field(key: "updated_by") package var updatedBy: String

    // data fields
    @Field(key: "npi") package var npi: String
    @OptionalField(key: "dea_number") package var deaNumber: String?

    // relationships
    @Field(key: "user_id") package var userID: UUID

    package init() {}
}

/// EPCS permission (21 CFR 1311.125): entered by one person, approved by a second who is a DEA registrant, with MFA.
package final class EPCSGrantRecord: Model, @unchecked Sendable {
    package static let schema = "epcs_grant"

    // managed fields
    @ID(key: .id) package var id: UUID?
    /// pending → active, or rejected; active → revoked.
    @Field(key: "status") package var status: EPCSGrantStatus
    @Field(key: "entered_by") package var enteredBy: UUID
    @Field(key: "entered_at") package var enteredAt: Date
    @OptionalField(key: "decided_by") package var decidedBy: UUID?
    @OptionalField(key: "decided_at") package var decidedAt: Date?

    // relationships
    @Field(key: "prescriber_id") package var prescriberID: UUID

    package init() {}
}

/// The pharmacy directory, keyed by NCPDPID, with the services each pharmacy accepts.
package final class PharmacyRecord: Model, @unchecked Sendable {
    package static let schema = "pharmacy"

    // managed fields
    @ID(key: .id) package var id: UUID?

    // data fields
    @Field(key: "ncpdpid") package var ncpdpid: String
    @Field(key: "npi") package var npi: String
    @Field(key: "name") package var name: String
    @Field(key: "address") package var address: String
    @Field(key: "city") package var city: String
    @Field(key: "state") package var state: String
    @Field(key: "postal_code") package var postalCode: String
    @Field(key: "phone") package var phone: String
    @Field(key: "accepts_controlled") package var acceptsControlled: Bool
    @Field(key: "accepts_cancel") package var acceptsCancel: Bool

    package init() {}
}

/// A prescription: a draft (a medical assistant may prepare it), then signed by the prescriber and sent as NewRx.
package final class PrescriptionRecord: Model, @unchecked Sendable {
    package static let schema = "prescription"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "updated_at") package var updatedAt: Date
    @Field(key: "status") package var status: PrescriptionStatus
    @OptionalField(key: "status_detail") package var statusDetail: String?
    @Field(key: "prepared_by") package var preparedBy: String
    @OptionalField(key: "signed_at") package var signedAt: Date?
    @OptionalField(key: "written_date") package var writtenDate: String?
    /// EPCS: SHA-256 of the signed content and the practice key's signature over it.
    @OptionalField(key: "digest") package var digest: String?
    @OptionalField(key: "signature") package var signature: String?

    // data fields
    @Field(key: "drug_id") package var drugID: String
    @Field(key: "description") package var description: String
    @Field(key: "ndc") package var ndc: String
    @Field(key: "rxnorm") package var rxnorm: String
    @OptionalField(key: "schedule") package var schedule: String?
    @Field(key: "quantity") package var quantity: String
    @Field(key: "unit_code") package var unitCode: String
    @Field(key: "days_supply") package var daysSupply: Int
    @Field(key: "refills") package var refills: Int
    @Field(key: "substitutions") package var substitutions: String
    @Field(key: "sig") package var sig: String
    @Field(key: "pharmacy_ncpdpid") package var pharmacyNCPDPID: String

    // relationships
    @Field(key: "patient_id") package var patientID: UUID
    @Field(key: "prescriber_id") package var prescriberID: UUID
    @Field(key: "location_id") package var locationID: UUID
    @OptionalField(key: "renewal_of") package var renewalOf: UUID?
    /// The safety alerts shown when it was prepared or signed (JSON of `[SafetyAlert]`), and the prescriber's reason
    /// for prescribing anyway.
    @OptionalField(key: "safety_alerts") package var safetyAlerts: String?
    @OptionalField(key: "override_reason") package var overrideReason: String?
    @OptionalField(key: "override_by") package var overrideBy: String?

    package init() {}

    package var deaSchedule: DEASchedule? { schedule.flatMap(DEASchedule.init) }
    package var isControlled: Bool { deaSchedule != nil }
}

/// Every SCRIPT message sent or received, as XML, with its delivery state. Outbound messages are delivered by the
/// job queue (retried only on Error 600 or no answer); inbound ones are matched by RelatesToMessageID.
package final class ScriptMessageRecord: Model, @unchecked Sendable {
    package static let schema = "script_message"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    /// out: queued → sent (Status) / error (Error); in: received.
    @Field(key: "status") package var status: ScriptMessageStatus
    @Field(key: "attempts") package var attempts: Int
    @OptionalField(key: "error_code") package var errorCode: String?
    @OptionalField(key: "error_text") package var errorText: String?

    // data fields
    @Field(key: "message_id") package var messageID: String
    @OptionalField(key: "relates_to") package var relatesTo: String?
    @Field(key: "direction") package var direction: ScriptDirection
    @Field(key: "type") package var type: ScriptMessageType
    @Field(key: "xml") package var xml: String

    // relationships
    @OptionalField(key: "prescription_id") package var prescriptionID: UUID?
    @OptionalField(key: "refill_request_id") package var refillRequestID: UUID?

    package init() {}
}

/// A renewal (refill) request, from the pharmacy (RxRenewalRequest) or from the patient in the portal, routed to the
/// prescriber of record or the location's covering provider.
package final class RefillRequestRecord: Model, @unchecked Sendable {
    package static let schema = "refill_request"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "status") package var status: RefillStatus
    @OptionalField(key: "decided_by") package var decidedBy: String?
    @OptionalField(key: "decided_at") package var decidedAt: Date?
    @OptionalField(key: "reason_code") package var reasonCode: String?
    @OptionalField(key: "note") package var note: String?

    // data fields
    /// pharmacy or portal.
    @Field(key: "source") package var source: RefillSource
    @Field(key: "route_reason") package var routeReason: String

    // relationships
    @Field(key: "patient_id") package var patientID: UUID
    @Field(key: "prescription_id") package var prescriptionID: UUID
    @Field(key: "routed_to") package var routedTo: UUID
    @OptionalField(key: "inbound_message_id") package var inboundMessageID: String?
    @OptionalField(key: "new_prescription_id") package var newPrescriptionID: UUID?

    package init() {}
}

/// The provider who covers a location's renewals while a prescriber is away.
package final class CoveringProviderRecord: Model, @unchecked Sendable {
    package static let schema = "covering_provider"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "set_at") package var setAt: Date
    @Field(key: "set_by") package var setBy: String

    // relationships
    @Field(key: "location_id") package var locationID: UUID
    @Field(key: "provider_id") package var providerID: UUID

    package init() {}
}

package struct CreatePrescriberCredential: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("prescriber_credential").id()
            .field("updated_at", .datetime, .required).field("updated_by", .string, .required)
            .field("npi", .string, .required).field("dea_number", .string)
            .field("user_id", .uuid, .required, .references("app_user", "id"))
            .unique(on: "user_id").create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("prescriber_credential").delete() }

    package init() {
    }
}

package struct CreateEPCSGrant: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("epcs_grant").id()
            .field("status", .string, .required).field("entered_by", .uuid, .required).field(
                "entered_at", .datetime, .required
            )
            .field("decided_by", .uuid).field("decided_at", .datetime)
            .field("prescriber_id", .uuid, .required, .references("app_user", "id")).create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("epcs_grant").delete() }

    package init() {
    }
}

package struct CreatePharmacy: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("pharmacy").id()
            .field("ncpdpid", .string, .required).field("npi", .string, .required).field("name", .string, .required)
            .field("address", .string, .required).field("city", .string, .required).field("state", .string, .required)
            .field("postal_code", .string, .required).field("phone", .string, .required)
            .field("accepts_controlled", .bool, .required).field("accepts_cancel", .bool, .required)
            .unique(on: "ncpdpid").create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("pharmacy").delete() }

    package init() {
    }
}

package struct CreatePrescription: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("prescription").id()
            .field("created_at", .datetime, .required).field("updated_at", .datetime, .required)
            .field("status", .string, .required).field("status_detail", .string).field(
                "prepared_by", .string, .required
            )
            .field("signed_at", .datetime).field("written_date", .string).field("digest", .string).field(
                "signature", .string
            )
            .field("drug_id", .string, .required).field("description", .string, .required).field(
                "ndc", .string, .required
            )
            .field("rxnorm", .string, .required).field("schedule", .string).field("quantity", .string, .required)
            .field("unit_code", .string, .required).field("days_supply", .int, .required).field(
                "refills", .int, .required
            )
            .field("substitutions", .string, .required).field("sig", .string, .required).field(
                "pharmacy_ncpdpid", .string, .required
            )
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .field("prescriber_id", .uuid, .required, .references("app_user", "id"))
            .field("location_id", .uuid, .required, .references("location", "id"))
            .field("renewal_of", .uuid).create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("prescription").delete() }

    package init() {
    }
}

package struct CreateScriptMessage: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("script_message").id()
            .field("created_at", .datetime, .required).field("status", .string, .required).field(
                "attempts", .int, .required
            )
            .field("error_code", .string).field("error_text", .string)
            .field("message_id", .string, .required).field("relates_to", .string).field("direction", .string, .required)
            .field("type", .string, .required).field("xml", .string, .required)
            .field("prescription_id", .uuid).field("refill_request_id", .uuid)
            .unique(on: "direction", "message_id").create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("script_message").delete() }

    package init() {
    }
}

package struct CreateRefillRequest: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("refill_request").id()
            .field("created_at", .datetime, .required).field("status", .string, .required)
            .field("decided_by", .string).field("decided_at", .datetime).field("reason_code", .string).field(
                "note", .string
            )
            .field("source", .string, .required).field("route_reason", .string, .required)
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .field("prescription_id", .uuid, .required, .references("prescription", "id"))
            .field("routed_to", .uuid, .required, .references("app_user", "id"))
            .field("inbound_message_id", .string).field("new_prescription_id", .uuid).create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("refill_request").delete() }

    package init() {
    }
}

package struct CreateCoveringProvider: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("covering_provider").id()
            .field("set_at", .datetime, .required).field("set_by", .string, .required)
            .field("location_id", .uuid, .required, .references("location", "id"))
            .field("provider_id", .uuid, .required, .references("app_user", "id"))
            .unique(on: "location_id").create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("covering_provider").delete() }

    package init() {
    }
}

package struct UpdatePrescriptionAddSafetyOverride: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("prescription").field("safety_alerts", .string).update()
        try await db.schema("prescription").field("override_reason", .string).update()
        try await db.schema("prescription").field("override_by", .string).update()
    }

    package func revert(on db: any Database) async throws {
        try await db.schema("prescription").deleteField("safety_alerts").update()
        try await db.schema("prescription").deleteField("override_reason").update()
        try await db.schema("prescription").deleteField("override_by").update()
    }

    package init() {}
}

extension PrescriptionRecord {
    package var alerts: [SafetyAlert] {
        safetyAlerts.flatMap { try? JSONDecoder().decode([SafetyAlert].self, from: Data($0.utf8)) } ?? []
    }
}
