import XCTest
import XCTVapor
import Fluent
@testable import App
import Domain
import TestSupport

final class TelehealthTests: XCTestCase {
    func test_turnCredentials_followTheTurnRestScheme() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let c = TurnCredentials.mint(secret: "s3cret", userID: "ab12cd34-patient", ttl: 3600, now: now)
        XCTAssertEqual(c.username, "1800003600:ab12cd34-patient")
        XCTAssertEqual(c.password, "GxIK7lKIzR0WJFlwFbmDn8WkhNA=", "base64(HMAC-SHA1(secret, username)), as coturn computes it")
        let ice = IceConfig.build(stun: ["stun:stun.example.org:3478"], turn: ["turn:t.example.org:3478"], secret: "s3cret", userID: "u", ttl: 600, forceRelay: true, now: now)
        XCTAssertEqual(ice.iceTransportPolicy, "relay")
        XCTAssertEqual(ice.iceServers.count, 2)
        let noTurn = IceConfig.build(stun: [], turn: [], secret: nil, userID: "u", ttl: 600, forceRelay: true, now: now)
        XCTAssertEqual(noTurn.iceTransportPolicy, "all", "relay-only needs a TURN server")
    }

    func test_turnCheck_allocatesWithMintedCredentials_andNamesAWrongSecret() throws {
        try XCTSkipUnless(Coturn.available, "coturn is installed by scripts/test.sh")
        let turn = try Coturn()
        defer { turn.stop() }
        let ok = TurnCheck.run(urls: [turn.url], secret: turn.secret)
        XCTAssertTrue(ok.ok, ok.problem ?? "")
        XCTAssertEqual(ok.realm, "caresync.test")
        XCTAssertTrue(ok.relayedAddress?.hasPrefix("127.0.0.1:") == true, ok.relayedAddress ?? "")
        let wrong = TurnCheck.run(urls: [turn.url], secret: "not-the-secret")
        XCTAssertFalse(wrong.ok)
        XCTAssertTrue(wrong.problem?.contains("401") == true && wrong.problem?.contains("static-auth-secret") == true, wrong.problem ?? "")
        let nothing = TurnCheck.run(urls: [], secret: "x")
        XCTAssertTrue(nothing.problem?.contains("no UDP TURN URL") == true)
    }

    /// Link, pass, waiting room, admit, credentials, events and the note, with who may and who may not.
    func test_visitFlow_linkOnce_noCredentialsBeforeAdmit_admitByProviders_recordAudited() async throws {
        try await withTestApp(configure: {
            $0.turnURLs = ["turn:turn.example.org:3478?transport=udp"]
            $0.turnSecret = "s3cret"
            $0.forceRelay = true
        }) { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            clock.set(w.atMain("2026-09-22", 9).addingTimeInterval(-1800))   // half an hour before the visit
            let patient = try await Fixtures.patientUser(app, family: "Video")
            let pid = patient.patientID!
            _ = try await PatientStore(scope: app.systemScope("test")).update(pid, PatientInput(email: "video@example.org"), expectedVersion: nil)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let start = w.atMain("2026-09-22", 9)
            let booked = try await HTTP.send(app, .POST, "/api/v1/appointments", headers: desk,
                                             json: Booking(patientId: pid, providerId: w.provider.id, locationId: w.main, typeId: w.video, start: start))
            XCTAssertEqual(booked.status, .created, booked.body.string)
            let appt = try booked.content.get(UUID.self, at: "id")
            // A visit only for telemedicine appointments.
            let office = try await HTTP.send(app, .POST, "/api/v1/appointments", headers: desk,
                                             json: Booking(patientId: pid, providerId: w.provider.id, locationId: w.main, typeId: w.followUp, start: start.addingTimeInterval(3600)))
            let notVideo = try await HTTP.send(app, .POST, "/api/v1/appointments/\(try office.content.get(UUID.self, at: "id").uuidString)/visit-link", headers: desk, json: ["channel": "email"])
            XCTAssertEqual(notVideo.status, .unprocessableEntity)

            let sent = try await HTTP.send(app, .POST, "/api/v1/appointments/\(appt.uuidString)/visit-link", headers: desk, json: ["channel": "email"])
            XCTAssertEqual(sent.status, .created, sent.body.string)
            let mail = try await OutboxMessageRecord.query(on: app.db).filter(\.$kind == "visit-link").first()!
            XCTAssertFalse(mail.body.contains("Video") || mail.subject.contains("Video,"), "no patient name in the message")
            let token = String(mail.body.split(separator: "/").last!)
            XCTAssertFalse(token.contains(pid.uuidString))
            let visit = try await VirtualVisitRecord.query(on: app.db).first()!

            // The link works once; the pass it sets opens this visit only.
            let joined = try await HTTP.send(app, .GET, "/visit/join/\(token)")
            XCTAssertEqual(joined.status, .seeOther)
            XCTAssertEqual(joined.headers.first(name: .location), "/visit/\(visit.id!.uuidString)")
            let pass = try XCTUnwrap(joined.headers.setCookie?["cs_visit"]?.string)
            let r1 = try await HTTP.send(app, .GET, "/visit/join/\(token)")
            XCTAssertEqual(r1.status, .gone)
            let r2 = try await HTTP.send(app, .GET, "/visit/join/not-a-token")
            XCTAssertEqual(r2.status, .gone)
            var withPass = HTTPHeaders()
            withPass.add(name: .cookie, value: "cs_visit=\(pass)")
            let r3 = try await HTTP.send(app, .GET, "/visit/\(visit.id!.uuidString)", headers: withPass)
            XCTAssertEqual(r3.status, .ok)
            // No credentials before the provider admits.
            let early = try await HTTP.send(app, .GET, "/visits/\(visit.id!.uuidString)/ice", headers: withPass)
            XCTAssertEqual(early.status, .forbidden)
            let r4 = try await HTTP.send(app, .GET, "/visits/\(visit.id!.uuidString)/ice")
            XCTAssertEqual(r4.status, .seeOther, "nobody: sign in first")

            // An expired link is refused.
            let second = try await HTTP.send(app, .POST, "/api/v1/appointments/\(appt.uuidString)/visit-link", headers: desk, json: ["channel": "email"])
            XCTAssertEqual(second.status, .created)
            let late = try await OutboxMessageRecord.query(on: app.db).filter(\.$kind == "visit-link").sort(\.$createdAt, .descending).all()
                .first { !$0.body.hasSuffix(token) }!
            clock.set(start.addingTimeInterval(3 * 3600 + 60))
            let r5 = try await HTTP.send(app, .GET, "/visit/join/\(late.body.split(separator: "/").last!)")
            XCTAssertEqual(r5.status, .gone)
            clock.set(start.addingTimeInterval(-600))

            // Admit: not before the patient waits; not by the front desk; yes by the provider.
            let provider = try await Fixtures.bearer(app, w.provider, clock: clock)
            let tooSoon = try await HTTP.send(app, .POST, "/api/v1/visits/\(visit.id!.uuidString)/admit", headers: provider)
            XCTAssertEqual(tooSoon.status, .conflict)
            let participant = VisitParticipant(role: "patient", name: "visit-link", visitID: visit.id!,
                                               principal: Principal(userID: nil, username: "visit-link", role: .patient, patientID: pid))
            let status = try await VisitStore.arrived(participant, app: app)   // what the signaling socket does on connect
            XCTAssertEqual(status, "waiting")
            let desk2 = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let r6 = try await HTTP.send(app, .POST, "/api/v1/visits/\(visit.id!.uuidString)/admit", headers: desk2)
            XCTAssertEqual(r6.status, .forbidden)
            let waiting = try await HTTP.send(app, .GET, "/api/v1/visits/waiting", headers: provider)
            XCTAssertEqual(try waiting.content.get(Bool.self, at: "0", "mine"), true)
            let r7 = try await HTTP.send(app, .POST, "/api/v1/visits/\(visit.id!.uuidString)/admit", headers: provider)
            XCTAssertEqual(r7.status, .ok)
            let ice = try await HTTP.send(app, .GET, "/visits/\(visit.id!.uuidString)/ice", headers: withPass)
            XCTAssertEqual(ice.status, .ok)
            let cfg = try ice.content.decode(IceConfig.self)
            XCTAssertEqual(cfg.iceTransportPolicy, "relay")
            XCTAssertTrue(cfg.iceServers.first?.username?.hasSuffix(":\(visit.id!.uuidString.prefix(8))-patient") == true)

            // Another patient (portal) cannot open this visit; the visit's own patient can.
            let other = try await Fixtures.patientUser(app, family: "Othervideo")
            let otherPage = PageClient(app)
            try await otherPage.signIn(other, clock: clock, portal: true)
            let r8 = try await otherPage.get("/visit/\(visit.id!.uuidString)")
            XCTAssertEqual(r8.status, .forbidden)
            let r9 = try await otherPage.get("/visits/\(visit.id!.uuidString)/ice")
            XCTAssertEqual(r9.status, .forbidden)
            let own = PageClient(app)
            try await own.signIn(patient, clock: clock, portal: true)
            let r10 = try await own.get("/visit/\(visit.id!.uuidString)")
            XCTAssertEqual(r10.status, .ok)

            // Events from the browser, the end with a note; all on the record and in the audit trail.
            var json = withPass
            json.contentType = .json
            json.add(name: "X-CSRF-Token", value: "x")
            json.replaceOrAdd(name: .cookie, value: "cs_visit=\(pass); cs_csrf=x")
            let ev = try await HTTP.send(app, .POST, "/visits/\(visit.id!.uuidString)/events", headers: json, raw: #"{"kind":"connected","detail":"all"}"#)
            XCTAssertEqual(ev.status, .noContent, ev.body.string)
            let bogus = try await HTTP.send(app, .POST, "/visits/\(visit.id!.uuidString)/events", headers: json, raw: #"{"kind":"recording-started"}"#)
            XCTAssertEqual(bogus.status, .unprocessableEntity)
            clock.advance(by: 600)
            let ended = try await HTTP.send(app, .POST, "/api/v1/visits/\(visit.id!.uuidString)/end", headers: provider, json: ["note": "Healing well; sutures out next week."])
            XCTAssertEqual(ended.status, .ok)
            let record = try await HTTP.send(app, .GET, "/api/v1/visits/\(visit.id!.uuidString)", headers: provider)
            XCTAssertEqual(try record.content.get(String.self, at: "outcome"), "connected")
            XCTAssertEqual(try record.content.get(Int.self, at: "durationSeconds"), 600)
            XCTAssertEqual(try record.content.get(String.self, at: "note"), "Healing well; sutures out next week.")
            struct Event: Decodable { let kind: String; let role: String }
            let kinds = try record.content.get([Event].self, at: "events").map { "\($0.role) \($0.kind)" }
            XCTAssertEqual(kinds, ["patient joined", "provider admitted", "patient credentials", "patient connected", "provider ended"])
            let audit = try await Fixtures.auditRows(app, patientID: pid).filter { $0.category == "visits" }
            for d in ["join link sent by email", "join link redeemed", "patient admitted", "media credentials issued to the patient", "patient: connected", "visit ended; note written"] {
                XCTAssertTrue(audit.contains { $0.detail == d }, d)
            }
        }
    }
}
