import Domain
import Fluent
import SQLKit
import Vapor
import AppCore

/// Signed checkpoints of the audit chain's head (sequence number, hash, time), written by the server on a schedule
/// and at shutdown — not only when someone runs verify — so removing events at the end, or editing and re-hashing
/// forward, no longer matches the last checkpoint.
///
/// Where they live:
/// - the blob store (`audit/checkpoint.json`, the latest), beside the data;
/// - a second place outside the database's trust boundary, `CARESYNC_AUDIT_CHECKPOINT_DIR` (the directory a practice
///   mounts from WORM or object-locked storage): a new file per checkpoint, never overwritten.
/// The signing key comes from `CARESYNC_AUDIT_KEY` or `CARESYNC_AUDIT_KEY_FILE`; only without either is a key kept in
/// the data dir (development), which an attacker with the data dir could use to re-sign — `doctor` warns about that.
package enum AuditCheckpoints {
    package static let blobKey = "audit/checkpoint.json"

    package struct Signed: Codable {
        package let checkpoint: AuditChain.Checkpoint
        package let mac: String
    }

    package enum Found: Equatable {
        case none
        case valid(AuditChain.Checkpoint)
        /// Present, but its signature does not verify with the key.
        case forged

        package var checkpoint: AuditChain.Checkpoint? { if case .valid(let c) = self { return c } else { return nil } }
    }

    // MARK: key

    package enum KeySource: String { case environment, keyFile = "key file", dataDir = "data dir" }

    package static func keySource(_ config: AppConfig) -> KeySource {
        if config.auditKey != nil { return .environment }
        if config.auditKeyFile != nil { return .keyFile }
        return .dataDir
    }

    package static func key(_ app: Application) throws -> SymmetricKey {
        let c = app.config
        if let k = c.auditKey { return SymmetricKey(data: Data(SHA256.hash(data: Data(k.utf8)))) }
        if let path = c.auditKeyFile {
            guard let d = FileManager.default.contents(atPath: path), !d.isEmpty else {
                throw AppError.malformed(
                    field: "CARESYNC_AUDIT_KEY_FILE", detail: "The audit key file \(path) is missing or empty.")
            }
            // 32 random bytes are the key itself (the data dir's key file is one); anything else is a passphrase.
            return d.count == 32 ? SymmetricKey(data: d) : SymmetricKey(data: Data(SHA256.hash(data: d)))
        }
        let path = dataDirKeyPath(c)
        let dir = (path as NSString).deletingLastPathComponent
        if let d = FileManager.default.contents(atPath: path), d.count == 32 { return SymmetricKey(data: d) }
        try FileManager.default.createDirectory(
            atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let k = SymmetricKey(size: .bits256)
        let data = k.withUnsafeBytes { Data($0) }
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600])
        else {
            throw CocoaError(.fileWriteNoPermission)
        }
        return k
    }

    package static func dataDirKeyPath(_ config: AppConfig) -> String {
        ((config.dataDir as NSString).appendingPathComponent("secrets") as NSString).appendingPathComponent(
            "audit-checkpoint.key")
    }

    /// The configuration a restored copy (a drill's scratch) verifies its chain with: the source's key (the data dir's
    /// own key when the source has no other), and no second place — the live off-site checkpoints are newer than any
    /// backup by design, so the copy is checked against the checkpoint it carries.
    package static func forRestoredCopy(of source: AppConfig) -> AppConfig {
        var c = source
        if c.auditKey == nil, c.auditKeyFile == nil, FileManager.default.fileExists(atPath: dataDirKeyPath(source)) {
            c.auditKeyFile = dataDirKeyPath(source)
        }
        c.auditCheckpointDir = nil
        return c
    }

    package static func mac(_ c: AuditChain.Checkpoint, key: SymmetricKey) -> String {
        let msg = "\(c.seq)|\(c.hash)|\(AuditChain.millis(c.recordedAt))"
        return Data(HMAC<SHA256>.authenticationCode(for: Data(msg.utf8), using: key)).base64EncodedString()
    }

    package static func encode(_ c: AuditChain.Checkpoint, key: SymmetricKey) throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        return try enc.encode(Signed(checkpoint: c, mac: mac(c, key: key)))
    }

    package static func decode(_ data: Data, key: SymmetricKey) -> Found {
        guard let s = try? JSONDecoder().decode(Signed.self, from: data), mac(s.checkpoint, key: key) == s.mac else {
            return .forged
        }
        return .valid(s.checkpoint)
    }

    // MARK: reading and writing

    package static func readLocal(_ app: Application, key: SymmetricKey) throws -> Found {
        guard let data = try app.blobs.get(blobKey) else { return .none }
        return decode(data, key: key)
    }

    /// The newest checkpoint in the second place (by sequence number, then time); nil when none is configured.
    package static func readOffsite(_ app: Application, key: SymmetricKey) throws -> Found? {
        guard let dir = app.config.auditCheckpointDir else { return nil }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        let files = names.filter { $0.hasPrefix("checkpoint-") && $0.hasSuffix(".json") }.sorted()
        guard let newest = files.last,
            let data = FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent(newest))
        else { return Found.none }
        return decode(data, key: key)
    }

    package static func write(_ app: Application, _ c: AuditChain.Checkpoint, key: SymmetricKey) throws {
        let data = try encode(c, key: key)
        try app.blobs.put(blobKey, data)
        if let dir = app.config.auditCheckpointDir {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            // Named so the newest sorts last; never overwritten (what WORM storage allows).
            let name = String(format: "checkpoint-%015lld-%013lld.json", c.seq, AuditChain.millis(c.recordedAt))
            let path = (dir as NSString).appendingPathComponent(name)
            if !FileManager.default.fileExists(atPath: path) {
                let tmp = path + ".tmp"
                guard FileManager.default.createFile(atPath: tmp, contents: data) else {
                    throw CocoaError(.fileWriteNoPermission)
                }
                try FileManager.default.moveItem(atPath: tmp, toPath: path)
            }
        }
    }

    /// The chain's head as a checkpoint, written when it moved since the last one. The first time (no checkpoint yet),
    /// an `audit-checkpoint` event records that checkpoints exist, so removing every checkpoint later shows.
    @discardableResult
    package static func writeHead(_ app: Application) async throws -> AuditChain.Checkpoint? {
        let key = try key(app)
        let local = try readLocal(app, key: key)
        if local == .none,
            try await AuditEventRecord.query(on: app.db).filter(\.$action == AuditAction.auditCheckpoint.rawValue)
                .first() == nil
        {
            try await app.systemScope("audit-checkpoint").record([
                AuditDraft(
                    action: .auditCheckpoint, category: .auditLog, entityType: "AuditChain",
                    detail: "signed checkpoints started")
            ])
        }
        guard let head = try await AuditEventRecord.query(on: app.db).sort(\.$seq, .descending).first() else {
            return nil
        }
        if let last = local.checkpoint, last.seq >= head.seq { return nil }
        let c = AuditChain.Checkpoint(seq: head.seq, hash: head.hash, recordedAt: app.clock.now())
        try write(app, c, key: key)
        return c
    }

    // MARK: the append-only guard

    package static let sqliteTriggers: Set<String> = ["audit_event_no_update", "audit_event_no_delete"]
    package static let postgresTriggers: Set<String> = ["audit_event_no_update_delete", "audit_event_no_truncate"]

    /// What is missing from the database's append-only guard (triggers dropped or disabled); empty when intact.
    package static func guardProblems(_ db: any Database) async throws -> [String] {
        if db.isPostgres {
            let rows = try await db.sql.raw(
                """
                SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'audit_event'::regclass AND NOT tgisinternal
                """
            ).all()
            var enabled: Set<String> = []
            for r in rows {
                let name = try r.decode(column: "tgname", as: String.self)
                let state = try r.decode(column: "tgenabled", as: String.self)
                if state != "D" { enabled.insert(name) }
            }
            return postgresTriggers.subtracting(enabled).sorted().map { "trigger \($0) is missing or disabled" }
        }
        let rows = try await db.sql.raw(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'"
        ).all()
        let present = Set(try rows.map { try $0.decode(column: "name", as: String.self) })
        return sqliteTriggers.subtracting(present).sorted().map { "trigger \($0) is missing" }
    }

    /// On PostgreSQL, what the server's own role may do to the audit table (nil on SQLite, where the file's owner is
    /// the only role). See `DatabaseRoleFacts` for why it matters.
    package static func roleFacts(_ db: any Database) async throws -> DatabaseRoleFacts? {
        guard db.isPostgres else { return nil }
        let row = try await db.sql.raw(
            """
            SELECT current_user::text AS role, r.rolsuper AS superuser,
                   pg_has_role(current_user, c.relowner, 'MEMBER') AS owns,
                   has_table_privilege(c.oid, 'UPDATE') AS can_update,
                   has_table_privilege(c.oid, 'DELETE') AS can_delete,
                   has_table_privilege(c.oid, 'TRUNCATE') AS can_truncate
            FROM pg_class c, pg_roles r WHERE c.oid = 'audit_event'::regclass AND r.rolname = current_user
            """
        ).first()
        guard let row else { return nil }
        var writes: Set<String> = []
        for (column, privilege) in [("can_update", "UPDATE"), ("can_delete", "DELETE"), ("can_truncate", "TRUNCATE")]
        where try row.decode(column: column, as: Bool.self) {
            writes.insert(privilege)
        }
        return DatabaseRoleFacts(
            role: try row.decode(column: "role", as: String.self),
            isSuperuser: try row.decode(column: "superuser", as: Bool.self),
            ownsAuditTable: try row.decode(column: "owns", as: Bool.self), auditWrites: writes)
    }

    /// The server's schedule: a checkpoint every `CARESYNC_AUDIT_CHECKPOINT_SECONDS` (default 60) and one at shutdown.
    package struct Worker: LifecycleHandler {
        package let periodic = PeriodicWorker(name: "audit-checkpoint", interval: { $0.auditCheckpointInterval }) {
            app in
            try await AuditCheckpoints.writeHead(app)
        }

        package func didBootAsync(_ app: Application) async throws { try await periodic.didBootAsync(app) }

        package func shutdownAsync(_ app: Application) async {
            await periodic.shutdownAsync(app)
            do { try await AuditCheckpoints.writeHead(app) } catch {
                app.logger.error(
                    "audit checkpoint at shutdown failed",
                    metadata: ["error_type": .string(String(describing: type(of: error)))])
            }
        }

        package init() {
        }
    }
}
