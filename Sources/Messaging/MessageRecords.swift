import Domain
import Vapor
import Fluent
import SQLKit
import AppCore

/// A conversation between a patient and the care team of a location (a pool), optionally assigned to one person.
package final class MessageThreadRecord: Model, @unchecked Sendable {
    package static let schema = "message_thread"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    /// Time of the newest message.
    @Field(key: "updated_at") package var updatedAt: Date
    /// patient or staff: who wrote the newest message.
    @Field(key: "last_from") package var lastFrom: MessageSide
    @OptionalField(key: "patient_read_at") package var patientReadAt: Date?
    @OptionalField(key: "staff_read_at") package var staffReadAt: Date?

    // data fields
    @Field(key: "subject") package var subject: String
    @Field(key: "urgent") package var urgent: Bool
    /// Comma-separated urgent words found (for the inbox; not shown to the patient).
    @Field(key: "urgent_words") package var urgentWords: String

    // relationships
    @Field(key: "patient_id") package var patientID: UUID
    @Field(key: "location_id") package var locationID: UUID
    @OptionalField(key: "assigned_to") package var assignedTo: UUID?

    package init() {}

    package var unreadByStaff: Bool { lastFrom == .patient && (staffReadAt.map { $0 < updatedAt } ?? true) }
    package var unreadByPatient: Bool { lastFrom == .staff && (patientReadAt.map { $0 < updatedAt } ?? true) }
}

package final class MessageRecord: Model, @unchecked Sendable {
    package static let schema = "message"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "sent_at") package var sentAt: Date

    // data fields
    @Field(key: "sender_name") package var senderName: String
    /// patient or staff.
    @Field(key: "sender_side") package var senderSide: MessageSide
    @Field(key: "body") package var body: String

    // relationships
    @Field(key: "thread_id") package var threadID: UUID
    @Field(key: "sender_id") package var senderID: UUID
    /// A document or photo of this patient, uploaded through the upload pipeline.
    @OptionalField(key: "attachment_id") package var attachmentID: UUID?

    package init() {}
}

package struct CreateMessageThread: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("message_thread")
            .id()
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("last_from", .string, .required)
            .field("patient_read_at", .datetime)
            .field("staff_read_at", .datetime)
            .field("subject", .string, .required)
            .field("urgent", .bool, .required)
            .field("urgent_words", .string, .required)
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .field("location_id", .uuid, .required, .references("location", "id"))
            .field("assigned_to", .uuid, .references("app_user", "id"))
            .create()
        try await db.sql.create(index: "thread_inbox_idx").on("message_thread").column("location_id").column(
            "updated_at"
        ).run()
    }
    package func revert(on db: any Database) async throws { try await db.schema("message_thread").delete() }

    package init() {
    }
}

package struct CreateMessage: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("message")
            .id()
            .field("sent_at", .datetime, .required)
            .field("sender_name", .string, .required)
            .field("sender_side", .string, .required)
            .field("body", .string, .required)
            .field("thread_id", .uuid, .required, .references("message_thread", "id"))
            .field("sender_id", .uuid, .required, .references("app_user", "id"))
            .field("attachment_id", .uuid, .references("attachment", "id"))
            .create()
        try await db.sql.create(index: "message_thread_idx").on("message").column("thread_id").column("sent_at").run()
    }
    package func revert(on db: any Database) async throws { try await db.schema("message").delete() }

    package init() {
    }
}
