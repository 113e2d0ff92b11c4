import XCTest
import XCTVapor
import Fluent
import App
import Alerts
import Domain
import TestSupport
import AppCore
import Notifications

/// Alertmanager → CareSync: the webhook takes only its token, records each alert once per fingerprint, tells the
/// people on duty once through the outbox, records the resolution, and raises an alert of its own when the Watchdog
/// stops arriving.
final class AlertsWebhookTests: XCTestCase {
    let token = String(repeating: "t", count: 40)

    func body(_ alerts: [(name: String, severity: String, status: String, fingerprint: String)]) -> String {
        let items = alerts.map { a in
            """
            {"status":"\(a.status)","labels":{"alertname":"\(a.name)","severity":"\(a.severity)","job":"caresync"},\
            "annotations":{"summary":"\(a.name) summary","runbook":"Do the thing for \(a.name)."},\
            "startsAt":"2026-11-29T10:00:00.123Z","endsAt":"0001-01-01T00:00:00Z",\
            "generatorURL":"http://prometheus/graph","fingerprint":"\(a.fingerprint)"}
            """
        }
        return #"{"version":"4","status":"firing","receiver":"caresync","alerts":["# + items.joined(separator: ",")
            + "]}"
    }

    func post(_ app: Application, _ raw: String, token: String?) async throws -> XCTHTTPResponse {
        var h = HTTPHeaders()
        if let token { h.bearerAuthorization = .init(token: token) }
        return try await HTTP.send(app, .POST, Site.apiAlertmanagerWebhook.path(), headers: h, raw: raw)
    }

    func test_webhook_recordsOncePerFingerprint_notifiesOnce_andRecordsTheResolution() async throws {
        try await withTestApp(configure: {
            $0.alertToken = self.token; $0.onCallEmails = ["oncall@example.org"]
        }) {
            app, clock in
            let firing = body([("CareSyncErrorBurst", "P2", "firing", "abc123"), ("Watchdog", "P3", "firing", "w1")])
            for t in [nil, "wrong-token-wrong-token-wrong-token-xx"] {
                let refused = try await post(app, firing, token: t)
                XCTAssertEqual(refused.status, .unauthorized)
            }
            let none = try await AlertRecord.query(on: app.db).count()
            XCTAssertEqual(none, 0, "nothing recorded without the token")
            let bad = try await post(app, #"{"alerts":[{"labels":{}}]}"#, token: token)
            XCTAssertEqual(bad.status, .badRequest)

            let first = try await post(app, firing, token: token)
            XCTAssertEqual(first.status, .ok)
            clock.advance(by: 60)
            _ = try await post(app, firing, token: token)
            let rows = try await AlertRecord.query(on: app.db).filter(\.$alertname == "CareSyncErrorBurst").all()
            XCTAssertEqual(rows.count, 1)
            XCTAssertEqual(rows.first?.receivedCount, 2)
            let notices = try await OutboxMessageRecord.query(on: app.db).filter(\.$kind == "alert").all()
            XCTAssertEqual(notices.map(\.subject), ["[P2] CareSyncErrorBurst"], "told once, and not about the Watchdog")
            XCTAssertTrue(notices[0].body.contains("Do the thing"))

            // A large delivery (over the site's 64 KB default body): every alert recorded.
            let many = (0..<300).map { ("CareSyncJobLag", "P2", "firing", "many-\($0)") }
            let big = body(many)
            XCTAssertGreaterThan(big.utf8.count, 64 * 1024)
            let bulk = try await post(app, big, token: token)
            XCTAssertEqual(bulk.status, .ok)
            XCTAssertEqual(try bulk.content.decode(AlertStore.Received.self).new, 300)

            _ = try await post(app, body([("CareSyncErrorBurst", "P2", "resolved", "abc123")]), token: token)
            let resolved = try await AlertRecord.query(on: app.db).filter(\.$fingerprint == "abc123").first()
            XCTAssertEqual(resolved?.status, "resolved")
            XCTAssertNotNil(resolved?.resolvedAt)
        }
    }

    func test_aSilentWatchdog_raisesAnAlertOfItsOwn_whichTheNextWatchdogResolves() async throws {
        try await withTestApp(configure: {
            $0.alertToken = self.token; $0.onCallEmails = ["oncall@example.org"]
        }) {
            app, clock in
            _ = try await post(app, body([("Watchdog", "P3", "firing", "w1")]), token: token)
            try await AlertStore.checkWatchdog(app, minutes: 5)
            let firing = try await AlertRecord.query(on: app.db).filter(\.$status == "firing").count()
            XCTAssertEqual(firing, 1, "the Watchdog only: it just arrived")
            clock.advance(by: 6 * 60)
            try await AlertStore.checkWatchdog(app, minutes: 5)
            let silent = try await AlertRecord.query(on: app.db).filter(\.$alertname == AlertStore.silentName).first()
            XCTAssertEqual(silent?.status, "firing")
            XCTAssertEqual(silent?.severity, "P1")
            let subjects = try await OutboxMessageRecord.query(on: app.db).filter(\.$kind == "alert").all().map(
                \.subject)
            XCTAssertEqual(subjects, ["[P1] AlertingPathSilent"])
            _ = try await post(app, body([("Watchdog", "P3", "firing", "w1")]), token: token)
            let after = try await AlertRecord.query(on: app.db).filter(\.$alertname == AlertStore.silentName).first()
            XCTAssertEqual(after?.status, "resolved")
        }
    }

    func test_alerts_areListedForOperatorsAndAdminsOnly() async throws {
        try await withTestApp(configure: { $0.alertToken = self.token }) { app, clock in
            _ = try await post(app, body([("CareSyncDiskNearlyFull", "P2", "firing", "d1")]), token: token)
            let opsToken = try await Fixtures.bearer(app, try await Fixtures.user(app, .operator), clock: clock)
            let list = try await HTTP.send(app, .GET, Site.apiAlerts.path(), headers: opsToken)
            XCTAssertEqual(list.status, .ok)
            XCTAssertEqual(
                try list.content.decode(AlertsController.AlertList.self).alerts.map(\.alertname),
                ["CareSyncDiskNearlyFull"])
            let page = PageClient(app)
            try await page.signIn(try await Fixtures.user(app, .operator), clock: clock)
            let ops = try await page.get(Site.ops.path()).body.string
            XCTAssertTrue(ops.contains("Alerts firing now: 1"), ops)
            XCTAssertTrue(ops.contains("P2 CareSyncDiskNearlyFull: CareSyncDiskNearlyFull summary"))
            XCTAssertTrue(ops.contains("What to do: Do the thing for CareSyncDiskNearlyFull."))
            XCTAssertTrue(ops.contains("No alert has arrived yet"), "no Watchdog has come in this test")
            for role in [Role.frontDesk, .provider, .support] {
                let h = try await Fixtures.bearer(app, try await Fixtures.user(app, role), clock: clock)
                let res = try await HTTP.send(app, .GET, Site.apiAlerts.path(), headers: h)
                XCTAssertEqual(res.status, .forbidden, "\(role)")
            }
        }
    }
}
