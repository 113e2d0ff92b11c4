import XCTest
import XCTVapor
import Fluent
import App
import AppCore
import Domain
import Incidents
import Alerts
import Notifications
import TestSupport

/// Incidents: an alert opens one, the on-call is paged, paged again, escalated when the acknowledge time runs out,
/// and the paging stops at the acknowledgement; the rules for states, severities and postmortems; who may do what.
final class IncidentsTests: XCTestCase {
    let token = String(repeating: "t", count: 40)

    func alert(_ name: String, severity: String, status: String, fingerprint: String) -> String {
        """
        {"version":"4","status":"\(status)","alerts":[{"status":"\(status)","labels":{"alertname":"\(name)",\
        "severity":"\(severity)"},"annotations":{"summary":"Video visits fail","runbook":"Check the TURN server."},\
        "startsAt":"2026-11-29T10:00:00Z","fingerprint":"\(fingerprint)"}]}
        """
    }

    func deliver(_ app: Application, _ raw: String) async throws {
        var h = HTTPHeaders()
        h.bearerAuthorization = .init(token: token)
        let res = try await HTTP.send(app, .POST, Site.apiAlertmanagerWebhook.path(), headers: h, raw: raw)
        XCTAssertEqual(res.status, .ok, res.body.string)
    }

    func pages(_ app: Application) async throws -> [OutboxMessageRecord] {
        try await OutboxMessageRecord.query(on: app.db).filter(\.$kind == "incident-page").sort(\.$createdAt).all()
    }

    func test_anAlertOpensOneIncident_pagesRepagesEscalates_andStopsAtTheAck() async throws {
        try await withTestApp(
            seedDemo: true,
            configure: {
                $0.alertToken = self.token; $0.incidentRepageMinutes = 5
            }
        ) { app, clock in
            let ops = try await Fixtures.user(app, .operator)
            let second = try await Fixtures.user(app, .support)
            let manager = try await Fixtures.user(app, .admin)
            let scope = app.systemScope("test")
            let now = clock.now()
            try await OnCallStore.addShift(
                scope, starts: now.addingTimeInterval(-3600), ends: now.addingTimeInterval(8 * 3600),
                primary: ops.username, secondary: second.username, manager: manager.username)
            for (u, phone) in [(ops, "+1 555 010 0001"), (second, "+1 555 010 0002"), (manager, "+1 555 010 0003")] {
                try await OnCallStore.setContact(
                    scope, username: u.username, email: "\(u.username)@practice.org", phone: phone)
            }

            try await deliver(
                app, alert("CareSyncVideoJoinFailures", severity: "P1", status: "firing", fingerprint: "f1"))
            // The same alert from another node (another fingerprint) while it is open: no second incident.
            try await deliver(
                app, alert("CareSyncVideoJoinFailures", severity: "P1", status: "firing", fingerprint: "f2"))
            let incidents = try await IncidentRecord.query(on: app.db).all()
            XCTAssertEqual(incidents.count, 1)
            let incident = try XCTUnwrap(incidents.first)
            XCTAssertEqual(incident.severity, "P1")
            XCTAssertEqual(incident.number, 1)
            var sent = try await pages(app)
            XCTAssertEqual(Set(sent.map(\.recipient)), ["\(ops.username)@practice.org", "+15550100001"])
            XCTAssertEqual(Set(sent.map(\.channel)), [.email, .sms])
            XCTAssertTrue(sent[0].subject.contains("[P1] CareSync incident #1"))
            XCTAssertNil(sent.first { $0.patientID != nil }, "no patient on a page")

            // Nothing is due a minute later; five minutes after the page it pages the primary again.
            clock.advance(by: 60)
            let quiet = try await IncidentStore.escalationPass(app)
            XCTAssertEqual(quiet, 0)
            clock.advance(by: 4 * 60)
            let again = try await IncidentStore.escalationPass(app)
            XCTAssertEqual(again, 1)
            sent = try await pages(app)
            XCTAssertEqual(sent.count, 4)
            // The P1 acknowledge time (15 min) runs out: the secondary is paged.
            clock.advance(by: 10 * 60)
            _ = try await IncidentStore.escalationPass(app)
            sent = try await pages(app)
            XCTAssertEqual(
                sent.suffix(2).map(\.recipient).sorted(), ["+15550100002", "\(second.username)@practice.org"])
            // The newest page's link acknowledges; an older one does not.
            let link = try XCTUnwrap(sent.last?.body.components(separatedBy: "token=").last)
            let oldLink = try XCTUnwrap(
                sent.first?.body.components(separatedBy: "token=").last?.components(
                    separatedBy: "\n"
                ).first)
            do {
                _ = try await IncidentStore.ack(app, token: oldLink)
                XCTFail("an older page's link no longer acknowledges")
            } catch AppError.notFound {}
            // The person paged follows the link in a browser that is not signed in: a page to confirm, then done.
            let phone = PageClient(app)
            let confirm = try await phone.get(Site.incidentAck.path() + "?token=\(link)")
            XCTAssertEqual(confirm.status, .ok)
            XCTAssertTrue(confirm.body.string.contains("I'm on it"))
            let stillPaging = try await IncidentRecord.find(incident.id, on: app.db)
            XCTAssertNil(stillPaging?.ackedAt, "opening the link (a mail scanner may) does not acknowledge")
            let done = try await phone.post(Site.incidentAck.path(), ["token": link])
            XCTAssertEqual(done.status, .ok)
            XCTAssertTrue(done.body.string.contains("Incident #1 (P1) is acknowledged"), done.body.string)
            let found = try await IncidentRecord.find(incident.id, on: app.db)
            let acked = try XCTUnwrap(found)
            XCTAssertEqual(acked.ackedBy, second.username)
            clock.advance(by: 30 * 60)
            let after = try await IncidentStore.escalationPass(app)
            XCTAssertEqual(after, 0, "acknowledged: the paging stops")

            try await deliver(
                app, alert("CareSyncVideoJoinFailures", severity: "P1", status: "resolved", fingerprint: "f1"))
            let reloaded = try await IncidentRecord.find(incident.id, on: app.db)
            let detail = try await IncidentsController.detail(
                try XCTUnwrap(reloaded), db: app.db, sla: app.config.incidentSLA, now: clock.now())
            XCTAssertEqual(
                detail.timeline.map(\.kind),
                ["opened", "page", "alert-fired", "page", "escalated", "page", "ack", "alert-resolved"])
            XCTAssertEqual(detail.incident.ackLeft, "met", "acknowledged at 15 min, the P1 limit")
        }
    }

