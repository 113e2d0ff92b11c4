import Foundation
import Domain

/// Everything configurable, read once at start. See the README's configuration table.
public struct AppConfig: Sendable {
    /// Holds the SQLite database, the blob store and the audit checkpoint key.
    public var dataDir: String
    /// `postgres://…` selects PostgreSQL; nil uses SQLite in the data dir.
    public var databaseURL: String?
    public var bcryptCost: Int
    public var sessionIdleTimeout: TimeInterval
    public var sessionMaxAge: TimeInterval
    /// How long a half-finished sign-in (password done, second factor pending) may wait.
    public var mfaPendingTimeout: TimeInterval
    public var cookieSecure: Bool
    public var practiceName: String
    public var mrnPrefix: String
    public var lockout: LockoutPolicy
    /// Seed the demo practice on first start.
    public var seedDemo: Bool
    /// SMTP relay for email notices, `smtp://host:port` (plain; TLS and AUTH belong to the relay).
    public var smtpURL: String? = nil
    public var mailFrom: String = "no-reply@caresync.invalid"
    /// SMS gateway webhook: receives `{"to": …, "body": …}` as JSON.
    public var smsWebhookURL: String? = nil
    /// How often the outbox worker wakes (seconds); 0 turns the worker off in this process.
    public var outboxInterval: TimeInterval = 10
    /// How often the job worker wakes (seconds); 0 turns it off in this process.
    public var jobsInterval: TimeInterval = 5
    /// e-Prescribing: the SCRIPT version written and read (CARESYNC_SCRIPT_VERSION), the clearinghouse messages are
    /// posted to (CARESYNC_CLEARINGHOUSE_URL), and the shared token for both directions (CARESYNC_CLEARINGHOUSE_TOKEN).
    public var scriptVersion: ScriptVersion = .v2017071
    public var clearinghouseURL: String? = nil
    public var clearinghouseToken: String? = nil
    /// Video visits: STUN and TURN URLs (CARESYNC_STUN_URLS, CARESYNC_TURN_URLS, comma-separated), the coturn
    /// `static-auth-secret` (CARESYNC_TURN_SECRET), credential lifetime (CARESYNC_TURN_TTL, seconds) and relay-only.
    public var stunURLs: [String] = []
    public var turnURLs: [String] = []
    public var turnSecret: String? = nil
    public var turnTTL: TimeInterval = 3600
    public var forceRelay = false
    /// Audit checkpoints: the signing key (CARESYNC_AUDIT_KEY, or a file named by CARESYNC_AUDIT_KEY_FILE, kept away
    /// from the data), the second place checkpoints are copied to (CARESYNC_AUDIT_CHECKPOINT_DIR, on WORM storage) and
    /// how often the server writes one (CARESYNC_AUDIT_CHECKPOINT_SECONDS; 0 turns the schedule off on this node).
    public var auditKey: String? = nil
    public var auditKeyFile: String? = nil
    public var auditCheckpointDir: String? = nil
    public var auditCheckpointInterval: TimeInterval = 60
    /// Where patients reach this server (links in invitations): CARESYNC_PUBLIC_URL.
    public var publicURL: String = "http://localhost:8080"
    /// CARESYNC_ENV: production, staging or development (the default). A value that is none of these is kept in
    /// `unknownEnvironment` and refuses the start.
    public var environment: DeploymentEnvironment = .development
    /// Proxies whose X-Forwarded-For is believed (CARESYNC_TRUSTED_PROXIES, comma-separated addresses): nginx on the
    /// same machine by default. The client's address decides sign-in limits and is written in the audit trail.
    public var trustedProxies: [String] = ["127.0.0.1", "::1"]
    /// The certificate nginx serves (CARESYNC_TLS_CERT_FILE, e.g. certbot's fullchain.pem): its expiry is a metric
    /// and a readiness check.
    public var tlsCertificateFile: String? = nil
    public var unknownEnvironment: String? = nil
    /// Blue-green slots (`caresync deploy` sets these): the slot this node is (CARESYNC_SLOT), the secret the deploy
    /// sends to drain or resume it (CARESYNC_CONTROL_TOKEN; without it the control routes do not exist), and a fault
    /// to inject for rehearsals (CARESYNC_FAULT=/path/prefix: those requests answer 500; never in production).
    public var slot: String? = nil
    public var controlToken: String? = nil
    public var fault: String? = nil
    public var slowFault: String? = nil
    /// Where `caresync deploy` keeps deploy.json (CARESYNC_DEPLOY_DIR): the server reads it for the rollback plan page.
    public var deployDir: String? = nil
    /// Alertmanager's webhook token (CARESYNC_ALERT_TOKEN, at least 32 characters; without it the webhook refuses
    /// everything), who is told about a new alert (CARESYNC_ONCALL_EMAILS, comma-separated), and after how many
    /// minutes without the Watchdog the alerting path counts as silent (CARESYNC_WATCHDOG_MINUTES; 0 turns it off).
    public var alertToken: String? = nil
    public var onCallEmails: [String] = []
    public var alertWatchdogMinutes: Double = 5
    /// Where the ops dashboard reads its history (CARESYNC_PROMETHEUS_URL, e.g. http://127.0.0.1:9090); without it,
    /// from this node's own readings of its metrics, every CARESYNC_METRICS_HISTORY_SECONDS (30; 0 turns them off),
    /// kept for six hours in memory.
    public var prometheusURL: String? = nil
    /// Incidents: acknowledge and resolve times per severity (CARESYNC_INCIDENT_SLA, e.g. `P0=5m/4h,P1=15m/8h`) and
    /// how often an unacknowledged incident pages again (CARESYNC_INCIDENT_REPAGE_MINUTES, 5).
    public var incidentSLA: IncidentSLA = .standard
    public var incidentRepageMinutes: Double = 5
    /// Help desk: the first-answer and resolve targets per priority.
    public var ticketSLA: TicketSLA = .standard
    /// The status page's probes: how often this node probes the components (CARESYNC_PROBE_SECONDS, 60; 0 turns
    /// them off here).
    public var probeSeconds: Double = 60
    /// A production installation takes load tests only when its operator allows them (CARESYNC_ALLOW_LOADTEST=1),
    /// and then at most this many iterations a second (CARESYNC_LOADTEST_MAX_RATE, 20).
    public var allowLoadTest = false
    public var loadTestMaxRate: Double = 20
    /// Settings that were given but could not be read (their defaults apply): `caresync serve` prints them at start.
    public var settingProblems: [String] = []
    public var metricsHistorySeconds: Double = 30

