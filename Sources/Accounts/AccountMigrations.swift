import Fluent
import SQLKit
import Domain
import AppCore

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

    package init() {
    }
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

    package init() {
    }
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

    package init() {
    }
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
        try await db.sql.create(index: "sign_in_attempt_address_idx").on("sign_in_attempt").column("address").column(
            "at"
        ).run()
    }
    package func revert(on db: any Database) async throws { try await db.schema("sign_in_attempt").delete() }

    package init() {
    }
}
