import Foundation

/// Which kind of installation this is (`CARESYNC_ENV`). Only production may hold real patients; only production must
/// meet the production baseline. Development is the default (the README's first command).
public enum DeploymentEnvironment: String, CaseIterable, Sendable {
    case production, staging, development

    /// Staging and development hold made-up (synthetic) patients only.
    public var holdsRealPatients: Bool { self == .production }
}

/// What a production start is checked against, gathered from the configuration.
public struct ProductionSettings: Equatable, Sendable {
    public var publicURL: String
    public var cookieSecure: Bool
    public var seedDemo: Bool
    /// The audit checkpoint key comes from the environment or a file outside the data directory.
    public var auditKeyOutsideData: Bool
    /// Backups are encrypted with a key from the environment (`CARESYNC_BACKUP_KEY`), not one beside the data.
    public var backupKeyOutsideData: Bool
    public var smtpConfigured: Bool
    public var smsConfigured: Bool
    /// Demo accounts found in the database (their usernames).
    public var demoAccounts: [String]
    /// How the server's PostgreSQL role could get round the audit table's append-only guard (`DatabaseRoleFacts`).
    public var databaseRoleProblems: [String]

    public init(
        publicURL: String, cookieSecure: Bool, seedDemo: Bool, auditKeyOutsideData: Bool,
        backupKeyOutsideData: Bool, smtpConfigured: Bool, smsConfigured: Bool, demoAccounts: [String] = [],
        databaseRoleProblems: [String] = []
    ) {
        self.publicURL = publicURL
        self.cookieSecure = cookieSecure
        self.seedDemo = seedDemo
        self.auditKeyOutsideData = auditKeyOutsideData
        self.backupKeyOutsideData = backupKeyOutsideData
        self.smtpConfigured = smtpConfigured
        self.smsConfigured = smsConfigured
        self.demoAccounts = demoAccounts
        self.databaseRoleProblems = databaseRoleProblems
    }
}

public enum DeploymentRules {
    /// Everything a production start lacks, each in words with the setting that fixes it (empty: ready).
    public static func missingForProduction(_ s: ProductionSettings) -> [String] {
        var out: [String] = []
        if !s.publicURL.lowercased().hasPrefix("https://") {
            out.append("CARESYNC_PUBLIC_URL must be the https:// address patients use (now \(s.publicURL)).")
        }
        if !s.cookieSecure {
            out.append("CARESYNC_COOKIE_SECURE must not be turned off: cookies travel over TLS only.")
        }
        if s.seedDemo { out.append("The demo practice must not be seeded: start with --no-demo.") }
        if !s.demoAccounts.isEmpty {
            out.append(
                "Demo accounts are in the database (\(s.demoAccounts.joined(separator: ", "))): a production "
                    + "installation starts from an empty database.")
        }
        if !s.auditKeyOutsideData {
            out.append(
                "The audit checkpoint key must be kept away from the data: set CARESYNC_AUDIT_KEY, or "
                    + "CARESYNC_AUDIT_KEY_FILE to a file outside the data directory.")
        }
        if !s.backupKeyOutsideData {
            out.append("Backups must be encrypted with a key kept away from the data: set CARESYNC_BACKUP_KEY.")
        }
        if !s.smtpConfigured { out.append("Email notices need CARESYNC_SMTP_URL (and CARESYNC_MAIL_FROM).") }
        if !s.smsConfigured { out.append("Text-message notices need CARESYNC_SMS_WEBHOOK_URL.") }
        if !s.databaseRoleProblems.isEmpty {
            out.append(
                "The audit trail must be append-only for the server: "
                    + s.databaseRoleProblems.joined(separator: "; ") + "; " + DatabaseRoleFacts.remedy + ".")
        }
        return out
    }

    /// Whether `path` lies inside `directory` (both made absolute and standardized).
    public static func isInside(_ path: String, _ directory: String) -> Bool {
        func standard(_ p: String) -> String {
            let abs = p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p
            return URL(fileURLWithPath: abs).standardizedFileURL.path
        }
        let dir = standard(directory), file = standard(path)
        return file == dir || file.hasPrefix(dir.hasSuffix("/") ? dir : dir + "/")
    }
}
