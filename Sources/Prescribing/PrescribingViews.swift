import Vapor
import Plot
import Domain
import AppCore
import Patients

package struct PrescribePage {
    package let patient: PatientDTO
    package let input: PrescriptionStore.DraftInput
    package let errors: [FieldError]
    package let pharmacies: [PharmacyDirectory.Entry]
    package let locations: [(String, String)]
    package let prescribers: [(String, String)]
    package let me: Principal
    /// What the prescriber should have in view: the active allergies and the medicines the patient reports.
    package var allergies: [String] = []
    package var medicines: [String] = []

    package init(
        patient: PatientDTO, input: PrescriptionStore.DraftInput, errors: [FieldError],
        pharmacies: [PharmacyDirectory.Entry], locations: [(String, String)], prescribers: [(String, String)],
        me: Principal
    ) {
        self.patient = patient
        self.input = input
        self.errors = errors
        self.pharmacies = pharmacies
        self.locations = locations
        self.prescribers = prescribers
        self.me = me
    }

    package func render(for req: Request) -> String {
        let drugOptions =
            [("", "Choose…")]
            + Formulary.drugs.map {
                ($0.id, $0.description + ($0.schedule.map { " (C\($0.roman))" } ?? "") + " · per \($0.unitLabel)")
            }
        let pharmacyOptions =
            [("", "Choose…")] + pharmacies.map { ($0.ncpdpid, "\($0.name), \($0.city) · NCPDPID \($0.ncpdpid)") }
        let preparing = me.role == .medicalAssistant
        return Layout.page(
            "Prescribe", req: req,
            .div(
                .h1(.text("Prescribe for \(patient.familyName), \(patient.givenName)")),
                .p(.text("Born \(patient.birthDate) · MRN \(patient.mrn)")),
                .div(
                    .class("card"), .id("rx-context"),
                    .p(
                        .strong(.text("Allergies: ")),
                        .text(
                            allergies.isEmpty
                                ? "not recorded — ask before prescribing" : allergies.joined(separator: "; "))),
                    .p(
                        .strong(.text("Medicines reported: ")),
                        .text(medicines.isEmpty ? "none" : medicines.joined(separator: "; ")))),
                FormKit.errorSummary(errors.filter { $0.field != "safety" }),
                SafetyAlertsView(alerts: errors.filter { $0.field == "safety" }.map(\.message)).render(),
                .form(
                    .action(Site.patientPrescribe.path(patient.id)), .method(.post), .id("prescribe-form"),
                    .div(
                        FormKit.csrf(req),
                        .if(
                            errors.contains { $0.field == "safety" } && !preparing,
                            FormKit.field(
                                "Reason to prescribe anyway", name: "overrideReason", value: input.overrideReason,
                                errors: errors, hint: "Recorded with the prescription and in the audit trail.",
                                id: "override-reason")),
                        FormKit.select(
                            "Medication", name: "drugId", options: drugOptions.map { (value: $0.0, label: $0.1) },
                            selected: input.drugId, errors: errors),
                        FormKit.field(
                            "Directions (sig)", name: "sig", value: input.sig, errors: errors,
                            hint: "For example: Take 1 capsule by mouth every 6 hours for 7 days."),
                        .div(
                            .class("grid2"),
                            FormKit.field("Quantity", name: "quantity", value: input.quantity, errors: errors),
                            FormKit.field(
                                "Days supply", name: "daysSupply", value: input.daysSupply.map(String.init),
                                type: .number, errors: errors),
                            FormKit.field(
                                "Refills", name: "refills", value: input.refills.map(String.init) ?? "0", type: .number,
                                errors: errors,
                                hint: "Schedule II: none. Schedule III–IV: at most 5 within 6 months.")),
                        .label(
                            .class("check"),
                            .input(
                                .type(.checkbox), .name("dispenseAsWritten"), .value("1"),
                                .checked(input.dispenseAsWritten == true)),
                            .text(" Dispense as written (no substitution)")),
                        FormKit.select(
                            "Pharmacy", name: "pharmacyNcpdpid",
                            options: pharmacyOptions.map { (value: $0.0, label: $0.1) },
                            selected: input.pharmacyNcpdpid, errors: errors),
                        .p(
                            .a(
                                .href(Site.pharmacies.path() + "?patient=\(patient.id.uuidString)"),
                                .text("Search the pharmacy directory"))),
                        FormKit.select(
                            "Location", name: "locationId", options: locations.map { (value: $0.0, label: $0.1) },
                            selected: input.locationId?.uuidString, errors: errors),
                        .if(
                            preparing,
                            FormKit.select(
                                "Prescriber who will sign", name: "prescriberId",
                                options: [("", "Choose…")] + prescribers.map { (value: $0.0, label: $0.1) },
                                selected: input.prescriberId?.uuidString, errors: errors)),
                        .button(
                            .type(.submit), .id("save-draft"),
                            .text(preparing ? "Prepare for signing" : "Continue to signing"))
                    ))
            ))
    }
}

