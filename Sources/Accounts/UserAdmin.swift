import Vapor
import Fluent
import Domain
import AppCore
import Patients

/// Staff and patient accounts: create, change role, (de)activate, unlock, reset two-step sign-in.
/// Every change is a `permission-change` audit event with the old and new value.
package struct UserAdmin {
    package let scope: AuditScope

    package struct NewUser: Content {
        package var username: String?
        package var displayName: String?
        package var role: String?
        package var password: String?
        package var patientId: UUID?

        package init(
            username: String? = nil, displayName: String? = nil, role: String? = nil, password: String? = nil,
            patientId: UUID? = nil
        ) {
            self.username = username
            self.displayName = displayName
            self.role = role
            self.password = password
            self.patientId = patientId
        }
    }

    package struct Change: Content {
        package var role: String?
        package var active: Bool?
        package var unlock: Bool?
        package var resetMfa: Bool?
    }

    package func list() async throws -> [UserDTO] {
        try await scope.authorize(.manageUsers)
        let now = scope.now
        return try await UserRecord.query(on: scope.db).sort(\.$username).all().map { try UserDTO($0, now: now) }
    }

    package func create(_ input: NewUser) async throws -> UserDTO {
        try await scope.authorize(.manageUsers)
        let prepared = try await Self.prepare(input, app: scope.app)
        let now = scope.now
        return try await scope.run { tx in
            let u = try await Self.insert(prepared, now: now, on: tx)
            return (try UserDTO(u, now: now), [Self.createdEvent(u)])
        }
    }

    /// A validated account with its password hashed, ready to insert.
    package struct Prepared: Sendable {
        package let username: String
        package let displayName: String
        package let role: Role
        package let passwordHash: String
        package let patientID: UUID?
    }

    /// Checks the fields and hashes the password (slow: outside any transaction).
    package static func prepare(_ input: NewUser, app: Application) async throws -> Prepared {
        var errors: [FieldError] = []
        let username = (Text.clean(input.username) ?? "").lowercased()
        if let e = Username.check(username) { errors.append(e) }
        let display = Text.clean(input.displayName) ?? ""
        if display.isEmpty {
            errors.append(FieldError("displayName", "Display name is required."))
        } else if display.count > 100 {
            errors.append(FieldError("displayName", "Display name must be at most 100 characters."))
        }
        let role = Role(rawValue: input.role ?? "")
        if role == nil {
            errors.append(
                FieldError("role", "Role must be one of: \(Role.allCases.map(\.rawValue).joined(separator: ", "))."))
        }
        if let e = PasswordRules.check(input.password ?? "") { errors.append(e) }
        if role == .patient && input.patientId == nil {
            errors.append(FieldError("patientId", "A patient account must name the patient record it belongs to."))
        }
        if let r = role, r != .patient, input.patientId != nil {
            errors.append(FieldError("patientId", "Only patient accounts are linked to a patient record."))
        }
        guard errors.isEmpty, let role else { throw AppError.validation(errors) }
        let hash = try await SignInService.hashPassword(input.password!, cost: app.config.bcryptCost, on: app)
        return Prepared(
            username: username, displayName: display, role: role, passwordHash: hash, patientID: input.patientId)
    }

    /// Inserts the account inside the caller's transaction (name taken, one portal account per patient: 409).
    package static func insert(_ p: Prepared, now: Date, on tx: any Database) async throws -> UserRecord {
        if try await UserRecord.query(on: tx).filter(\.$username == p.username).first() != nil {
            throw AppError.conflict(type: "username-taken", detail: "The username is already in use.", extra: [:])
        }
        if let pid = p.patientID {
            guard try await PatientRecord.find(pid, on: tx) != nil else {
                throw AppError.validation([FieldError("patientId", "No patient record with that id.")])
            }
            if try await UserRecord.query(on: tx).filter(\.$patientID == pid).first() != nil {
                throw AppError.conflict(
                    type: "patient-has-account", detail: "That patient already has a portal account.", extra: [:])
            }
        }
        let u = UserRecord()
        u.id = UUID()
        u.username = p.username
        u.displayName = p.displayName
        u.role = p.role
        u.passwordHash = p.passwordHash
        u.active = true
        u.failedCount = 0
        u.patientID = p.patientID
        u.createdAt = now
        u.updatedAt = now
        try await u.create(on: tx)
        return u
    }

    package static func createdEvent(_ u: UserRecord) -> AuditDraft {
        AuditDraft(
            action: .userCreated, category: .account, patientID: u.patientID, entityType: "user",
            entityID: u.id?.uuidString, detail: "username=\(u.username) role=\(u.role.rawValue)")
    }

    package func update(_ id: UUID, _ change: Change) async throws -> UserDTO {
        try await scope.authorize(.manageUsers)
        var newRole: Role?
        if let r = change.role {
            guard let role = Role(rawValue: r) else {
                throw AppError.validation([
                    FieldError("role", "Role must be one of: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).")
                ])
            }
            newRole = role
        }
        let now = scope.now
        return try await scope.run { [newRole] tx in
            guard let u = try await UserRecord.find(id, on: tx) else {
                throw AppError.notFound("No user with that id.")
            }
            var drafts: [AuditDraft] = []
            func note(_ what: String) {
                drafts.append(
                    AuditDraft(
                        action: .permissionChange, category: .account, entityType: "user", entityID: id.uuidString,
                        detail: what))
            }
            let wasActiveAdmin = u.role == .admin && u.active
            if let r = newRole, r != u.role {
                if (r == .patient) != (u.role == .patient) {
                    throw AppError.validation([
                        FieldError(
                            "role",
                            "A staff account cannot become a patient account or the reverse; create a new account.")
                    ])
                }
                note("role \(u.role.rawValue)→\(r.rawValue)")
                u.role = r
            }
            if let a = change.active, a != u.active {
                note(a ? "activated" : "deactivated")
                u.active = a
            }
            if change.unlock == true, u.lockedUntil != nil || u.failedCount > 0 {
                note("unlocked")
                u.lockedUntil = nil
                u.failedCount = 0
            }
            if change.resetMfa == true, u.mfaSecret != nil || u.mfaPendingSecret != nil {
                note("two-step sign-in reset")
                u.mfaSecret = nil
                u.mfaPendingSecret = nil
                u.mfaEnabledAt = nil
                u.mfaLastCounter = nil
                try await RecoveryCodeRecord.query(on: tx).filter(\.$userID == id).delete()
            }
            if wasActiveAdmin && !(u.role == .admin && u.active) {
                let admins = try await UserRecord.query(on: tx).filter(\.$role == Role.admin).filter(
                    \.$active == true
                ).count()
                if admins <= 1 {
                    throw AppError.conflict(
                        type: "last-admin", detail: "This is the last active admin; make another admin first.",
                        extra: [:])
                }
            }
            if !drafts.isEmpty {
                u.updatedAt = now
                try await u.save(on: tx)
                if u.active == false || change.resetMfa == true || newRole != nil {
                    // A changed role or a deactivation takes effect at once: open sessions end.
                    try await UserSessionRecord.query(on: tx).filter(\.$userID == id).filter(\.$revokedAt == nil).set(
                        \.$revokedAt, to: now
                    ).update()
                }
            }
            return (try UserDTO(u, now: now), drafts)
        }
    }

    package init(scope: AuditScope) {
        self.scope = scope
    }
}

