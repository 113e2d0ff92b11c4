import Fluent
import SQLKit
import Domain
import AppCore

package struct CreatePatient: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("patient")
            .id()
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("version", .int, .required)
            .field("retired_at", .datetime)
            .field("mrn", .string, .required)
            .field("family_name", .string, .required)
            .field("given_name", .string, .required)
            .field("family_norm", .string, .required)
            .field("given_norm", .string, .required)
            .field("duplicate_key", .string, .required)
            .field("birth_date", .string, .required)
            .field("sex", .string, .required)
            .field("email", .string)
            .field("phone", .string)
            .field("address_line1", .string)
            .field("address_line2", .string)
            .field("city", .string)
            .field("state", .string)
            .field("postal_code", .string)
            .field("insurance_payer", .string)
            .field("insurance_member_id", .string)
            .field("insurance_group", .string)
            .field("synthetic", .bool, .required)
            .field("preferred_location_id", .uuid, .references("location", "id"))
            .unique(on: "mrn")
            .create()
        try await db.sql.create(index: "patient_family_norm_idx").on("patient").column("family_norm").run()
        try await db.sql.create(index: "patient_duplicate_key_idx").on("patient").column("duplicate_key").run()
        try await db.sql.create(index: "patient_birth_date_idx").on("patient").column("birth_date").run()
    }
    package func revert(on db: any Database) async throws { try await db.schema("patient").delete() }

    package init() {
    }
}

package struct CreatePatientVersion: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("patient_version")
            .id()
            .field("changed_at", .datetime, .required)
            .field("version", .int, .required)
            .field("snapshot", .string, .required)
            .field("changed_fields", .string, .required)
            .field("changed_by", .string, .required)
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .unique(on: "patient_id", "version")
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("patient_version").delete() }

    package init() {
    }
}

/// The language of the patient's pages and messages (unset: English).
package struct UpdatePatientAddPreferredLanguage: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("patient").field("preferred_language", .string).update()
    }
    package func revert(on db: any Database) async throws {
        try await db.schema("patient").deleteField("preferred_language").update()
    }

    package init() {}
}