/// A prescription, its messages, and — for its prescriber — the signing screen (for controlled substances: the DEA
/// attestation and the authenticator code that is the legal signature).
package struct PrescriptionPage {
    package let rx: PrescriptionStore.RxDTO
    package let patient: PatientDTO
    package let prescriberName: String
    package let deaNumber: String?
    package let pharmacy: PharmacyDirectory.Entry?
    package let messages: [ScriptMessageRecord]
    package let canSign: Bool
    package let canCancel: Bool
    package let errors: [FieldError]

    package func render(for req: Request) -> String {
        func row(_ k: String, _ v: String?) -> Node<HTML.DescriptionListContext> {
            .group(.dt(.text(k)), .dd(.text(v ?? "—")))
        }
        return Layout.page(
            "Prescription", req: req,
            .div(
                .if(
                    req.query[String.self, at: "signed"] != nil,
                    .p(.class("notice"), .id("signed-notice"), .text("Signed and sent to the pharmacy."))),
                FormKit.errorSummary(errors.filter { $0.field != "safety" }),
                .h1(.text(rx.description)),
                SafetyAlertsView(
                    alerts: errors.contains { $0.field == "safety" }
                        ? errors.filter { $0.field == "safety" }.map(\.message) : rx.safetyAlerts.map(\.message),
                    override: rx.overrideReason.map { ($0, rx.overrideBy ?? "") }
                ).render(),
                .p(
                    .text("Status: "), .strong(.id("rx-status"), .text(rx.status.rawValue)),
                    .unwrap(rx.statusDetail) { .text(" — " + $0) }),
                .div(
                    .class("card"),
                    .dl(
                        .class("kv"),
                        row("Patient", "\(patient.familyName), \(patient.givenName) · born \(patient.birthDate)"),
                        row("Directions", rx.sig), row("Quantity", rx.quantity),
                        row("Days supply", String(rx.daysSupply)), row("Refills", String(rx.refills)),
                        row("Schedule", rx.schedule ?? "not controlled"),
                        row(
                            "Prescriber",
                            prescriberName + (rx.controlled ? " · DEA \(deaNumber ?? "none on file")" : "")),
                        row(
                            "Pharmacy", pharmacy.map { "\($0.name), \($0.address), \($0.city) · NCPDPID \($0.ncpdpid)" }
                        ), row("Prepared by", rx.preparedBy),
                        row("Written", rx.writtenDate))),
                .if(
                    canSign,
                    .form(
                        .class("card"), .id(rx.controlled ? "epcs-signing" : "signing"),
                        .action(Site.prescriptionSign.path(rx.id)), .method(.post),
                        .div(
                            FormKit.csrf(req),
                            .h2(.text(rx.controlled ? "Sign a controlled-substance prescription" : "Sign and send")),
                            .if(
                                rx.controlled,
                                .group(
                                    .p(.id("dea-attestation"), .text(PrescribingRules.deaAttestation)),
                                    FormKit.field(
                                        "Code from your authenticator app", name: "otp", errors: errors,
                                        autocomplete: "one-time-code"))),
                            .if(
                                (!rx.safetyAlerts.isEmpty && rx.overrideReason == nil)
                                    || errors.contains { $0.field == "safety" },
                                FormKit.field(
                                    "Reason to prescribe anyway", name: "overrideReason", errors: errors,
                                    hint: "The safety check warns (above). Recorded with the prescription.",
                                    id: "override-reason")),
                            .button(
                                .type(.submit), .id("sign"),
                                .text(rx.controlled ? "Sign with two-factor authentication" : "Sign and send"))))),
                .if(
                    canCancel && rx.status.isCancellable,
                    .form(
                        .action(Site.prescriptionCancel.path(rx.id)), .method(.post),
                        .div(
                            FormKit.csrf(req),
                            .button(.type(.submit), .id("cancel-rx"), .text("Cancel at the pharmacy (CancelRx)"))))),
                .if(
                    !messages.isEmpty,
                    .group(
                        .h2(.text("SCRIPT messages")),
                        .div(
                            .class("scroll"), Scrollable.focusable(),
                            .table(
                                .tr(
                                    .th(.text("When (UTC)")), .th(.text("Direction")), .th(.text("Message")),
                                    .th(.text("State"))),
                                .forEach(messages) { m in
                                    .tr(
                                        .class("script-message"),
                                        .td(.text(Format.utc(m.createdAt, "yyyy-MM-dd HH:mm:ss"))),
                                        .td(.text(m.direction.rawValue)),
                                        .td(.text("\(m.type) \(m.messageID)")),
                                        .td(
                                            .text(
                                                m.status.rawValue
                                                    + (m.errorCode.map { " · Error \($0) \(m.errorText ?? "")" } ?? ""))
                                        ))
                                }))))
            ))
    }
}

