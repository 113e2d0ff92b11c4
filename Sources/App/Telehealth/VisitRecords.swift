import Vapor
import Fluent

/// A video visit for a telemedicine appointment. scheduled → waiting (patient in the waiting room) → admitted
/// (credentials issued) → ended; the provider's note and the connection outcome are kept. No recording.
final class VirtualVisitRecord: Model, @unchecked Sendable {
    static let schema = "virtual_visit"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "status") var status: String
    @OptionalField(key: "waiting_since") var waitingSince: Date?
    @OptionalField(key: "admitted_at") var admittedAt: Date?
    @OptionalField(key: "admitted_by") var admittedBy: String?
    @OptionalField(key: "connected_at") var connectedAt: Date?
    @OptionalField(key: "ended_at") var endedAt: Date?
    /// connected, failed, or nil while nobody has tried.
    @OptionalField(key: "outcome") var outcome: String?
    @OptionalField(key: "note") var note: String?

    // relationships
    @Field(key: "appointment_id") var appointmentID: UUID
    @Field(key: "patient_id") var patientID: UUID
    @Field(key: "provider_id") var providerID: UUID
    @Field(key: "location_id") var locationID: UUID
    /// Who holds the provider side: the provider who admitted the patient, or one the host handed the visit to.
    /// Nil until admission (then the appointment's provider is the host).
    @OptionalField(key: "host_id") var hostID: UUID?

    init() {}

    /// The one provider who may hold the provider side of the call.
    var host: UUID { hostID ?? providerID }
}

/// A single-use join link (only the SHA-256 of its token is kept), sent through the outbox.
final class VisitLinkRecord: Model, @unchecked Sendable {
    static let schema = "visit_link"

    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "visit_id") var visitID: UUID

    init() {}
}

/// What a redeemed link becomes: a short-lived pass (cookie) for this one visit.
final class VisitPassRecord: Model, @unchecked Sendable {
    static let schema = "visit_pass"

    @ID(key: .id) var id: UUID?
    @Field(key: "expires_at") var expiresAt: Date
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "visit_id") var visitID: UUID

    init() {}
}

/// The visit's timeline: waiting, device check, admit, join, connected, failed, reconnect, leave.
final class VisitEventRecord: Model, @unchecked Sendable {
    static let schema = "visit_event"

    @ID(key: .id) var id: UUID?
    @Field(key: "at") var at: Date
    @Field(key: "kind") var kind: String
    @Field(key: "role") var role: String
    @Field(key: "detail") var detail: String
    @Field(key: "visit_id") var visitID: UUID

    init() {}
}

/// Signaling between nodes on PostgreSQL: the message waits here and NOTIFY carries only its id. Deleted on delivery.
final class SignalMessageRecord: Model, @unchecked Sendable {
    static let schema = "signal_message"

    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "visit_id") var visitID: UUID
    @Field(key: "to_role") var toRole: String
    @Field(key: "body") var body: String

    init() {}
}

struct CreateVirtualVisit: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("virtual_visit").id()
            .field("created_at", .datetime, .required).field("status", .string, .required)
            .field("waiting_since", .datetime).field("admitted_at", .datetime).field("admitted_by", .string).field("connected_at", .datetime)
            .field("ended_at", .datetime).field("outcome", .string).field("note", .string)
            .field("appointment_id", .uuid, .required, .references("appointment", "id"))
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .field("provider_id", .uuid, .required, .references("app_user", "id"))
            .field("location_id", .uuid, .required, .references("location", "id"))
            .unique(on: "appointment_id").create()
    }
    func revert(on db: any Database) async throws { try await db.schema("virtual_visit").delete() }
}

struct UpdateVirtualVisitAddHost: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("virtual_visit").field("host_id", .uuid).update()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("virtual_visit").deleteField("host_id").update()
    }
}

struct CreateVisitLink: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("visit_link").id()
            .field("created_at", .datetime, .required).field("expires_at", .datetime, .required).field("used_at", .datetime)
            .field("token_hash", .string, .required).field("visit_id", .uuid, .required, .references("virtual_visit", "id"))
            .unique(on: "token_hash").create()
    }
    func revert(on db: any Database) async throws { try await db.schema("visit_link").delete() }
}

struct CreateVisitPass: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("visit_pass").id()
            .field("expires_at", .datetime, .required).field("token_hash", .string, .required)
            .field("visit_id", .uuid, .required, .references("virtual_visit", "id"))
            .unique(on: "token_hash").create()
    }
    func revert(on db: any Database) async throws { try await db.schema("visit_pass").delete() }
}

struct CreateVisitEvent: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("visit_event").id()
            .field("at", .datetime, .required).field("kind", .string, .required).field("role", .string, .required)
            .field("detail", .string, .required).field("visit_id", .uuid, .required, .references("virtual_visit", "id")).create()
    }
    func revert(on db: any Database) async throws { try await db.schema("visit_event").delete() }
}

struct CreateSignalMessage: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("signal_message").id()
            .field("created_at", .datetime, .required).field("visit_id", .uuid, .required).field("to_role", .string, .required)
            .field("body", .string, .required).create()
    }
    func revert(on db: any Database) async throws { try await db.schema("signal_message").delete() }
}
