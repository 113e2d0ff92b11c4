import Vapor
import Fluent
import SQLKit
import AppCore
import Domain

/// One unit of background work, stored so it survives restarts and runs once across any number of nodes.
/// pending → running (claimed with a lease) → done, or back to pending with a later run_at, or failed; cancelled when
/// the work no longer applies. The payload holds ids only (no PHI): operators see it on the jobs page.
package final class JobRecord: Model, @unchecked Sendable {
    package static let schema = "job"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "updated_at") package var updatedAt: Date
    @Field(key: "status") package var status: JobStatus
    @Field(key: "run_at") package var runAt: Date
    @Field(key: "attempts") package var attempts: Int
    @Field(key: "max_attempts") package var maxAttempts: Int
    @OptionalField(key: "lease_until") package var leaseUntil: Date?
    @OptionalField(key: "claimed_by") package var claimedBy: String?
    @OptionalField(key: "claim_token") package var claimToken: UUID?
    @OptionalField(key: "finished_at") package var finishedAt: Date?
    @OptionalField(key: "last_error") package var lastError: String?
    /// One job per purpose: enqueuing the same purpose twice is a no-op.
    @Field(key: "dedupe_key") package var dedupeKey: String

    // data fields
    @Field(key: "kind") package var kind: String
    /// JSON object of strings (ids, keys).
    @Field(key: "payload") package var payload: String

    package init() {}

    package var payloadMap: [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(payload.utf8))) ?? [:]
    }
}

package struct CreateJob: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("job")
            .id()
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("status", .string, .required)
            .field("run_at", .datetime, .required)
            .field("attempts", .int, .required)
            .field("max_attempts", .int, .required)
            .field("lease_until", .datetime)
            .field("claimed_by", .string)
            .field("claim_token", .uuid)
            .field("finished_at", .datetime)
            .field("last_error", .string)
            .field("dedupe_key", .string, .required)
            .field("kind", .string, .required)
            .field("payload", .string, .required)
            .unique(on: "dedupe_key")
            .create()
        try await db.sql.create(index: "job_due_idx").on("job").column("status").column("run_at").run()
    }
    package func revert(on db: any Database) async throws { try await db.schema("job").delete() }

    package init() {
    }
}
