import Domain
import Vapor
import Fluent

/// A video visit for a telemedicine appointment. scheduled → waiting (patient in the waiting room) → admitted
/// (credentials issued) → ended; the provider's note and the connection outcome are kept. No recording.
package final class VirtualVisitRecord: Model, @unchecked Sendable {
    package static let schema = "virtual_visit"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "status") package var status: VisitStatus
    @OptionalField(key: "waiting_since") package var waitingSince: Date?
    @OptionalField(key: "admitted_at") package var admittedAt: Date?
    @OptionalField(key: "admitted_by") package var admittedBy: String?
    @OptionalField(key: "connected_at") package var connectedAt: Date?
    @OptionalField(key: "ended_at") package var endedAt: Date?
    /// Nil while nobody has connected or failed.
    @OptionalField(key: "outcome") package var outcome: VisitOutcome?
    @OptionalField(key: "note") package var note: String?

    // relationships
    @Field(key: "appointment_id") package var appointmentID: UUID
    @Field(key: "patient_id") package var patientID: UUID
    @Field(key: "provider_id") package var providerID: UUID
    @Field(key: "location_id") package var locationID: UUID
    /// Who holds the provider side: the provider who admitted the patient, or one the host handed the visit to.
    /// Nil until admission (then the appointment's provider is the host).
    @OptionalField(key: "host_id") package var hostID: UUID?

    package init() {}

    /// The one provider who may hold the provider side of the call.
    package var host: UUID { hostID ?? providerID }
}

/// A single-use join link (only the SHA-256 of its token is kept), sent through the outbox.
package final class VisitLinkRecord: Model, @unchecked Sendable {
    package static let schema = "visit_link"

    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "expires_at") package var expiresAt: Date
    @OptionalField(key: "used_at") package var usedAt: Date?
    @Field(key: "token_hash") package var tokenHash: String
    @Field(key: "visit_id") package var visitID: UUID

    package init() {}
}

/// What a redeemed link becomes: a short-lived pass (cookie) for this one visit.
package final class VisitPassRecord: Model, @unchecked Sendable {
    package static let schema = "visit_pass"

    @ID(key: .id) package var id: UUID?
    @Field(key: "expires_at") package var expiresAt: Date
    @Field(key: "token_hash") package var tokenHash: String
    @Field(key: "visit_id") package var visitID: UUID

    package init() {}
}

/// The visit's timeline: waiting, device check, admit, join, connected, failed, reconnect, leave.
package final class VisitEventRecord: Model, @unchecked Sendable {
    package static let schema = "visit_event"

    @ID(key: .id) package var id: UUID?
    @Field(key: "at") package var at: Date
    @Field(key: "kind") package var kind: VisitEventKind
    @Field(key: "role") package var role: VisitSide
    @Field(key: "detail") package var detail: String
    @Field(key: "visit_id") package var visitID: UUID

    package init() {}
}

/// Signaling between nodes on PostgreSQL: the message waits here and NOTIFY carries only its id. Deleted on delivery.
package final class SignalMessageRecord: Model, @unchecked Sendable {
    package static let schema = "signal_message"

    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "visit_id") package var visitID: UUID
    @Field(key: "to_role") package var toRole: VisitSide
    @Field(key: "body") package var body: String

    package init() {}
}

package struct CreateVirtualVisit: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("virtual_visit").id()
            .field("created_at", .datetime, .required).field("status", .string, .required)
            .field("waiting_since", .datetime).field("admitted_at", .datetime).field("admitted_by", .string).field(
                "connected_at", .datetime
            )
            .field("ended_at", .datetime).field("outcome", .string).field("note", .string)
            .field("appointment_id", .uuid, .required, .references("appointment", "id"))
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .field("provider_id", .uuid, .required, .references("app_user", "id"))
            .field("location_id", .uuid, .required, .references("location", "id"))
            .unique(on: "appointment_id").create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("virtual_visit").delete() }

    package init() {
    }
}

package struct UpdateVirtualVisitAddHost: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("virtual_visit").field("host_id", .uuid).update()
    }
    package func revert(on db: any Database) async throws {
        try await db.schema("virtual_visit").deleteField("host_id").update()
    }

    package init() {
    }
}

package struct CreateVisitLink: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("visit_link").id()
            .field("created_at", .datetime, .required).field("expires_at", .datetime, .required).field(
                "used_at", .datetime
            )
            .field("token_hash", .string, .required).field(
                "visit_id", .uuid, .required, .references("virtual_visit", "id")
            )
            .unique(on: "token_hash").create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("visit_link").delete() }

    package init() {
    }
}

package struct CreateVisitPass: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("visit_pass").id()
            .field("expires_at", .datetime, .required).field("token_hash", .string, .required)
            .field("visit_id", .uuid, .required, .references("virtual_visit", "id"))
            .unique(on: "token_hash").create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("visit_pass").delete() }

    package init() {
    }
}

package struct CreateVisitEvent: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("visit_event").id()
            .field("at", .datetime, .required).field("kind", .string, .required).field("role", .string, .required)
            .field("detail", .string, .required).field("visit_id", .uuid, .required, .references("virtual_visit", "id"))
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("visit_event").delete() }

    package init() {
    }
}

package struct CreateSignalMessage: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("signal_message").id()
            .field("created_at", .datetime, .required).field("visit_id", .uuid, .required).field(
                "to_role", .string, .required
            )
            .field("body", .string, .required).create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("signal_message").delete() }

    package init() {
    }
}
