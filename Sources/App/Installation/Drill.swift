import Vapor
import Fluent
import SQLKit
import Domain
import Accounts
import AppCore
import Audit
import Operations

/// `caresync drill`: proves a backup can be recovered. Restores the latest backup (or a point in time, see `PITR`)
/// into a scratch location, starts CareSync on it, verifies it — row counts, blob hashes, the audit chain, a
/// sign-in and a chart read over HTTP — and measures RTO (start to verified service) and RPO (age of the newest
/// data recovered). Each result is stored in the live database for the readiness report.
public enum Drill {
    public struct Check: Codable, Sendable {
        public let name: String
        public let ok: Bool
        public let ms: Int
        public let detail: String

        package init(name: String, ok: Bool, ms: Int, detail: String) {
            self.name = name
            self.ok = ok
            self.ms = ms
            self.detail = detail
        }

        /// Runs `body` (which returns the detail line) and times it, whatever the steps before it did.
        package static func timed(_ name: String, _ body: () async throws -> String) async -> Check {
            let start = ContinuousClock.now
            do {
                let detail = try await body()
                return Check(name: name, ok: true, ms: Int((ContinuousClock.now - start).milliseconds), detail: detail)
            } catch {
                return Check(
                    name: name, ok: false, ms: Int((ContinuousClock.now - start).milliseconds),
                    detail: CareSyncCLI.message(for: error))
            }
        }
    }

    public struct Result: Codable, Sendable {
        public let id: UUID
        public let variant: String
        public let backupId: String
        public let backupCreatedAt: Date?
        public let targetTime: Date?
        public let database: String
        public let ok: Bool
        public let startedAt: Date
        public let finishedAt: Date
        public let rtoSeconds: Double
        public let rpoSeconds: Int?
        public let checks: [Check]
    }

    public struct Options: Sendable {
        /// Folder with backups (default <data-dir>/backups); the newest one is drilled.
        public var backupsDir: String?
        /// A specific backup folder instead of the newest.
        public var backup: String?
        public var keyFile: String?
        /// PostgreSQL: an empty scratch database to restore into (default: a new database on the same server, dropped
        /// afterwards).
        public var scratchDatabaseURL: String?
        public var keepScratch = false
        public init() {}
    }

    /// The drill's steps, each timed; the first failure stops the rest.
    package final class Steps: @unchecked Sendable {
        package private(set) var checks: [Check] = []
        package let progress: @Sendable (String) -> Void
        package init(progress: @escaping @Sendable (String) -> Void) { self.progress = progress }
        package var ok: Bool { checks.allSatisfy(\.ok) }
        package func record(_ c: Check) { checks.append(c) }

        /// Runs one step unless an earlier one failed; `body` returns the detail line.
        package func step(_ name: String, _ body: () async throws -> String) async {
            guard ok else { return }
            progress(name)
            let check = await Check.timed(name, body)
            checks.append(check)
            if !check.ok { progress("FAILED: \(name): \(check.detail)") }
        }
    }

    package struct Failed: Error, CustomStringConvertible {
        package let description: String; package init(_ s: String) { description = s }
    }

    // MARK: latest backup

