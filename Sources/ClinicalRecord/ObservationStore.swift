import Vapor
import Fluent
import Domain
import AppCore
import Patients

/// Observations (vital signs, the A1c, smoking status) through the same audited scope as the summary's entries: a
/// provider's are final at once, an MA's and an intake's wait as preliminary until a provider confirms them, and any
/// clinician can mark one entered in error (it stays, struck through, in the record).
extension ClinicalStore {
    package struct ObservationDTO: Content {
        package let id: UUID
        package let patientId: UUID
        package let kind: ObservationKind
        /// LOINC.
        package let code: String
        package let category: String
        package let value: Double?
        package let value2: Double?
        package let answer: String?
        /// UCUM.
        package let unit: String?
        package let text: String
        package let effective: String
        package let status: ObservationStatus
        package let source: String
        package let recordedBy: String
        package let recordedAt: Date
        package let confirmedBy: String?
        package let version: Int

        init(_ r: ObservationRecord) throws {
            id = try r.requireID()
            patientId = r.patientID
            kind = r.kind
            code = r.code
            category = r.kind.category
            value = r.value
            value2 = r.value2
            answer = r.answer
            unit = r.unit
            text = ObservationRules.text(kind: r.kind, value: r.value, value2: r.value2, answer: r.answer)
            effective = r.effective
            status = r.status
            source = r.source
            recordedBy = r.recordedBy
            recordedAt = r.recordedAt
            confirmedBy = r.confirmedBy
            version = r.version
        }
    }

    /// What a change may set: `final` (a provider confirms) or `entered-in-error` (any clinician).
    package struct ObservationChange: Content {
        package var status: String?
        package init(status: String? = nil) { self.status = status }
    }

    /// The patient's observations, newest measurement first (the patient: final ones only).
    func observationRows(_ patientID: UUID, patientView: Bool, on tx: any Database) async throws -> [ObservationDTO] {
        var q = ObservationRecord.query(on: tx).filter(\.$patientID == patientID)
        q = patientView ? q.filter(\.$status == .final) : q
        return try await q.sort(\.$effective, .descending).sort(\.$recordedAt, .descending).limit(500).all()
            .map(ObservationDTO.init)
    }

    @discardableResult
    package func recordObservation(patientID: UUID, _ input: ObservationInput, fromIntake: UUID? = nil) async throws
        -> ObservationDTO?
    {
        let values = try await recording(patientID) { ObservationRules.validated(input, today: $0) }
        let (confirms, source) = provenance(patientID, fromIntake: fromIntake)
        let actor = scope.principal.username, now = scope.now
        return try await scope.run { tx in
            guard try await PatientRecord.find(patientID, on: tx) != nil else {
                throw AppError.notFound("No patient with that id.")
            }
            if fromIntake != nil {
                // The same answer from the same day is already there (an intake accepted twice, or two forms).
                let same = try await ObservationRecord.query(on: tx).filter(\.$patientID == patientID)
                    .filter(\.$kind == values.kind).filter(\.$effective == values.effective).all()
                if same.contains(where: { $0.value == values.value && $0.answer == values.answer }) { return (nil, []) }
            }
            let r = ObservationRecord()
            r.patientID = patientID
            r.kind = values.kind
            r.code = values.kind.loinc
            r.value = values.value
            r.value2 = values.value2
            r.answer = values.answer
            r.unit = values.kind.unit
            r.effective = values.effective
            r.status = confirms ? .final : .preliminary
            r.source = source
            r.recordedBy = actor
            r.recordedAt = now
            r.confirmedBy = confirms ? actor : nil
            r.updatedAt = now
            r.version = 1
            try await r.create(on: tx)
            return (try ObservationDTO(r), [Self.audit(.create, r, "\(values.text) on \(values.effective)")])
        }
    }

    package func changeObservation(_ id: UUID, _ change: ObservationChange) async throws -> ObservationDTO {
        guard let found = try await ObservationRecord.find(id, on: scope.db) else {
            throw AppError.notFound("No such observation.")
        }
        let pid = found.patientID
        try await scope.authorize(.recordClinical(patientID: pid), patientID: pid)
        guard let status = Text.clean(change.status).flatMap({ ObservationStatus(rawValue: $0.lowercased()) }),
            status != .preliminary
        else {
            throw AppError.validation([FieldError("status", "Status must be final or entered-in-error.")])
        }
        if status == .final { try await scope.authorize(.confirmClinical(patientID: pid), patientID: pid) }
        let actor = scope.principal.username, now = scope.now
        return try await scope.run { tx in
            guard let r = try await ObservationRecord.find(id, on: tx) else {
                throw AppError.notFound("No such observation.")
            }
            guard r.status != status else { return (try ObservationDTO(r), []) }
            guard r.status != .enteredInError else {
                throw AppError.conflict(
                    type: "entered-in-error",
                    detail: "This observation was marked entered in error; record the right value as a new one.",
                    extra: [:])
            }
            r.status = status
            if status == .final { r.confirmedBy = actor }
            r.updatedAt = now
            r.version += 1
            try await r.save(on: tx)
            return (try ObservationDTO(r), [Self.audit(.update, r, status.rawValue)])
        }
    }

    static func audit(_ action: AuditAction, _ r: ObservationRecord, _ detail: String) -> AuditDraft {
        AuditDraft(
            action: action, category: .clinical, patientID: r.patientID, entityType: "Observation",
            entityID: r.id?.uuidString, detail: "\(r.kind.rawValue): \(detail)")
    }
}
