import ArgumentParser
import App
import AppCore
import Prescribing
import Telehealth
import Logging
import Foundation

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply database migrations.")
    @OptionGroup var data: DataOptions

    func run() async throws {
        try await CareSync.execute { print(try await CareSyncCLI.migrate(data.config)) }
    }
}