    public static func run(_ config: AppConfig, options: Options, progress: @escaping @Sendable (String) -> Void)
        async throws -> Result
    {
        try await CareSyncCLI.withApp(config) { source in
            let startedAt = source.clock.now()
            let t0 = ContinuousClock.now
            let steps = Steps(progress: progress)
            let dir = options.backupsDir ?? (config.dataDir as NSString).appendingPathComponent("backups")
            var manifest: Backups.Manifest?
            let scratch = try await Scratch.make(source, options: options)
            defer { if !options.keepScratch { scratch.removeFiles() } }

            await steps.step("restore") {
                let path: String
                if let b = options.backup {
                    path = b
                } else {
                    guard let newest = try Backups.list(dir).first else { throw Failed("No backups in \(dir).") }
                    path = (dir as NSString).appendingPathComponent(newest.id)
                }
                let m = try await Backups.restore(
                    scratch.config, from: path, keyFile: options.keyFile ?? defaultKeyFile(config),
                    force: false, progress: { progress("  " + $0) })
                manifest = m
                return "\(m.id) (\(m.totalBytes) bytes) restored and every checksum verified"
            }
            let backupID = manifest?.id ?? options.backup.map { ($0 as NSString).lastPathComponent } ?? "none"
            let expected = manifest
            await verify(
                scratch: scratch, steps: steps, progress: progress,
                extra: { app in
                    guard let m = expected else { return }
                    await steps.step("row counts") {
                        var wrong: [String] = []
                        for (table, n) in m.rowCounts.sorted(by: { $0.key < $1.key }) {
                            let got = try await app.db.sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()!
                                .decode(column: "n", as: Int.self)
                            if got != n { wrong.append("\(table): \(got) ≠ \(n)") }
                        }
                        guard wrong.isEmpty else {
                            throw Failed("Row counts differ from the manifest: " + wrong.joined(separator: ", "))
                        }
                        return "\(m.rowCounts.count) tables, \(m.rowCounts.values.reduce(0, +)) rows match the manifest"
                    }
                    await steps.step("blob hashes") {
                        let root = URL(fileURLWithPath: app.config.blobDir, isDirectory: true)
                        guard let expected = m.blobs else {
                            return "backup predates per-blob hashes; \(m.blobCount) blobs restored"
                        }
                        var bad: [String] = []
                        for (path, hash) in expected {
                            let data = FileManager.default.contents(atPath: root.appendingPathComponent(path).path)
                            if data.map({ BackupCrypto.hex(SHA256.hash(data: $0)) }) != hash { bad.append(path) }
                        }
                        guard bad.isEmpty else {
                            throw Failed(
                                "\(bad.count) blobs missing or different, e.g. "
                                    + "\(bad.sorted().prefix(3).joined(separator: ", "))"
                            )
                        }
                        return "\(expected.count) blobs match their SHA-256"
                    }
                    await steps.step("audit head") {
                        let head = try await AuditEventRecord.query(on: app.db).sort(\.$seq, .descending).first()
                        guard head?.seq == m.auditHead?.seq, head?.hash == m.auditHead?.hash else {
                            throw Failed(
                                "The restored audit head (#\(head?.seq ?? 0)) is not the manifest's "
                                    + "(#\(m.auditHead?.seq ?? 0))."
                            )
                        }
                        return "head #\(head?.seq ?? 0) is the manifest's"
                    }
                })
            let rto = (ContinuousClock.now - t0).seconds
            let newest = manifest.map { $0.newestDataAt ?? $0.createdAt }
            let result = Result(
                id: UUID(), variant: "latest-backup", backupId: backupID, backupCreatedAt: manifest?.createdAt,
                targetTime: nil,
                database: config.isPostgres ? "postgresql" : "sqlite", ok: steps.ok && manifest != nil,
                startedAt: startedAt,
                finishedAt: source.clock.now(), rtoSeconds: rto,
                rpoSeconds: newest.map { max(0, Int(startedAt.timeIntervalSince($0).rounded())) }, checks: steps.checks)
            try await scratch.dropDatabase(source, keep: options.keepScratch)
            try await store(result, in: source)
            return result
        }
    }

    // MARK: point in time (PostgreSQL)

