import ArgumentParser
import App
import AppCore
import Domain
import Foundation

/// The person at the terminal, for the record: `--by`, else the login name (sudo's caller first).
enum Actor {
    static func name(_ by: String?) -> String {
        let env = ProcessInfo.processInfo.environment
        let name = by ?? env["SUDO_USER"] ?? env["USER"] ?? env["LOGNAME"] ?? "operator"
        let safe = String(name.filter { $0.isLetter || $0.isNumber || "._-@ ".contains($0) }.prefix(64))
        return safe.isEmpty ? "operator" : safe
    }
}

/// Where a deploy keeps its configuration and state (shared by deploy, rollback and releases).
struct DeployOptions: ParsableArguments {
    @Option(
        help: "The deploy directory: deploy.json, state.json, slot logs (env CARESYNC_DEPLOY_DIR; ./caresync-deploy).")
    var deployDir: String?
    @Option(help: "Who runs this, for the record (default: the login name).") var by: String?
    @Flag(help: "Print the result as JSON.") var json = false

    var dir: String { deployDir ?? ProcessInfo.processInfo.environment["CARESYNC_DEPLOY_DIR"] ?? "./caresync-deploy" }

    var actor: String { Actor.name(by) }

    func progress() -> @Sendable (String) -> Void {
        { line in FileHandle.standardError.write(Data(("  " + line + "\n").utf8)) }
    }

    /// Prints the outcome; exits 0 when the asked-for release serves, 2 when refused, 3 when rolled back, 1 otherwise.
    func finish(_ o: BlueGreen.Outcome) -> Never {
        print(json ? CareSyncCLI.json(o) : DeploymentLog.describe(o))
        Foundation.exit(o.ok ? 0 : o.outcome == "refused" ? 2 : o.outcome == "rolled-back" ? 3 : 1)
    }
}

struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract:
            "Blue-green deploy: start a release in the idle slot, check it, switch nginx to it, keep the old one warm.",
        discussion: MigrationPolicy.rule)

    @OptionGroup var data: DataOptions
    @OptionGroup var deploy: DeployOptions
    @Option(help: "The release directory (its caresync binary and release.json).") var release: String?
    @Option(help: "Minutes to watch the new release after the switch; it rolls back by itself on a trigger.")
    var watch: Double = 0
    @Option(help: "Minutes the old slot stays warm for a rollback (default from deploy.json, 30).") var keepWarm:
        Double?
    @Flag(help: "Rehearse on staging: blue→green→blue, storing the switch and rollback times.") var rehearse = false

    func validate() throws {
        guard watch >= 0, watch <= 24 * 60 else { throw ValidationError("--watch is minutes, 0 to 1440") }
        if let k = keepWarm, k < 0 || k > 24 * 60 { throw ValidationError("--keep-warm is minutes, 0 to 1440") }
    }

    func run() async throws {
        guard let release else { throw ValidationError("Name the release: --release DIR") }
        try await CareSync.execute {
            let o = BlueGreen.Options(
                deployDir: deploy.dir, actor: deploy.actor, watchMinutes: watch, keepWarmMinutes: keepWarm,
                progress: deploy.progress())
            let r =
                rehearse
                ? try await BlueGreen.rehearse(data.config, release: release, options: o)
                : try await BlueGreen.deploy(data.config, release: release, options: o)
            deploy.finish(r)
        }
    }

}

/// What a deploy runs with the new release's own binary: the synthetic account and patient of the smoke checks, with
/// a new password (JSON on standard output, read through a pipe).
struct SmokeAccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smoke-accounts",
        abstract: "Prepare the synthetic account and patient the deploy's smoke checks use (JSON; a new password).",
        shouldDisplay: false)
    @OptionGroup var data: DataOptions
    @Flag(help: "Switch the account off again (the deploy is over).") var disable = false

    func run() async throws {
        try await CareSync.execute(logs: .errorsOnly) {
            if disable { try await CareSyncCLI.disableSmokeAccount(data.config); return }
            print(CareSyncCLI.json(try await CareSyncCLI.smokeAccounts(data.config)))
        }
    }
}

struct DeploymentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployments", abstract: "Deploys, rollbacks and rehearsals, newest first.")
    @OptionGroup var data: DataOptions
    @Option(help: "How many.") var limit = 20
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await CareSync.execute(logs: .errorsOnly) {
            let all = try await CareSyncCLI.deploymentHistory(data.config, limit: limit)
            if json { print(CareSyncCLI.json(all)); return }
            for o in all {
                print(
                    "\(CareSyncCLI.json(o.startedAt).trimmingCharacters(in: CharacterSet(charactersIn: "\""))) "
                        + "\(o.kind) \(o.outcome) \(o.fromRelease ?? "-") → \(o.toRelease) by \(o.actor) "
                        + "switch \(o.switchMs.map { "\($0) ms" } ?? "-") rollback "
                        + "\(o.rollbackMs.map { "\($0) ms" } ?? "-") (\(o.trigger))")
            }
            print("\(all.count) recorded.")
        }
    }
}

struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Switch back to the previous release: the warm slot in seconds, or started again if it stopped.")
    @OptionGroup var data: DataOptions
    @OptionGroup var deploy: DeployOptions
    @Flag(help: "Print the trigger criteria and the decision tree (who, when, which commands) instead.") var plan =
        false

    func run() async throws {
        try await CareSync.execute {
            if plan {
                let p = try BlueGreen.plan(deployDir: deploy.dir)
                print(deploy.json ? CareSyncCLI.json(p) : p.text)
                return
            }
            let o = BlueGreen.Options(deployDir: deploy.dir, actor: deploy.actor, progress: deploy.progress())
            deploy.finish(try await BlueGreen.rollback(data.config, options: o))
        }
    }
}

struct ReleasesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "releases", abstract: "Installed releases.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "What is installed, and which release is live (and which is warm).")
        @OptionGroup var deploy: DeployOptions
        @Option(help: "The folder holding one directory per release (default: releasesDir in deploy.json).")
        var releasesDir: String?

        func run() async throws {
            try await CareSync.execute(logs: .errorsOnly) {
                let all = try BlueGreen.releases(deployDir: deploy.dir, releasesDir: releasesDir)
                if deploy.json { print(CareSyncCLI.json(all)); return }
                for r in all {
                    let mark = r.status == "live" ? "*" : r.status == "warm" ? "~" : " "
                    print(
                        "\(mark) \(r.version.padding(toLength: 16, withPad: " ", startingAt: 0)) \(r.commit)  "
                            + "\(r.builtAt ?? "-")  \(r.status)\(r.slot.map { " (\($0))" } ?? "")  \(r.dir)")
                }
                print("\(all.count) installed; * live, ~ warm for a rollback.")
            }
        }
    }
}