    public init(
        dataDir: String, databaseURL: String? = nil, bcryptCost: Int = 12,
        sessionIdleTimeout: TimeInterval = 15 * 60, sessionMaxAge: TimeInterval = 12 * 3600,
        mfaPendingTimeout: TimeInterval = 10 * 60, cookieSecure: Bool = true,
        practiceName: String = "Demo Podiatry Associates", mrnPrefix: String = "CS",
        lockout: LockoutPolicy = LockoutPolicy(), seedDemo: Bool = true
    ) {
        self.dataDir = dataDir
        self.databaseURL = databaseURL
        self.bcryptCost = bcryptCost
        self.sessionIdleTimeout = sessionIdleTimeout
        self.sessionMaxAge = sessionMaxAge
        self.mfaPendingTimeout = mfaPendingTimeout
        self.cookieSecure = cookieSecure
        self.practiceName = practiceName
        self.mrnPrefix = mrnPrefix
        self.lockout = lockout
        self.seedDemo = seedDemo
    }

    /// Reads the environment variables listed in the README over the given defaults.
    public static func fromEnvironment(dataDir: String?, env: [String: String] = ProcessInfo.processInfo.environment)
        -> AppConfig
    {
        var c = AppConfig(dataDir: dataDir ?? env["CARESYNC_DATA_DIR"] ?? "./caresync-data")
        c.databaseURL = env["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let v = env["CARESYNC_BCRYPT_COST"].flatMap(Int.init), (4...31).contains(v) { c.bcryptCost = v }
        if let v = env["CARESYNC_SESSION_IDLE_MINUTES"].flatMap(Double.init), v > 0 { c.sessionIdleTimeout = v * 60 }
        if let v = env["CARESYNC_COOKIE_SECURE"] { c.cookieSecure = !["0", "false", "no"].contains(v.lowercased()) }
        if let v = env["CARESYNC_PRACTICE_NAME"], !v.isEmpty { c.practiceName = v }
        if let v = env["CARESYNC_MRN_PREFIX"], !v.isEmpty { c.mrnPrefix = v }
        if let v = env["CARESYNC_LOCKOUT_FAILURES"].flatMap(Int.init), v > 0 { c.lockout.maxFailures = v }
        if let v = env["CARESYNC_SMTP_URL"], !v.isEmpty { c.smtpURL = v }
        if let v = env["CARESYNC_MAIL_FROM"], !v.isEmpty { c.mailFrom = v }
        if let v = env["CARESYNC_SMS_WEBHOOK_URL"], !v.isEmpty { c.smsWebhookURL = v }
        if let v = env["CARESYNC_OUTBOX_INTERVAL"].flatMap(Double.init), v >= 0 { c.outboxInterval = v }
        if let v = env["CARESYNC_JOBS_INTERVAL"].flatMap(Double.init), v >= 0 { c.jobsInterval = v }
        if let v = env["CARESYNC_SCRIPT_VERSION"].flatMap(ScriptVersion.init) { c.scriptVersion = v }
        if let v = env["CARESYNC_AUDIT_KEY"], !v.isEmpty { c.auditKey = v }
        if let v = env["CARESYNC_AUDIT_KEY_FILE"], !v.isEmpty { c.auditKeyFile = v }
        if let v = env["CARESYNC_AUDIT_CHECKPOINT_DIR"], !v.isEmpty { c.auditCheckpointDir = v }
        if let v = env["CARESYNC_AUDIT_CHECKPOINT_SECONDS"].flatMap(Double.init), v >= 0 {
            c.auditCheckpointInterval = v
        }
        if let v = env["CARESYNC_CLEARINGHOUSE_URL"], !v.isEmpty { c.clearinghouseURL = v }
        if let v = env["CARESYNC_CLEARINGHOUSE_TOKEN"], !v.isEmpty { c.clearinghouseToken = v }
        func list(_ k: String) -> [String] {
            (env[k] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let v = env["CARESYNC_TLS_CERT_FILE"], !v.isEmpty { c.tlsCertificateFile = v }
        if env["CARESYNC_TRUSTED_PROXIES"] != nil { c.trustedProxies = list("CARESYNC_TRUSTED_PROXIES") }
        c.stunURLs = list("CARESYNC_STUN_URLS")
        c.onCallEmails = list("CARESYNC_ONCALL_EMAILS").filter { $0.contains("@") }
        c.turnURLs = list("CARESYNC_TURN_URLS")
        if let v = env["CARESYNC_TURN_SECRET"], !v.isEmpty { c.turnSecret = v }
        if let v = env["CARESYNC_TURN_TTL"].flatMap(Double.init), v >= 60 { c.turnTTL = v }
        if let v = env["CARESYNC_FORCE_RELAY"] { c.forceRelay = ["1", "true", "yes"].contains(v.lowercased()) }
        if let v = env["CARESYNC_ENV"], !v.isEmpty {
            if let e = DeploymentEnvironment(rawValue: v.lowercased()) {
                c.environment = e
            } else {
                c.unknownEnvironment = v
            }
        }
        if let v = env["CARESYNC_DEPLOY_DIR"], !v.isEmpty { c.deployDir = v }
        if let v = env["CARESYNC_ALERT_TOKEN"], v.count >= 32 { c.alertToken = v }
        if let v = env["CARESYNC_WATCHDOG_MINUTES"].flatMap(Double.init), v >= 0 { c.alertWatchdogMinutes = v }
        if let v = env["CARESYNC_INCIDENT_SLA"] {
            switch IncidentSLA.parse(v) {
            case .success(let sla): c.incidentSLA = sla
            case .failure(let e):
                c.settingProblems.append(
                    "CARESYNC_INCIDENT_SLA: cannot read \"\(e.part)\" (write P1=15m/8h: acknowledge/resolve, the "
                        + "acknowledge time not longer); the standard times apply.")
            }
        }
        if let v = env["CARESYNC_INCIDENT_REPAGE_MINUTES"].flatMap(Double.init), v >= 1, v <= 240 {
            c.incidentRepageMinutes = v
        }
        if let v = env["CARESYNC_PROBE_SECONDS"].flatMap(Double.init), v >= 0, v <= 3600 { c.probeSeconds = v }
        c.allowLoadTest = env["CARESYNC_ALLOW_LOADTEST"] == "1"
        if let v = env["CARESYNC_LOADTEST_MAX_RATE"].flatMap(Double.init), v > 0, v <= 10_000 { c.loadTestMaxRate = v }
        if let v = env["CARESYNC_PROMETHEUS_URL"], v.hasPrefix("http") {
            c.prometheusURL = v.hasSuffix("/") ? String(v.dropLast()) : v
        }
        if let v = env["CARESYNC_METRICS_HISTORY_SECONDS"].flatMap(Double.init), v >= 0, v <= 3600 {
            c.metricsHistorySeconds = v
        }
        if let v = env["CARESYNC_SLOT"], ["blue", "green"].contains(v) { c.slot = v }
        if let v = env["CARESYNC_CONTROL_TOKEN"], v.count >= 32 { c.controlToken = v }
        if let v = env["CARESYNC_FAULT"], v.hasPrefix("/"), c.environment != .production { c.fault = v }
        if let v = env["CARESYNC_FAULT_SLOW"], v.hasPrefix("/"), c.environment != .production { c.slowFault = v }
        if let v = env["CARESYNC_PUBLIC_URL"], v.hasPrefix("http") {
            c.publicURL = v.hasSuffix("/") ? String(v.dropLast()) : v
        }
        return c
    }

    public var isPostgres: Bool { databaseURL?.hasPrefix("postgres") ?? false }
    /// The audit checkpoint key comes from the environment or a file outside the data directory (and so outside its
    /// backups), not from the default `secrets/` beside the data.
    public var auditKeyKeptAway: Bool {
        auditKey != nil || auditKeyFile.map { !DeploymentRules.isInside($0, dataDir) } == true
    }
    public var sqlitePath: String { (dataDir as NSString).appendingPathComponent("caresync.sqlite") }
    public var blobDir: String { (dataDir as NSString).appendingPathComponent("blobs") }
}
