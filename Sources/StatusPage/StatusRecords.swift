import Vapor
import Fluent
import Domain
import AppCore

/// One probe of one component from one node (kept two days; the days' totals stay in `status_uptime_day`).
package final class StatusProbeRecord: Model, @unchecked Sendable {
    package static let schema = "status_probe"

    @ID(key: .id) package var id: UUID?
    @Field(key: "at") package var at: Date
    @Field(key: "node") package var node: String
    /// portal, video, eprescribing, staff, or scheduling:<location id>.
    @Field(key: "component") package var component: String
    @Field(key: "ok") package var ok: Bool
    @Field(key: "degraded") package var degraded: Bool
    @Field(key: "ms") package var ms: Int
    @OptionalField(key: "detail") package var detail: String?

    package init() {}
}

/// A component's probes on one UTC day, from every node: the 90-day uptime bars.
package final class StatusUptimeDayRecord: Model, @unchecked Sendable {
    package static let schema = "status_uptime_day"

    @ID(key: .id) package var id: UUID?
    @Field(key: "component") package var component: String
    /// yyyy-MM-dd (UTC).
    @Field(key: "day") package var day: String
    @Field(key: "probes") package var probes: Int
    @Field(key: "failed") package var failed: Int

    package init() {}
}

/// A post on the public status page, written for patients by staff: an incident or announced maintenance.
package final class StatusPostRecord: Model, @unchecked Sendable {
    package static let schema = "status_post"

    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "updated_at") package var updatedAt: Date
    @Field(key: "kind") package var kind: StatusPostKind
    @Field(key: "state") package var state: StatusPostState
    @Field(key: "title") package var title: String
    /// The component ids it touches, comma-separated.
    @Field(key: "components") package var components: String
    /// What it does to them while it is not over.
    @Field(key: "impact") package var impact: ComponentState
    @OptionalField(key: "starts_at") package var startsAt: Date?
    @OptionalField(key: "ends_at") package var endsAt: Date?
    @OptionalField(key: "incident_id") package var incidentID: UUID?
    @Field(key: "created_by") package var createdBy: String

    package var componentIDs: [String] { components.split(separator: ",").map(String.init) }

    package init() {}
}

/// One public update of a post (its text is what patients read).
package final class StatusPostUpdateRecord: Model, @unchecked Sendable {
    package static let schema = "status_post_update"

    @ID(key: .id) package var id: UUID?
    @Field(key: "post_id") package var postID: UUID
    @Field(key: "at") package var at: Date
    @Field(key: "state") package var state: StatusPostState
    @Field(key: "text") package var text: String
    @Field(key: "author") package var author: String

    package init() {}
}

/// Someone who asked for status updates by email or SMS: told only once confirmed; the link's token is stored hashed.
package final class StatusSubscriberRecord: Model, @unchecked Sendable {
    package static let schema = "status_subscriber"

    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "channel") package var channel: NoticeChannel
    @Field(key: "address") package var address: String
    @Field(key: "token_hash") package var tokenHash: String
    /// In every message's "stop" link (it can only unsubscribe).
    @Field(key: "unsubscribe_token") package var unsubscribeToken: String
    @OptionalField(key: "confirmed_at") package var confirmedAt: Date?
    @OptionalField(key: "unsubscribed_at") package var unsubscribedAt: Date?

    package init() {}
}

package struct CreateStatusPage: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("status_probe")
            .id()
            .field("at", .datetime, .required)
            .field("node", .string, .required)
            .field("component", .string, .required)
            .field("ok", .bool, .required)
            .field("degraded", .bool, .required)
            .field("ms", .int, .required)
            .field("detail", .string)
            .create()
        try await db.sql.create(index: "status_probe_component_idx").on("status_probe").column("component")
            .column("at").run()
        try await db.schema("status_uptime_day")
            .id()
            .field("component", .string, .required)
            .field("day", .string, .required)
            .field("probes", .int, .required)
            .field("failed", .int, .required)
            .unique(on: "component", "day")
            .create()
        try await db.schema("status_post")
            .id()
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("kind", .string, .required)
            .field("state", .string, .required)
            .field("title", .string, .required)
            .field("components", .string, .required)
            .field("impact", .string, .required)
            .field("starts_at", .datetime)
            .field("ends_at", .datetime)
            .field("incident_id", .uuid, .references("incident", "id"))
            .field("created_by", .string, .required)
            .create()
        try await db.schema("status_post_update")
            .id()
            .field("post_id", .uuid, .required, .references("status_post", "id"))
            .field("at", .datetime, .required)
            .field("state", .string, .required)
            .field("text", .string, .required)
            .field("author", .string, .required)
            .create()
        try await db.schema("status_subscriber")
            .id()
            .field("created_at", .datetime, .required)
            .field("channel", .string, .required)
            .field("address", .string, .required)
            .field("token_hash", .string, .required)
            .field("unsubscribe_token", .string, .required)
            .field("confirmed_at", .datetime)
            .field("unsubscribed_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    package func revert(on db: any Database) async throws {
        for t in ["status_subscriber", "status_post_update", "status_post", "status_uptime_day", "status_probe"] {
            try await db.schema(t).delete()
        }
    }

    package init() {}
}
