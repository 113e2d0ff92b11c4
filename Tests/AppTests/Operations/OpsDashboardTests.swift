import XCTest
import XCTVapor
import App
import AppCore
import Domain
import TestSupport

final class OpsDashboardTests: XCTestCase {
    func test_dashboard_drawsThisNodesOwnReadings_forOperatorsAndAdminsOnly() async throws {
        try await withTestApp(seedDemo: true) { app, clock in
            let ops = try await Fixtures.user(app, .operator)
            let web = PageClient(app)
            try await web.signIn(ops, clock: clock)
            // Three readings a minute apart, with traffic between them: six pages, then two failed sign-ins.
            await MetricsHistory.take(app)
            for _ in 0..<6 { _ = try await web.get(Site.login.path()) }
            clock.advance(by: 60)
            await MetricsHistory.take(app)
            for _ in 0..<2 {
                _ = try await HTTP.send(
                    app, .POST, Site.apiAuthToken.path(), json: ["username": "nobody", "password": "wrong"])
            }
            clock.advance(by: 60)
            await MetricsHistory.take(app)

            let page = try await web.get(Site.opsDashboard.path())
            XCTAssertEqual(page.status, .ok)
            let html = page.body.string
            XCTAssertTrue(html.contains("From this node's own readings"), html)
            for chart in DashboardChart.allCases {
                XCTAssertTrue(html.contains("id=\"chart-\(chart.rawValue)\""), chart.rawValue)
            }
            XCTAssertEqual(
                html.components(separatedBy: "<svg class=\"chart\"").count - 1, DashboardChart.allCases.count)
            XCTAssertTrue(html.contains("failed: 2 /min"), "the failed sign-ins of the last minute, in words")
            XCTAssertTrue(html.contains("<polyline class=\"line\""), "lines with real points")
            XCTAssertTrue(html.contains("Newest backup: </strong>⚠ never"), "no backup yet: shown as a warning")

            let admin = PageClient(app)
            try await admin.signIn(try await Fixtures.user(app, .admin), clock: clock)
            let adminPage = try await admin.get(Site.opsDashboard.path() + "?minutes=360")
            XCTAssertEqual(adminPage.status, .ok)
            XCTAssertTrue(adminPage.body.string.contains("<strong>6 hours</strong>"), "the chosen range")
            let odd = try await admin.get(Site.opsDashboard.path() + "?minutes=99999999")
            XCTAssertEqual(odd.status, .ok, "a range not offered falls back to the hour")
            XCTAssertTrue(odd.body.string.contains("<strong>1 hour</strong>"))

            for role in [Role.frontDesk, .provider, .medicalAssistant] {
                let c = PageClient(app)
                try await c.signIn(try await Fixtures.user(app, role), clock: clock)
                let denied = try await c.get(Site.opsDashboard.path())
                XCTAssertEqual(denied.status, .forbidden, role.rawValue)
            }
            let anonymous = try await PageClient(app).get(Site.opsDashboard.path())
            XCTAssertNotEqual(anonymous.status, .ok)
        }
    }

    func test_chartMath_ratesPerMinute_p95FromBuckets_andCounterResets() {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        func sample(_ requests: Int, fast: Int, signIns: Double) -> TrafficSample {
            TrafficSample(
                requests: requests, buckets: [0.1: fast, 2: requests, .infinity: requests],
                values: ["caresync_sign_ins_total": signIns, "caresync_video_visits{state=waiting}": 2])
        }
        let readings = [
            (at: t0, sample: sample(100, fast: 100, signIns: 3)),
            (at: t0.addingTimeInterval(30), sample: sample(160, fast: 100, signIns: 4)),
            (at: t0.addingTimeInterval(60), sample: sample(10, fast: 10, signIns: 1)),  // restarted
        ]
        let requests = DashboardChart.requests.series(readings)[0].points.map(\.value)
        XCTAssertEqual(requests, [120, 20], "60 in 30 s is 120 a minute; after a restart the new count")
        XCTAssertEqual(DashboardChart.latency.series(readings)[0].points.first?.value, 2, "all 60 slower than 0.1 s")
        XCTAssertEqual(DashboardChart.signIns.series(readings)[0].points.map(\.value), [2, 2])
        XCTAssertEqual(DashboardChart.video.series(readings)[0].points.map(\.value), [2, 2, 2])
    }

    func test_chartSVG_escapesNames_andDrawsTheGoal() {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let svg = TimeSeriesChart.svg(
            [
                ChartSeries(
                    name: "<script>x</script>",
                    points: [ChartPoint(at: t0, value: 1), ChartPoint(at: t0.addingTimeInterval(60), value: 3)])
            ], title: "p95 \"now\"", unit: "s", goal: 2, from: t0, to: t0.addingTimeInterval(60),
            timeLabel: { _ in "9:00" })
        XCTAssertFalse(svg.contains("<script>"))
        XCTAssertTrue(svg.contains("&lt;script&gt;x&lt;/script&gt;"))
        XCTAssertTrue(svg.contains("aria-label=\"p95 &quot;now&quot;\""))
        XCTAssertTrue(svg.contains("stroke-dasharray=\"6 4\""), "the goal line")
        XCTAssertEqual(TimeSeriesChart.summary([], unit: "s"), "No data yet.")
    }
}
