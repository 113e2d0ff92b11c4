import ArgumentParser
import App
import AppCore
import Prescribing
import Telehealth
import Logging
import Foundation
import NIOConcurrencyHelpers

/// Options every command shares: where the data lives. DATABASE_URL in the environment selects PostgreSQL.
struct DataOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "Data directory for the SQLite database, blobs and keys (env CARESYNC_DATA_DIR; default ./caresync-data)."
    )
    var dataDir: String?

    var config: AppConfig { AppConfig.fromEnvironment(dataDir: dataDir) }
}

@main
struct CareSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caresync",
        abstract: "CareSync: practice management and telemedicine.",
        subcommands: [
            Serve.self, Migrate.self, Demo.self, Users.self, Audit.self, Outbox.self, Jobs.self, TurnCheckCommand.self,
            PharmacySimCommand.self, EPCSCommand.self, Backup.self, Restore.self, DrillCommand.self, Pitr.self,
            Bench.self, DoctorCommand.self, NoteTemplatesCommand.self, VersionCommand.self,
            DeployCommand.self, RollbackCommand.self, ReleasesCommand.self, DeploymentsCommand.self,
            SmokeAccountsCommand.self, IncidentCommand.self, ProbeCommand.self, StatusCommand.self,
            HelpDeskCommand.self, LoadTestCommand.self,
        ],
        defaultSubcommand: nil)

    /// How much a command logs: the level from `LOG_LEVEL` (default info), or only errors (benchmarks, whose figures
    /// are the output).
    enum Logs { case standard, errorsOnly }

    /// Every command's body runs here: JSON-lines logging is set up once, ArgumentParser's own outcomes (an exit code,
    /// a usage error) pass through, and any other error is printed in words with exit code 1.
    static func execute(logs: Logs = .standard, _ body: () async throws -> Void) async throws {
        bootstrapLogging(logs)
        do {
            try await body()
        } catch let e as ExitCode {
            throw e
        } catch let e as ValidationError {
            throw e
        } catch {
            FileHandle.standardError.write(Data("error: \(CareSyncCLI.message(for: error))\n".utf8))
            Foundation.exit(1)
        }
    }

    private static let loggingOnce = NIOLockedValueBox(false)

    private static func bootstrapLogging(_ logs: Logs) {
        let first = loggingOnce.withLockedValue { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        let env = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) }
        let level = logs == .errorsOnly ? .error : env ?? .info
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
    }
}
