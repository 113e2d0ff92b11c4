import Vapor
import Fluent
import Domain

/// One version of a pathway template (the JSON of `PathwayTemplate`). draft → approved (by the Medical Director)
/// → retired (when a newer version is approved). Enrolments keep the version they started with.
final class PathwayTemplateRecord: Model, @unchecked Sendable {
    static let schema = "pathway_template"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "created_by") var createdBy: String
    @Field(key: "status") var status: String
    @OptionalField(key: "approved_at") var approvedAt: Date?
    @OptionalField(key: "approved_by") var approvedBy: String?
    @OptionalField(key: "approval_note") var approvalNote: String?

    // data fields
    @Field(key: "code") var code: String
    @Field(key: "version") var version: Int
    @Field(key: "definition") var definition: String

    init() {}

    var template: PathwayTemplate? { try? JSONDecoder().decode(PathwayTemplate.self, from: Data(definition.utf8)) }
}

/// A procedure recorded on the chart (the trigger for automatic enrolment).
final class ProcedureRecord: Model, @unchecked Sendable {
    static let schema = "procedure"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "recorded_at") var recordedAt: Date
    @Field(key: "recorded_by") var recordedBy: String

    // data fields
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    /// Local date (YYYY-MM-DD) at the location.
    @Field(key: "performed_on") var performedOn: String

    // relationships
    @Field(key: "patient_id") var patientID: UUID
    @Field(key: "location_id") var locationID: UUID
    @Field(key: "provider_id") var providerID: UUID

    init() {}
}

/// A patient on a pathway: the template version, the day counting starts and where (for the local time of steps).
final class PathwayEnrolmentRecord: Model, @unchecked Sendable {
    static let schema = "pathway_enrolment"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "created_by") var createdBy: String
    /// active or stopped.
    @Field(key: "status") var status: String
    @OptionalField(key: "stopped_at") var stoppedAt: Date?

    // data fields
    @Field(key: "template_code") var templateCode: String
    @Field(key: "template_version") var templateVersion: Int
    @Field(key: "start_day") var startDay: String

    // relationships
    @Field(key: "template_id") var templateID: UUID
    @Field(key: "patient_id") var patientID: UUID
    @Field(key: "location_id") var locationID: UUID
    @Field(key: "provider_id") var providerID: UUID
    @OptionalField(key: "procedure_id") var procedureID: UUID?

    init() {}
}

/// A step that reached the patient: a check-in to answer, a photo to send, a follow-up to choose.
/// open → done (answered / photo received / booked), or → missed (escalated), or → closed (enrolment stopped).
final class PathwayTaskRecord: Model, @unchecked Sendable {
    static let schema = "pathway_task"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "opened_at") var openedAt: Date
    @Field(key: "status") var status: String
    @OptionalField(key: "completed_at") var completedAt: Date?

    // data fields
    @Field(key: "step_key") var stepKey: String
    @Field(key: "kind") var kind: String
    /// JSON of answers by question id (check-ins).
    @OptionalField(key: "answers") var answers: String?
    /// Comma-separated red-flag labels raised by the answers or by a miss.
    @Field(key: "red_flags") var redFlags: String
    /// JSON array of offered slots (follow-ups).
    @OptionalField(key: "offers") var offers: String?

    // relationships
    @Field(key: "enrolment_id") var enrolmentID: UUID
    @Field(key: "patient_id") var patientID: UUID
    @OptionalField(key: "photo_id") var photoID: UUID?
    @OptionalField(key: "appointment_id") var appointmentID: UUID?

    init() {}

    var answerMap: [String: String] { answers.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:] }
    var flagList: [String] { redFlags.split(separator: ",").map(String.init) }
    var offerList: [SchedulingStore.Slot] { offers.flatMap { try? JSONDecoder().decode([SchedulingStore.Slot].self, from: Data($0.utf8)) } ?? [] }
}

/// Work for the care team raised by a pathway: a red flag (urgent), a missed check-in, a follow-up the front desk must book.
final class CareTaskRecord: Model, @unchecked Sendable {
    static let schema = "care_task"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date
    /// open or done.
    @Field(key: "status") var status: String
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalField(key: "closed_by") var closedBy: String?
    @Field(key: "dedupe_key") var dedupeKey: String

    // data fields
    /// red-flag, missed-check-in, missed-photo, schedule-follow-up.
    @Field(key: "kind") var kind: String
    @Field(key: "urgent") var urgent: Bool
    /// clinical or front-desk.
    @Field(key: "team") var team: String
    @Field(key: "summary") var summary: String
    @OptionalField(key: "close_note") var closeNote: String?

    // relationships
    @Field(key: "patient_id") var patientID: UUID
    @OptionalField(key: "enrolment_id") var enrolmentID: UUID?
    @OptionalField(key: "pathway_task_id") var pathwayTaskID: UUID?

    init() {}
}

struct CreatePathwayTemplate: AsyncMigration {
    func prepare(on db: any Database) async throws {
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
    func revert(on db: any Database) async throws { try await db.schema("pathway_template").delete() }
}

struct CreateProcedure: AsyncMigration {
    func prepare(on db: any Database) async throws {
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
    func revert(on db: any Database) async throws { try await db.schema("procedure").delete() }
}

struct CreatePathwayEnrolment: AsyncMigration {
    func prepare(on db: any Database) async throws {
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
    func revert(on db: any Database) async throws { try await db.schema("pathway_enrolment").delete() }
}

struct CreatePathwayTask: AsyncMigration {
    func prepare(on db: any Database) async throws {
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
    func revert(on db: any Database) async throws { try await db.schema("pathway_task").delete() }
}

struct CreateCareTask: AsyncMigration {
    func prepare(on db: any Database) async throws {
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
    func revert(on db: any Database) async throws { try await db.schema("care_task").delete() }
}