    /// The PITR variant: recover a new cluster from the newest base backup before `targetTime` plus the archived WAL,
    /// start CareSync on it and verify it as above. The recovered cluster and its files are removed afterwards.
    public static func runPITR(
        _ config: AppConfig, walDir: String, targetTime: Date?, options: Options,
        progress: @escaping @Sendable (String) -> Void
    ) async throws -> Result {
        guard config.isPostgres else {
            throw Backups.Failure.refused("The point-in-time drill is for PostgreSQL (set DATABASE_URL).")
        }
        return try await CareSyncCLI.withApp(config) { source in
            let startedAt = source.clock.now()
            let t0 = ContinuousClock.now
            let steps = Steps(progress: progress)
            let work = FileManager.default.temporaryDirectory.appendingPathComponent(
                "caresync-drill-\(UUID().uuidString)"
            ).path
            var scratchConfig = AuditCheckpoints.forRestoredCopy(of: config)
            scratchConfig.dataDir = work + "/data"
            scratchConfig.seedDemo = false
            // Nothing below throws before the scratch server is stopped and its folder removed.
            var restored: PITR.Restored?
            let blobDir = scratchConfig.blobDir
            await steps.step("recover to point in time") {
                var o = PITR.Options(walDir: walDir, pgdata: work + "/pgdata")
                o.backup = options.backup
                o.backupsDir = options.backupsDir ?? (config.dataDir as NSString).appendingPathComponent("backups")
                o.targetTime = targetTime
                o.keyFile = options.keyFile ?? defaultKeyFile(config)
                o.blobDir = blobDir
                let r = try await PITR.restore(config, options: o, progress: { progress("  " + $0) })
                restored = r
                return "base backup \(r.manifest.id) + archived WAL replayed "
                    + (targetTime.map { "to \(PITR.postgresTimestamp($0))" } ?? "to the end of the archive")
            }
            var newest: Date?
            if let r = restored { scratchConfig.databaseURL = r.databaseURL }
            await verify(
                scratch: Scratch(config: scratchConfig), steps: steps, progress: progress,
                extra: { app in
                    await steps.step("recovered data") {
                        let facts = try await Backups.facts(app.db)
                        newest = facts.2
                        return
                            "\(facts.0.values.reduce(0, +)) rows, audit head #\(facts.1?.seq ?? 0), newest data "
                            + "\(newest.map { PITR.postgresTimestamp($0) } ?? "none")"
                    }
                })
            let rto = (ContinuousClock.now - t0).seconds
            let result = Result(
                id: UUID(), variant: "pitr", backupId: restored?.manifest.id ?? "none",
                backupCreatedAt: restored?.manifest.createdAt,
                targetTime: targetTime, database: "postgresql", ok: steps.ok && restored != nil, startedAt: startedAt,
                finishedAt: source.clock.now(), rtoSeconds: rto,
                rpoSeconds: newest.map { max(0, Int(startedAt.timeIntervalSince($0).rounded())) }, checks: steps.checks)
            await restored?.stop()
            if !options.keepScratch { try? FileManager.default.removeItem(atPath: work) }
            try await store(result, in: source)
            return result
        }
    }

    package static func defaultKeyFile(_ config: AppConfig) -> String? {
        let f = (config.dataDir as NSString).appendingPathComponent("secrets/backup.key")
        return FileManager.default.fileExists(atPath: f) ? f : nil
    }

    // MARK: verification shared by both variants

    /// Starts CareSync on the scratch copy and checks it serves: readiness, `extra` checks, the audit chain, a sign-in
    /// and a chart read.
    package static func verify(
        scratch: Scratch, steps: Steps, progress: @escaping @Sendable (String) -> Void,
        extra: (Application) async -> Void
    ) async {
        guard steps.ok else { return }
        let app: Application
        do {
            app = try await Application.make(Environment(name: "production", arguments: ["caresync"]))
        } catch {
            await steps.step("start CareSync") { throw error }
            return
        }
        app.logger.logLevel = .warning
        var base = ""
        await steps.step("start CareSync") {
            var c = scratch.config
            c.seedDemo = false
            try await configure(app, c, migrate: false)
            try await prepareDatabase(app)
            app.http.server.configuration.hostname = "127.0.0.1"
            app.http.server.configuration.port = 0
            try await app.server.start()
            guard let port = app.http.server.shared.localAddress?.port else {
                throw Failed("The server did not report its port.")
            }
            base = "http://127.0.0.1:\(port)"
            let res = try await app.client.get(URI(string: base + Site.healthReady.path()))
            guard res.status == .ok else { throw Failed("/health/ready answered \(res.status.code)") }
            return "serving on \(base); /health/ready ok"
        }
        await extra(app)
        await steps.step("audit chain") {
            let r = try await AuditVerification.run(app: app, scope: app.systemScope("drill"), writeCheckpoint: false)
            guard r.ok else { throw Failed(CareSyncCLI.describe(r)) }
            return "\(r.checked) events verify"
        }
        var token = ""
        await steps.step("sign-in") {
            let username = "drill-\(Token.generate(bytes: 4).lowercased().filter { $0.isLetter || $0.isNumber })"
            let password = Token.generate(bytes: 18)
            _ = try await UserAdmin(scope: app.systemScope("drill")).create(
                .init(
                    username: username, displayName: "Recovery drill", role: Role.frontDesk.rawValue,
                    password: password, patientId: nil))
            let res = try await app.client.post(URI(string: base + Site.apiAuthToken.path())) { req in
                try req.content.encode(["username": username, "password": password], as: .json)
            }
            guard res.status == .ok else { throw Failed("POST /api/v1/auth/token answered \(res.status.code)") }
            token = try res.content.get(String.self, at: "access_token")
            return "a front-desk account signed in over HTTP"
        }
        await steps.step("chart read") {
            // Only the id is read here; the chart itself is read through the API (and audited in the scratch copy).
            guard let row = try await app.db.sql.raw("SELECT id FROM patient ORDER BY mrn LIMIT 1").first() else {
                return "no patients in the backup"
            }
            let id = try row.decode(column: "id", as: UUID.self)
            let res = try await app.client.get(
                URI(string: base + Site.apiPatient.path(id)), headers: ["Authorization": "Bearer \(token)"])
            guard res.status == .ok, (try? res.content.get(UUID.self, at: "id")) == id else {
                throw Failed("GET /api/v1/patients/{id} answered \(res.status.code)")
            }
            return "a chart was read over HTTP"
        }
        await app.server.shutdown()
        try? await app.asyncShutdown()
    }

