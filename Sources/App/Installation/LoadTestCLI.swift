import Vapor
import Domain
import AppCore
import LoadTest

/// What `caresync loadtest` does: read the scenario (a built-in name or a JSON file), run it against the target with
/// the target's database for the synthetic cohort, and return the kept run (and its HTML report).
package enum LoadTestCLI {
    package struct Request: Sendable {
        package var target: String
        package var scenario: String
        package var duration: String?
        package var scale: Double
        package var thresholds: String
        package var findKnee: Bool
        package var maxScale: Double
        package var production: Bool
        package var actor: String

        package init(
            target: String, scenario: String, duration: String?, scale: Double, thresholds: String, findKnee: Bool,
            maxScale: Double, production: Bool, actor: String
        ) {
            self.target = target
            self.scenario = scenario
            self.duration = duration
            self.scale = scale
            self.thresholds = thresholds
            self.findKnee = findKnee
            self.maxScale = maxScale
            self.production = production
            self.actor = actor
        }
    }

    package struct Outcome: Sendable {
        package let run: LoadTestRun
        package let report: String
    }

    /// "10m", "90s", "1h" or plain seconds.
    package static func seconds(_ s: String) -> Double? {
        let t = s.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (u, f) in units where t.hasSuffix(u) {
            if let v = Double(t.dropLast(u.count)), v > 0 { return v * f }
        }
        return Double(t).flatMap { $0 > 0 ? $0 : nil }
    }

    package static func scenario(_ name: String) throws -> LoadScenario {
        if let s = LoadScenario.builtIn[name] { return s }
        let url = URL(fileURLWithPath: name)
        guard let data = try? Data(contentsOf: url) else {
            let names = LoadScenario.builtIn.keys.sorted().joined(separator: ", ")
            throw LoadTestRefusal("No scenario \(name): give a built-in name (\(names)) or a JSON file.")
        }
        do {
            return try JSONDecoder().decode(LoadScenario.self, from: data)
        } catch {
            throw LoadTestRefusal("The scenario file \(name) is not a scenario: \(error)")
        }
    }

    package static func run(_ config: AppConfig, _ r: Request, progress: @escaping @Sendable (String) -> Void)
        async throws -> Outcome
    {
        let scenario = try scenario(r.scenario)
        guard let thresholds = LoadThresholds.presets[r.thresholds] else {
            throw LoadTestRefusal("--thresholds is slo or strict.")
        }
        let secs =
            try r.duration.map { d -> Double in
                guard let v = seconds(d) else { throw LoadTestRefusal("--duration is like 10m, 90s or 1h.") }
                return v
            } ?? scenario.minutes * 60
        var o = LoadTestRunner.Options(target: r.target, scenario: scenario, seconds: secs, actor: r.actor)
        o.scale = r.scale
        o.thresholds = thresholds
        o.findKnee = r.findKnee
        o.maxScale = r.maxScale
        o.production = r.production
        if let why = LoadTestRunner.refusal(config, o) { throw LoadTestRefusal(why) }
        return try await CareSyncCLI.withApp(config) { app in
            let run = try await LoadTestRunner.run(app, o, progress: progress)
            return Outcome(run: run, report: LoadTestPages.standalone(run))
        }
    }
}
