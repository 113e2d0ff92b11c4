import Vapor
import Fluent
import Crypto
import Domain
import AppCore

/// What pharmacies send us (through the clearinghouse): renewal requests, cancel responses, change requests, and
/// free-standing Status/Verify/Error. Matched by RelatesToMessageID (and PrescriberOrderNumber); every message kept.
/// A message that cannot be read or matched gets an Error answer and changes nothing.
package enum ScriptInbound {
    package static let ourID = ScriptParty("CARESYNC", "C")

    /// The synchronous answer (Status or Error) to one received document.
    package static let maxMessage = 1_048_576

    package static func handle(_ app: Application, _ data: Data) async -> String {
        let codec: ScriptCodec
        do { codec = try app.scriptCodec } catch let p as ScriptProblem {
            return errorXML(ScriptCodec(version: .v2017071), to: nil, p, app)
        } catch {
            return errorXML(
                ScriptCodec(version: .v2017071), to: nil, ScriptProblem("700", "4040", "configuration error"), app)
        }
        let message: ScriptMessage
        do { message = try codec.parse(data) } catch let p as ScriptProblem {
            app.logger.warning(
                "inbound SCRIPT refused",
                metadata: ["code": .string(p.code), "description-code": .string(p.descriptionCode)])
            return errorXML(codec, to: nil, p, app)
        } catch {
            return errorXML(codec, to: nil, ScriptProblem("900", "500", "unreadable message"), app)
        }
        do {
            let note = try await dispatch(app, message, xml: String(decoding: data, as: UTF8.self))
            return codec.xml(
                ScriptMessage(header: reply(to: message, app), body: .status(code: "000", description: note)))
        } catch let p as ScriptProblem {
            return errorXML(codec, to: message, p, app)
        } catch {
            app.logger.error(
                "inbound SCRIPT failed", metadata: ["error_type": .string(String(describing: type(of: error)))])
            return errorXML(
                codec, to: message, ScriptProblem("602", "008", "receiver system error; try again later"), app)
        }
    }

    package static func reply(to m: ScriptMessage, _ app: Application) -> ScriptHeader {
        ScriptHeader(
            to: m.header.from, from: ourID, messageID: ScriptGateway.newMessageID(),
            relatesToMessageID: m.header.messageID, sentTime: app.clock.now())
    }

    package static func errorXML(_ codec: ScriptCodec, to m: ScriptMessage?, _ p: ScriptProblem, _ app: Application)
        -> String
    {
        let header =
            m.map { reply(to: $0, app) }
            ?? ScriptHeader(
                to: ScriptParty("UNKNOWN", "M"), from: ourID, messageID: ScriptGateway.newMessageID(),
                relatesToMessageID: "UNKNOWN", sentTime: app.clock.now())
        return codec.xml(
            ScriptMessage(
                header: header,
                body: .error(
                    code: p.code, descriptionCode: p.descriptionCode,
                    description: p.text + (p.xpath.map { " XPath: \($0)" } ?? ""))))
    }

    /// The prescription a pharmacy message is about: PrescriberOrderNumber (our id), else the message it relates to.
    package static func prescription(for m: ScriptMessage, on db: any Database) async throws -> PrescriptionRecord? {
        if let n = m.header.prescriberOrderNumber, let id = ScriptGateway.prescriptionID(orderNumber: n),
            let rx = try await PrescriptionRecord.find(id, on: db)
        {
            return rx
        }
        if let rel = m.header.relatesToMessageID,
            let out = try await ScriptMessageRecord.query(on: db).filter(\.$direction == ScriptDirection.outbound)
                .filter(
                    \.$messageID == rel
                ).first(),
            let pid = out.prescriptionID
        {
            return try await PrescriptionRecord.find(pid, on: db)
        }
        return nil
    }

    /// Stores the message and applies it; returns a short note for the Status.
    package static func dispatch(_ app: Application, _ m: ScriptMessage, xml: String) async throws -> String? {
        let db = app.db, now = app.clock.now()
        let scope = app.systemScope("script-inbound")
        if try await ScriptMessageRecord.query(on: db).filter(\.$direction == ScriptDirection.inbound).filter(
            \.$messageID == m.header.messageID
        ).first() != nil {
            return "already received"  // the sender retried after losing our answer: nothing is applied twice
        }
        let cannotIdentify = ScriptProblem(
            "900", "1000", "Cannot identify the prescription this message refers to.",
            xpath: "/Message/Header/RelatesToMessageID")
        switch m.body {
        case .rxRenewalRequest, .rxChangeRequest:
            guard let rx = try await prescription(for: m, on: db) else { throw cannotIdentify }
            guard rx.pharmacyNCPDPID == m.header.from.id || m.header.from.qualifier != "P" else {
                throw ScriptProblem(
                    "900", "4030", "This pharmacy did not receive the original prescription.",
                    xpath: "/Message/Header/From")
            }
            try await scope.run { tx in
                var refillID: UUID?
                var detail = "\(m.body.name) \(m.header.messageID) received"
                if case .rxRenewalRequest = m.body {
                    let r = try await RefillStore.create(
                        for: rx, source: .pharmacy, inboundMessageID: m.header.messageID, now: now, on: tx)
                    refillID = r.id
                    detail += "; renewal routed to \(r.routeReason)"
                }
                _ = try await ScriptGateway.storeInbound(
                    m, xml: xml, status: .received, problem: nil, prescriptionID: rx.id, refillID: refillID, now: now,
                    on: tx)
                return (
                    (),
                    [
                        AuditDraft(
                            action: .create, category: .prescriptions, patientID: rx.patientID,
                            entityType: "ScriptMessage", entityID: rx.id?.uuidString, detail: detail)
                    ]
                )
            }
            return nil
        case .cancelRxResponse(let decision):
            guard let rel = m.header.relatesToMessageID,
                let out = try await ScriptMessageRecord.query(on: db).filter(\.$direction == ScriptDirection.outbound)
                    .filter(
                        \.$messageID == rel
                    ).filter(\.$type == ScriptMessageType.cancelRx).first(),
                let pid = out.prescriptionID
            else { throw cannotIdentify }
            try await scope.run { tx in
                guard let rx = try await PrescriptionRecord.find(pid, on: tx) else { throw cannotIdentify }
                switch decision {
                case .approved:
                    rx.status = .cancelled
                    rx.statusDetail = "Cancelled: the pharmacy confirmed (CancelRxResponse Approved)."
                case .denied(let code, let reason):
                    rx.status = .cancelDenied
                    rx.statusDetail =
                        "The pharmacy could not cancel "
                        + "(\(code)\(code == "AR" ? ", already transferred" : ""))\(reason.map { ": \($0)" } ?? "")."
                }
                rx.updatedAt = now
                try await rx.save(on: tx)
                _ = try await ScriptGateway.storeInbound(
                    m, xml: xml, status: .received, problem: nil, prescriptionID: pid, refillID: nil, now: now, on: tx)
                return (
                    (),
                    [
                        AuditDraft(
                            action: .update, category: .prescriptions, patientID: rx.patientID,
                            entityType: "Prescription", entityID: pid.uuidString,
                            detail: "CancelRxResponse \(rx.status)")
                    ]
                )
            }
            return nil
        case .status, .verify, .error:
            let out =
                try await m.header.relatesToMessageID.asyncMap {
                    try await ScriptMessageRecord.query(on: db).filter(\.$direction == ScriptDirection.outbound).filter(
                        \.$messageID == $0
                    )
                    .first()
                } ?? nil
            if out == nil, case .error = m.body {} else if out == nil { throw cannotIdentify }
            try await scope.run { tx in
                if let out, let o = try await ScriptMessageRecord.find(out.id, on: tx),
                    case .error(let code, let dc, let text) = m.body
                {
                    o.status = .error
                    o.errorCode = code
                    o.errorText = [dc, text].compactMap { $0 }.joined(separator: " ")
                    try await o.save(on: tx)
                }
                _ = try await ScriptGateway.storeInbound(
                    m, xml: xml, status: .received, problem: nil, prescriptionID: out?.prescriptionID,
                    refillID: out?.refillRequestID, now: now, on: tx)
                return (
                    (),
                    [
                        AuditDraft(
                            action: .create, category: .prescriptions, entityType: "ScriptMessage",
                            entityID: m.header.messageID, detail: "\(m.body.name) received")
                    ]
                )
            }
            return nil
        default:
            throw ScriptProblem(
                "900", "4040", "This receiver does not accept \(m.body.name).", xpath: "/Message/Body/\(m.body.name)")
        }
    }

    /// `POST /script/inbound`: the clearinghouse's bearer token, an XML body, an XML answer.
    @Sendable package static func endpoint(req: Request) async throws -> Response {
        guard let expected = req.application.config.clearinghouseToken else {
            throw Abort(
                .serviceUnavailable,
                reason: "The inbound SCRIPT endpoint is not configured (CARESYNC_CLEARINGHOUSE_TOKEN).")
        }
        guard let given = req.headers.bearerAuthorization?.token,
            Data(SHA256.hash(data: Data(given.utf8))) == Data(SHA256.hash(data: Data(expected.utf8)))
        else {
            throw AppError.unauthorized("The clearinghouse token is missing or wrong.")
        }
        // Read here, not by the router, so an oversized message is answered in SCRIPT (an Error the sender's system
        // reads) rather than with a JSON problem.
        var body: ByteBuffer?
        do { body = try await req.body.collect(max: Self.maxMessage).get() } catch let e as any AbortError
            where e.status == .payloadTooLarge
        {
            body = nil
        }
        let answer: String
        if let body, body.readableBytes <= Self.maxMessage {
            answer = await handle(req.application, Data(buffer: body))
        } else {
            let codec = (try? req.application.scriptCodec) ?? ScriptCodec(version: .v2017071)
            answer = errorXML(
                codec, to: nil, ScriptProblem("900", "3000", "The message is larger than 1 MB."), req.application)
        }
        let res = Response(status: .ok, body: .init(string: answer))
        res.headers.contentType = .xml
        return res
    }
}
