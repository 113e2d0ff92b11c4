import XCTest
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import AppCore
import Jobs
import Locations
import Patients
import Prescribing

/// e-Prescribing against `pharmacy-sim` on loopback: the clinic app serves HTTP on a real port (for the simulator's
/// renewal requests and cancel responses) and posts its outbound messages to the simulator.
final class PrescribingTests: XCTestCase {
    struct Rx: Decodable {
        let id: UUID; let status: String; let statusDetail: String?; let refills: Int; let controlled: Bool
    }
    struct Item: Decodable {
        let id: UUID; let routedTo: UUID; let routeReason: String; let status: String; let source: String;
        let history: [Rx]
    }
    struct SimMessage: Decodable { let type: String; let messageID: String; let relatesTo: String?; let answer: String }

    static let token = "test-clearinghouse-token"

    /// The clinic app (serving), the simulator, a patient with an address, and a provider with an NPI and DEA number.
    final class World: @unchecked Sendable {
        let app: Application
        let clock: TestClock
        let sim: Application
        let simURL: String
        let w: SchedulingWorld
        let patient: UUID
        init(app: Application, clock: TestClock, sim: Application, simURL: String, w: SchedulingWorld, patient: UUID) {
            self.app = app; self.clock = clock; self.sim = sim; self.simURL = simURL; self.w = w; self.patient = patient
        }

        func simMessages() async throws -> [SimMessage] {
            let res = try await app.client.get(URI(string: simURL + "/sim/messages"))
            return try res.content.decode([SimMessage].self)
        }
        func simPost(_ path: String, _ body: [String: String]) async throws -> ClientResponse {
            try await app.client.post(URI(string: simURL + path)) { try $0.content.encode(body) }
        }
        func simPost(_ path: String, _ body: [String: Int]) async throws -> ClientResponse {
            try await app.client.post(URI(string: simURL + path)) { try $0.content.encode(body) }
        }
    }

    static func withRxWorld(_ body: (World) async throws -> Void) async throws {
        let appPort = PITR.freeLoopbackPort(), simPort = PITR.freeLoopbackPort()
        try await withTestApp(configure: {
            $0.clearinghouseURL = "http://127.0.0.1:\(simPort)/script"
            $0.clearinghouseToken = token
        }) { app, clock in
            try await app.server.start(address: .hostname("127.0.0.1", port: appPort))
            let sim = try await PharmacySim.make(
                .init(
                    port: simPort, clinicURL: "http://127.0.0.1:\(appPort)", token: token,
                    ncpdpids: PharmacySim.defaultPharmacies))
            do {
                try await sim.server.start(address: .hostname("127.0.0.1", port: simPort))
                let w = try await Fixtures.schedulingWorld(app)
                let pid = try await Fixtures.patient(app, family: "Rxpatient", given: "Ann")
                _ = try await PatientStore(scope: app.systemScope("test")).update(
                    pid,
                    PatientInput(addressLine1: "10 Example Ave", city: "Evansville", state: "IN", postalCode: "47708"),
                    expectedVersion: nil)
                try await EPCSStore(scope: app.systemScope("test")).setCredentials(
                    userID: w.provider.id, .init(npi: "1234567893", deaNumber: "BP1234563"))
                try await body(
                    World(app: app, clock: clock, sim: sim, simURL: "http://127.0.0.1:\(simPort)", w: w, patient: pid))
            } catch {
                await sim.server.shutdown(); try? await sim.asyncShutdown(); await app.server.shutdown()
                throw error
            }
            await sim.server.shutdown(); try await sim.asyncShutdown(); await app.server.shutdown()
        }
    }

    static func draft(
        _ drug: String = "cephalexin-500", refills: Int = 0, days: Int = 7, pharmacy: String = "1234567", location: UUID
    ) -> [String: AnyEncodable] {
        [
            "drugId": .init(drug), "sig": .init("Take 1 by mouth four times a day"), "quantity": .init("28"),
            "daysSupply": .init(days), "refills": .init(refills),
            "pharmacyNcpdpid": .init(pharmacy), "locationId": .init(location.uuidString),
        ]
    }

