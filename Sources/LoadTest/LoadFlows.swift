import Vapor
import Domain
import AppCore

/// The synthetic people a run acts as, signed in before the clock starts (except the portal flow, which signs in as
/// part of each iteration, as a patient does).
package struct LoadCohort: Sendable {
    package struct Provider: Sendable {
        package let id: UUID
        package let locationID: UUID
        package let token: String
    }

    package struct Patient: Sendable {
        package let id: UUID
        package let username: String
        package let token: String
        package let woundID: UUID
    }

    package let password: String
    package let deskToken: String
    package let providers: [Provider]
    package let patients: [Patient]
    /// Synthetic appointment types (never patient-bookable): an in-person visit and a video visit.
    package let visitType: UUID
    package let videoType: UUID
    package let pharmacy: String?
    package let drugID: String?

    package init(
        password: String, deskToken: String, providers: [Provider], patients: [Patient], visitType: UUID,
        videoType: UUID, pharmacy: String?, drugID: String?
    ) {
        self.password = password
        self.deskToken = deskToken
        self.providers = providers
        self.patients = patients
        self.visitType = visitType
        self.videoType = videoType
        self.pharmacy = pharmacy
        self.drugID = drugID
    }
}

/// Why a load test did not start or stopped (refused for safety, the target not ready for it), in words.
package struct LoadTestRefusal: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

/// A failure of one step of a flow: the step and what was seen (status and route, never a body).
package struct FlowFailure: Error, CustomStringConvertible {
    package let description: String
}

