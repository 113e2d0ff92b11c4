import Vapor
import Fluent
import Domain

package final class UserRecord: Model, @unchecked Sendable {
    package static let schema = "app_user"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "updated_at") package var updatedAt: Date

    // data fields
    @Field(key: "username") package var username: String
    @Field(key: "display_name") package var displayName: String
    @Field(key: "role") package var role: Role
    @Field(key: "password_hash") package var passwordHash: String
    @Field(key: "active") package var active: Bool
    /// Base32 TOTP secret once enrolment is confirmed.
    @OptionalField(key: "mfa_secret") package var mfaSecret: String?
    /// Secret shown during enrolment, confirmed by the first good code.
    @OptionalField(key: "mfa_pending_secret") package var mfaPendingSecret: String?
    @OptionalField(key: "mfa_enabled_at") package var mfaEnabledAt: Date?
    /// Last accepted TOTP time step: a code is never accepted twice.
    @OptionalField(key: "mfa_last_counter") package var mfaLastCounter: Int64?
    @Field(key: "failed_count") package var failedCount: Int
    @OptionalField(key: "locked_until") package var lockedUntil: Date?

    // relationships
    /// For patient accounts: the record they own.
    @OptionalField(key: "patient_id") package var patientID: UUID?

    package init() {}

    package var mfaEnrolled: Bool { mfaSecret != nil }

    package var actor: Principal { Principal(userID: id, username: username, role: role, patientID: patientID) }
}

package final class RecoveryCodeRecord: Model, @unchecked Sendable {
    package static let schema = "recovery_code"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date

    // data fields
    @Field(key: "code_hash") package var codeHash: String
    @OptionalField(key: "used_at") package var usedAt: Date?

    // relationships
    @Field(key: "user_id") package var userID: UUID

    package init() {}
    package init(userID: UUID, codeHash: String, createdAt: Date) {
        self.userID = userID
        self.codeHash = codeHash
        self.createdAt = createdAt
    }
}

/// A signed-in browser or API client. Only the SHA-256 of the token is stored.
package final class UserSessionRecord: Model, @unchecked Sendable {
    package static let schema = "user_session"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date

    // data fields
    @Field(key: "token_hash") package var tokenHash: String
    /// "web" (cookie) or "api" (bearer token).
    @Field(key: "kind") package var kind: String
    @Field(key: "mfa_passed") package var mfaPassed: Bool
    @Field(key: "last_seen_at") package var lastSeenAt: Date
    @Field(key: "expires_at") package var expiresAt: Date
    @OptionalField(key: "revoked_at") package var revokedAt: Date?
    @Field(key: "device") package var device: String

    // relationships
    @Field(key: "user_id") package var userID: UUID

    package init() {}
}

/// Every sign-in attempt, for the per-address rate limit (state in the database, so it holds across nodes).
package final class SignInAttemptRecord: Model, @unchecked Sendable {
    package static let schema = "sign_in_attempt"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "at") package var at: Date

    // data fields
    @Field(key: "username") package var username: String
    @Field(key: "address") package var address: String
    @Field(key: "success") package var success: Bool

    package init() {}
    package init(username: String, address: String, success: Bool, at: Date) {
        self.username = username
        self.address = address
        self.success = success
        self.at = at
    }
}
