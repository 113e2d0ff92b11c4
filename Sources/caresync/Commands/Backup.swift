import ArgumentParser
import App
import AppCore
import Prescribing
import Telehealth
import Logging
import Foundation

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encrypted, verifiable backups of the database and blob store.",
        subcommands: [Create.self, List.self, Scheduled.self], defaultSubcommand: Create.self)

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Take a backup now (the default when you run `caresync backup`).")
        @OptionGroup var data: DataOptions
        @Option(help: "Folder for backups (default <data-dir>/backups).") var to: String?
        @Option(help: "manual, hourly or daily (retention counts per kind).") var kind = "manual"
        @Option(help: "Keep this many backups of this kind, removing older ones.") var keep: Int?
        @Flag(
            help:
                ArgumentHelp(
                    "PostgreSQL: a base backup (pg_basebackup) for point-in-time recovery with the WAL archive, "
                        + "instead of a pg_dump snapshot.")
        ) var base = false
        @Flag(help: "Print the manifest as JSON.") var json = false

        func run() async throws {
            guard ["manual", "hourly", "daily"].contains(kind) else {
                throw ValidationError("--kind must be manual, hourly or daily")
            }
            let quiet = json
            let start = Date()
            try await CareSync.execute {
                let m = try await Backups.backup(
                    data.config, to: to, kind: kind, keep: keep, base: base,
                    progress: { line in
                        if !quiet { FileHandle.standardError.write(Data(("  " + line + "\n").utf8)) }
                    })
                if json { print(CareSyncCLI.json(m)); return }
                let rows = m.rowCounts.values.reduce(0, +)
                print(
                    "Backup \(m.id): \(rows) rows in \(m.rowCounts.count) tables, \(m.blobCount) blobs, "
                        + "\(m.totalBytes) bytes encrypted, audit head #\(m.auditHead?.seq ?? 0), in "
                        + "\(String(format: "%.2f", Date().timeIntervalSince(start))) s."
                )
            }
        }
    }

    struct Scheduled: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Run every hour from cron or a systemd timer: an hourly backup, plus a daily one when the last is a "
                + "day old; keep-N each."
        )
        @OptionGroup var data: DataOptions
        @Option(help: "Folder for backups (default <data-dir>/backups).") var to: String?
        @Option(help: "Hourly backups to keep.") var hourlyKeep = 24
        @Option(help: "Daily backups to keep.") var dailyKeep = 14
        @Flag(help: "Print the crontab line for this schedule instead of running it.") var printCron = false
        @Flag(help: "Print the manifests as JSON.") var json = false

        func run() async throws {
            guard hourlyKeep >= 1, dailyKeep >= 1 else {
                throw ValidationError("--hourly-keep and --daily-keep must be at least 1")
            }
            let config = data.config
            if printCron {
                let bin = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
                print(
                    Backups.cronLine(
                        binary: bin, dataDir: URL(fileURLWithPath: config.dataDir).standardizedFileURL.path,
                        hourlyKeep: hourlyKeep, dailyKeep: dailyKeep))
                return
            }
            let quiet = json
            try await CareSync.execute {
                let made = try await Backups.scheduled(
                    config, to: to, hourlyKeep: hourlyKeep, dailyKeep: dailyKeep,
                    progress: { line in
                        if !quiet { FileHandle.standardError.write(Data(("  " + line + "\n").utf8)) }
                    })
                if json { print(CareSyncCLI.json(made)); return }
                for m in made {
                    print(
                        "Backup \(m.id) (\(m.kind)): \(m.rowCounts.values.reduce(0, +)) rows, \(m.blobCount) blobs, "
                            + "\(m.totalBytes) bytes."
                    )
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List backups, newest first.")
        @OptionGroup var data: DataOptions
        @Option(help: "Folder with backups (default <data-dir>/backups).") var from: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let dir = from ?? (data.config.dataDir as NSString).appendingPathComponent("backups")
            try await CareSync.execute {
                let all = try Backups.list(dir)
                if json { print(CareSyncCLI.json(all)); return }
                for m in all {
                    print(
                        "\(m.id)  \(m.kind.padding(toLength: 7, withPad: " ", startingAt: 0)) "
                            + "\(m.database.padding(toLength: 10, withPad: " ", startingAt: 0)) schema "
                            + "\(m.schemaVersion)  \(m.rowCounts.values.reduce(0, +)) rows  \(m.blobCount) "
                            + "blobs  \(m.totalBytes) bytes"
                    )
                }
                print("\(all.count) backups in \(dir).")
            }
        }
    }
}