/// One iteration of a flow against the target: each request is timed and recorded under the flow; the first failure
/// ends the iteration (as a person would stop).
package struct LoadFlows: Sendable {
    package let client: any Client
    package let group: any EventLoopGroup
    package let base: String
    package let cohort: LoadCohort
    package let recorder: LoadRecorder
    package let scenario: LoadScenario
    package let photo: [UInt8]

    package init(
        client: any Client, group: any EventLoopGroup, base: String, cohort: LoadCohort, recorder: LoadRecorder,
        scenario: LoadScenario, photo: [UInt8]
    ) {
        self.client = client
        self.group = group
        self.base = base
        self.cohort = cohort
        self.recorder = recorder
        self.scenario = scenario
        self.photo = photo
    }

    package func run(_ flow: LoadFlow) async {
        do {
            switch flow {
            case .booking: try await booking()
            case .checkIn: try await checkIn()
            case .portal: try await portal()
            case .intake: try await intake()
            case .upload: try await upload()
            case .message: try await message()
            case .video: try await video()
            case .chart: try await chart()
            case .prescription: try await prescription()
            case .refills: try await refills()
            }
        } catch {
            // Already recorded where it happened (a request that failed); anything else is recorded here.
            if !(error is FlowFailure) {
                recorder.request(flow, ms: 0, failure: "\(type(of: error))")
            }
        }
    }

    // MARK: requests

    /// One timed request; a status outside `ok` (or no answer) is a recorded failure and ends the iteration.
    @discardableResult
    func call(
        _ flow: LoadFlow, _ method: HTTPMethod, _ path: String, token: String? = nil, json: [String: Any]? = nil,
        headers extra: HTTPHeaders = [:], body: ByteBuffer? = nil, ok: Set<UInt> = [200, 201, 204],
        route: String? = nil
    ) async throws -> ClientResponse {
        var headers = extra
        if let token { headers.bearerAuthorization = .init(token: token) }
        var buffer = body
        if let json {
            headers.contentType = .json
            buffer = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        }
        let started = ContinuousClock.now
        let name = "\(method) \(route ?? path)"
        do {
            let res = try await client.send(method, headers: headers, to: URI(string: base + path)) { req in
                req.body = buffer
                req.timeout = .seconds(30)
            }
            let ms = (ContinuousClock.now - started).milliseconds
            guard ok.contains(res.status.code) else {
                recorder.request(flow, ms: ms, failure: "\(res.status.code) \(name)")
                throw FlowFailure(description: "\(res.status.code) \(name)")
            }
            recorder.request(flow, ms: ms, failure: nil)
            return res
        } catch let e as FlowFailure {
            throw e
        } catch {
            let ms = (ContinuousClock.now - started).milliseconds
            recorder.request(flow, ms: ms, failure: "no answer (\(type(of: error))) \(name)")
            throw FlowFailure(description: "no answer \(name)")
        }
    }

    func object(_ res: ClientResponse) -> [String: Any] {
        guard let b = res.body, let o = try? JSONSerialization.jsonObject(with: Data(buffer: b)) as? [String: Any]
        else { return [:] }
        return o
    }

    func array(_ res: ClientResponse) -> [[String: Any]] {
        guard let b = res.body, let a = try? JSONSerialization.jsonObject(with: Data(buffer: b)) as? [[String: Any]]
        else { return [] }
        return a
    }

    var anyProvider: LoadCohort.Provider { cohort.providers.randomElement()! }
    var anyPatient: LoadCohort.Patient { cohort.patients.randomElement()! }

    /// A free time with a synthetic provider (the next two weeks at that provider's location), as the desk finds it.
    func freeSlot(_ flow: LoadFlow, provider: LoadCohort.Provider, type: UUID) async throws -> [String: Any] {
        let today = Format.utc(Date(), "yyyy-MM-dd")
        let to = Format.utc(Date().addingTimeInterval(13 * 86400), "yyyy-MM-dd")
        let res = try await call(
            flow, .GET,
            Site.apiSlots.path() + "?type=\(type)&provider=\(provider.id)&location=\(provider.locationID)"
                + "&from=\(today)&to=\(to)", token: cohort.deskToken, route: Site.apiSlots.path())
        // Later slots are less contended by the other iterations that start at the same time.
        let slots = array(res).filter { ($0["start"] as? String).flatMap(ISO8601.parse).map { $0 > Date() } ?? false }
        guard let slot = slots.isEmpty ? nil : slots[Int.random(in: 0..<min(slots.count, 40))] else {
            recorder.request(flow, ms: 0, failure: "no free slot for the synthetic providers")
            throw FlowFailure(description: "no free slot")
        }
        return slot
    }

    /// Books a free slot; a 409 (another iteration took it first) looks again, as the desk would, up to three times.
    func book(_ flow: LoadFlow, patient: LoadCohort.Patient, type: UUID) async throws -> (id: UUID, etag: String) {
        let provider = anyProvider
        for _ in 0..<3 {
            let slot = try await freeSlot(flow, provider: provider, type: type)
            let res = try await call(
                flow, .POST, Site.apiAppointments.path(), token: cohort.deskToken,
                json: [
                    "patientId": patient.id.uuidString, "providerId": provider.id.uuidString,
                    "locationId": provider.locationID.uuidString, "typeId": type.uuidString,
                    "start": slot["start"] as? String ?? "",
                ], ok: [201, 409])
            if res.status == .created, let id = (object(res)["id"] as? String).flatMap(UUID.init(uuidString:)) {
                return (id, res.headers.first(name: .eTag) ?? "")
            }
        }
        recorder.request(flow, ms: 0, failure: "409 three times in a row (slots taken)")
        throw FlowFailure(description: "slots taken")
    }

    // MARK: flows

    func booking() async throws {
        let flow = LoadFlow.booking
        let (id, etag) = try await book(flow, patient: anyPatient, type: cohort.visitType)
        let path = Site.apiAppointment.path(id)
        let route = "/api/v1/appointments/:id"
        // Move it: another free time of a provider (maybe at the other location).
        let other = anyProvider
        let slot = try await freeSlot(flow, provider: other, type: cohort.visitType)
        var h = HTTPHeaders()
        h.replaceOrAdd(name: .ifMatch, value: etag)
        let moved = try await call(
            flow, .PATCH, path, token: cohort.deskToken,
            json: [
                "start": slot["start"] as? String ?? "", "providerId": other.id.uuidString,
                "locationId": other.locationID.uuidString,
            ], headers: h, ok: [200, 409], route: route)
        var h2 = HTTPHeaders()
        if let e = moved.headers.first(name: .eTag), moved.status == .ok { h2.replaceOrAdd(name: .ifMatch, value: e) }
        if moved.status != .ok {
            let current = try await call(flow, .GET, path, token: cohort.deskToken, route: route)
            h2.replaceOrAdd(name: .ifMatch, value: current.headers.first(name: .eTag) ?? "")
        }
        try await call(
            flow, .PATCH, path, token: cohort.deskToken,
            json: ["status": "cancelled", "cancelReason": "load test"], headers: h2, route: route)
    }

    func checkIn() async throws {
        let flow = LoadFlow.checkIn
        let (id, etag) = try await book(flow, patient: anyPatient, type: cohort.visitType)
        var h = HTTPHeaders()
        h.replaceOrAdd(name: .ifMatch, value: etag)
        let route = "/api/v1/appointments/:id"
        try await call(
            flow, .PATCH, Site.apiAppointment.path(id), token: cohort.deskToken, json: ["status": "arrived"],
            headers: h, route: route)
    }

    /// The real form: the sign-in page (its CSRF cookie and field), the POST, then the portal's home page.
    func portal() async throws {
        let flow = LoadFlow.portal
        let p = anyPatient
        let form = try await call(flow, .GET, Site.portalLogin.path())
        var cookies = Self.cookies(form)
        let csrf = cookies["cs_csrf"] ?? ""
        var h = HTTPHeaders()
        h.contentType = .urlEncodedForm
        h.replaceOrAdd(name: .cookie, value: Self.cookieHeader(cookies))
        let body =
            "username=\(Self.formEncode(p.username))&password=\(Self.formEncode(cohort.password))"
            + "&_csrf=\(Self.formEncode(csrf))"
        let signedIn = try await call(
            flow, .POST, Site.portalLogin.path(), headers: h, body: ByteBuffer(string: body), ok: [303, 302])
        cookies.merge(Self.cookies(signedIn)) { $1 }
        var home = HTTPHeaders()
        home.replaceOrAdd(name: .cookie, value: Self.cookieHeader(cookies))
        let page = try await call(flow, .GET, Site.portal.path(), headers: home)
        guard let b = page.body, String(buffer: b).contains("<main") else {
            recorder.request(flow, ms: 0, failure: "the portal home page is not a page")
            throw FlowFailure(description: "portal page")
        }
    }

    func intake() async throws {
        let p = anyPatient
        let path = Site.apiPatientIntakeForm.path(p.id, "diabetic-foot")
        try await call(
            .intake, .PUT, path, token: p.token,
            json: [
                "answers": [
                    "diabetesType": "Type 2", "lastA1c": "7.2", "priorUlcer": "no", "amputation": "no",
                    "footwear": "Athletic shoes", "neuropathy": "Tingling",
                ],
                "submit": true,
            ], ok: [200, 409], route: "/api/v1/patients/:id/intake/diabetic-foot")
    }

    /// tus: create, then the photo in 1 MB chunks, each PATCH at the offset the server confirmed.
    func upload() async throws {
        let flow = LoadFlow.upload
        let p = anyPatient
        var h = HTTPHeaders()
        h.replaceOrAdd(name: "Tus-Resumable", value: "1.0.0")
        h.replaceOrAdd(name: "Upload-Length", value: String(photo.count))
        h.replaceOrAdd(
            name: "Upload-Metadata", value: "woundId " + Data(p.woundID.uuidString.utf8).base64EncodedString())
        let created = try await call(flow, .POST, "/api/v1/uploads", token: p.token, headers: h, ok: [201])
        guard let location = created.headers.first(name: .location) else {
            recorder.request(flow, ms: 0, failure: "201 without a Location")
            throw FlowFailure(description: "no location")
        }
        let path = location.hasPrefix("http") ? String(URI(string: location).path) : location
        var offset = 0
        let chunk = 1 << 20
        while offset < photo.count {
            let end = min(offset + chunk, photo.count)
            var ph = HTTPHeaders()
            ph.replaceOrAdd(name: "Tus-Resumable", value: "1.0.0")
            ph.replaceOrAdd(name: "Upload-Offset", value: String(offset))
            ph.replaceOrAdd(name: .contentType, value: "application/offset+octet-stream")
            let res = try await call(
                flow, .PATCH, path, token: p.token, headers: ph, body: ByteBuffer(bytes: photo[offset..<end]),
                ok: [204], route: "/api/v1/uploads/:id")
            offset = Int(res.headers.first(name: "Upload-Offset") ?? "") ?? end
        }
    }

    func message() async throws {
        let flow = LoadFlow.message
        let p = anyPatient
        let started = try await call(
            flow, .POST, Site.apiPatientConversations.path(p.id), token: p.token,
            json: [
                "subject": "Load test question", "body": "Is it normal for the dressing to feel tight?",
                "locationId": anyProvider.locationID.uuidString,
            ],
            route: "/api/v1/patients/:id/conversations")
        try await call(flow, .GET, Site.apiInbox.path(), token: anyProvider.token)
        if let id = (object(started)["id"] as? String).flatMap(UUID.init(uuidString:)) {
            try await call(
                flow, .GET, Site.apiConversation.path(id), token: anyProvider.token,
                route: "/api/v1/conversations/:id")
        }
    }

    func chart() async throws {
        let p = anyPatient, token = anyProvider.token
        try await call(.chart, .GET, Site.apiPatient.path(p.id), token: token, route: "/api/v1/patients/:id")
        try await call(
            .chart, .GET, Site.apiPatientClinical.path(p.id), token: token, route: "/api/v1/patients/:id/clinical")
    }

    func refills() async throws {
        try await call(.refills, .GET, Site.apiRefillRequests.path(), token: anyProvider.token)
    }

    /// Draft, sign (a non-controlled medicine: no second factor), then the pharmacy's answer as the prescriber's
    /// screen would poll for it.
    func prescription() async throws {
        let flow = LoadFlow.prescription
        guard let pharmacy = cohort.pharmacy, let drug = cohort.drugID else {
            recorder.request(flow, ms: 0, failure: "no pharmacy or formulary on the target")
            throw FlowFailure(description: "no pharmacy")
        }
        let p = anyPatient, provider = anyProvider
        let draft = try await call(
            flow, .POST, Site.apiPatientPrescriptions.path(p.id), token: provider.token,
            json: [
                "drugId": drug, "sig": "Apply to the affected area twice daily", "quantity": "30", "daysSupply": 15,
                "refills": 0, "pharmacyNcpdpid": pharmacy, "locationId": provider.locationID.uuidString,
                // The same synthetic patient gets the same medicine again: the duplicate-therapy check asks why.
                "overrideReason": "Load test: synthetic patient",
            ], route: "/api/v1/patients/:id/prescriptions")
        guard let id = (object(draft)["id"] as? String).flatMap(UUID.init(uuidString:)) else {
            recorder.request(flow, ms: 0, failure: "draft without an id")
            throw FlowFailure(description: "no id")
        }
        let signed = try await call(
            flow, .POST, Site.apiPrescriptionSign.path(id), token: provider.token,
            json: ["overrideReason": "Load test: synthetic patient"], route: "/api/v1/prescriptions/:id/sign")
        var status = object(signed)["status"] as? String ?? ""
        let deadline = ContinuousClock.now + .seconds(30)
        while status == PrescriptionStatus.sending.rawValue, ContinuousClock.now < deadline {
            try await Task.sleep(for: .seconds(1))
            let r = try await call(
                flow, .GET, Site.apiPrescription.path(id), token: provider.token, route: "/api/v1/prescriptions/:id")
            status = object(r)["status"] as? String ?? ""
        }
        if status != PrescriptionStatus.accepted.rawValue {
            recorder.request(flow, ms: 0, failure: "the pharmacy's answer: \(status.isEmpty ? "none" : status)")
            throw FlowFailure(description: "pharmacy")
        }
    }

    /// A video visit: booked for a synthetic patient, the patient waits (WebSocket with their token), the provider
    /// admits, both exchange an offer, an answer and candidates, keep the line alive for the visit's length, and the
    /// provider ends it. Each hop's delivery time is a recorded "request".
    func video() async throws {
        let flow = LoadFlow.video
        let p = anyPatient
        let (appointment, _) = try await book(flow, patient: p, type: cohort.videoType)
        // The visit is hosted by the appointment's provider: find whose token that is.
        let a = try await call(
            flow, .GET, Site.apiAppointment.path(appointment), token: cohort.deskToken,
            route: "/api/v1/appointments/:id")
        let providerID = (object(a)["providerId"] as? String).flatMap(UUID.init(uuidString:))
        guard let provider = cohort.providers.first(where: { $0.id == providerID }) else {
            throw FlowFailure(description: "no provider")
        }
        let visit = try await call(
            flow, .POST, Site.apiAppointmentVisit.path(appointment), token: provider.token,
            route: "/api/v1/appointments/:id/visit")
        guard let visitID = (object(visit)["id"] as? String).flatMap(UUID.init(uuidString:)) else {
            throw FlowFailure(description: "no visit id")
        }
        let ws =
            (base.hasPrefix("https") ? "wss" : "ws") + base.drop { $0 != ":" }
            + Site.visitSignal.path(visitID)
        var ph = HTTPHeaders(), dh = HTTPHeaders()
        ph.bearerAuthorization = .init(token: p.token)
        dh.bearerAuthorization = .init(token: provider.token)
        let patient = try await SignalSocket.open(ws, headers: ph, group: group)
        defer { Task { await patient.close() } }
        guard await patient.next("waiting") != nil else {
            recorder.request(flow, ms: 0, failure: "the waiting room did not answer")
            throw FlowFailure(description: "waiting")
        }
        try await call(
            flow, .POST, Site.apiVisitAdmit.path(visitID), token: provider.token, route: "/api/v1/visits/:id/admit")
        let doctor = try await SignalSocket.open(ws, headers: dh, group: group)
        defer { Task { await doctor.close() } }
        /// One message sent and the one it calls for received (the peer's relay, or the server's heartbeat answer),
        /// timed as one request of the flow.
        func exchange(_ from: SignalSocket, _ m: [String: Any], awaiting type: String, on to: SignalSocket)
            async throws
        {
            let t0 = ContinuousClock.now
            try await from.send(m)
            let got = await to.next(type) != nil
            recorder.request(flow, ms: (ContinuousClock.now - t0).milliseconds, failure: got ? nil : "\(type) lost")
            if !got { throw FlowFailure(description: "\(type) lost") }
        }
        func hop(_ from: SignalSocket, _ to: SignalSocket, _ type: String, _ extra: [String: Any]) async throws {
            try await exchange(from, extra.merging(["type": type]) { $1 }, awaiting: type, on: to)
        }
        let sdp = String(repeating: "a=synthetic-sdp-line-of-a-typical-offer\r\n", count: 80)
        try await hop(patient, doctor, "offer", ["description": ["type": "offer", "sdp": sdp]])
        try await hop(doctor, patient, "answer", ["description": ["type": "answer", "sdp": sdp]])
        for i in 0..<4 {
            let c: [String: Any] = [
                "candidate": [
                    "candidate": "candidate:\(i) 1 udp 2122260223 192.0.2.\(i + 1) 5\(i)000 typ host",
                    "sdpMid": "0", "sdpMLineIndex": 0,
                ]
            ]
            try await hop(patient, doctor, "candidate", c)
            try await hop(doctor, patient, "candidate", c)
        }
        // Connected: both pages' heartbeats every few seconds for the visit's length, each answered by the server.
        let until = ContinuousClock.now + .seconds(scenario.visitSeconds)
        while ContinuousClock.now < until {
            try await Task.sleep(for: .seconds(min(5, scenario.visitSeconds)))
            for side in [patient, doctor] {
                try await exchange(side, ["type": "heartbeat"], awaiting: "heartbeat-ack", on: side)
            }
        }
        try await call(
            flow, .POST, Site.apiVisitEnd.path(visitID), token: provider.token, route: "/api/v1/visits/:id/end")
    }

    // MARK: cookies and forms

    static func cookies(_ res: ClientResponse) -> [String: String] {
        var out: [String: String] = [:]
        for line in res.headers[.setCookie] {
            guard let pair = line.split(separator: ";").first, let eq = pair.firstIndex(of: "=") else { continue }
            out[String(pair[..<eq]).trimmingCharacters(in: .whitespaces)] = String(pair[pair.index(after: eq)...])
        }
        return out
    }

    static func cookieHeader(_ c: [String: String]) -> String {
        c.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
    }

    static func formEncode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}

