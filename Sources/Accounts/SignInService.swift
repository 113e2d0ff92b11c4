import Vapor
import Fluent
import Domain
import NIOConcurrencyHelpers
import AppCore

/// Password and second-factor checks, lockout, rate limit, and session issue. Every outcome is audited.
package struct SignInService {
    package let req: Request

    package enum Area: Sendable { case staff, portal, api }

    private var policy: LockoutPolicy { req.config.lockout }
    private var address: String { req.clientAddress }

    /// A bcrypt hash to compare against when the username is unknown, so timing does not tell which accounts exist:
    /// made at the cost real passwords are hashed with (a cheaper one answered unknown names 20 times faster).
    private static let dummyHashes = NIOLockedValueBox<[Int: String]>([:])

    package static func dummyHash(cost: Int) -> String {
        dummyHashes.withLockedValue { cache in
            if let h = cache[cost] { return h }
            let h = (try? Bcrypt.hash("not-a-real-password", cost: cost)) ?? ""
            cache[cost] = h
            return h
        }
    }

    package static func hashPassword(_ password: String, cost: Int, on app: Application) async throws -> String {
        try await app.threadPool.runIfActive { try Bcrypt.hash(password, cost: cost) }
    }

    /// Checks username and password. Returns the user, or throws a sign-in error after auditing it.
    package func checkPassword(username rawUsername: String, password: String, area: Area) async throws -> UserRecord {
        let username = rawUsername.trimmingCharacters(in: .whitespaces).lowercased()
        let now = req.now
        let attempts = SignInAttemptRecord.query(on: req.db)
        let addressFailures = try await attempts.copy().filter(\.$address == address).filter(\.$success == false)
            .filter(\.$at >= now.addingTimeInterval(-policy.addressWindow)).count()
        let fromHere = attempts.copy().filter(\.$username == username).filter(\.$address == address)
        let knownSource =
            try await fromHere.copy().filter(\.$success == true)
            .filter(\.$at >= now.addingTimeInterval(-policy.knownSourceWindow)).first() != nil
        let sourceFailures =
            knownSource
            ? try await fromHere.copy().filter(\.$success == false)
                .filter(\.$at >= now.addingTimeInterval(-policy.lockDuration)).count() : 0
        let user = try await UserRecord.query(on: req.db).filter(\.$username == username).first()
        let lockedMessage =
            "This account is locked after repeated failed sign-ins. Try again later or ask an admin to unlock it."
        switch policy.gate(
            knownSource: knownSource, sourceFailures: sourceFailures, addressFailures: addressFailures,
            lockedUntil: user?.lockedUntil, now: now)
        {
        case .addressLimited:
            try await recordFailure(user: nil, username: username, reason: "rate-limited")
            throw AppError.tooManyRequests(
                "Too many failed sign-ins from this address. Wait a few minutes and try again.")
        case .locked where user?.active == true:
            try await recordFailure(user: user, username: username, reason: "account locked", countsTowardLock: false)
            throw AppError.locked(lockedMessage)
        case .locked, .open: break
        }

        let hash = user?.passwordHash ?? Self.dummyHash(cost: req.config.bcryptCost)
        let passwordOK = try await req.application.threadPool.runIfActive {
            (try? Bcrypt.verify(password, created: hash)) ?? false
        }

        guard let user, user.active else {
            try await recordFailure(user: nil, username: username, reason: "unknown or inactive account")
            throw AppError.unauthorized("The username or password is wrong.")
        }
        guard passwordOK else {
            // A known source's failures hold only that source; a stranger's count toward the account's lock.
            let locked = try await recordFailure(
                user: user, username: username, reason: "wrong password", countsTowardLock: !knownSource)
            if locked || (knownSource && sourceFailures + 1 >= policy.maxFailures) {
                throw AppError.locked(
                    "Too many failed sign-ins: this account is now locked for \(Int(policy.lockDuration / 60)) minutes."
                )
            }
            throw AppError.unauthorized("The username or password is wrong.")
        }
        let role = user.role
        switch area {
        case .staff where role == .patient:
            throw AppError.unauthorized("Patients sign in through the patient portal.")
        case .portal where role != .patient:
            throw AppError.unauthorized("Staff sign in on the staff sign-in page.")
        default: break
        }
        return user
    }

    /// Checks a TOTP code (never the same time step twice) or an unused recovery code.
    package func checkSecondFactor(_ user: UserRecord, code: String) async throws {
        let now = req.now
        guard let secretText = user.mfaSecret, let secret = Base32.decode(secretText), let uid = user.id else {
            throw AppError.forbidden("Set up two-step sign-in first.")
        }
        if policy.isLocked(until: user.lockedUntil, now: now) {
            throw AppError.locked(
                "This account is locked after repeated failed sign-ins. Try again later or ask an admin to unlock it.")
        }
        let trimmed = code.trimmingCharacters(in: .whitespaces)
        if let counter = Domain.TOTP(secret: secret).matchingCounter(trimmed, at: now),
            Int64(counter) > (user.mfaLastCounter ?? -1)
        {
            let principal = user.actor
            try await req.audited(principal) { tx in
                try await UserRecord.query(on: tx).filter(\.$id == uid)
                    .set(\.$mfaLastCounter, to: Int64(counter)).set(\.$failedCount, to: 0).update()
                return ((), [])
            }
            return
        }
        if trimmed.count >= 10 {
            let h = RecoveryCodes.hash(trimmed)
            let used: Bool = try await req.audited(user.actor) { tx in
                guard
                    let rc = try await RecoveryCodeRecord.query(on: tx).filter(\.$userID == uid)
                        .filter(\.$codeHash == h).filter(\.$usedAt == nil).first()
                else { return (false, []) }
                rc.usedAt = now
                try await rc.save(on: tx)
                try await UserRecord.query(on: tx).filter(\.$id == uid).set(\.$failedCount, to: 0).update()
                return (
                    true,
                    [
                        AuditDraft(
                            action: .signIn, category: .account, entityType: "user", entityID: uid.uuidString,
                            detail: "recovery code used")
                    ]
                )
            }
            if used { return }
        }
        let locked = try await recordFailure(
            user: user, username: user.username, reason: "wrong second factor", action: .mfaFailed)
        if locked {
            throw AppError.locked(
                "Too many failed attempts: this account is now locked for \(Int(policy.lockDuration / 60)) minutes.")
        }
        throw AppError.unauthorized(
            "That code is not right. Use the current code from your authenticator app, or a recovery code.")
    }

    /// Writes the failed attempt, the consecutive-failure count and, past the limit, the lock. Returns whether it
    /// locked now.
    @discardableResult
    private func recordFailure(
        user: UserRecord?, username: String, reason: String, action: AuditAction = .signInFailed,
        countsTowardLock: Bool = true
    ) async throws -> Bool {
        let now = req.now
        let addr = address
        let policy = self.policy
        let uid = user?.id
        let principal = user?.actor ?? Principal(userID: nil, username: username, role: .support)
        let locked: Bool = try await req.audited(principal) { tx in
            try await SignInAttemptRecord(username: username, address: addr, success: false, at: now).create(on: tx)
            var drafts = [
                AuditDraft(
                    action: action, category: .account, entityType: "user", entityID: uid?.uuidString,
                    outcome: .failure, detail: reason)
            ]
            var lockedNow = false
            if let uid, countsTowardLock, let fresh = try await UserRecord.find(uid, on: tx) {
                fresh.failedCount += 1
                if let until = policy.lockUntil(failures: fresh.failedCount, now: now) {
                    fresh.lockedUntil = until
                    fresh.failedCount = 0
                    lockedNow = true
                    drafts.append(
                        AuditDraft(
                            action: .accountLocked, category: .account, entityType: "user", entityID: uid.uuidString,
                            outcome: .success, detail: "locked for \(Int(policy.lockDuration))s"))
                }
                try await fresh.save(on: tx)
            }
            return (lockedNow, drafts)
        }
        req.application.appMetrics.failedSignIns.increment()
        return locked
    }

    /// Issues a session token; only its hash is stored. `mfaPassed` false leaves the session half-open (MFA pages
    /// only).
    package func startSession(_ user: UserRecord, kind: String, mfaPassed: Bool) async throws -> String {
        let token = Token.generate()
        let now = req.now
        let config = req.config
        let device = req.auditDevice
        let addr = address
        guard let uid = user.id else { throw AppError.unauthorized("Unknown account.") }
        try await req.audited(user.actor) { tx in
            let s = UserSessionRecord()
            s.tokenHash = Token.hash(token)
            s.kind = kind
            s.mfaPassed = mfaPassed
            s.createdAt = now
            s.lastSeenAt = now
            s.expiresAt = now.addingTimeInterval(config.sessionMaxAge)
            s.device = String(device.prefix(200))
            s.userID = uid
            try await s.create(on: tx)
            if mfaPassed {
                try await SignInAttemptRecord(username: user.username, address: addr, success: true, at: now).create(
                    on: tx)
                try await UserRecord.query(on: tx).filter(\.$id == uid).set(\.$failedCount, to: 0).update()
            }
            return (
                (),
                mfaPassed
                    ? [AuditDraft(action: .signIn, category: .account, entityType: "session", entityID: kind)] : []
            )
        }
        return token
    }

    /// Marks a half-open session as fully signed in.
    package func completeSession(_ signedIn: SignedIn) async throws {
        let now = req.now
        let addr = address
        try await req.audited(signedIn.principal) { tx in
            try await UserSessionRecord.query(on: tx).filter(\.$id == signedIn.sessionID)
                .set(\.$mfaPassed, to: true).set(\.$lastSeenAt, to: now).update()
            try await SignInAttemptRecord(username: signedIn.username, address: addr, success: true, at: now).create(
                on: tx)
            return (
                (),
                [
                    AuditDraft(
                        action: .signIn, category: .account, entityType: "session", entityID: signedIn.kind,
                        detail: "with second factor")
                ]
            )
        }
    }

    package func endSession(_ signedIn: SignedIn) async throws {
        let now = req.now
        try await req.audited(signedIn.principal) { tx in
            try await UserSessionRecord.query(on: tx).filter(\.$id == signedIn.sessionID).set(\.$revokedAt, to: now)
                .update()
            return (
                (), [AuditDraft(action: .signOut, category: .account, entityType: "session", entityID: signedIn.kind)]
            )
        }
    }

    /// Starts (or continues) enrolment: a pending secret the user confirms with a first code.
    package func pendingEnrolment(_ user: UserRecord) async throws -> Domain.TOTP {
        if let s = user.mfaPendingSecret, let bytes = Base32.decode(s) { return Domain.TOTP(secret: bytes) }
        let secret = TOTP.generateSecret()
        guard let uid = user.id else { throw AppError.unauthorized("Unknown account.") }
        _ = try await req.application.serializer.write(req.db) { tx in
            try await UserRecord.query(on: tx).filter(\.$id == uid).set(\.$mfaPendingSecret, to: Base32.encode(secret))
                .update()
        }
        return Domain.TOTP(secret: secret)
    }

    /// Confirms enrolment with a code from the new secret; returns the one-time recovery codes to show once.
    package func confirmEnrolment(_ user: UserRecord, code: String) async throws -> [String] {
        guard let pending = user.mfaPendingSecret, let bytes = Base32.decode(pending), let uid = user.id else {
            throw AppError.validation([FieldError("code", "Start two-step sign-in set-up again.")])
        }
        let now = req.now
        guard let counter = Domain.TOTP(secret: bytes).matchingCounter(code, at: now) else {
            try await recordFailure(
                user: user, username: user.username, reason: "wrong enrolment code", action: .mfaFailed)
            throw AppError.validation([
                FieldError("code", "That code does not match. Enter the 6-digit code your app shows now.")
            ])
        }
        let codes = RecoveryCodes.generate()
        try await req.audited(user.actor) { tx in
            guard let u = try await UserRecord.find(uid, on: tx) else { throw AppError.notFound("Unknown account.") }
            u.mfaSecret = pending
            u.mfaPendingSecret = nil
            u.mfaEnabledAt = now
            u.mfaLastCounter = Int64(counter)
            u.updatedAt = now
            try await u.save(on: tx)
            try await RecoveryCodeRecord.query(on: tx).filter(\.$userID == uid).delete()
            for c in codes {
                try await RecoveryCodeRecord(userID: uid, codeHash: RecoveryCodes.hash(c), createdAt: now).create(
                    on: tx)
            }
            return (
                (),
                [
                    AuditDraft(
                        action: .mfaEnrolled, category: .account, entityType: "user", entityID: uid.uuidString,
                        detail: "TOTP enrolled; \(codes.count) recovery codes issued")
                ]
            )
        }
        return codes
    }
}

extension Request {
    package var signIn: SignInService { SignInService(req: self) }
}
