import Vapor
import Fluent
import Domain
import AppCore
import Locations
import Patients
import Photos
import Scheduling

/// Visit notes: the API, the chart's section and the note page, the portal's signed notes. Thin over `NoteStore`.
package enum EncounterController {
    // MARK: API

    @Sendable package static func templatesAPI(req: Request) async throws -> [FormDefinition] {
        try await req.scope().authorize(.readNoteTemplates)
        return try await NoteStore.templates(req.db)
    }

    @Sendable package static func listAPI(req: Request) async throws -> [NoteStore.EncounterDTO] {
        try await req.notes().list(patientID: try req.idParameter("patient"))
    }

    @Sendable package static func startAPI(req: Request) async throws -> Response {
        let note = try await req.notes().start(
            patientID: try req.idParameter("patient"), try req.decodeJSON(NoteStore.StartInput.self))
        return try await note.encodeResponse(status: .created, for: req)
    }

    @Sendable package static func findAPI(req: Request) async throws -> NoteStore.EncounterDTO {
        try await req.notes().find(try req.idParameter("note")).0
    }

    @Sendable package static func saveAPI(req: Request) async throws -> NoteStore.EncounterDTO {
        try await req.notes().save(try req.idParameter("note"), try req.decodeJSON(NoteStore.SaveInput.self))
    }

    @Sendable package static func signAPI(req: Request) async throws -> NoteStore.EncounterDTO {
        let body = req.body.data == nil ? NoteStore.SaveInput() : try req.decodeJSON(NoteStore.SaveInput.self)
        return try await req.notes().sign(try req.idParameter("note"), body)
    }

    @Sendable package static func addendumAPI(req: Request) async throws -> Response {
        let note = try await req.notes().addAddendum(
            try req.idParameter("note"), try req.decodeJSON(NoteStore.AddendumInput.self))
        return try await note.encodeResponse(status: .created, for: req)
    }

    // MARK: pages

    /// The chart's "start a visit note": to the new note, or the chart again with the form's problems (a second
    /// note for the same appointment goes to the one that exists).
    @Sendable package static func startFromChart(req: Request) async throws -> Response {
        let pid = try req.idParameter("patient")
        do {
            let note = try await req.notes().start(patientID: pid, try req.content.decode(NoteStore.StartInput.self))
            return req.redirect(to: Site.encounter.path(note.id))
        } catch let e as AppError {
            if case .conflict(_, _, let extra) = e, let id = extra["encounterId"].flatMap(UUID.init(uuidString:)) {
                return req.redirect(to: Site.encounter.path(id) + "?existing=1")
            }
            guard case .forbidden = e else {
                return try await req.application.chartPage(
                    req, pid, ChartFormErrors(note: e.fieldErrors(otherwise: "templateCode")), e.status)
            }
            throw e
        }
    }

    @Sendable package static func page(req: Request) async throws -> Response {
        let (note, template) = try await req.notes().find(try req.idParameter("note"))
        var notice: String?
        if req.query[String.self, at: "existing"] != nil { notice = "This appointment already has a note: here it is." }
        if req.query[String.self, at: "saved"] != nil { notice = "Draft saved." }
        if req.query[String.self, at: "signed"] != nil { notice = "Note signed. It can no longer change." }
        return try await render(req, note, template, notice: notice)
    }

    static func render(
        _ req: Request, _ note: NoteStore.EncounterDTO, _ template: FormDefinition, notice: String? = nil,
        errors: [FieldError] = [], answers: [String: String]? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let principal = try req.principal()
        let patient = try await req.patients().find(note.patientId)
        var page = NotePage(
            note: note, template: template, patientName: "\(patient.familyName), \(patient.givenName)",
            canDraft: AccessPolicy.decide(principal, .draftNote(patientID: note.patientId)).isAllowed,
            canSign: AccessPolicy.decide(principal, .signNote(patientID: note.patientId)).isAllowed)
        page.notice = notice
        page.errors = errors
        page.answers = answers
        page.zone = try await LocationRecord.homeZone(on: req.db)
        if template.code == NoteTemplates.woundCheck.code,
            AccessPolicy.decide(principal, .readPhotos(patientID: note.patientId)).isAllowed
        {
            let wounds = try await req.photos().wounds(patientID: note.patientId)
            page.photos = wounds.flatMap(\.photos).filter { p in
                note.appointmentId.map { p.appointmentId == $0 } == true
                    || LocalDay.of(p.uploadedAt, in: page.zone).iso == note.date
            }
            page.woundNames = Dictionary(
                uniqueKeysWithValues: wounds.map { ($0.id, "\($0.side) \($0.bodySite)") })
        }
        return Layout.render(page.render(for: req), status: status)
    }

    /// The note form's buttons: save the draft, or sign it. Refused answers come back on the form, as typed.
    @Sendable package static func saveFromPage(req: Request) async throws -> Response {
        let id = try req.idParameter("note")
        let (note, template) = try await req.notes().find(id)
        let answers = FormAnswers.decode(req, fields: template.fields)
        let signing = (try? req.content.get(String.self, at: "_action")) == "sign"
        let input = NoteStore.SaveInput(answers: answers, version: try? req.content.get(Int.self, at: "version"))
        do {
            _ = signing ? try await req.notes().sign(id, input) : try await req.notes().save(id, input)
            return req.redirect(to: Site.encounter.path(id) + (signing ? "?signed=1" : "?saved=1"))
        } catch let e as AppError {
            guard case .forbidden = e else {
                return try await render(
                    req, note, template, errors: e.fieldErrors(otherwise: "_action"), answers: answers,
                    status: e.status)
            }
            throw e
        }
    }

    @Sendable package static func addendumFromPage(req: Request) async throws -> Response {
        let id = try req.idParameter("note")
        do {
            _ = try await req.notes().addAddendum(id, try req.content.decode(NoteStore.AddendumInput.self))
            return req.redirect(to: Site.encounter.path(id) + "#addenda")
        } catch let e as AppError {
            guard case .forbidden = e else {
                let (note, template) = try await req.notes().find(id)
                return try await render(req, note, template, errors: e.fieldErrors(otherwise: "text"), status: e.status)
            }
            throw e
        }
    }

    // MARK: portal

    @Sendable package static func portalList(req: Request) async throws -> Response {
        let notes = try await req.notes().list(patientID: try req.portalPatientID())
        return Layout.render(PortalNotesPage(notes: notes).render(for: req))
    }

    @Sendable package static func portalNote(req: Request) async throws -> Response {
        let (note, template) = try await req.notes().find(try req.idParameter("note"))
        return Layout.render(
            PortalNotePage(note: note, template: template, zone: try await LocationRecord.homeZone(on: req.db))
                .render(for: req))
    }

    // MARK: the chart's section

    enum ListWindow {
        static func around(_ now: Date, days: Double) -> (Date, Date) {
            (now.addingTimeInterval(-days * 86400), now.addingTimeInterval(days * 86400))
        }
    }

    /// What the chart shows under "Visits and notes" (nil for a role that does not read notes).
    package static func chartSection(_ req: Request, patientID: UUID, errors: [FieldError]) async throws
        -> NotesChartSection?
    {
        let principal = try req.principal()
        guard AccessPolicy.decide(principal, .readNotes(patientID: patientID)).isAllowed else { return nil }
        let notes = try await req.notes().list(patientID: patientID)
        var lines: [NotesChartSection.AppointmentLine] = []
        if AccessPolicy.decide(principal, .readAppointments(patientID: patientID)).isAllowed {
            let now = req.application.clock.now()
            let dir = try await ScheduleDirectory.load(req.db)
            let window = ListWindow.around(now, days: 31)
            let listed = try await req.scheduling().list(.init(patientID: patientID, from: window.0, to: window.1))
            let byAppointment = Dictionary(
                notes.compactMap { n in n.appointmentId.map { ($0, n.id) } }, uniquingKeysWith: { a, _ in a })
            lines = listed.map(\.appointment).map { a in
                NotesChartSection.AppointmentLine(
                    id: a.id,
                    when: Format.local(a.start, zone: dir.zone(a.locationId), now: now),
                    what: "\(dir.typeName(a.typeId)) with \(dir.providerName(a.providerId))"
                        + (dir.location(a.locationId).map { " at \($0.name)" } ?? ""),
                    status: a.status.rawValue, noteID: byAppointment[a.id], past: a.start < now)
            }
        }
        return NotesChartSection(
            notes: notes, appointments: lines, templates: try await NoteStore.templates(req.db),
            canDraft: AccessPolicy.decide(principal, .draftNote(patientID: patientID)).isAllowed, errors: errors)
    }
}
