import XCTest
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import Accounts
import AppCore
import Notifications
import Patients
import Telehealth

final class TelehealthTests: XCTestCase {
    func test_turnCredentials_followTheTurnRestScheme() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let c = TurnCredentials.mint(secret: "s3cret", userID: "ab12cd34-patient", ttl: 3600, now: now)
        XCTAssertEqual(c.username, "1800003600:ab12cd34-patient")
        XCTAssertEqual(
            c.password, "GxIK7lKIzR0WJFlwFbmDn8WkhNA=", "base64(HMAC-SHA1(secret, username)), as coturn computes it")
        let ice = IceConfig.build(
            stun: ["stun:stun.example.org:3478"], turn: ["turn:t.example.org:3478"], secret: "s3cret", userID: "u",
            ttl: 600, forceRelay: true, now: now)
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
        XCTAssertTrue(
            wrong.problem?.contains("401") == true && wrong.problem?.contains("static-auth-secret") == true,
            wrong.problem ?? "")
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
            clock.set(w.atMain("2026-09-22", 9).addingTimeInterval(-1800))  // half an hour before the visit
            let patient = try await Fixtures.patientUser(app, family: "Video")
            let pid = patient.patientID!
            _ = try await PatientStore(scope: app.systemScope("test")).update(
                pid, PatientInput(email: "video@example.org"), expectedVersion: nil)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let start = w.atMain("2026-09-22", 9)
            let booked = try await HTTP.send(
                app, .POST, Site.apiAppointments.path(), headers: desk,
                json: Booking(
                    patientId: pid, providerId: w.provider.id, locationId: w.main, typeId: w.video, start: start))
            XCTAssertEqual(booked.status, .created, booked.body.string)
            let appt = try booked.content.get(UUID.self, at: "id")
            // A visit only for telemedicine appointments.
            let office = try await HTTP.send(
                app, .POST, Site.apiAppointments.path(), headers: desk,
                json: Booking(
                    patientId: pid, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                    start: start.addingTimeInterval(3600)))
            let notVideo = try await HTTP.send(
                app, .POST, Site.apiAppointmentVisitLink.path(try office.content.get(UUID.self, at: "id")),
                headers: desk, json: ["channel": "email"])
            XCTAssertEqual(notVideo.status, .unprocessableEntity)

            let sent = try await HTTP.send(
                app, .POST, Site.apiAppointmentVisitLink.path(appt), headers: desk,
                json: ["channel": "email"])
            XCTAssertEqual(sent.status, .created, sent.body.string)
            let mail = try await OutboxMessageRecord.query(on: app.db).filter(\.$kind == "visit-link").first()!
            XCTAssertFalse(
                mail.body.contains("Video") || mail.subject.contains("Video,"), "no patient name in the message")
            let token = String(mail.body.split(separator: "/").last!)
            XCTAssertFalse(token.contains(pid.uuidString))
            let visit = try await VirtualVisitRecord.query(on: app.db).first()!

            // The link works once; the pass it sets opens this visit only.
            let joined = try await HTTP.send(app, .GET, Site.visitJoin.path(token))
            XCTAssertEqual(joined.status, .seeOther)
            XCTAssertEqual(joined.headers.first(name: .location), Site.visitRoom.path(visit.id!))
            let pass = try XCTUnwrap(joined.headers.setCookie?["cs_visit"]?.string)
            let r1 = try await HTTP.send(app, .GET, Site.visitJoin.path(token))
            XCTAssertEqual(r1.status, .gone)
            let r2 = try await HTTP.send(app, .GET, "/visit/join/not-a-token")
            XCTAssertEqual(r2.status, .gone)
            var withPass = HTTPHeaders()
            withPass.add(name: .cookie, value: "cs_visit=\(pass)")
            let r3 = try await HTTP.send(app, .GET, Site.visitRoom.path(visit.id!), headers: withPass)
            XCTAssertEqual(r3.status, .ok)
            // No credentials before the provider admits.
            let early = try await HTTP.send(app, .GET, Site.visitIce.path(visit.id!), headers: withPass)
            XCTAssertEqual(early.status, .forbidden)
            let r4 = try await HTTP.send(app, .GET, Site.visitIce.path(visit.id!))
            XCTAssertEqual(r4.status, .seeOther, "nobody: sign in first")

            // An expired link is refused.
            let second = try await HTTP.send(
                app, .POST, Site.apiAppointmentVisitLink.path(appt), headers: desk,
                json: ["channel": "email"])
            XCTAssertEqual(second.status, .created)
            let late = try await OutboxMessageRecord.query(on: app.db).filter(\.$kind == "visit-link").sort(
                \.$createdAt, .descending
            ).all()
                .first { !$0.body.hasSuffix(token) }!
            clock.set(start.addingTimeInterval(3 * 3600 + 60))
            let r5 = try await HTTP.send(app, .GET, Site.visitJoin.path(String(late.body.split(separator: "/").last!)))
            XCTAssertEqual(r5.status, .gone)
            clock.set(start.addingTimeInterval(-600))

