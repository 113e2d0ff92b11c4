import ArgumentParser
import App
import AppCore
import Prescribing
import Telehealth
import Logging
import Foundation

struct Pitr: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Point-in-time recovery on PostgreSQL: WAL archive settings, a check of the live server, and recovery "
            + "to a time.",
        subcommands: [Settings.self, Check.self, RestoreToTime.self])

    struct Settings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the postgresql.conf lines that archive WAL into a directory.")
        @Option(help: "The WAL archive directory.") var walDir: String

        func run() async throws { print(PITR.settings(walDir: walDir)) }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Show whether the server in DATABASE_URL archives WAL, and how far. Exits 1 when archiving is off "
                + "or failing."
        )
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await CareSync.execute {
                let s = try await PITR.check(data.config)
                for k in s.keys.sorted() { print("\(k.padding(toLength: 18, withPad: " ", startingAt: 0)) \(s[k]!)") }
                let ok = s["archive_mode"] == "on" && s["wal_level"] != "minimal" && s["failed_count"] == "0"
                print(
                    ok
                        ? "WAL archiving is on."
                        : "WAL archiving is NOT working: see `caresync pitr settings --wal-dir DIR`.")
                if !ok { Foundation.exit(1) }
            }
        }
    }

    struct RestoreToTime: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore",
            abstract:
                "Build a new PostgreSQL cluster from a base backup plus archived WAL, recovered to a time, and "
                + "leave it running."
        )
        @OptionGroup var data: DataOptions
        @Option(help: "Folder with backups; the newest base backup before the target is used.") var from: String?
        @Option(help: "A specific base backup folder.") var backup: String?
        @Option(help: "The WAL archive directory.") var walDir: String
        @Option(help: "Recover to this time (ISO 8601 with zone); default the end of the archive.") var targetTime:
            String?
        @Option(help: "The new cluster's data directory (must not exist or be empty).") var pgdata: String
        @Option(help: "Port for the new cluster (default: a free one).") var port: Int?
        @Option(help: "The backup key file when CARESYNC_BACKUP_KEY is not set.") var keyFile: String?
        @Option(help: "Where to put the backup's blobs (a data dir for the recovered CareSync).") var blobsTo: String?

        func run() async throws {
            var o = PITR.Options(walDir: walDir, pgdata: pgdata)
            if let t = targetTime {
                guard let d = PITR.parseTargetTime(t) else {
                    throw ValidationError("--target-time must be ISO 8601 with a zone, e.g. 2026-11-23T14:05:00Z")
                }
                o.targetTime = d
            }
            o.backup = backup
            o.backupsDir = from ?? (data.config.dataDir as NSString).appendingPathComponent("backups")
            o.port = port
            o.keyFile = keyFile
            o.blobDir = blobsTo.map { ($0 as NSString).appendingPathComponent("blobs") }
            let start = Date()
            try await CareSync.execute {
                let r = try await PITR.restore(
                    data.config, options: o,
                    progress: { line in
                        FileHandle.standardError.write(Data(("  " + line + "\n").utf8))
                    })
                print(
                    "Recovered from "
                        + "\(r.manifest.id)\(r.targetTime.map { " to \(PITR.postgresTimestamp($0))" } ?? "") in "
                        + "\(String(format: "%.1f", Date().timeIntervalSince(start))) s."
                )
                let db = URLComponents(string: r.databaseURL)?.path.dropFirst() ?? ""
                print(
                    "The recovered server is running on 127.0.0.1:\(r.port), database \(db), with the source's "
                        + "roles: point DATABASE_URL there to serve it."
                )
                print("Stop it with: pg_ctl -D \(r.pgdata) -m fast stop (as the postgres user)")
            }
        }
    }
}
