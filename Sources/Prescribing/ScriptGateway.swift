import Vapor
import Fluent
import Crypto
import Domain
import Accounts
import AppCore
import Audit
import Jobs
import Locations
import Patients

/// Where SCRIPT messages go: a clearinghouse URL (Surescripts in production, `caresync pharmacy-sim` in tests and
/// go-live checks). The answer to each send is the synchronous Status or Error.
package protocol ClearinghouseTransport: Sendable {
    func post(_ xml: String, app: Application) async throws -> Data
}

package struct LiveClearinghouse: ClearinghouseTransport {
    package struct NotConfigured: Error, CustomStringConvertible {
        package let description: String
    }
    package struct Unreachable: Error, CustomStringConvertible {
        package let description: String
    }

    package func post(_ xml: String, app: Application) async throws -> Data {
        guard let url = app.config.clearinghouseURL else {
            throw NotConfigured(description: "no clearinghouse configured (CARESYNC_CLEARINGHOUSE_URL)")
        }
        var headers = HTTPHeaders()
        headers.contentType = .xml
        if let t = app.config.clearinghouseToken { headers.bearerAuthorization = .init(token: t) }
        let res: ClientResponse
        do {
            res = try await app.client.send(
                ClientRequest(
                    method: .POST, url: URI(string: url), headers: headers, body: ByteBuffer(string: xml),
                    timeout: .seconds(15)))
        } catch {
            throw Unreachable(description: "no answer from the clearinghouse: \(String(describing: error).prefix(120))")
        }
        guard (200..<300).contains(res.status.code), let body = res.body else {
            throw Unreachable(description: "clearinghouse answered HTTP \(res.status.code)")
        }
        return Data(buffer: body)
    }
}

extension Application {
    private struct ClearinghouseKey: StorageKey { typealias Value = any ClearinghouseTransport }
    package var clearinghouse: any ClearinghouseTransport {
        get { storage[ClearinghouseKey.self] ?? LiveClearinghouse() }
        set { storage[ClearinghouseKey.self] = newValue }
    }

    package var scriptCodec: ScriptCodec {
        get throws { try ScriptCodec.for(config.scriptVersion) }
    }
}

