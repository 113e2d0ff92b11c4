import ArgumentParser
import App
import AppCore
import Domain
import Foundation

/// `caresync incident simulate KIND` and `caresync incident simulations`: synthetic incidents that prove the alerting
/// path end to end, and their stored timings.
struct IncidentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incident",
        abstract: "Incidents (list, show, ack, resolve) and synthetic incidents that prove the alerting path.",
        subcommands: [List.self, Show.self, Ack.self, Resolve.self, Simulate.self, Simulations.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open incidents, with the time left on each SLA.")
        @OptionGroup var data: DataOptions
        @Flag(help: "Include resolved incidents.") var all = false
        @Flag(help: "Print them as JSON.") var json = false

        func run() async throws {
            try await CareSync.execute {
                let rows = try await IncidentCLI.list(data.config, all: all)
                if json {
                    print(CareSyncCLI.json(rows))
                } else if rows.isEmpty {
                    print(all ? "No incidents." : "No open incident.")
                } else {
                    for r in rows { print(IncidentCLI.describe(r)) }
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One incident and its timeline.")
        @OptionGroup var data: DataOptions
        @Argument(help: "The incident's number (12) or id.") var incident: String
        @Flag(help: "Print it as JSON.") var json = false

        func run() async throws {
            try await CareSync.execute {
                let d = try await IncidentCLI.show(data.config, ref: incident)
                print(json ? CareSyncCLI.json(d) : IncidentCLI.describe(d))
            }
        }
    }

    struct Ack: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Acknowledge an incident: the paging stops.")
        @OptionGroup var data: DataOptions
        @Argument(help: "The incident's number (12) or id.") var incident: String
        @Option(help: "Who acknowledges, for the record (default: the login name).") var by: String?
        @Flag(help: "Print it as JSON.") var json = false

        func run() async throws {
            try await CareSync.execute {
                let d = try await IncidentCLI.ack(data.config, ref: incident, actor: Actor.name(by))
                print(json ? CareSyncCLI.json(d) : IncidentCLI.describe(d.incident))
            }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resolve an incident with a note on how.")
        @OptionGroup var data: DataOptions
        @Argument(help: "The incident's number (12) or id.") var incident: String
        @Option(help: "How it was resolved (required).") var note: String
        @Option(help: "Who resolves, for the record (default: the login name).") var by: String?
        @Flag(help: "Print it as JSON.") var json = false

        func run() async throws {
            try await CareSync.execute {
                let d = try await IncidentCLI.resolve(data.config, ref: incident, note: note, actor: Actor.name(by))
                print(json ? CareSyncCLI.json(d) : IncidentCLI.describe(d.incident))
            }
        }
    }

    struct Simulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Inject a fault into a test or staging node and time fault → alert → person told.",
            discussion: """
                KIND is one of \(IncidentKind.names), or all (each in turn, node-down last). The node must run with \
                CARESYNC_CONTROL_TOKEN (the same value in this command's environment) and must not be production; \
                Prometheus must scrape it with the shipped rules and Alertmanager must deliver to its webhook.
                """)

        @OptionGroup var data: DataOptions
        @Argument(help: "\(IncidentKind.names), or all.") var kind: String
        @Option(help: "The node's own address, e.g. http://127.0.0.1:8081 (default: the live slot of --deploy-dir).")
        var node: String?
        @Option(help: "The deploy directory whose live slot to use (env CARESYNC_DEPLOY_DIR; ./caresync-deploy).")
        var deployDir: String?
        @Option(help: "Seconds to wait for each alert and its notice.") var timeout: Double = 300
        @Option(help: "Who runs this, for the record (default: the login name).") var by: String?
        @Flag(help: "Print the results as JSON.") var json = false

        func validate() throws {
            guard kind == "all" || IncidentKind(rawValue: kind) != nil else {
                throw ValidationError("KIND is one of \(IncidentKind.names), or all")
            }
            guard timeout >= 10, timeout <= 1800 else { throw ValidationError("--timeout is seconds, 10 to 1800") }
            if let node, URL(string: node)?.scheme?.hasPrefix("http") != true {
                throw ValidationError("--node is an http(s) address, e.g. http://127.0.0.1:8081")
            }
        }

        func run() async throws {
            try await CareSync.execute {
                let env = ProcessInfo.processInfo.environment
                let config = data.config
                let dir = deployDir ?? env["CARESYNC_DEPLOY_DIR"] ?? "./caresync-deploy"
                let live = IncidentSimulation.liveNode(deployDir: dir, config: config)
                guard let url = node ?? live?.url else {
                    throw ValidationError("Name the node: --node http://127.0.0.1:PORT (no live slot in \(dir))")
                }
                guard let token = env["CARESYNC_CONTROL_TOKEN"] ?? live?.token else {
                    throw ValidationError("Set CARESYNC_CONTROL_TOKEN to the node's control token")
                }
                let options = IncidentSimulation.Options(
                    node: url, token: token, actor: Actor.name(by), timeoutSeconds: timeout,
                    progress: { FileHandle.standardError.write(Data(("  " + $0 + "\n").utf8)) })
                let kinds =
                    kind == "all"
                    ? IncidentKind.allCases.filter { $0 != .nodeDown } + [.nodeDown] : [IncidentKind(rawValue: kind)!]
                var runs: [IncidentSimulation.Run] = []
                for k in kinds {
                    FileHandle.standardError.write(Data("\(k.rawValue): expecting \(k.alertname)\n".utf8))
                    let r = try await IncidentSimulation.simulate(config, kind: k, options: options)
                    runs.append(r)
                    if !json { print(IncidentSimulation.describe(r)) }
                }
                if json { print(CareSyncCLI.json(runs)) }
                if runs.contains(where: { $0.outcome != "passed" }) { throw ExitCode(1) }
            }
        }
    }

    struct Simulations: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The stored synthetic incidents, newest first, and what the readiness report can cite.")
        @OptionGroup var data: DataOptions
        @Flag(help: "Print them as JSON.") var json = false

        func run() async throws {
            try await CareSync.execute {
                let runs = try await IncidentSimulation.list(data.config)
                if json {
                    print(CareSyncCLI.json(runs))
                    return
                }
                let evidence = AlertRoutingEvidence(runs.compactMap(\.timing))
                print(evidence.sentence { Format.utc($0, "yyyy-MM-dd") })
                for r in runs { print(IncidentSimulation.describe(r)) }
            }
        }
    }
}
