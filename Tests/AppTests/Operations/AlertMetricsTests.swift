import XCTest
import XCTVapor
import App
import Domain
import TestSupport
import AppCore

/// What the shipped alert rules read from /metrics: the security counters (from the audit events as they are
/// written), per-staff chart reads, and the scrape-time gauges. No patient is ever a label.
final class AlertMetricsTests: XCTestCase {
    func value(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
    }

    func test_securityCounters_startAtZero_andCountLockoutsDenialsAndChartReadsPerStaffAccount() async throws {
        try await withTestApp { app, clock in
            let start = try await HTTP.send(app, .GET, Site.metrics.path()).body.string
            for name in [
                "caresync_account_lockouts_total", "caresync_mfa_failures_total", "caresync_access_denials_total",
                "caresync_job_failures_total", "caresync_outbox_failures_total", "caresync_eprescribing_errors_total",
                "caresync_video_join_failures_total", "caresync_upload_failures_total",
            ] {
                XCTAssertEqual(value(start, name), 0, name)
            }

            let desk = try await Fixtures.user(app, .frontDesk)
            for _ in 0..<5 {
                _ = try await HTTP.send(
                    app, .POST, Site.apiAuthToken.path(), json: ["username": desk.username, "password": "wrong"])
            }
            let pid = try await Fixtures.patient(app)
            let support = try await Fixtures.bearer(app, try await Fixtures.user(app, .support), clock: clock)
            _ = try await HTTP.send(app, .GET, Site.apiPatient.path(pid), headers: support)
            let ma = try await Fixtures.user(app, .medicalAssistant, username: "ma.metrics")
            let h = try await Fixtures.bearer(app, ma, clock: clock)
            for _ in 0..<3 { _ = try await HTTP.send(app, .GET, Site.apiPatient.path(pid), headers: h) }

            let text = try await HTTP.send(app, .GET, Site.metrics.path()).body.string
            XCTAssertEqual(value(text, "caresync_account_lockouts_total"), 1)
            XCTAssertEqual(value(text, "caresync_failed_sign_ins_total"), 5)
            XCTAssertEqual(value(text, "caresync_access_denials_total"), 1)
            XCTAssertEqual(value(text, #"caresync_chart_reads_total{user="ma.metrics"}"#), 3)
            XCTAssertFalse(text.contains(pid.uuidString), "no patient id in any label")
        }
    }

    func test_scrapeTimeGauges_reportReadinessRecoveryAndQueues() async throws {
        try await withTestApp { app, _ in
            _ = try await HTTP.send(app, .GET, Site.login.path())
            let text = try await HTTP.send(app, .GET, Site.metrics.path()).body.string
            XCTAssertEqual(value(text, "caresync_ready"), 1)
            XCTAssertEqual(value(text, "caresync_last_backup_timestamp_seconds"), 0, "no backup yet: the alert fires")
            XCTAssertEqual(value(text, "caresync_last_drill_success"), 1)
            XCTAssertEqual(value(text, "caresync_audit_verification_ok"), 1)
            XCTAssertEqual(value(text, "caresync_job_queue_lag_seconds"), 0)
            XCTAssertEqual(value(text, #"caresync_video_visits{state="waiting"}"#), 0)
            let free = try XCTUnwrap(value(text, "caresync_data_dir_free_ratio"))
            XCTAssertTrue(free > 0 && free <= 1, "\(free)")
            XCTAssertTrue(text.contains(#"caresync_http_request_duration_seconds_bucket{method="GET","#), text)
            XCTAssertTrue(text.contains(#"le="2.0"}"#), "the 2 s bucket the latency alerts read")
        }
    }
}
