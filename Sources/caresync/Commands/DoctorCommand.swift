import ArgumentParser
import App
import AppCore
import Foundation

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check a running deployment against the security baseline (exits 1 when a check fails).")
    @OptionGroup var data: DataOptions
    @Option(help: "The address browsers use (default CARESYNC_PUBLIC_URL).") var url: String?
    @Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        try await CareSync.execute(logs: .errorsOnly) {
            let r = try await Doctor.run(data.config, url: url)
            if json {
                print(CareSyncCLI.json(r))
            } else {
                print("CareSync doctor: \(r.url) (CARESYNC_ENV=\(r.environment))")
                for c in r.checks {
                    let mark = c.status.rawValue.uppercased().padding(toLength: 5, withPad: " ", startingAt: 0)
                    print("\(mark) \(c.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(c.detail)")
                }
                let failed = r.checks.filter { $0.status == .fail }.count
                print(failed == 0 ? "All checks passed." : "\(failed) check(s) failed.")
            }
            if !r.ok { throw ExitCode(1) }
        }
    }
}
