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
    /// When this occurrence opened (nil on alerts stored before the column existed).
    @OptionalField(key: "opened_at") package var openedAt: Date?

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

/// When the current occurrence of an alert opened at CareSync (first seen, or seen again after it had resolved).
package struct AddAlertOpenedAt: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("alert").field("opened_at", .datetime).update()
    }
    package func revert(on db: any Database) async throws {
        try await db.schema("alert").deleteField("opened_at").update()
    }

    package init() {}
}

/// One run of `caresync incident simulate`: the fault, when the alert reached CareSync and when the person on duty
/// was told (the outbox notice queued).
package final class IncidentSimulationRecord: Model, @unchecked Sendable {
    package static let schema = "incident_simulation"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "fault_at") package var faultAt: Date
    @OptionalField(key: "alert_received_at") package var alertReceivedAt: Date?
    @OptionalField(key: "notified_at") package var notifiedAt: Date?
    @Field(key: "finished_at") package var finishedAt: Date

    // data fields
    @Field(key: "kind") package var kind: String
    @Field(key: "alertname") package var alertname: String
    /// passed, timed-out or failed.
    @Field(key: "outcome") package var outcome: String
    @OptionalField(key: "detail") package var detail: String?
    @Field(key: "node") package var node: String
    @Field(key: "actor") package var actor: String

    package init() {}
}

package struct CreateIncidentSimulation: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("incident_simulation")
            .id()
            .field("fault_at", .datetime, .required)
            .field("alert_received_at", .datetime)
            .field("notified_at", .datetime)
            .field("finished_at", .datetime, .required)
            .field("kind", .string, .required)
            .field("alertname", .string, .required)
            .field("outcome", .string, .required)
            .field("detail", .string)
            .field("node", .string, .required)
            .field("actor", .string, .required)
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("incident_simulation").delete() }

    package init() {}
}
