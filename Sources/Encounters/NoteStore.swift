import Vapor
import Fluent
import Domain
import AppCore
import Accounts
import Locations
import Patients
import Scheduling

/// Visits and their notes through the audited scope (`notes` category): a provider or an MA starts a note from a
/// template, for one of the patient's appointments or on its own; drafts are saved as often as needed; only a provider
/// signs; a signed note never changes, addenda follow it. The patient reads their own signed notes.
package struct NoteStore {
    package let scope: AuditScope

    package init(scope: AuditScope) { self.scope = scope }

    package struct AddendumDTO: Content {
        package let id: UUID
        package let author: String
        package let authorName: String
        package let text: String
        package let createdAt: Date
    }

    /// An encounter with its note, shaped for a FHIR Encounter plus a Composition (status draft → preliminary,
    /// signed → final; addenda → amended).
    package struct EncounterDTO: Content {
        package let id: UUID
        package let patientId: UUID
        package let appointmentId: UUID?
        package let date: String
        package let templateCode: String
        package let templateVersion: Int
        package let title: String
        package let status: NoteStatus
        package let answers: [String: String]
        package let draftedBy: String
        package let signedBy: String?
        package let signedName: String?
        package let signedAt: Date?
        package let addenda: [AddendumDTO]
        package let updatedAt: Date
        package let version: Int

        init(_ r: EncounterRecord, addenda: [NoteAddendumRecord]) throws {
            id = try r.requireID()
            patientId = r.patientID
            appointmentId = r.appointmentID
            date = r.visitDate
            templateCode = r.templateCode
            templateVersion = r.templateVersion
            title = r.title
            status = r.status
            answers = r.answerMap
            draftedBy = r.draftedBy
            signedBy = r.signedBy
            signedName = r.signedName
            signedAt = r.signedAt
            self.addenda = try addenda.sorted { $0.createdAt < $1.createdAt }.map {
                AddendumDTO(
                    id: try $0.requireID(), author: $0.author, authorName: $0.authorName, text: $0.text,
                    createdAt: $0.createdAt)
            }
            updatedAt = r.updatedAt
            version = r.version
        }
    }

    package struct StartInput: Content {
        package var templateCode: String?
        package var appointmentId: String?
        /// The visit's day (YYYY-MM-DD) when there is no appointment; today if left out.
        package var date: String?

        package init(templateCode: String? = nil, appointmentId: String? = nil, date: String? = nil) {
            self.templateCode = templateCode
            self.appointmentId = appointmentId
            self.date = date
        }
    }

    package struct SaveInput: Content {
        package var answers: [String: String]?
        /// The version the writer read; a note changed since is refused (409) rather than overwritten.
        package var version: Int?

        package init(answers: [String: String]? = nil, version: Int? = nil) {
            self.answers = answers
            self.version = version
        }
    }

    package struct AddendumInput: Content {
        package var text: String?
        package init(text: String? = nil) { self.text = text }
    }

    // MARK: templates

    /// The newest version of every template.
    package static func templates(_ db: any Database) async throws -> [FormDefinition] {
        let all = try await NoteTemplateRecord.query(on: db).sort(\.$code).sort(\.$version, .descending).all()
        var seen: Set<String> = []
        return all.compactMap { r in seen.insert(r.code).inserted ? r.template : nil }
    }

    package static func template(_ code: String, version: Int? = nil, on db: any Database) async throws
        -> FormDefinition
    {
        let q = NoteTemplateRecord.query(on: db).filter(\.$code == code)
        if let v = version { q.filter(\.$version == v) }
        guard let t = try await q.sort(\.$version, .descending).first()?.template else {
            throw AppError.validation([FieldError("templateCode", "There is no note template called \(code).")])
        }
        return t
    }

    /// Adds a template, or the next version of one. Notes already started keep the version they began on.
    package func addTemplate(_ given: FormDefinition) async throws -> FormDefinition {
        try await scope.authorize(.manageNoteTemplates)
        let t = given
        var errors = t.structureErrors().map { FieldError("definition", $0) }
        if !t.code.hasPrefix("note-") { errors.append(FieldError("code", "A note template's code starts with note-.")) }
        if t.fields.contains(where: { $0.kind == .file || $0.kind == .signature || $0.mapsTo != nil }) {
            errors.append(FieldError("definition", "Note templates have no file, signature or chart-mapped fields."))
        }
        if !errors.isEmpty { throw AppError.validation(errors) }
        let by = scope.principal.username, now = scope.now
        return try await scope.run { tx in
            let newest = try await NoteTemplateRecord.query(on: tx).filter(\.$code == t.code)
                .sort(\.$version, .descending).first()
            var added = t
            added.version = (newest?.version ?? 0) + 1
            try await NoteTemplateRecord.make(added, by: by, now: now).create(on: tx)
            return (
                added,
                [
                    AuditDraft(
                        action: .create, category: .notes, entityType: "NoteTemplate", entityID: added.code,
                        detail: "version \(added.version)")
                ]
            )
        }
    }

    // MARK: reading

    /// The patient's visits with notes, newest first (the patient: signed ones only).
    package func list(patientID: UUID) async throws -> [EncounterDTO] {
        try await scope.authorize(.readNotes(patientID: patientID), patientID: patientID)
        let patientView = scope.principal.role == .patient
        return try await scope.run { tx in
            var q = EncounterRecord.query(on: tx).filter(\.$patientID == patientID)
            if patientView { q = q.filter(\.$status == .signed) }
            let rows = try await q.sort(\.$visitDate, .descending).sort(\.$createdAt, .descending).limit(200).all()
            let out = try await Self.dtos(rows, on: tx)
            return (
                out,
                [
                    AuditDraft(
                        action: .query, category: .notes, patientID: patientID, entityType: "Encounter",
                        detail: "\(out.count) visit notes listed")
                ]
            )
        }
    }

    /// One note with the template version it was written on. A patient reaches only their own signed notes; another
    /// patient's note and a draft answer "no such note" alike.
    package func find(_ id: UUID) async throws -> (EncounterDTO, FormDefinition) {
        guard let r = try await EncounterRecord.find(id, on: scope.db) else { throw AppError.notFound("No such note.") }
        try await scope.authorize(.readNotes(patientID: r.patientID), patientID: r.patientID)
        if scope.principal.role == .patient && r.status != .signed { throw AppError.notFound("No such note.") }
        let template = try await Self.template(r.templateCode, version: r.templateVersion, on: scope.db)
        let dto = try await scope.run { tx in
            let cur = try await EncounterRecord.find(id, on: tx) ?? r
            return (
                try await Self.dtos([cur], on: tx)[0],
                [
                    AuditDraft(
                        action: .read, category: .notes, patientID: r.patientID, entityType: "Encounter",
                        entityID: id.uuidString, detail: "\(r.templateCode) (\(cur.status.rawValue))")
                ]
            )
        }
        return (dto, template)
    }

    static func dtos(_ rows: [EncounterRecord], on db: any Database) async throws -> [EncounterDTO] {
        let ids = try rows.map { try $0.requireID() }
        let addenda =
            ids.isEmpty ? [] : try await NoteAddendumRecord.query(on: db).filter(\.$encounterID ~~ ids).all()
        let byEncounter = Dictionary(grouping: addenda, by: \.encounterID)
        return try rows.map { try EncounterDTO($0, addenda: byEncounter[try $0.requireID()] ?? []) }
    }

    // MARK: writing

    /// Starts a draft note. For an appointment: it must be this patient's, and it gets one note (a second start
    /// answers 409 naming the note that exists).
    package func start(patientID: UUID, _ input: StartInput) async throws -> EncounterDTO {
        try await scope.authorize(.draftNote(patientID: patientID), patientID: patientID)
        let code = Text.clean(input.templateCode) ?? ""
        guard !code.isEmpty else {
            throw AppError.validation([FieldError("templateCode", "Choose a note template.")])
        }
        let template = try await Self.template(code, on: scope.db)
        var appointmentID: UUID?
        var date: String?
        var errors: [FieldError] = []
        if let raw = Text.clean(input.appointmentId) {
            if let id = UUID(uuidString: raw), let a = try await AppointmentRecord.find(id, on: scope.db),
                a.patientID == patientID
            {
                appointmentID = id
                let zone =
                    try await LocationRecord.find(a.locationID, on: scope.db)
                    .flatMap { TimeZone(identifier: $0.timeZone) } ?? TimeZone(identifier: "UTC")!
                date = LocalDay.of(a.startAt, in: zone).iso
            } else {
                errors.append(FieldError("appointmentId", "That appointment is not one of this patient's."))
            }
        }
        let zone = try await LocationRecord.homeZone(on: scope.db)
        let today = LocalDay.of(scope.now, in: zone).iso
        if appointmentID == nil, let raw = Text.clean(input.date) {
            if let d = CalendarDate.parse(raw), d.iso <= today {
                date = d.iso
            } else {
                errors.append(FieldError("date", "Give the visit's day as YYYY-MM-DD, today or earlier."))
            }
        }
        if !errors.isEmpty { throw AppError.validation(errors) }
        let visitDate = date ?? today
        let forAppointment = appointmentID
        let by = scope.principal.username, now = scope.now
        return try await scope.run { tx in
            guard try await PatientRecord.find(patientID, on: tx) != nil else {
                throw AppError.notFound("No patient with that id.")
            }
            if let a = forAppointment,
                let existing = try await EncounterRecord.query(on: tx).filter(\.$appointmentID == a).first()
            {
                throw AppError.conflict(
                    type: "note-exists", detail: "This appointment already has a note.",
                    extra: ["encounterId": try existing.requireID().uuidString])
            }
            let r = EncounterRecord()
            r.id = UUID()
            r.createdAt = now
            r.updatedAt = now
            r.version = 1
            r.visitDate = visitDate
            r.templateCode = template.code
            r.templateVersion = template.version
            r.title = template.title
            r.answers = "{}"
            r.status = .draft
            r.draftedBy = by
            r.patientID = patientID
            r.appointmentID = forAppointment
            try await r.create(on: tx)
            return (try EncounterDTO(r, addenda: []), [Self.audit(.create, r, "draft started")])
        }
    }

    /// Saves a draft's answers (what is filled in is checked; required fields wait for signing).
    package func save(_ id: UUID, _ input: SaveInput) async throws -> EncounterDTO {
        try await write(id, input, signing: false)
    }

    /// Signs the note: every required field answered, by a provider or the Medical Director, whose name is kept.
    package func sign(_ id: UUID, _ input: SaveInput) async throws -> EncounterDTO {
        try await write(id, input, signing: true)
    }

    func write(_ id: UUID, _ input: SaveInput, signing: Bool) async throws -> EncounterDTO {
        guard let found = try await EncounterRecord.find(id, on: scope.db) else {
            throw AppError.notFound("No such note.")
        }
        let pid = found.patientID
        try await scope.authorize(.draftNote(patientID: pid), patientID: pid)
        if signing { try await scope.authorize(.signNote(patientID: pid), patientID: pid) }
        if let refusal = NoteRules.editRefusal(found.status) {
            throw AppError.conflict(type: "note-signed", detail: refusal, extra: [:])
        }
        let template = try await Self.template(found.templateCode, version: found.templateVersion, on: scope.db)
        var answers = found.answerMap
        if let given = input.answers {
            answers = [:]
            for f in template.fields { if let v = Text.clean(given[f.id]) { answers[f.id] = v } }
        }
        let errors = NoteRules.check(
            answers, template: template, signing: signing, today: CalendarDate.today(scope.now))
        if !errors.isEmpty { throw AppError.validation(errors) }
        let json = String(decoding: try JSONEncoder().encode(answers), as: UTF8.self)
        let signer: String? = signing ? try await displayName() : nil
        let count = answers.count
        let by = scope.principal.username, now = scope.now
        return try await scope.run { tx in
            guard let r = try await EncounterRecord.find(id, on: tx) else { throw AppError.notFound("No such note.") }
            if let refusal = NoteRules.editRefusal(r.status) {
                throw AppError.conflict(type: "note-signed", detail: refusal, extra: [:])
            }
            if let v = input.version, v != r.version {
                throw AppError.conflict(
                    type: "version-conflict",
                    detail: "Someone else saved this note meanwhile (version \(r.version)); reload it and try again.",
                    extra: ["currentVersion": String(r.version)])
            }
            r.answers = json
            r.updatedAt = now
            r.version += 1
            if signing {
                r.status = .signed
                r.signedBy = by
                r.signedName = signer
                r.signedAt = now
            }
            try await r.save(on: tx)
            let addenda = try await NoteAddendumRecord.query(on: tx).filter(\.$encounterID == id).all()
            return (
                try EncounterDTO(r, addenda: addenda),
                [Self.audit(.update, r, signing ? "signed" : "draft saved (\(count) answers)")]
            )
        }
    }

    /// Adds an addendum to a signed note (a draft is simply edited).
    package func addAddendum(_ id: UUID, _ input: AddendumInput) async throws -> EncounterDTO {
        guard let found = try await EncounterRecord.find(id, on: scope.db) else {
            throw AppError.notFound("No such note.")
        }
        try await scope.authorize(.draftNote(patientID: found.patientID), patientID: found.patientID)
        let text: String
        switch NoteRules.addendum(input.text) {
        case .failure(let f): throw AppError.validation(f.errors)
        case .success(let t): text = t
        }
        let name = try await displayName()
        let by = scope.principal.username, now = scope.now
        return try await scope.run { tx in
            guard let r = try await EncounterRecord.find(id, on: tx) else { throw AppError.notFound("No such note.") }
            guard r.status == .signed else {
                throw AppError.conflict(
                    type: "note-draft", detail: "This note is still a draft: change it directly, then sign it.",
                    extra: [:])
            }
            let a = NoteAddendumRecord()
            a.id = UUID()
            a.createdAt = now
            a.author = by
            a.authorName = name
            a.text = text
            a.encounterID = id
            try await a.create(on: tx)
            let addenda = try await NoteAddendumRecord.query(on: tx).filter(\.$encounterID == id).all()
            return (try EncounterDTO(r, addenda: addenda), [Self.audit(.create, r, "addendum added")])
        }
    }

    /// The signed-in person's name as the practice knows it (for signatures), or their username.
    func displayName() async throws -> String {
        guard let id = scope.principal.userID, let u = try await UserRecord.find(id, on: scope.db) else {
            return scope.principal.username
        }
        return u.displayName
    }

    static func audit(_ action: AuditAction, _ r: EncounterRecord, _ detail: String) -> AuditDraft {
        AuditDraft(
            action: action, category: .notes, patientID: r.patientID, entityType: "Encounter",
            entityID: r.id?.uuidString, detail: "\(r.templateCode): \(detail)")
    }
}

extension Request {
    package func notes() throws -> NoteStore { NoteStore(scope: try scope()) }
}