    func test_backupsTakenWhileAnIncidentIsOpen_areOnItsTimeline() async throws {
        try await withTestApp(seedDemo: true) { app, clock in
            let dir = app.config.dataDir + "/backups"
            let m = try await Backups.backup(app.config, to: dir, kind: "manual", keep: nil, progress: { _ in })
            let source = try XCTUnwrap(app.storage[IncidentTimelineSource.self], "the assembly provides backups")
            let seen = source(m.createdAt.addingTimeInterval(-60), m.createdAt.addingTimeInterval(60))
            XCTAssertEqual(seen.map(\.kind), ["backup"])
            XCTAssertTrue(seen.first?.text.contains(m.id) == true)
            XCTAssertEqual(source(m.createdAt.addingTimeInterval(60), m.createdAt.addingTimeInterval(120)).count, 0)

            let ops = try await Fixtures.user(app, .operator)
            let h = try await Fixtures.bearer(app, ops, clock: clock)
            let opened = try await HTTP.send(
                app, .POST, Site.apiIncidents.path(), headers: h, json: ["title": "Backups slow", "severity": "P3"])
            let id = try opened.content.decode(IncidentsController.Detail.self).incident.id
            let r = try await IncidentRecord.find(id, on: app.db)
            let at = clock.now()
            let d = try await IncidentsController.detail(
                try XCTUnwrap(r), db: app.db, sla: app.config.incidentSLA, now: at,
                extra: { _, _ in [.init(at: at, kind: "backup", text: "Backup b1 (nightly) taken", actor: "caresync")] }
            )
            XCTAssertEqual(d.timeline.map(\.kind).filter { $0 != "page" }, ["opened", "backup"])
        }
    }