/// Builds SCRIPT messages from prescriptions, queues them for delivery, delivers them (job `script.send`), and
/// receives what pharmacies send (the inbound endpoint).
package enum ScriptGateway {
    package static let sendKind = "script.send"

    package static func register(_ app: Application) { app.jobHandlers.register(sendKind, deliver) }

    /// Unique, at most 35 characters.
    package static func newMessageID() -> String {
        "CS" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(32)
    }

    /// `PrescriberOrderNumber` is an1..35: the prescription's id as 32 hex digits (a UUID with dashes is 36).
    package static func orderNumber(_ id: UUID) -> String { id.uuidString.replacingOccurrences(of: "-", with: "") }

    /// The prescription an order number names: 32 hex digits (or, from messages sent before, a UUID with dashes).
    package static func prescriptionID(orderNumber n: String) -> UUID? {
        if let id = UUID(uuidString: n) { return id }
        guard n.count == 32, n.allSatisfy(\.isHexDigit) else { return nil }
        let c = Array(n)
        let dashed = [c[0..<8], c[8..<12], c[12..<16], c[16..<20], c[20..<32]].map { String($0) }.joined(separator: "-")
        return UUID(uuidString: dashed)
    }

    package static func medication(_ rx: PrescriptionRecord) -> ScriptMedication {
        ScriptMedication(
            description: String(rx.description.prefix(105)), ndc: rx.ndc, rxnorm: rx.rxnorm, schedule: rx.deaSchedule,
            quantity: rx.quantity,
            unitCode: rx.unitCode, daysSupply: rx.daysSupply, writtenDate: rx.writtenDate ?? "",
            substitutions: rx.substitutions,
            refills: rx.refills, sig: rx.sig)
    }

    static func address(_ ph: PharmacyRecord) -> ScriptAddress {
        ScriptAddress(line1: ph.address, city: ph.city, state: ph.state, postalCode: ph.postalCode)
    }

    /// What a SCRIPT message needs from the practice's own data and is missing or malformed: the pharmacy's address
    /// and phone, the prescribing location's address ("street, city, ST 12345") and phone. A message without them
    /// fails the standard's schema, so nothing is signed or sent until they are fixed.
    package static func sendingProblems(pharmacy: PharmacyRecord?, location: LocationRecord?) -> [String] {
        var out: [String] = []
        if let ph = pharmacy {
            if ScriptPhone.number(ph.phone) == nil { out.append("\(ph.name) has no 10-digit phone number on file.") }
            let p = address(ph).problems
            if !p.isEmpty { out.append("\(ph.name)'s address: \(p.joined(separator: "; ")).") }
        }
        if let l = location {
            if ScriptPhone.number(l.phone) == nil {
                out.append("\(l.name) has no 10-digit phone number on file (the prescriber's number in the message).")
            }
            if let a = ScriptAddress.parse(l.address) {
                let p = a.problems
                if !p.isEmpty { out.append("\(l.name)'s address: \(p.joined(separator: "; ")).") }
            } else {
                out.append("\(l.name)'s address must read \"street, city, ST 12345\" (it is \"\(l.address)\").")
            }
        }
        return out
    }

    package struct Missing: Error, CustomStringConvertible {
        package let description: String
    }

    package static func details(_ rx: PrescriptionRecord, on db: any Database) async throws -> RxDetails {
        guard let p = try await PatientRecord.find(rx.patientID, on: db) else {
            throw Missing(description: "patient missing")
        }
        guard let ph = try await PharmacyRecord.query(on: db).filter(\.$ncpdpid == rx.pharmacyNCPDPID).first() else {
            throw Missing(description: "pharmacy missing")
        }
        guard let u = try await UserRecord.find(rx.prescriberID, on: db),
            let cred = try await PrescriberCredentialRecord.query(on: db).filter(\.$userID == rx.prescriberID).first()
        else {
            throw AppError.validation([
                FieldError("prescriber", "The prescriber has no NPI on file; an admin enters it on the EPCS page.")
            ])
        }
        let location = try await LocationRecord.find(rx.locationID, on: db)
        let names = u.displayName.replacingOccurrences(of: "Dr. ", with: "").split(separator: " ")
        let gender = ["female": "F", "male": "M"][p.sex] ?? "U"
        return RxDetails(
            patient: ScriptPatient(
                lastName: p.familyName, firstName: p.givenName, gender: gender, dateOfBirth: p.birthDate,
                addressLine1: p.addressLine1 ?? "", city: p.city ?? "", state: p.state ?? "",
                postalCode: p.postalCode ?? ""),
            pharmacy: ScriptPharmacy(
                ncpdpid: ph.ncpdpid, npi: ph.npi, businessName: ph.name, address: Self.address(ph),
                phone: ScriptPhone.number(ph.phone) ?? ""),
            prescriber: ScriptPrescriber(
                npi: cred.npi, deaNumber: rx.isControlled ? cred.deaNumber : nil,
                lastName: names.last.map(String.init) ?? u.displayName,
                firstName: names.dropLast().joined(separator: " "),
                address: location.flatMap { ScriptAddress.parse($0.address) },
                phone: location.flatMap { ScriptPhone.number($0.phone) } ?? ""),
            medication: medication(rx))
    }

    /// Inside a transaction: stores an outbound message and queues its delivery (one job per message).
    @discardableResult
    package static func queue(
        _ m: ScriptMessage, codec: ScriptCodec, prescriptionID: UUID?, refillID: UUID?, now: Date, on tx: any Database
    ) async throws -> ScriptMessageRecord {
        let r = ScriptMessageRecord()
        r.id = UUID()
        r.createdAt = now
        r.status = .queued
        r.attempts = 0
        r.messageID = m.header.messageID
        r.relatesTo = m.header.relatesToMessageID
        r.direction = .outbound
        r.type = m.body.type
        r.xml = codec.xml(m)
        r.prescriptionID = prescriptionID
        r.refillRequestID = refillID
        try await r.create(on: tx)
        try await JobQueue.enqueue(
            JobSpec(
                kind: sendKind, payload: ["message": (try r.requireID()).uuidString], runAt: now,
                dedupeKey: "script:\(m.header.messageID)", maxAttempts: 5),
            now: now, on: tx)
        return r
    }

    /// Stores a received message (or the synchronous answer to one of ours).
    package static func storeInbound(
        _ m: ScriptMessage?, xml: String, status: ScriptMessageStatus, problem: ScriptProblem?, prescriptionID: UUID?,
        refillID: UUID?,
        now: Date, on tx: any Database
    ) async throws -> ScriptMessageRecord {
        let r = ScriptMessageRecord()
        r.id = UUID()
        r.createdAt = now
        r.status = status
        r.attempts = 0
        r.messageID = m?.header.messageID ?? "unparsed-\(UUID().uuidString.prefix(20))"
        r.relatesTo = m?.header.relatesToMessageID
        r.direction = .inbound
        r.type = m?.body.type ?? .unreadable
        r.xml = String(xml.prefix(200_000))
        r.errorCode = problem?.code
        r.errorText = problem.map { String($0.description.prefix(300)) }
        r.prescriptionID = prescriptionID
        r.refillRequestID = refillID
        try await r.create(on: tx)
        return r
    }

    // MARK: delivery

    /// Sends one queued message. Error 600 (and no answer at all) is retried with backoff; any other Error is final
    /// and shown to the user; Status means the receiver accepted it.
    @Sendable package static func deliver(_ ctx: JobContext) async throws {
        let app = ctx.app
        guard let id = ctx.uuid("message"), let msg = try await ScriptMessageRecord.find(id, on: app.db),
            msg.status == .queued
        else { return }
        let codec = try app.scriptCodec
        let answer = try await app.clearinghouse.post(msg.xml, app: app)
        let parsed: ScriptMessage
        do { parsed = try codec.parse(answer) } catch let p as ScriptProblem {
            throw LiveClearinghouse.Unreachable(
                description: "unreadable answer from the clearinghouse: \(p.description)")
        }
        if case .error(let code, _, let text) = parsed.body, code == "600" {
            throw LiveClearinghouse.Unreachable(
                description: "Error 600 (communication problem), will retry: \(text ?? "")")
        }
        let now = ctx.now, raw = String(decoding: answer, as: UTF8.self), attempt = ctx.attempt
        if case .error = parsed.body { app.appMetrics.count(.ePrescribingError) }
        try await ctx.commit { tx in
            guard let msg = try await ScriptMessageRecord.find(id, on: tx) else { return [] }
            msg.attempts = attempt
            let rx = try await msg.prescriptionID.asyncMap { try await PrescriptionRecord.find($0, on: tx) } ?? nil
            var detail = "\(msg.type) \(msg.messageID): "
            switch parsed.body {
            case .status(let code, _), .verify(let code):
                msg.status = .sent
                detail += "accepted (\(code))"
                if let rx, msg.type == .newRx {
                    rx.status = .accepted; rx.statusDetail = "Accepted by the pharmacy (Status \(code))."
                }
            case .error(let code, let dc, let text):
                msg.status = .error
                msg.errorCode = code
                msg.errorText = [dc, text].compactMap { $0 }.joined(separator: " ")
                detail += "refused (Error \(code)\(dc.map { "/\($0)" } ?? ""))"
                if let rx {
                    rx.status = msg.type == .cancelRx ? rx.status : .error
                    rx.statusDetail =
                        "The pharmacy refused the \(msg.type): Error \(code)\(dc.map { "/\($0)" } ?? "") \(text ?? "")"
                }
            default:
                msg.status = .sent
                detail += "answered with \(parsed.body.name)"
            }
            try await msg.save(on: tx)
            if let rx { rx.updatedAt = now; try await rx.save(on: tx) }
            _ = try await storeInbound(
                parsed, xml: raw, status: .received, problem: nil, prescriptionID: msg.prescriptionID,
                refillID: msg.refillRequestID, now: now, on: tx)
            return [
                AuditDraft(
                    action: .update, category: .prescriptions, patientID: rx?.patientID, entityType: "ScriptMessage",
                    entityID: msg.id?.uuidString, detail: detail)
            ]
        }
    }
}