package struct PharmacySearchPage {
    package let q: String?
    package let rows: [PharmacyDirectory.Entry]
    package let patient: UUID?

    package func render(for req: Request) -> String {
        Layout.page(
            "Pharmacies", req: req,
            .div(
                .h1(.text("Pharmacy directory")),
                .form(
                    .action(Site.pharmacies.path()), .method(.get),
                    .div(
                        FormKit.field("Name, city, postal code or NCPDPID", name: "q", value: q),
                        .unwrap(patient) { .input(.type(.hidden), .name("patient"), .value($0.uuidString)) },
                        .button(.type(.submit), .id("search-pharmacies"), .text("Search")))),
                .ul(
                    .class("plain"), .id("pharmacies"),
                    .forEach(rows) { p in
                        .li(
                            .strong(.text(p.name)),
                            .text(" · \(p.address), \(p.city) \(p.postalCode) · NCPDPID \(p.ncpdpid)"),
                            .if(!p.acceptsControlled, .text(" · no controlled substances")),
                            .unwrap(patient) {
                                .group(
                                    .text(" "),
                                    .a(
                                        .href(Site.patientPrescribe.path($0) + "?pharmacy=\(p.ncpdpid)"),
                                        .text("Use this pharmacy")))
                            })
                    })
            ))
    }
}