    func test_aSilentAlertingPath_opensAP1Incident_andTheWatchdogsReturnIsOnItsTimeline() async throws {
        try await withTestApp(configure: { $0.alertToken = self.token }) { app, clock in
            try await deliver(app, alert("Watchdog", severity: "P3", status: "firing", fingerprint: "w1"))
            let none = try await IncidentRecord.query(on: app.db).count()
            XCTAssertEqual(none, 0, "the Watchdog is not an incident")
            clock.advance(by: 6 * 60)
            try await AlertStore.checkWatchdog(app, minutes: 5)
            let opened = try await IncidentRecord.query(on: app.db).all()
            XCTAssertEqual(opened.map(\.alertname), [AlertStore.silentName])
            XCTAssertEqual(opened.first?.severity, "P1")
            try await deliver(app, alert("Watchdog", severity: "P3", status: "firing", fingerprint: "w1"))
            let kinds = try await IncidentEventRecord.query(on: app.db).sort(\.$at).all().map(\.kind)
            XCTAssertEqual(kinds, ["opened", "page", "alert-resolved"])
        }
    }

    func test_roster_refusesAShiftWithNobodyChosen_theSamePersonTwice_orBackwardsTimes() async throws {
        try await withTestApp(seedDemo: true) { app, clock in
            let ops = try await Fixtures.user(app, .operator)
            let other = try await Fixtures.user(app, .support)
            let scope = app.systemScope("test")
            let now = clock.now()
            func refused(_ starts: Date?, _ ends: Date?, _ p: String, _ s: String, _ m: String) async -> String? {
                do {
                    try await OnCallStore.addShift(
                        scope, starts: starts, ends: ends, primary: p, secondary: s, manager: m)
                    return nil
                } catch AppError.validation(let errors) {
                    return errors.first?.message
                } catch { return "\(error)" }
            }
            let later = now.addingTimeInterval(3600)
            let nobody = await refused(now, later, "", "", "")
            XCTAssertEqual(nobody?.hasPrefix("Choose an active staff account"), true, nobody ?? "")
            let twice = await refused(now, later, ops.username, ops.username, other.username)
            XCTAssertEqual(twice, "The secondary must be someone other than the primary.")
            let backwards = await refused(later, now, ops.username, other.username, other.username)
            XCTAssertEqual(backwards?.hasPrefix("The shift must end after it starts"), true)
            let patient = try await Fixtures.patientUser(app)
            let notStaff = await refused(now, later, patient.username, ops.username, other.username)
            XCTAssertNotNil(notStaff, "a patient account is never on call")
            let ok = await refused(now, later, ops.username, other.username, other.username)
            XCTAssertNil(ok, "the secondary may also be the manager")
            let shifts = try await OnCallShiftRecord.query(on: app.db).count()
            XCTAssertEqual(shifts, 1, "only the valid shift was saved")
        }
    }

    func test_slaSetting_readsWhatItCan_andNamesWhatItCannot() {
        let good = AppConfig.fromEnvironment(dataDir: "/tmp/x", env: ["CARESYNC_INCIDENT_SLA": "P0=2m/1h, P3=2d/14d"])
        XCTAssertEqual(good.incidentSLA.ack[.p0], 120)
        XCTAssertEqual(good.incidentSLA.resolve[.p3], 14 * 86400)
        XCTAssertEqual(good.incidentSLA.ack[.p1], 15 * 60, "the severities not named keep the standard")
        XCTAssertEqual(good.settingProblems, [])
        for bad in ["P1=8h/15m", "P9=5m/1h", "P1=soon/later", "P1=5m"] {
            let c = AppConfig.fromEnvironment(dataDir: "/tmp/x", env: ["CARESYNC_INCIDENT_SLA": bad])
            XCTAssertEqual(c.incidentSLA, .standard, bad)
            XCTAssertEqual(c.settingProblems.count, 1, bad)
            XCTAssertTrue(c.settingProblems.first?.contains("CARESYNC_INCIDENT_SLA") == true, bad)
        }
    }

