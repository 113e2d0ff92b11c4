import Vapor
import Fluent
import Domain
import AppCore

/// A help request: from a patient (the portal's Help page) or a staff member (the "Get help" link on every staff
/// page). Priority, assignment and internal notes are the help desk's own and never shown to a patient.
package final class HelpTicketRecord: Model, @unchecked Sendable {
    package static let schema = "help_ticket"

    // managed fields
    @ID(key: .id) package var id: UUID?
    /// #1, #2, …: what people say on the phone.
    @Field(key: "number") package var number: Int
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "updated_at") package var updatedAt: Date
    @OptionalField(key: "first_response_at") package var firstResponseAt: Date?
    @OptionalField(key: "resolved_at") package var resolvedAt: Date?

    // data fields
    @Field(key: "category") package var category: TicketCategory
    @Field(key: "priority") package var priority: TicketPriority
    @Field(key: "status") package var status: TicketStatus
    @Field(key: "subject") package var subject: String
    @Field(key: "description") package var description: String
    /// The page the request was sent from (a path without its query).
    @OptionalField(key: "page") package var page: String?
    @Field(key: "requester_name") package var requesterName: String
    @Field(key: "from_patient") package var fromPatient: Bool
    /// The help desk member working it (a username).
    @OptionalField(key: "assigned_to") package var assignedTo: String?

    // relationships
    @Field(key: "requester_id") package var requesterID: UUID
    /// The requester's own record, for a patient's request.
    @OptionalField(key: "patient_id") package var patientID: UUID?
    /// The incident it was turned into.
    @OptionalField(key: "incident_id") package var incidentID: UUID?

    package init() {}
}

/// A reply on a ticket: from the requester or the help desk; an internal note is the help desk's only.
package final class HelpTicketReplyRecord: Model, @unchecked Sendable {
    package static let schema = "help_ticket_reply"

    @ID(key: .id) package var id: UUID?
    @Field(key: "ticket_id") package var ticketID: UUID
    @Field(key: "at") package var at: Date
    @OptionalField(key: "author_id") package var authorID: UUID?
    @Field(key: "author_name") package var authorName: String
    @Field(key: "from_help_desk") package var fromHelpDesk: Bool
    @Field(key: "internal") package var isInternal: Bool
    @Field(key: "body") package var body: String

    package init() {}
}

package struct CreateHelpDesk: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("help_ticket")
            .id()
            .field("number", .int, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("first_response_at", .datetime)
            .field("resolved_at", .datetime)
            .field("category", .string, .required)
            .field("priority", .string, .required)
            .field("status", .string, .required)
            .field("subject", .string, .required)
            .field("description", .string, .required)
            .field("page", .string)
            .field("requester_name", .string, .required)
            .field("from_patient", .bool, .required)
            .field("assigned_to", .string)
            .field("requester_id", .uuid, .required)
            .field("patient_id", .uuid, .references("patient", "id"))
            .field("incident_id", .uuid, .references("incident", "id"))
            .unique(on: "number")
            .create()
        try await db.sql.create(index: "help_ticket_status_idx").on("help_ticket").column("status")
            .column("created_at").run()
        try await db.sql.create(index: "help_ticket_requester_idx").on("help_ticket").column("requester_id").run()
        try await db.schema("help_ticket_reply")
            .id()
            .field("ticket_id", .uuid, .required, .references("help_ticket", "id"))
            .field("at", .datetime, .required)
            .field("author_id", .uuid)
            .field("author_name", .string, .required)
            .field("from_help_desk", .bool, .required)
            .field("internal", .bool, .required)
            .field("body", .string, .required)
            .create()
        try await db.sql.create(index: "help_ticket_reply_ticket_idx").on("help_ticket_reply").column("ticket_id")
            .column("at").run()
    }

    package func revert(on db: any Database) async throws {
        try await db.schema("help_ticket_reply").delete()
        try await db.schema("help_ticket").delete()
    }

    package init() {}
}
