import ArgumentParser
import App
import AppCore
import Domain
import Foundation
import LoadTest

/// `caresync loadtest`: a synthetic busy morning against a node.
struct LoadTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadtest",
        abstract: "Offer a scenario's flows at their rates against a node, with a synthetic cohort, and judge them.",
        discussion: """
            Open model: each flow's iterations start when due, however slow the server is; those that cannot start \
            on time are counted as missed. The synthetic cohort (loadtest.* accounts, synthetic patients) is made in \
            the target's database (--data-dir or DATABASE_URL) and switched off afterwards.
            Exit codes: 0 passed; 1 errors over the limit; 2 latency over the limit; 3 both; 4 iterations could not \
            start on time. A refusal (production without permission, a bad scenario) exits 64.
            """)
    @OptionGroup var data: DataOptions
    @Option(help: "The node's address, e.g. http://127.0.0.1:8080.") var target: String
    @Option(help: "busy-morning, or a scenario JSON file.") var scenario = "busy-morning"
    @Option(help: "How long to offer the load: 10m, 90s, 1h (default: the scenario's).") var duration: String?
    @Option(help: "Multiply every rate (and the cohort).") var scale = 1.0
    @Option(help: "slo (p95 < 2 s, errors < 1 %) or strict (p99 < 100 ms, errors < 0.1 %).") var thresholds = "slo"
    @Flag(help: "Double the scale from 1 until a threshold breaks; report the highest that held.") var findKnee = false
    @Option(help: "The largest scale --find-knee tries.") var maxScale = 64.0
    @Flag(help: "Allow a production target (it must also set CARESYNC_ALLOW_LOADTEST=1).") var production = false
    @Option(help: "Write the HTML report (charts) to this file.") var report: String?
    @Option(help: "Who runs it, for the record (default: the login name).") var by: String?
    @Flag(help: "Print the run as JSON.") var json = false

    func run() async throws {
        var code: Int32 = 0
        try await CareSync.execute(logs: .errorsOnly) {
            let request = LoadTestCLI.Request(
                target: target, scenario: scenario, duration: duration, scale: scale, thresholds: thresholds,
                findKnee: findKnee, maxScale: maxScale, production: production, actor: Actor.name(by))
            let out: LoadTestCLI.Outcome
            do {
                // Progress goes to standard error, also with --json (standard output is the run).
                out = try await LoadTestCLI.run(data.config, request) { line in
                    FileHandle.standardError.write(Data((line + "\n").utf8))
                }
            } catch let e as LoadTestRefusal {
                FileHandle.standardError.write(Data("refused: \(e.description)\n".utf8))
                throw ExitCode(64)
            }
            if let report {
                try Data(out.report.utf8).write(to: URL(fileURLWithPath: report))
            }
            let r = out.run
            if json {
                print(CareSyncCLI.json(r))
            } else {
                print("\(r.scenario) at scale \(r.scale) for \(Int(r.seconds)) s against \(r.target):")
                for f in r.body.results {
                    print(
                        "  \(f.flow.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) "
                            + "\(f.requests) requests, \(f.errors) failed, p50 \(LoadFigures.ms(f.p50Ms)), "
                            + "p95 \(LoadFigures.ms(f.p95Ms)), p99 \(LoadFigures.ms(f.p99Ms))"
                            + (f.missed > 0 ? ", \(f.missed) of \(f.due) not started on time" : ""))
                }
                for s in r.body.knee {
                    print("  knee: scale \(s.scale) " + (s.held ? "held" : "broke: \(s.breaches.map(\.text))"))
                }
                print(r.passed ? "PASSED" : "FAILED: " + r.body.breaches.map(\.text).joined(separator: "; "))
                print("Cleaned up: \(r.body.cleanup). Kept as run \(r.id) (/ops/loadtests).")
            }
            code = Int32(r.exitCode)
        }
        if code != 0 { throw ExitCode(code) }
    }
}
