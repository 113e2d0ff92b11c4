import XCTest
import XCTVapor
import Fluent
import App
import AppCore
import Domain
import LoadTest
import TestSupport

/// The kept load-test runs: who may read them (operators and admins; not the front desk, not a patient, not
/// anonymous), the report's figures and charts, and HTML in a scenario's name shown as text.
final class LoadTestRunsTests: XCTestCase {
    func test_keptRuns_areForOperators_andTheReportShowsTheFlowsTheChartsAndWhatBroke() async throws {
        try await withTestApp(seedDemo: true) { app, clock in
            let ops = try await Fixtures.user(app, .operator)
            let desk = try await Fixtures.user(app, .frontDesk)
            let slow = FlowResult(
                flow: .refills, due: 4, started: 4, missed: 0, requests: 4, errors: 0, p50Ms: 2500, p95Ms: 2510,
                p99Ms: 2520, maxMs: 2520, errorSamples: [])
            let fine = FlowResult(
                flow: .chart, due: 30, started: 30, missed: 0, requests: 60, errors: 0, p50Ms: 9, p95Ms: 20,
                p99Ms: 30, maxMs: 31, errorSamples: [])
            let breaches = LoadJudgement.breaches([slow, fine], thresholds: .slo)
            let run = LoadTestRun(
                id: UUID(), startedAt: clock.now(), finishedAt: clock.now().addingTimeInterval(60), actor: "ops",
                target: "http://staging:8080", scenario: "<b>morning</b>", scale: 2, seconds: 60, passed: false,
                exitCode: Int(LoadJudgement.exitCode(breaches)),
                body: .init(
                    thresholds: .slo, results: [fine, slow], breaches: breaches,
                    series: [
                        .init(second: 0, flow: .chart, requests: 30, errors: 0, p95Ms: 20),
                        .init(second: 10, flow: .chart, requests: 30, errors: 0, p95Ms: 22),
                    ], knee: [], cleanup: "3 synthetic appointments cancelled"))
            try await LoadTestStore.save(run, app)

            let h = try await Fixtures.bearer(app, ops, clock: clock)
            let list = try await HTTP.send(app, .GET, Site.apiOperationsLoadTests.path(), headers: h)
            XCTAssertEqual(list.status, .ok, list.body.string)
            let runs = try list.content.decode(LoadTestPages.RunList.self).runs
            XCTAssertEqual(runs.map(\.id), [run.id])
            XCTAssertEqual(runs.first?.exitCode, 2)

            let browser = PageClient(app)
            try await browser.signIn(ops, clock: clock)
            let page = try await browser.get(Site.opsLoadTest.path(run.id))
            XCTAssertEqual(page.status, .ok)
            let html = page.body.string
            XCTAssertTrue(html.contains("refills: p95 2.51 s, limit 2.00 s"), html)
            XCTAssertTrue(html.contains("data-flow=\"refills\""))
            XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 2, "latency and throughput charts")
            XCTAssertTrue(html.contains("&lt;b&gt;morning&lt;/b&gt;") && !html.contains("<b>morning</b>"))
            let listPage = try await browser.get(Site.opsLoadTests.path())
            XCTAssertTrue(listPage.body.string.contains("FAILED"))

            let d = try await Fixtures.bearer(app, desk, clock: clock)
            let denied = try await HTTP.send(app, .GET, Site.apiOperationsLoadTests.path(), headers: d)
            XCTAssertEqual(denied.status, .forbidden)
            let patient = try await Fixtures.bearer(app, try await Fixtures.patientUser(app), clock: clock)
            let asPatient = try await HTTP.send(app, .GET, Site.apiOperationsLoadTests.path(), headers: patient)
            XCTAssertEqual(asPatient.status, .forbidden)
            let anonymous = try await HTTP.send(app, .GET, Site.apiOperationsLoadTests.path())
            XCTAssertEqual(anonymous.status, .unauthorized)
            // Audited: the run is an event of its own.
            let events = try await AuditEventRecord.query(on: app.db).filter(\.$action == AuditAction.loadTest.rawValue)
                .all()
            XCTAssertEqual(events.count, 1)
            XCTAssertEqual(events.first?.outcome, "failure")
        }
    }
}
