import ArgumentParser
import App
import AppCore
import Prescribing
import Telehealth
import Logging
import Foundation

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Seed the demo practice (only into a database with no accounts).")
    @OptionGroup var data: DataOptions

    func run() async throws {
        try await CareSync.execute { print(try await CareSyncCLI.demo(data.config)) }
    }
}
