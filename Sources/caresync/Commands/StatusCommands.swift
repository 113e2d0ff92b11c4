import ArgumentParser
import App
import AppCore
import Domain
import Foundation

/// `caresync probe`: one pass of the status page's probes against a node, recorded (the server's worker does the
/// same every CARESYNC_PROBE_SECONDS).
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe", abstract: "Probe the status page's components on a node and record the results.")
    @OptionGroup var data: DataOptions
    @Option(help: "The node's address (default http://127.0.0.1:8080).") var node: String?
    @Flag(help: "Print the readings as JSON.") var json = false

    func run() async throws {
        try await CareSync.execute {
            let pass = try await StatusCLI.probe(data.config, node: node)
            if json {
                print(CareSyncCLI.json(pass))
                return
            }
            for r in pass.readings {
                let result = r.ok ? (r.degraded ? "slow" : "ok") : "FAILED"
                print("\(r.component): \(result) in \(r.ms) ms" + (r.detail.map { " (\($0))" } ?? ""))
            }
            let failed = pass.readings.filter { !$0.ok }.count
            print("\(pass.readings.count) probes from \(pass.node): \(failed) failed.")
        }
    }
}

/// `caresync status`: what the public status page shows now.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Each component's state and uptime, as the public status page shows them.")
    @OptionGroup var data: DataOptions
    @Flag(help: "Print it as JSON.") var json = false

    func run() async throws {
        try await CareSync.execute {
            let s = try await StatusCLI.status(data.config)
            if json {
                print(CareSyncCLI.json(s))
                return
            }
            print(s.overallLabel)
            for c in s.components {
                print("  \(c.name): \(c.stateLabel) · \(c.uptime.map { "\($0) over 90 days" } ?? "no checks yet")")
            }
            for p in s.active + s.upcoming { print("  [\(p.kind.rawValue)] \(p.title): \(p.state.label)") }
        }
    }
}

/// `caresync helpdesk list|metrics`.
struct HelpDeskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "helpdesk", abstract: "The help desk's queue and figures.", subcommands: [List.self, Metrics.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Requests, most pressing first.")
        @OptionGroup var data: DataOptions
        @Option(help: "Who is asking (for the audit trail; default $USER).") var by: String?
        @Flag(help: "Print them as JSON.") var json = false

        func run() async throws {
            try await CareSync.execute {
                let rows = try await StatusCLI.tickets(data.config, actor: Actor.name(by))
                if json {
                    print(CareSyncCLI.json(rows))
                    return
                }
                if rows.isEmpty { print("No help requests.") }
                for t in rows {
                    print(
                        "#\(t.number) [\(t.priority?.rawValue ?? "")] \(t.status.rawValue) \(t.categoryLabel): "
                            + "\(t.subject) (first answer: \(t.firstResponseLeft ?? "-"))")
                }
            }
        }
    }

    struct Metrics: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "By category, time to first answer, % within SLA.")
        @OptionGroup var data: DataOptions
        @Option(help: "The period in days (30).") var days = 30
        @Option(help: "Who is asking (for the audit trail; default $USER).") var by: String?
        @Flag(help: "Print them as JSON.") var json = false

        func run() async throws {
            try await CareSync.execute {
                guard (1...366).contains(days) else { throw ValidationError("--days is 1 to 366.") }
                let m = try await StatusCLI.metrics(data.config, days: days, actor: Actor.name(by))
                if json {
                    print(CareSyncCLI.json(m))
                    return
                }
                print("\(m.tickets) requests in \(days) days, \(m.open) not resolved.")
                print(
                    "Resolved within target: "
                        + (m.percentWithinSLA.map { String(format: "%.1f %%", $0) } ?? "none decided yet")
                        + " (goal \(Int(m.goalPercent)) %).")
                print(
                    "First answer: median \(m.firstResponseMedianMinutes.map { "\($0) min" } ?? "-"), "
                        + "\(m.firstResponseMissed) late.")
                for (k, v) in m.byCategory.sorted(by: { $0.value > $1.value }) { print("  \(k): \(v)") }
            }
        }
    }
}
