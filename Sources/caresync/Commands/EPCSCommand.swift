import ArgumentParser
import App
import AppCore
import Prescribing
import Telehealth
import Logging
import Foundation

struct EPCSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "epcs", abstract: "Controlled-substance prescribing.", subcommands: [Report.self])

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The daily EPCS audit report (UTC day): signatures, refusals, access-control changes, incidents.")
        @OptionGroup var data: DataOptions
        @Option(help: "The day, YYYY-MM-DD (default: yesterday, UTC).") var date: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await CareSync.execute {
                let r = try await CareSyncCLI.epcsReport(data.config, date: date)
                if json { print(CareSyncCLI.json(r)); return }
                for e in r.events { print("#\(e.seq)  \(e.username)  \(e.entity)  \(e.outcome)  \(e.detail)") }
                print(
                    "EPCS report \(r.day): \(r.signatures) signatures, \(r.refusedSignatures) refused signing "
                        + "attempts, \(r.accessControlChanges) access-control changes, \(r.deniedAccess) denied "
                        + "access attempts; \(r.incidents.count) incidents to review."
                )
                if !r.incidents.isEmpty { throw ExitCode(2) }
            }
        }
    }
}
