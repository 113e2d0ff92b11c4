import Vapor
import Fluent
import SQLKit

/// One unit of background work, stored so it survives restarts and runs once across any number of nodes.
/// pending → running (claimed with a lease) → done, or back to pending with a later run_at, or failed; cancelled when
/// the work no longer applies. The payload holds ids only (no PHI): operators see it on the jobs page.
final class JobRecord: Model, @unchecked Sendable {
    static let schema = "job"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @Field(key: "status") var status: String
    @Field(key: "run_at") var runAt: Date
    @Field(key: "attempts") var attempts: Int
    @Field(key: "max_attempts") var maxAttempts: Int
    @OptionalField(key: "lease_until") var leaseUntil: Date?
    @OptionalField(key: "claimed_by") var claimedBy: String?
    @OptionalField(key: "claim_token") var claimToken: UUID?
    @OptionalField(key: "finished_at") var finishedAt: Date?
    @OptionalField(key: "last_error") var lastError: String?
    /// One job per purpose: enqueuing the same purpose twice is a no-op.
    @Field(key: "dedupe_key") var dedupeKey: String

    // data fields
    @Field(key: "kind") var kind: String
    /// JSON object of strings (ids, keys).
    @Field(key: "payload") var payload: String

    init() {}

    var payloadMap: [String: String] { (try? JSONDecoder().decode([String: String].self, from: Data(payload.utf8))) ?? [:] }
}

struct CreateJob: AsyncMigration {
    func prepare(on db: any Database) async throws {
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
    func revert(on db: any Database) async throws { try await db.schema("job").delete() }
}
