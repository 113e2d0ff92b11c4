import Vapor
import Fluent
import Domain
import Accounts
import AppCore
import ClinicalRecord
import Locations

/// Prescriptions through one scoped, audited path: drafts, signing (EPCS with a fresh second factor for controlled
/// substances), NewRx and CancelRx, and the patient's prescription history.
package struct PrescriptionStore {
    package let scope: AuditScope
    /// Where the drug–allergy and duplicate-therapy checks learn about drugs (the sample formulary's data here).
    package var knowledge: any DrugKnowledge = SampleDrugKnowledge()

    package struct DraftInput: Content {
        package var drugId: String?
        package var sig: String?
        package var quantity: String?
        package var daysSupply: Int?
        package var refills: Int?
        package var dispenseAsWritten: Bool?
        package var pharmacyNcpdpid: String?
        package var locationId: UUID?
        /// Who will sign (a medical assistant prepares for a prescriber; a prescriber's own drafts default to them).
        package var prescriberId: UUID?
        /// A prescriber's reason to prescribe despite the safety alerts (required when there are any).
        package var overrideReason: String?
    }

    /// What signing sends: the authenticator code (controlled substances) and, when the safety checks warn, the
    /// prescriber's reason to prescribe anyway.
    package struct SignInput: Content {
        package var otp: String?
        package var overrideReason: String?

        package init(otp: String? = nil, overrideReason: String? = nil) {
            self.otp = otp
            self.overrideReason = overrideReason
        }
    }

    package struct RxDTO: Content {
        package let id: UUID
        package let patientId: UUID
        package let prescriberId: UUID
        package let status: PrescriptionStatus
        package let statusDetail: String?
        package let description: String
        package let schedule: String?
        package let quantity: String
        package let unitCode: String
        package let daysSupply: Int
        package let refills: Int
        package let sig: String
        package let pharmacyNcpdpid: String
        package let writtenDate: String?
        package let signedAt: Date?
        package let preparedBy: String
        package let controlled: Bool
        package let renewalOf: UUID?
        /// Drug–allergy and duplicate-therapy warnings, and the prescriber's override.
        package let safetyAlerts: [SafetyAlert]
        package let overrideReason: String?
        package let overrideBy: String?
    }

    package static func dto(_ r: PrescriptionRecord) throws -> RxDTO {
        RxDTO(
            id: try r.requireID(), patientId: r.patientID, prescriberId: r.prescriberID, status: r.status,
            statusDetail: r.statusDetail, description: r.description,
            schedule: r.deaSchedule.map { "C" + $0.roman }, quantity: r.quantity, unitCode: r.unitCode,
            daysSupply: r.daysSupply, refills: r.refills,
            sig: r.sig, pharmacyNcpdpid: r.pharmacyNCPDPID, writtenDate: r.writtenDate, signedAt: r.signedAt,
            preparedBy: r.preparedBy,
            controlled: r.isControlled, renewalOf: r.renewalOf, safetyAlerts: r.alerts,
            overrideReason: r.overrideReason,
            overrideBy: r.overrideBy)
    }

    package static func audit(
        _ action: AuditAction, _ rx: PrescriptionRecord?, patientID: UUID?, entity: String = "Prescription",
        _ detail: String,
        outcome: AuditOutcome = .success
    ) -> AuditDraft {
        AuditDraft(
            action: action, category: .prescriptions, patientID: patientID ?? rx?.patientID, entityType: entity,
            entityID: rx?.id?.uuidString,
            outcome: outcome, detail: detail)
    }

    // MARK: drafts

    package func createDraft(patientID: UUID, _ input: DraftInput) async throws -> RxDTO {
        try await scope.authorize(.prepareRx(patientID: patientID), patientID: patientID)
        let p = scope.principal
        let prescriberID =
            (p.role == .provider || p.role == .medicalDirector) ? (input.prescriberId ?? p.userID!) : input.prescriberId
        let drug = Formulary.drug(input.drugId)
        let pharmacy =
            try await Text.clean(input.pharmacyNcpdpid).asyncMap {
                try await PharmacyRecord.query(on: scope.db).filter(\.$ncpdpid == $0).first()
            } ?? nil
        var errors = PrescribingRules.validate(
            PrescriptionInput(
                drugId: input.drugId, sig: input.sig, quantity: input.quantity, daysSupply: input.daysSupply,
                refills: input.refills, dispenseAsWritten: input.dispenseAsWritten,
                pharmacyNcpdpid: input.pharmacyNcpdpid),
            schedule: drug?.schedule, drugKnown: drug != nil, pharmacyKnown: pharmacy != nil)
        if let pharmacy, drug?.schedule != nil, !pharmacy.acceptsControlled {
            errors.append(
                FieldError(
                    "pharmacyNcpdpid", "\(pharmacy.name) does not accept electronic controlled-substance prescriptions."
                ))
        }
        if let id = prescriberID, let u = try await UserRecord.find(id, on: scope.db),
            [Role.provider, .medicalDirector].contains(u.role), u.active
        {
        } else {
            errors.append(FieldError("prescriberId", "Choose the prescriber who will sign."))
        }
        let location = try await LocationRecord.find(input.locationId, on: scope.db)
        if location == nil { errors.append(FieldError("locationId", "Choose the location.")) }
        // What the SCRIPT message needs from the practice's data: said now, not after signing.
        errors += ScriptGateway.sendingProblems(pharmacy: pharmacy, location: nil).map {
            FieldError("pharmacyNcpdpid", $0)
        }
        errors += ScriptGateway.sendingProblems(pharmacy: nil, location: location).map { FieldError("locationId", $0) }
        if !errors.isEmpty { throw AppError.validation(errors) }
        // The prescriber decides on a warning: their own draft needs the reason now; an MA's waits for the signing.
        let alerts = try await safetyAlerts(patientID: patientID, drug: drug!, excluding: [])
        let deciding = AccessPolicy.decide(p, .signRx).isAllowed
        let reason = deciding ? Text.clean(input.overrideReason) : nil
        if deciding, let problem = DrugSafety.overrideProblem(alerts: alerts, reason: reason) {
            throw AppError.validation(Self.safetyErrors(alerts, problem))
        }
        let alertJSON = alerts.isEmpty ? nil : String(decoding: try JSONEncoder().encode(alerts), as: UTF8.self)
        let now = scope.now, by = p.username
        return try await scope.run { tx in
            let r = PrescriptionRecord()
            r.id = UUID()
            r.createdAt = now
            r.updatedAt = now
            r.status = .draft
            r.preparedBy = by
            r.drugID = drug!.id
            r.description = drug!.description
            r.ndc = drug!.ndc
            r.rxnorm = drug!.rxnorm
            r.schedule = drug!.schedule?.rawValue
            r.quantity = Text.clean(input.quantity)!
            r.unitCode = drug!.unitCode
            r.daysSupply = input.daysSupply!
            r.refills = input.refills!
            r.substitutions = input.dispenseAsWritten == true ? "1" : "0"
            r.sig = Text.clean(input.sig)!
            r.pharmacyNCPDPID = pharmacy!.ncpdpid
            r.patientID = patientID
            r.prescriberID = prescriberID!
            r.locationID = input.locationId!
            r.safetyAlerts = alertJSON
            r.overrideReason = alerts.isEmpty ? nil : reason
            r.overrideBy = alerts.isEmpty || reason == nil ? nil : by
            try await r.create(on: tx)
            var drafts = [
                Self.audit(
                    .create, r, patientID: patientID,
                    "draft prepared" + (r.isControlled ? " (controlled, schedule \(drug!.schedule!.roman))" : ""))
            ]
            if !alerts.isEmpty { drafts.append(Self.overrideAudit(r, alerts, reason)) }
            return (try Self.dto(r), drafts)
        }
    }

    // MARK: safety checks

    /// The drug–allergy and duplicate-therapy alerts for prescribing `drug` now: against the patient's active
    /// allergies and the medicines they take (reported in the clinical summary, or prescribed and active here).
    /// `excluding`: the prescription being signed and the one it renews (a renewal is not a duplicate).
    package func safetyAlerts(patientID: UUID, drug: FormularyDrug, excluding: [UUID?]) async throws
        -> [SafetyAlert]
    {
        let summary = try await ClinicalStore(scope: scope).summary(patientID: patientID)
        let allergies = summary.allergies.filter { $0.status == .active && $0.code != ClinicalRules.noKnownAllergies }
            .map { DrugSafety.Allergy(substance: $0.display, reaction: $0.reaction) }
        var medicines = summary.medications.filter { $0.status == .active }.map(\.display)
        let prescribed = try await PrescriptionRecord.query(on: scope.db).filter(\.$patientID == patientID).all()
            .filter { $0.status.isActive && !excluding.contains($0.id) }
        medicines += prescribed.map(\.description)
        return DrugSafety.alerts(
            drug: drug, allergies: allergies, currentMedicines: medicines, knowledge: knowledge)
    }

    /// The alerts as field errors (field `safety`), then what the override reason lacks (field `overrideReason`).
    package static func safetyErrors(_ alerts: [SafetyAlert], _ problem: String) -> [FieldError] {
        alerts.map { FieldError("safety", $0.message) } + [FieldError("overrideReason", problem)]
    }

    static func overrideAudit(_ r: PrescriptionRecord, _ alerts: [SafetyAlert], _ reason: String?) -> AuditDraft {
        let kinds = Set(alerts.map(\.kind.rawValue)).sorted().joined(separator: ", ")
        return audit(
            .update, r, patientID: r.patientID, entity: "SafetyOverride",
            reason.map { "safety alerts (\(kinds)) overridden: \($0)" } ?? "safety alerts (\(kinds)) for the prescriber"
        )
    }

    package func find(_ id: UUID) async throws -> RxDTO {
        guard let r = try await PrescriptionRecord.find(id, on: scope.db) else {
            throw AppError.notFound("No such prescription.")
        }
        try await scope.authorize(.readRx(patientID: r.patientID), patientID: r.patientID)
        try await scope.record([Self.audit(.read, r, patientID: r.patientID, "prescription viewed")])
        return try Self.dto(r)
    }

    package func history(patientID: UUID) async throws -> [RxDTO] {
        try await scope.authorize(.readRx(patientID: patientID), patientID: patientID)
        let rows = try await PrescriptionRecord.query(on: scope.db).filter(\.$patientID == patientID).sort(
            \.$createdAt, .descending
        ).all()
        try await scope.record([
            AuditDraft(
                action: .query, category: .prescriptions, patientID: patientID, entityType: "Prescription",
                detail: "\(rows.count) prescriptions listed")
        ])
        return try rows.map(Self.dto)
    }

    /// The medication list: what was prescribed and is neither cancelled nor refused.
    package func medications(patientID: UUID) async throws -> [RxDTO] {
        try await history(patientID: patientID).filter {
            $0.status.isActive
        }
    }

    // MARK: signing

    /// The prescriber signs their own prescription. Controlled substances need a DEA number, an active EPCS permission,
    /// and a fresh TOTP code entered now (the signature); every attempt is an audited EPCS event.
    package func sign(_ id: UUID, _ input: SignInput) async throws -> RxDTO {
        let otp = input.otp
        guard let rx = try await PrescriptionRecord.find(id, on: scope.db) else {
            throw AppError.notFound("No such prescription.")
        }
        try await scope.authorize(.signRx, patientID: rx.patientID)
        let p = scope.principal
        guard rx.prescriberID == p.userID else {
            throw AppError.forbidden("Only the prescriber named on the prescription may sign it.")
        }
        guard rx.status == .draft else {
            throw AppError.conflict(
                type: "not-a-draft", detail: "This prescription is already \(rx.status).", extra: [:])
        }
        let sending = ScriptGateway.sendingProblems(
            pharmacy: try await PharmacyRecord.query(on: scope.db).filter(\.$ncpdpid == rx.pharmacyNCPDPID).first(),
            location: try await LocationRecord.find(rx.locationID, on: scope.db))
        if !sending.isEmpty { throw AppError.validation(sending.map { FieldError("sending", $0) }) }
        // The checks again, now: an allergy recorded since the draft counts. A reason given for the same alerts stands.
        let alerts = try await safetyAlerts(
            patientID: rx.patientID, drug: Formulary.drug(rx.drugID) ?? Self.unknownDrug(rx),
            excluding: [id, rx.renewalOf])
        let standing = rx.overrideReason != nil && rx.alerts == alerts
        let reason = standing ? rx.overrideReason : Text.clean(input.overrideReason)
        if !standing, let problem = DrugSafety.overrideProblem(alerts: alerts, reason: reason) {
            throw AppError.validation(Self.safetyErrors(alerts, problem))
        }
        let alertJSON = alerts.isEmpty ? nil : String(decoding: try JSONEncoder().encode(alerts), as: UTF8.self)
        let app = scope.app, now = scope.now, codec = try app.scriptCodec
        var deaNumber = ""
        var counter: Int64?
        if rx.isControlled { (deaNumber, counter) = try await epcsFactor(for: rx, otp: otp, what: "signing") }
        let dea = deaNumber, code = counter
        let written = LocalDay.of(now, in: try await zone(rx.locationID)).iso
        return try await scope.run { tx in
            guard let rx = try await PrescriptionRecord.find(id, on: tx), rx.status == .draft else {
                throw AppError.conflict(
                    type: "not-a-draft", detail: "This prescription was signed meanwhile.", extra: [:])
            }
            if let code, let uid = p.userID { try await Self.useCode(code, userID: uid, on: tx) }
            rx.writtenDate = written
            rx.signedAt = now
            let overridden = !alerts.isEmpty && !standing
            rx.safetyAlerts = alertJSON
            rx.overrideReason = alerts.isEmpty ? nil : reason
            if overridden { rx.overrideBy = p.username }
            rx.status = .sending
            rx.statusDetail = "Signed; on its way to the pharmacy."
            rx.updatedAt = now
            if rx.isControlled {
                let s = try RxSignature.sign(rx, deaNumber: dea, app: app)
                rx.digest = s.digest
                rx.signature = s.signature
            }
            try await rx.save(on: tx)
            let d = try await ScriptGateway.details(rx, on: tx)
            let m = ScriptMessage(
                header: ScriptHeader(
                    to: ScriptParty(rx.pharmacyNCPDPID, "P"), from: ScriptParty(d.prescriber.npi, "D"),
                    messageID: ScriptGateway.newMessageID(), sentTime: now,
                    prescriberOrderNumber: ScriptGateway.orderNumber(try rx.requireID()),
                    digitallySigned: rx.isControlled),
                body: .newRx(d))
            let out = try await ScriptGateway.queue(
                m, codec: codec, prescriptionID: rx.id, refillID: nil, now: now, on: tx)
            var drafts = [Self.audit(.update, rx, patientID: rx.patientID, "signed; NewRx \(out.messageID) queued")]
            if overridden { drafts.append(Self.overrideAudit(rx, alerts, reason)) }
            if rx.isControlled {
                drafts.append(
                    Self.audit(
                        .update, rx, patientID: rx.patientID, entity: "EPCSSignature",
                        "EPCS signed with second factor; schedule \(rx.deaSchedule!.roman); digest "
                            + "\(rx.digest!.prefix(12))…"
                    ))
            }
            return (try Self.dto(rx), drafts)
        }
    }

    /// A prescription whose drug left the formulary: checked by its description alone.
    static func unknownDrug(_ r: PrescriptionRecord) -> FormularyDrug {
        FormularyDrug(
            id: r.drugID, description: r.description, ndc: r.ndc, rxnorm: r.rxnorm, schedule: r.deaSchedule,
            unitCode: r.unitCode, unitLabel: "")
    }

    /// EPCS checks for the signed-in prescriber acting on a controlled prescription: a DEA number on file, an active
    /// EPCS permission, and a TOTP code entered now. A refusal is an audited EPCS event. Returns the DEA number and
    /// the code's counter (to be used up in the signing transaction).
    package func epcsFactor(for rx: PrescriptionRecord, otp: String?, what: String) async throws -> (String, Int64) {
        let p = scope.principal, now = scope.now
        func refuse(_ why: String) async throws -> Never {
            try await scope.record([
                Self.audit(
                    .update, rx, patientID: rx.patientID, entity: "EPCSSignature", "EPCS \(what) refused: \(why)",
                    outcome: .denied)
            ])
            throw AppError.forbidden(why)
        }
        guard let uid = p.userID,
            let cred = try await PrescriberCredentialRecord.query(on: scope.db).filter(\.$userID == uid).first(),
            let dea = cred.deaNumber
        else {
            try await refuse("No DEA registration on file: controlled substances cannot be signed.")
        }
        if try await EPCSGrantRecord.query(on: scope.db).filter(\.$prescriberID == uid).filter(
            \.$status == EPCSGrantStatus.active
        )
        .first() == nil {
            try await refuse("No active EPCS permission: it must be entered and approved by two people first.")
        }
        guard let user = try await UserRecord.find(uid, on: scope.db), let secretText = user.mfaSecret,
            let secret = Base32.decode(secretText),
            let code = Text.clean(otp), let c = Domain.TOTP(secret: secret).matchingCounter(code, at: now),
            Int64(c) > (user.mfaLastCounter ?? -1)
        else {
            try await refuse(
                "The second factor was missing or not the current code: signing a controlled substance needs the "
                    + "code from your authenticator now."
            )
        }
        return (dea, Int64(c))
    }

    /// Inside the signing transaction: the TOTP step is used up (never accepted twice).
    package static func useCode(_ counter: Int64, userID: UUID, on tx: any Database) async throws {
        let user = try await UserRecord.find(userID, on: tx)
        guard counter > (user?.mfaLastCounter ?? -1) else {
            throw AppError.forbidden("That code was already used; wait for the next one.")
        }
        try await UserRecord.query(on: tx).filter(\.$id == userID).set(\.$mfaLastCounter, to: counter).update()
    }

    package func zone(_ locationID: UUID) async throws -> TimeZone {
        guard let l = try await LocationRecord.find(locationID, on: scope.db), let z = TimeZone(identifier: l.timeZone)
        else { return TimeZone(identifier: "UTC")! }
        return z
    }

    /// Asks the pharmacy to cancel (CancelRx); the answer (CancelRxResponse) arrives at the inbound endpoint.
    package func cancel(_ id: UUID) async throws -> RxDTO {
        guard let rx = try await PrescriptionRecord.find(id, on: scope.db) else {
            throw AppError.notFound("No such prescription.")
        }
        try await scope.authorize(.signRx, patientID: rx.patientID)
        guard rx.status.isCancellable else {
            throw AppError.conflict(
                type: "not-cancellable", detail: "A \(rx.status) prescription cannot be cancelled.", extra: [:])
        }
        if let ph = try await PharmacyRecord.query(on: scope.db).filter(\.$ncpdpid == rx.pharmacyNCPDPID).first(),
            !ph.acceptsCancel
        {
            throw AppError.conflict(
                type: "pharmacy-no-cancel",
                detail: "\(ph.name) does not accept electronic cancellations; call the pharmacy.", extra: [:])
        }
        let codec = try scope.app.scriptCodec, now = scope.now
        return try await scope.run { tx in
            guard let rx = try await PrescriptionRecord.find(id, on: tx) else {
                throw AppError.notFound("No such prescription.")
            }
            let original = try await ScriptMessageRecord.query(on: tx).filter(\.$prescriptionID == id).filter(
                \.$type == ScriptMessageType.newRx
            ).filter(\.$direction == ScriptDirection.outbound).first()
            let d = try await ScriptGateway.details(rx, on: tx)
            let m = ScriptMessage(
                header: ScriptHeader(
                    to: ScriptParty(rx.pharmacyNCPDPID, "P"), from: ScriptParty(d.prescriber.npi, "D"),
                    messageID: ScriptGateway.newMessageID(),
                    relatesToMessageID: original?.messageID, sentTime: now,
                    prescriberOrderNumber: ScriptGateway.orderNumber(try rx.requireID())),
                body: .cancelRx(d))
            let out = try await ScriptGateway.queue(
                m, codec: codec, prescriptionID: rx.id, refillID: nil, now: now, on: tx)
            rx.status = .cancelRequested
            rx.statusDetail = "Cancellation sent; waiting for the pharmacy's answer."
            rx.updatedAt = now
            try await rx.save(on: tx)
            return (
                try Self.dto(rx), [Self.audit(.update, rx, patientID: rx.patientID, "CancelRx \(out.messageID) queued")]
            )
        }
    }
}

extension Request {
    package func prescriptions() throws -> PrescriptionStore { PrescriptionStore(scope: try scope()) }
}
