import XCTest
import XCTVapor
import Fluent
import App
import AppCore
import Domain
import HelpDesk
import Incidents
import Notifications
import TestSupport

/// The help desk: a patient asks from the portal, the help desk answers, the patient is told without the words;
/// nobody else sees the request; the help desk's own fields stay with the help desk; SLA figures; conversion to an
/// incident.
final class HelpDeskTests: XCTestCase {
    func test_aPatientAsks_theHelpDeskAnswers_thePatientIsToldWithoutPHI_andNoOtherPatientSeesIt() async throws {
        try await withTestApp(seedDemo: true) { app, clock in
            let pid = try await Fixtures.patient(app, family: "Helpwanted", given: "Rosa", email: "rosa@example.org")
            let patient = try await Fixtures.user(app, .patient, patientID: pid)
            let other = try await Fixtures.patientUser(app, family: "Otherpatient")
            let support = try await Fixtures.user(app, .support)
            let front = try await Fixtures.user(app, .frontDesk)

            // The portal's Help page: the form, then the request.
            let browser = PageClient(app)
            try await browser.signIn(patient, clock: clock, portal: true)
            let help = try await browser.get(Site.portalHelp.path())
            XCTAssertEqual(help.status, .ok)
            XCTAssertTrue(help.body.string.contains("id=\"send-ticket\""))
            let empty = try await browser.post(Site.portalHelp.path(), ["category": "video", "description": " "])
            XCTAssertEqual(empty.status, .unprocessableEntity, "an empty request is refused and says why")
            XCTAssertTrue(empty.body.string.contains("Write something here."))
            let none = try await HelpTicketRecord.query(on: app.db).count()
            XCTAssertEqual(none, 0)
            let sent = try await browser.post(
                Site.portalHelp.path(),
                ["category": "video", "description": "The video visit says my camera is blocked <b>again</b>."])
            XCTAssertEqual(sent.status, .seeOther, sent.body.string)
            let first = try await HelpTicketRecord.query(on: app.db).first()
            let ticket = try XCTUnwrap(first)
            XCTAssertEqual(ticket.patientID, pid)
            XCTAssertEqual(ticket.priority, .high, "video is high by default")
            let page = try await browser.get(try XCTUnwrap(sent.headers.first(name: .location)))
            XCTAssertTrue(page.body.string.contains("&lt;b&gt;again&lt;/b&gt;"), "the words are text, not markup")
            XCTAssertFalse(page.body.string.contains("Priority"), "a patient never sees the priority")

            // The help desk answers (and writes an internal note the patient must not see).
            let desk = try await Fixtures.bearer(app, support, clock: clock)
            let queue = try await HTTP.send(app, .GET, Site.apiHelpTickets.path(), headers: desk)
            XCTAssertEqual(queue.status, .ok)
            let listed = try queue.content.decode(HelpDeskStore.TicketList.self).tickets
            XCTAssertEqual(listed.map(\.number), [ticket.number])
            XCTAssertEqual(listed.first?.priority, .high)
            XCTAssertTrue(
                ["2 h left", "1 h 59 min left"].contains(listed.first?.firstResponseLeft ?? ""),
                listed.first?.firstResponseLeft ?? "")
            let id = try ticket.requireID()
            let note = try await HTTP.send(
                app, .POST, Site.apiHelpTicketReplies.path(id), headers: desk,
                json: ["body": "Rosa's browser is an old Safari.", "internal": "true"].mapValues { $0 })
            XCTAssertEqual(note.status, .badRequest, "internal is a boolean")
            struct Reply: Encodable {
                let body: String
                let `internal`: Bool
            }
            let noted = try await HTTP.send(
                app, .POST, Site.apiHelpTicketReplies.path(id), headers: desk,
                json: Reply(body: "Her browser is an old Safari.", internal: true))
            XCTAssertEqual(noted.status, .ok, noted.body.string)
            let noNotice = try await OutboxMessageRecord.query(on: app.db).filter(\.$kind == "help-reply").count()
            XCTAssertEqual(noNotice, 0, "an internal note tells nobody")
            clock.advance(by: 20 * 60)
            let desk2 = try await Fixtures.bearer(app, support, clock: clock)
            let answered = try await HTTP.send(
                app, .POST, Site.apiHelpTicketReplies.path(id), headers: desk2,
                json: Reply(body: "Allow the camera in Settings › Safari › Camera, then join again.", internal: false))
            XCTAssertEqual(answered.status, .ok, answered.body.string)
            let after = try answered.content.decode(HelpDeskStore.TicketDetail.self)
            XCTAssertEqual(after.ticket.status, .waiting)
            XCTAssertEqual(after.ticket.firstResponseLeft, "met")

            let notices = try await OutboxMessageRecord.query(on: app.db).filter(\.$kind == "help-reply").all()
            XCTAssertEqual(Set(notices.map(\.channel)), [.portal, .email])
            for n in notices {
                XCTAssertFalse(n.body.contains("camera") || n.body.contains("Safari") || n.subject.contains("video"))
                XCTAssertFalse(n.body.contains("Rosa") || n.body.contains("Helpwanted"), "no PHI in the notice")
                XCTAssertTrue(n.body.contains("open Help"), n.body)
            }

            // The patient reads the answer in the portal (signed in again: the first session went idle), not the
            // internal note.
            try await browser.signIn(patient, clock: clock, portal: true)
            let thread = try await browser.get(Site.portalHelpTicket.path(id))
            XCTAssertTrue(thread.body.string.contains("Allow the camera"))
            XCTAssertFalse(thread.body.string.contains("old Safari"), "internal notes stay with the help desk")
            let api = try await Fixtures.bearer(app, patient, clock: clock)
            let own = try await HTTP.send(app, .GET, Site.apiHelpTicket.path(id), headers: api)
            let mine = try own.content.decode(HelpDeskStore.TicketDetail.self)
            XCTAssertNil(mine.ticket.priority)
            XCTAssertNil(mine.ticket.assignedTo)
            XCTAssertEqual(mine.replies.count, 1)
            // The patient's reply opens it again for the help desk.
            let back = try await browser.post(Site.portalHelpTicket.path(id), ["body": "That worked, thank you."])
            XCTAssertEqual(back.status, .seeOther)
            let reopened = try await HelpTicketRecord.find(id, on: app.db)
            XCTAssertEqual(reopened?.status, .open)

            // Nobody else: another patient, and staff who are not the help desk.
            let stranger = try await Fixtures.bearer(app, other, clock: clock)
            let peek = try await HTTP.send(app, .GET, Site.apiHelpTicket.path(id), headers: stranger)
            XCTAssertEqual(peek.status, .notFound, "another patient's request does not exist for them")
            let theirList = try await HTTP.send(app, .GET, Site.apiHelpTickets.path(), headers: stranger)
            let theirs = try theirList.content.decode(HelpDeskStore.TicketList.self).tickets
            XCTAssertEqual(theirs.count, 0)
            let otherBrowser = PageClient(app)
            try await otherBrowser.signIn(other, clock: clock, portal: true)
            let otherPage = try await otherBrowser.get(Site.portalHelpTicket.path(id))
            XCTAssertEqual(otherPage.status, .notFound)
            let reply = try await otherBrowser.post(Site.portalHelpTicket.path(id), ["body": "hello"])
            XCTAssertEqual(reply.status, .notFound)
            let frontDesk = try await Fixtures.bearer(app, front, clock: clock)
            let frontPeek = try await HTTP.send(app, .GET, Site.apiHelpTicket.path(id), headers: frontDesk)
            XCTAssertEqual(frontPeek.status, .notFound)
            let frontChange = try await HTTP.send(
                app, .PATCH, Site.apiHelpTicket.path(id), headers: frontDesk, json: ["priority": "low"])
            XCTAssertEqual(frontChange.status, .forbidden)
            let patientChange = try await HTTP.send(
                app, .PATCH, Site.apiHelpTicket.path(id), headers: api, json: ["priority": "low"])
            XCTAssertEqual(patientChange.status, .forbidden, "the requester does not set their own priority")
            let replies = try await HelpTicketReplyRecord.query(on: app.db).count()
            XCTAssertEqual(replies, 3, "the refused requests changed nothing")

            // Every read and change of the patient's request is audited under the patient.
            let audited = try await Fixtures.auditRows(app, patientID: pid).filter { $0.entityType == "HelpTicket" }
            XCTAssertTrue(audited.contains { $0.action == AuditAction.create.rawValue })
            XCTAssertTrue(audited.contains { $0.action == AuditAction.read.rawValue })
            XCTAssertGreaterThanOrEqual(audited.filter { $0.action == AuditAction.update.rawValue }.count, 3)
        }
    }

