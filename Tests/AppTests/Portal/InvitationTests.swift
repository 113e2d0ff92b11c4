import XCTest
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import Accounts
import AppCore
import Notifications
import Portal

final class InvitationTests: XCTestCase {
    struct Sent: Decodable { let id: UUID; let channel: String; let batch: String; let expiresAt: Date }

    /// Invites through the API and returns the token from the queued message (as the patient's inbox would show it).
    func invite(
        _ app: Application, _ auth: HTTPHeaders, patient: UUID, channel: String = "email", batch: String = "default",
        file: StaticString = #filePath, line: UInt = #line
    ) async throws -> String {
        let res = try await HTTP.send(
            app, .POST, Site.apiPatientInvitations.path(patient), headers: auth,
            json: ["channel": channel, "batch": batch])
        XCTAssertEqual(res.status, .created, res.body.string, file: file, line: line)
        let sent = try JSONDecoder().decode(InvitationRecordID.self, from: Data(res.body.string.utf8))
        let msg = try await OutboxMessageRecord.query(on: app.db).filter(
            \.$dedupeKey == "invitation:\(sent.id.uuidString)"
        ).first()
        let body = try XCTUnwrap(msg?.body, file: file, line: line)
        let link = try XCTUnwrap(
            body.split(whereSeparator: { $0 == "\n" || $0 == " " }).first { $0.contains("/portal/invite/") },
            file: file, line: line)
        return String(link.split(separator: "/").last!)
    }
    struct InvitationRecordID: Decodable { let id: UUID }

    func registration(_ username: String, terms: Bool = true, mfa: Bool = false) -> [String: String] {
        var f = ["username": username, "password": "correct horse battery", "passwordConfirm": "correct horse battery"]
        if terms { f["acceptTerms"] = "yes" }
        if mfa { f["setUpMFA"] = "yes" }
        return f
    }

    func test_invitation_isSentThroughTheOutboxWithoutPHI_andRegistersThePatientOnce() async throws {
        try await withTestApp { app, clock in
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let pid = try await Fixtures.patient(
                app, family: "Okafor", given: "Ngozi", birthDate: "1961-03-04", email: "ngozi@example.org")
            let token = try await invite(app, desk, patient: pid)

            let msg = try await OutboxMessageRecord.query(on: app.db).filter(\.$kind == "portal-invitation").first()
            XCTAssertEqual(msg?.recipient, "ngozi@example.org")
            XCTAssertEqual(msg?.channel, .email)
            for phi in ["Okafor", "Ngozi", "1961", "MRN"] {
                XCTAssertFalse(msg!.body.contains(phi), "the message carries \(phi)")
            }
            XCTAssertTrue(msg!.body.contains(app.config.publicURL + "/portal/invite/"))
            // Only a hash of the token is stored.
            let stored = try await InvitationRecord.query(on: app.db).all()
            XCTAssertEqual(stored.count, 1)
            XCTAssertNotEqual(stored[0].tokenHash, token)

            let web = PageClient(app)
            let form = try await web.get(Site.portalInvite.path(token))
            XCTAssertEqual(form.status, .ok)
            XCTAssertTrue(form.body.string.contains("Set up your patient portal account"))

            // Bad input: specific messages, nothing created.
            var bad = registration("ngozi.o", terms: false)
            bad["passwordConfirm"] = "something else entirely"
            let refused = try await web.post(Site.portalInvite.path(token), bad)
            XCTAssertEqual(refused.status, .unprocessableEntity)
            XCTAssertTrue(refused.body.string.contains("accept the terms"))
            XCTAssertTrue(refused.body.string.contains("The two passwords differ."))
            let noAccount = try await UserRecord.query(on: app.db).filter(\.$patientID == pid).count()
            XCTAssertEqual(noAccount, 0)

            let ok = try await web.post(Site.portalInvite.path(token), registration("ngozi.o"))
            XCTAssertEqual(ok.status, .seeOther)
            XCTAssertEqual(ok.headers.first(name: .location), Site.portal.path() + "?welcome=1")
            let home = try await web.get(Site.portal.path())
            XCTAssertEqual(home.status, .ok)
            XCTAssertTrue(home.body.string.contains("Hello, Ngozi"))
            let account = try await UserRecord.query(on: app.db).filter(\.$patientID == pid).first()
            XCTAssertEqual(account?.username, "ngozi.o")
            XCTAssertEqual(account?.role, .patient)
            let used = try await InvitationRecord.query(on: app.db).first()
            XCTAssertNotNil(used?.usedAt)
            XCTAssertEqual(used?.termsVersion, InvitationStore.termsVersion)

            // The link works once.
            let again = try await PageClient(app).get(Site.portalInvite.path(token))
            XCTAssertEqual(again.status, .gone)
            XCTAssertTrue(again.body.string.contains("already used"))
            let reuse = try await PageClient(app).post(Site.portalInvite.path(token), registration("someone.else"))
            XCTAssertEqual(reuse.status, .gone)
            let accounts = try await UserRecord.query(on: app.db).filter(\.$patientID == pid).count()
            XCTAssertEqual(accounts, 1)
            // A patient with an account is not invited again.
            let twice = try await HTTP.send(
                app, .POST, Site.apiPatientInvitations.path(pid), headers: desk, json: ["channel": "email"])
            XCTAssertEqual(twice.status, .conflict)
        }
    }

