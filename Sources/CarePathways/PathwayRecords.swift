import Vapor
import Fluent
import Domain
import Scheduling

/// One version of a pathway template (the JSON of `PathwayTemplate`). draft → approved (by the Medical Director)
/// → retired (when a newer version is approved). Enrolments keep the version they started with.
package final class PathwayTemplateRecord: Model, @unchecked Sendable {
    package static let schema = "pathway_template"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "created_by") package var createdBy: String
    @Field(key: "status") package var status: PathwayTemplateStatus
    @OptionalField(key: "approved_at") package var approvedAt: Date?
    @OptionalField(key: "approved_by") package var approvedBy: String?
    @OptionalField(key: "approval_note") package var approvalNote: String?

    // data fields
    @Field(key: "code") package var code: String
    @Field(key: "version") package var version: Int
    @Field(key: "definition") package var definition: String

    package init() {}

    package var template: PathwayTemplate? {
        try? JSONDecoder().decode(PathwayTemplate.self, from: Data(definition.utf8))
    }
}

/// A procedure recorded on the chart (the trigger for automatic enrolment).
package final class ProcedureRecord: Model, @unchecked Sendable {
    package static let schema = "procedure"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "recorded_at") package var recordedAt: Date
    @Field(key: "recorded_by") package var recordedBy: String

    // data fields
    @Field(key: "code") package var code: String
    @Field(key: "name") package var name: String
    /// Local date (YYYY-MM-DD) at the location.
    @Field(key: "performed_on") package var performedOn: String

    // relationships
    @Field(key: "patient_id") package var patientID: UUID
    @Field(key: "location_id") package var locationID: UUID
    @Field(key: "provider_id") package var providerID: UUID

    package init() {}
}

/// A patient on a pathway: the template version, the day counting starts and where (for the local time of steps).
package final class PathwayEnrolmentRecord: Model, @unchecked Sendable {
    package static let schema = "pathway_enrolment"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "created_by") package var createdBy: String
    /// active or stopped.
    @Field(key: "status") package var status: EnrolmentStatus
    @OptionalField(key: "stopped_at") package var stoppedAt: Date?

    // data fields
    @Field(key: "template_code") package var templateCode: String
    @Field(key: "template_version") package var templateVersion: Int
    @Field(key: "start_day") package var startDay: String

    // relationships
    @Field(key: "template_id") package var templateID: UUID
    @Field(key: "patient_id") package var patientID: UUID
    @Field(key: "location_id") package var locationID: UUID
    @Field(key: "provider_id") package var providerID: UUID
    @OptionalField(key: "procedure_id") package var procedureID: UUID?

    package init() {}
}

/// A step that reached the patient: a check-in to answer, a photo to send, a follow-up to choose.
/// open → done (answered / photo received / booked), or → missed (escalated), or → closed (enrolment stopped).
package final class PathwayTaskRecord: Model, @unchecked Sendable {
    package static let schema = "pathway_task"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "opened_at") package var openedAt: Date
    @Field(key: "status") package var status: PathwayTaskStatus
    @OptionalField(key: "completed_at") package var completedAt: Date?

    // data fields
    @Field(key: "step_key") package var stepKey: String
    @Field(key: "kind") package var kind: PathwayStep.Kind
    /// JSON of answers by question id (check-ins).
    @OptionalField(key: "answers") package var answers: String?
    /// Comma-separated red-flag labels raised by the answers or by a miss.
    @Field(key: "red_flags") package var redFlags: String
    /// JSON array of offered slots (follow-ups).
    @OptionalField(key: "offers") package var offers: String?

    // relationships
    @Field(key: "enrolment_id") package var enrolmentID: UUID
    @Field(key: "patient_id") package var patientID: UUID
    @OptionalField(key: "photo_id") package var photoID: UUID?
    @OptionalField(key: "appointment_id") package var appointmentID: UUID?

    package init() {}

    package var answerMap: [String: String] {
        answers.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
    }
    package var flagList: [String] { redFlags.split(separator: ",").map(String.init) }
    package var offerList: [SchedulingStore.Slot] {
        offers.flatMap { try? JSONDecoder().decode([SchedulingStore.Slot].self, from: Data($0.utf8)) } ?? []
    }
}

