import Vapor
import Plot
import Domain
import AppCore

package struct TemplatesPage {
    package let rows: [PathwayStore.TemplateSummary]

    package func render(for req: Request) -> String {
        Layout.page(
            "Care pathways", req: req,
            .div(
                .h1(.text("Care pathways")),
                .p(
                    .text(
                        "Each version stays a draft until the Medical Director approves it; only the approved "
                            + "version enrols patients."
                    )),
                .div(
                    .class("scroll"), Scrollable.focusable(),
                    .table(
                        .tr(.th(.text("Pathway")), .th(.text("Version")), .th(.text("Status")), .th(.text("Approved"))),
                        .forEach(rows) { r in
                            .tr(
                                .td(.a(.href(Site.pathway.path(r.id)), .class("template-link"), .text(r.title))),
                                .td(.text("v\(r.version)")),
                                .td(.span(.class("status status-\(r.status)"), .text(r.status.rawValue))),
                                .td(
                                    .text(
                                        r.approvedAt.map {
                                            "\(Format.utc($0, "yyyy-MM-dd HH:mm")) UTC by \(r.approvedBy ?? "")"
                                        } ?? "—")))
                        }))
            ))
    }
}

/// Exactly what patients will receive, step by step: the email/SMS text, the portal page, the questions and the
/// red-flag rules.
package struct TemplatePreviewPage {
    package let t: PathwayStore.TemplateDTO
    package let canApprove: Bool
    package let approved: Bool

    package func render(for req: Request) -> String {
        let s = t.summary
        return Layout.page(
            t.template.title, req: req,
            .div(
                .if(
                    approved,
                    .p(
                        .class("notice"), .id("approved-notice"),
                        .text("Approved: version \(s.version) now enrols patients."))),
                .h1(.text("\(t.template.title) · v\(s.version)")),
                .p(
                    .text("Status: "), .strong(.id("template-status"), .text(s.status.rawValue)),
                    .text(" · drafted by \(s.createdBy) on \(Format.utc(s.createdAt, "yyyy-MM-dd"))"),
                    .unwrap(s.approvedBy) { .text(" · approved by \($0)") }),
                .p(
                    .text(
                        "Enrols automatically on procedure codes: "
                            + "\(t.template.triggerProcedures.joined(separator: ", "))."
                    )),
                .div(
                    .class("card"), .h2(.text("After an answer raises a red flag, the patient reads")),
                    .p(.id("red-flag-advice"), .text(t.template.redFlagAdvice))),
                .forEach(t.preview) { p in
                    .div(
                        .class("card step"), .id("step-\(p.key)"),
                        .h2(.text("Day \(p.day), \(p.at) local time · \(p.kindLabel)")),
                        .p(
                            .strong(.text("Notice (\(p.channels.joined(separator: ", "))): ")),
                            .text("“\(p.notificationSubject)” — "),
                            .span(.class("notification"), .text(p.notificationText))),
                        .p(.strong(.text("Portal page: ")), .text(p.title)),
                        .p(.class("patient-text"), .text(p.text)),
                        .if(!p.questions.isEmpty, .ol(.forEach(p.questions) { q in .li(.text(Self.describe(q))) })),
                        .if(
                            !p.redFlags.isEmpty,
                            .group(
                                .p(.strong(.text("Red flags (urgent task for the care team):"))),
                                .ul(.forEach(p.redFlags) { .li(.text($0)) }))),
                        .unwrap(p.escalateAfterHours) {
                            .p(.text("Not answered after \($0) h: escalated to the care team."))
                        })
                },
                .if(
                    canApprove,
                    .form(
                        .class("card"), .action(Site.pathwayApprove.path(s.id)), .method(.post),
                        .div(
                            FormKit.csrf(req),
                            .h2(.text("Approve for patients")),
                            .p(
                                .text(
                                    "I have read every text above as patients will receive it, and approve it for "
                                        + "clinical appropriateness and tone."
                                )),
                            FormKit.field("Note (optional)", name: "note"),
                            .button(.type(.submit), .id("approve"), .text("Approve version \(s.version)"))
                        )))
            ))
    }
}