package struct RefillQueuePage {
    package let items: [RefillStore.QueueItem]
    package let done: String?
    package let errors: [FieldError]
    /// Times in the practice's own zone.
    package var zone = TimeZone(identifier: "UTC")!

    package func render(for req: Request) -> String {
        Layout.page(
            "Refills", req: req,
            .div(
                .unwrap(done) { .p(.class("notice"), .id("refill-done"), .text("Request \($0).")) },
                FormKit.errorSummary(errors),
                .h1(.text("Refill requests")),
                .if(items.isEmpty, .p(.id("no-refills"), .text("No requests waiting for you."))),
                .forEach(items) { i in
                    .div(
                        .class("card refill"), .attribute(named: "data-id", value: i.id.uuidString),
                        .h2(
                            .a(.href(Site.patient.path(i.patientId)), .text(i.patientName)),
                            .text(" · \(i.prescription.description)")),
                        .p(
                            .text(
                                "From the \(i.source) · "
                                    + Format.local(i.createdAt, zone: zone, now: req.now) + " · routed "
                                    + "to \(i.routedToName) (\(i.routeReason))"
                            )),
                        .p(
                            .text(
                                "Last written \(i.prescription.writtenDate ?? "—"): \(i.prescription.quantity), "
                                    + "\(i.prescription.daysSupply) days, \(i.prescription.refills) refills; "
                                    + "\(i.prescription.sig)"
                            )),
                        .details(
                            .summary(
                                .text(
                                    "History: \(i.history.count) prescriptions of this drug, \(i.earlierRequests) "
                                        + "earlier requests"
                                )),
                            .ul(
                                .forEach(i.history) { h in
                                    .li(
                                        .text(
                                            "\(h.writtenDate ?? "draft") · \(h.quantity) · \(h.refills) refills · "
                                                + "\(h.status)"
                                        ))
                                })),
                        .form(
                            .action(Site.refillDecide.path(i.id)), .method(.post),
                            .div(
                                FormKit.csrf(req),
                                FormKit.select(
                                    "Decision", name: "decision",
                                    options: [
                                        ("approve", "Approve"), ("deny", "Deny"),
                                        ("replace", "Replace (pharmacy requests)"),
                                    ], selected: "approve"),
                                FormKit.field(
                                    "Refills granted", name: "refills", value: String(i.prescription.refills),
                                    type: .number),
                                FormKit.select(
                                    "Denial reason", name: "reasonCode",
                                    options: [("", "—")]
                                        + RefillStore.denialCodes.map { (value: $0.0, label: "\($0.0): \($0.1)") },
                                    selected: nil),
                                FormKit.field("Note", name: "note"),
                                .if(
                                    i.prescription.controlled,
                                    .group(
                                        .p(.text(PrescribingRules.deaAttestation)),
                                        FormKit.field("Authenticator code", name: "otp", autocomplete: "one-time-code"))
                                ),
                                .details(
                                    .summary(.text("Replacement (for Replace)")),
                                    FormKit.select(
                                        "Medication", name: "drugId",
                                        options: [("", "—")]
                                            + Formulary.drugs.filter { $0.schedule == nil }.map {
                                                (value: $0.id, label: $0.description)
                                            }, selected: nil),
                                    FormKit.field("Directions", name: "sig"),
                                    FormKit.field("Quantity", name: "quantity"),
                                    FormKit.field("Days supply", name: "daysSupply", type: .number)),
                                .button(.type(.submit), .class("decide"), .text("Send decision")))))
                }
            ))
    }
}