    package static func store(_ r: Result, in app: Application) async throws {
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        let row = DrillResultRecord()
        row.id = r.id
        row.startedAt = r.startedAt
        row.finishedAt = r.finishedAt
        row.variant = r.variant
        row.backupID = r.backupId
        row.backupCreatedAt = r.backupCreatedAt
        row.targetTime = r.targetTime
        row.database = r.database
        row.ok = r.ok
        row.rtoMs = Int(r.rtoSeconds * 1000)
        row.rpoSeconds = r.rpoSeconds
        row.checks = String(decoding: try enc.encode(r.checks), as: UTF8.self)
        try await app.serializer.write(app.db) { tx in try await row.create(on: tx) }
    }

    /// Stored results, newest first.
    package static func history(_ db: any Database, limit: Int = 20) async throws -> [Result] {
        try await DrillResultRecord.query(on: db).sort(\.$startedAt, .descending).limit(limit).all().map { r in
            Result(
                id: try r.requireID(), variant: r.variant, backupId: r.backupID, backupCreatedAt: r.backupCreatedAt,
                targetTime: r.targetTime,
                database: r.database, ok: r.ok, startedAt: r.startedAt, finishedAt: r.finishedAt,
                rtoSeconds: Double(r.rtoMs) / 1000,
                rpoSeconds: r.rpoSeconds,
                checks: (try? JSONDecoder().decode([Check].self, from: Data(r.checks.utf8))) ?? [])
        }
    }

    public static func history(_ config: AppConfig, limit: Int = 20) async throws -> [Result] {
        try await CareSyncCLI.withApp(config) { app in try await history(app.db, limit: limit) }
    }

    public static func describe(_ r: Result) -> String {
        var lines = r.checks.map {
            "  \($0.ok ? "ok  " : "FAIL") \($0.name.padding(toLength: 14, withPad: " ", startingAt: 0)) "
                + "\(String(format: "%6d", $0.ms)) ms  \($0.detail)"
        }
        let rpo = r.rpoSeconds.map { "\($0) s" } ?? "unknown"
        lines.append(
            "Drill \(r.ok ? "PASSED" : "FAILED") (\(r.variant), \(r.database), backup \(r.backupId)): RTO "
                + "\(String(format: "%.2f", r.rtoSeconds)) s, RPO \(rpo)."
        )
        return lines.joined(separator: "\n")
    }

    // MARK: scratch location

    /// Where a drill restores to: a temporary data dir, and on PostgreSQL a fresh database.
    package struct Scratch {
        package var config: AppConfig
        package var createdDatabase: String?

        package static func make(_ source: Application, options: Options) async throws -> Scratch {
            var c = AuditCheckpoints.forRestoredCopy(of: source.config)
            c.dataDir =
                FileManager.default.temporaryDirectory.appendingPathComponent("caresync-drill-\(UUID().uuidString)")
                .path
            c.seedDemo = false
            guard let url = c.databaseURL else { return Scratch(config: c) }
            if let given = options.scratchDatabaseURL {
                c.databaseURL = given
                return Scratch(config: c)
            }
            let name = "caresync_drill_\(UUID().uuidString.prefix(8).lowercased())"
            try await source.db.sql.raw("CREATE DATABASE \(ident: name)").run()
            var comps = URLComponents(string: url)!
            comps.path = "/" + name
            c.databaseURL = comps.string
            return Scratch(config: c, createdDatabase: name)
        }

        package func removeFiles() { try? FileManager.default.removeItem(atPath: config.dataDir) }

        package func dropDatabase(_ source: Application, keep: Bool) async throws {
            guard let name = createdDatabase, !keep else { return }
            try await source.db.sql.raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run()
        }
    }
}
