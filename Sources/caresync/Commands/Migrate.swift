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
    @Option(
        help: """
            PostgreSQL: after migrating as the owner, grant this existing login role what the server needs (read \
            and write, but only read and append on the audit table); then serve as that role.
            """)
    var appRole: String?

    func run() async throws {
        try await CareSync.execute { print(try await CareSyncCLI.migrate(data.config, appRole: appRole)) }
    }
}
