import Vapor
import Plot
import Domain
import AppCore
import Locations
import Patients
import Photos

/// Intake: the patient's form pages (drawn from the definition), the staff review queue, and the JSON API.
package enum IntakeController {
    // MARK: API

    package struct SaveBody: Content {
        package var answers: [String: String]?
        package var submit: Bool?
    }
    package struct ReturnBody: Content {
        package var comment: String?
    }

    @Sendable package static func forms(req: Request) async throws -> [FormDefinition] {
        _ = try req.principal()
        return try await IntakeStore.latestForms(req.db)
    }

    @Sendable package static func saveAPI(req: Request) async throws -> IntakeStore.SubmissionDTO {
        let body = try req.decodeJSON(SaveBody.self)
        let code = req.parameters.get("code") ?? ""
        return try await req.intake().save(
            patientID: try req.idParameter("patient"), code: code, answers: body.answers ?? [:],
            submit: body.submit ?? false)
    }

    @Sendable package static func listAPI(req: Request) async throws -> [IntakeStore.SubmissionDTO] {
        try await req.intake().list(patientID: try req.idParameter("patient"))
    }

    @Sendable package static func queueAPI(req: Request) async throws -> [IntakeStore.QueueItem] {
        try await req.intake().queue()
    }

    @Sendable package static func readAPI(req: Request) async throws -> IntakeStore.SubmissionDTO {
        try await req.intake().find(try req.idParameter("intake")).0
    }

    @Sendable package static func acceptAPI(req: Request) async throws -> IntakeStore.SubmissionDTO {
        try await req.intake().accept(try req.idParameter("intake")).0
    }

    @Sendable package static func returnAPI(req: Request) async throws -> IntakeStore.SubmissionDTO {
        try await req.intake().returnToPatient(
            try req.idParameter("intake"), comment: try req.decodeJSON(ReturnBody.self).comment)
    }

    // MARK: portal pages

    @Sendable package static func portalList(req: Request) async throws -> Response {
        let pid = try req.portalPatientID()
        let forms = try await IntakeStore.latestForms(req.db)
        let mine = try await req.intake().list(patientID: pid)
        return Layout.render(
            PortalFormsPage(forms: forms, mine: mine, submitted: req.query[String.self, at: "submitted"]).render(
                for: req))
    }

    @Sendable package static func portalForm(req: Request) async throws -> Response {
        let pid = try req.portalPatientID()
        let code = req.parameters.get("code") ?? ""
        let draft = try await req.intake().open(patientID: pid, code: code)
        let form = try await IntakeStore.definition(code, version: draft?.formVersion, on: req.db)
        return Layout.render(
            IntakeFormPage(
                form: form, answers: draft?.answers ?? [:],
                returnedComment: draft?.status == .returned ? draft?.reviewComment : nil,
                saved: req.query[String.self, at: "saved"] != nil
            ).render(for: req))
    }

    /// Form posts carry one key per field; a multiple-choice field sends `<id>__<n>` per ticked option; a file field
    /// sends the chosen file as `<id>__file` (stored as an attachment) and the current attachment id as `<id>`.
    package static func answers(from req: Request, form: FormDefinition, patientID: UUID) async throws -> [String:
        String]
    {
        var out = FormAnswers.decode(req, fields: form.fields)
        for f in form.fields where f.kind == .file {
            if let file = try? req.content.get(File.self, at: "\(f.id)__file"), file.data.readableBytes > 0 {
                do {
                    out[f.id] = try await req.photos().storeAttachment(
                        patientID: patientID, Data(buffer: file.data)
                    ).uuidString
                } catch AppError.validation(let errors) {
                    throw AppError.validation(errors.map { FieldError(f.id, "\(f.label): \($0.message)") })
                }
            } else if let v = try? req.content.get(String.self, at: f.id) {
                out[f.id] = v
            }
        }
        return out
    }

    @Sendable package static func portalSave(req: Request) async throws -> Response {
        let pid = try req.portalPatientID()
        let code = req.parameters.get("code") ?? ""
        let draft = try await req.intake().open(patientID: pid, code: code)
        let form = try await IntakeStore.definition(code, version: draft?.formVersion, on: req.db)
        let submit = (try? req.content.get(String.self, at: "_action")) == "submit"
        var answers: [String: String] = [:]
        do {
            answers = try await Self.answers(from: req, form: form, patientID: pid)
            _ = try await req.intake().save(patientID: pid, code: code, answers: answers, submit: submit)
        } catch AppError.validation(let errors) {
            return Layout.render(
                IntakeFormPage(form: form, answers: answers, returnedComment: nil, errors: errors).render(for: req),
                status: .unprocessableEntity)
        }
        return req.redirect(
            to: submit ? Site.portalForms.path() + "?submitted=\(code)" : Site.portalForm.path(code) + "?saved=1")
    }

    // MARK: staff pages

    @Sendable package static func queuePage(req: Request) async throws -> Response {
        Layout.render(
            IntakeQueuePage(
                items: try await req.intake().queue(), done: req.query[String.self, at: "done"],
                zone: try await LocationRecord.homeZone(on: req.db)
            ).render(for: req))
    }

    @Sendable package static func reviewPage(req: Request) async throws -> Response {
        let (r, form) = try await req.intake().find(try req.idParameter("intake"))
        let patient = try await req.patients().find(r.patientId, detail: "intake review")
        var page = IntakeReviewPage(submission: r, form: form, patient: patient)
        page.zone = try await LocationRecord.homeZone(on: req.db)
        return Layout.render(try page.render(for: req))
    }

    @Sendable package static func acceptFromPage(req: Request) async throws -> Response {
        let id = try req.idParameter("intake")
        do {
            _ = try await req.intake().accept(id)
        } catch AppError.validation(let errors) {
            return try await reviewAgain(req, id, errors)
        }
        return req.redirect(to: Site.intake.path() + "?done=accepted")
    }

    @Sendable package static func returnFromPage(req: Request) async throws -> Response {
        let id = try req.idParameter("intake")
        do {
            _ = try await req.intake().returnToPatient(id, comment: try? req.content.get(String.self, at: "comment"))
        } catch AppError.validation(let errors) {
            return try await reviewAgain(req, id, errors)
        }
        return req.redirect(to: Site.intake.path() + "?done=returned")
    }

    /// The review page again, with what went wrong.
    package static func reviewAgain(_ req: Request, _ id: UUID, _ errors: [FieldError]) async throws -> Response {
        let (r, form) = try await req.intake().find(id)
        let patient = try await req.patients().find(r.patientId, detail: "intake review")
        var page = IntakeReviewPage(submission: r, form: form, patient: patient, errors: errors)
        page.zone = try await LocationRecord.homeZone(on: req.db)
        return Layout.render(try page.render(for: req), status: .unprocessableEntity)
    }
}

