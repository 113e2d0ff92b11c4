import Vapor
import Plot
import Domain
import AppCore
import ClinicalRecord
import Encounters
import Patients
import Prescribing
import CarePathways

package struct ChartPage {
    package let patient: PatientDTO
    package let locationName: String?
    package let registered: Bool
    package let saved: Bool
    package let canEdit: Bool
    package let canRetire: Bool
    package var canInvite = false
    package var notice: String?
    package var inviteErrors: [FieldError] = []
    package var pathway: PathwayChartSection?
    /// The clinical summary, first after the name (clinical staff only).
    package var clinical: ClinicalChartSection?
    package var vitals: VitalsChartSection?
    /// Visits and their notes, appointments around today.
    package var notes: NotesChartSection?
    package var prescriptions: PrescriptionChartSection?

    package func render(for req: Request) -> String {
        let p = patient
        let address = [
            p.addressLine1, p.addressLine2, [p.city, p.state, p.postalCode].compactMap { $0 }.joined(separator: " "),
        ]
        .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
        func row(_ k: String, _ v: String?) -> Node<HTML.DescriptionListContext> {
            .group(.dt(.text(k)), .dd(.text((v?.isEmpty ?? true) ? "—" : v!)))
        }
        return Layout.page(
            "Patient chart", req: req,
            .div(
                .if(registered, .p(.class("notice"), .text("Patient registered with MRN \(p.mrn)."))),
                .if(saved, .p(.class("notice"), .text("Changes saved."))),
                .if(p.retired, .p(.class("notice bad"), .text("This record is retired."))),
                .unwrap(notice) { .p(.class("notice"), .id("chart-notice"), .text($0)) },
                .unwrap(pathway) { $0.banner() },
                .h1(
                    .id("patient-name"), .text("\(p.familyName), \(p.givenName)"),
                    .if(p.synthetic, .span(.class("badge synthetic"), .text("synthetic")))),
                .unwrap(clinical) { $0.render(req, patientID: p.id) },
                .unwrap(vitals) { $0.render(req, patientID: p.id) },
                .unwrap(notes) { $0.render(req, patientID: p.id) },
                // What the clinician reads next: the pathway's state and tasks, then the prescriptions.
                .unwrap(pathway) { $0.render(req, patientID: p.id) },
                .unwrap(prescriptions) { $0.render(patientID: p.id) },
                .div(
                    .class("card"),
                    .h2(.text("Demographics")),
                    .dl(
                        .class("kv"),
                        row("MRN", p.mrn), row("Date of birth", p.birthDate), row("Sex", p.sex),
                        row("Preferred location", locationName), row("Record version", String(p.version)))),
                .div(
                    .class("card"),
                    .h2(.text("Contact")),
                    .dl(.class("kv"), row("Email", p.email), row("Phone", p.phone), row("Address", address))),
                .div(
                    .class("card"),
                    .h2(.text("Insurance")),
                    .dl(
                        .class("kv"), row("Payer", p.insurancePayer), row("Member ID", p.insuranceMemberID),
                        row("Group", p.insuranceGroup))),
                .p(
                    .class("noprint"),
                    .if(
                        canEdit && !p.retired,
                        .a(.class("button"), .href(Site.patientEdit.path(p.id)), .id("edit"), .text("Edit"))),
                    .text(" "),
                    .a(.class("button"), .href(Site.patientHistory.path(p.id)), .text("History")),
                    .text(" "),
                    .a(.class("button"), .href(Site.patientPrint.path(p.id)), .text("Print")),
                    .text(" "),
                    .a(.class("button"), .href(Site.patientWounds.path(p.id)), .id("wounds"), .text("Wounds")),
                    .text(" "),
                    .if(
                        !p.retired,
                        .a(
                            .class("button"), .href(Site.scheduleBook.path() + "?patient=\(p.id.uuidString)"),
                            .id("book-for-patient"), .text("Book")))),
                .if(
                    canInvite && !p.retired,
                    .div(
                        .class("card noprint"), .id("portal-invite"),
                        .h2(.text("Patient portal")),
                        FormKit.errorSummary(inviteErrors),
                        .form(
                            .action(Site.patientInvite.path(p.id)), .method(.post),
                            .div(
                                FormKit.csrf(req),
                                FormKit.select(
                                    "Send the invitation by", name: "channel",
                                    options: [("email", "Email"), ("sms", "Text message")], selected: "email",
                                    errors: inviteErrors),
                                FormKit.field(
                                    "Batch (for adoption figures)", name: "batch", value: "default",
                                    errors: inviteErrors),
                                .button(.type(.submit), .id("send-invite"), .text("Invite to the portal"))
                            )))),
                .if(
                    canRetire && !p.retired,
                    .form(
                        .class("noprint"), .action(Site.patientRetire.path(p.id)), .method(.post),
                        .div(
                            FormKit.csrf(req),
                            .button(.type(.submit), .text("Retire this record"))
                        )))
            ))
    }
}
