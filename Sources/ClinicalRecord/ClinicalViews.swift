import Vapor
import Plot
import Domain
import AppCore

/// The clinical summary at the top of the chart: problems, allergies (or "No known allergies") and the medicines the
/// patient takes, entries awaiting confirmation marked; with the forms that add and the buttons that change them.
package struct ClinicalChartSection {
    package let summary: ClinicalStore.Summary
    package let canRecord: Bool
    package let canConfirm: Bool
    package var errors: [FieldError] = []
    /// Active prescriptions, as the medication list shows them ("Cephalexin 500 MG … · prescribed 2026-11-02").
    package var prescribed: [String] = []
    package var referrals: [ClinicalStore.ReferralDTO] = []
    package var zone = TimeZone(identifier: "UTC")!

    package init(summary: ClinicalStore.Summary, canRecord: Bool, canConfirm: Bool, errors: [FieldError] = []) {
        self.summary = summary
        self.canRecord = canRecord
        self.canConfirm = canConfirm
        self.errors = errors
    }

    package func render(_ req: Request, patientID: UUID) -> Node<HTML.BodyContext> {
        .div(
            .class("card"), .id("clinical"),
            .h2(.text("Clinical summary")),
            FormKit.errorSummary(errors),
            .div(
                .class("grid2"),
                list("Problems", "problems", summary.problems, req, empty: "No problems recorded."),
                list(
                    "Allergies", "allergies", summary.allergies, req,
                    empty: "Allergies not recorded yet: ask, and record them or “no known allergies”."),
                medications(req)),
            .if(!referrals.isEmpty, referralList()),
            .if(canRecord, addForms(req, patientID: patientID)))
    }

    /// What the patient takes: prescribed here (active prescriptions) and reported (by them, an intake, or staff).
    func medications(_ req: Request) -> Node<HTML.BodyContext> {
        let reported = summary.medications
        return .section(
            .id("clinical-medications"),
            .h3(.text("Medications")),
            .if(
                prescribed.isEmpty && reported.filter { $0.status == .active }.isEmpty,
                .p(.small(.text("None prescribed or reported.")))),
            .ul(
                .class("plain"),
                .forEach(prescribed) {
                    .li(.class("clinical-entry"), .text($0), .span(.class("badge"), .text("prescribed")))
                },
                .forEach(reported) { entry($0, req) }))
    }

    func referralList() -> Node<HTML.BodyContext> {
        .section(
            .id("clinical-referrals"),
            .h3(.text("Referrals")),
            .ul(
                .class("plain"),
                .forEach(referrals) { r in
                    .li(
                        .class("referral"),
                        .strong(.text("\(LocalDay.of(r.receivedAt, in: zone).iso) · from \(r.referrerName)")),
                        .text(" (NPI \(r.referrerNPI)" + (r.referrerPhone.map { ", \($0)" } ?? "") + ")"),
                        .br(),
                        .text("Diagnosis: \(r.diagnosis)"), .br(),
                        .text("Asks for: \(r.request)"), .br(),
                        .unwrap(r.letterAttachmentId) {
                            .a(.href(Site.attachment.path($0)), .text("Referral letter"))
                        },
                        .if(r.letterAttachmentId == nil, .text("Letter: \(r.letterNote ?? "not received yet")")))
                }))
    }

    func list(_ title: String, _ id: String, _ rows: [ClinicalStore.EntryDTO], _ req: Request, empty: String)
        -> Node<HTML.BodyContext>
    {
        .section(
            .id("clinical-\(id)"),
            .h3(.text(title)),
            .if(rows.filter { $0.status == .active }.isEmpty, .p(.small(.text(empty)))),
            .ul(.class("plain"), .forEach(rows) { entry($0, req) }))
    }

    func entry(_ e: ClinicalStore.EntryDTO, _ req: Request) -> Node<HTML.ListContext> {
        let active = e.status == .active
        var words = [e.code.map { "\($0) " }.map { $0 + e.display } ?? e.display]
        if e.code == ClinicalRules.noKnownAllergies { words = [e.display] }
        if let r = e.reaction { words.append(r) }
        if let s = e.severity { words.append(s.rawValue) }
        if let d = e.dose { words.append(d) }
        if let o = e.onset { words.append("since \(o)") }
        if e.kind == .medication {
            words.append(e.source.hasPrefix("intake:") ? "reported by the patient" : "recorded by \(e.recordedBy)")
        }
        return .li(
            .class(active ? "clinical-entry" : "clinical-entry inactive"),
            .attribute(named: "data-kind", value: e.kind.rawValue),
            .text(words.joined(separator: " · ")),
            .if(!active, .span(.class("badge"), .text(e.status.label(for: e.kind)))),
            .if(
                e.verification == .unconfirmed,
                .span(.class("badge warn"), .text("to confirm (from \(e.source.split(separator: ":")[0]))"))),
            .if(
                canRecord,
                .form(
                    .action(Site.clinicalEntry.path(e.id)), .method(.post), .class("inline"),
                    .div(
                        FormKit.csrf(req),
                        .if(
                            canConfirm && e.verification == .unconfirmed,
                            .button(
                                .type(.submit), .name("verification"), .value("confirmed"), .class("secondary"),
                                .text("Confirm"))),
                        .button(
                            .type(.submit), .name("status"), .value(active ? "inactive" : "active"),
                            .class("secondary"),
                            .text(active ? "Mark \(ClinicalStatus.inactive.label(for: e.kind))" : "Active again"))))))
    }

    func addForms(_ req: Request, patientID: UUID) -> Node<HTML.BodyContext> {
        let action = Site.patientClinical.path(patientID)
        func form(_ kind: ClinicalKind, _ title: String, _ fields: [Node<HTML.FormContext>]) -> Node<HTML.BodyContext> {
            .details(
                .class("menu noprint"), .id("add-\(kind.rawValue)"), .summary(.text(title)),
                .form(
                    .action(action), .method(.post),
                    .div(
                        FormKit.csrf(req), .input(.type(.hidden), .name("kind"), .value(kind.rawValue)),
                        .group(fields), .button(.type(.submit), .id("add-\(kind.rawValue)-submit"), .text("Add")))))
        }
        return .div(
            .class("actions"),
            form(
                .problem, "Add a problem",
                [
                    FormKit.field("Problem", name: "display", errors: errors, required: true, id: "problem-display"),
                    FormKit.field(
                        "ICD-10-CM code", name: "code", errors: errors, hint: "For example E11.42", id: "problem-code"),
                    FormKit.field("Since", name: "onset", type: .date, errors: errors, id: "problem-onset"),
                ]),
            form(
                .allergy, "Add an allergy",
                [
                    FormKit.field("Substance", name: "display", errors: errors, required: true, id: "allergy-display"),
                    FormKit.field("Reaction", name: "reaction", errors: errors, id: "allergy-reaction"),
                    FormKit.select(
                        "Severity", name: "severity",
                        options: [("", "—")] + AllergySeverity.allCases.map { ($0.rawValue, $0.rawValue) },
                        selected: nil, errors: errors),
                ]),
            .form(
                .action(action), .method(.post), .class("inline noprint"),
                .div(
                    FormKit.csrf(req), .input(.type(.hidden), .name("kind"), .value("allergy")),
                    .input(.type(.hidden), .name("code"), .value(ClinicalRules.noKnownAllergies)),
                    .button(.type(.submit), .id("no-known-allergies"), .class("secondary"), .text("No known allergies"))
                )),
            form(
                .medication, "Add a medication the patient takes",
                [
                    FormKit.field(
                        "Medicine", name: "display", errors: errors, required: true, id: "medication-display"),
                    FormKit.field("Dose and how often", name: "dose", errors: errors, id: "medication-dose"),
                    FormKit.field("Since", name: "onset", type: .date, errors: errors, id: "medication-onset"),
                ]))
    }
}