/// A signaling WebSocket whose text frames arrive on a stream, stamped with their arrival (the video flow's two ends,
/// and `caresync bench signaling`'s).
package final class SignalSocket: @unchecked Sendable {
    var ws: WebSocket?
    /// Kept: an AsyncStream that is let go of finishes, even while its iterator lives.
    let stream: AsyncStream<(String, Double)>
    let cont: AsyncStream<(String, Double)>.Continuation
    var iterator: AsyncStream<(String, Double)>.Iterator

    init() {
        (stream, cont) = AsyncStream<(String, Double)>.makeStream()
        iterator = stream.makeAsyncIterator()
    }

    /// Milliseconds on the monotonic clock: arrival stamps and the senders' `t` compare on it.
    package static func ms() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1_000_000 }

    package static func open(_ url: String, headers: HTTPHeaders, group: any EventLoopGroup) async throws
        -> SignalSocket
    {
        let s = SignalSocket()
        try await WebSocket.connect(to: url, headers: headers, on: group) { ws in
            s.ws = ws
            ws.onText { _, t in s.cont.yield((t, ms())) }
            ws.onClose.whenComplete { _ in s.cont.finish() }
        }.get()
        return s
    }

    /// The next message of a type (others are skipped; "*" is any) and when it arrived; nil on close or after the
    /// timeout.
    package func next(_ type: String, timeout: Duration = .seconds(15)) async -> ([String: Any], Double)? {
        final class Box: @unchecked Sendable { var value: ([String: Any], Double)? }
        let box = Box()
        await withTaskGroup(of: Void.self) { g in
            g.addTask {
                while let (t, at) = await self.iterator.next() {
                    if let o = try? JSONSerialization.jsonObject(with: Data(t.utf8)) as? [String: Any],
                        type == "*" || o["type"] as? String == type
                    {
                        box.value = (o, at)
                        return
                    }
                }
            }
            g.addTask { try? await Task.sleep(for: timeout) }
            _ = await g.next()
            g.cancelAll()
        }
        return box.value
    }

    package func send(_ o: [String: Any]) async throws {
        try await ws?.send(String(decoding: try JSONSerialization.data(withJSONObject: o), as: UTF8.self))
    }

    package func close() async { try? await ws?.close() }
}
