import Vapor
import Plot
import Domain
import AppCore
import Photos

/// "Visits and notes" on the chart: each visit's note (draft or signed, by whom), the patient's recent and coming
/// appointments, and the form that starts a note from a template.
package struct NotesChartSection {
    package struct AppointmentLine: Sendable {
        package let id: UUID
        package let when: String
        package let what: String
        package let status: String
        package let noteID: UUID?
        package let past: Bool

        package init(id: UUID, when: String, what: String, status: String, noteID: UUID?, past: Bool) {
            self.id = id
            self.when = when
            self.what = what
            self.status = status
            self.noteID = noteID
            self.past = past
        }
    }

    package let notes: [NoteStore.EncounterDTO]
    package let appointments: [AppointmentLine]
    package let templates: [FormDefinition]
    package let canDraft: Bool
    package var errors: [FieldError] = []

    package init(
        notes: [NoteStore.EncounterDTO], appointments: [AppointmentLine], templates: [FormDefinition],
        canDraft: Bool, errors: [FieldError] = []
    ) {
        self.notes = notes
        self.appointments = appointments
        self.templates = templates
        self.canDraft = canDraft
        self.errors = errors
    }

    package func render(_ req: Request, patientID: UUID) -> Node<HTML.BodyContext> {
        let upcoming = appointments.filter { !$0.past }
        let past = appointments.filter { $0.past }
        return .div(
            .class("card"), .id("visits"),
            .h2(.text("Visits and notes")),
            FormKit.errorSummary(errors),
            .if(notes.isEmpty, .p(.small(.text("No visit notes yet.")))),
            .ul(
                .class("plain"), .id("note-list"),
                .forEach(notes) { n in
                    .li(
                        .class("note-line"), .attribute(named: "data-status", value: n.status.rawValue),
                        .a(.href(Site.encounter.path(n.id)), .text("\(n.date) · \(n.title)")),
                        n.status == .signed
                            ? .span(.class("badge"), .text("signed by \(n.signedName ?? n.signedBy ?? "")"))
                            : .span(.class("badge warn"), .text("draft")),
                        .if(!n.addenda.isEmpty, .span(.class("badge"), .text("\(n.addenda.count) addenda"))))
                }),
            .if(
                !upcoming.isEmpty,
                .group(
                    .h3(.text("Coming appointments")),
                    .ul(.class("plain"), .id("upcoming-appointments"), .forEach(upcoming) { line($0) }))),
            .if(
                !past.isEmpty,
                .group(
                    .h3(.text("Recent appointments")),
                    .ul(.class("plain"), .id("past-appointments"), .forEach(past) { line($0) }))),
            .if(canDraft && !templates.isEmpty, startForm(req, patientID: patientID)))
    }

    func line(_ a: AppointmentLine) -> Node<HTML.ListContext> {
        .li(
            .text("\(a.when) · \(a.what) · \(a.status)"),
            .unwrap(a.noteID) { .group(.text(" · "), .a(.href(Site.encounter.path($0)), .text("note"))) })
    }

    func startForm(_ req: Request, patientID: UUID) -> Node<HTML.BodyContext> {
        let choosable = appointments.filter { $0.noteID == nil }
        return .details(
            .class("menu noprint"), .id("start-note"), .attribute(named: "open", value: errors.isEmpty ? nil : ""),
            .summary(.text("Start a visit note")),
            .form(
                .action(Site.patientEncounters.path(patientID)), .method(.post),
                .div(
                    FormKit.csrf(req),
                    FormKit.select(
                        "Template", name: "templateCode", options: templates.map { ($0.code, $0.title) },
                        selected: nil, errors: errors),
                    FormKit.select(
                        "For the appointment", name: "appointmentId",
                        options: [("", "No appointment (give the day below)")]
                            + choosable.map { ($0.id.uuidString, "\($0.when) · \($0.what)") },
                        selected: choosable.first { $0.past }?.id.uuidString, errors: errors),
                    FormKit.field(
                        "Visit day", name: "date", type: .date, errors: errors, hint: "Today if left empty",
                        id: "note-date"),
                    .button(.type(.submit), .id("start-note-submit"), .text("Start the note")))))
    }
}