package struct UserDTO: Content {
    package let id: UUID
    package let username: String
    package let displayName: String
    package let role: Role
    package let active: Bool
    package let mfaEnrolled: Bool
    package let locked: Bool
    package let patientId: UUID?

    package init(_ u: UserRecord, now: Date) throws {
        id = try u.requireID()
        username = u.username
        displayName = u.displayName
        role = u.role
        active = u.active
        mfaEnrolled = u.mfaEnrolled
        locked = (u.lockedUntil ?? .distantPast) > now
        patientId = u.patientID
    }
}

extension Request {
    package func userAdmin() throws -> UserAdmin { UserAdmin(scope: try scope()) }
}

package enum UserAPIController {
    @Sendable package static func list(req: Request) async throws -> [UserDTO] {
        try await req.userAdmin().list()
    }

    @Sendable package static func create(req: Request) async throws -> Response {
        let u = try await req.userAdmin().create(try req.decodeJSON(UserAdmin.NewUser.self))
        let res = try await u.encodeResponse(status: .created, for: req)
        res.headers.replaceOrAdd(name: .location, value: Site.apiUser.path(u.id))
        return res
    }

    @Sendable package static func update(req: Request) async throws -> UserDTO {
        let id = try req.idParameter("user")
        return try await req.userAdmin().update(id, try req.decodeJSON(UserAdmin.Change.self))
    }
}