    func test_rules_resolveNeedsANote_downgradeNeedsAReason_P1NeedsAPostmortem_slaTimeLeft() async throws {
        try await withTestApp(seedDemo: true) { app, clock in
            let ops = try await Fixtures.user(app, .operator)
            let h = try await Fixtures.bearer(app, ops, clock: clock)
            let opened = try await HTTP.send(
                app, .POST, Site.apiIncidents.path(), headers: h,
                json: ["title": "Portal sign-in fails at Eastside", "severity": "P1"])
            XCTAssertEqual(opened.status, .created, opened.body.string)
            let d = try opened.content.decode(IncidentsController.Detail.self)
            XCTAssertEqual(d.incident.ackLeft, "15 min left")
            XCTAssertEqual(d.incident.resolveLeft, "8 h left")
            XCTAssertTrue(d.incident.postmortemRequired)
            let id = d.incident.id

            let noNote = try await HTTP.send(
                app, .POST, Site.apiIncidentState.path(id), headers: h, json: ["state": "resolved"])
            XCTAssertEqual(noNote.status, .unprocessableEntity)
            XCTAssertTrue(noNote.body.string.contains("resolution note is required"), noNote.body.string)
            let noReason = try await HTTP.send(
                app, .POST, Site.apiIncidentSeverity.path(id), headers: h, json: ["severity": "P3"])
            XCTAssertEqual(noReason.status, .unprocessableEntity)
            clock.advance(by: 20 * 60)
            let h2 = try await Fixtures.bearer(app, ops, clock: clock)  // the first session has gone idle
            let late = try await HTTP.send(app, .GET, Site.apiIncident.path(id), headers: h2)
            XCTAssertEqual(late.status, .ok)
            let lateDetail = try late.content.decode(IncidentsController.Detail.self)
            XCTAssertEqual(lateDetail.incident.ackLeft, "overdue by 5 min", "P1's 15 minutes, counted from opening")
            let down = try await HTTP.send(
                app, .POST, Site.apiIncidentSeverity.path(id), headers: h2,
                json: ["severity": "P2", "reason": "Only one location affected; phone booking works"])
            XCTAssertEqual(down.status, .ok)
            let downgraded = try down.content.decode(IncidentsController.Detail.self)
            XCTAssertEqual(downgraded.incident.severity, "P2")
            XCTAssertTrue(downgraded.incident.postmortemRequired, "it was P1: the postmortem stays required")
            let audit = try await Fixtures.auditRows(app, action: .update)
            XCTAssertTrue(
                audit.contains { $0.detail.contains("P1 → P2 (Only one location") }, "the downgrade is audited")

            let resolved = try await HTTP.send(
                app, .POST, Site.apiIncidentState.path(id), headers: h2,
                json: ["state": "resolved", "note": "Restarted the portal node; sign-in works again."])
            XCTAssertEqual(resolved.status, .ok)

            // The postmortem: refused until it has every part and an action item with an owner and a date.
            let scope = AuditScope(
                app: app, db: app.db,
                context: AuditContext(
                    actor: Principal(userID: ops.id, username: ops.username, role: .operator), device: "test"))
            do {
                _ = try await IncidentStore.writePostmortem(
                    scope, id: id,
                    .init(impact: "Patients at Eastside could not sign in for 40 min.", rootCause: "", wentWell: ""))
                XCTFail("an incomplete postmortem is refused")
            } catch AppError.validation(let errors) {
                let detail = errors.map(\.message).joined()
                XCTAssertTrue(detail.contains("Name the root cause") && detail.contains("action item"), detail)
            }
            let written = try await IncidentStore.writePostmortem(
                scope, id: id,
                .init(
                    impact: "Patients at Eastside could not sign in for 40 min.", rootCause: "A full disk.",
                    wentWell: "The alert came within a minute.", actionItem: "Alert on disk at 80 %", owner: "ops.chen",
                    due: "2026-12-15"))
            XCTAssertNotNil(written.pmWrittenAt)
            // Over the API as well: the action item done, on the timeline.
            let shown = try await HTTP.send(app, .GET, Site.apiIncident.path(id), headers: h2)
            let items = try shown.content.decode(IncidentsController.Detail.self).actionItems
            let item = try XCTUnwrap(items.first)
            let done = try await HTTP.send(app, .POST, Site.apiIncidentActionItemDone.path(id, item.id), headers: h2)
            XCTAssertEqual(done.status, .ok)
            let after = try done.content.decode(IncidentsController.Detail.self)
            XCTAssertNotNil(after.actionItems.first?.doneAt)
            XCTAssertEqual(after.timeline.last?.kind, "action-item")
            let again = try await HTTP.send(app, .POST, Site.apiIncidentActionItemDone.path(id, item.id), headers: h2)
            XCTAssertEqual(again.status, .conflict)
            let pm = try await HTTP.send(
                app, .POST, Site.apiIncidentPostmortem.path(id), headers: h2,
                json: ["impact": "x", "rootCause": "", "wentWell": "y"])
            XCTAssertEqual(pm.status, .unprocessableEntity, "a postmortem without its root cause is refused")
        }
    }