            // Admit: not before the patient waits; not by the front desk; yes by the provider.
            let provider = try await Fixtures.bearer(app, w.provider, clock: clock)
            let tooSoon = try await HTTP.send(
                app, .POST, Site.apiVisitAdmit.path(visit.id!), headers: provider)
            XCTAssertEqual(tooSoon.status, .conflict)
            let participant = VisitParticipant(
                role: .patient, name: "visit-link", visitID: visit.id!,
                principal: Principal(userID: nil, username: "visit-link", role: .patient, patientID: pid))
            // What the signaling socket does on connect.
            let status = try await VisitStore.arrived(participant, app: app)
            XCTAssertEqual(status, .waiting)
            let desk2 = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let r6 = try await HTTP.send(app, .POST, Site.apiVisitAdmit.path(visit.id!), headers: desk2)
            XCTAssertEqual(r6.status, .forbidden)
            let waiting = try await HTTP.send(app, .GET, Site.apiVisitsWaiting.path(), headers: provider)
            XCTAssertEqual(try waiting.content.get(Bool.self, at: "0", "mine"), true)
            let r7 = try await HTTP.send(app, .POST, Site.apiVisitAdmit.path(visit.id!), headers: provider)
            XCTAssertEqual(r7.status, .ok)
            let ice = try await HTTP.send(app, .GET, Site.visitIce.path(visit.id!), headers: withPass)
            XCTAssertEqual(ice.status, .ok)
            let cfg = try ice.content.decode(IceConfig.self)
            XCTAssertEqual(cfg.iceTransportPolicy, "relay")
            XCTAssertTrue(
                cfg.iceServers.first?.username?.hasSuffix(":\(visit.id!.uuidString.prefix(8))-patient") == true)

            // Another patient (portal) cannot open this visit; the visit's own patient can.
            let other = try await Fixtures.patientUser(app, family: "Othervideo")
            let otherPage = PageClient(app)
            try await otherPage.signIn(other, clock: clock, portal: true)
            let r8 = try await otherPage.get(Site.visitRoom.path(visit.id!))
            XCTAssertEqual(r8.status, .forbidden)
            let r9 = try await otherPage.get(Site.visitIce.path(visit.id!))
            XCTAssertEqual(r9.status, .forbidden)
            let own = PageClient(app)
            try await own.signIn(patient, clock: clock, portal: true)
            let r10 = try await own.get(Site.visitRoom.path(visit.id!))
            XCTAssertEqual(r10.status, .ok)

            // Events from the browser, the end with a note; all on the record and in the audit trail.
            var json = withPass
            json.contentType = .json
            json.add(name: "X-CSRF-Token", value: "x")
            json.replaceOrAdd(name: .cookie, value: "cs_visit=\(pass); cs_csrf=x")
            let ev = try await HTTP.send(
                app, .POST, Site.visitEvents.path(visit.id!), headers: json,
                raw: #"{"kind":"connected","detail":"all"}"#)
            XCTAssertEqual(ev.status, .noContent, ev.body.string)
            let bogus = try await HTTP.send(
                app, .POST, Site.visitEvents.path(visit.id!), headers: json,
                raw: #"{"kind":"recording-started"}"#)
            XCTAssertEqual(bogus.status, .unprocessableEntity)
            clock.advance(by: 600)
            let ended = try await HTTP.send(
                app, .POST, Site.apiVisitEnd.path(visit.id!), headers: provider,
                json: ["note": "Healing well; sutures out next week."])
            XCTAssertEqual(ended.status, .ok)
            let record = try await HTTP.send(app, .GET, Site.apiVisit.path(visit.id!), headers: provider)
            XCTAssertEqual(try record.content.get(String.self, at: "outcome"), "connected")
            XCTAssertEqual(try record.content.get(Int.self, at: "durationSeconds"), 600)
            XCTAssertEqual(try record.content.get(String.self, at: "note"), "Healing well; sutures out next week.")
            struct Event: Decodable { let kind: String; let role: String }
            let kinds = try record.content.get([Event].self, at: "events").map { "\($0.role) \($0.kind)" }
            XCTAssertEqual(
                kinds,
                ["patient joined", "provider admitted", "patient credentials", "patient connected", "provider ended"])
            let audit = try await Fixtures.auditRows(app, patientID: pid).filter { $0.category == "visits" }
            for d in [
                "join link sent by email", "join link redeemed", "patient admitted",
                "media credentials issued to the patient", "patient: connected", "visit ended; note written",
            ] {
                XCTAssertTrue(audit.contains { $0.detail == d }, d)
            }
        }
    }

