import Vapor
import Domain
import AppCore

/// `caresync pharmacy-sim`: a pharmacy test endpoint in its own process, standing in for the clearinghouse and a
/// pharmacy during tests and go-live checks. By rule it answers NewRx with Status 000 — or Error 900/1000 for an
/// NCPDPID it does not know, Error 900/2000 for a controlled substance without a DEA number, Error 600 while told to
/// fail — and CancelRx with Status 000 followed by a CancelRxResponse sent to the clinic. It can send an
/// RxRenewalRequest for an earlier prescription. Control routes live under /sim.
public enum PharmacySim {
    public struct Options: Sendable {
        public var port: Int
        public var clinicURL: String
        public var token: String
        public var ncpdpids: [String]
        public var version: ScriptVersion = .v2017071
        public init(port: Int, clinicURL: String, token: String, ncpdpids: [String]) {
            self.port = port; self.clinicURL = clinicURL; self.token = token; self.ncpdpids = ncpdpids
        }
    }

    public static let defaultPharmacies = ["1234567", "2345678"]

    package struct Received: Content {
        package let type: String
        package let messageID: String
        package let relatesTo: String?
        package let answer: String
        package let prescriberOrderNumber: String?
    }

    package actor State {
        package var received: [Received] = []
        package var answers: [String: String] = [:]  // MessageID → the answer given (a repeat gets the same answer)
        package var newRx: [String: ScriptMessage] = [:]  // PrescriberOrderNumber → the NewRx
        package var failNext = 0
        package var denyCancels: Set<String> = []  // PrescriberOrderNumbers "already transferred"

        package func record(_ r: Received, answer: String) { received.append(r); answers[r.messageID] = answer }
        package func answer(for id: String) -> String? { answers[id] }
        package func store(_ m: ScriptMessage) { if let n = m.header.prescriberOrderNumber { newRx[n] = m } }
        package func original(_ n: String) -> ScriptMessage? { newRx[n] }
        package func takeFailure() -> Bool { if failNext > 0 { failNext -= 1; return true }; return false }
        package func setFail(_ n: Int) { failNext = n }
        package func transferred(_ n: String) { denyCancels.insert(n) }
        package func isTransferred(_ n: String?) -> Bool { n.map { denyCancels.contains($0) } ?? false }
        package func all() -> [Received] { received }
    }