/// The patient's own summary in the portal: confirmed entries only, active first, in their language.
package struct PortalHealthSummary {
    package let summary: ClinicalStore.Summary

    package init(summary: ClinicalStore.Summary) { self.summary = summary }

    package func render(_ t: Translator) -> Node<HTML.BodyContext> {
        func list(_ title: String, _ rows: [ClinicalStore.EntryDTO], empty: String) -> Node<HTML.BodyContext> {
            let active = rows.filter { $0.status == .active }
            return .group(
                .h3(.text(t(title))),
                .if(active.isEmpty, .p(.small(.text(t(empty))))),
                .ul(
                    .class("plain"),
                    .forEach(active) { e in
                        .li(
                            .text(
                                e.code == ClinicalRules.noKnownAllergies
                                    ? t("No known allergies")
                                    : ([e.display] + [e.reaction, e.dose].compactMap { $0 }).joined(separator: " · ")))
                    }))
        }
        let latest = summary.latest
        return .div(
            .class("card"), .id("health-summary"),
            .h2(.text(t("My health summary"))),
            list("Health problems", summary.problems, empty: "None recorded."),
            list("Allergies", summary.allergies, empty: "None recorded."),
            list("Medicines I take", summary.medications, empty: "None recorded."),
            .if(
                !latest.isEmpty,
                .group(
                    .h3(.text(t("Recent measurements"))),
                    .ul(
                        .class("plain"), .id("portal-vitals"),
                        .forEach(latest) { o in
                            .li(
                                .strong(.text(Self.label(o.kind, t))),
                                .text(" " + (o.kind == .smoking ? Self.smoking(o.answer, t) : o.text) + " · "),
                                .small(.text(o.effective)))
                        }))))
    }

    static func label(_ k: ObservationKind, _ t: Translator) -> String {
        switch k {
        case .bloodPressure: return t("Blood pressure")
        case .pulse: return t("Pulse")
        case .weight: return t("Weight")
        case .height: return t("Height")
        case .temperature: return t("Temperature")
        case .a1c: return t("A1c")
        case .glucose: return t("Blood glucose")
        case .smoking: return t("Smoking")
        }
    }

    static func smoking(_ answer: String?, _ t: Translator) -> String {
        switch answer.flatMap(SmokingStatus.init(rawValue:)) {
        case .current: return t("Current smoker")
        case .former: return t("Former smoker")
        case .never: return t("Never smoker")
        case .nonSmoker: return t("Does not smoke")
        case nil: return answer ?? ""
        }
    }
}

