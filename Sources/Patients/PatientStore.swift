import Vapor
import Fluent
import Domain
import AppCore
import Locations

/// The one path to patient records: scoped to a principal, checked against the access policy,
/// and audited in the same transaction as the read or change.
package struct PatientStore {
    package let scope: AuditScope
    package static let maxResults = 50

    package struct SearchCriteria: Sendable {
        package var text: String?
        package var name: String?
        package var birthDate: String?
        package var mrn: String?
        package var limit: Int = 20
        package var isEmpty: Bool { [text, name, birthDate, mrn].allSatisfy { Text.clean($0) == nil } }

        package init(
            text: String? = nil, name: String? = nil, birthDate: String? = nil, mrn: String? = nil, limit: Int = 20
        ) {
            self.text = text
            self.name = name
            self.birthDate = birthDate
            self.mrn = mrn
            self.limit = limit
        }
    }

    /// Search by name (each word a prefix of the family or given name), date of birth or MRN; `text` guesses which.
    /// Each returned patient gets a `query` audit event: the record was shown to this user.
    package func search(_ c: SearchCriteria) async throws -> [PatientDTO] {
        try await scope.authorize(.searchPatients)
        var name = Text.clean(c.name), birth = Text.clean(c.birthDate), mrn = Text.clean(c.mrn)
        if let t = Text.clean(c.text) {
            if let d = CalendarDate.parse(t) {
                birth = d.iso
            } else if t.uppercased().hasPrefix(scope.app.config.mrnPrefix),
                t.dropFirst(scope.app.config.mrnPrefix.count).allSatisfy(\.isNumber)
            {
                mrn = t.uppercased()
            } else {
                name = t
            }
        }
        if let b = birth, CalendarDate.parse(b) == nil {
            throw AppError.validation([FieldError("birthDate", "Date of birth must be a real date written YYYY-MM-DD.")]
            )
        }
        let limit = max(1, min(c.limit, Self.maxResults))
        let params = [name.map { _ in "name" }, birth.map { _ in "birthDate" }, mrn.map { _ in "mrn" }].compactMap {
            $0
        }
        let (name_, birth_, mrn_) = (name, birth, mrn)
        return try await scope.run { tx in
            let (name, birth, mrn) = (name_, birth_, mrn_)
            let q = PatientRecord.query(on: tx).filter(\.$retiredAt == nil)
            if let m = mrn { q.filter(\.$mrn == m) }
            if let b = birth { q.filter(\.$birthDate == b) }
            if let n = name {
                let words = Text.normalizedName(n).split(separator: " ").map {
                    String($0.filter { $0.isLetter || $0 == "'" || $0 == "-" })
                }.filter { !$0.isEmpty }
                for w in words.prefix(4) {
                    q.group(.or) { g in
                        g.filter(\.$familyNorm =~ w)
                        g.filter(\.$givenNorm =~ w)
                    }
                }
            }
            let rows = try await q.sort(\.$updatedAt, .descending).limit(limit).all()
            let drafts = rows.map {
                AuditDraft(
                    action: .query, category: .demographics, patientID: $0.id, entityType: "Patient",
                    entityID: $0.id?.uuidString,
                    detail: params.isEmpty ? "listed (recent)" : "search by \(params.joined(separator: ","))")
            }
            return (try rows.map { try PatientDTO($0) }, drafts)
        }
    }

    /// Reads one record. `action` is .read, .print or .export, so the trail says what was done with it.
    package func find(_ id: UUID, as action: AuditAction = .read, detail: String = "") async throws -> PatientDTO {
        let policyAction: Domain.Action =
            switch action {
            case .print: .printPatient(id)
            case .export: .exportPatient(id)
            default: .readPatient(id)
            }
        try await scope.authorize(policyAction, patientID: id)
        return try await scope.run { tx in
            guard let p = try await PatientRecord.find(id, on: tx) else {
                throw AppError.notFound("No patient with that id.")
            }
            return (
                try PatientDTO(p),
                [
                    AuditDraft(
                        action: action, category: .demographics, patientID: id, entityType: "Patient",
                        entityID: id.uuidString, detail: detail)
                ]
            )
        }
    }

    /// Registers a patient with the next MRN. A same-name-and-birth-date match is refused as a possible duplicate
    /// (409, naming the existing MRNs) unless the caller acknowledges it. Outside production (`CARESYNC_ENV`) every
    /// patient registered is marked synthetic: staging and development hold made-up patients only.
    package func create(_ input: PatientInput, acknowledgeDuplicate: Bool, synthetic: Bool = false) async throws -> (
        PatientDTO, [String]
    ) {
        try await scope.authorize(.createPatient)
        let today = CalendarDate.today(scope.now)
        let demo: PatientDemographics
        switch PatientRules.validated(input, today: today) {
        case .failure(let f): throw AppError.validation(f.errors)
        case .success(let d): demo = d
        }
        try await checkLocation(demo.preferredLocationID)
        let now = scope.now
        let actorName = scope.principal.username
        let markSynthetic = synthetic || !scope.app.config.environment.holdsRealPatients
        return try await scope.run { tx in
            let key = PatientRules.duplicateKey(
                familyName: demo.familyName, givenName: demo.givenName, birthDate: demo.birthDate)
            let dups = try await PatientRecord.query(on: tx).filter(\.$duplicateKey == key).filter(\.$retiredAt == nil)
                .all().map(\.mrn)
            if !dups.isEmpty && !acknowledgeDuplicate {
                throw AppError.conflict(
                    type: "possible-duplicate",
                    detail:
                        "A patient with the same name and date of birth is already registered "
                        + "(\(dups.joined(separator: ", "))). Check the existing record, or confirm this is a "
                        + "different person.",
                    extra: ["existingMrns": dups.joined(separator: ",")])
            }
            guard let practice = try await PracticeRecord.query(on: tx).first() else {
                throw AppError.notFound("The practice is not set up; run caresync migrate.")
            }
            let mrn = MRN.make(prefix: practice.mrnPrefix, sequence: practice.mrnNext)
            practice.mrnNext += 1
            try await practice.save(on: tx)

            let p = PatientRecord()
            p.id = UUID()
            p.mrn = mrn
            p.apply(demo)
            p.synthetic = markSynthetic
            p.version = 1
            p.createdAt = now
            p.updatedAt = now
            try await p.create(on: tx)
            try await Self.saveVersion(p, demo: demo, changed: ["registered"], by: actorName, at: now, on: tx)
            var detail = "registered"
            if !dups.isEmpty { detail += "; possible duplicate of \(dups.count) record(s) acknowledged" }
            return (
                (try PatientDTO(p), dups),
                [
                    AuditDraft(
                        action: .create, category: .demographics, patientID: p.id, entityType: "Patient",
                        entityID: p.id?.uuidString, detail: detail)
                ]
            )
        }
    }

    /// Applies changes; `expectedVersion` (from If-Match or the form) must be the current version.
    package func update(_ id: UUID, _ input: PatientInput, expectedVersion: Int?) async throws -> PatientDTO {
        try await change(id, input, expectedVersion: expectedVersion, as: .updatePatient(id))
    }

    /// The portal's language switch (and staff's setting): a change of the record like any other, versioned and
    /// audited, that the patient may make to their own record.
    package func setLanguage(_ id: UUID, _ language: PatientLanguage) async throws -> PatientDTO {
        try await change(
            id, PatientInput(preferredLanguage: language.rawValue), expectedVersion: nil,
            as: .chooseLanguage(patientID: id))
    }

    /// The language a patient's own pages and messages are written in. Not a disclosure (it goes back to the patient
    /// only), so not an audited read, as a notice's address is not.
    package static func language(of id: UUID, on db: any Database) async throws -> PatientLanguage? {
        try await PatientRecord.find(id, on: db)?.preferredLanguage.flatMap(PatientLanguage.init(rawValue:))
    }

    private func change(_ id: UUID, _ input: PatientInput, expectedVersion: Int?, as action: Action) async throws
        -> PatientDTO
    {
        try await scope.authorize(action, patientID: id)
        let now = scope.now
        let actorName = scope.principal.username
        let today = CalendarDate.today(now)
        if input.preferredLocationID != nil { try await checkLocation(input.preferredLocationID) }
        return try await scope.run { tx in
            guard let p = try await PatientRecord.find(id, on: tx) else {
                throw AppError.notFound("No patient with that id.")
            }
            if p.retiredAt != nil {
                throw AppError.conflict(
                    type: "retired", detail: "This record was retired and cannot be changed.", extra: [:])
            }
            if let v = expectedVersion, v != p.version {
                throw AppError.preconditionFailed(
                    "Someone else changed this record (now version \(p.version), you edited version \(v)). Reload "
                        + "it and apply your change again."
                )
            }
            let old = p.demographics
            let new: PatientDemographics
            switch PatientRules.validated(input, over: old, today: today) {
            case .failure(let f): throw AppError.validation(f.errors)
            case .success(let d): new = d
            }
            let changed = new.changedFields(from: old)
            guard !changed.isEmpty else { return (try PatientDTO(p), []) }
            p.apply(new)
            p.version += 1
            p.updatedAt = now
            try await p.save(on: tx)
            try await Self.saveVersion(p, demo: new, changed: changed, by: actorName, at: now, on: tx)
            let drafts = PatientDemographics.categories(of: changed).sorted { $0.rawValue < $1.rawValue }.map { cat in
                AuditDraft(
                    action: .update, category: cat, patientID: id, entityType: "Patient", entityID: id.uuidString,
                    detail: "v\(p.version - 1)→v\(p.version): "
                        + changed.filter { PatientDemographics.categories(of: [$0]).contains(cat) }.joined(
                            separator: ","))
            }
            return (try PatientDTO(p), drafts)
        }
    }

    package func history(_ id: UUID) async throws -> [PatientVersionDTO] {
        try await scope.authorize(.readPatient(id), patientID: id)
        return try await scope.run { tx in
            guard try await PatientRecord.find(id, on: tx) != nil else {
                throw AppError.notFound("No patient with that id.")
            }
            let rows = try await PatientVersionRecord.query(on: tx).filter(\.$patientID == id).sort(
                \.$version, .descending
            ).all()
            return (
                rows.map(PatientVersionDTO.init),
                [
                    AuditDraft(
                        action: .read, category: .demographics, patientID: id, entityType: "PatientHistory",
                        entityID: id.uuidString,
                        detail: "\(rows.count) versions")
                ]
            )
        }
    }

    /// The record and its whole history for a download; one `export` audit event.
    package func export(_ id: UUID) async throws -> (PatientDTO, [PatientVersionDTO]) {
        try await scope.authorize(.exportPatient(id), patientID: id)
        return try await scope.run { tx in
            guard let p = try await PatientRecord.find(id, on: tx) else {
                throw AppError.notFound("No patient with that id.")
            }
            let versions = try await PatientVersionRecord.query(on: tx).filter(\.$patientID == id).sort(
                \.$version, .ascending
            ).all()
            return (
                (try PatientDTO(p), versions.map(PatientVersionDTO.init)),
                [
                    AuditDraft(
                        action: .export, category: .demographics, patientID: id, entityType: "Patient",
                        entityID: id.uuidString, detail: "JSON export with \(versions.count) versions")
                ]
            )
        }
    }

    /// Retires (soft-deletes) a record: it leaves search but keeps its history and audit trail.
    package func retire(_ id: UUID) async throws {
        try await scope.authorize(.deletePatient(id), patientID: id)
        let now = scope.now
        try await scope.run { tx in
            guard let p = try await PatientRecord.find(id, on: tx) else {
                throw AppError.notFound("No patient with that id.")
            }
            guard p.retiredAt == nil else { return ((), []) }
            p.retiredAt = now
            p.updatedAt = now
            p.version += 1
            try await p.save(on: tx)
            return (
                (),
                [
                    AuditDraft(
                        action: .delete, category: .demographics, patientID: id, entityType: "Patient",
                        entityID: id.uuidString, detail: "retired")
                ]
            )
        }
    }

    /// "Who looked at my record": every access to the patient's data by someone else.
    package func accessLog(_ id: UUID) async throws -> [AccessLogEntryDTO] {
        try await scope.authorize(.readPatientAccessLog(id), patientID: id)
        let me = scope.principal.userID
        return try await scope.run { tx in
            let rows = try await AuditQueries.accessLog(patientID: id, excludingUser: me, on: tx)
            return (
                rows.map(AccessLogEntryDTO.init),
                [
                    AuditDraft(
                        action: .read, category: .accessLog, patientID: id, entityType: "AccessLog",
                        entityID: id.uuidString,
                        detail: "\(rows.count) entries")
                ]
            )
        }
    }

    private func checkLocation(_ id: UUID?) async throws {
        guard let id else { return }
        if try await LocationRecord.find(id, on: scope.db) == nil {
            throw AppError.validation([
                FieldError("preferredLocationID", "Preferred location is not one of the practice's locations.")
            ])
        }
    }

    package static func saveVersion(
        _ p: PatientRecord, demo: PatientDemographics, changed: [String], by: String, at: Date, on tx: any Database
    ) async throws {
        let v = PatientVersionRecord()
        v.patientID = try p.requireID()
        v.version = p.version
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        v.snapshot = String(decoding: try enc.encode(demo), as: UTF8.self)
        v.changedFields = changed.joined(separator: ",")
        v.changedBy = by
        v.changedAt = at
        try await v.create(on: tx)
    }

    package init(scope: AuditScope) {
        self.scope = scope
    }
}

extension Request {
    package func patients() throws -> PatientStore { PatientStore(scope: try scope()) }
}
