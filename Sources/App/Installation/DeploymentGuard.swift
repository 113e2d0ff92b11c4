import Vapor
import Fluent
import Domain
import Accounts
import Audit
import AppCore
import Demo
import Patients

/// The start-up check of `CARESYNC_ENV`: production starts only with the production baseline in place (every gap
/// listed at once); staging and development start only when they hold no real patient (a production backup restored
/// there, an import, a row written by hand), and everything they register is marked synthetic (`PatientStore.create`).
public enum DeploymentGuard {
    public struct Refused: Error, CustomStringConvertible {
        public let problems: [String]
        public var description: String {
            "CareSync will not start:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    /// Throws `Refused` with every problem found; run once the database is migrated and before the demo is seeded.
    public static func check(_ app: Application, env: [String: String] = ProcessInfo.processInfo.environment)
        async throws
    {
        let c = app.config
        if let bad = c.unknownEnvironment {
            throw Refused(problems: ["CARESYNC_ENV must be production, staging or development (not \"\(bad)\")."])
        }
        switch c.environment {
        case .production:
            let demo = try await UserRecord.query(on: app.db).filter(\.$username ~~ DemoSeed.accounts.map(\.username))
                .all().map(\.username).sorted()
            let missing = DeploymentRules.missingForProduction(
                ProductionSettings(
                    publicURL: c.publicURL, cookieSecure: c.cookieSecure, seedDemo: c.seedDemo,
                    auditKeyOutsideData: c.auditKeyKeptAway,
                    backupKeyOutsideData: !(env["CARESYNC_BACKUP_KEY"] ?? "").isEmpty,
                    smtpConfigured: c.smtpURL != nil, smsConfigured: c.smsWebhookURL != nil, demoAccounts: demo,
                    databaseRoleProblems: try await AuditCheckpoints.roleFacts(app.db)?.problems ?? []))
            if !missing.isEmpty { throw Refused(problems: missing) }
        case .staging, .development:
            let real = try await PatientRecord.query(on: app.db).filter(\.$synthetic == false).count()
            if real > 0 {
                throw Refused(problems: [
                    "This \(c.environment.rawValue) installation holds \(real) patient(s) not marked synthetic. "
                        + "Staging and development hold made-up patients only: was a production backup restored "
                        + "here? Use CARESYNC_ENV=production for real patients."
                ])
            }
        }
    }
}