extension TemplatePreviewPage {
    package static func describe(_ q: FormDefinition.Field) -> String {
        var out = q.label + (q.required ? " (required)" : "")
        switch q.kind {
        case .yesno: out += " — yes / no"
        case .choice, .multichoice: out += " — " + (q.options ?? []).joined(separator: " / ")
        case .number:
            let lo = q.min.map { " from \(FormDefinition.plain($0))" } ?? ""
            let hi = q.max.map { " to \(FormDefinition.plain($0))" } ?? ""
            out += " — a number\(lo)\(hi)"
        default: out += " — free text"
        }
        return out
    }
}

/// The chart's care-pathway card, and its red-flag banner.
package struct PathwayChartSection {
    package let summary: PathwayStore.ChartSummary
    package let canRecord: Bool
    package let locations: [(String, String)]
    package let providers: [(String, String)]
    /// Approved pathways (code, title) for enrolling by hand.
    package var approved: [(String, String)] = []
    package var errors: [FieldError] = []

    package func banner() -> Node<HTML.BodyContext> {
        guard !summary.urgent.isEmpty else { return .empty }
        return .div(
            .class("notice bad"), .id("red-flag-banner"), .attribute(named: "role", value: "alert"),
            .strong(.text("Urgent: ")), .text(summary.urgent.map(\.summary).joined(separator: " · ")), .text(" "),
            .a(.href(Site.tasks.path()), .text("Open tasks")))
    }

    package func render(_ req: Request, patientID: UUID) -> Node<HTML.BodyContext> {
        .div(
            .class("card"), .id("care-pathway"),
            .h2(.text("Care pathway")),
            .forEach(summary.enrolments) { e in
                .div(
                    .class("enrolment"),
                    .p(.strong(.text(e.title)), .text(" · v\(e.templateVersion) · from \(e.startDay) · \(e.status)")),
                    .div(
                        .class("scroll"), Scrollable.focusable(),
                        .table(
                            .tr(.th(.text("When")), .th(.text("Step")), .th(.text("Status")), .th(.text("Result"))),
                            .forEach(e.steps) { s in
                                let task = summary.tasks.first { $0.enrolmentId == e.id && $0.stepKey == s.key }
                                return .tr(
                                    .class("step-row"), .attribute(named: "data-step", value: s.key),
                                    .td(.text(Format.utc(s.fireAt, "yyyy-MM-dd HH:mm") + " UTC")), .td(.text(s.title)),
                                    .td(.text(s.status)),
                                    .td(.unwrap(task) { t in result(t) }))
                            })))
            },
            .if(summary.enrolments.isEmpty, .p(.text("Not on a care pathway."))),
            .if(
                canRecord,
                .form(
                    .action(Site.patientProcedures.path(patientID)), .method(.post), .id("procedure-form"),
                    .div(
                        FormKit.csrf(req),
                        .h2(.text("Record a procedure")),
                        FormKit.errorSummary(errors),
                        .div(
                            .class("grid2"),
                            FormKit.field(
                                "CPT code", name: "code", errors: errors,
                                hint: "28296 = bunionectomy (enrols in its pathway when approved)"),
                            FormKit.field("Procedure", name: "name", errors: errors),
                            FormKit.field("Date", name: "performedOn", type: .date, errors: errors),
                            FormKit.select(
                                "Location", name: "locationId", options: locations.map { (value: $0.0, label: $0.1) },
                                selected: nil, errors: errors),
                            FormKit.select(
                                "Provider of record", name: "providerId",
                                options: providers.map { (value: $0.0, label: $0.1) }, selected: nil, errors: errors)),
                        .button(.type(.submit), .id("record-procedure"), .text("Record procedure"))
                    ))),
            .if(
                canRecord && !approved.isEmpty,
                .form(
                    .action(Site.patientPathways.path(patientID)), .method(.post), .id("enrol-form"),
                    .div(
                        FormKit.csrf(req),
                        .h2(.text("Enrol by hand")),
                        .div(
                            .class("grid2"),
                            FormKit.select(
                                "Pathway", name: "templateCode", options: approved.map { (value: $0.0, label: $0.1) },
                                selected: nil, errors: errors),
                            FormKit.field("Day 0 (the procedure date)", name: "startDay", type: .date, errors: errors),
                            FormKit.select(
                                "Location", name: "locationId", options: locations.map { (value: $0.0, label: $0.1) },
                                selected: nil, errors: errors),
                            FormKit.select(
                                "Provider of record", name: "providerId",
                                options: providers.map { (value: $0.0, label: $0.1) }, selected: nil, errors: errors)),
                        .button(.type(.submit), .id("enrol"), .text("Enrol"))
                    ))))
    }

    package func result(_ t: PathwayStore.TaskDTO) -> Node<HTML.BodyContext> {
        .group(
            .if(
                !(t.redFlags ?? []).isEmpty,
                .span(.class("badge red-flag"), .text((t.redFlags ?? []).joined(separator: ", ")))),
            .unwrap(t.answers) { a in
                .ul(
                    .class("answers"),
                    .forEach(t.questions.filter { a[$0.id] != nil }) { q in .li(.text("\(q.label): \(a[q.id]!)")) })
            },
            .unwrap(t.photoId) { .a(.href(Site.photo.path($0)), .text("Photo")) },
            .unwrap(t.appointmentId) { _ in .text("Follow-up booked") })
    }

    package init(
        summary: PathwayStore.ChartSummary, canRecord: Bool, locations: [(String, String)],
        providers: [(String, String)], approved: [(String, String)] = [], errors: [FieldError] = []
    ) {
        self.summary = summary
        self.canRecord = canRecord
        self.locations = locations
        self.providers = providers
        self.approved = approved
        self.errors = errors
    }
}

