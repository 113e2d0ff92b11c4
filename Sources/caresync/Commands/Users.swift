import ArgumentParser
import App
import AppCore
import Prescribing
import Telehealth
import Logging
import Foundation

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage accounts.", subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an account (audited as a system action).")
        @OptionGroup var data: DataOptions
        @Option(help: "Username (3-64 characters).") var username: String
        @Option(help: "Name shown in the app.") var name: String
        @Option(help: "admin, medical-director, provider, medical-assistant, front-desk, support, operator or patient.")
        var role: String
        @Option(help: "Initial password (12+ characters); generated and printed once when left out.") var password:
            String?
        @Option(help: "For patient accounts: the patient's MRN.") var patientMrn: String?

        func run() async throws {
            try await CareSync.execute {
                print(
                    try await CareSyncCLI.createUser(
                        data.config, username: username, displayName: name, role: role,
                        password: password, patientMRN: patientMrn))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts.")
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await CareSync.execute { print(try await CareSyncCLI.listUsers(data.config)) }
        }
    }
}
