import Vapor
import Fluent
import Domain
import Accounts
import Alerts
import Incidents
import StatusPage
import AppCore
import Audit
import Demo
import Encounters
import Jobs
import Notifications
import Patients
import Photos
import Prescribing

/// What the `caresync` commands do; the executable only parses arguments. Tests call these too.
public enum CareSyncCLI {
    /// Builds an application that is not serving (for one-off commands).
    package static func withApp<T>(_ config: AppConfig, migrate: Bool = true, _ body: (Application) async throws -> T)
        async throws -> T
    {
        let app = try await Application.make(Environment(name: "production", arguments: ["caresync"]))
        do {
            var c = config
            c.seedDemo = false
            try await configure(app, c, migrate: false)
            if migrate { try await prepareDatabase(app) }
            let r = try await body(app)
            try await app.asyncShutdown()
            return r
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    package static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    public static func demoSignInsText() -> String {
        var lines = ["Demo sign-ins (password for all: \(DemoSeed.password)):"]
        for a in DemoSeed.accounts {
            let mfa = Role(rawValue: a.role)?.requiresMFA == true ? " (sets up two-step sign-in at first sign-in)" : ""
            lines.append("  \(a.username.padding(toLength: 15, withPad: " ", startingAt: 0)) \(a.role)\(mfa)")
        }
        lines.append("  Staff sign in at /login; the patient account at /portal/login.")
        return lines.joined(separator: "\n")
    }

    /// `caresync serve`: migrate, seed the demo practice on first start, print where it listens, and serve until
    /// stopped.
    public static func serve(_ config: AppConfig, hostname: String, port: Int) async throws {
        let app = try await Application.make(
            Environment(
                name: "production", arguments: ["caresync", "serve", "--hostname", hostname, "--port", String(port)]))
        do {
            try await configure(app, config)
            // The workers that call this node (the status probes) read where it listens from here.
            app.http.server.configuration.hostname = hostname
            app.http.server.configuration.port = port
            app.lifecycle.use(OutboxWorker.worker)
            app.lifecycle.use(JobWorker.worker)
            app.lifecycle.use(AuditCheckpoints.Worker())
            app.lifecycle.use(AlertsController.watchdogWorker)
            app.lifecycle.use(MetricsHistory.worker)
            app.lifecycle.use(IncidentStore.worker)
            app.lifecycle.use(StatusProbes.worker)
            _ = await PhotoStore.finishStranded(app)
            let db = config.isPostgres ? "PostgreSQL" : "SQLite at \(config.sqlitePath)"
            FileHandle.standardError.write(
                Data(
                    """
                    CareSync is starting on http://\(hostname == "0.0.0.0" ? "localhost" : hostname):\(port)/  \
                    (database: \(db); data dir: \(config.dataDir))
                    \(demoSignInsText())

                    """.utf8))
            for problem in config.settingProblems {
                app.logger.warning("\(problem)")
                FileHandle.standardError.write(Data("warning: \(problem)\n".utf8))
            }
            try await app.execute()
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// Migrates; with `appRole`, then grants that role the server's privileges (`DatabaseRoles`).
    public static func migrate(_ config: AppConfig, appRole: String? = nil) async throws -> String {
        try await withApp(config) { app in
            let count =
                try await app.db.sql.raw("SELECT COUNT(*) AS n FROM _fluent_migrations").first()?.decode(
                    column: "n", as: Int.self) ?? 0
            var out = "Migrations applied: \(count) in total; the database is up to date."
            if let appRole {
                let tables = try await DatabaseRoles.grantAppRole(app.db, role: appRole)
                out +=
                    "\nApp role \(appRole): read and write on \(tables) tables; "
                    + "audit_event read and append only. Serve with DATABASE_URL naming \(appRole)."
            }
            return out
        }
    }

    public static func demo(_ config: AppConfig) async throws -> String {
        try await withApp(config) { app in
            let seeded = try await DemoSeed.seed(app)
            return seeded ? "Demo practice seeded.\n" + demoSignInsText() : "Accounts already exist; nothing seeded."
        }
    }

    /// Creates an account; generates a password when none is given and returns it once.
    public static func createUser(
        _ config: AppConfig, username: String, displayName: String, role: String,
        password: String?, patientMRN: String?
    ) async throws -> String {
        try await withApp(config) { app in
            var pid: UUID?
            if let mrn = patientMRN {
                // A PHI look-up like any other: through the audited store, as the system principal.
                let found = try await PatientStore(scope: app.systemScope("users-create")).search(
                    .init(mrn: mrn.uppercased(), limit: 1))
                guard let p = found.first else {
                    throw AppError.validation([FieldError("patient-mrn", "No patient with that MRN.")])
                }
                pid = p.id
            }
            let pw = password ?? Token.generate(bytes: 12)
            let u = try await UserAdmin(scope: app.systemScope("users-create")).create(
                .init(username: username, displayName: displayName, role: role, password: pw, patientId: pid))
            var out = "Created \(u.role.rawValue) account \(u.username) (id \(u.id.uuidString))."
            if password == nil { out += "\nInitial password (shown once): \(pw)" }
            if u.role.requiresMFA {
                out += "\nThis role sets up two-step sign-in at first sign-in."
            }
            return out
        }
    }

    public static func listUsers(_ config: AppConfig) async throws -> String {
        try await withApp(config) { app in
            let users = try await UserAdmin(scope: app.systemScope("users-list")).list()
            var lines: [String] = []
            for u in users {
                let name = u.username.padding(toLength: 18, withPad: " ", startingAt: 0)
                let role = u.role.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0)
                lines.append("\(name) \(role) \(u.active ? "active" : "inactive") \(u.mfaEnrolled ? "2-step" : "")")
            }
            lines.append("\(users.count) accounts.")
            return lines.joined(separator: "\n")
        }
    }

    /// `caresync audit verify`: returns the report; the command exits non-zero when it is not ok.
    public static func auditVerify(_ config: AppConfig, writeCheckpoint: Bool, progress: Bool) async throws
        -> AuditVerification.Report
    {
        var report: (@Sendable (Int) -> Void)?
        if progress {
            report = { (n: Int) -> Void in
                FileHandle.standardError.write(Data("\r  verified \(n) events…".utf8))
            }
        }
        let onProgress = report
        return try await withApp(config, migrate: false) {
            (app: Application) async throws -> AuditVerification.Report in
            let scope = app.systemScope("audit-verify")
            return try await AuditVerification.run(
                app: app, scope: scope, writeCheckpoint: writeCheckpoint, progress: onProgress)
        }
    }

    public struct OutboxRow: Codable, Sendable {
        public let id: UUID
        public let kind: String
        public let channel: String
        public let status: String
        public let attempts: Int
        public let nextAttemptAt: Date
        public let lastError: String?
    }

    /// `caresync outbox list`: messages by status (recipients and bodies are not printed: they may be PHI).
    public static func outboxList(_ config: AppConfig, status: String?) async throws -> [OutboxRow] {
        try await withApp(config) { app in
            let q = OutboxMessageRecord.query(on: app.db)
            if let status {
                guard let s = OutboxStatus(rawValue: status) else {
                    let known = OutboxStatus.allCases.map(\.rawValue).joined(separator: ", ")
                    throw AppError.malformed(field: "status", detail: "Status must be one of: \(known).")
                }
                q.filter(\.$status == s)
            }
            return try await q.sort(\.$createdAt, .descending).limit(500).all().map {
                OutboxRow(
                    id: try $0.requireID(), kind: $0.kind, channel: $0.channel.rawValue, status: $0.status.rawValue,
                    attempts: $0.attempts,
                    nextAttemptAt: $0.nextAttemptAt, lastError: $0.lastError)
            }
        }
    }

    /// `caresync outbox retry`: failed messages (or one) go back to pending, due now.
    public static func outboxRetry(_ config: AppConfig, id: UUID?) async throws -> Int {
        try await withApp(config) { app in
            let now = app.clock.now()
            return try await app.serializer.write(app.db) { tx in
                let q = OutboxMessageRecord.query(on: tx)
                if let id { q.filter(\.$id == id) } else { q.filter(\.$status == OutboxStatus.failed) }
                let rows = try await q.all()
                for m in rows where m.status != .sent {
                    m.status = .pending
                    m.attempts = 0
                    m.nextAttemptAt = now
                    m.claimedUntil = nil
                    try await m.save(on: tx)
                }
                return rows.filter { $0.status == .pending }.count
            }
        }
    }

    /// `caresync outbox run-once`: one delivery pass now.
    public static func outboxRunOnce(_ config: AppConfig) async throws -> OutboxWorker.Pass {
        try await withApp(config) { app in try await OutboxWorker.runOnce(app) }
    }

    /// `caresync jobs list`: counts by state and the newest jobs (kinds and ids only).
    public static func jobsList(_ config: AppConfig, status: String?) async throws -> (
        counts: [String: Int], rows: [JobRow]
    ) {
        try await withApp(config) { app in
            let o = try await JobsController.overview(app.db, status: status, limit: 500)
            return (
                o.counts,
                o.jobs.map {
                    JobRow(
                        id: $0.id, kind: $0.kind, status: $0.status.rawValue, runAt: $0.runAt, attempts: $0.attempts,
                        claimedBy: $0.claimedBy, lastError: $0.lastError)
                }
            )
        }
    }

    public struct JobRow: Codable, Sendable {
        public let id: UUID
        public let kind: String
        public let status: String
        public let runAt: Date
        public let attempts: Int
        public let claimedBy: String?
        public let lastError: String?
    }

    /// `caresync jobs run-once`: runs what is due now on this node.
    public static func jobsRunOnce(_ config: AppConfig) async throws -> JobWorker.Pass {
        try await withApp(config) { app in try await JobWorker.runOnce(app) }
    }

    /// `caresync jobs retry`: failed jobs (or one) go back to pending, due now.
    public static func jobsRetry(_ config: AppConfig, id: UUID?) async throws -> Int {
        try await withApp(config) { app in try await JobQueue.retry(app, id: id) }
    }

    /// `caresync epcs report`: the daily EPCS audit report (yesterday, UTC, by default).
    public static func epcsReport(_ config: AppConfig, date: String?) async throws -> EPCSReport {
        try await withApp(config) { app in
            let day: LocalDay
            if let date {
                guard let d = LocalDay(date) else {
                    throw AppError.validation([FieldError("date", "Write the date as YYYY-MM-DD.")])
                }; day = d
            } else {
                day = LocalDay.of(app.clock.now(), in: TimeZone(identifier: "UTC")!).adding(days: -1)
            }
            let r = try await EPCSStore(scope: app.systemScope("epcs-report")).report(day: day)
            return EPCSReport(
                day: r.day,
                events: r.events.map {
                    .init(
                        seq: $0.seq, username: $0.username, entity: $0.entity, outcome: $0.outcome.rawValue,
                        detail: $0.detail)
                },
                signatures: r.signatures, refusedSignatures: r.refusedSignatures,
                accessControlChanges: r.accessControlChanges,
                deniedAccess: r.deniedAccess,
                incidents: r.incidents.map {
                    .init(
                        seq: $0.seq, username: $0.username, entity: $0.entity, outcome: $0.outcome.rawValue,
                        detail: $0.detail)
                })
        }
    }

    public struct EPCSReport: Codable, Sendable {
        public struct Event: Codable, Sendable {
            public let seq: Int64
            public let username: String
            public let entity: String
            public let outcome: String
            public let detail: String
        }
        public let day: String
        public let events: [Event]
        public let signatures: Int
        public let refusedSignatures: Int
        public let accessControlChanges: Int
        public let deniedAccess: Int
        public let incidents: [Event]
    }

    public static func describe(_ r: AuditVerification.Report) -> String {
        if r.ok {
            return "Audit chain OK: \(r.checked) events verified; head #\(r.headSeq) \(r.headHash.prefix(16))…"
                + (r.checkpointSeq.map { "; reaches checkpoint #\($0)" } ?? "; no earlier checkpoint")
                + r.warnings.map { "\nWarning: \($0)." }.joined()
        }
        if let seq = r.firstBadSeq {
            return
                "Audit chain BROKEN at event #\(seq): \(r.problem ?? "unknown problem"). \(r.checked) events before "
                + "it verified."
        }
        return "Audit chain BROKEN: \(r.problem ?? "unknown problem")."
    }

    public static func json<T: Encodable>(_ value: T) -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        enc.dateEncodingStrategy = .iso8601
        return String(decoding: (try? enc.encode(value)) ?? Data(), as: UTF8.self)
    }

    /// A readable message for errors the commands raise.
    public static func message(for error: any Error) -> String {
        if let e = error as? AppError {
            let p = Problem.from(e, instance: nil)
            return p.errors.map { $0.map { "\($0.field): \($0.message)" }.joined(separator: "\n") } ?? p.detail
        }
        return String(describing: error)
    }
}

// MARK: note templates

extension CareSyncCLI {
    public struct NoteTemplateRow: Codable, Sendable {
        public let code: String
        public let version: Int
        public let title: String
        public let fields: Int
    }

    /// The newest version of each note template.
    public static func noteTemplates(_ config: AppConfig) async throws -> [NoteTemplateRow] {
        try await withApp(config) { app in
            try await NoteStore.templates(app.db).map {
                NoteTemplateRow(code: $0.code, version: $0.version, title: $0.title, fields: $0.fields.count)
            }
        }
    }

    /// Adds a template from a JSON file (the shape `GET /api/v1/note-templates` shows): a new code, or the next
    /// version of one. Notes already started keep their version.
    public static func addNoteTemplate(_ config: AppConfig, file: String) async throws -> NoteTemplateRow {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw AppError.validation([FieldError("file", "Cannot read \(file).")])
        }
        let template: FormDefinition
        do {
            template = try JSONDecoder().decode(FormDefinition.self, from: data)
        } catch {
            throw AppError.validation([
                FieldError("file", "\(file) is not a note template (JSON with code, title, intro, sections): \(error)")
            ])
        }
        return try await withApp(config) { app in
            let t = try await NoteStore(scope: app.systemScope("note-templates")).addTemplate(template)
            return NoteTemplateRow(code: t.code, version: t.version, title: t.title, fields: t.fields.count)
        }
    }
}

// MARK: version

extension CareSyncCLI {
    /// The release this binary is and the schema it expects (no database needed).
    public static func version() -> VersionReport { Migrations.version }
}
