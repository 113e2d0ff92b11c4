import ArgumentParser
import App
import AppCore
import Prescribing
import Telehealth
import Logging
import Foundation

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup into an empty data dir or database (verifies everything first).")
    @OptionGroup var data: DataOptions
    @Argument(help: "The backup's folder.") var backup: String
    @Option(
        help: "The backup key file (the source's <data-dir>/secrets/backup.key) when CARESYNC_BACKUP_KEY is not set.")
    var keyFile: String?
    @Flag(help: "Restore over a database that is not empty (the old SQLite file is kept aside).") var force = false

    func run() async throws {
        try await CareSync.execute {
            let m = try await Backups.restore(
                data.config, from: backup, keyFile: keyFile, force: force,
                progress: { line in
                    FileHandle.standardError.write(Data(("  " + line + "\n").utf8))
                })
            print(
                "Restored \(m.id): \(m.rowCounts.values.reduce(0, +)) rows, \(m.blobCount) blobs, audit head "
                    + "#\(m.auditHead?.seq ?? 0). Run `caresync audit verify` next."
            )
        }
    }
}
