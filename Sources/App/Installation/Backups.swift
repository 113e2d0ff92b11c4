import Vapor
import Fluent
import FluentSQLiteDriver
import SQLKit
import Domain
import AppCore
import Operations
import Patients
import Scheduling

/// `caresync backup` / `backup list` / `restore`: consistent, encrypted, verifiable backups of the database and the
/// blob store.
public enum Backups {
    public struct AuditHead: Codable, Equatable, Sendable {
        public let seq: Int64
        public let hash: String
    }

    public struct Manifest: Codable, Sendable {
        public var format = 1
        public var id: String
        public var kind: String
        /// nil for a logical snapshot (pg_dump or the SQLite file); "base" for a PostgreSQL base backup used with
        /// archived WAL.
        public var method: String?
        public var createdAt: Date
        public var database: String
        public var schemaVersion: Int
        public var lastMigration: String
        public var auditHead: AuditHead?
        public var rowCounts: [String: Int]
        public var newestDataAt: Date?
        public var blobCount: Int
        /// SHA-256 of every blob by its path, so a drill can check each restored file (absent in format-1 backups).
        public var blobs: [String: String]?
        package var parts: [BackupCrypto.PartDigest]
        public var keyId: String
        public var mac: String = ""

        public var totalBytes: Int64 { parts.reduce(0) { $0 + $1.encryptedBytes } }
    }

    public enum Failure: Error, CustomStringConvertible {
        case refused(String)
        public var description: String {
            switch self {
            case .refused(let s): return s
            }
        }
    }

    /// Every table the migrations create, in a fixed order.
    package static let tables = [
        "practice", "location", "app_user", "recovery_code", "user_session", "sign_in_attempt", "patient",
        "patient_version",
        "audit_event", "room", "appointment_type", "provider_hours", "availability_exception", "appointment",
        "calendar_feed",
        "outbox_message", "portal_notice", "location_hours", "drill_result", "deployment_event", "alert",
        "incident_simulation", "incident", "incident_event", "incident_action_item", "oncall_shift", "staff_contact",
        "invitation",
        "wound",
        "photo", "upload",
        "form_definition", "intake_submission", "attachment", "message_thread", "message",
        "job", "pathway_template", "procedure", "pathway_enrolment", "pathway_task", "care_task",
        "prescriber_credential", "epcs_grant", "pharmacy", "prescription", "script_message", "refill_request",
        "covering_provider",
        "virtual_visit", "visit_link", "visit_pass", "visit_event", "signal_message", "clinical_entry", "observation",
        "note_template", "encounter", "note_addendum", "referral", "help_ticket", "help_ticket_reply",
        "status_probe", "status_uptime_day", "status_post", "status_post_update", "status_subscriber",
        "load_test_run",
    ]

    // MARK: keys

