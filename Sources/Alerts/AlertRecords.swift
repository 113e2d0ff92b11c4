import Vapor
import Fluent
import AppCore

/// One alert as CareSync received it from Alertmanager (or raised itself: the alerting path went silent), kept once per
/// fingerprint: repeats update it, a resolution closes it. No PHI: alert names, severities, runbooks and the rule's
/// labels (instances, routes, staff usernames).
package final class AlertRecord: Model, @unchecked Sendable {
    package static let schema = "alert"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "fingerprint") package var fingerprint: String
    /// firing or resolved.
    @Field(key: "status") package var status: String
    @Field(key: "first_received_at") package var firstReceivedAt: Date
    @Field(key: "last_received_at") package var lastReceivedAt: Date
    @Field(key: "received_count") package var receivedCount: Int
    @OptionalField(key: "resolved_at") package var resolvedAt: Date?
    /// When the person on duty was told (the outbox notice was queued).
    @OptionalField(key: "notified_at") package var notifiedAt: Date?

    // data fields
    @Field(key: "alertname") package var alertname: String
    @Field(key: "severity") package var severity: String
    @Field(key: "summary") package var summary: String
    @Field(key: "runbook") package var runbook: String
    /// JSON object of the alert's labels.
    @Field(key: "labels") package var labels: String
    @Field(key: "starts_at") package var startsAt: Date
    /// alertmanager, or caresync for what CareSync raises itself.
    @Field(key: "source") package var source: String

    package init() {}
}

package struct CreateAlert: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("alert")
            .id()
            .field("fingerprint", .string, .required)
            .field("status", .string, .required)
            .field("first_received_at", .datetime, .required)
            .field("last_received_at", .datetime, .required)
            .field("received_count", .int, .required)
            .field("resolved_at", .datetime)
            .field("notified_at", .datetime)
            .field("alertname", .string, .required)
            .field("severity", .string, .required)
            .field("summary", .string, .required)
            .field("runbook", .string, .required)
            .field("labels", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("source", .string, .required)
            .unique(on: "fingerprint")
            .create()
        try await db.sql.create(index: "alert_status_idx").on("alert").column("status").column("last_received_at")
            .run()
    }
    package func revert(on db: any Database) async throws { try await db.schema("alert").delete() }

    package init() {
    }
}
