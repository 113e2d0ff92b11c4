import Vapor
import Fluent
import Plot
import Domain
import AppCore
import Alerts
import LoadTest

/// What operators check before and after go-live: the backups on disk and the recovery drills' measured RTO/RPO.
/// No PHI here; reading it is still limited to operators and admins (denials are audited).
package struct OperationsStatus {
    package let scope: AuditScope

    package struct BackupRow: Content {
        package let id: String
        package let kind: String
        package let database: String
        package let createdAt: Date
        package let schemaVersion: Int
        package let rows: Int
        package let blobs: Int
        package let bytes: Int64
    }

    package func drills(limit: Int = 20) async throws -> [Drill.Result] {
        try await scope.authorize(.readOperations)
        return try await Drill.history(scope.db, limit: max(1, min(limit, 200)))
    }

    package func deployments(limit: Int = 20) async throws -> [BlueGreen.Outcome] {
        try await scope.authorize(.readOperations)
        return try await DeploymentLog.history(scope.db, limit: max(1, min(limit, 200)))
    }

    /// The rollback plan for this installation's trigger criteria: deploy.json in CARESYNC_DEPLOY_DIR when the server
    /// can read it, else the defaults (and the page says so).
    package func rollbackPlan() async throws -> (RollbackPlan, fromFile: Bool) {
        try await scope.authorize(.readOperations)
        if let dir = scope.app.config.deployDir, let p = try? BlueGreen.plan(deployDir: dir) { return (p, true) }
        return (RollbackPlan(config: DeployConfig(upstreamFile: "-")), false)
    }

    /// Firing alerts first, then the latest resolved ones, and when the Watchdog was last heard from.
    package func alerts(limit: Int = 10) async throws -> [AlertRecord] {
        try await scope.authorize(.readOperations)
        return try await AlertStore.list(scope.db, limit: limit)
    }

    /// What the synthetic incidents have proven (`caresync incident simulate`).
    package func alertRouting() async throws -> AlertRoutingEvidence {
        try await scope.authorize(.readOperations)
        return try await IncidentSimulation.evidence(scope.db)
    }

    package func backups() async throws -> [BackupRow] {
        try await scope.authorize(.readOperations)
        let dir = (scope.app.config.dataDir as NSString).appendingPathComponent("backups")
        return try Backups.list(dir).map {
            BackupRow(
                id: $0.id, kind: $0.kind, database: $0.database, createdAt: $0.createdAt,
                schemaVersion: $0.schemaVersion,
                rows: $0.rowCounts.values.reduce(0, +), blobs: $0.blobCount, bytes: $0.totalBytes)
        }
    }
}

extension Request {
    package func operations() throws -> OperationsStatus { OperationsStatus(scope: try scope()) }
}

package enum OperationsController {
    package struct DrillList: Content {
        package let drills: [Drill.Result]
    }
    package struct BackupList: Content {
        package let backups: [OperationsStatus.BackupRow]
    }
    package struct DeploymentList: Content {
        package let deployments: [BlueGreen.Outcome]
    }

    @Sendable package static func deployments(req: Request) async throws -> DeploymentList {
        DeploymentList(
            deployments: try await req.operations().deployments(
                limit: (try? req.query.get(Int.self, at: "limit")) ?? 20))
    }

    @Sendable package static func rollbackPlanPage(req: Request) async throws -> Response {
        let (plan, fromFile) = try await req.operations().rollbackPlan()
        return Layout.render(RollbackPlanPage(plan: plan, fromFile: fromFile).render(for: req))
    }

    @Sendable package static func drills(req: Request) async throws -> DrillList {
        DrillList(drills: try await req.operations().drills(limit: (try? req.query.get(Int.self, at: "limit")) ?? 20))
    }

    @Sendable package static func backups(req: Request) async throws -> BackupList {
        BackupList(backups: try await req.operations().backups())
    }

    @Sendable package static func page(req: Request) async throws -> Response {
        let ops = try req.operations()
        let drills = try await ops.drills(limit: 10)
        let backups = try await ops.backups()
        let deployments = try await ops.deployments(limit: 15)
        let alerts = try await ops.alerts()
        let routing = try await ops.alertRouting()
        let loadTests = try await LoadTestStore.list(ops.scope, limit: 20)
        return Layout.render(
            OperationsPage(
                drills: drills, backups: Array(backups.prefix(20)), deployments: deployments, alerts: alerts,
                routing: routing, loadTests: loadTests
            ).render(for: req))
    }
}

