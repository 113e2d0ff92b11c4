import Vapor
import Fluent
import AppCore

/// The outcome of one `caresync drill`: kept so the readiness report can cite the latest measured RTO and RPO.
/// No PHI: counts, timings and check names only.
package final class DrillResultRecord: Model, @unchecked Sendable {
    package static let schema = "drill_result"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "started_at") package var startedAt: Date
    @Field(key: "finished_at") package var finishedAt: Date

    // data fields
    /// latest-backup or pitr.
    @Field(key: "variant") package var variant: String
    @Field(key: "backup_id") package var backupID: String
    @OptionalField(key: "backup_created_at") package var backupCreatedAt: Date?
    @OptionalField(key: "target_time") package var targetTime: Date?
    @Field(key: "database") package var database: String
    @Field(key: "ok") package var ok: Bool
    @Field(key: "rto_ms") package var rtoMs: Int
    @OptionalField(key: "rpo_seconds") package var rpoSeconds: Int?
    /// JSON array of `Drill.Check`.
    @Field(key: "checks") package var checks: String

    package init() {}
}

package struct CreateDrillResult: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("drill_result")
            .id()
            .field("started_at", .datetime, .required)
            .field("finished_at", .datetime, .required)
            .field("variant", .string, .required)
            .field("backup_id", .string, .required)
            .field("backup_created_at", .datetime)
            .field("target_time", .datetime)
            .field("database", .string, .required)
            .field("ok", .bool, .required)
            .field("rto_ms", .int, .required)
            .field("rpo_seconds", .int)
            .field("checks", .string, .required)
            .create()
        try await db.sql.create(index: "drill_result_started_idx").on("drill_result").column("started_at").run()
    }
    package func revert(on db: any Database) async throws { try await db.schema("drill_result").delete() }

    package init() {
    }
}