    /// Builds the simulator application (not yet serving).
    public static func make(_ o: Options) async throws -> Application {
        let app = try await Application.make(Environment(name: "production", arguments: ["caresync"]))
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = o.port
        app.routes.defaultMaxBodySize = "1mb"
        let state = State()
        let codec = try ScriptCodec.for(o.version)
        let me = ScriptParty("PHARMSIM", "P")

        func reply(_ m: ScriptMessage, _ body: ScriptBody) -> String {
            codec.xml(
                ScriptMessage(
                    header: ScriptHeader(
                        to: m.header.from, from: ScriptParty(m.header.to.id, "P"),
                        messageID: ScriptGateway.newMessageID(),
                        relatesToMessageID: m.header.messageID, sentTime: Date()), body: body))
        }
        func authorized(_ req: Request) -> Bool { req.headers.bearerAuthorization?.token == o.token }

        app.post("script") { req async throws -> Response in
            guard authorized(req) else { return Response(status: .unauthorized) }
            let data = req.body.data.map { Data(buffer: $0) } ?? Data()
            let out: String
            var parsed: ScriptMessage?
            do {
                let m = try codec.parse(data)
                parsed = m
                // What a real intermediary checks first: the message against the standard's schema.
                if let p = ScriptConformance.problem(try XElement.parse(data)) {
                    out = reply(
                        m,
                        .error(
                            code: p.code, descriptionCode: p.descriptionCode,
                            description: p.text + (p.xpath.map { " XPath: \($0)" } ?? "")))
                } else if let earlier = await state.answer(for: m.header.messageID) {
                    out = earlier
                } else if await state.takeFailure() {
                    out = reply(
                        m,
                        .error(
                            code: "600", descriptionCode: "008", description: "Simulated communication problem; retry.")
                    )
                    return xml(out)  // a transient failure is not remembered as the answer
                } else if !o.ncpdpids.contains(m.header.to.id) {
                    out = reply(
                        m,
                        .error(
                            code: "900", descriptionCode: "1000",
                            description: "Unknown pharmacy NCPDPID \(m.header.to.id). XPath: /Message/Header/To"))
                } else {
                    switch m.body {
                    case .newRx(let d):
                        if d.medication.schedule != nil && d.prescriber.deaNumber == nil {
                            out = reply(
                                m,
                                .error(
                                    code: "900", descriptionCode: "2000",
                                    description: "Controlled substance without the prescriber's DEA number."))
                        } else {
                            await state.store(m)
                            out = reply(m, .status(code: "000", description: nil))
                        }
                    case .cancelRx(let d):
                        out = reply(m, .status(code: "000", description: nil))
                        let deny = await state.isTransferred(m.header.prescriberOrderNumber)
                        let response = codec.xml(
                            ScriptMessage(
                                header: ScriptHeader(
                                    to: m.header.from, from: ScriptParty(m.header.to.id, "P"),
                                    messageID: ScriptGateway.newMessageID(),
                                    relatesToMessageID: m.header.messageID, sentTime: Date(),
                                    prescriberOrderNumber: m.header.prescriberOrderNumber),
                                body: .cancelRxResponse(
                                    deny
                                        ? .denied(reasonCode: "AR", reason: "Already transferred to another pharmacy")
                                        : .approved)))
                        _ = d
                        let client = req.client
                        Task {
                            _ = try? await post(
                                client, o.clinicURL + Site.scriptInbound.path(), response, token: o.token)
                        }
                    case .rxRenewalResponse, .rxChangeResponse, .status, .verify, .error:
                        out = reply(m, .status(code: "000", description: nil))
                    default:
                        out = reply(
                            m,
                            .error(
                                code: "900", descriptionCode: "4040",
                                description: "The pharmacy does not accept \(m.body.name)."))
                    }
                }
            } catch let p as ScriptProblem {
                out = codec.xml(
                    ScriptMessage(
                        header: ScriptHeader(
                            to: ScriptParty("UNKNOWN", "M"), from: me, messageID: ScriptGateway.newMessageID(),
                            relatesToMessageID: "UNKNOWN", sentTime: Date()),
                        body: .error(code: p.code, descriptionCode: p.descriptionCode, description: p.text)))
            }
            if let m = parsed {
                await state.record(
                    Received(
                        type: m.body.name, messageID: m.header.messageID, relatesTo: m.header.relatesToMessageID,
                        answer: out.contains("<Status>") ? "Status" : "Error",
                        prescriberOrderNumber: m.header.prescriberOrderNumber), answer: out)
            }
            return xml(out)
        }

        /// What the pharmacy has received (tests and go-live checks read this).
        app.get("sim", "messages") { _ async -> [Received] in await state.all() }

        /// The next N sends get Error 600.
        app.post("sim", "fail-next") { req async throws -> HTTPStatus in
            await state.setFail((try? req.content.get(Int.self, at: "count")) ?? 1)
            return .noContent
        }

        /// A prescription's id as the order number it travels under (tests and people may give it with dashes).
        @Sendable func normalized(_ n: String) -> String {
            ScriptGateway.prescriptionID(orderNumber: n).map(ScriptGateway.orderNumber) ?? n
        }

        /// Marks a prescription as transferred, so a CancelRx for it is denied (AR).
        app.post("sim", "transferred") { req async throws -> HTTPStatus in
            await state.transferred(normalized(try req.content.get(String.self, at: "prescriberOrderNumber")))
            return .noContent
        }

        /// Sends an RxRenewalRequest for an earlier NewRx to the clinic; answers with the clinic's reply.
        app.post("sim", "renewal-requests") { req async throws -> Response in
            let n = normalized(try req.content.get(String.self, at: "prescriberOrderNumber"))
            guard let original = await state.original(n), case .newRx(let d) = original.body else {
                throw Abort(.notFound, reason: "No NewRx with that PrescriberOrderNumber was received.")
            }
            let request = ScriptMessage(
                header: ScriptHeader(
                    to: original.header.from, from: ScriptParty(original.header.to.id, "P"),
                    messageID: ScriptGateway.newMessageID(),
                    relatesToMessageID: original.header.messageID, sentTime: Date(), prescriberOrderNumber: n,
                    rxReferenceNumber: "RX" + String(n.prefix(8))),
                body: .rxRenewalRequest(d))
            let answer = try await post(
                req.client, o.clinicURL + Site.scriptInbound.path(), codec.xml(request), token: o.token)
            let res = Response(status: .ok, body: .init(string: answer))
            res.headers.contentType = .xml
            res.headers.replaceOrAdd(name: "X-Message-ID", value: request.header.messageID)
            return res
        }
        return app
    }

    package static func xml(_ s: String) -> Response {
        let res = Response(status: .ok, body: .init(string: s))
        res.headers.contentType = .xml
        return res
    }

    package static func post(_ client: any Client, _ url: String, _ xml: String, token: String) async throws -> String {
        var headers = HTTPHeaders()
        headers.contentType = .xml
        headers.bearerAuthorization = .init(token: token)
        let res = try await client.send(
            ClientRequest(
                method: .POST, url: URI(string: url), headers: headers, body: ByteBuffer(string: xml),
                timeout: .seconds(15)))
        return res.body.map { String(buffer: $0) } ?? ""
    }

    /// Serves until stopped (the `caresync pharmacy-sim` command).
    public static func run(_ o: Options) async throws {
        let app = try await make(o)
        FileHandle.standardError.write(
            Data(
                ("pharmacy-sim listening on http://127.0.0.1:\(o.port)/script (pharmacies "
                    + "\(o.ncpdpids.joined(separator: ", "))); clinic \(o.clinicURL)\n").utf8))
        do {
            try await app.execute()
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }
}