    func decode<T: Decodable>(_ t: T.Type, _ res: XCTHTTPResponse, file: StaticString = #filePath, line: UInt = #line)
        throws -> T
    {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        do { return try d.decode(T.self, from: Data(buffer: res.body)) } catch {
            XCTFail("\(res.status) \(res.body.string)", file: file, line: line); throw error
        }
    }

    func test_roundTrip_newRxStatus_renewalQueueApproval_cancelResponse() async throws {
        try await Self.withRxWorld { x in
            let app = x.app
            let provider = try await Fixtures.bearer(app, x.w.provider, clock: x.clock)
            // NewRx → Status.
            let made = try await HTTP.send(
                app, .POST, Site.apiPatientPrescriptions.path(x.patient), headers: provider,
                json: Self.draft(refills: 1, location: x.w.main))
            XCTAssertEqual(made.status, .created, made.body.string)
            let rx = try decode(Rx.self, made)
            XCTAssertEqual(rx.status, "draft")
            let signed = try await HTTP.send(
                app, .POST, Site.apiPrescriptionSign.path(rx.id), headers: provider,
                json: [String: String]())
            XCTAssertEqual(signed.status, .ok, signed.body.string)
            XCTAssertEqual(try decode(Rx.self, signed).status, "sending")
            var pass = try await JobWorker.runOnce(app, node: "t")
            XCTAssertEqual(pass.done, 1)
            let accepted = try await PrescriptionRecord.find(rx.id, on: app.db)
            XCTAssertEqual(accepted?.status, .accepted)
            let out = try await ScriptMessageRecord.query(on: app.db).filter(\.$type == ScriptMessageType.newRx)
                .first()!
            XCTAssertEqual(out.status, .sent)
            XCTAssertLessThanOrEqual(out.messageID.count, 35)
            let parsed = try ScriptCodec.for(.v2017071).parse(Data(out.xml.utf8))
            guard case .newRx(let d) = parsed.body else { return XCTFail("not a NewRx") }
            XCTAssertEqual(d.patient.lastName, "Rxpatient")
            XCTAssertEqual(d.patient.postalCode, "47708")
            XCTAssertEqual(d.prescriber.npi, "1234567893")
            XCTAssertNil(d.prescriber.deaNumber, "not controlled: no DEA number sent")
            XCTAssertEqual(d.medication.rxnorm, "309114")
            XCTAssertEqual(parsed.header.prescriberOrderNumber, ScriptGateway.orderNumber(rx.id))
            XCTAssertLessThanOrEqual(
                parsed.header.prescriberOrderNumber?.count ?? 99, 35, "PrescriberOrderNumber is an1..35")
            let status = try await ScriptMessageRecord.query(on: app.db).filter(\.$direction == ScriptDirection.inbound)
                .filter(
                    \.$type == ScriptMessageType.status
                ).first()
            XCTAssertEqual(status?.relatesTo, out.messageID, "the answer is stored, related to our message")
            var sim = try await x.simMessages()
            XCTAssertEqual(sim.map(\.type), ["NewRx"])
            XCTAssertEqual(sim[0].answer, "Status")

            // The pharmacy asks for a renewal → refill queue (prescriber of record) → approval → RxRenewalResponse.
            let renewal = try await x.simPost("/sim/renewal-requests", ["prescriberOrderNumber": rx.id.uuidString])
            XCTAssertEqual(renewal.status, .ok)
            let renewalAnswer = String(buffer: renewal.body!)
            XCTAssertTrue(renewalAnswer.contains("<Code>000</Code>"), renewalAnswer)
            let renewalID = renewal.headers.first(name: "X-Message-ID")!
            let queue = try decode(
                [Item].self, try await HTTP.send(app, .GET, Site.apiRefillRequests.path(), headers: provider))
            XCTAssertEqual(queue.count, 1)
            XCTAssertEqual(queue[0].routedTo, x.w.provider.id)
            XCTAssertEqual(queue[0].routeReason, "prescriber of record")
            XCTAssertEqual(queue[0].source, "pharmacy")
            XCTAssertEqual(queue[0].history.map(\.id), [rx.id])
            let approved = try await HTTP.send(
                app, .POST, Site.apiRefillRequestDecision.path(queue[0].id), headers: provider,
                json: ["decision": AnyEncodable("approve"), "refills": AnyEncodable(2)])
            XCTAssertEqual(approved.status, .ok, approved.body.string)
            pass = try await JobWorker.runOnce(app, node: "t")
            XCTAssertEqual(pass.done, 1)
            sim = try await x.simMessages()
            XCTAssertEqual(sim.map(\.type), ["NewRx", "RxRenewalResponse"])
            XCTAssertEqual(sim[1].relatesTo, renewalID, "the response relates to the pharmacy's request")
            let response = try await ScriptMessageRecord.query(on: app.db).filter(
                \.$type == ScriptMessageType.rxRenewalResponse
            )
            .first()!
            guard
                case .rxRenewalResponse(.approved, let rd) = try ScriptCodec.for(.v2017071).parse(
                    Data(response.xml.utf8)
                ).body
            else { return XCTFail("not approved") }
            XCTAssertEqual(rd.medication.refills, 2)

            // CancelRx → Status, then the simulator's CancelRxResponse arrives at the inbound endpoint.
            let cancel = try await HTTP.send(
                app, .POST, Site.apiPrescriptionCancel.path(rx.id), headers: provider)
            XCTAssertEqual(cancel.status, .ok, cancel.body.string)
            pass = try await JobWorker.runOnce(app, node: "t")
            XCTAssertEqual(pass.done, 1)
            var final: PrescriptionStatus?
            for _ in 0..<50 {
                final = try await PrescriptionRecord.find(rx.id, on: app.db)?.status
                if final == .cancelled { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            XCTAssertEqual(final, .cancelled)
            let cancelResponse = try await ScriptMessageRecord.query(on: app.db).filter(
                \.$type == ScriptMessageType.cancelRxResponse
            )
            .first()
            let cancelOut = try await ScriptMessageRecord.query(on: app.db).filter(
                \.$type == ScriptMessageType.cancelRx
            ).first()
            XCTAssertEqual(cancelResponse?.relatesTo, cancelOut?.messageID, "matched by RelatesToMessageID")
            let audit = try await Fixtures.auditRows(app, patientID: x.patient).filter {
                $0.category == "prescriptions"
            }
            XCTAssertTrue(audit.contains { $0.detail.contains("CancelRxResponse cancelled") })
        }
    }

    func test_errors_unknownPharmacyIsFinal_error600IsRetried() async throws {
        try await Self.withRxWorld { x in
            let app = x.app
            let provider = try await Fixtures.bearer(app, x.w.provider, clock: x.clock)
            // A pharmacy in our directory that the network does not know: Error 900, shown, not retried.
            let made = try decode(
                Rx.self,
                try await HTTP.send(
                    app, .POST, Site.apiPatientPrescriptions.path(x.patient), headers: provider,
                    json: Self.draft(pharmacy: "3456789", location: x.w.main)))
            _ = try await HTTP.send(
                app, .POST, Site.apiPrescriptionSign.path(made.id), headers: provider,
                json: [String: String]())
            var pass = try await JobWorker.runOnce(app, node: "t")
            XCTAssertEqual(pass.done, 1)
            let refused = try await PrescriptionRecord.find(made.id, on: app.db)!
            XCTAssertEqual(refused.status, .error)
            XCTAssertTrue(refused.statusDetail?.contains("Error 900/1000") == true, refused.statusDetail ?? "")
            XCTAssertTrue(refused.statusDetail?.contains("Unknown pharmacy NCPDPID 3456789") == true)
            let job = try await JobRecord.query(on: app.db).filter(\.$kind == "script.send").first()!
            XCTAssertEqual(job.attempts, 1, "900 is not retried")

            // Error 600 (communication problem): retried with backoff, then accepted; one NewRx id throughout.
            let ok = try await x.simPost("/sim/fail-next", ["count": 1])
            XCTAssertEqual(ok.status, .noContent)
            let second = try decode(
                Rx.self,
                try await HTTP.send(
                    app, .POST, Site.apiPatientPrescriptions.path(x.patient), headers: provider,
                    json: Self.draft(location: x.w.main)))
            _ = try await HTTP.send(
                app, .POST, Site.apiPrescriptionSign.path(second.id), headers: provider,
                json: [String: String]())
            pass = try await JobWorker.runOnce(app, node: "t")
            XCTAssertEqual(pass.retried, 1)
            let waiting = try await JobRecord.query(on: app.db).filter(\.$kind == "script.send").filter(
                \.$status == JobStatus.pending
            ).first()!
            XCTAssertTrue(waiting.lastError?.contains("Error 600") == true, waiting.lastError ?? "")
            let stillSending = try await PrescriptionRecord.find(second.id, on: app.db)?.status
            XCTAssertEqual(stillSending, .sending)
            x.clock.advance(by: 60)
            pass = try await JobWorker.runOnce(app, node: "t")
            XCTAssertEqual(pass.done, 1)
            let nowAccepted = try await PrescriptionRecord.find(second.id, on: app.db)?.status
            XCTAssertEqual(nowAccepted, .accepted)
            let sent = try await x.simMessages().filter { $0.type == "NewRx" }
            XCTAssertEqual(sent.count, 2, "the 600 attempt is not recorded as received; the retry is")
            let ids = try await ScriptMessageRecord.query(on: app.db).filter(\.$prescriptionID == second.id).filter(
                \.$direction == ScriptDirection.outbound
            ).all().map(\.messageID)
            XCTAssertEqual(ids.count, 1)
        }
    }

    func test_renewal_goesToTheCoveringProvider_whenThePrescriberIsAway() async throws {
        try await Self.withRxWorld { x in
            let app = x.app
            let provider = try await Fixtures.bearer(app, x.w.provider, clock: x.clock)
            let made = try decode(
                Rx.self,
                try await HTTP.send(
                    app, .POST, Site.apiPatientPrescriptions.path(x.patient), headers: provider,
                    json: Self.draft(location: x.w.main)))
            _ = try await HTTP.send(
                app, .POST, Site.apiPrescriptionSign.path(made.id), headers: provider,
                json: [String: String]())
            _ = try await JobWorker.runOnce(app, node: "t")
            // The prescriber is on leave today (scheduling availability); Main's covering provider takes renewals.
            let covering = try await Fixtures.workingProvider(app, main: x.w.main, lake: x.w.lake)
            let admin = try await Fixtures.bearer(app, try await Fixtures.user(app, .admin), clock: x.clock)
            let set = try await HTTP.send(
                app, .PUT, Site.apiLocationCoveringProvider.path(x.w.main), headers: admin,
                json: ["providerId": covering.id.uuidString])
            XCTAssertEqual(set.status, .noContent, set.body.string)
            let leave = try await HTTP.send(
                app, .POST, Site.apiAvailabilityExceptions.path(), headers: admin,
                json: [
                    "providerId": x.w.provider.id.uuidString,
                    "start": Fixtures.iso(x.clock.now().addingTimeInterval(-3600)),
                    "end": Fixtures.iso(x.clock.now().addingTimeInterval(5 * 86400)), "kind": "leave",
                    "reason": "Vacation",
                ])
            XCTAssertEqual(leave.status, .created, leave.body.string)
            let renewal = try await x.simPost("/sim/renewal-requests", ["prescriberOrderNumber": made.id.uuidString])
            XCTAssertEqual(renewal.status, .ok)
            let cover = try await Fixtures.bearer(app, covering, clock: x.clock)
            let mine = try decode(
                [Item].self, try await HTTP.send(app, .GET, Site.apiRefillRequests.path(), headers: cover))
            XCTAssertEqual(mine.count, 1)
            XCTAssertEqual(mine[0].routeReason, "covering provider (the prescriber is away)")
            let provider2 = try await Fixtures.bearer(app, x.w.provider, clock: x.clock)
            let theirs = try decode(
                [Item].self, try await HTTP.send(app, .GET, Site.apiRefillRequests.path(), headers: provider2))
            XCTAssertEqual(theirs.count, 0, "the away prescriber's queue is empty")
            let notMine = try await HTTP.send(
                app, .POST, Site.apiRefillRequestDecision.path(mine[0].id), headers: provider2,
                json: ["decision": "deny", "reasonCode": "AM"])
            XCTAssertEqual(notMine.status, .forbidden)
            let denied = try await HTTP.send(
                app, .POST, Site.apiRefillRequestDecision.path(mine[0].id), headers: cover,
                json: ["decision": "deny", "reasonCode": "AM", "note": "Please book a follow-up"])
            XCTAssertEqual(denied.status, .ok, denied.body.string)
            _ = try await JobWorker.runOnce(app, node: "t")
            let response = try await ScriptMessageRecord.query(on: app.db).filter(
                \.$type == ScriptMessageType.rxRenewalResponse
            )
            .first()!
            guard
                case .rxRenewalResponse(.denied(let code, let note), _) = try ScriptCodec.for(.v2017071).parse(
                    Data(response.xml.utf8)
                ).body
            else { return XCTFail("not denied") }
            XCTAssertEqual(code, "AM")
            XCTAssertEqual(note, "Please book a follow-up")
        }
    }

    /// pharmacy-sim checks what it receives against the SCRIPT schema's rules first, as a real intermediary does, and
    /// answers a message that breaks them with Error 900 / 3000 naming the XPath.
    func test_pharmacySim_refusesASchemaBreakingMessage_withTheXPath() async throws {
        try await Self.withRxWorld { x in
            let codec = try ScriptCodec.for(.v2017071)
            var details = ScriptCodecTestsShared.details
            details.pharmacy.phone = ""
            let m = ScriptMessage(
                header: ScriptHeader(
                    to: ScriptParty("1234567", "P"), from: ScriptParty("1234567893", "D"), messageID: "CSschema1",
                    sentTime: x.clock.now(), prescriberOrderNumber: "0123456789abcdef"),
                body: .newRx(details))
            let res = try await x.app.client.post(URI(string: x.simURL + "/script")) {
                $0.headers.bearerAuthorization = .init(token: Self.token)
                $0.headers.contentType = .xml
                $0.body = ByteBuffer(string: codec.xml(m))
            }
            let answer = try XElement.parse(Data(buffer: res.body ?? ByteBuffer()))
            XCTAssertEqual(answer.value("Body/Error/Code"), "900")
            XCTAssertEqual(answer.value("Body/Error/DescriptionCode"), "3000")
            XCTAssertTrue(
                answer.value("Body/Error/Description")?.contains(
                    "XPath: /Message/Body/NewRx/Pharmacy/CommunicationNumbers/PrimaryTelephone/Number") == true,
                answer.value("Body/Error/Description") ?? "")
            let received = try await x.simMessages()
            XCTAssertFalse(received.contains { $0.messageID == "CSschema1" && $0.answer == "Status" })
        }
    }

    /// A message the standard would refuse is not written: the prescribe form names the practice data it lacks.
    func test_missingPracticeData_isNamedOnThePrescribeForm_beforeSigning() async throws {
        try await Self.withRxWorld { x in
            let main = try await LocationRecord.find(x.w.main, on: x.app.db)
            main?.phone = "ext. 12"
            main?.address = "1 Main St"
            try await main?.save(on: x.app.db)
            let provider = try await Fixtures.bearer(x.app, x.w.provider, clock: x.clock)
            let res = try await HTTP.send(
                x.app, .POST, Site.apiPatientPrescriptions.path(x.patient), headers: provider,
                json: Self.draft(location: x.w.main))
            XCTAssertEqual(res.status, .unprocessableEntity)
            let messages = try res.problem().errors?.filter { $0.field == "locationId" }.map(\.message) ?? []
            XCTAssertTrue(messages.contains { $0.contains("no 10-digit phone number") }, "\(messages)")
            XCTAssertTrue(messages.contains { $0.contains("street, city, ST 12345") }, "\(messages)")
            let rows = try await PrescriptionRecord.query(on: x.app.db).count()
            XCTAssertEqual(rows, 0)
        }
    }

    func test_inbound_needsTheToken_malformedGetsAnError_andCreatesNothing() async throws {
        try await withTestApp(configure: { $0.clearinghouseToken = Self.token }) { app, clock in
            var auth = HTTPHeaders()
            auth.bearerAuthorization = .init(token: Self.token)
            func post(_ xml: String, _ h: HTTPHeaders) async throws -> XCTHTTPResponse {
                try await HTTP.send(app, .POST, Site.scriptInbound.path(), headers: h, raw: xml, contentType: .xml)
            }
            let noToken = try await post("<Message/>", [:])
            XCTAssertEqual(noToken.status, .unauthorized)
            var wrong = HTTPHeaders()
            wrong.bearerAuthorization = .init(token: "guess")
            let wrongToken = try await post("<Message/>", wrong)
            XCTAssertEqual(wrongToken.status, .unauthorized)
            let broken = try await post("<Message><Header><To>1</Header>", auth)
            XCTAssertEqual(broken.status, .ok)
            let err = try XElement.parse(Data(broken.body.string.utf8))
            XCTAssertEqual(err.value("Body/Error/Code"), "900")
            XCTAssertEqual(err.value("Body/Error/DescriptionCode"), "500")
            // Well-formed, but about a prescription we never wrote.
            let codec = try ScriptCodec.for(.v2017071)
            let stranger = ScriptMessage(
                header: ScriptHeader(
                    to: ScriptParty("CARESYNC", "C"), from: ScriptParty("1234567", "P"), messageID: "PH1",
                    relatesToMessageID: "CSunknown", sentTime: clock.now(), prescriberOrderNumber: UUID().uuidString),
                body: .rxRenewalRequest(ScriptCodecTestsShared.details))
            let unknown = try XElement.parse(Data(try await post(codec.xml(stranger), auth).body.string.utf8))
            XCTAssertEqual(unknown.value("Body/Error/DescriptionCode"), "1000")
            XCTAssertEqual(unknown.value("Header/RelatesToMessageID"), "PH1")
            var newRx = stranger
            newRx.body = .newRx(ScriptCodecTestsShared.details)
            let unsupported = try XElement.parse(Data(try await post(codec.xml(newRx), auth).body.string.utf8))
            XCTAssertEqual(unsupported.value("Body/Error/DescriptionCode"), "4040")
            let messages = try await ScriptMessageRecord.query(on: app.db).count()
            let requests = try await RefillRequestRecord.query(on: app.db).count()
            XCTAssertEqual(messages + requests, 0, "refused messages create nothing")
        }
    }
}

/// Inbound hardening against a real intermediary's inputs: a DTD anywhere (not only in the first 4 KB), a document in
/// UTF-16, a Message in a foreign namespace, and an oversized body — each answered with a SCRIPT Error, nothing stored.
final class ScriptInboundHardeningTests: XCTestCase {
    static let token = "inbound-hardening-token"

    func test_dtdAnywhere_utf16_foreignNamespace_andOversize_areRefusedInScript() async throws {
        try await withTestApp(configure: { $0.clearinghouseToken = Self.token }) { app, clock in
            var auth = HTTPHeaders()
            auth.bearerAuthorization = .init(token: Self.token)
            let codec = try ScriptCodec.for(.v2017071)
            let renewal = ScriptMessage(
                header: ScriptHeader(
                    to: ScriptParty("CARESYNC", "C"), from: ScriptParty("1234567", "P"),
                    messageID: "PH-DTD", relatesToMessageID: "CSunknown", sentTime: clock.now(),
                    prescriberOrderNumber: "RX1"),
                body: .rxRenewalRequest(ScriptCodecTestsShared.details))
            let xml = codec.xml(renewal)
            guard let declEnd = xml.range(of: "?>") else { return XCTFail("no XML declaration") }
            let head = String(xml[..<declEnd.upperBound]), rest = String(xml[declEnd.upperBound...])
            let dtd = "<!DOCTYPE Message [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
            let longComment = "<!--" + String(repeating: "a", count: 4200) + "-->"
            // A multi-byte character split at byte 4096 used to make the old check skip the document.
            let split = "<!--" + String(repeating: "a", count: 4096 - head.utf8.count - 4 - 1) + "é-->"
            func post(_ body: Data, _ type: HTTPMediaType = .xml) async throws -> XElement? {
                var h = auth
                h.contentType = type
                let res = try await app.sendRequest(
                    .POST, Site.scriptInbound.path(), headers: h, body: ByteBuffer(data: body))
                XCTAssertEqual(res.status, .ok, res.body.string.prefix(300).description)
                return try? XElement.parse(Data(res.body.string.utf8))
            }
            for (name, doc) in [
                ("after a 4.2 KB comment", head + longComment + dtd + rest),
                ("after a character split at byte 4096", head + split + dtd + rest),
            ] {
                let answer = try await post(Data(doc.utf8))
                XCTAssertEqual(answer?.value("Body/Error/Code"), "900", name)
                XCTAssertEqual(answer?.value("Body/Error/DescriptionCode"), "500", name)
            }
            let utf16 = xml.replacingOccurrences(of: "encoding=\"UTF-8\"", with: "encoding=\"UTF-16\"")
            let u16 = try await post(utf16.data(using: .utf16)!)
            XCTAssertEqual(u16?.value("Body/Error/Code"), "900")
            let foreign = xml.replacingOccurrences(of: "<Message ", with: "<Message xmlns=\"urn:not-script\" ")
            let ns = try await post(Data(foreign.utf8))
            XCTAssertEqual(ns?.value("Body/Error/DescriptionCode"), "3000")
            let huge = head + "<!--" + String(repeating: "a", count: 5 * 1_048_576) + "-->" + rest
            let big = try await post(Data(huge.utf8))
            XCTAssertEqual(
                big?.value("Body/Error/Code"), "900", "an oversized message gets a SCRIPT Error, not a JSON problem")
            XCTAssertEqual(big?.value("Body/Error/DescriptionCode"), "3000")
            let messages = try await ScriptMessageRecord.query(on: app.db).count()
            let requests = try await RefillRequestRecord.query(on: app.db).count()
            XCTAssertEqual(messages + requests, 0, "refused messages create nothing")
        }
    }
}

/// A well-formed RxDetails for inbound tests.
enum ScriptCodecTestsShared {
    static let details = RxDetails(
        patient: ScriptPatient(
            lastName: "Stranger", firstName: "Sam", gender: "U", dateOfBirth: "1970-01-01", addressLine1: "1 Nowhere",
            city: "X", state: "IN", postalCode: "47708"),
        pharmacy: ScriptPharmacy(ncpdpid: "1234567", npi: "1234567893", businessName: "CareSync Test Pharmacy"),
        prescriber: ScriptPrescriber(npi: "1234567893", deaNumber: nil, lastName: "Doe", firstName: "Jo"),
        medication: ScriptMedication(
            description: "Cephalexin 500 MG Oral Capsule", ndc: nil, rxnorm: "309114", schedule: nil, quantity: "28",
            unitCode: "C48480",
            daysSupply: 7, writtenDate: "2026-11-01", substitutions: "0", refills: 0,
            sig: "Take 1 capsule four times a day"))
}

/// Heterogeneous JSON bodies for tests.
struct AnyEncodable: Encodable, Sendable {
    let encodeValue: @Sendable (Encoder) throws -> Void
    init<T: Encodable & Sendable>(_ v: T) { encodeValue = { try v.encode(to: $0) } }
    func encode(to encoder: Encoder) throws { try encodeValue(encoder) }
}