package struct CareTasksPage {
    package let rows: [PathwayStore.CareTaskDTO]
    package let closed: Bool

    /// Times in the practice's own zone.
    package var zone = TimeZone(identifier: "UTC")!

    package func render(for req: Request) -> String {
        Layout.page(
            "Tasks", req: req,
            .div(
                .if(closed, .p(.class("notice"), .text("Task closed."))),
                .h1(.text("Care-team tasks")),
                .if(rows.isEmpty, .p(.id("no-tasks"), .text("No open tasks."))),
                .forEach(rows) { t in
                    .div(
                        .class(t.urgent ? "card task urgent" : "card task"),
                        .attribute(named: "data-kind", value: t.kind.rawValue),
                        .p(
                            .if(t.urgent, .span(.class("badge red-flag"), .text("urgent"))), .text(" "),
                            .a(.href(Site.patient.path(t.patientId)), .text(t.patientName ?? "Patient")),
                            .text(" · \(t.team) · \(Format.local(t.createdAt, zone: zone, now: req.now))")),
                        .p(.class("summary"), .text(t.summary)),
                        .form(
                            .action(Site.taskClose.path(t.id)), .method(.post),
                            .div(
                                FormKit.csrf(req),
                                FormKit.field("What was done", name: "note"),
                                .button(.type(.submit), .class("close-task"), .text("Close task")))))
                }
            ))
    }
}

