import Vapor
import Fluent
import Plot
import Domain
import Accounts
import AppCore
import ClinicalRecord
import Locations
import Patients

/// e-Prescribing: JSON API, staff pages (prescribe, sign, EPCS, refill queue, pharmacy search), the portal's refill
/// requests.
extension FormularyDrug: Content {}

package enum PrescribingController {
    package struct CoverBody: Content {
        package var providerId: UUID?
    }
    package struct GrantBody: Content {
        package var prescriberId: UUID?
    }

    // MARK: API

    @Sendable package static func pharmaciesAPI(req: Request) async throws -> [PharmacyDirectory.Entry] {
        try await req.scope().authorize(.searchPharmacies)
        return try await PharmacyDirectory.search(req.query[String.self, at: "q"], on: req.db)
    }

    @Sendable package static func formularyAPI(req: Request) async throws -> [FormularyDrug] {
        _ = try req.principal(); return Formulary.drugs
    }

    @Sendable package static func createAPI(req: Request) async throws -> Response {
        let input = try req.decodeJSON(PrescriptionStore.DraftInput.self)
        return try await req.prescriptions().createDraft(patientID: try req.idParameter("id"), input).encodeResponse(
            status: .created, for: req)
    }

    @Sendable package static func historyAPI(req: Request) async throws -> [PrescriptionStore.RxDTO] {
        try await req.prescriptions().history(patientID: try req.idParameter("id"))
    }

    @Sendable package static func readAPI(req: Request) async throws -> PrescriptionStore.RxDTO {
        try await req.prescriptions().find(try req.idParameter("id"))
    }

    @Sendable package static func signAPI(req: Request) async throws -> PrescriptionStore.RxDTO {
        let body = (try? req.content.decode(PrescriptionStore.SignInput.self)) ?? .init()
        return try await req.prescriptions().sign(try req.idParameter("id"), body)
    }

    @Sendable package static func cancelAPI(req: Request) async throws -> PrescriptionStore.RxDTO {
        try await req.prescriptions().cancel(try req.idParameter("id"))
    }

    @Sendable package static func refillQueueAPI(req: Request) async throws -> [RefillStore.QueueItem] {
        try await req.refills().queue(all: req.query[String.self, at: "all"] != nil)
    }

    @Sendable package static func decideAPI(req: Request) async throws -> RefillStore.QueueItem {
        let input = try req.decodeJSON(RefillStore.DecideInput.self)
        return try await decide(req, try req.idParameter("id"), input)
    }

    package static func decide(_ req: Request, _ id: UUID, _ input: RefillStore.DecideInput) async throws
        -> RefillStore.QueueItem
    {
        try await req.refills().decide(id, input)
    }

    @Sendable package static func portalRefillAPI(req: Request) async throws -> Response {
        let id = try await req.refills().requestFromPortal(prescriptionID: try req.idParameter("id"))
        return try await ["refillRequestId": id.uuidString].encodeResponse(status: .created, for: req)
    }

    @Sendable package static func credentialsAPI(req: Request) async throws -> HTTPStatus {
        try await req.epcs().setCredentials(
            userID: try req.idParameter("id"), try req.decodeJSON(EPCSStore.CredentialInput.self))
        return .noContent
    }

    @Sendable package static func grantsAPI(req: Request) async throws -> [EPCSStore.GrantDTO] {
        try await req.epcs().grants()
    }

    @Sendable package static func enterGrantAPI(req: Request) async throws -> Response {
        guard let pid = try req.decodeJSON(GrantBody.self).prescriberId else {
            throw AppError.validation([FieldError("prescriberId", "Choose the prescriber.")])
        }
        return try await req.epcs().enterGrant(prescriberID: pid).encodeResponse(status: .created, for: req)
    }

    @Sendable package static func decideGrantAPI(req: Request) async throws -> EPCSStore.GrantDTO {
        let b = try req.decodeJSON(EPCSStore.DecideInput.self)
        return try await req.epcs().decideGrant(try req.idParameter("id"), approve: b.approve ?? true, otp: b.otp)
    }

    @Sendable package static func revokeGrantAPI(req: Request) async throws -> EPCSStore.GrantDTO {
        try await req.epcs().revoke(try req.idParameter("id"))
    }

    @Sendable package static func reportAPI(req: Request) async throws -> EPCSStore.Report {
        try await req.epcs().report(day: try day(req))
    }

    package static func day(_ req: Request) throws -> LocalDay {
        if let d = req.query[String.self, at: "date"] {
            guard let day = LocalDay(d) else {
                throw AppError.validation([FieldError("date", "Write the date as YYYY-MM-DD.")])
            }
            return day
        }
        return LocalDay.of(req.now, in: TimeZone(identifier: "UTC")!)
    }

    @Sendable package static func coveringAPI(req: Request) async throws -> HTTPStatus {
        guard let p = try req.decodeJSON(CoverBody.self).providerId else {
            throw AppError.validation([FieldError("providerId", "Choose the covering provider.")])
        }
        try await req.refills().setCovering(locationID: try req.idParameter("id"), providerID: p)
        return .noContent
    }

    // MARK: staff pages

    package static func form(_ req: Request) -> PrescriptionStore.DraftInput {
        func text(_ k: String) -> String? { try? req.content.get(String.self, at: k) }
        return .init(
            drugId: text("drugId"), sig: text("sig"), quantity: text("quantity"),
            daysSupply: text("daysSupply").flatMap { Int($0) },
            refills: text("refills").flatMap { Int($0) }, dispenseAsWritten: text("dispenseAsWritten") != nil,
            pharmacyNcpdpid: text("pharmacyNcpdpid"),
            locationId: text("locationId").flatMap { UUID(uuidString: $0) },
            prescriberId: text("prescriberId").flatMap { UUID(uuidString: $0) }, overrideReason: text("overrideReason"))
    }

    package static func prescribePage(
        _ req: Request, patientID: UUID, input: PrescriptionStore.DraftInput, errors: [FieldError],
        status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        try await req.scope().authorize(.prepareRx(patientID: patientID), patientID: patientID)
        let patient = try await req.patients().find(patientID, detail: "prescribe form")
        let pharmacies = try await PharmacyDirectory.search(nil, on: req.db)
        let locations = try await LocationRecord.query(on: req.db).all()
        let prescribers = try await UserRecord.query(on: req.db).filter(
            \.$role ~~ [Role.provider, .medicalDirector]
        ).filter(\.$active == true).all()
        let summary = try await req.clinical().summary(patientID: patientID)
        var page = PrescribePage(
            patient: patient, input: input, errors: errors, pharmacies: pharmacies,
            locations: try locations.map { ((try $0.requireID()).uuidString, $0.name) },
            prescribers: try prescribers.map { ((try $0.requireID()).uuidString, $0.displayName) },
            me: try req.principal())
        page.allergies = summary.allergies.filter { $0.status == .active }.map {
            $0.display + ($0.reaction.map { " (\($0))" } ?? "")
        }
        page.medicines = summary.medications.filter { $0.status == .active }.map {
            $0.display + ($0.dose.map { " · \($0)" } ?? "")
        }
        return Layout.render(page.render(for: req), status: status)
    }

    @Sendable package static func prescribeForm(req: Request) async throws -> Response {
        try await prescribePage(
            req, patientID: try req.idParameter("id"),
            input: .init(pharmacyNcpdpid: req.query[String.self, at: "pharmacy"]), errors: [])
    }

    @Sendable package static func prescribe(req: Request) async throws -> Response {
        let pid = try req.idParameter("id"), input = form(req)
        do {
            let rx = try await req.prescriptions().createDraft(patientID: pid, input)
            return req.redirect(to: Site.prescription.path(rx.id))
        } catch AppError.validation(let errors) {
            return try await prescribePage(
                req, patientID: pid, input: input, errors: errors, status: .unprocessableEntity)
        }
    }

    package static func rxPage(_ req: Request, _ id: UUID, errors: [FieldError] = [], status: HTTPResponseStatus = .ok)
        async throws -> Response
    {
        let rx = try await req.prescriptions().find(id)
        let patient = try await req.patients().find(rx.patientId, detail: "prescription")
        let prescriber = try await UserRecord.find(rx.prescriberId, on: req.db)
        let cred = try await PrescriberCredentialRecord.query(on: req.db).filter(\.$userID == rx.prescriberId).first()
        let pharmacy = try await PharmacyRecord.query(on: req.db).filter(\.$ncpdpid == rx.pharmacyNcpdpid).first()
        let messages = try await ScriptMessageRecord.query(on: req.db).filter(\.$prescriptionID == id).sort(
            \.$createdAt
        ).all()
        let p = try req.principal()
        return Layout.render(
            PrescriptionPage(
                rx: rx, patient: patient,
                prescriberName: prescriber?.displayName ?? "",
                deaNumber: cred?.deaNumber, pharmacy: pharmacy.map(PharmacyDirectory.entry), messages: messages,
                canSign: rx.status == .draft && rx.prescriberId == p.userID,
                canCancel: AccessPolicy.decide(p, .signRx).isAllowed,
                errors: errors
            ).render(for: req), status: status)
    }

    @Sendable package static func prescriptionPage(req: Request) async throws -> Response {
        try await rxPage(req, try req.idParameter("id"))
    }

    @Sendable package static func signFromPage(req: Request) async throws -> Response {
        let id = try req.idParameter("id")
        do {
            _ = try await req.prescriptions().sign(
                id,
                .init(
                    otp: try? req.content.get(String.self, at: "otp"),
                    overrideReason: try? req.content.get(String.self, at: "overrideReason")))
            return req.redirect(to: Site.prescription.path(id) + "?signed=1")
        } catch AppError.forbidden(let why) {
            return try await rxPage(req, id, errors: [FieldError("otp", why)], status: .forbidden)
        } catch AppError.validation(let errors) {
            return try await rxPage(req, id, errors: errors, status: .unprocessableEntity)
        }
    }

    @Sendable package static func cancelFromPage(req: Request) async throws -> Response {
        let id = try req.idParameter("id")
        do {
            _ = try await req.prescriptions().cancel(id)
            return req.redirect(to: Site.prescription.path(id))
        } catch AppError.conflict(_, let detail, _) {
            return try await rxPage(req, id, errors: [FieldError("cancel", detail)], status: .conflict)
        }
    }

    @Sendable package static func pharmaciesPage(req: Request) async throws -> Response {
        try await req.scope().authorize(.searchPharmacies)
        let q = req.query[String.self, at: "q"]
        return Layout.render(
            PharmacySearchPage(
                q: q, rows: try await PharmacyDirectory.search(q, on: req.db),
                patient: req.query[UUID.self, at: "patient"]
            ).render(for: req))
    }

    @Sendable package static func refillsPage(req: Request) async throws -> Response {
        Layout.render(
            RefillQueuePage(
                items: try await req.refills().queue(all: req.query[String.self, at: "all"] != nil),
                done: req.query[String.self, at: "done"],
                errors: [], zone: try await LocationRecord.homeZone(on: req.db)
            ).render(for: req))
    }

    @Sendable package static func decideFromPage(req: Request) async throws -> Response {
        func text(_ k: String) -> String? { try? req.content.get(String.self, at: k) }
        let input = RefillStore.DecideInput(
            decision: text("decision"), reasonCode: text("reasonCode"), note: text("note"),
            refills: text("refills").flatMap { Int($0) },
            drugId: text("drugId"), sig: text("sig"), quantity: text("quantity"),
            daysSupply: text("daysSupply").flatMap { Int($0) }, otp: text("otp"))
        do {
            let r = try await decide(req, try req.idParameter("id"), input)
            return req.redirect(to: Site.refills.path() + "?done=\(r.status)")
        } catch let e as AppError {
            let errors = e.fieldErrors(otherwise: "decision")
            return Layout.render(
                RefillQueuePage(
                    items: try await req.refills().queue(), done: nil, errors: errors,
                    zone: try await LocationRecord.homeZone(on: req.db)
                ).render(for: req),
                status: e.status)
        }
    }

    /// The EPCS page: prescribers with their NPI/DEA, permissions, and what the signed-in person may do.
    package static func epcsPage(
        _ req: Request, notice: String?, errors: [FieldError], status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let p = try req.principal()
        let canManage = AccessPolicy.decide(p, .manageEPCS).isAllowed
        let grants = try await req.epcs().grants()  // refuses (audited) anyone who may neither manage nor approve
        let prescribers = try await UserRecord.query(on: req.db).filter(
            \.$role ~~ [Role.provider, .medicalDirector]
        ).all()
        var creds: [UUID: PrescriberCredentialRecord] = [:]
        for c in try await PrescriberCredentialRecord.query(on: req.db).all() { creds[c.userID] = c }
        return Layout.render(
            EPCSPage(
                grants: grants,
                prescribers: try prescribers.map {
                    (
                        try $0.requireID(), $0.displayName, creds[try $0.requireID()]?.npi,
                        creds[try $0.requireID()]?.deaNumber
                    )
                },
                canManage: canManage, me: p.userID, notice: notice, errors: errors
            ).render(for: req), status: status)
    }

    @Sendable package static func epcsPage(req: Request) async throws -> Response {
        try await epcsPage(req, notice: req.query[String.self, at: "done"], errors: [])
    }

    @Sendable package static func epcsAction(req: Request) async throws -> Response {
        func text(_ k: String) -> String? { try? req.content.get(String.self, at: k) }
        let store = try req.epcs()
        do {
            switch text("action") {
            case "credentials":
                guard let u = text("userId").flatMap({ UUID(uuidString: $0) }) else {
                    throw AppError.validation([FieldError("userId", "Choose the prescriber.")])
                }
                try await store.setCredentials(userID: u, .init(npi: text("npi"), deaNumber: text("deaNumber")))
            case "enter":
                guard let u = text("prescriberId").flatMap({ UUID(uuidString: $0) }) else {
                    throw AppError.validation([FieldError("prescriberId", "Choose the prescriber.")])
                }
                _ = try await store.enterGrant(prescriberID: u)
            case "approve", "reject":
                guard let g = text("grantId").flatMap({ UUID(uuidString: $0) }) else {
                    throw AppError.validation([FieldError("grantId", "Choose the permission.")])
                }
                _ = try await store.decideGrant(g, approve: text("action") == "approve", otp: text("otp"))
            case "revoke":
                guard let g = text("grantId").flatMap({ UUID(uuidString: $0) }) else {
                    throw AppError.validation([FieldError("grantId", "Choose the permission.")])
                }
                _ = try await store.revoke(g)
            default:
                throw AppError.validation([FieldError("action", "Unknown action.")])
            }
            return req.redirect(to: Site.epcs.path() + "?done=\(text("action") ?? "")")
        } catch let e as AppError {
            return try await epcsPage(req, notice: nil, errors: e.fieldErrors(otherwise: "epcs"), status: e.status)
        }
    }

    @Sendable package static func reportPage(req: Request) async throws -> Response {
        Layout.render(EPCSReportPage(r: try await req.epcs().report(day: try day(req))).render(for: req))
    }

    // MARK: portal

    @Sendable package static func portalRefills(req: Request) async throws -> Response {
        let pid = try req.portalPatientID()
        let meds = try await req.prescriptions().medications(patientID: pid)
        let pending = Set(
            try await RefillRequestRecord.query(on: req.db).filter(\.$patientID == pid).filter(
                \.$status == RefillStatus.pending
            )
            .all().map(\.prescriptionID))
        return Layout.render(
            PortalRefillsPage(
                meds: meds, pending: pending, done: req.query[String.self, at: "requested"] != nil, error: nil
            ).render(for: req))
    }

    @Sendable package static func portalRequest(req: Request) async throws -> Response {
        let pid = try req.portalPatientID()
        do {
            _ = try await req.refills().requestFromPortal(prescriptionID: try req.idParameter("id"))
            return req.redirect(to: Site.portalRefills.path() + "?requested=1")
        } catch AppError.conflict(_, let detail, _) {
            let meds = try await req.prescriptions().medications(patientID: pid)
            return Layout.render(
                PortalRefillsPage(meds: meds, pending: [], done: false, error: detail).render(for: req),
                status: .conflict)
        }
    }
}