    func test_whoMay_readOpenWorkAndKeepTheRoster() async throws {
        try await withTestApp(seedDemo: true) { app, clock in
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let ops = try await Fixtures.bearer(app, try await Fixtures.user(app, .operator), clock: clock)
            let patient = try await Fixtures.bearer(app, try await Fixtures.patientUser(app), clock: clock)
            let opened = try await HTTP.send(
                app, .POST, Site.apiIncidents.path(), headers: desk,
                json: ["title": "The front-desk printer page shows an error", "severity": "P3"])
            XCTAssertEqual(opened.status, .created, "any staff member may open one")
            let id = try opened.content.decode(IncidentsController.Detail.self).incident.id
            let deskAck = try await HTTP.send(app, .POST, Site.apiIncidentAck.path(id), headers: desk)
            XCTAssertEqual(deskAck.status, .forbidden, "the front desk does not work incidents")
            let patientList = try await HTTP.send(app, .GET, Site.apiIncidents.path(), headers: patient)
            XCTAssertEqual(patientList.status, .forbidden)
            let anonymous = try await HTTP.send(app, .GET, Site.apiIncidents.path())
            XCTAssertEqual(anonymous.status, .unauthorized)
            let ack = try await HTTP.send(app, .POST, Site.apiIncidentAck.path(id), headers: ops)
            XCTAssertEqual(ack.status, .ok)
            let twice = try await HTTP.send(app, .POST, Site.apiIncidentAck.path(id), headers: ops)
            XCTAssertEqual(twice.status, .conflict)
            let html = try await HTTP.send(
                app, .POST, Site.apiIncidentNotes.path(id), headers: ops,
                json: ["note": "<script>alert(1)</script> rebooted the printer"])
            XCTAssertEqual(html.status, .ok)
            let control = try await HTTP.send(
                app, .POST, Site.apiIncidentNotes.path(id), headers: ops, json: ["note": "bad\u{0}note"])
            XCTAssertTrue([400, 422].contains(control.status.code), "a NUL in a note is refused")

            let web = PageClient(app)
            try await web.signIn(try await Fixtures.user(app, .operator), clock: clock)
            let page = try await web.get(Site.incident.path(id))
            XCTAssertEqual(page.status, .ok)
            XCTAssertFalse(page.body.string.contains("<script>alert(1)"), "typed HTML is shown as text")
            XCTAssertTrue(page.body.string.contains("&lt;script&gt;"))
            let deskWeb = PageClient(app)
            try await deskWeb.signIn(try await Fixtures.user(app, .frontDesk), clock: clock)
            let roster = try await deskWeb.get(Site.onCall.path())
            XCTAssertEqual(roster.status, .forbidden, "the roster is kept by operators and admins")
            let other = try await HTTP.send(app, .GET, Site.apiIncident.path(UUID()), headers: ops)
            XCTAssertEqual(other.status, .notFound)
        }
    }
}
