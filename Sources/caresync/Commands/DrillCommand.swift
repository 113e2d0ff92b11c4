import ArgumentParser
import App
import AppCore
import Prescribing
import Telehealth
import Logging
import Foundation

struct DrillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract:
            "Recovery drill: restore the latest backup into scratch, start CareSync on it, verify it, and measure "
            + "RTO and RPO.",
        subcommands: [Run.self, List.self], defaultSubcommand: Run.self)

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run", abstract: "Run a drill now (the default). Exits 1 when it fails.")
        @OptionGroup var data: DataOptions
        @Option(help: "Folder with backups (default <data-dir>/backups); the newest is drilled.") var from: String?
        @Option(help: "Drill this backup folder instead of the newest.") var backup: String?
        @Option(
            help: "The backup key file when CARESYNC_BACKUP_KEY is not set (default <data-dir>/secrets/backup.key).")
        var keyFile: String?
        @Option(
            help:
                ArgumentHelp(
                    "PostgreSQL: an empty database to restore into (default: a new database on the same server, "
                        + "dropped afterwards).")
        ) var scratchDatabaseUrl: String?
        @Flag(help: "Keep the scratch copy afterwards.") var keepScratch = false
        @Flag(
            help: "PostgreSQL: drill point-in-time recovery (newest base backup before --target-time + archived WAL).")
        var pitr = false
        @Option(help: "With --pitr: the WAL archive directory.") var walDir: String?
        @Option(
            help:
                ArgumentHelp(
                    "With --pitr: recover to this time (ISO 8601 with zone, e.g. 2026-11-23T14:05:00Z); default the "
                        + "end of the archive.")
        ) var targetTime: String?
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            var o = Drill.Options()
            o.backupsDir = from
            o.backup = backup
            o.keyFile = keyFile
            o.scratchDatabaseURL = scratchDatabaseUrl
            o.keepScratch = keepScratch
            let quiet = json
            let target: Date?
            if let t = targetTime {
                guard let d = PITR.parseTargetTime(t) else {
                    throw ValidationError("--target-time must be ISO 8601 with a zone, e.g. 2026-11-23T14:05:00Z")
                }
                target = d
            } else {
                target = nil
            }
            if pitr && walDir == nil { throw ValidationError("--pitr needs --wal-dir (the WAL archive directory)") }
            if !pitr && (walDir != nil || targetTime != nil) {
                throw ValidationError("--wal-dir and --target-time go with --pitr")
            }
            try await CareSync.execute {
                let progress: @Sendable (String) -> Void = { line in
                    if !quiet { FileHandle.standardError.write(Data(("  " + line + "\n").utf8)) }
                }
                let r =
                    pitr
                    ? try await Drill.runPITR(
                        data.config, walDir: walDir!, targetTime: target, options: o, progress: progress)
                    : try await Drill.run(data.config, options: o, progress: progress)
                print(json ? CareSyncCLI.json(r) : Drill.describe(r))
                if !r.ok { Foundation.exit(1) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stored drill results, newest first.")
        @OptionGroup var data: DataOptions
        @Option(help: "How many.") var limit = 10
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await CareSync.execute {
                let all = try await Drill.history(data.config, limit: limit)
                if json { print(CareSyncCLI.json(all)); return }
                for r in all {
                    print(
                        "\(CareSyncCLI.json(r.startedAt).trimmingCharacters(in: CharacterSet(charactersIn: "\""))) "
                            + "\(r.ok ? "passed" : "FAILED") \(r.variant) \(r.database) RTO "
                            + "\(String(format: "%.2f", r.rtoSeconds)) s RPO "
                            + "\(r.rpoSeconds.map { "\($0) s" } ?? "?") backup \(r.backupId)"
                    )
                }
                print("\(all.count) drills.")
            }
        }
    }
}
