import Fluent
import SQLKit

/// Every migration, once, in order. Additive only (expand now, contract in a later release).
package enum Migrations {
    package static let all: [any AsyncMigration] = [
        CreatePractice(),
        CreateLocation(),
        CreateUser(),
        CreateRecoveryCode(),
        CreateUserSession(),
        CreateSignInAttempt(),
        CreatePatient(),
        CreatePatientVersion(),
        CreateAuditEvent(),
        CreateAuditEventAppendOnlyGuard(),
        CreateRoom(),
        CreateAppointmentType(),
        CreateProviderHours(),
        CreateAvailabilityException(),
        CreateAppointment(),
        CreateAppointmentOverlapGuards(),
        UpdatePracticeAddTravelBuffer(),
        CreateCalendarFeed(),
        CreateOutboxMessage(),
        CreatePortalNotice(),
        CreateLocationHours(),
        CreateDrillResult(),
        CreateInvitation(),
        CreateWound(),
        CreatePhoto(),
        CreateUpload(),
        CreateFormDefinition(),
        CreateIntakeSubmission(),
        CreateAttachment(),
        CreateMessageThread(),
        CreateMessage(),
        CreateJob(),
        CreatePathwayTemplate(),
        CreateProcedure(),
        CreatePathwayEnrolment(),
        CreatePathwayTask(),
        CreateCareTask(),
        CreatePrescriberCredential(),
        CreateEPCSGrant(),
        CreatePharmacy(),
        CreatePrescription(),
        CreateScriptMessage(),
        CreateRefillRequest(),
        CreateCoveringProvider(),
        CreateVirtualVisit(),
        CreateVisitLink(),
        CreateVisitPass(),
        CreateVisitEvent(),
        CreateSignalMessage(),
        UpdateVirtualVisitAddHost(),
    ]
}

extension Database {
    package var sql: any SQLDatabase { self as! any SQLDatabase }
    package var isPostgres: Bool { sql.dialect.name == "postgresql" }
}

package struct CreatePractice: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("practice")
            .id()
            .field("name", .string, .required)
            .field("mrn_prefix", .string, .required)
            .field("mrn_next", .int, .required)
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("practice").delete() }
}

package struct CreateLocation: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("location")
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("time_zone", .string, .required)
            .field("address", .string, .required)
            .field("phone", .string, .required)
            .unique(on: "code")
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("location").delete() }
}

package struct CreateUser: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("app_user")
            .id()
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("role", .string, .required)
            .field("password_hash", .string, .required)
            .field("active", .bool, .required)
            .field("mfa_secret", .string)
            .field("mfa_pending_secret", .string)
            .field("mfa_enabled_at", .datetime)
            .field("mfa_last_counter", .int64)
            .field("failed_count", .int, .required)
            .field("locked_until", .datetime)
            .field("patient_id", .uuid)
            .unique(on: "username")
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("app_user").delete() }
}

package struct CreateRecoveryCode: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("recovery_code")
            .id()
            .field("created_at", .datetime, .required)
            .field("code_hash", .string, .required)
            .field("used_at", .datetime)
            .field("user_id", .uuid, .required, .references("app_user", "id"))
            .create()
        try await db.sql.create(index: "recovery_code_user_idx").on("recovery_code").column("user_id").run()
    }
    package func revert(on db: any Database) async throws { try await db.schema("recovery_code").delete() }
}

package struct CreateUserSession: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("user_session")
            .id()
            .field("created_at", .datetime, .required)
            .field("token_hash", .string, .required)
            .field("kind", .string, .required)
            .field("mfa_passed", .bool, .required)
            .field("last_seen_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .field("device", .string, .required)
            .field("user_id", .uuid, .required, .references("app_user", "id"))
            .unique(on: "token_hash")
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("user_session").delete() }
}

package struct CreateSignInAttempt: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("sign_in_attempt")
            .id()
            .field("at", .datetime, .required)
            .field("username", .string, .required)
            .field("address", .string, .required)
            .field("success", .bool, .required)
            .create()
        try await db.sql.create(index: "sign_in_attempt_address_idx").on("sign_in_attempt").column("address").column("at").run()
    }
    package func revert(on db: any Database) async throws { try await db.schema("sign_in_attempt").delete() }
}

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
}

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
        try await db.sql.create(index: "audit_event_patient_idx").on("audit_event").column("patient_id").column("recorded_at").run()
        try await db.sql.create(index: "audit_event_user_idx").on("audit_event").column("username").column("recorded_at").run()
        try await db.sql.create(index: "audit_event_recorded_idx").on("audit_event").column("recorded_at").run()
    }
    package func revert(on db: any Database) async throws { try await db.schema("audit_event").delete() }
}

/// The application never updates or deletes audit rows; the database refuses it too.
/// (A person with owner rights can drop the trigger: the hash chain and checkpoints catch what they do next.)
package struct CreateAuditEventAppendOnlyGuard: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        if db.isPostgres {
            try await db.sql.raw("""
                CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION 'audit_event is append-only'; END; $$ LANGUAGE plpgsql
                """).run()
            try await db.sql.raw("""
                CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON audit_event
                FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
                """).run()
            try await db.sql.raw("""
                CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
                FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()
                """).run()
        } else {
            try await db.sql.raw("CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END").run()
            try await db.sql.raw("CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END").run()
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
}
