import Vapor
import Fluent
import Domain
import Accounts
import AppCore
import Patients

/// What a deploy's smoke checks sign in as and read: a medical-assistant account `smoke.check` and a synthetic
/// patient, never a real one. The password is new on every deploy and only ever travels through a pipe, and the
/// account is switched off again when the deploy ends (it is not a standing account that can read charts).
package enum SmokeAccounts {
    package static let username = "smoke.check"

    package struct Credentials: Codable, Sendable {
        package let username: String
        package let password: String
        package let patientId: UUID
    }

    /// Creates the account and the synthetic patient on first use; afterwards gives the account a new password (and
    /// lifts a lock-out, so a smoke check is never refused for an earlier failure).
    package static func prepare(_ app: Application) async throws -> Credentials {
        let scope = app.systemScope("deploy-smoke")
        let password = Token.generate(bytes: 18)
        if let user = try await UserRecord.query(on: app.db).filter(\.$username == username).first() {
            let hash = try await SignInService.hashPassword(password, cost: app.config.bcryptCost, on: app)
            _ = try await app.serializer.write(app.db) { tx in
                try await UserRecord.query(on: tx).filter(\.$id == user.requireID())
                    .set(\.$passwordHash, to: hash).set(\.$lockedUntil, to: nil).set(\.$active, to: true).update()
            }
        } else {
            _ = try await UserAdmin(scope: scope).create(
                .init(
                    username: username, displayName: "Deploy smoke check", role: Role.medicalAssistant.rawValue,
                    password: password, patientId: nil))
        }
        return Credentials(username: username, password: password, patientId: try await patient(app, scope))
    }

    /// After the deploy: the account cannot sign in, and its sessions end.
    package static func disable(_ app: Application) async throws {
        guard let user = try await UserRecord.query(on: app.db).filter(\.$username == username).first() else { return }
        let id = try user.requireID(), now = app.clock.now()
        _ = try await app.serializer.write(app.db) { tx in
            try await UserRecord.query(on: tx).filter(\.$id == id).set(\.$active, to: false).update()
            try await UserSessionRecord.query(on: tx).filter(\.$userID == id).filter(\.$revokedAt == nil)
                .set(\.$revokedAt, to: now).update()
        }
    }

    private static func patient(_ app: Application, _ scope: AuditScope) async throws -> UUID {
        if let row = try await PatientRecord.query(on: app.db).filter(\.$synthetic == true)
            .filter(\.$familyName == "Smoke-Check").first()
        {
            return try row.requireID()
        }
        var input = PatientInput()
        input.givenName = "Deploy"
        input.familyName = "Smoke-Check"
        input.birthDate = "1970-01-01"
        input.sex = "unknown"
        return try await PatientStore(scope: scope).create(input, acknowledgeDuplicate: true, synthetic: true).0.id
    }
}
