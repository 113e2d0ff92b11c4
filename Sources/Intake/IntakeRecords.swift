import Vapor
import Fluent
import Domain
import AppCore

/// One version of a form definition (the JSON of `FormDefinition`).
package final class FormDefinitionRecord: Model, @unchecked Sendable {
    package static let schema = "form_definition"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date

    // data fields
    @Field(key: "code") package var code: String
    @Field(key: "version") package var version: Int
    @Field(key: "definition") package var definition: String

    package init() {}

    package var form: FormDefinition? { try? JSONDecoder().decode(FormDefinition.self, from: Data(definition.utf8)) }
}

/// A patient's intake: a draft until submitted, then reviewed (accepted into the chart, or returned with a comment).
package final class IntakeSubmissionRecord: Model, @unchecked Sendable {
    package static let schema = "intake_submission"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "updated_at") package var updatedAt: Date
    /// draft → submitted → accepted, or → returned → (edited) submitted …
    @Field(key: "status") package var status: IntakeStatus
    @OptionalField(key: "submitted_at") package var submittedAt: Date?
    @OptionalField(key: "reviewed_at") package var reviewedAt: Date?
    @OptionalField(key: "reviewed_by") package var reviewedBy: String?

    // data fields
    @Field(key: "form_code") package var formCode: String
    @Field(key: "form_version") package var formVersion: Int
    /// JSON object of answers by field id.
    @Field(key: "answers") package var answers: String
    @OptionalField(key: "review_comment") package var reviewComment: String?
    @OptionalField(key: "signed_name") package var signedName: String?
    @OptionalField(key: "signed_at") package var signedAt: Date?

    // relationships
    @Field(key: "patient_id") package var patientID: UUID

    package init() {}

    package var answerMap: [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(answers.utf8))) ?? [:]
    }
}

package struct CreateFormDefinition: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("form_definition")
            .id()
            .field("created_at", .datetime, .required)
            .field("code", .string, .required)
            .field("version", .int, .required)
            .field("definition", .string, .required)
            .unique(on: "code", "version")
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("form_definition").delete() }

    package init() {
    }
}

package struct CreateIntakeSubmission: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("intake_submission")
            .id()
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("status", .string, .required)
            .field("submitted_at", .datetime)
            .field("reviewed_at", .datetime)
            .field("reviewed_by", .string)
            .field("form_code", .string, .required)
            .field("form_version", .int, .required)
            .field("answers", .string, .required)
            .field("review_comment", .string)
            .field("signed_name", .string)
            .field("signed_at", .datetime)
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .create()
        try await db.sql.create(index: "intake_status_idx").on("intake_submission").column("status").column(
            "submitted_at"
        ).run()
    }
    package func revert(on db: any Database) async throws { try await db.schema("intake_submission").delete() }

    package init() {
    }
}

package enum StandardFormsLoader {
    /// Adds any standard form version the database does not have yet (run at start-up; idempotent).
    package static func load(_ db: any Database, now: Date) async throws {
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        for f in StandardForms.all {
            if try await FormDefinitionRecord.query(on: db).filter(\.$code == f.code).filter(\.$version == f.version)
                .first() != nil
            {
                continue
            }
            let r = FormDefinitionRecord()
            r.createdAt = now
            r.code = f.code
            r.version = f.version
            r.definition = String(decoding: try enc.encode(f), as: UTF8.self)
            try await r.create(on: db)
        }
    }
}
