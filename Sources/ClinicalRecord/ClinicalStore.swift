import Vapor
import Fluent
import Domain
import AppCore
import Patients

/// The clinical summary's entries, through the audited scope: every list, addition and change is an audit event in
/// the `clinical` category. A patient reads only their own confirmed entries.
package struct ClinicalStore {
    package let scope: AuditScope

    package init(scope: AuditScope) { self.scope = scope }

    package struct EntryDTO: Content {
        package let id: UUID
        package let patientId: UUID
        package let kind: ClinicalKind
        package let code: String?
        package let display: String
        package let status: ClinicalStatus
        package let verification: ClinicalVerification
        package let onset: String?
        package let reaction: String?
        package let severity: AllergySeverity?
        package let dose: String?
        package let source: String
        package let recordedBy: String
        package let recordedAt: Date
        package let confirmedBy: String?
        package let version: Int

        init(_ r: ClinicalEntryRecord) throws {
            id = try r.requireID()
            patientId = r.patientID
            kind = ClinicalKind(rawValue: r.kind) ?? .problem
            code = r.code
            display = r.display
            status = ClinicalStatus(rawValue: r.status) ?? .active
            verification = ClinicalVerification(rawValue: r.verification) ?? .unconfirmed
            onset = r.onset
            reaction = r.reaction
            severity = r.severity.flatMap(AllergySeverity.init(rawValue:))
            dose = r.dose
            source = r.source
            recordedBy = r.recordedBy
            recordedAt = r.recordedAt
            confirmedBy = r.confirmedBy
            version = r.version
        }
    }

    /// The summary, kind by kind, active entries first.
    package struct Summary: Content {
        package let problems: [EntryDTO]
        package let allergies: [EntryDTO]
        package let medications: [EntryDTO]
        /// Vital signs, results and smoking status, newest first.
        package let observations: [ObservationDTO]

        /// The newest of each kind that was not entered in error: the "recent vitals" line.
        package var latest: [ObservationDTO] {
            var seen: Set<ObservationKind> = []
            return observations.filter { $0.status != .enteredInError && seen.insert($0.kind).inserted }
                .sorted { order($0.kind) < order($1.kind) }
        }

        func order(_ k: ObservationKind) -> Int { ObservationKind.allCases.firstIndex(of: k) ?? 0 }
    }

    /// What a change may set: the status (resolved, stopped …) and, for a provider, the confirmation.
    package struct Change: Content {
        package var status: String?
        package var verification: String?

        package init(status: String? = nil, verification: String? = nil) {
            self.status = status
            self.verification = verification
        }
    }

    package func summary(patientID: UUID) async throws -> Summary {
        try await scope.authorize(.readClinical(patientID: patientID), patientID: patientID)
        let patientView = scope.principal.role == .patient
        return try await scope.run { tx in
            var q = ClinicalEntryRecord.query(on: tx).filter(\.$patientID == patientID)
            if patientView { q = q.filter(\.$verification == ClinicalVerification.confirmed.rawValue) }
            let rows = try await q.sort(\.$recordedAt).all().map(EntryDTO.init)
                .sorted {
                    ($0.status == .active ? 0 : 1, $0.recordedAt) < ($1.status == .active ? 0 : 1, $1.recordedAt)
                }
            let observations = try await observationRows(patientID, patientView: patientView, on: tx)
            let summary = Summary(
                problems: rows.filter { $0.kind == .problem }, allergies: rows.filter { $0.kind == .allergy },
                medications: rows.filter { $0.kind == .medication }, observations: observations)
            return (
                summary,
                [
                    AuditDraft(
                        action: .read, category: .clinical, patientID: patientID, entityType: "ClinicalSummary",
                        entityID: patientID.uuidString,
                        detail: "\(rows.count) entries, \(observations.count) observations")
                ]
            )
        }
    }

    /// A new entry. A clinician's entry is confirmed when a provider or the Medical Director records it, and waits
    /// for their confirmation otherwise (an MA's, an intake's).
    /// `fromIntake` names the intake an entry came from: it then always waits for confirmation, and an entry the
    /// summary already holds (same kind and words, active) is not added twice (nil is returned).
    @discardableResult
    package func add(patientID: UUID, _ input: ClinicalEntryInput, fromIntake: UUID? = nil) async throws
        -> EntryDTO?
    {
        let values = try await recording(patientID) { ClinicalRules.validated(input, today: $0) }
        let (confirms, source) = provenance(patientID, fromIntake: fromIntake)
        let actor = scope.principal.username, now = scope.now
        return try await scope.run { tx in
            guard try await PatientRecord.find(patientID, on: tx) != nil else {
                throw AppError.notFound("No patient with that id.")
            }
            var drafts: [AuditDraft] = []
            if fromIntake != nil {
                let same = try await ClinicalEntryRecord.query(on: tx).filter(\.$patientID == patientID)
                    .filter(\.$kind == values.kind.rawValue).filter(\.$status == ClinicalStatus.active.rawValue).all()
                if same.contains(where: {
                    $0.display.lowercased() == values.display.lowercased() || ($0.code != nil && $0.code == values.code)
                }) {
                    return (nil, [])
                }
            }
            if values.kind == .allergy {
                let active = try await ClinicalEntryRecord.query(on: tx).filter(\.$patientID == patientID)
                    .filter(\.$kind == ClinicalKind.allergy.rawValue).filter(
                        \.$status == ClinicalStatus.active.rawValue
                    )
                    .all()
                if let conflict = ClinicalRules.allergyConflict(adding: values, activeAllergies: active.map(\.values)) {
                    throw AppError.conflict(type: "allergies-recorded", detail: conflict, extra: [:])
                }
                // A recorded allergy ends "no known allergies".
                for nka in active where nka.values.isNoKnownAllergies && !values.isNoKnownAllergies {
                    nka.status = ClinicalStatus.inactive.rawValue
                    nka.updatedAt = now
                    nka.version += 1
                    try await nka.save(on: tx)
                    drafts.append(Self.audit(.update, nka, "no known allergies ended by a recorded allergy"))
                }
            }
            let r = ClinicalEntryRecord()
            r.patientID = patientID
            r.kind = values.kind.rawValue
            r.code = values.code
            r.display = values.display
            r.status = ClinicalStatus.active.rawValue
            r.verification = (confirms ? ClinicalVerification.confirmed : .unconfirmed).rawValue
            r.onset = values.onset
            r.reaction = values.reaction
            r.severity = values.severity?.rawValue
            r.dose = values.dose
            r.source = source
            r.recordedBy = actor
            r.recordedAt = now
            r.confirmedBy = confirms ? actor : nil
            r.updatedAt = now
            r.version = 1
            try await r.create(on: tx)
            drafts.append(Self.audit(.create, r, "\(values.kind.rawValue) recorded (\(r.verification))"))
            return (try EntryDTO(r), drafts)
        }
    }

    /// Resolve, stop, reactivate, or confirm an entry.
    package func change(_ id: UUID, _ change: Change) async throws -> EntryDTO {
        guard let found = try await ClinicalEntryRecord.find(id, on: scope.db) else {
            throw AppError.notFound("No such clinical entry.")
        }
        let pid = found.patientID
        try await scope.authorize(.recordClinical(patientID: pid), patientID: pid)
        var errors: [FieldError] = []
        let status = Text.clean(change.status).map { ClinicalStatus(rawValue: $0.lowercased()) }
        if status == .some(nil) { errors.append(FieldError("status", "Status must be active or inactive.")) }
        let verification = Text.clean(change.verification).map { ClinicalVerification(rawValue: $0.lowercased()) }
        if verification == .some(nil) || verification == .some(.unconfirmed) {
            errors.append(FieldError("verification", "Verification may only be set to confirmed."))
        }
        if status == nil && verification == nil && errors.isEmpty {
            errors.append(FieldError("status", "Send a status or a verification to change."))
        }
        if !errors.isEmpty { throw AppError.validation(errors) }
        if verification != nil { try await scope.authorize(.confirmClinical(patientID: pid), patientID: pid) }
        let actor = scope.principal.username, now = scope.now
        return try await scope.run { tx in
            guard let r = try await ClinicalEntryRecord.find(id, on: tx) else {
                throw AppError.notFound("No such clinical entry.")
            }
            var did: [String] = []
            if let s = status ?? nil, s.rawValue != r.status {
                r.status = s.rawValue
                did.append("status \(s.rawValue)")
            }
            if verification != nil, r.verification != ClinicalVerification.confirmed.rawValue {
                r.verification = ClinicalVerification.confirmed.rawValue
                r.confirmedBy = actor
                did.append("confirmed")
            }
            guard !did.isEmpty else { return (try EntryDTO(r), []) }
            r.updatedAt = now
            r.version += 1
            try await r.save(on: tx)
            return (try EntryDTO(r), [Self.audit(.update, r, did.joined(separator: ", "))])
        }
    }

    /// What recording anything in the clinical record starts with: the permission, then the values checked (every
    /// problem at once, as a 422).
    func recording<V>(_ patientID: UUID, _ validate: (String) -> Result<V, ValidationFailure>) async throws -> V {
        try await scope.authorize(.recordClinical(patientID: patientID), patientID: patientID)
        switch validate(CalendarDate.today(scope.now)) {
        case .failure(let f): throw AppError.validation(f.errors)
        case .success(let v): return v
        }
    }

    /// Whether what is recorded is confirmed at once (a provider's or the Medical Director's own, not from an
    /// intake), and where it came from ("clinician" or "intake:<id>").
    func provenance(_ patientID: UUID, fromIntake: UUID?) -> (confirms: Bool, source: String) {
        let confirms =
            fromIntake == nil && AccessPolicy.decide(scope.principal, .confirmClinical(patientID: patientID)).isAllowed
        return (confirms, fromIntake.map { "intake:\($0.uuidString)" } ?? "clinician")
    }

    static func audit(_ action: AuditAction, _ r: ClinicalEntryRecord, _ detail: String) -> AuditDraft {
        AuditDraft(
            action: action, category: .clinical, patientID: r.patientID, entityType: "ClinicalEntry",
            entityID: r.id?.uuidString, detail: "\(r.kind): \(detail)")
    }
}

extension Request {
    package func clinical() throws -> ClinicalStore { ClinicalStore(scope: try scope()) }
}