    /// Over real WebSockets on a loopback server: a provider who joins an admitted visit and sends at once (no waiting
    /// for the server's greeting) — an offer and 40 candidates — reaches the patient with nothing dropped and nothing
    /// reordered, and the patient's 40 candidates back likewise. (Frames used to be dropped until the session was set
    /// up, and each frame ran in its own task, so candidates could overtake the offer — seen as a two-node visit that
    /// never connected.)
    func test_signaling_relaysEveryFrame_inOrder_fromTheFirstFrame() async throws {
        try await withTestApp { app, _ in
            let port = PITR.freeLoopbackPort()
            try await app.server.start(address: .hostname("127.0.0.1", port: port))
            let (visit, url, patient, _, bearer) = try await Self.patientWaiting(app, port: port)
            // Before admission nothing about the media passes.
            try await patient.send(["type": "offer", "description": ["type": "offer", "sdp": "v=0"]])
            let refused = await patient.next("error")
            XCTAssertEqual(refused?.0["message"] as? String, "not admitted yet")
            let admit = try await HTTP.send(app, .POST, Site.apiVisitAdmit.path(visit), headers: bearer)
            XCTAssertEqual(admit.status, .ok, admit.body.string)
            let admitted = await patient.next("admitted")
            XCTAssertNotNil(admitted)

            let n = 40
            func candidate(_ i: Int) -> [String: Any] {
                [
                    "type": "candidate", "seq": i,
                    "candidate": [
                        "candidate": "candidate:\(i) 1 udp 2122260223 192.0.2.1 \(50000 + i) typ host", "sdpMid": "0",
                        "sdpMLineIndex": 0,
                    ],
                ]
            }
            let provider = try await SignalingBench.Client.open(url, headers: bearer, group: app.eventLoopGroup)
            try await provider.send(["type": "offer", "seq": -1, "description": ["type": "offer", "sdp": "v=0"]])
            for i in 0..<n { try await provider.send(candidate(i)) }
            // What each side receives, in arrival order: relayed messages only (greetings skipped).
            func relayed(_ c: SignalingBench.Client, _ count: Int) async -> [String] {
                var out: [String] = []
                while out.count < count, let (m, _) = await c.next("*", timeout: .seconds(10)) {
                    guard let type = m["type"] as? String, SignalingController.relayed.contains(type) else { continue }
                    out.append("\(type) \(m["seq"] as? Int ?? -99) from \(m["from"] as? String ?? "?")")
                }
                return out
            }
            let toPatient = await relayed(patient, n + 1)
            XCTAssertEqual(
                toPatient, ["offer -1 from provider"] + (0..<n).map { "candidate \($0) from provider" },
                "everything, in the order sent")

            for i in 0..<n { try await patient.send(candidate(i)) }
            let toProvider = await relayed(provider, n)
            XCTAssertEqual(toProvider, (0..<n).map { "candidate \($0) from patient" })
            // Stop the hub before the sockets close, so nothing touches the database after the test's application is
            // gone.
            await app.signalHub.shutdown()
            await patient.close()
            await provider.close()
            await app.server.shutdown()
        }
    }

    /// A running visit takes its participants back (a reload, a killed tab) without a new admission; only the host
    /// holds the provider side; a second socket for a side replaces the first; the host can hand the visit over.
    func test_runningVisit_rejoins_onlyTheHostHoldsTheProviderSide_andASecondSocketReplacesTheFirst() async throws {
        try await withTestApp { app, clock in
            let port = PITR.freeLoopbackPort()
            try await app.server.start(address: .hostname("127.0.0.1", port: port))
            do { try await runningVisitScenario(app, clock, port) } catch {
                await app.signalHub.shutdown()
                await app.server.shutdown()
                throw error
            }
        }
    }

