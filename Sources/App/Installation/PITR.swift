import Vapor
import Fluent
import SQLKit
import AppCore
import Operations

/// Point-in-time recovery on PostgreSQL: the live server archives its WAL to a directory (`archive_command`),
/// `caresync backup --base` takes encrypted base backups, and `caresync pitr restore` rebuilds a new cluster from
/// the newest base backup before the target time and replays the archived WAL up to that time.
public enum PITR {
    /// The postgresql.conf lines the live server needs for WAL archiving into `walDir`.
    public static func settings(walDir: String) -> String {
        """
        # postgresql.conf — WAL archiving for CareSync point-in-time recovery (restart PostgreSQL after changing)
        wal_level = replica
        archive_mode = on
        archive_command = 'test ! -f "\(walDir)/%f" && cp "%p" "\(walDir)/%f"'
        archive_timeout = 300   # close a WAL segment at least every 5 minutes: bounds the RPO on a quiet server
        # The archive directory must be writable by the PostgreSQL server's user; keep it on another disk than the data.
        # The CareSync database user needs the REPLICATION attribute for `caresync backup --base` (pg_basebackup).
        """
    }

    /// What the live server is configured to do now (for `caresync pitr check`).
    public static func check(_ config: AppConfig) async throws -> [String: String] {
        guard config.isPostgres else {
            throw Backups.Failure.refused("Point-in-time recovery is for PostgreSQL (set DATABASE_URL).")
        }
        return try await CareSyncCLI.withApp(config, migrate: false) { app in
            var out: [String: String] = [:]
            for name in ["wal_level", "archive_mode", "archive_command", "archive_timeout"] {
                out[name] = try await app.db.sql.raw("SELECT current_setting(\(bind: name)) AS v").first()!.decode(
                    column: "v", as: String.self)
            }
            let row = try await app.db.sql.raw(
                "SELECT archived_count, failed_count, COALESCE(last_archived_wal, '') AS w FROM pg_stat_archiver"
            ).first()!
            out["archived_count"] = String(try row.decode(column: "archived_count", as: Int.self))
            out["failed_count"] = String(try row.decode(column: "failed_count", as: Int.self))
            out["last_archived_wal"] = try row.decode(column: "w", as: String.self)
            return out
        }
    }

    public struct Restored: Sendable {
        public let manifest: Backups.Manifest
        public let pgdata: String
        public let port: Int
        public let databaseURL: String
        public let targetTime: Date?

        /// Stops the recovered server.
        public func stop() async {
            _ = try? await PostgresTools.run("pg_ctl", ["-D", pgdata, "-m", "fast", "-w", "stop"], asServerUser: true)
        }
    }

    public struct Options: Sendable {
        /// A base backup's folder, or (with `backupsDir`) the newest base backup taken before the target time.
        public var backup: String?
        public var backupsDir: String?
        public var walDir: String
        public var targetTime: Date?
        /// The new cluster's data directory (must not exist or be empty).
        public var pgdata: String
        public var port: Int?
        public var keyFile: String?
        /// Where the base backup's blobs go (the recovered CareSync's data dir).
        public var blobDir: String?
        public init(walDir: String, pgdata: String) { self.walDir = walDir; self.pgdata = pgdata }
    }