package struct PortalCheckInsPage {
    package let tasks: [PathwayStore.TaskDTO]
    package var zone = TimeZone(identifier: "UTC")!

    package func render(for req: Request) -> String {
        let open = tasks.filter {
            $0.status == .open || ($0.status == .missed && $0.kind != PathwayStep.Kind.followUp)
        }
        let done = tasks.filter { $0.status == .done }
        let tr = req.tr
        return Layout.page(
            "Check-ins", req: req,
            .div(
                .h1(.text(tr("Your check-ins"))),
                .if(open.isEmpty, .p(.id("nothing-waiting"), .text(tr("Nothing is waiting for you.")))),
                .ul(
                    .class("plain"),
                    .forEach(open) { t in
                        .li(.a(.href(Site.portalCheckIn.path(t.id)), .class("open-task"), .text(tr(t.title))))
                    }),
                .if(
                    !done.isEmpty,
                    .group(
                        .h2(.text(tr("Done"))),
                        .ul(
                            .class("plain"),
                            .forEach(done) { t in
                                .li(
                                    .text(
                                        tr(t.title) + " · "
                                            + (t.completedAt.map { Format.day($0, zone: zone, language: tr.language) }
                                                ?? "")))
                            })))
            ))
    }
}

/// One check-in (the questions), photo prompt (a link to the photo page) or follow-up (the offered times).
package struct PortalCheckInPage {
    package let task: PathwayStore.TaskDTO
    package let answers: [String: String]
    package let advice: String?
    /// Location zones, for showing offered times in local time.
    package var zones: [UUID: TimeZone] = [:]
    package var thanks = false
    package var errors: [FieldError] = []

    package func render(for req: Request) -> String {
        let t = task
        let tr = req.tr
        let fields = FormFieldView(answers: answers, errors: errors, t: tr)
        return Layout.page(
            t.title, req: req,
            .div(
                .h1(.text(tr(t.title))),
                .unwrap(advice) {
                    .p(
                        .class("notice bad"), .id("red-flag-advice"), .attribute(named: "role", value: "alert"),
                        .text(tr($0)))
                },
                .if(
                    thanks && advice == nil,
                    .p(
                        .class("notice"), .id("check-in-thanks"),
                        .text(tr("Thank you: your care team has your answers.")))),
                .if(t.status == .done && !thanks, .p(.class("notice"), .text(tr("Done — thank you.")))),
                .p(.text(tr(t.text))),
                FormKit.errorSummary(errors, t: tr),
                .if(
                    t.kind == PathwayStep.Kind.checkIn && (t.status == .open || t.status == .missed)
                        && !thanks,
                    .form(
                        .action(Site.portalCheckIn.path(t.id)), .method(.post), .id("check-in-form"),
                        .div(
                            FormKit.csrf(req),
                            .forEach(t.questions) { fields.field($0) },
                            .button(.type(.submit), .id("send-answers"), .text(tr("Send my answers")))))),
                .if(
                    t.kind == PathwayStep.Kind.photoPrompt && t.status != .done,
                    .p(
                        .a(
                            .class("button"), .href(Site.portalPhotos.path()), .id("go-to-photos"),
                            .text(tr("Send a photo"))))),
                .if(
                    t.kind == PathwayStep.Kind.followUp && t.status == .open,
                    .group(
                        .if(
                            t.offers.isEmpty,
                            .p(.text(tr("We could not find a time that fits; the front desk will call you to book.")))),
                        .div(
                            .id("offers"),
                            .forEach(Array(t.offers.enumerated())) { (i, o) in
                                .form(
                                    .action(Site.portalCheckInBook.path(t.id)), .method(.post),
                                    .div(
                                        FormKit.csrf(req),
                                        .input(.type(.hidden), .name("offer"), .value(String(i))),
                                        .button(
                                            .type(.submit), .class("offer"),
                                            .text(
                                                Self.when(
                                                    o.start, zone: zones[o.locationId] ?? TimeZone(identifier: "UTC")!,
                                                    tr.language))
                                        )))
                            })))
            ))
    }

    package static func when(_ d: Date, zone: TimeZone, _ l: PatientLanguage = .en) -> String {
        let f = DateFormatter()
        f.locale = l == .en ? Locale(identifier: "en_US_POSIX") : l.locale
        f.timeZone = zone
        f.dateFormat = l == .en ? "EEEE d MMMM, h:mm a zzz" : "EEEE d 'de' MMMM, h:mm a zzz"
        return f.string(from: d)
    }
}
