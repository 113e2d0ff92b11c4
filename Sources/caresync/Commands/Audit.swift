import ArgumentParser
import App
import AppCore
import Prescribing
import Telehealth
import Logging
import Foundation

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The audit trail.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Recompute the audit hash chain; exit 1 naming the first bad event when anything was changed, "
                + "deleted, inserted or reordered."
        )
        @OptionGroup var data: DataOptions
        @Flag(help: "Print the report as JSON.") var json = false
        @Flag(help: "Do not record a new checkpoint after a successful check.") var noCheckpoint = false

        func run() async throws {
            try await CareSync.execute {
                let r = try await CareSyncCLI.auditVerify(data.config, writeCheckpoint: !noCheckpoint, progress: !json)
                if !json { FileHandle.standardError.write(Data("\r".utf8)) }
                print(json ? CareSyncCLI.json(r) : CareSyncCLI.describe(r))
                if !r.ok { throw ExitCode(1) }
            }
        }
    }
}