package struct PortalFormsPage {
    package let forms: [FormDefinition]
    package let mine: [IntakeStore.SubmissionDTO]
    package let submitted: String?

    package func render(for req: Request) -> String {
        let t = req.tr
        return Layout.page(
            "My forms", req: req,
            .div(
                .h1(.text(t("My forms"))),
                .unwrap(submitted) { code in
                    .p(
                        .class("notice"), .id("form-submitted"),
                        .text(
                            t(
                                "Thank you: {form} was sent to the practice.",
                                ["form": t(forms.first { $0.code == code }?.title ?? "the form")])))
                },
                .ul(
                    .class("plain"),
                    .forEach(forms) { f in
                        let latest = mine.first { $0.formCode == f.code }
                        let status: String =
                            switch latest?.status {
                            case .draft: t("draft saved — continue")
                            case .returned: t("returned to you — please check")
                            case .submitted: t("sent, waiting for review")
                            case .accepted: t("received")
                            case nil: t("not started")
                            }
                        return .li(
                            .a(.href(Site.portalForm.path(f.code)), .id("form-\(f.code)"), .text(t(f.title))),
                            .text(" · "),
                            .span(.class("status-\(f.code)"), .text(status)))
                    })
            ))
    }
}

package struct IntakeFormPage {
    package let form: FormDefinition
    package let answers: [String: String]
    package let returnedComment: String?
    package var saved = false
    package var errors: [FieldError] = []

    package func field<C: HTML.BodyContext>(_ f: FormDefinition.Field, _ t: Translator) -> Node<C> {
        FormFieldView(answers: answers, errors: errors, t: t).field(f)
    }

    package func render(for req: Request) -> String {
        let t = req.tr
        return Layout.page(
            form.title, req: req,
            .div(
                .h1(.text(t(form.title))),
                .p(.text(t(form.intro))),
                .unwrap(returnedComment) {
                    .p(
                        .class("notice warn"), .id("returned-comment"),
                        .text(t("The practice returned this form:") + " " + $0))
                },
                .if(
                    saved,
                    .p(
                        .class("notice"), .id("draft-saved"),
                        .text(t("Draft saved. You can finish it later, on this or another device.")))),
                FormKit.errorSummary(errors, t: t),
                .form(
                    .action(Site.portalForm.path(form.code)), .method(.post), .enctype(.multipartData),
                    .id("intake-form"),
                    .div(
                        FormKit.csrf(req),
                        .forEach(form.sections) { s in
                            .div(.class("card"), .h2(.text(t(s.title))), .forEach(s.fields) { field($0, t) })
                        },
                        .button(
                            .type(.submit), .name("_action"), .value("save"), .id("save-draft"), .class("secondary"),
                            .text(t("Save and finish later"))),
                        .text(" "),
                        .button(
                            .type(.submit), .name("_action"), .value("submit"), .id("submit-form"),
                            .text(t("Send to the practice")))
                    ))
            ))
    }
}