/// One visit note: the template's SOAP sections as a form while it is a draft, read-only once signed, with the
/// signature and the addenda; a wound check shows the visit's photos and measurements beside it.
package struct NotePage {
    package let note: NoteStore.EncounterDTO
    package let template: FormDefinition
    package let patientName: String
    package let canDraft: Bool
    package let canSign: Bool
    package var photos: [PhotoStore.PhotoDTO] = []
    package var woundNames: [UUID: String] = [:]
    package var errors: [FieldError] = []
    /// The answers to show in the form (what was posted, when it was refused).
    package var answers: [String: String]?
    package var notice: String?
    package var zone = TimeZone(identifier: "UTC")!

    package init(
        note: NoteStore.EncounterDTO, template: FormDefinition, patientName: String, canDraft: Bool, canSign: Bool
    ) {
        self.note = note
        self.template = template
        self.patientName = patientName
        self.canDraft = canDraft
        self.canSign = canSign
    }

    package func render(for req: Request) -> String {
        let editable = note.status == .draft && canDraft
        return Layout.page(
            "Visit note", req: req,
            .div(
                .p(.a(.href(Site.patient.path(note.patientId) + "#visits"), .text("← \(patientName)"))),
                .unwrap(notice) { .p(.class("notice"), .id("note-notice"), .text($0)) },
                .h1(.text(note.title)),
                .p(
                    .id("note-meta"), .text("\(patientName) · visit on \(note.date) · "),
                    note.status == .signed
                        ? .span(.class("badge"), .id("note-status"), .text("signed"))
                        : .span(.class("badge warn"), .id("note-status"), .text("draft"))),
                .if(!photos.isEmpty, photoPanel()),
                editable
                    ? form(req)
                    : .div(.class("card"), .id("note-body"), NoteBody(note: note, template: template).render()),
                .if(note.status == .signed, signature(zone)),
                addenda(req)))
    }

    func form(_ req: Request) -> Node<HTML.BodyContext> {
        let shown = answers ?? note.answers
        let fields = FormFieldView(answers: shown, errors: errors)
        let risk = template.code == NoteTemplates.diabeticFoot.code ? DiabeticFootRisk.suggested(shown) : nil
        return .div(
            .class("card"), .id("note-form"),
            .p(.small(.text(template.intro))),
            FormKit.errorSummary(errors),
            .form(
                .action(Site.encounter.path(note.id)), .method(.post),
                .div(
                    FormKit.csrf(req),
                    .input(.type(.hidden), .name("version"), .value(String(note.version))),
                    .forEach(template.sections) { s in
                        .div(
                            .class("note-section"), .h3(.text(s.title)),
                            .forEach(s.fields) { f in
                                .group(fields.field(f), .if(f.id == "riskCategory", suggestion(risk)))
                            })
                    },
                    .div(
                        .class("actions"),
                        .button(
                            .type(.submit), .name("_action"), .value("save"), .class("secondary"), .id("save-note"),
                            .text("Save draft")),
                        canSign
                            ? .button(.type(.submit), .name("_action"), .value("sign"), .id("sign-note"), .text("Sign"))
                            : .p(.small(.id("sign-hint"), .text("A provider reviews and signs this note."))))))
        )
    }

    /// The IWGDF category the saved exam points to, under the field the provider chooses it in.
    func suggestion(_ risk: Int?) -> Node<HTML.FormContext> {
        .unwrap(risk) {
            .p(
                .class("notice"), .id("risk-suggestion"),
                .text("From the exam as saved: category " + NoteTemplates.riskCategories[$0] + "."))
        }
    }

    func signature(_ zone: TimeZone) -> Node<HTML.BodyContext> {
        .p(
            .class("signature"), .id("note-signature"),
            .text(
                "Electronically signed by \(note.signedName ?? note.signedBy ?? "") on "
                    + (note.signedAt.map { Format.local($0, zone: zone) } ?? "")))
    }

    func addenda(_ req: Request) -> Node<HTML.BodyContext> {
        .if(
            note.status == .signed,
            .div(
                .class("card"), .id("addenda"),
                .h2(.text("Addenda")),
                .if(note.addenda.isEmpty, .p(.small(.text("None.")))),
                .forEach(note.addenda) { a in
                    .div(
                        .class("addendum"),
                        .p(.small(.text("\(a.authorName) · \(Format.local(a.createdAt, zone: zone))"))),
                        .p(.text(a.text)))
                },
                .if(
                    canDraft,
                    .form(
                        .class("noprint"), .action(Site.encounterAddenda.path(note.id)), .method(.post),
                        .div(
                            FormKit.csrf(req),
                            FormKit.errorSummary(errors),
                            .label(.for("addendum-text"), .text("Add an addendum")),
                            .small(
                                .text(
                                    "The signed note stays as it was; the addendum is added below it, with your "
                                        + "name.")),
                            .textarea(.id("addendum-text"), .name("text"), .attribute(named: "rows", value: "3")),
                            .div(.button(.type(.submit), .id("add-addendum"), .text("Add addendum"))))))))
    }

    func photoPanel() -> Node<HTML.BodyContext> {
        .div(
            .class("card"), .id("note-photos"),
            .h2(.text("Photos from this visit")),
            .div(
                .class("photo-row"),
                .forEach(photos) { p in
                    .div(
                        .class("photo"),
                        .a(
                            .href(Site.photo.path(p.id)),
                            .img(.src(Site.photoThumbnail.path(p.id)), .alt("Wound photo"))),
                        .p(
                            .class("caption"),
                            .text(
                                [woundNames[p.woundId], PhotoMeasure.text(p)].compactMap { $0 }
                                    .joined(separator: " · ")))
                    )
                }))
    }
}