    /// CARESYNC_BACKUP_KEY (a passphrase, stretched with SHA-256), or a random key in the data dir created once (mode
    /// 0600). Keep a copy of that key away from the backups: without it they cannot be read.
    package static func key(_ config: AppConfig, keyFile: String? = nil, create: Bool = true) throws -> SymmetricKey {
        if let k = ProcessInfo.processInfo.environment["CARESYNC_BACKUP_KEY"], !k.isEmpty {
            return SymmetricKey(data: Data(SHA256.hash(data: Data(k.utf8))))
        }
        if let f = keyFile {
            guard let d = FileManager.default.contents(atPath: f), d.count == 32 else {
                throw Failure.refused("\(f) is not a CareSync backup key (32 bytes).")
            }
            return SymmetricKey(data: d)
        }
        let dir = (config.dataDir as NSString).appendingPathComponent("secrets")
        let path = (dir as NSString).appendingPathComponent("backup.key")
        if let d = FileManager.default.contents(atPath: path), d.count == 32 { return SymmetricKey(data: d) }
        guard create else {
            throw Failure.refused(
                "No backup key: set CARESYNC_BACKUP_KEY or pass --key-file (the source's "
                    + "<data-dir>/secrets/backup.key)."
            )
        }
        try FileManager.default.createDirectory(
            atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let k = SymmetricKey(size: .bits256)
        guard
            FileManager.default.createFile(
                atPath: path, contents: k.withUnsafeBytes { Data($0) }, attributes: [.posixPermissions: 0o600])
        else {
            throw CocoaError(.fileWriteNoPermission)
        }
        return k
    }

    package static func keyID(_ k: SymmetricKey) -> String {
        String(BackupCrypto.hex(SHA256.hash(data: k.withUnsafeBytes { Data($0) })).prefix(16))
    }

    /// Manifests carry times to the millisecond (backups taken within one second must still sort), and read older
    /// whole-second ones.
    package static func manifestEncoder(pretty: Bool) -> JSONEncoder {
        let enc = JSONEncoder()
        enc.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : .sortedKeys
        enc.dateEncodingStrategy = .custom { date, encoder in
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            var c = encoder.singleValueContainer()
            try c.encode(f.string(from: date))
        }
        return enc
    }

    package static func manifestDecoder() -> JSONDecoder {
        let dec = JSONDecoder()
        dec.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            guard let d = ISO8601.parse(try c.decode(String.self)) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an ISO 8601 time")
            }
            return d
        }
        return dec
    }

    package static func sign(_ m: Manifest, key: SymmetricKey) throws -> String {
        var unsigned = m
        unsigned.mac = ""
        return BackupCrypto.hex(
            HMAC<SHA256>.authenticationCode(for: try manifestEncoder(pretty: false).encode(unsigned), using: key))
    }

    // MARK: backup

    /// Takes a backup into `dir/<id>/` and applies keep-N retention for its kind.
    /// `base`: a PostgreSQL base backup (pg_basebackup) for point-in-time recovery with the WAL archive, instead of a
    /// pg_dump snapshot.
    public static func backup(
        _ config: AppConfig, to dir: String?, kind: String, keep: Int?, base: Bool = false,
        progress: @escaping @Sendable (String) -> Void
    ) async throws -> Manifest {
        if base && !config.isPostgres {
            throw Failure.refused("Base backups are for PostgreSQL; a SQLite backup is already a complete snapshot.")
        }
        let target = URL(
            fileURLWithPath: dir ?? (config.dataDir as NSString).appendingPathComponent("backups"), isDirectory: true)
        let key = try key(config)
        return try await CareSyncCLI.withApp(config) { app in
            let now = app.clock.now()
            let id = "\(Format.utc(now, "yyyyMMdd'T'HHmmss'Z'"))-\(kind)-\(UUID().uuidString.prefix(8).lowercased())"
            let work = target.appendingPathComponent(".\(id).partial", isDirectory: true)
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
                "caresync-backup-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }

            progress(
                base
                    ? "base backup of the PostgreSQL cluster (pg_basebackup)"
                    : "snapshotting the \(config.isPostgres ? "PostgreSQL" : "SQLite") database")
            let snap =
                try await base
                ? baseBackup(app, config: config, into: scratch) : snapshot(app, config: config, into: scratch)
            progress("archiving the blob store")
            let blobHashes = try BackupCrypto.pack(
                URL(fileURLWithPath: config.blobDir, isDirectory: true),
                skipping: { $0.hasPrefix("health/") }, into: scratch.appendingPathComponent("blobs.bin"))
            progress("encrypting (AES-GCM)")
            let dbPart = try BackupCrypto.encrypt(
                snap.file, to: work.appendingPathComponent("database.enc"), name: "database", key: key)
            let blobPart = try BackupCrypto.encrypt(
                scratch.appendingPathComponent("blobs.bin"), to: work.appendingPathComponent("blobs.enc"),
                name: "blobs", key: key)
            var m = Manifest(
                id: id, kind: kind, method: base ? "base" : nil, createdAt: base ? app.clock.now() : now,
                database: config.isPostgres ? "postgresql" : "sqlite",
                schemaVersion: snap.schemaVersion, lastMigration: snap.lastMigration, auditHead: snap.auditHead,
                rowCounts: snap.rowCounts, newestDataAt: snap.newestDataAt, blobCount: blobHashes.count,
                blobs: blobHashes,
                parts: [dbPart, blobPart], keyId: keyID(key))
            m.mac = try sign(m, key: key)
            try manifestEncoder(pretty: true).encode(m).write(to: work.appendingPathComponent("manifest.json"))
            try FileManager.default.moveItem(at: work, to: target.appendingPathComponent(id, isDirectory: true))
            if let keep { try prune(target, kind: kind, keep: keep, progress: progress) }
            return m
        }
    }

    package struct Snapshot {
        package let file: URL
        package let rowCounts: [String: Int]
        package let auditHead: AuditHead?
        package let newestDataAt: Date?
        package let schemaVersion: Int
        package let lastMigration: String
    }

    /// `caresync backup scheduled`, meant to run every hour (cron or a systemd timer): an hourly backup kept
    /// `hourlyKeep`
    /// deep, and a daily one kept `dailyKeep` deep whenever the newest daily is a day old or missing.
    public static func scheduled(
        _ config: AppConfig, to dir: String?, hourlyKeep: Int, dailyKeep: Int, now: Date = Date(),
        progress: @escaping @Sendable (String) -> Void
    ) async throws -> [Manifest] {
        let folder = dir ?? (config.dataDir as NSString).appendingPathComponent("backups")
        var made = [try await backup(config, to: folder, kind: "hourly", keep: hourlyKeep, progress: progress)]
        let lastDaily = try list(folder).first { $0.kind == "daily" }
        if lastDaily.map({ now.timeIntervalSince($0.createdAt) >= 23.5 * 3600 }) ?? true {
            made.append(try await backup(config, to: folder, kind: "daily", keep: dailyKeep, progress: progress))
        }
        return made
    }

    /// A crontab line for `scheduled` (the binary and data dir as given).
    public static func cronLine(binary: String, dataDir: String, hourlyKeep: Int, dailyKeep: Int) -> String {
        "7 * * * *  \(binary) backup scheduled --data-dir \(dataDir) --hourly-keep \(hourlyKeep) --daily-keep "
            + "\(dailyKeep) --json >> \(dataDir)/backups/scheduled.log 2>&1"
    }

    /// A consistent copy and the facts about it, read from the same point in time.
    package static func snapshot(_ app: Application, config: AppConfig, into scratch: URL) async throws -> Snapshot {
        if config.isPostgres {
            let file = scratch.appendingPathComponent("database.dump")
            return try await app.db.transaction { tx in
                try await tx.sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").run()
                let snapID = try await tx.sql.raw("SELECT pg_export_snapshot() AS s").first()!.decode(
                    column: "s", as: String.self)
                try await PostgresTools.run(
                    "pg_dump",
                    [
                        "--format=custom", "--no-owner", "--snapshot=\(snapID)", "--file=\(file.path)",
                        "--dbname=\(config.databaseURL!)",
                    ])
                let facts = try await self.facts(tx)
                return Snapshot(
                    file: file, rowCounts: facts.0, auditHead: facts.1, newestDataAt: facts.2, schemaVersion: facts.3,
                    lastMigration: facts.4)
            }
        }
        let file = scratch.appendingPathComponent("caresync.sqlite")
        try await app.db.sql.raw("VACUUM INTO \(bind: file.path)").run()
        // Count from the copy itself: the server may be writing to the original meanwhile.
        let id = DatabaseID(string: "backup-snapshot-\(UUID().uuidString)")
        app.databases.use(.sqlite(.file(file.path)), as: id)
        let facts = try await self.facts(app.db(id))
        return Snapshot(
            file: file, rowCounts: facts.0, auditHead: facts.1, newestDataAt: facts.2, schemaVersion: facts.3,
            lastMigration: facts.4)
    }

    /// A base backup of the whole cluster in tar format, with the WAL needed to make it consistent. Recovery replays
    /// the archived WAL on top (see `PITR`). The counts are read right after it: informative, not exact as with a
    /// snapshot.
    package static func baseBackup(_ app: Application, config: AppConfig, into scratch: URL) async throws -> Snapshot {
        let dir = scratch.appendingPathComponent("base")
        try await PostgresTools.run(
            "pg_basebackup",
            [
                "--pgdata=\(dir.path)", "--format=tar", "--wal-method=fetch", "--checkpoint=fast",
                "--no-manifest", "--dbname=\(config.databaseURL!)",
            ])
        let facts = try await self.facts(app.db)
        return Snapshot(
            file: dir.appendingPathComponent("base.tar"), rowCounts: facts.0, auditHead: facts.1, newestDataAt: facts.2,
            schemaVersion: facts.3, lastMigration: facts.4)
    }

    package static func facts(_ db: any Database) async throws -> ([String: Int], AuditHead?, Date?, Int, String) {
        var counts: [String: Int] = [:]
        for t in tables {
            counts[t] = try await db.sql.raw("SELECT COUNT(*) AS n FROM \(ident: t)").first()!.decode(
                column: "n", as: Int.self)
        }
        let head = try await AuditEventRecord.query(on: db).sort(\.$seq, .descending).first().map {
            AuditHead(seq: $0.seq, hash: $0.hash)
        }
        let newest = [
            try await AuditEventRecord.query(on: db).max(\.$recordedAt),
            try await PatientRecord.query(on: db).max(\.$updatedAt),
            try await AppointmentRecord.query(on: db).max(\.$updatedAt),
        ].compactMap { $0 }.max()
        let migrations = try await db.sql.raw("SELECT name FROM _fluent_migrations ORDER BY batch, name").all().map {
            try $0.decode(column: "name", as: String.self)
        }
        return (counts, head, newest, migrations.count, migrations.last ?? "")
    }

    package static func prune(_ dir: URL, kind: String, keep: Int, progress: (String) -> Void) throws {
        let mine = try list(dir.path).filter { $0.kind == kind }.sorted { $0.createdAt > $1.createdAt }
        for old in mine.dropFirst(max(keep, 1)) {
            try FileManager.default.removeItem(at: dir.appendingPathComponent(old.id))
            progress("retention: removed \(old.id)")
        }
    }

    /// Tables in the target's public schema (0 for an empty database).
    package static func postgresTableCount(_ target: AppConfig) async throws -> Int {
        let app = try await Application.make(Environment(name: "production", arguments: ["caresync"]))
        var c = target
        c.seedDemo = false
        let n: Int
        do {
            try await configure(app, c, migrate: false)
            n = try await app.db.sql.raw(
                "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public'"
            ).first()!.decode(column: "n", as: Int.self)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
        return n
    }

    // MARK: list

    public static func list(_ dir: String) throws -> [Manifest] {
        let root = URL(fileURLWithPath: dir, isDirectory: true)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return [] }
        let dec = manifestDecoder()
        return names.filter { !$0.hasPrefix(".") }.compactMap { n in
            (try? Data(contentsOf: root.appendingPathComponent(n).appendingPathComponent("manifest.json"))).flatMap {
                try? dec.decode(Manifest.self, from: $0)
            }
        }.sorted { $0.createdAt > $1.createdAt }
    }

    // MARK: restore

    /// Reads a backup's manifest and checks it was written with our key and not altered since.
    package static func openManifest(_ path: String, config: AppConfig, keyFile: String?) throws -> (
        Manifest, SymmetricKey
    ) {
        let dir = URL(fileURLWithPath: path, isDirectory: true)
        let dec = manifestDecoder()
        guard let data = try? Data(contentsOf: dir.appendingPathComponent("manifest.json")),
            let m = try? dec.decode(Manifest.self, from: data)
        else {
            throw Failure.refused("No readable manifest.json in \(path).")
        }
        let key = try key(config, keyFile: keyFile, create: false)
        guard m.keyId == keyID(key) else {
            throw Failure.refused(
                "This backup was encrypted with another key (key id \(m.keyId)); set CARESYNC_BACKUP_KEY.")
        }
        guard try sign(m, key: key) == m.mac else {
            throw Failure.refused("The manifest's signature does not verify: it was altered.")
        }
        return (m, key)
    }

    /// Checks every part's size, checksum and chunk tags while decrypting it into `scratch` (named by part).
    package static func decryptParts(
        _ m: Manifest, from path: String, key: SymmetricKey, into scratch: URL, progress: (String) -> Void
    ) throws {
        progress("verifying \(m.parts.count) parts")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        for p in m.parts {
            let file = URL(fileURLWithPath: path, isDirectory: true).appendingPathComponent("\(p.name).enc")
            guard FileManager.default.fileExists(atPath: file.path) else {
                throw Failure.refused("\(p.name).enc is missing.")
            }
            try BackupCrypto.checkEncrypted(file, p)
            try BackupCrypto.decrypt(file, to: scratch.appendingPathComponent(p.name), p, key: key)
        }
    }

    /// Restores a backup into an empty target (refuses a non-empty one unless `force`). Everything is verified
    /// — manifest signature, sizes, checksums, every chunk's tag, the schema version — before anything is written.
    public static func restore(
        _ target: AppConfig, from path: String, keyFile: String? = nil, force: Bool,
        progress: @escaping @Sendable (String) -> Void
    ) async throws -> Manifest {
        let (m, key) = try openManifest(path, config: target, keyFile: keyFile)
        guard m.method == nil else {
            throw Failure.refused("\(m.id) is a base backup for point-in-time recovery: use `caresync pitr restore`.")
        }
        guard m.schemaVersion <= Migrations.all.count else {
            throw Failure.refused(
                "The backup comes from a newer CareSync (schema \(m.schemaVersion); this binary knows "
                    + "\(Migrations.all.count)). Use that version to restore."
            )
        }
        guard m.database == (target.isPostgres ? "postgresql" : "sqlite") else {
            throw Failure.refused(
                "The backup is of a \(m.database) database; the target is "
                    + "\(target.isPostgres ? "postgresql" : "sqlite")."
            )
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "caresync-restore-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        try decryptParts(m, from: path, key: key, into: scratch, progress: progress)
        progress("all checksums match; checking the target is empty")
        try FileManager.default.createDirectory(atPath: target.dataDir, withIntermediateDirectories: true)
        if target.isPostgres {
            let n = try await postgresTableCount(target)
            if n > 0 && !force {
                throw Failure.refused(
                    "The target database is not empty (\(n) tables). Restore into an empty database, or pass --force.")
            }
            progress("restoring into PostgreSQL (pg_restore)")
            try await PostgresTools.run(
                "pg_restore",
                ["--no-owner", "--exit-on-error", "--single-transaction"] + (n > 0 ? ["--clean", "--if-exists"] : [])
                    + ["--dbname=\(target.databaseURL!)", scratch.appendingPathComponent("database").path])
        } else {
            let dbPath = target.sqlitePath
            if FileManager.default.fileExists(atPath: dbPath) {
                guard force else {
                    throw Failure.refused("\(dbPath) already exists. Restore into an empty data dir, or pass --force.")
                }
                let aside = dbPath + ".before-restore-\(Int(Date().timeIntervalSince1970))"
                try FileManager.default.moveItem(atPath: dbPath, toPath: aside)
                for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dbPath + suffix) }
                progress("moved the existing database aside to \(aside)")
            }
            try FileManager.default.copyItem(
                at: scratch.appendingPathComponent("database"), to: URL(fileURLWithPath: dbPath))
        }
        progress("restoring \(m.blobCount) blobs")
        _ = try BackupCrypto.unpack(
            scratch.appendingPathComponent("blobs"), into: URL(fileURLWithPath: target.blobDir, isDirectory: true))
        return m
    }
}
