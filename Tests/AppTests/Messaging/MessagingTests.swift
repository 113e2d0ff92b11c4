import XCTest
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import Accounts
import AppCore
import Messaging
import Notifications
import Patients

final class MessagingTests: XCTestCase {
    struct Summary: Decodable {
        let id: UUID; let subject: String; let urgent: Bool; let urgentWords: [String]?; let unread: Bool;
        let assignedTo: UUID?
    }
    struct Thread: Decodable { let summary: Summary; let messages: [Message] }
    struct Message: Decodable { let body: String; let senderSide: String }

    func test_urgentWords_areFoundAsWholeWords() {
        XCTAssertEqual(
            MessageRules.urgentWords(in: "I have a FEVER and the red streak is spreading."),
            ["fever", "red streak", "spreading"])
        XCTAssertEqual(MessageRules.urgentWords(in: "Bloodwork results? Feverfew tea?"), [], "not inside other words")
        XCTAssertEqual(
            MessageRules.check(subject: "", body: " ", needsSubject: true).map(\.field), ["subject", "body"])
    }

    func test_patientWrites_staffInboxFlagsUrgent_replyNotifiesWithoutPHI_readStateOnBothSides() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let patient = try await Fixtures.patientUser(app, family: "Writer")
            let pid = patient.patientID!
            _ = try await PatientStore(scope: app.systemScope("test")).update(
                pid, PatientInput(email: "writer@example.org"), expectedVersion: nil)
            let auth = try await Fixtures.bearer(app, patient, clock: clock)
            let started = try await HTTP.send(
                app, .POST, Site.apiPatientConversations.path(pid), headers: auth,
                json: [
                    "subject": "Toe after surgery", "locationId": w.main.uuidString,
                    "body": "Since last night I have a fever and there is pus on the dressing.",
                ])
            XCTAssertEqual(started.status, .created, started.body.string)
            let thread = try started.content.decode(Thread.self)
            XCTAssertFalse(thread.summary.urgent, "the patient does not see the triage flag")
            XCTAssertNil(thread.summary.urgentWords)

            let maUser = try await Fixtures.user(app, .medicalAssistant)
            let ma = try await Fixtures.bearer(app, maUser, clock: clock)
            let calm = try await HTTP.send(
                app, .POST, Site.apiPatientConversations.path(pid), headers: auth,
                json: ["subject": "Parking", "locationId": w.lake.uuidString, "body": "Where do I park?"])
            XCTAssertEqual(calm.status, .created)
            let inbox = try await HTTP.send(app, .GET, Site.apiInbox.path(), headers: ma)
            let rows = try inbox.content.decode([Summary].self)
            XCTAssertEqual(rows.map(\.subject), ["Toe after surgery", "Parking"], "urgent first")
            XCTAssertEqual(rows[0].urgentWords, ["fever", "pus"])
            XCTAssertTrue(rows.allSatisfy(\.unread))
            let urgentOnly = try await HTTP.send(app, .GET, Site.apiInbox.path() + "?urgent=1", headers: ma)
            XCTAssertEqual(try urgentOnly.content.decode([Summary].self).count, 1)
            let lake = try await HTTP.send(
                app, .GET, Site.apiInbox.path() + "?location=\(w.lake.uuidString)", headers: ma)
            XCTAssertEqual(try lake.content.decode([Summary].self).map(\.subject), ["Parking"])

