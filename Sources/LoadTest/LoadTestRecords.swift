import Vapor
import Fluent
import Domain
import AppCore

/// One `caresync loadtest` run: the scenario, the scale, the thresholds, each flow's figures, what broke, the knee
/// when it was searched for, and the figures over time for the report's charts. No PHI: the cohort is synthetic.
package final class LoadTestRunRecord: Model, @unchecked Sendable {
    package static let schema = "load_test_run"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "started_at") package var startedAt: Date
    @Field(key: "finished_at") package var finishedAt: Date

    // data fields
    @Field(key: "actor") package var actor: String
    @Field(key: "target") package var target: String
    @Field(key: "scenario") package var scenario: String
    @Field(key: "scale") package var scale: Double
    @Field(key: "seconds") package var seconds: Double
    @Field(key: "passed") package var passed: Bool
    @Field(key: "exit_code") package var exitCode: Int
    /// JSON: `LoadTestRun.Body` (thresholds, results, breaches, the knee steps, the series).
    @Field(key: "body") package var body: String

    package init() {}
}

package struct CreateLoadTestRun: AsyncMigration {
    package init() {}

    package func prepare(on db: any Database) async throws {
        try await db.schema(LoadTestRunRecord.schema)
            .id()
            .field("started_at", .datetime, .required)
            .field("finished_at", .datetime, .required)
            .field("actor", .string, .required)
            .field("target", .string, .required)
            .field("scenario", .string, .required)
            .field("scale", .double, .required)
            .field("seconds", .double, .required)
            .field("passed", .bool, .required)
            .field("exit_code", .int, .required)
            .field("body", .string, .required)
            .create()
    }

    package func revert(on db: any Database) async throws {
        try await db.schema(LoadTestRunRecord.schema).delete()
    }
}

/// A run as the report, the CLI's `--json` and /ops read it.
package struct LoadTestRun: Content, Sendable {
    /// Requests and failures of one flow in one stretch of the run (10 s), and its p95 there.
    package struct Point: Codable, Sendable, Equatable {
        package let second: Int
        package let flow: LoadFlow
        package let requests: Int
        package let errors: Int
        package let p95Ms: Double

        package init(second: Int, flow: LoadFlow, requests: Int, errors: Int, p95Ms: Double) {
            self.second = second
            self.flow = flow
            self.requests = requests
            self.errors = errors
            self.p95Ms = p95Ms
        }
    }

    /// One step of `--find-knee`: the scale tried and what broke there (nothing when it held).
    package struct KneeStep: Codable, Sendable, Equatable {
        package let scale: Double
        package let held: Bool
        package let breaches: [LoadBreach]
    }

    package struct Body: Codable, Sendable {
        package var thresholds: LoadThresholds
        package var results: [FlowResult]
        package var breaches: [LoadBreach]
        package var series: [Point]
        package var knee: [KneeStep]
        /// What the run created and removed again (synthetic accounts, patients, appointments).
        package var cleanup: String

        package init(
            thresholds: LoadThresholds, results: [FlowResult], breaches: [LoadBreach], series: [Point],
            knee: [KneeStep], cleanup: String
        ) {
            self.thresholds = thresholds
            self.results = results
            self.breaches = breaches
            self.series = series
            self.knee = knee
            self.cleanup = cleanup
        }
    }

    package var id: UUID
    package var startedAt: Date
    package var finishedAt: Date
    package var actor: String
    package var target: String
    package var scenario: String
    package var scale: Double
    package var seconds: Double
    package var passed: Bool
    package var exitCode: Int
    package var body: Body

    /// The highest scale that held in a knee search, and what broke first above it.
    package var knee: (held: Double?, brokeFirst: LoadBreach?)? {
        guard !body.knee.isEmpty else { return nil }
        return (body.knee.last(where: \.held)?.scale, body.knee.first(where: { !$0.held })?.breaches.first)
    }

    package init(_ r: LoadTestRunRecord) throws {
        id = try r.requireID()
        startedAt = r.startedAt
        finishedAt = r.finishedAt
        actor = r.actor
        target = r.target
        scenario = r.scenario
        scale = r.scale
        seconds = r.seconds
        passed = r.passed
        exitCode = r.exitCode
        body = try JSONDecoder().decode(Body.self, from: Data(r.body.utf8))
    }

    package init(
        id: UUID, startedAt: Date, finishedAt: Date, actor: String, target: String, scenario: String, scale: Double,
        seconds: Double, passed: Bool, exitCode: Int, body: Body
    ) {
        self.id = id
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.actor = actor
        self.target = target
        self.scenario = scenario
        self.scale = scale
        self.seconds = seconds
        self.passed = passed
        self.exitCode = exitCode
        self.body = body
    }
}
