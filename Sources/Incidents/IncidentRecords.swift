import Vapor
import Fluent
import Domain
import AppCore

/// An incident: opened by an alert (one per alert name while open), by staff, or from a help-desk ticket. No PHI:
/// titles and notes are about the service (the forms say so).
package final class IncidentRecord: Model, @unchecked Sendable {
    package static let schema = "incident"

    // managed fields
    @ID(key: .id) package var id: UUID?
    /// #1, #2, …: what people say on the phone.
    @Field(key: "number") package var number: Int
    @Field(key: "opened_at") package var openedAt: Date
    @Field(key: "updated_at") package var updatedAt: Date
    @OptionalField(key: "acked_at") package var ackedAt: Date?
    @OptionalField(key: "acked_by") package var ackedBy: String?
    @OptionalField(key: "resolved_at") package var resolvedAt: Date?
    /// Who is being paged now, and when last.
    @Field(key: "escalation_step") package var escalationStep: Int
    @OptionalField(key: "last_paged_at") package var lastPagedAt: Date?
    @Field(key: "pages_sent") package var pagesSent: Int
    /// SHA-256 of the secret in the pages' acknowledge link.
    @Field(key: "ack_token_hash") package var ackTokenHash: String

    // data fields
    @Field(key: "title") package var title: String
    @Field(key: "severity") package var severity: String
    /// The most severe it has been (a P1 downgraded to P2 still needs its postmortem).
    @Field(key: "worst_severity") package var worstSeverity: String
    @Field(key: "state") package var state: String
    /// alert, staff or ticket.
    @Field(key: "source") package var source: String
    @OptionalField(key: "alertname") package var alertname: String?
    @OptionalField(key: "runbook") package var runbook: String?
    @OptionalField(key: "opened_by") package var openedBy: String?
    @OptionalField(key: "resolution") package var resolution: String?
    // The postmortem (P0 and P1).
    @OptionalField(key: "pm_impact") package var pmImpact: String?
    @OptionalField(key: "pm_root_cause") package var pmRootCause: String?
    @OptionalField(key: "pm_went_well") package var pmWentWell: String?
    @OptionalField(key: "pm_written_at") package var pmWrittenAt: Date?

    package init() {}

    package var severityValue: IncidentSeverity { IncidentSeverity(label: severity) }
    package var stateValue: IncidentState { IncidentState(rawValue: state) ?? .investigating }
}

/// One line of an incident's timeline that CareSync keeps (alerts, pages, acks, changes, notes). Deploys, rollbacks
/// and drills in the incident's window are read from their own records when the timeline is shown.
package final class IncidentEventRecord: Model, @unchecked Sendable {
    package static let schema = "incident_event"

    @ID(key: .id) package var id: UUID?
    @Field(key: "incident_id") package var incidentID: UUID
    @Field(key: "at") package var at: Date
    /// alert-fired, alert-resolved, page, escalated, ack, state, severity, note, postmortem, action-item.
    @Field(key: "kind") package var kind: String
    @Field(key: "text") package var text: String
    @Field(key: "actor") package var actor: String

    package init() {}

    package init(incidentID: UUID, at: Date, kind: String, text: String, actor: String) {
        self.incidentID = incidentID
        self.at = at
        self.kind = kind
        self.text = String(text.prefix(IncidentRules.maxText))
        self.actor = actor
    }
}

/// A postmortem's action item: what, who, by when, and when it was done.
package final class IncidentActionItemRecord: Model, @unchecked Sendable {
    package static let schema = "incident_action_item"

    @ID(key: .id) package var id: UUID?
    @Field(key: "incident_id") package var incidentID: UUID
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "text") package var text: String
    @Field(key: "owner") package var owner: String
    @Field(key: "due") package var due: String
    @OptionalField(key: "done_at") package var doneAt: Date?

    package init() {}
}

/// Who is on call when: a shift's primary and secondary, and the practice manager above them (staff usernames).
package final class OnCallShiftRecord: Model, @unchecked Sendable {
    package static let schema = "oncall_shift"

    @ID(key: .id) package var id: UUID?
    @Field(key: "starts_at") package var startsAt: Date
    @Field(key: "ends_at") package var endsAt: Date
    @Field(key: "primary_username") package var primary: String
    @Field(key: "secondary_username") package var secondary: String
    @Field(key: "manager_username") package var manager: String

    package init() {}

    package func username(_ step: EscalationStep) -> String {
        switch step {
        case .primary: return primary
        case .secondary: return secondary
        case .manager: return manager
        }
    }
}

/// How to reach a staff member when paged (a work address and number; not PHI).
package final class StaffContactRecord: Model, @unchecked Sendable {
    package static let schema = "staff_contact"

    @ID(key: .id) package var id: UUID?
    @Field(key: "username") package var username: String
    @OptionalField(key: "email") package var email: String?
    @OptionalField(key: "phone") package var phone: String?

    package init() {}
}

package struct CreateIncidents: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("incident")
            .id()
            .field("number", .int, .required)
            .field("opened_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("acked_at", .datetime)
            .field("acked_by", .string)
            .field("resolved_at", .datetime)
            .field("escalation_step", .int, .required)
            .field("last_paged_at", .datetime)
            .field("pages_sent", .int, .required)
            .field("ack_token_hash", .string, .required)
            .field("title", .string, .required)
            .field("severity", .string, .required)
            .field("worst_severity", .string, .required)
            .field("state", .string, .required)
            .field("source", .string, .required)
            .field("alertname", .string)
            .field("runbook", .string)
            .field("opened_by", .string)
            .field("resolution", .string)
            .field("pm_impact", .string)
            .field("pm_root_cause", .string)
            .field("pm_went_well", .string)
            .field("pm_written_at", .datetime)
            .unique(on: "number")
            .create()
        try await db.sql.create(index: "incident_state_idx").on("incident").column("state").column("opened_at").run()
        try await db.schema("incident_event")
            .id()
            .field("incident_id", .uuid, .required, .references("incident", "id"))
            .field("at", .datetime, .required)
            .field("kind", .string, .required)
            .field("text", .string, .required)
            .field("actor", .string, .required)
            .create()
        try await db.sql.create(index: "incident_event_incident_idx").on("incident_event").column("incident_id")
            .column("at").run()
        try await db.schema("incident_action_item")
            .id()
            .field("incident_id", .uuid, .required, .references("incident", "id"))
            .field("created_at", .datetime, .required)
            .field("text", .string, .required)
            .field("owner", .string, .required)
            .field("due", .string, .required)
            .field("done_at", .datetime)
            .create()
        try await db.schema("oncall_shift")
            .id()
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("primary_username", .string, .required)
            .field("secondary_username", .string, .required)
            .field("manager_username", .string, .required)
            .create()
        try await db.schema("staff_contact")
            .id()
            .field("username", .string, .required)
            .field("email", .string)
            .field("phone", .string)
            .unique(on: "username")
            .create()
    }

    package func revert(on db: any Database) async throws {
        for t in ["staff_contact", "oncall_shift", "incident_action_item", "incident_event", "incident"] {
            try await db.schema(t).delete()
        }
    }

    package init() {}
}
