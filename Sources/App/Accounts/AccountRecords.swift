import Vapor
import Fluent
import Domain

final class UserRecord: Model, @unchecked Sendable {
    static let schema = "app_user"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    // data fields
    @Field(key: "username") var username: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "role") var role: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "active") var active: Bool
    /// Base32 TOTP secret once enrolment is confirmed.
    @OptionalField(key: "mfa_secret") var mfaSecret: String?
    /// Secret shown during enrolment, confirmed by the first good code.
    @OptionalField(key: "mfa_pending_secret") var mfaPendingSecret: String?
    @OptionalField(key: "mfa_enabled_at") var mfaEnabledAt: Date?
    /// Last accepted TOTP time step: a code is never accepted twice.
    @OptionalField(key: "mfa_last_counter") var mfaLastCounter: Int64?
    @Field(key: "failed_count") var failedCount: Int
    @OptionalField(key: "locked_until") var lockedUntil: Date?

    // relationships
    /// For patient accounts: the record they own.
    @OptionalField(key: "patient_id") var patientID: UUID?

    init() {}

    var roleValue: Role { Role(rawValue: role) ?? .support }
    var mfaEnrolled: Bool { mfaSecret != nil }

    var actor: Principal { Principal(userID: id, username: username, role: roleValue, patientID: patientID) }
}

final class RecoveryCodeRecord: Model, @unchecked Sendable {
    static let schema = "recovery_code"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date

    // data fields
    @Field(key: "code_hash") var codeHash: String
    @OptionalField(key: "used_at") var usedAt: Date?

    // relationships
    @Field(key: "user_id") var userID: UUID

    init() {}
    init(userID: UUID, codeHash: String, createdAt: Date) {
        self.userID = userID
        self.codeHash = codeHash
        self.createdAt = createdAt
    }
}

/// A signed-in browser or API client. Only the SHA-256 of the token is stored.
final class UserSessionRecord: Model, @unchecked Sendable {
    static let schema = "user_session"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date

    // data fields
    @Field(key: "token_hash") var tokenHash: String
    /// "web" (cookie) or "api" (bearer token).
    @Field(key: "kind") var kind: String
    @Field(key: "mfa_passed") var mfaPassed: Bool
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    @Field(key: "device") var device: String

    // relationships
    @Field(key: "user_id") var userID: UUID

    init() {}
}

/// Every sign-in attempt, for the per-address rate limit (state in the database, so it holds across nodes).
final class SignInAttemptRecord: Model, @unchecked Sendable {
    static let schema = "sign_in_attempt"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "at") var at: Date

    // data fields
    @Field(key: "username") var username: String
    @Field(key: "address") var address: String
    @Field(key: "success") var success: Bool

    init() {}
    init(username: String, address: String, success: Bool, at: Date) {
        self.username = username
        self.address = address
        self.success = success
        self.at = at
    }
}