extension Optional {
    package func asyncMap<T>(_ f: (Wrapped) async throws -> T) async rethrows -> T? {
        switch self {
        case .some(let w): return try await f(w);
        case .none: return nil
        }
    }
}

/// The practice's signature over an EPCS prescription: SHA-256 of the canonical content, HMAC-SHA256 with the
/// audit key (kept outside the database). Archived with the prescription and carried in the NewRx header.
package enum RxSignature {
    package static func canonical(_ rx: PrescriptionRecord, deaNumber: String) throws -> String {
        [
            (try rx.requireID()).uuidString, rx.patientID.uuidString, rx.prescriberID.uuidString, deaNumber, rx.drugID,
            rx.description, rx.ndc, rx.rxnorm,
            rx.schedule ?? "", rx.quantity, rx.unitCode, String(rx.daysSupply), String(rx.refills), rx.substitutions,
            rx.sig, rx.pharmacyNCPDPID,
            rx.writtenDate ?? "",
        ].joined(separator: "\u{1F}")
    }

    package static func sign(_ rx: PrescriptionRecord, deaNumber: String, app: Application) throws -> (
        digest: String, signature: String
    ) {
        let content = Data(try canonical(rx, deaNumber: deaNumber).utf8)
        let digest = Data(SHA256.hash(data: content)).base64EncodedString()
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: try AuditCheckpoints.key(app))
        return (digest, Data(mac).base64EncodedString())
    }
}
