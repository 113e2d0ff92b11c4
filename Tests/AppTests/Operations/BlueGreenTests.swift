import XCTest
import XCTVapor
import Fluent
import SQLKit
import App
import Domain
import TestSupport
import AppCore
import Operations

/// What the blue-green deploy relies on inside the server: the expand/contract classification of every migration
/// (checked against what each one really does to the schema), a slot's control routes, the injected fault, and the
/// deploy history on /ops and its API.
final class BlueGreenTests: XCTestCase {
    typealias Schema = [String: [String: String]]

    /// Tables and their columns with types, as the database reports them.
    func schema(_ app: Application) async throws -> Schema {
        var out: Schema = [:]
        if TestDatabase.isPostgres {
            let rows = try await app.db.sql.raw(
                """
                SELECT table_name AS t, column_name AS c, data_type AS ty FROM information_schema.columns
                WHERE table_schema = 'public'
                """
            ).all()
            for r in rows {
                out[try r.decode(column: "t", as: String.self), default: [:]][
                    try r.decode(column: "c", as: String.self)] =
                    try r.decode(column: "ty", as: String.self)
            }
            return out
        }
        let tables = try await app.db.sql.raw(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).all().map { try $0.decode(column: "name", as: String.self) }
        for t in tables {
            for c in try await app.db.sql.raw("SELECT name, type FROM pragma_table_info(\(bind: t))").all() {
                out[t, default: [:]][try c.decode(column: "name", as: String.self)] = try c.decode(
                    column: "type", as: String.self)
            }
        }
        return out
    }

    /// What `after` lost or changed of `before`: dropped tables, dropped or retyped columns.
    func contractions(_ before: Schema, _ after: Schema) -> [String] {
        before.flatMap { table, columns -> [String] in
            guard let now = after[table] else { return ["table \(table) dropped"] }
            return columns.compactMap { c, type in
                guard let t = now[c] else { return "\(table).\(c) dropped" }
                return t == type ? nil : "\(table).\(c) changed from \(type) to \(t)"
            }
        }
    }