package struct EPCSPage {
    package let grants: [EPCSStore.GrantDTO]
    package let prescribers: [(UUID, String, String?, String?)]
    package let canManage: Bool
    package let me: UUID?
    package let notice: String?
    package let errors: [FieldError]

    package func render(for req: Request) -> String {
        let names = Dictionary(uniqueKeysWithValues: prescribers.map { ($0.0, $0.1) })
        return Layout.page(
            "EPCS", req: req,
            .div(
                .unwrap(notice) { .p(.class("notice"), .id("epcs-done"), .text("Done: \($0).")) },
                FormKit.errorSummary(errors),
                .h1(.text("Controlled-substance prescribing (EPCS)")),
                .p(
                    .text(
                        "A permission is entered by one person and approved by a second, a DEA registrant, with "
                            + "their authenticator code. "
                    ), .a(.href(Site.epcsReport.path()), .text("Daily EPCS audit report"))),
                .div(
                    .class("scroll"), Scrollable.focusable(),
                    .table(
                        .tr(.th(.text("Prescriber")), .th(.text("NPI")), .th(.text("DEA")), .th(.text("Permission"))),
                        .forEach(prescribers) { p in
                            let g = grants.first {
                                $0.prescriberId == p.0 && ($0.status == .pending || $0.status == .active)
                            }
                            return .tr(
                                .td(.text(p.1)), .td(.text(p.2 ?? "—")), .td(.text(p.3 ?? "—")),
                                .td(.class("grant-status"), .text(g?.status.rawValue ?? "none")))
                        })),
                .if(
                    canManage,
                    .group(
                        .form(
                            .class("card"), .action(Site.epcs.path()), .method(.post),
                            .div(
                                FormKit.csrf(req), .h2(.text("NPI and DEA number")),
                                .input(.type(.hidden), .name("action"), .value("credentials")),
                                FormKit.select(
                                    "Prescriber", name: "userId",
                                    options: prescribers.map { (value: $0.0.uuidString, label: $0.1) }, selected: nil,
                                    errors: errors),
                                FormKit.field("NPI", name: "npi", errors: errors),
                                FormKit.field("DEA number", name: "deaNumber", errors: errors),
                                .button(.type(.submit), .id("save-credentials"), .text("Save")))),
                        .form(
                            .class("card"), .action(Site.epcs.path()), .method(.post),
                            .div(
                                FormKit.csrf(req), .h2(.text("Enter a permission")),
                                .input(.type(.hidden), .name("action"), .value("enter")),
                                FormKit.select(
                                    "Prescriber", name: "prescriberId",
                                    options: prescribers.filter { $0.3 != nil }.map {
                                        (value: $0.0.uuidString, label: $0.1)
                                    }, selected: nil, errors: errors),
                                .button(.type(.submit), .id("enter-grant"), .text("Enter (a second person approves)"))))
                    )),
                .h2(.text("Permissions")),
                .forEach(grants) { g in
                    .div(
                        .class("card grant"), .attribute(named: "data-status", value: g.status.rawValue),
                        .p(
                            .strong(.text(g.prescriberName)),
                            .text(
                                " · \(g.status) · entered by \(names[g.enteredBy] ?? "an admin") "
                                    + "\(Format.utc(g.enteredAt, "yyyy-MM-dd HH:mm")) UTC"
                            )),
                        .if(
                            g.status == .pending && g.enteredBy != me && g.prescriberId != me,
                            .form(
                                .action(Site.epcs.path()), .method(.post),
                                .div(
                                    FormKit.csrf(req),
                                    .input(.type(.hidden), .name("grantId"), .value(g.id.uuidString)),
                                    FormKit.field(
                                        "Your authenticator code", name: "otp", autocomplete: "one-time-code"),
                                    .button(
                                        .type(.submit), .name("action"), .value("approve"), .class("approve-grant"),
                                        .text("Approve")), .text(" "),
                                    .button(.type(.submit), .name("action"), .value("reject"), .text("Reject"))))),
                        .if(
                            g.status == .active && canManage,
                            .form(
                                .action(Site.epcs.path()), .method(.post),
                                .div(
                                    FormKit.csrf(req),
                                    .input(.type(.hidden), .name("grantId"), .value(g.id.uuidString)),
                                    .input(.type(.hidden), .name("action"), .value("revoke")),
                                    .button(.type(.submit), .text("Revoke"))))))
                }
            ))
    }
}

package struct EPCSReportPage {
    package let r: EPCSStore.Report

    package func render(for req: Request) -> String {
        Layout.page(
            "EPCS report", req: req,
            .div(
                .h1(.text("EPCS audit report · \(r.day) (UTC)")),
                .form(
                    .action(Site.epcsReport.path()), .method(.get),
                    .div(
                        FormKit.field("Day", name: "date", value: r.day, type: .date),
                        .button(.type(.submit), .text("Show")))),
                .p(
                    .id("epcs-summary"),
                    .text(
                        "\(r.signatures) signatures · \(r.refusedSignatures) refused signing attempts · "
                            + "\(r.accessControlChanges) access-control changes · \(r.deniedAccess) denied access "
                            + "attempts"
                    )),
                .h2(.text("Incidents to review (\(r.incidents.count))")),
                .if(r.incidents.isEmpty, .p(.text("None."))),
                .ul(
                    .id("epcs-incidents"),
                    .forEach(r.incidents) { e in
                        .li(.text("#\(e.seq) \(Format.utc(e.at, "HH:mm:ss")) \(e.username): \(e.detail)"))
                    }),
                .h2(.text("All EPCS events")),
                .div(
                    .class("scroll"), Scrollable.focusable(),
                    .table(
                        .tr(
                            .th(.text("#")), .th(.text("Time")), .th(.text("Who")), .th(.text("What")),
                            .th(.text("Outcome")), .th(.text("Detail"))),
                        .forEach(r.events) { e in
                            .tr(
                                .class("epcs-event"), .td(.text(String(e.seq))),
                                .td(.text(Format.utc(e.at, "HH:mm:ss"))), .td(.text(e.username)),
                                .td(.text(e.entity)), .td(.text(e.outcome.rawValue)), .td(.text(e.detail)))
                        }))
            ))
    }
}