    /// Builds and starts the recovered cluster; it keeps running (call `stop()`). `source` supplies the database
    /// name and user (the recovered cluster has the same roles) and the backup key.
    public static func restore(_ source: AppConfig, options o: Options, progress: @escaping @Sendable (String) -> Void)
        async throws -> Restored
    {
        guard let sourceURL = source.databaseURL, source.isPostgres else {
            throw Backups.Failure.refused(
                "Point-in-time recovery is for PostgreSQL: set DATABASE_URL to the source database (for its name "
                    + "and user)."
            )
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: o.walDir, isDirectory: &isDir), isDir.boolValue else {
            throw Backups.Failure.refused("The WAL archive \(o.walDir) does not exist.")
        }
        let path = try chooseBase(o)
        let (m, key) = try Backups.openManifest(path, config: source, keyFile: o.keyFile)
        guard m.method == "base" else {
            throw Backups.Failure.refused("\(m.id) is not a base backup (take one with `caresync backup --base`).")
        }
        if let t = o.targetTime, t < m.createdAt {
            throw Backups.Failure.refused(
                "The target time is before the base backup \(m.id) finished; choose an earlier base backup.")
        }
        if FileManager.default.fileExists(atPath: o.pgdata),
            !((try? FileManager.default.contentsOfDirectory(atPath: o.pgdata))?.isEmpty ?? true)
        {
            throw Backups.Failure.refused("\(o.pgdata) is not empty: recover into a new directory.")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "caresync-pitr-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        try Backups.decryptParts(m, from: path, key: key, into: scratch, progress: progress)

        progress("unpacking the base backup into \(o.pgdata)")
        try FileManager.default.createDirectory(atPath: o.pgdata, withIntermediateDirectories: true)
        guard
            try await ExternalProgram.run([
                "/bin/tar", "-xf", scratch.appendingPathComponent("database").path, "-C", o.pgdata,
            ])
            .status == 0
        else { throw Backups.Failure.refused("tar could not unpack the base backup") }
        if let blobDir = o.blobDir {
            _ = try BackupCrypto.unpack(
                scratch.appendingPathComponent("blobs"), into: URL(fileURLWithPath: blobDir, isDirectory: true))
        }

        // Recovery settings: replay archived WAL up to the target, then open for writes. The recovered cluster must not
        // archive into the live server's archive, and listens only on loopback with its socket in its own directory.
        let port = o.port ?? freeLoopbackPort()
        var conf = [
            "", "# caresync pitr restore", "restore_command = 'cp \"\(o.walDir)/%f\" \"%p\"'",
            "recovery_target_action = 'promote'",
            "archive_mode = off", "listen_addresses = '127.0.0.1'", "port = \(port)",
            "unix_socket_directories = '\(o.pgdata)'",
        ]
        if let t = o.targetTime { conf.append("recovery_target_time = '\(postgresTimestamp(t))'") }
        let auto = URL(fileURLWithPath: o.pgdata).appendingPathComponent("postgresql.auto.conf")
        let existing = (try? String(contentsOf: auto, encoding: .utf8)) ?? ""
        try (existing + conf.joined(separator: "\n") + "\n").write(to: auto, atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: o.pgdata + "/recovery.signal", contents: Data())
        try? FileManager.default.removeItem(atPath: o.pgdata + "/postmaster.pid")
        try await PostgresTools.giveToServerUser(o.pgdata)

        progress(
            "replaying archived "
                + "WAL\(o.targetTime.map { " up to \(postgresTimestamp($0))" } ?? " to the end of the archive")"
        )
        let log = o.pgdata + "/recovery.log"
        do {
            try await PostgresTools.run(
                "pg_ctl", ["-D", o.pgdata, "-l", log, "-w", "-t", "300", "start"], asServerUser: true)
        } catch {
            throw Backups.Failure.refused("The recovered server did not start: \(logTail(log))")
        }
        var comps = URLComponents(string: sourceURL)!
        comps.host = "127.0.0.1"
        comps.port = port
        let url = comps.string!
        let restored = Restored(manifest: m, pgdata: o.pgdata, port: port, databaseURL: url, targetTime: o.targetTime)
        // pg_ctl returns once read-only connections are accepted; wait for the promotion that ends recovery.
        let deadline = Date().addingTimeInterval(300)
        while true {
            let state = try? await PostgresTools.run("psql", ["--dbname=\(url)", "-Atc", "SELECT pg_is_in_recovery()"])
            if state?.trimmingCharacters(in: .whitespacesAndNewlines) == "f" { break }
            if Date() > deadline || !FileManager.default.fileExists(atPath: o.pgdata + "/postmaster.pid") {
                await restored.stop()
                throw Backups.Failure.refused("Recovery did not finish: \(logTail(log))")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        progress("recovered and promoted; listening on 127.0.0.1:\(port)")
        return restored
    }

    package static func chooseBase(_ o: Options) throws -> String {
        if let b = o.backup { return b }
        guard let dir = o.backupsDir else {
            throw Backups.Failure.refused("Name a base backup (--backup) or the folder with backups (--from).")
        }
        let target = o.targetTime ?? .distantFuture
        let bases = try Backups.list(dir).filter { $0.method == "base" && $0.createdAt <= target }
        guard let newest = bases.first else {
            throw Backups.Failure.refused(
                "No base backup in \(dir)\(o.targetTime == nil ? "" : " taken before the target time"): take one "
                    + "with `caresync backup --base`."
            )
        }
        return (dir as NSString).appendingPathComponent(newest.id)
    }

    /// A recovery target as typed by an operator: ISO 8601 with an explicit zone (2026-11-23T14:05:00Z or …-05:00).
    public static func parseTargetTime(_ s: String) -> Date? { ISO8601.parse(s.trimmingCharacters(in: .whitespaces)) }

    public static func postgresTimestamp(_ d: Date) -> String { Format.utc(d, "yyyy-MM-dd HH:mm:ss.SSS'+00'") }

    package static func logTail(_ path: String) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let important = text.split(separator: "\n").filter { $0.contains("FATAL") || $0.contains("ERROR") }
        return (important.isEmpty ? text.split(separator: "\n").suffix(3) : important.suffix(3)).joined(
            separator: " | ")
    }

    /// A free TCP port on loopback, chosen by the kernel.
    package static func freeLoopbackPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
        }
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
