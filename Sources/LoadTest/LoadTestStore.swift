import Vapor
import Fluent
import Domain
import AppCore

/// The kept load-test runs (`load_test_run`), each also an audit event; reading them is for operators and admins.
package enum LoadTestStore {
    package static func save(_ run: LoadTestRun, _ app: Application) async throws {
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        let row = LoadTestRunRecord()
        row.id = run.id
        row.startedAt = run.startedAt
        row.finishedAt = run.finishedAt
        row.actor = run.actor
        row.target = String(run.target.prefix(300))
        row.scenario = String(run.scenario.prefix(200))
        row.scale = run.scale
        row.seconds = run.seconds
        row.passed = run.passed
        row.exitCode = run.exitCode
        row.body = String(decoding: try enc.encode(run.body), as: UTF8.self)
        try await app.serializer.write(app.db) { tx in try await row.create(on: tx) }
        let breaches = run.body.breaches.prefix(3).map(\.text).joined(separator: "; ")
        try await app.systemScope("loadtest by \(run.actor)").record([
            AuditDraft(
                action: .loadTest, category: .operations, entityType: "LoadTestRun", entityID: run.id.uuidString,
                outcome: run.passed ? .success : .failure,
                detail: String(
                    "\(run.scenario) ×\(LoadTestRun.scaleText(run.scale)) against \(run.target): "
                        + (run.passed ? "passed" : "failed: \(breaches)")
                        .prefix(900)))
        ])
    }

    /// Newest first.
    package static func list(_ scope: AuditScope, limit: Int = 20) async throws -> [LoadTestRun] {
        try await scope.authorize(.readOperations)
        return try await LoadTestRunRecord.query(on: scope.db).sort(\.$startedAt, .descending)
            .limit(max(1, min(limit, 200))).all().map(LoadTestRun.init)
    }

    package static func find(_ scope: AuditScope, _ id: UUID) async throws -> LoadTestRun {
        try await scope.authorize(.readOperations)
        guard let r = try await LoadTestRunRecord.find(id, on: scope.db) else {
            throw AppError.notFound("No load-test run with that id.")
        }
        return try LoadTestRun(r)
    }
}

extension LoadTestRun {
    package static func scaleText(_ s: Double) -> String {
        s == s.rounded() ? String(Int(s)) : String(format: "%.2g", s)
    }

    /// The sentence the readiness report can cite.
    package var evidence: String {
        let day = Format.utc(startedAt, "yyyy-MM-dd")
        let worst = body.results.max { $0.p99Ms < $1.p99Ms }
        let kneeText =
            knee.map { k in
                k.held.map { "; knee at scale \(Self.scaleText($0))" } ?? "; no scale held"
            } ?? ""
        return "Load test \(scenario) at scale \(Self.scaleText(scale)) on \(day): "
            + (passed ? "passed" : "FAILED") + ", \(body.results.reduce(0) { $0 + $1.requests }) requests, "
            + "worst p99 \(worst.map { "\(LoadFigures.ms($0.p99Ms)) (\($0.flow.rawValue))" } ?? "–")\(kneeText)"
    }
}