    func runningVisitScenario(_ app: Application, _ clock: TestClock, _ port: Int) async throws {
        do {
            let (visit, url, patient, ph, host) = try await Self.patientWaiting(app, port: port)
            let admit = try await HTTP.send(app, .POST, Site.apiVisitAdmit.path(visit), headers: host)
            XCTAssertEqual(admit.status, .ok, admit.body.string)
            _ = await patient.next("admitted")
            let v = try await VirtualVisitRecord.find(visit, on: app.db)!
            let participant = VisitParticipant(
                role: .patient, name: "visit-link", visitID: visit,
                principal: Principal(
                    userID: nil, username: "visit-link", role: .patient,
                    patientID: v.patientID))
            try await VisitStore.report(participant, kind: "connected", detail: "", app: app)
            let running = try await VirtualVisitRecord.find(visit, on: app.db)?.status
            XCTAssertEqual(running, .inProgress)

            // Reloaded page: credentials again (this was 403 once the visit was in progress).
            let again = try await HTTP.send(app, .GET, Site.visitIce.path(visit), headers: ph)
            XCTAssertEqual(again.status, .ok, again.body.string)
            // The reloaded page's socket is told the visit is running, and the old socket is replaced and closed.
            let reloaded = try await SignalingBench.Client.open(url, headers: ph, group: app.eventLoopGroup)
            let greeting = await reloaded.next("admitted")
            XCTAssertEqual(greeting?.0["running"] as? Bool, true)
            let replaced = await patient.next("replaced", timeout: .seconds(5))
            XCTAssertNotNil(replaced, "the earlier socket of the same side is replaced")

            // Another provider: no credentials, no socket; refusals audited.
            let other = try await Fixtures.user(app, .provider)
            let otherH = try await Fixtures.bearer(app, other, clock: clock)
            let ice2 = try await HTTP.send(app, .GET, Site.visitIce.path(visit), headers: otherH)
            XCTAssertEqual(ice2.status, .forbidden)
            // (WebSocketKit's client waits forever on a refused upgrade, so the handshake is sent by hand.)
            let upgrade = try Self.upgradeStatus(
                port: port, path: Site.visitSignal.path(visit), headers: otherH)
            XCTAssertEqual(upgrade, 403, "a provider who is not the host cannot open the provider side")
            let end2 = try await HTTP.send(app, .POST, Site.apiVisitEnd.path(visit), headers: otherH)
            XCTAssertEqual(end2.status, .forbidden)
            let denials = try await Fixtures.auditRows(app, action: .accessDenied).filter {
                $0.detail == "not the visit's host"
            }
            XCTAssertGreaterThanOrEqual(denials.count, 3)

            // The host hands the visit over: now the other provider holds the provider side, the host no longer.
            let handed = try await HTTP.send(
                app, .POST, Site.apiVisitHandoff.path(visit), headers: host,
                json: ["providerId": other.id.uuidString])
            XCTAssertEqual(handed.status, .ok, handed.body.string)
            let newHostICE = try await HTTP.send(app, .GET, Site.visitIce.path(visit), headers: otherH).status
            XCTAssertEqual(newHostICE, .ok)
            let oldHostICE = try await HTTP.send(app, .GET, Site.visitIce.path(visit), headers: host).status
            XCTAssertEqual(oldHostICE, .forbidden)
            let audit = try await Fixtures.auditRows(app, patientID: v.patientID)
            XCTAssertTrue(audit.contains { $0.detail == "handed over to \(other.username)" })

            await app.signalHub.shutdown()
            await reloaded.close()
            await patient.close()
            await app.server.shutdown()
        }
    }

    /// Sends a WebSocket handshake over a plain socket and returns the HTTP status of the answer.
    static func upgradeStatus(port: Int, path: String, headers: HTTPHeaders) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard ok == 0 else { throw PITRTestError("cannot connect to port \(port)") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request =
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        _ = request.utf8CString.withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count - 1, 0) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 12 else { throw PITRTestError("no answer to the handshake") }
        let line = String(decoding: buffer[0..<n], as: UTF8.self).split(separator: " ")
        return line.count > 1 ? Int(line[1]) ?? 0 : 0
    }

    /// A seeded video visit with its patient connected and waiting (by visit pass), and the host provider's bearer
    /// token.
    static func patientWaiting(_ app: Application, port: Int) async throws
        -> (UUID, String, SignalingBench.Client, HTTPHeaders, HTTPHeaders)
    {
        let (username, secret, visits) = try await SignalingBench.seed(app, pairs: 1)
        let (visit, pass) = visits[0]
        let url = "ws://127.0.0.1:\(port)/visits/\(visit.uuidString)/signal"
        var ph = HTTPHeaders()
        ph.add(name: .cookie, value: "cs_visit=\(pass)")
        let patient = try await SignalingBench.Client.open(url, headers: ph, group: app.eventLoopGroup)
        let waiting = await patient.next("waiting")
        XCTAssertNotNil(waiting, "the patient is in the waiting room")
        let token = try await HTTP.send(
            app, .POST, Site.apiAuthToken.path(),
            json: [
                "username": username, "password": BookingBench.benchPassword,
                "otp": Domain.TOTP(secret: secret).code(at: app.clock.now()),
            ])
        var bearer = HTTPHeaders()
        bearer.bearerAuthorization = .init(token: try token.content.get(String.self, at: "access_token"))
        return (visit, url, patient, ph, bearer)
    }
}
