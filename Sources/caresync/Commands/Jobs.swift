import ArgumentParser
import App
import AppCore
import Prescribing
import Telehealth
import Logging
import Foundation

struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The durable job queue (care-pathway steps and escalations).",
        subcommands: [List.self, RunOnce.self, Retry.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Counts by state and the newest jobs (ids and kinds; no PHI).")
        @OptionGroup var data: DataOptions
        @Option(help: "pending, running, done, failed or cancelled.") var status: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await CareSync.execute {
                let (counts, rows) = try await CareSyncCLI.jobsList(data.config, status: status)
                if json { print(CareSyncCLI.json(rows)); return }
                let f = ISO8601DateFormatter()
                for r in rows {
                    print(
                        "\(r.id.uuidString)  \(r.kind.padding(toLength: 17, withPad: " ", startingAt: 0)) "
                            + "\(r.status.padding(toLength: 9, withPad: " ", startingAt: 0)) due "
                            + "\(f.string(from: r.runAt))  attempts "
                            + "\(r.attempts)\(r.claimedBy.map { "  node " + $0 } ?? "")"
                            + (r.lastError.map { "  last error: " + $0 } ?? "")
                    )
                }
                print(
                    "Jobs: "
                        + ["pending", "running", "done", "failed", "cancelled"].map { "\(counts[$0] ?? 0) \($0)" }
                        .joined(separator: ", ") + ".")
            }
        }
    }

    struct RunOnce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run-once", abstract: "Run the jobs that are due now (one worker pass on this node).")
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await CareSync.execute {
                let p = try await CareSyncCLI.jobsRunOnce(data.config)
                print(
                    "Job pass: \(p.claimed) claimed, \(p.done) done, \(p.retried) to retry, \(p.failed) failed, "
                        + "\(p.lost) taken over by another node."
                )
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue failed jobs again (all, or one by id).")
        @OptionGroup var data: DataOptions
        @Argument(help: "A job id; leave out to retry every failed job.") var id: String?

        func run() async throws {
            try await CareSync.execute {
                var uuid: UUID?
                if let id {
                    guard let u = UUID(uuidString: id) else { throw ValidationError("Not a job id: \(id)") }; uuid = u
                }
                print("\(try await CareSyncCLI.jobsRetry(data.config, id: uuid)) job(s) queued again.")
            }
        }
    }
}
