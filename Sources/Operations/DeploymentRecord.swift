import Vapor
import Fluent
import AppCore

/// One deploy, switch, rollback (manual or automatic) or rehearsal: who, from and to which release, each step timed,
/// the smoke checks' results. The readiness report cites the latest rehearsal's switch and rollback times.
/// No PHI: release names, slots, timings and check names only.
package final class DeploymentEventRecord: Model, @unchecked Sendable {
    package static let schema = "deployment_event"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "started_at") package var startedAt: Date
    @Field(key: "finished_at") package var finishedAt: Date

    // data fields
    /// deploy, rollback or rehearsal.
    @Field(key: "kind") package var kind: String
    /// manual, or automatic with the trigger that fired.
    @Field(key: "trigger") package var trigger: String
    @Field(key: "actor") package var actor: String
    @OptionalField(key: "from_release") package var fromRelease: String?
    @Field(key: "to_release") package var toRelease: String
    @OptionalField(key: "from_slot") package var fromSlot: String?
    @Field(key: "to_slot") package var toSlot: String
    /// live (the new release serves), refused (nothing switched), rolled-back, or failed.
    @Field(key: "outcome") package var outcome: String
    @OptionalField(key: "detail") package var detail: String?
    /// Milliseconds from the proxy switch to the proxy answering from the new slot.
    @OptionalField(key: "switch_ms") package var switchMs: Int?
    /// A rehearsal's rollback leg, or an automatic rollback after a deploy.
    @OptionalField(key: "rollback_ms") package var rollbackMs: Int?
    /// JSON array of `DeploySteps.Step`.
    @Field(key: "steps") package var steps: String
    /// JSON array of `DeploySteps.Step` (the smoke checks).
    @Field(key: "smoke") package var smoke: String

    package init() {}
}

package struct CreateDeploymentEvent: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("deployment_event")
            .id()
            .field("started_at", .datetime, .required)
            .field("finished_at", .datetime, .required)
            .field("kind", .string, .required)
            .field("trigger", .string, .required)
            .field("actor", .string, .required)
            .field("from_release", .string)
            .field("to_release", .string, .required)
            .field("from_slot", .string)
            .field("to_slot", .string, .required)
            .field("outcome", .string, .required)
            .field("detail", .string)
            .field("switch_ms", .int)
            .field("rollback_ms", .int)
            .field("steps", .string, .required)
            .field("smoke", .string, .required)
            .create()
        try await db.sql.create(index: "deployment_event_started_idx").on("deployment_event").column("started_at")
            .run()
    }
    package func revert(on db: any Database) async throws { try await db.schema("deployment_event").delete() }

    package init() {
    }
}