    func test_expiredOrReplacedOrUnknownLinks_areRefused() async throws {
        try await withTestApp { app, clock in
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let pid = try await Fixtures.patient(app, family: "Late", email: "late@example.org")
            let first = try await invite(app, desk, patient: pid)
            let second = try await invite(app, desk, patient: pid, channel: "email")
            let replaced = try await PageClient(app).get(Site.portalInvite.path(first))
            XCTAssertEqual(replaced.status, .gone, "a newer invitation replaces the older one")
            XCTAssertTrue(replaced.body.string.contains("expired"))
            let unknown = try await PageClient(app).get("/portal/invite/not-a-real-token")
            XCTAssertEqual(unknown.status, .gone)
            XCTAssertTrue(unknown.body.string.contains("not valid"))

            clock.advance(by: InvitationStore.validFor + 1)
            let web = PageClient(app)
            let expired = try await web.get(Site.portalInvite.path(second))
            XCTAssertEqual(expired.status, .gone)
            let post = try await web.post(Site.portalInvite.path(second), registration("late.patient"))
            XCTAssertEqual(post.status, .gone)
            let n = try await UserRecord.query(on: app.db).filter(\.$patientID == pid).count()
            XCTAssertEqual(n, 0)
        }
    }

    func test_twoSimultaneousRedemptions_createExactlyOneAccount() async throws {
        try await withTestApp { app, clock in
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let pid = try await Fixtures.patient(app, family: "Race", email: "race@example.org")
            let token = try await invite(app, desk, patient: pid)
            let clients = [PageClient(app), PageClient(app), PageClient(app), PageClient(app)]
            for c in clients { try await c.get(Site.portalInvite.path(token)) }
            let forms = (0..<clients.count).map { registration("race.\($0)") }
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for (c, form) in zip(clients, forms) {
                    group.addTask { try await c.post(Site.portalInvite.path(token), form).status }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            XCTAssertEqual(statuses.filter { $0 == .seeOther }.count, 1, "\(statuses)")
            XCTAssertEqual(statuses.filter { $0 == .gone }.count, 3, "\(statuses)")
            let n = try await UserRecord.query(on: app.db).filter(\.$patientID == pid).count()
            XCTAssertEqual(n, 1)
        }
    }

    func test_optingIntoTwoStepSignIn_leadsToEnrolment() async throws {
        try await withTestApp { app, clock in
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let pid = try await Fixtures.patient(app, family: "Careful", email: "careful@example.org")
            let token = try await invite(app, desk, patient: pid)
            let web = PageClient(app)
            try await web.get(Site.portalInvite.path(token))
            let res = try await web.post(Site.portalInvite.path(token), registration("careful.one", mfa: true))
            XCTAssertEqual(res.headers.first(name: .location), Site.mfaEnrol.path())
            let portal = try await web.get(Site.portal.path())
            XCTAssertNotEqual(portal.status, .ok, "the portal waits until the second factor is set up")
            let enrol = try await web.get(Site.mfaEnrol.path())
            XCTAssertEqual(enrol.status, .ok)
        }
    }

    func test_whoMayInvite_andAdoptionRatesPerBatch() async throws {
        try await withTestApp { app, clock in
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            var patients: [UUID] = []
            for i in 0..<3 {
                patients.append(try await Fixtures.patient(app, family: "Batch\(i)", email: "b\(i)@example.org"))
            }
            let tokens = [
                try await invite(app, desk, patient: patients[0], batch: "mailing-1"),
                try await invite(app, desk, patient: patients[1], batch: "mailing-1"),
                try await invite(app, desk, patient: patients[2], batch: "clinic-day"),
            ]
            let web = PageClient(app)
            try await web.get(Site.portalInvite.path(tokens[0]))
            let r = try await web.post(Site.portalInvite.path(tokens[0]), registration("batch.zero"))
            XCTAssertEqual(r.status, .seeOther)

            let ops = try await Fixtures.bearer(app, try await Fixtures.user(app, .operator), clock: clock)
            let res = try await HTTP.send(app, .GET, Site.apiInvitationsBatches.path(), headers: ops)
            XCTAssertEqual(res.status, .ok)
            let rates = try res.content.decode([InvitationStore.BatchRate].self)
            XCTAssertEqual(rates.map(\.batch), ["clinic-day", "mailing-1"])
            XCTAssertEqual(rates.map(\.invited), [1, 2])
            XCTAssertEqual(rates.map(\.registered), [0, 1])
            XCTAssertEqual(rates.map(\.rate), [0, 0.5])

            // Who may not: a patient (even for themselves), support staff, nobody signed in. Denials are audited.
            let patient = try await Fixtures.patientUser(app)
            let patientAuth = try await Fixtures.bearer(app, patient, clock: clock)
            for (auth, expected) in [
                (patientAuth, HTTPStatus.forbidden),
                (try await Fixtures.bearer(app, try await Fixtures.user(app, .support), clock: clock), .forbidden),
                (HTTPHeaders(), .unauthorized),
            ] {
                let denied = try await HTTP.send(
                    app, .POST, Site.apiPatientInvitations.path(patients[1]), headers: auth,
                    json: ["channel": "email"])
                XCTAssertEqual(denied.status, expected)
            }
            let own = try await HTTP.send(
                app, .POST, Site.apiPatientInvitations.path(patient.patientID!), headers: patientAuth,
                json: ["channel": "email"])
            XCTAssertEqual(own.status, .forbidden)
            let metrics = try await HTTP.send(app, .GET, Site.apiInvitationsBatches.path(), headers: patientAuth)
            XCTAssertEqual(metrics.status, .forbidden)
            let denials = try await Fixtures.auditRows(app, action: .accessDenied)
            XCTAssertGreaterThanOrEqual(denials.count, 3)

            // Specific messages for bad input; nothing is queued.
            let before = try await OutboxMessageRecord.query(on: app.db).count()
            let noPhone = try await HTTP.send(
                app, .POST, Site.apiPatientInvitations.path(patients[1]), headers: desk,
                json: ["channel": "sms"])
            XCTAssertEqual(noPhone.status, .unprocessableEntity)
            XCTAssertTrue(noPhone.body.string.contains("no phone number"))
            let badChannel = try await HTTP.send(
                app, .POST, Site.apiPatientInvitations.path(patients[1]), headers: desk,
                json: ["channel": "fax"])
            XCTAssertEqual(badChannel.status, .unprocessableEntity)
            let after = try await OutboxMessageRecord.query(on: app.db).count()
            XCTAssertEqual(after, before)

            // The chart's invite form.
            let deskUser = try await Fixtures.user(app, .frontDesk)
            let page = PageClient(app)
            try await page.signIn(deskUser, clock: clock)
            let chart = try await page.get(Site.patient.path(patients[1]))
            XCTAssertTrue(chart.body.string.contains("Invite to the portal"))
            let sent = try await page.post(
                Site.patientInvite.path(patients[1]), ["channel": "email", "batch": "mailing-1"])
            XCTAssertEqual(sent.headers.first(name: .location), Site.patient.path(patients[1]) + "?invited=email")
        }
    }
}