            // Reading marks it read for staff; the reply assigns it and queues a notice that says only "a message is
            // waiting".
            let read = try await HTTP.send(
                app, .GET, Site.apiConversation.path(thread.summary.id), headers: ma)
            XCTAssertEqual(try read.content.decode(Thread.self).messages.map(\.senderSide), ["patient"])
            let reply = try await HTTP.send(
                app, .POST, Site.apiConversationMessages.path(thread.summary.id), headers: ma,
                json: ["body": "Please come in today at 2 pm; we will look at the wound."])
            XCTAssertEqual(reply.status, .created)
            let mine = try await HTTP.send(app, .GET, Site.apiInbox.path() + "?assigned=me", headers: ma)
            XCTAssertEqual(try mine.content.decode([Summary].self).map(\.subject), ["Toe after surgery"])
            let notices = try await OutboxMessageRecord.query(on: app.db).filter(\.$kind == "message-waiting").all()
            XCTAssertEqual(Set(notices.map(\.channel)), [.portal, .email])
            for n in notices {
                XCTAssertFalse(
                    n.body.contains("wound") || n.body.contains("2 pm") || n.body.contains("Toe")
                        || n.subject.contains("Toe"), n.body)
            }
            let patientView = try await HTTP.send(
                app, .GET, Site.apiPatientConversations.path(pid), headers: auth)
            let forPatient = try patientView.content.decode([Summary].self)
            XCTAssertEqual(forPatient.first { $0.subject == "Toe after surgery" }?.unread, true)
            _ = try await HTTP.send(app, .GET, Site.apiConversation.path(thread.summary.id), headers: auth)
            let after = try await HTTP.send(
                app, .GET, Site.apiPatientConversations.path(pid), headers: auth)
            XCTAssertEqual(
                try after.content.decode([Summary].self).first { $0.subject == "Toe after surgery" }?.unread, false)

            // Pages: portal conversation and staff inbox.
            let web = PageClient(app)
            try await web.signIn(patient, clock: clock, portal: true)
            let page = try await web.get(Site.portalMessage.path(thread.summary.id))
            XCTAssertTrue(page.body.string.contains("Please come in today at 2 pm"))
            let empty = try await web.post(Site.portalMessageReply.path(thread.summary.id), ["body": "  "])
            XCTAssertEqual(empty.status, .unprocessableEntity)
            XCTAssertTrue(empty.body.string.contains("Write a message."))
            let staff = PageClient(app)
            try await staff.signIn(maUser, clock: clock)
            let inboxPage = try await staff.get(Site.inbox.path() + "?urgent=1")
            XCTAssertTrue(inboxPage.body.string.contains("URGENT"))
            XCTAssertTrue(inboxPage.body.string.contains("Writer, Pat"))
            let audit = try await Fixtures.auditRows(app, patientID: pid).filter { $0.category == "messages" }
            XCTAssertGreaterThanOrEqual(audit.count, 5)
        }
    }

    func test_anotherPatient_andNonStaff_cannotReadOrWriteAConversation() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let owner = try await Fixtures.patientUser(app, family: "Owner")
            let other = try await Fixtures.patientUser(app, family: "Other")
            let ownerAuth = try await Fixtures.bearer(app, owner, clock: clock)
            let otherAuth = try await Fixtures.bearer(app, other, clock: clock)
            let started = try await HTTP.send(
                app, .POST, Site.apiPatientConversations.path(owner.patientID!), headers: ownerAuth,
                json: ["subject": "Private", "locationId": w.main.uuidString, "body": "Only for my care team."])
            let id = try started.content.decode(Thread.self).summary.id
            let ops = try await Fixtures.bearer(app, try await Fixtures.user(app, .operator), clock: clock)
            for (auth, expected) in [
                (otherAuth, HTTPStatus.forbidden), (ops, .forbidden), (HTTPHeaders(), .unauthorized),
            ] {
                let read = try await HTTP.send(app, .GET, Site.apiConversation.path(id), headers: auth)
                XCTAssertEqual(read.status, expected)
                let write = try await HTTP.send(
                    app, .POST, Site.apiConversationMessages.path(id), headers: auth,
                    json: ["body": "hello"])
                XCTAssertEqual(write.status, expected)
            }
            let list = try await HTTP.send(
                app, .GET, Site.apiPatientConversations.path(owner.patientID!), headers: otherAuth)
            XCTAssertEqual(list.status, .forbidden)
            let inbox = try await HTTP.send(app, .GET, Site.apiInbox.path(), headers: ownerAuth)
            XCTAssertEqual(inbox.status, .forbidden)
            let count = try await MessageRecord.query(on: app.db).count()
            XCTAssertEqual(count, 1, "nothing was written")
            let otherPage = PageClient(app)
            try await otherPage.signIn(other, clock: clock, portal: true)
            let page = try await otherPage.get(Site.portalMessage.path(id))
            XCTAssertNotEqual(page.status, .ok)
            XCTAssertFalse(page.body.string.contains("Only for my care team."))
        }
    }
}