package struct IntakeQueuePage {
    package let items: [IntakeStore.QueueItem]
    package let done: String?

    package var zone = TimeZone(identifier: "UTC")!

    package func render(for req: Request) -> String {
        Layout.page(
            "Intake review", req: req,
            .div(
                .h1(.text("Intake review")),
                .unwrap(done) { .p(.class("notice"), .id("review-done"), .text("Intake \($0).")) },
                .if(items.isEmpty, .p(.text("Nothing waiting for review."))),
                .div(
                    .class("scroll"), Scrollable.focusable(),
                    .table(
                        .id("intake-queue"),
                        .thead(.tr(.th("Submitted"), .th("Patient"), .th("MRN"), .th("Form"))),
                        .tbody(
                            .forEach(items) { i in
                                .tr(
                                    .td(.text(Format.local(i.submittedAt, zone: zone, now: req.now))),
                                    .td(.a(.href(Site.intakeReview.path(i.id)), .text(i.patientName))),
                                    .td(.text(i.mrn)), .td(.text(i.formTitle)))
                            })))
            ))
    }
}

package struct IntakeReviewPage {
    package let submission: IntakeStore.SubmissionDTO
    package let form: FormDefinition
    package let patient: PatientDTO
    package var errors: [FieldError] = []

    /// One answer: an uploaded file as a link to it, anything else as text (several choices joined).
    private func answer(_ f: FormDefinition.Field, _ value: String?) -> Node<HTML.DescriptionListContext> {
        if f.kind == .file, let value, let attachment = UUID(uuidString: value) {
            return .dd(
                .a(
                    .href(Site.attachment.path(attachment)), .id("attachment-\(f.id)"),
                    .text("Open the uploaded file")))
        }
        return .dd(.text((value ?? "—").replacingOccurrences(of: "|", with: ", ")))
    }

    package var zone = TimeZone(identifier: "UTC")!

    package func render(for req: Request) throws -> String {
        let a = submission.answers
        let id = submission.id
        return Layout.page(
            "Review: \(form.title)", req: req,
            .div(
                .h1(.text("\(form.title): \(patient.familyName), \(patient.givenName)")),
                .p(
                    .text("MRN \(patient.mrn) · status \(submission.status)"),
                    .unwrap(submission.signedAt) {
                        .text(
                            " · signed “\(submission.signedName ?? "")” at "
                                + Format.local($0, zone: zone, now: req.now)
                        )
                    }),
                FormKit.errorSummary(errors),
                .forEach(form.sections) { s in
                    .div(
                        .class("card"), .h2(.text(s.title)),
                        .dl(
                            .class("kv"),
                            .forEach(s.fields) { f in
                                .group(
                                    .dt(.text(f.label + (f.mapsTo != nil ? " → chart" : ""))),
                                    answer(f, a[f.id]))
                            }))
                },
                .if(
                    submission.status == .submitted,
                    .div(
                        .class("card"),
                        .form(
                            .action(Site.intakeAccept.path(id)), .method(.post),
                            .div(
                                FormKit.csrf(req),
                                .p(
                                    .text(
                                        "Accepting updates the chart's contact and insurance fields from the "
                                            + "answers marked → chart."
                                    )),
                                .button(.type(.submit), .id("accept-intake"), .text("Accept into the chart")))),
                        .form(
                            .action(Site.intakeReturn.path(id)), .method(.post),
                            .div(
                                FormKit.csrf(req),
                                FormKit.field(
                                    "Or return it to the patient with a comment", name: "comment", errors: errors),
                                .button(
                                    .type(.submit), .id("return-intake"), .class("secondary"),
                                    .text("Return to patient"))))))
            ))
    }
}
