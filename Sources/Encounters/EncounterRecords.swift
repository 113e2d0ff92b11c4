import Vapor
import Fluent
import Domain
import AppCore

/// One version of a note template (the JSON of a `FormDefinition` whose sections are the SOAP headings).
package final class NoteTemplateRecord: Model, @unchecked Sendable {
    package static let schema = "note_template"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "created_by") package var createdBy: String

    // data fields
    @Field(key: "code") package var code: String
    @Field(key: "version") package var version: Int
    @Field(key: "definition") package var definition: String

    package init() {}

    package var template: FormDefinition? {
        try? JSONDecoder().decode(FormDefinition.self, from: Data(definition.utf8))
    }
}

/// A patient's visit (FHIR Encounter) with its note: for an appointment (in person or video) or on its own.
package final class EncounterRecord: Model, @unchecked Sendable {
    package static let schema = "encounter"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "updated_at") package var updatedAt: Date
    @Field(key: "version") package var version: Int

    // data fields
    /// The visit's day at the practice (YYYY-MM-DD).
    @Field(key: "visit_date") package var visitDate: String
    @Field(key: "template_code") package var templateCode: String
    @Field(key: "template_version") package var templateVersion: Int
    @Field(key: "title") package var title: String
    /// JSON object of answers by field id.
    @Field(key: "answers") package var answers: String
    @Field(key: "status") package var status: NoteStatus
    @Field(key: "drafted_by") package var draftedBy: String
    @OptionalField(key: "signed_by") package var signedBy: String?
    @OptionalField(key: "signed_name") package var signedName: String?
    @OptionalField(key: "signed_at") package var signedAt: Date?

    // relationships
    @Field(key: "patient_id") package var patientID: UUID
    @OptionalField(key: "appointment_id") package var appointmentID: UUID?

    package init() {}

    package var answerMap: [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(answers.utf8))) ?? [:]
    }
}

/// Text added to a signed note; never changed or removed.
package final class NoteAddendumRecord: Model, @unchecked Sendable {
    package static let schema = "note_addendum"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date

    // data fields
    @Field(key: "author") package var author: String
    @Field(key: "author_name") package var authorName: String
    @Field(key: "text") package var text: String

    // relationships
    @Field(key: "encounter_id") package var encounterID: UUID

    package init() {}
}

package struct CreateNoteTemplate: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("note_template")
            .id()
            .field("created_at", .datetime, .required)
            .field("created_by", .string, .required)
            .field("code", .string, .required)
            .field("version", .int, .required)
            .field("definition", .string, .required)
            .unique(on: "code", "version")
            .create()
    }

    package func revert(on db: any Database) async throws { try await db.schema("note_template").delete() }

    package init() {}
}

package struct CreateEncounter: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("encounter")
            .id()
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("version", .int, .required)
            .field("visit_date", .string, .required)
            .field("template_code", .string, .required)
            .field("template_version", .int, .required)
            .field("title", .string, .required)
            .field("answers", .string, .required)
            .field("status", .string, .required)
            .field("drafted_by", .string, .required)
            .field("signed_by", .string)
            .field("signed_name", .string)
            .field("signed_at", .datetime)
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .field("appointment_id", .uuid, .references("appointment", "id"))
            // One note per appointment, whatever the timing of two starts (NULLs, visits without one, repeat).
            .unique(on: "appointment_id")
            .create()
    }

    package func revert(on db: any Database) async throws { try await db.schema("encounter").delete() }

    package init() {}
}

package struct CreateNoteAddendum: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("note_addendum")
            .id()
            .field("created_at", .datetime, .required)
            .field("author", .string, .required)
            .field("author_name", .string, .required)
            .field("text", .string, .required)
            .field("encounter_id", .uuid, .required, .references("encounter", "id"))
            .create()
    }

    package func revert(on db: any Database) async throws { try await db.schema("note_addendum").delete() }

    package init() {}
}

package enum NoteTemplatesLoader {
    /// Adds any shipped template version the database does not have yet (run at start-up; idempotent).
    package static func load(_ db: any Database, now: Date) async throws {
        for t in NoteTemplates.all {
            if try await NoteTemplateRecord.query(on: db).filter(\.$code == t.code).filter(\.$version == t.version)
                .first() != nil
            {
                continue
            }
            try await NoteTemplateRecord.make(t, by: "system:install", now: now).create(on: db)
        }
    }
}

extension NoteTemplateRecord {
    static func make(_ t: FormDefinition, by: String, now: Date) throws -> NoteTemplateRecord {
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        let r = NoteTemplateRecord()
        r.createdAt = now
        r.createdBy = by
        r.code = t.code
        r.version = t.version
        r.definition = String(decoding: try enc.encode(t), as: UTF8.self)
        return r
    }
}
