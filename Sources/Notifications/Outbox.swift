import Vapor
import Fluent
import Domain
import AppCore

/// A message waiting to go out. Written in the same transaction as the change that caused it, so a booking
/// and its confirmation commit together; delivered later by `OutboxWorker`, which survives restarts.
package final class OutboxMessageRecord: Model, @unchecked Sendable {
    package static let schema = "outbox_message"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    /// pending → sending (claimed) → sent, or back to pending with a later next_attempt_at, or failed.
    @Field(key: "status") package var status: OutboxStatus
    @Field(key: "attempts") package var attempts: Int
    @Field(key: "next_attempt_at") package var nextAttemptAt: Date
    @OptionalField(key: "claimed_until") package var claimedUntil: Date?
    @OptionalField(key: "sent_at") package var sentAt: Date?
    @OptionalField(key: "last_error") package var lastError: String?
    /// One message per purpose: a unique key stops duplicates (the same reminder twice, say).
    @Field(key: "dedupe_key") package var dedupeKey: String

    // data fields
    @Field(key: "kind") package var kind: String
    /// email, sms or portal.
    @Field(key: "channel") package var channel: NoticeChannel
    @Field(key: "recipient") package var recipient: String
    @Field(key: "subject") package var subject: String
    @Field(key: "body") package var body: String
    @OptionalField(key: "attachment_name") package var attachmentName: String?
    @OptionalField(key: "attachment_type") package var attachmentType: String?
    @OptionalField(key: "attachment_body") package var attachmentBody: String?

    // relationships
    @OptionalField(key: "patient_id") package var patientID: UUID?
    @OptionalField(key: "appointment_id") package var appointmentID: UUID?

    package init() {}

    /// A pending message due now. `dedupeKey` makes enqueuing the same purpose twice a no-op for the caller to check.
    package static func pending(
        kind: String, channel: NoticeChannel, recipient: String, subject: String, body: String, dedupeKey: String,
        patientID: UUID?, now: Date
    ) -> OutboxMessageRecord {
        let m = OutboxMessageRecord()
        m.createdAt = now
        m.status = .pending
        m.attempts = 0
        m.nextAttemptAt = now
        m.dedupeKey = dedupeKey
        m.kind = kind
        m.channel = channel
        m.recipient = recipient
        m.subject = subject
        m.body = body
        m.patientID = patientID
        return m
    }
}

/// In-portal notices: what the portal shows (the email/SMS say only that something is waiting, or date/time/place).
package final class PortalNoticeRecord: Model, @unchecked Sendable {
    package static let schema = "portal_notice"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @OptionalField(key: "read_at") package var readAt: Date?

    // data fields
    @Field(key: "body") package var body: String

    // relationships
    @Field(key: "patient_id") package var patientID: UUID

    package init() {}
}

package struct CreateOutboxMessage: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("outbox_message")
            .id()
            .field("created_at", .datetime, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("claimed_until", .datetime)
            .field("sent_at", .datetime)
            .field("last_error", .string)
            .field("dedupe_key", .string, .required)
            .field("kind", .string, .required)
            .field("channel", .string, .required)
            .field("recipient", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("attachment_name", .string)
            .field("attachment_type", .string)
            .field("attachment_body", .string)
            .field("patient_id", .uuid)
            .field("appointment_id", .uuid)
            .unique(on: "dedupe_key")
            .create()
        try await db.sql.create(index: "outbox_due_idx").on("outbox_message").column("status").column("next_attempt_at")
            .run()
    }
    package func revert(on db: any Database) async throws { try await db.schema("outbox_message").delete() }

    package init() {
    }
}

package struct CreatePortalNotice: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("portal_notice")
            .id()
            .field("created_at", .datetime, .required)
            .field("read_at", .datetime)
            .field("body", .string, .required)
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("portal_notice").delete() }

    package init() {
    }
}

/// Where messages go. The live transport uses SMTP, an SMS webhook and the portal; tests use their own.
package protocol NotificationTransport: Sendable {
    func deliver(_ m: OutboxMessageRecord, app: Application) async throws
}

package struct LiveTransport: NotificationTransport {
    package struct NotConfigured: Error, CustomStringConvertible {
        package let description: String
        package init(description: String) { self.description = description }
    }

    package func deliver(_ m: OutboxMessageRecord, app: Application) async throws {
        let c = app.config
        switch m.channel {
        case .portal:
            guard let pid = m.patientID else { return }
            let n = PortalNoticeRecord()
            n.patientID = pid
            n.body = m.body
            n.createdAt = app.clock.now()
            // Through the serialized write like every other change: on SQLite a write outside it can make another
            // connection's read-then-write transaction fail (SQLITE_BUSY on the snapshot upgrade).
            _ = try await app.serializer.write(app.db) { tx in try await n.create(on: tx) }
        case .email:
            guard let url = c.smtpURL, let u = URLComponents(string: url), let host = u.host else {
                throw NotConfigured(description: "no SMTP relay configured (CARESYNC_SMTP_URL)")
            }
            let attachment = m.attachmentName.map {
                (name: $0, contentType: m.attachmentType ?? "application/octet-stream", content: m.attachmentBody ?? "")
            }
            let mime = MIMEMessage.build(
                from: c.mailFrom, to: m.recipient, subject: m.subject, body: m.body, date: app.clock.now(),
                attachment: attachment)
            try await SMTPClient(host: host, port: u.port ?? 25, heloName: "caresync").send(
                from: c.mailFrom, to: [m.recipient], message: mime)
        case .sms:
            guard let hook = c.smsWebhookURL else {
                throw NotConfigured(description: "no SMS webhook configured (CARESYNC_SMS_WEBHOOK_URL)")
            }
            let res = try await app.client.post(URI(string: hook)) { req in
                try req.content.encode(["to": m.recipient, "body": m.body], as: .json)
            }
            guard (200..<300).contains(res.status.code) else {
                throw NotConfigured(description: "SMS webhook answered \(res.status.code)")
            }
        }
    }
}