    func test_staffGetHelpFromAnyPage_theDeskWorksIt_turnsItIntoAnIncident_andTheFiguresCountTheSLA() async throws {
        try await withTestApp(seedDemo: true) { app, clock in
            let provider = try await Fixtures.user(app, .provider)
            let support = try await Fixtures.user(app, .support)
            let web = PageClient(app)
            try await web.signIn(provider, clock: clock)
            let schedule = try await web.get(Site.schedule.path())
            XCTAssertTrue(
                schedule.body.string.contains("href=\"/help/new?from=/schedule\""),
                "every staff page links to Get help with the page it is on")
            let form = try await web.get(Site.helpNew.path() + "?from=/schedule?patient=123")
            XCTAssertTrue(
                form.body.string.contains("value=\"/schedule\""), "the query (it may name a record) is dropped")
            let bad = try await web.post(
                Site.help.path(), ["category": "nope", "description": "x", "page": "/schedule"])
            XCTAssertEqual(bad.status, .unprocessableEntity)
            XCTAssertTrue(bad.body.string.contains("Choose what it is about."))
            let control = try await web.post(
                Site.help.path(), ["category": "appointments", "description": "bad\u{0}byte", "page": "/schedule"])
            XCTAssertEqual(control.status, .badRequest, "a NUL byte is refused before any page reads the form")
            let huge = try await web.post(
                Site.help.path(),
                ["category": "appointments", "description": String(repeating: "a", count: 4001), "page": "/x"])
            XCTAssertEqual(huge.status, .unprocessableEntity)
            let sent = try await web.post(
                Site.help.path(),
                [
                    "category": "appointments", "subject": "Calendar is blank",
                    "description": "Eastside calendar shows no visits since 8:00.", "page": "/schedule",
                ])
            XCTAssertEqual(sent.status, .seeOther, sent.body.string)
            let first = try await HelpTicketRecord.query(on: app.db).first()
            let t = try XCTUnwrap(first)
            XCTAssertEqual(t.page, "/schedule")
            XCTAssertNil(t.patientID)
            let own = try await web.get(Site.helpTicket.path(try t.requireID()))
            XCTAssertFalse(own.body.string.contains("Turn it into an incident"), "only the help desk works it")

            let desk = PageClient(app)
            try await desk.signIn(support, clock: clock)
            let queue = try await desk.get(Site.help.path())
            XCTAssertTrue(queue.body.string.contains("#1 Calendar is blank"))
            XCTAssertTrue(queue.body.string.contains("id=\"help-metrics\""))
            let id = try t.requireID()
            let assigned = try await desk.post(
                Site.helpTicketAction.path(id, "change"),
                ["priority": "urgent", "status": "open", "category": "appointments", "assignedTo": support.username])
            XCTAssertEqual(assigned.status, .seeOther, assigned.body.string)
            let notDesk = try await desk.post(
                Site.helpTicketAction.path(id, "change"),
                ["priority": "urgent", "status": "open", "category": "appointments", "assignedTo": provider.username])
            XCTAssertEqual(notDesk.status, .unprocessableEntity, "only help desk members are assigned")
            let converted = try await desk.post(
                Site.helpTicketAction.path(id, "incident"), ["severity": "P1", "title": "Eastside calendar blank"])
            XCTAssertEqual(converted.status, .seeOther)
            let opened = try await IncidentRecord.query(on: app.db).first()
            let incident = try XCTUnwrap(opened)
            XCTAssertEqual(incident.source, "ticket")
            XCTAssertEqual(incident.severity, "P1")
            let again = try await desk.post(Site.helpTicketAction.path(id, "incident"), ["severity": "P1"])
            XCTAssertEqual(again.status, .conflict, "once is enough")
            let incidents = try await IncidentRecord.query(on: app.db).count()
            XCTAssertEqual(incidents, 1)
            let shown = try await desk.get(Site.helpTicket.path(id))
            XCTAssertTrue(shown.body.string.contains("Turned into incident #1."))

            // Urgent: 30 min to the first answer; answered after 45 min it is late; resolved in 3 h, within 4 h.
            clock.advance(by: 45 * 60)
            let early = try await Fixtures.bearer(app, support, clock: clock)
            _ = try await HTTP.send(
                app, .POST, Site.apiHelpTicketReplies.path(id), headers: early,
                json: ["body": "We are on it: incident #1."])
            clock.advance(by: 135 * 60)
            let h = try await Fixtures.bearer(app, support, clock: clock)
            let done = try await HTTP.send(
                app, .PATCH, Site.apiHelpTicket.path(id), headers: h, json: ["status": "resolved"])
            XCTAssertEqual(done.status, .ok, done.body.string)
            let m = try await HTTP.send(app, .GET, Site.apiHelpTicketsMetrics.path() + "?days=7", headers: h)
            let figures = try m.content.decode(HelpDeskMetrics.self)
            XCTAssertEqual(figures.tickets, 1)
            XCTAssertEqual(figures.byCategory, ["appointments": 1])
            XCTAssertEqual(figures.firstResponseMissed, 1)
            XCTAssertEqual(figures.resolvedWithinSLA, 1)
            XCTAssertEqual(figures.percentWithinSLA, 100)
            let badDays = try await HTTP.send(app, .GET, Site.apiHelpTicketsMetrics.path() + "?days=0", headers: h)
            XCTAssertEqual(badDays.status, .unprocessableEntity)
            let providerAPI = try await Fixtures.bearer(app, provider, clock: clock)
            let refused = try await HTTP.send(app, .GET, Site.apiHelpTicketsMetrics.path(), headers: providerAPI)
            XCTAssertEqual(refused.status, .forbidden)
        }
    }