/// Millimetre measurements as people read them on a note.
package enum PhotoMeasure {
    package static func text(_ p: PhotoStore.PhotoDTO) -> String? {
        guard let l = p.lengthMm, let w = p.widthMm else { return nil }
        let d = p.depthMm.map { " × \(FormDefinition.plain($0))" } ?? ""
        return "\(FormDefinition.plain(l)) × \(FormDefinition.plain(w))\(d) mm"
    }
}

/// A note's answers, section by section, for reading (the chart's signed view and the portal). Only answered fields
/// are shown; multiple choices are listed with commas.
package struct NoteBody {
    package let note: NoteStore.EncounterDTO
    package let template: FormDefinition
    package var t: Translator = .english

    package init(note: NoteStore.EncounterDTO, template: FormDefinition, t: Translator = .english) {
        self.note = note
        self.template = template
        self.t = t
    }

    package func render() -> Node<HTML.BodyContext> {
        .forEach(template.sections) { s in
            let answered = s.fields.filter { note.answers[$0.id] != nil }
            return .if(
                !answered.isEmpty,
                .div(
                    .class("note-section"),
                    .h3(.text(sectionTitle(s.title))),
                    .dl(
                        .class("kv"),
                        .forEach(answered) { f in
                            .group(.dt(.text(f.label)), .dd(.text(value(f, note.answers[f.id] ?? ""))))
                        })))
        }
    }

    func sectionTitle(_ title: String) -> String {
        switch title {
        case "Subjective": return t("Subjective")
        case "Objective": return t("Objective")
        case "Assessment": return t("Assessment")
        case "Plan": return t("Plan")
        default: return title
        }
    }

    func value(_ f: FormDefinition.Field, _ raw: String) -> String {
        switch f.kind {
        case .yesno: return raw == "yes" ? t("Yes") : t("No")
        case .multichoice: return raw.split(separator: "|").joined(separator: ", ")
        default: return raw
        }
    }
}

/// The patient's visits with signed notes, in their language (the notes themselves are as the clinician wrote them).
package struct PortalNotesPage {
    package let notes: [NoteStore.EncounterDTO]

    package init(notes: [NoteStore.EncounterDTO]) { self.notes = notes }

    package func render(for req: Request) -> String {
        let t = req.tr
        return Layout.page(
            "My visits", req: req,
            .div(
                .h1(.text(t("My visits"))),
                .p(.text(t("Notes from your visits appear here once your provider has signed them."))),
                .if(notes.isEmpty, .p(.id("no-notes"), .text(t("No signed visit notes yet.")))),
                .ul(
                    .class("plain-links day-list"), .id("portal-notes"),
                    .forEach(notes) { n in
                        .li(.a(.href(Site.portalNote.path(n.id)), .text("\(n.date) · \(n.title)")))
                    })))
    }
}

/// One signed note in the portal: the sections, the signature and any addenda.
package struct PortalNotePage {
    package let note: NoteStore.EncounterDTO
    package let template: FormDefinition
    package var zone = TimeZone(identifier: "UTC")!

    package init(note: NoteStore.EncounterDTO, template: FormDefinition, zone: TimeZone) {
        self.note = note
        self.template = template
        self.zone = zone
    }

    func when(_ d: Date, _ t: Translator) -> String { Format.local(d, zone: zone, language: t.language) }

    package func render(for req: Request) -> String {
        let t = req.tr
        let signed = note.signedAt.map { when($0, t) } ?? ""
        return Layout.page(
            "Visit note", req: req,
            .div(
                .p(.a(.href(Site.portalNotes.path()), .text("← " + t("My visits")))),
                .h1(.text(note.title)),
                .p(.text(t("Visit on {date}", ["date": note.date]))),
                .div(.class("card"), .id("note-body"), NoteBody(note: note, template: template, t: t).render()),
                .p(
                    .class("signature"), .id("note-signature"),
                    .text(t("Signed by {name} on {when}", ["name": note.signedName ?? "", "when": signed]))),
                .if(
                    !note.addenda.isEmpty,
                    .div(
                        .class("card"), .id("addenda"),
                        .h2(.text(t("Added after signing"))),
                        .forEach(note.addenda) { a in
                            .div(
                                .class("addendum"),
                                .p(.small(.text(a.authorName + " · " + when(a.createdAt, t)))),
                                .p(.text(a.text)))
                        }))))
    }
}
