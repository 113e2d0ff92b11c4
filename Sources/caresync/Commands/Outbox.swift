import ArgumentParser
import App
import AppCore
import Prescribing
import Telehealth
import Logging
import Foundation

struct Outbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The notification outbox (email, SMS, portal).",
        subcommands: [List.self, Retry.self, RunOnce.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List messages (newest first) without recipients or text.")
        @OptionGroup var data: DataOptions
        @Option(help: "pending, sending, sent or failed.") var status: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await CareSync.execute {
                let rows = try await CareSyncCLI.outboxList(data.config, status: status)
                if json { print(CareSyncCLI.json(rows)); return }
                for r in rows {
                    print(
                        "\(r.id.uuidString)  \(r.kind.padding(toLength: 12, withPad: " ", startingAt: 0)) "
                            + "\(r.channel.padding(toLength: 6, withPad: " ", startingAt: 0)) "
                            + "\(r.status.padding(toLength: 8, withPad: " ", startingAt: 0)) attempts "
                            + "\(r.attempts)\(r.lastError.map { "  last error: " + $0 } ?? "")"
                    )
                }
                let counts = Dictionary(grouping: rows, by: \.status).mapValues(\.count).sorted { $0.key < $1.key }.map
                { "\($0.value) \($0.key)" }
                print("\(rows.count) messages" + (counts.isEmpty ? "." : ": " + counts.joined(separator: ", ") + "."))
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue failed messages again (all, or one by id).")
        @OptionGroup var data: DataOptions
        @Argument(help: "A message id; leave out to retry every failed message.") var id: String?

        func run() async throws {
            try await CareSync.execute {
                var uuid: UUID?
                if let id {
                    guard let u = UUID(uuidString: id) else { throw ValidationError("Not a message id: \(id)") };
                    uuid = u
                }
                print("\(try await CareSyncCLI.outboxRetry(data.config, id: uuid)) message(s) queued again.")
            }
        }
    }

    struct RunOnce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run-once", abstract: "Deliver what is due now (one worker pass).")
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await CareSync.execute {
                let p = try await CareSyncCLI.outboxRunOnce(data.config)
                print(
                    "Outbox pass: \(p.remindersQueued) reminders queued, \(p.sent) sent, \(p.retried) to retry, "
                        + "\(p.failed) failed."
                )
            }
        }
    }
}