    func test_metrics_countLateAndOpenPastTheTarget_asMissed() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let sla = TicketSLA.standard
        func f(_ p: TicketPriority, opened h: Double, answered a: Double?, resolved r: Double?) -> TicketFacts {
            TicketFacts(
                category: .video, priority: p, openedAt: now.addingTimeInterval(-h * 3600),
                firstResponseAt: a.map { now.addingTimeInterval(-h * 3600 + $0 * 60) },
                resolvedAt: r.map { now.addingTimeInterval(-h * 3600 + $0 * 3600) })
        }
        let m = HelpDeskMetrics.compute(
            [
                f(.urgent, opened: 10, answered: 10, resolved: 2),  // in time
                f(.urgent, opened: 10, answered: 40, resolved: 5),  // late both
                f(.normal, opened: 100, answered: nil, resolved: nil),  // open past 3 days
                f(.low, opened: 1, answered: nil, resolved: nil),  // open, inside its time
            ], sla: sla, now: now)
        XCTAssertEqual(m.tickets, 4)
        XCTAssertEqual(m.open, 2)
        XCTAssertEqual(m.resolvedWithinSLA, 1)
        XCTAssertEqual(m.missedSLA, 2)
        XCTAssertEqual(m.percentWithinSLA, 33.3)
        XCTAssertEqual(m.firstResponseWithinTarget, 1)
        XCTAssertEqual(m.firstResponseMissed, 2)
        XCTAssertEqual(m.firstResponseMedianMinutes, 40)
        XCTAssertEqual(HelpDeskRules.page(from: "//evil.example/x"), nil)
        XCTAssertEqual(HelpDeskRules.page(from: "/patients/1?q=Smith"), "/patients/1")
        XCTAssertEqual(HelpDeskRules.page(from: "/a\"><script>"), nil)
    }
}
