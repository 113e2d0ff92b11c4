import Vapor
import Fluent
import Domain
import Accounts
import AppCore
import Locations
import Patients
import Scheduling

/// Renewal requests: from the pharmacy (RxRenewalRequest) or from the patient in the portal; routed to the
/// prescriber of record, or the location's covering provider while the prescriber is away; decided in the refill
/// queue (approve, deny with a reason code, or replace), which sends the RxRenewalResponse.
package struct RefillStore {
    package let scope: AuditScope

    package struct DecideInput: Content {
        /// approve, deny or replace.
        package var decision: String?
        package var reasonCode: String?
        package var note: String?
        /// Approve: refills granted (defaults to the original's).
        package var refills: Int?
        /// Replace: the new prescription.
        package var drugId: String?
        package var sig: String?
        package var quantity: String?
        package var daysSupply: Int?
        /// Controlled substances: the current authenticator code.
        package var otp: String?
    }

    package struct QueueItem: Content {
        package let id: UUID
        package let patientId: UUID
        package let patientName: String
        package let source: RefillSource
        package let status: RefillStatus
        package let createdAt: Date
        package let routedTo: UUID
        package let routedToName: String
        package let routeReason: String
        package let prescription: PrescriptionStore.RxDTO
        /// Earlier prescriptions of the same drug for this patient and earlier requests for this prescription.
        package let history: [PrescriptionStore.RxDTO]
        package let earlierRequests: Int
    }

    package static let denialCodes: [(String, String)] = [
        ("AA", "Patient unknown to the prescriber"), ("AC", "Patient no longer under the prescriber's care"),
        ("AD", "Too soon"), ("AM", "Patient needs an appointment"), ("AP", "Request already answered by other means"),
        ("DA", "Medication discontinued"),
    ]

    // MARK: routing

    package static func isAway(_ provider: UUID, now: Date, on db: any Database) async throws -> Bool {
        try await AvailabilityExceptionRecord.query(on: db).filter(\.$providerID == provider).filter(\.$startAt <= now)
            .filter(\.$endAt > now).first() != nil
    }

    /// Inside a transaction: a pending request routed by the rule in `PrescribingRules.routeRenewal`.
    package static func create(
        for rx: PrescriptionRecord, source: RefillSource, inboundMessageID: String?, now: Date, on tx: any Database
    ) async throws -> RefillRequestRecord {
        let away = try await isAway(rx.prescriberID, now: now, on: tx)
        let covering = try await CoveringProviderRecord.query(on: tx).filter(\.$locationID == rx.locationID).first()?
            .providerID
        let coveringAway = try await covering.asyncMap { try await isAway($0, now: now, on: tx) } ?? false
        let (to, why) = PrescribingRules.routeRenewal(
            prescriber: rx.prescriberID, prescriberAway: away, covering: covering, coveringAway: coveringAway)
        let r = RefillRequestRecord()
        r.id = UUID()
        r.createdAt = now
        r.status = .pending
        r.source = source
        r.routeReason = why
        r.patientID = rx.patientID
        r.prescriptionID = try rx.requireID()
        r.routedTo = to
        r.inboundMessageID = inboundMessageID
        try await r.create(on: tx)
        return r
    }

    /// The patient asks for a refill of one of their prescriptions.
    package func requestFromPortal(prescriptionID: UUID) async throws -> UUID {
        guard let rx = try await PrescriptionRecord.find(prescriptionID, on: scope.db) else {
            throw AppError.notFound("No such prescription.")
        }
        try await scope.authorize(.requestRefill(patientID: rx.patientID), patientID: rx.patientID)
        guard rx.status.isRenewable else {
            throw AppError.conflict(
                type: "not-refillable", detail: "Only a current prescription can be refilled.", extra: [:])
        }
        let now = scope.now
        return try await scope.run { tx in
            if try await RefillRequestRecord.query(on: tx).filter(\.$prescriptionID == prescriptionID).filter(
                \.$status == RefillStatus.pending
            ).first() != nil {
                throw AppError.conflict(
                    type: "already-requested",
                    detail: "A refill of this medicine is already waiting for your provider.", extra: [:])
            }
            let r = try await Self.create(for: rx, source: .portal, inboundMessageID: nil, now: now, on: tx)
            return (
                (try r.requireID()),
                [
                    AuditDraft(
                        action: .create, category: .prescriptions, patientID: rx.patientID, entityType: "RefillRequest",
                        entityID: r.id?.uuidString,
                        detail: "requested in the portal; routed to \(r.routeReason)")
                ]
            )
        }
    }

    // MARK: queue

    package func queue(all: Bool = false) async throws -> [QueueItem] {
        try await scope.authorize(.readRefillQueue)
        let p = scope.principal
        let q = RefillRequestRecord.query(on: scope.db).filter(\.$status == RefillStatus.pending)
        if !all && (p.role == .provider || p.role == .medicalDirector), let me = p.userID {
            q.filter(\.$routedTo == me)
        }
        let rows = try await q.sort(\.$createdAt).all()
        return try await scope.run { tx in
            var out: [QueueItem] = []
            for r in rows { out.append(try await Self.item(r, on: tx)) }
            return (
                out,
                Set(rows.map(\.patientID)).map {
                    AuditDraft(
                        action: .query, category: .prescriptions, patientID: $0, entityType: "RefillRequest",
                        detail: "refill queue")
                }
            )
        }
    }

    package static func item(_ r: RefillRequestRecord, on db: any Database) async throws -> QueueItem {
        let rx = try await PrescriptionRecord.find(r.prescriptionID, on: db)!
        let p = try await PatientRecord.find(r.patientID, on: db)
        let to = try await UserRecord.find(r.routedTo, on: db)
        let history = try await PrescriptionRecord.query(on: db).filter(\.$patientID == r.patientID).filter(
            \.$drugID == rx.drugID
        ).sort(\.$createdAt, .descending).all()
        let requestID = try r.requireID()
        let earlier = try await RefillRequestRecord.query(on: db).filter(\.$prescriptionID == r.prescriptionID).filter(
            \.$id != requestID
        ).count()
        return QueueItem(
            id: try r.requireID(), patientId: r.patientID,
            patientName: p.map { "\($0.familyName), \($0.givenName)" } ?? "",
            source: r.source, status: r.status,
            createdAt: r.createdAt, routedTo: r.routedTo, routedToName: to?.displayName ?? "",
            routeReason: r.routeReason,
            prescription: try PrescriptionStore.dto(rx), history: try history.map(PrescriptionStore.dto),
            earlierRequests: earlier)
    }

    // MARK: decisions

    /// Approve, deny (with a reason code) or replace. A pharmacy's request is answered with an RxRenewalResponse; a
    /// portal request that is approved becomes a new prescription sent as NewRx.
    package func decide(_ id: UUID, _ input: DecideInput) async throws -> QueueItem {
        try await scope.authorize(.decideRefill)
        guard let r = try await RefillRequestRecord.find(id, on: scope.db) else {
            throw AppError.notFound("No such refill request.")
        }
        guard r.status == .pending else {
            throw AppError.conflict(type: "decided", detail: "This request was already \(r.status).", extra: [:])
        }
        let p = scope.principal
        guard r.routedTo == p.userID else { throw AppError.forbidden("This request is routed to another provider.") }
        guard let rx = try await PrescriptionRecord.find(r.prescriptionID, on: scope.db) else {
            throw AppError.notFound("No such prescription.")
        }
        let rxStore = PrescriptionStore(scope: scope)
        let chosen = RefillDecision(rawValue: Text.clean(input.decision) ?? "")
        var errors: [FieldError] = []
        switch chosen {
        case .approve:
            let refills = input.refills ?? rx.refills
            if rx.deaSchedule == .c2 {
                errors.append(
                    FieldError(
                        "decision",
                        "Schedule II cannot be renewed: deny (a new prescription to follow) and write a new one."))
            } else if let problem = PrescribingRules.refillProblem(schedule: rx.deaSchedule, refills: refills)
                ?? PrescribingRules.sixMonthProblem(
                    schedule: rx.deaSchedule, daysSupply: rx.daysSupply, refills: refills)
            {
                errors.append(FieldError("refills", problem))
            }
        case .deny:
            if !Self.denialCodes.map(\.0).contains(input.reasonCode ?? "") {
                errors.append(FieldError("reasonCode", "Choose a denial reason."))
            }
        case .replace:
            if r.source != .pharmacy {
                errors.append(
                    FieldError("decision", "Replace answers a pharmacy's request; for the portal, approve or deny."))
            }
            let drug = Formulary.drug(input.drugId)
            errors += PrescribingRules.validate(
                PrescriptionInput(
                    drugId: input.drugId, sig: input.sig, quantity: input.quantity, daysSupply: input.daysSupply,
                    refills: input.refills, pharmacyNcpdpid: rx.pharmacyNCPDPID),
                schedule: drug?.schedule, drugKnown: drug != nil, pharmacyKnown: true)
            if drug?.schedule != nil {
                errors.append(
                    FieldError(
                        "drugId",
                        "Replace with a controlled substance by writing a new prescription on the signing screen."))
            }
        case nil:
            errors.append(FieldError("decision", "Choose approve, deny or replace."))
        }
        guard errors.isEmpty, let decision = chosen else { throw AppError.validation(errors) }

        // Approving a controlled renewal is signing it: the same EPCS checks and fresh second factor.
        var counter: Int64?
        if decision == .approve && rx.isControlled && r.source == .pharmacy {
            counter = try await rxStore.epcsFactor(for: rx, otp: input.otp, what: "renewal approval").1
        }

        if r.source == .portal && decision == .deny {
            // No pharmacy message to answer: the request is simply closed with the reason.
            return try await finish(
                id, status: .denied, reasonCode: input.reasonCode, note: input.note, newPrescription: nil,
                detail: "denied (\(input.reasonCode!))")
        }

        if r.source == .portal && decision == .approve {
            // A new prescription, signed now by the deciding provider, sent as NewRx.
            let now = scope.now
            let newID: UUID = try await scope.run { tx in
                let n = PrescriptionRecord()
                n.id = UUID()
                n.createdAt = now; n.updatedAt = now
                n.status = .draft; n.preparedBy = p.username
                n.drugID = rx.drugID; n.description = rx.description; n.ndc = rx.ndc; n.rxnorm = rx.rxnorm;
                n.schedule = rx.schedule
                n.quantity = rx.quantity; n.unitCode = rx.unitCode; n.daysSupply = rx.daysSupply;
                n.refills = input.refills ?? rx.refills
                n.substitutions = rx.substitutions; n.sig = rx.sig; n.pharmacyNCPDPID = rx.pharmacyNCPDPID
                n.patientID = rx.patientID; n.prescriberID = p.userID!; n.locationID = rx.locationID;
                n.renewalOf = rx.id
                try await n.create(on: tx)
                return (
                    (try n.requireID()),
                    [
                        PrescriptionStore.audit(
                            .create, n, patientID: n.patientID,
                            "renewal of \((try rx.requireID()).uuidString) from a portal request")
                    ]
                )
            }
            // Controlled: the EPCS checks and the fresh code happen there.
            _ = try await rxStore.sign(newID, .init(otp: input.otp))
            return try await finish(
                id, status: .approved, reasonCode: nil, note: input.note, newPrescription: newID,
                detail: "approved; new prescription sent")
        }

        // Pharmacy request: answer with an RxRenewalResponse that relates to their message.
        let codec = try scope.app.scriptCodec, now = scope.now, usedCode = counter
        return try await scope.run { tx in
            guard let r = try await RefillRequestRecord.find(id, on: tx), r.status == .pending else {
                throw AppError.conflict(type: "decided", detail: "Decided meanwhile.", extra: [:])
            }
            if let usedCode, let uid = p.userID { try await PrescriptionStore.useCode(usedCode, userID: uid, on: tx) }
            var d = try await ScriptGateway.details(rx, on: tx)
            d.medication.writtenDate = LocalDay.of(now, in: TimeZone(identifier: "UTC")!).iso
            let response: RenewalDecision
            switch decision {
            case .approve:
                d.medication.refills = input.refills ?? rx.refills
                response = .approved
                r.status = .approved
            case .deny:
                response = .denied(reasonCode: input.reasonCode!, reason: Text.clean(input.note))
                r.status = .denied
                r.reasonCode = input.reasonCode
            case .replace:
                let drug = Formulary.drug(input.drugId)!
                d.medication = ScriptMedication(
                    description: drug.description, ndc: drug.ndc, rxnorm: drug.rxnorm, schedule: nil,
                    quantity: Text.clean(input.quantity)!,
                    unitCode: drug.unitCode, daysSupply: input.daysSupply!, writtenDate: d.medication.writtenDate,
                    substitutions: "0",
                    refills: input.refills!, sig: Text.clean(input.sig)!)
                response = .replace
                r.status = .replaced
            }
            let m = ScriptMessage(
                header: ScriptHeader(
                    to: ScriptParty(rx.pharmacyNCPDPID, "P"), from: ScriptParty(d.prescriber.npi, "D"),
                    messageID: ScriptGateway.newMessageID(),
                    relatesToMessageID: r.inboundMessageID, sentTime: now,
                    prescriberOrderNumber: ScriptGateway.orderNumber(try rx.requireID())),
                body: .rxRenewalResponse(response, d))
            let out = try await ScriptGateway.queue(
                m, codec: codec, prescriptionID: rx.id, refillID: r.id, now: now, on: tx)
            r.decidedBy = p.username
            r.decidedAt = now
            r.note = Text.clean(input.note).map { String($0.prefix(500)) }
            try await r.save(on: tx)
            var drafts = [
                AuditDraft(
                    action: .update, category: .prescriptions, patientID: r.patientID, entityType: "RefillRequest",
                    entityID: id.uuidString,
                    detail: "\(r.status); RxRenewalResponse \(out.messageID) queued")
            ]
            if rx.isControlled && decision == .approve {
                drafts.append(
                    PrescriptionStore.audit(
                        .update, rx, patientID: rx.patientID, entity: "EPCSSignature",
                        "EPCS renewal approved with second factor; schedule \(rx.deaSchedule!.roman)"))
            }
            return (try await Self.item(r, on: tx), drafts)
        }
    }

    private func finish(
        _ id: UUID, status: RefillStatus, reasonCode: String?, note: String?, newPrescription: UUID?, detail: String
    ) async throws -> QueueItem {
        let now = scope.now, by = scope.principal.username
        return try await scope.run { tx in
            guard let r = try await RefillRequestRecord.find(id, on: tx) else {
                throw AppError.notFound("No such refill request.")
            }
            r.status = status
            r.decidedBy = by
            r.decidedAt = now
            r.reasonCode = reasonCode
            r.note = Text.clean(note).map { String($0.prefix(500)) }
            r.newPrescriptionID = newPrescription
            try await r.save(on: tx)
            return (
                try await Self.item(r, on: tx),
                [
                    AuditDraft(
                        action: .update, category: .prescriptions, patientID: r.patientID, entityType: "RefillRequest",
                        entityID: id.uuidString, detail: detail)
                ]
            )
        }
    }

    /// Who covers a location's renewals while a prescriber is away.
    package func setCovering(locationID: UUID, providerID: UUID) async throws {
        try await scope.authorize(.manageCoverage)
        guard try await LocationRecord.find(locationID, on: scope.db) != nil else {
            throw AppError.notFound("No such location.")
        }
        guard let u = try await UserRecord.find(providerID, on: scope.db),
            [Role.provider, .medicalDirector].contains(u.role), u.active
        else {
            throw AppError.validation([FieldError("providerId", "The covering provider must be an active prescriber.")])
        }
        let now = scope.now, by = scope.principal.username
        try await scope.run { tx in
            let c =
                try await CoveringProviderRecord.query(on: tx).filter(\.$locationID == locationID).first()
                ?? CoveringProviderRecord()
            c.locationID = locationID
            c.providerID = providerID
            c.setAt = now
            c.setBy = by
            try await c.save(on: tx)
            return (
                (),
                [
                    AuditDraft(
                        action: .update, category: .prescriptions, entityType: "CoveringProvider",
                        entityID: locationID.uuidString, detail: "covering provider set")
                ]
            )
        }
    }

    package init(scope: AuditScope) {
        self.scope = scope
    }
}

extension Request {
    package func refills() throws -> RefillStore { RefillStore(scope: try scope()) }
}