/// Vitals and results on the chart: the newest of each kind on one line, the history below it (entries awaiting
/// confirmation marked, entered-in-error struck through), and the form that records new ones.
package struct VitalsChartSection {
    package let observations: [ClinicalStore.ObservationDTO]
    package let latest: [ClinicalStore.ObservationDTO]
    package let canRecord: Bool
    package let canConfirm: Bool
    package var errors: [FieldError] = []

    package init(summary: ClinicalStore.Summary, canRecord: Bool, canConfirm: Bool, errors: [FieldError] = []) {
        self.observations = summary.observations
        self.latest = summary.latest
        self.canRecord = canRecord
        self.canConfirm = canConfirm
        self.errors = errors
    }

    /// From the patient or an intake, waiting for a provider (shown open, not inside the history).
    var waiting: [ClinicalStore.ObservationDTO] { observations.filter { $0.status == .preliminary } }

    package func render(_ req: Request, patientID: UUID) -> Node<HTML.BodyContext> {
        .div(
            .class("card"), .id("vitals"),
            .h2(.text("Vitals and results")),
            FormKit.errorSummary(errors),
            .if(latest.isEmpty, .p(.small(.text("Nothing measured yet.")))),
            .ul(
                .class("chips"), .id("vitals-latest"),
                .forEach(latest) { o in
                    .li(
                        .class(o.status == .preliminary ? "chip warn" : "chip"),
                        .strong(.text(o.kind.label)), .text(" \(o.text) "), .small(.text(o.effective)))
                }),
            .if(
                !waiting.isEmpty,
                .group(
                    .h3(.text("To confirm")),
                    .ul(.class("plain"), .id("vitals-to-confirm"), .forEach(waiting) { row($0, req) }))),
            .if(
                observations.count > latest.count,
                .details(
                    .class("menu"), .id("vitals-history"),
                    .summary(.text("All measurements (\(observations.count))")),
                    .ul(.class("plain"), .forEach(observations) { row($0, req) }))),
            .if(canRecord, form(req, patientID: patientID)))
    }

    func row(_ o: ClinicalStore.ObservationDTO, _ req: Request) -> Node<HTML.ListContext> {
        let wrong = o.status == .enteredInError
        return .li(
            .class(wrong ? "observation inactive" : "observation"),
            .attribute(named: "data-kind", value: o.kind.rawValue),
            .text("\(o.effective) · \(o.kind.label) \(o.text)"),
            .if(wrong, .span(.class("badge"), .text("entered in error"))),
            .if(
                o.status == .preliminary,
                .span(.class("badge warn"), .text("to confirm (from \(o.source.split(separator: ":")[0]))"))),
            .if(
                canRecord && !wrong,
                .form(
                    .action(Site.observation.path(o.id)), .method(.post), .class("inline"),
                    .div(
                        FormKit.csrf(req),
                        .if(
                            canConfirm && o.status == .preliminary,
                            .button(
                                .type(.submit), .name("status"), .value("final"), .class("secondary"),
                                .text("Confirm"))),
                        .button(
                            .type(.submit), .name("status"), .value("entered-in-error"), .class("secondary"),
                            .text("Entered in error"))))))
    }

    func form(_ req: Request, patientID: UUID) -> Node<HTML.BodyContext> {
        .details(
            .class("menu noprint"), .id("record-vitals"), .summary(.text("Record a measurement")),
            .attribute(named: "open", value: errors.isEmpty ? nil : ""),
            .form(
                .action(Site.patientObservations.path(patientID)), .method(.post),
                .div(
                    FormKit.csrf(req),
                    FormKit.select(
                        "What", name: "kind",
                        options: ObservationKind.allCases.map { ($0.rawValue, "\($0.label) (\($0.unitLabel))") },
                        selected: nil, errors: errors),
                    FormKit.field(
                        "Value", name: "value", errors: errors,
                        hint: "Systolic for blood pressure; not for smoking status", id: "observation-value"),
                    FormKit.field(
                        "Diastolic (blood pressure only)", name: "value2", errors: errors, id: "observation-value2"),
                    FormKit.select(
                        "Smoking status (smoking only)", name: "answer",
                        options: [("", "—")] + SmokingStatus.allCases.map { ($0.rawValue, $0.label) }, selected: nil,
                        errors: errors),
                    FormKit.field(
                        "Measured on", name: "effective", type: .date, errors: errors, hint: "Today if left empty",
                        id: "observation-effective"),
                    .button(.type(.submit), .id("record-vitals-submit"), .text("Record")))))
    }
}