/// Work for the care team raised by a pathway: a red flag (urgent), a missed check-in, a follow-up the front desk must
/// book.
package final class CareTaskRecord: Model, @unchecked Sendable {
    package static let schema = "care_task"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    /// open or done.
    @Field(key: "status") package var status: CareTaskStatus
    @OptionalField(key: "closed_at") package var closedAt: Date?
    @OptionalField(key: "closed_by") package var closedBy: String?
    @Field(key: "dedupe_key") package var dedupeKey: String

    // data fields
    @Field(key: "kind") package var kind: CareTaskKind
    @Field(key: "urgent") package var urgent: Bool
    /// clinical or front-desk.
    @Field(key: "team") package var team: CareTeam
    @Field(key: "summary") package var summary: String
    @OptionalField(key: "close_note") package var closeNote: String?

    // relationships
    @Field(key: "patient_id") package var patientID: UUID
    @OptionalField(key: "enrolment_id") package var enrolmentID: UUID?
    @OptionalField(key: "pathway_task_id") package var pathwayTaskID: UUID?

    package init() {}
}

package struct CreatePathwayTemplate: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("pathway_template")
            .id()
            .field("created_at", .datetime, .required)
            .field("created_by", .string, .required)
            .field("status", .string, .required)
            .field("approved_at", .datetime)
            .field("approved_by", .string)
            .field("approval_note", .string)
            .field("code", .string, .required)
            .field("version", .int, .required)
            .field("definition", .string, .required)
            .unique(on: "code", "version")
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("pathway_template").delete() }

    package init() {
    }
}

package struct CreateProcedure: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("procedure")
            .id()
            .field("recorded_at", .datetime, .required)
            .field("recorded_by", .string, .required)
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("performed_on", .string, .required)
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .field("location_id", .uuid, .required, .references("location", "id"))
            .field("provider_id", .uuid, .required, .references("app_user", "id"))
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("procedure").delete() }

    package init() {
    }
}

package struct CreatePathwayEnrolment: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("pathway_enrolment")
            .id()
            .field("created_at", .datetime, .required)
            .field("created_by", .string, .required)
            .field("status", .string, .required)
            .field("stopped_at", .datetime)
            .field("template_code", .string, .required)
            .field("template_version", .int, .required)
            .field("start_day", .string, .required)
            .field("template_id", .uuid, .required, .references("pathway_template", "id"))
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .field("location_id", .uuid, .required, .references("location", "id"))
            .field("provider_id", .uuid, .required, .references("app_user", "id"))
            .field("procedure_id", .uuid, .references("procedure", "id"))
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("pathway_enrolment").delete() }

    package init() {
    }
}

package struct CreatePathwayTask: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("pathway_task")
            .id()
            .field("opened_at", .datetime, .required)
            .field("status", .string, .required)
            .field("completed_at", .datetime)
            .field("step_key", .string, .required)
            .field("kind", .string, .required)
            .field("answers", .string)
            .field("red_flags", .string, .required)
            .field("offers", .string)
            .field("enrolment_id", .uuid, .required, .references("pathway_enrolment", "id"))
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .field("photo_id", .uuid)
            .field("appointment_id", .uuid)
            .unique(on: "enrolment_id", "step_key")
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("pathway_task").delete() }

    package init() {
    }
}

package struct CreateCareTask: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("care_task")
            .id()
            .field("created_at", .datetime, .required)
            .field("status", .string, .required)
            .field("closed_at", .datetime)
            .field("closed_by", .string)
            .field("dedupe_key", .string, .required)
            .field("kind", .string, .required)
            .field("urgent", .bool, .required)
            .field("team", .string, .required)
            .field("summary", .string, .required)
            .field("close_note", .string)
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .field("enrolment_id", .uuid)
            .field("pathway_task_id", .uuid)
            .unique(on: "dedupe_key")
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("care_task").delete() }

    package init() {
    }
}
