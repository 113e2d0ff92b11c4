import Fluent
import SQLKit
import Domain

package struct CreateAuditEvent: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("audit_event")
            .id()
            .field("seq", .int64, .required)
            .field("recorded_at", .datetime, .required)
            .field("prev_hash", .string, .required)
            .field("hash", .string, .required)
            .field("user_id", .uuid)
            .field("username", .string, .required)
            .field("role", .string, .required)
            .field("patient_id", .uuid)
            .field("action", .string, .required)
            .field("category", .string, .required)
            .field("entity_type", .string, .required)
            .field("entity_id", .string)
            .field("device", .string, .required)
            .field("outcome", .string, .required)
            .field("detail", .string, .required)
            .unique(on: "seq")
            .create()
        try await db.sql.create(index: "audit_event_patient_idx").on("audit_event").column("patient_id").column(
            "recorded_at"
        ).run()
        try await db.sql.create(index: "audit_event_user_idx").on("audit_event").column("username").column(
            "recorded_at"
        ).run()
        try await db.sql.create(index: "audit_event_recorded_idx").on("audit_event").column("recorded_at").run()
    }
    package func revert(on db: any Database) async throws { try await db.schema("audit_event").delete() }

    package init() {
    }
}

/// The application never updates or deletes audit rows; the database refuses it too.
/// (A person with owner rights can drop the trigger: the hash chain and checkpoints catch what they do next.)
package struct CreateAuditEventAppendOnlyGuard: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        if db.isPostgres {
            try await db.sql.raw(
                """
                CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION 'audit_event is append-only'; END; $$ LANGUAGE plpgsql
                """
            ).run()
            try await db.sql.raw(
                """
                CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON audit_event
                FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
                """
            ).run()
            try await db.sql.raw(
                """
                CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
                FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()
                """
            ).run()
        } else {
            try await db.sql.raw(
                "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event BEGIN SELECT RAISE(ABORT, "
                    + "'audit_event is append-only'); END"
            ).run()
            try await db.sql.raw(
                "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event BEGIN SELECT RAISE(ABORT, "
                    + "'audit_event is append-only'); END"
            ).run()
        }
    }
    package func revert(on db: any Database) async throws {
        if db.isPostgres {
            try await db.sql.raw("DROP TRIGGER IF EXISTS audit_event_no_update_delete ON audit_event").run()
            try await db.sql.raw("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event").run()
            try await db.sql.raw("DROP FUNCTION IF EXISTS audit_event_append_only()").run()
        } else {
            try await db.sql.raw("DROP TRIGGER IF EXISTS audit_event_no_update").run()
            try await db.sql.raw("DROP TRIGGER IF EXISTS audit_event_no_delete").run()
        }
    }

    package init() {
    }
}