package struct PortalRefillsPage {
    package let meds: [PrescriptionStore.RxDTO]
    package let pending: Set<UUID>
    package let done: Bool
    package let error: String?

    package func render(for req: Request) -> String {
        let t = req.tr
        return Layout.page(
            "Refills", req: req,
            .div(
                .if(
                    done,
                    .p(.class("notice"), .id("refill-requested"), .text(t("Your request was sent to your provider.")))),
                .unwrap(error) {
                    .p(.class("notice bad"), .attribute(named: "role", value: "alert"), .text(t.message($0)))
                },
                .h1(.text(t("My medicines"))),
                .if(meds.isEmpty, .p(.text(t("No current prescriptions.")))),
                .ul(
                    .class("plain"),
                    .forEach(meds) { m in
                        .li(
                            .class("medicine"), .strong(.text(m.description)), .text(" · \(m.sig)"),
                            pending.contains(m.id)
                                ? .p(.text(t("Refill requested — waiting for your provider.")))
                                : .form(
                                    .action(Site.portalRefill.path(m.id)), .method(.post),
                                    .div(
                                        FormKit.csrf(req),
                                        .button(.type(.submit), .class("request-refill"), .text(t("Request a refill"))))
                                ))
                    })
            ))
    }
}

/// The chart's prescription card: the medication list and history.
package struct PrescriptionChartSection {
    package let rows: [PrescriptionStore.RxDTO]
    package let canPrescribe: Bool

    package func render(patientID: UUID) -> Node<HTML.BodyContext> {
        .div(
            .class("card"), .id("prescriptions"),
            .h2(.text("Prescriptions")),
            .if(
                canPrescribe,
                .p(
                    .a(
                        .class("button"), .href(Site.patientPrescribe.path(patientID)), .id("prescribe"),
                        .text("Prescribe")))),
            .if(rows.isEmpty, .p(.text("None."))),
            .ul(
                .class("plain"),
                .forEach(rows) { r in
                    .li(
                        .a(.href(Site.prescription.path(r.id)), .text(r.description)),
                        .text(" · \(r.writtenDate ?? "draft") · \(r.status)"),
                        .unwrap(r.schedule) { .span(.class("badge"), .text($0)) })
                }))
    }

    package init(rows: [PrescriptionStore.RxDTO], canPrescribe: Bool) {
        self.rows = rows
        self.canPrescribe = canPrescribe
    }
}

/// Drug–allergy and duplicate-therapy warnings, and the override when there is one.
package struct SafetyAlertsView {
    package let alerts: [String]
    package var override: (reason: String, by: String)?

    package init(alerts: [String], override: (String, String)? = nil) {
        self.alerts = alerts
        self.override = override.map { (reason: $0.0, by: $0.1) }
    }

    package func render() -> Node<HTML.BodyContext> {
        .if(
            !alerts.isEmpty,
            .div(
                .class("notice bad"), .id("safety-alerts"), .attribute(named: "role", value: "alert"),
                .strong(.text("Safety check")),
                .ul(.forEach(alerts) { .li(.text($0)) }),
                .unwrap(override) { o in
                    .p(.id("override"), .text("Prescribed anyway by \(o.by): \(o.reason)"))
                }))
    }
}