package struct OperationsPage {
    package let drills: [Drill.Result]
    package let backups: [OperationsStatus.BackupRow]
    package let deployments: [BlueGreen.Outcome]
    package let alerts: [AlertRecord]
    package let routing: AlertRoutingEvidence
    package let loadTests: [LoadTestRun]

    package static func utc(_ d: Date) -> String { Format.utc(d, "yyyy-MM-dd HH:mm 'UTC'") }

    package static func duration(_ seconds: Int?) -> String {
        guard let s = seconds else { return "unknown" }
        if s < 120 { return "\(s) s" }
        if s < 7200 { return "\(s / 60) min" }
        return String(format: "%.1f h", Double(s) / 3600)
    }

    /// The newest load test, and the latest that passed (what the readiness report cites).
    package func loadTestCard() -> Node<HTML.BodyContext> {
        let passing = loadTests.first(where: \.passed)
        return .div(
            .class("card"), .id("latest-loadtest"),
            .h2(.text("Load tests")),
            .p(.text(loadTests.first.map { "Newest: " + $0.evidence + "." } ?? "No load test has been run yet.")),
            .if(
                passing != nil && passing?.id != loadTests.first?.id,
                .p(.text("Latest passing: " + (passing?.evidence ?? "") + "."))),
            .p(.a(.href(Site.opsLoadTests.path()), .text("Every load test and its report"))))
    }

    package func latest() -> Node<HTML.BodyContext> {
        guard let d = drills.first else {
            return .div(
                .class("card"), .id("latest-drill"),
                .p(.text("No recovery drill has been run. Run `caresync drill` after a backup.")))
        }
        return .div(
            .class("card"), .id("latest-drill"),
            .h2(.text("Latest drill: \(d.ok ? "passed" : "FAILED")")),
            .p(.text("\(Self.utc(d.startedAt)) · \(d.variant) · \(d.database) · backup \(d.backupId)")),
            .p(
                .strong(.text("RTO \(String(format: "%.1f", d.rtoSeconds)) s")),
                .text(" (start to verified service) · "),
                .strong(.text("RPO \(Self.duration(d.rpoSeconds))")), .text(" (age of the newest recovered data)")),
            .ul(.forEach(d.checks) { c in .li(.text("\(c.ok ? "✓" : "✗") \(c.name) (\(c.ms) ms): \(c.detail)")) })
        )
    }

    package func render(for req: Request) -> String {
        Layout.page(
            "Operations", req: req,
            .div(
                .h1(.text("Operations")),
                .p(
                    .a(
                        .href(Site.opsDashboard.path()),
                        .text("Dashboard: traffic, errors, latency, sign-ins, video visits, uploads and job lag"))),
                AlertsSection(alerts: alerts, routing: routing).node,
                DeploymentsSection(deployments: deployments).node,
                loadTestCard(),
                latest(),
                .h2(.text("Drills")),
                .div(
                    .class("scroll"), Scrollable.focusable(),
                    .table(
                        .id("drills"),
                        .thead(.tr(.th("When"), .th("Result"), .th("Variant"), .th("RTO"), .th("RPO"), .th("Backup"))),
                        .tbody(
                            .forEach(drills) { d in
                                .tr(
                                    .td(.text(Self.utc(d.startedAt))), .td(.text(d.ok ? "passed" : "FAILED")),
                                    .td(.text(d.variant)),
                                    .td(.text(String(format: "%.1f s", d.rtoSeconds))),
                                    .td(.text(Self.duration(d.rpoSeconds))), .td(.text(d.backupId)))
                            }))),
                .h2(.text("Backups")),
                .div(
                    .class("scroll"), Scrollable.focusable(),
                    .table(
                        .id("backups"),
                        .thead(.tr(.th("Backup"), .th("Kind"), .th("Taken"), .th("Rows"), .th("Blobs"), .th("Size"))),
                        .tbody(
                            .forEach(backups) { b in
                                .tr(
                                    .td(.text(b.id)), .td(.text(b.kind)), .td(.text(Self.utc(b.createdAt))),
                                    .td(.text("\(b.rows)")),
                                    .td(.text("\(b.blobs)")),
                                    .td(.text(ByteCountFormatter.string(fromByteCount: b.bytes, countStyle: .file))))
                            }))),
                .p(
                    .text(
                        backups.isEmpty ? "No backups in the data dir's backups folder." : "\(backups.count) backups."))
            ))
    }
}
