import ArgumentParser
import App
import AppCore
import Prescribing
import Telehealth
import Logging
import Foundation

struct TurnCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "turn-check",
        abstract:
            "Mints TURN credentials as a visit does and checks the configured TURN server allocates a relay with them.")
    @OptionGroup var data: DataOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let c = data.config
        let r = TurnCheck.run(urls: c.turnURLs, secret: c.turnSecret)
        if json {
            print(CareSyncCLI.json(r))
        } else if r.ok {
            print(
                "TURN OK: \(r.server) allocated relay \(r.relayedAddress ?? "?") for \(r.lifetimeSeconds ?? 0) s "
                    + "with minted credentials (realm \(r.realm ?? "?")) in \(r.milliseconds) ms; released."
            )
        } else {
            print("TURN check FAILED for \(r.server): \(r.problem ?? "unknown problem")")
        }
        if !r.ok { throw ExitCode(1) }
    }
}
