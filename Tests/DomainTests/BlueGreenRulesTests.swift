import XCTest
@testable import Domain

/// The pure rules behind `caresync deploy`: expand/contract, the rollback criteria, reading /metrics, the config file.
final class BlueGreenRulesTests: XCTestCase {
    func manifest(_ version: String, _ migrations: [(String, MigrationChange)], planned: [String] = [])
        -> ReleaseManifest
    {
        ReleaseManifest(
            release: VersionReport(
                release: ReleaseInfo(version: version, commit: "c", builtAt: nil), schemaVersion: migrations.count,
                newestMigration: migrations.last?.0 ?? ""),
            migrations: migrations.map { MigrationInfo(name: $0.0, change: $0.1) }, plannedContracts: planned)
    }

    func test_additiveMigrations_passWhateverRuns() {
        let live = manifest("1.0", [("A", .expand)])
        let new = manifest("1.1", [("A", .expand), ("B", .expand)])
        XCTAssertEqual(MigrationPolicy.problems(new: new, applied: ["A"], running: [live]), [])
    }

    func test_aContractMigration_isRefused_untilEveryRunningReleasePlannedIt() {
        let old = manifest("1.0", [("A", .expand)])
        let planning = manifest("1.1", [("A", .expand)], planned: ["DropFax"])
        let new = manifest("1.2", [("A", .expand), ("DropFax", .contract)])

        let refused = MigrationPolicy.problems(new: new, applied: ["A"], running: [planning, old])
        XCTAssertEqual(refused.count, 1)
        XCTAssertTrue(refused[0].contains("DropFax") && refused[0].contains("1.0"), refused[0])
        XCTAssertFalse(refused[0].contains("1.1"), "1.1 no longer uses the old shape")

        XCTAssertEqual(MigrationPolicy.problems(new: new, applied: ["A"], running: [planning]), [])
        XCTAssertEqual(
            MigrationPolicy.problems(new: new, applied: ["A", "DropFax"], running: [old]), [],
            "an applied contract step is history, not a change")
    }

    func test_breach_countsAsWellAsRatios_forLittleTraffic() {
        let c = RollbackCriteria(max5xxRatio: 0.05, min5xx: 3)
        let base = TrafficSample(requests: 100, errors5xx: 1)
        XCTAssertNil(c.breach(from: base, to: TrafficSample(requests: 104, errors5xx: 3)), "two new failures")
        let why = c.breach(from: base, to: TrafficSample(requests: 110, errors5xx: 4))
        XCTAssertEqual(why?.hasPrefix("5xx answers: 3 of 10 (30 %)"), true, why ?? "nil")
        XCTAssertNil(
            c.breach(from: base, to: TrafficSample(requests: 1100, errors5xx: 4)), "3 of 1000 is under 5 %")
    }

    func test_breach_p95AndFailedSignIns() {
        let c = RollbackCriteria(maxP95Seconds: 2, minRequestsForLatency: 20, maxFailedSignIns: 5)
        let slow = TrafficSample(requests: 40, buckets: [0.5: 10, 1: 20, 2.5: 30, 5: 40, .infinity: 40])
        XCTAssertEqual(c.breach(from: TrafficSample(), to: slow)?.hasPrefix("p95 latency 5.00 s"), true)
        let fast = TrafficSample(requests: 40, buckets: [0.5: 39, 1: 40, .infinity: 40])
        XCTAssertNil(c.breach(from: TrafficSample(), to: fast))
        XCTAssertNil(c.breach(from: TrafficSample(), to: TrafficSample(requests: 5, buckets: [5: 5, .infinity: 5])))
        XCTAssertEqual(
            c.breach(from: TrafficSample(failedSignIns: 2), to: TrafficSample(failedSignIns: 7))?.hasPrefix(
                "failed sign-ins: 5"), true)
    }

    func test_parse_readsRequestsErrorsBucketsAndSignIns_leavingOutHealthAndMetrics() {
        let text = """
            # TYPE caresync_http_requests_total counter
            caresync_http_requests_total{method="GET",route="/api/v1/patients",status="200"} 7
            caresync_http_requests_total{method="GET",route="/api/v1/appointments",status="500"} 2
            caresync_http_requests_total{method="GET",route="/health/ready",status="200"} 50
            caresync_http_requests_total{method="GET",route="/metrics",status="200"} 9
            caresync_http_request_duration_seconds_bucket{method="GET",route="/api/v1/patients",le="0.1"} 6
            caresync_http_request_duration_seconds_bucket{method="GET",route="/api/v1/patients",le="+Inf"} 7
            caresync_http_request_duration_seconds_bucket{method="GET",route="/api/v1/appointments",le="0.1"} 2
            caresync_http_request_duration_seconds_bucket{method="GET",route="/api/v1/appointments",le="+Inf"} 2
            caresync_http_request_duration_seconds_bucket{method="GET",route="/health/ready",le="+Inf"} 50
            caresync_failed_sign_ins_total 4
            """
        let s = TrafficSample.parse(text)
        XCTAssertEqual(s.requests, 9)
        XCTAssertEqual(s.errors5xx, 2)
        XCTAssertEqual(s.failedSignIns, 4)
        XCTAssertEqual(s.buckets, [0.1: 8, .infinity: 9])
        XCTAssertEqual(s.quantile(0.5), 0.1)
        XCTAssertEqual(s.quantile(0.95), .infinity)
    }

    func test_config_takesDefaultsForWhatIsLeftOut_andNamesWhatIsWrong() throws {
        let short = #"{"upstreamFile": "/var/lib/caresync-deploy/upstream.conf", "rollback": {"min5xx": 5}}"#
        let c = try JSONDecoder().decode(DeployConfig.self, from: Data(short.utf8))
        XCTAssertEqual(c.bluePort, 8081)
        XCTAssertEqual(c.greenPort, 8082)
        XCTAssertEqual(c.keepWarmMinutes, 30)
        XCTAssertEqual(c.rollback.min5xx, 5)
        XCTAssertEqual(c.rollback.max5xxRatio, 0.05)
        XCTAssertEqual(c.problems, [])

        var bad = c
        bad.greenPort = 8081
        bad.proxyReload = []
        bad.rollback.max5xxRatio = 2
        XCTAssertEqual(bad.problems.count, 3, "\(bad.problems)")
    }

    func test_upstream_namesOneLoopbackServer_neverMarkedDown() {
        let text = UpstreamFile.render(slot: .green, port: 8082, version: "1.4.0")
        XCTAssertTrue(text.contains("server 127.0.0.1:8082 max_fails=0;"))
        XCTAssertEqual(text.components(separatedBy: "server ").count - 1, 1)
        XCTAssertTrue(text.contains("live: green 1.4.0"))
    }

    func test_state_theIdleSlotIsTheOneNotLive() {
        XCTAssertEqual(DeployState().idle, .blue)
        XCTAssertEqual(DeployState(live: .blue).idle, .green)
        XCTAssertEqual(DeployState(live: .green).idle, .blue)
    }

    func test_rollbackPlan_printsTheCriteriaFromTheConfiguration_andTheCommands() {
        var c = DeployConfig(upstreamFile: "/u")
        c.rollback.maxP95Seconds = 1.5
        c.keepWarmMinutes = 45
        let text = RollbackPlan(config: c).text
        for part in ["5 %", "p95 latency above 1.5 s", "caresync rollback", "Medical Director", "45 min"] {
            XCTAssertTrue(text.contains(part), part)
        }
    }
}