    /// Runs each migration in order on an empty database and compares the schema before and after.
    func withEmptyDatabase(_ body: (Application) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("caresync-mig-\(UUID().uuidString)")
        let config = AppConfig(
            dataDir: dir.path, databaseURL: TestDatabase.postgresURL, bcryptCost: 4, seedDemo: false)
        let app = try await Application.make(.testing)
        do {
            try await App.configure(app, config, migrate: false)
            if config.isPostgres {
                try await app.db.sql.raw("DROP SCHEMA IF EXISTS public CASCADE").run()
                try await app.db.sql.raw("CREATE SCHEMA public").run()
            }
            try await body(app)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
        try? FileManager.default.removeItem(at: dir)
    }

    func test_everyMigrationNotListedAsContract_onlyAddsToTheSchema() async throws {
        try await withEmptyDatabase { app in
            var before = try await schema(app)
            for m in Migrations.all {
                guard let named = m as? RecordedName else { return XCTFail("\(m) is not recorded by name") }
                try await m.prepare(on: app.db)
                let after = try await schema(app)
                let lost = contractions(before, after)
                if !Migrations.contract.contains(named.name) {
                    XCTAssertEqual(lost, [], "\(named.name) is not additive: list it in Migrations.contract")
                }
                before = after
            }
            XCTAssertEqual(Migrations.manifest.migrations.map(\.change).filter { $0 == .contract }, [])

            // The check sees a contract step: the deploy test's migration drops a column.
            try await DropDrillResultVariantForTest().prepare(on: app.db)
            let after = try await schema(app)
            XCTAssertEqual(contractions(before, after), ["drill_result.variant dropped"])
        }
    }

    func test_slotControl_answersOnlyTheDeploysToken_straightToTheSlot() async throws {
        let token = String(repeating: "k", count: 40)
        try await withTestApp(configure: {
            $0.controlToken = token; $0.slot = "green"
        }) { app, _ in
            let base = try await BenchSupport.serve(app)
            func post(_ path: String, _ headers: HTTPHeaders) async throws -> UInt {
                var h = headers
                h.contentType = .json
                let res = try await app.client.post(URI(string: base + path), headers: h) { req in
                    req.body = ByteBuffer(string: #"{"stopAfterSeconds": 600}"#)
                }
                return res.status.code
            }
            func ready() async throws -> HealthController.Readiness {
                try await app.client.get(URI(string: base + Site.healthReady.path())).content.decode(
                    HealthController.Readiness.self)
            }
            let drain = Site.slotDrain.path()
            let noToken = try await post(drain, [:])
            let wrongToken = try await post(drain, ["X-CareSync-Control": String(repeating: "x", count: 40)])
            let proxied = try await post(drain, ["X-CareSync-Control": token, "X-Forwarded-For": "203.0.113.9"])
            XCTAssertEqual(
                [noToken, wrongToken, proxied], [404, 404, 404], "no token, a wrong one, through the proxy")
            let fresh = try await ready()
            XCTAssertEqual(fresh.draining, false)
            XCTAssertEqual(fresh.slot, "green")

            let drained = try await post(drain, ["X-CareSync-Control": token])
            let whileDrained = try await ready()
            let resumed = try await post(Site.slotResume.path(), ["X-CareSync-Control": token])
            let afterResume = try await ready()
            XCTAssertEqual([drained, resumed], [200, 200])
            XCTAssertEqual(whileDrained.draining, true)
            XCTAssertEqual(afterResume.draining, false)
            await app.server.shutdown()
        }
        try await withTestApp { app, _ in
            let res = try await HTTP.send(app, .POST, Site.slotDrain.path(), headers: ["X-CareSync-Control": token])
            XCTAssertEqual(res.status, .notFound, "a node started without a token has no control routes")
        }
    }

    func test_injectedFault_failsItsRoutesOnly_andNeverInProduction() async throws {
        // (A page route: the API's contract check would rightly refuse an undocumented 500.)
        try await withTestApp(configure: { $0.fault = "/portal/" }) { app, _ in
            let faulty = try await HTTP.send(app, .GET, Site.portalLogin.path())
            let other = try await HTTP.send(app, .GET, Site.login.path())
            XCTAssertEqual(faulty.status.code, 500)
            XCTAssertEqual(other.status, .ok)
            let metrics = try await HTTP.send(app, .GET, Site.metrics.path()).body.string
            XCTAssertEqual(TrafficSample.parse(metrics).errors5xx, 1, "the watch sees it")
        }
        let env = ["CARESYNC_ENV": "production", "CARESYNC_FAULT": "/api/v1/slots"]
        XCTAssertNil(AppConfig.fromEnvironment(dataDir: "/tmp/x", env: env).fault)
        XCTAssertEqual(AppConfig.fromEnvironment(dataDir: "/tmp/x", env: ["CARESYNC_FAULT": "/api"]).fault, "/api")
    }

    func outcome(kind: String, outcome: String, trigger: String = "manual") -> BlueGreen.Outcome {
        BlueGreen.Outcome(
            id: UUID(), kind: kind, trigger: trigger, actor: "ops.chen", outcome: outcome, fromRelease: "1.0.0",
            toRelease: "1.1.0<script>", fromSlot: "blue", toSlot: "green", switchMs: 140, rollbackMs: 90,
            steps: [Drill.Check(name: "ready", ok: true, ms: 300, detail: "ok")],
            smoke: [Drill.Check(name: "sign-in", ok: true, ms: 40, detail: "ok")], detail: nil,
            startedAt: Date(timeIntervalSince1970: 1_800_000_000),
            finishedAt: Date(timeIntervalSince1970: 1_800_000_005))
    }

    func test_history_isRecordedAndAudited_andOnlyOperatorsAndAdminsReadIt() async throws {
        try await withTestApp { app, clock in
            try await DeploymentLog.store(outcome(kind: "deploy", outcome: "live"), app)
            try await DeploymentLog.store(
                outcome(kind: "deploy", outcome: "rolled-back", trigger: "automatic: 5xx answers: 9 of 10"), app)
            let audit = try await AuditEventRecord.query(on: app.db).filter(\.$category == "operations").all()
            XCTAssertEqual(audit.map(\.action).sorted(), ["deploy", "deploy"])
            XCTAssertNil(audit.first?.patientID)

            let ops = try await Fixtures.bearer(app, try await Fixtures.user(app, .operator), clock: clock)
            let list = try await HTTP.send(app, .GET, Site.apiOperationsDeployments.path(), headers: ops)
            XCTAssertEqual(list.status, .ok)
            let body = try list.content.decode(OperationsController.DeploymentList.self)
            XCTAssertEqual(body.deployments.map(\.outcome).sorted(), ["live", "rolled-back"])
            for role in [Role.frontDesk, .provider, .support] {
                let h = try await Fixtures.bearer(app, try await Fixtures.user(app, role), clock: clock)
                let res = try await HTTP.send(app, .GET, Site.apiOperationsDeployments.path(), headers: h)
                XCTAssertEqual(res.status, .forbidden, "\(role)")
            }

            let page = PageClient(app)
            try await page.signIn(try await Fixtures.user(app, .operator), clock: clock)
            let html = try await page.get(Site.ops.path()).body.string
            XCTAssertTrue(html.contains("rolled back by itself"), html)
            XCTAssertTrue(html.contains("automatic: 5xx answers: 9 of 10"))
            XCTAssertTrue(html.contains("1.1.0&lt;script&gt;") && !html.contains("1.1.0<script>"), "escaped")
            let plan = try await page.get(Site.opsRollbackPlan.path())
            XCTAssertEqual(plan.status, .ok)
            XCTAssertTrue(plan.body.string.contains("caresync rollback"))
            XCTAssertTrue(plan.body.string.contains("Default trigger criteria"), "no deploy.json readable here")

            let desk = PageClient(app)
            try await desk.signIn(try await Fixtures.user(app, .frontDesk), clock: clock)
            let refused = try await desk.get(Site.opsRollbackPlan.path())
            XCTAssertEqual(refused.status, .forbidden)
        }
    }
}
