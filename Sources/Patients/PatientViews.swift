import Vapor
import Plot
import Domain
import AppCore
import Locations

package struct PatientListPage {
    package struct Row {
        package let id: UUID, mrn: String, name: String, birthDate: String, sex: String, synthetic: Bool
        package init(_ p: PatientDTO) {
            id = p.id
            mrn = p.mrn
            name = "\(p.familyName), \(p.givenName)"
            birthDate = p.birthDate
            sex = p.sex
            synthetic = p.synthetic
        }
    }
    package let query: String
    package let rows: [Row]
    package let errors: [FieldError]
    package let canRegister: Bool

    package func render(for req: Request) -> String {
        Layout.page(
            "Patients", req: req,
            .div(
                .h1(.text("Patients")),
                .div(
                    .class("card"),
                    .form(
                        .action(Site.patients.path()), .method(.get),
                        .div(
                            FormKit.field(
                                "Search by name, date of birth (YYYY-MM-DD) or MRN", name: "q", value: query,
                                errors: errors.map { FieldError("q", $0.message) }),
                            .button(.type(.submit), .id("search"), .text("Search"))
                        )),
                    .if(
                        canRegister,
                        .p(
                            .a(
                                .class("button"), .href(Site.patientsNew.path()), .id("register"),
                                .text("Register a patient"))))
                ),
                .p(.text(query.isEmpty ? "Recently updated:" : "\(rows.count) found.")),
                .div(
                    .class("scroll"), Scrollable.focusable(),
                    .table(
                        .id("patients"),
                        .thead(
                            .tr(.th(.text("MRN")), .th(.text("Name")), .th(.text("Date of birth")), .th(.text("Sex")))),
                        .tbody(
                            .forEach(rows) { r in
                                .tr(
                                    .td(.text(r.mrn)),
                                    .td(
                                        .a(.href(Site.patient.path(r.id)), .text(r.name)),
                                        .if(r.synthetic, .span(.class("badge synthetic"), .text("synthetic")))),
                                    .td(.text(r.birthDate)), .td(.text(r.sex)))
                            })
                    ))
            ))
    }
}

package struct PatientFormPage {
    package enum Mode { case create, edit(UUID) }
    package let mode: Mode
    package let form: PatientPagesController.PatientForm
    package let locations: [LocationRecord]
    package var errors: [FieldError] = []
    package var duplicateWarning: String?
    package var staleWarning: String?

    package func render(for req: Request) -> String {
        let (title, action): (String, String) =
            switch mode {
            case .create: ("Register a patient", Site.patients.path())
            case .edit(let id): ("Edit patient", Site.patientEdit.path(id))
            }
        let f = form
        let locOptions = [(value: "", label: "—")] + locations.options { $0.name }
        let sexOptions =
            [(value: "", label: "—")] + Sex.allCases.map { (value: $0.rawValue, label: $0.rawValue.capitalized) }
        return Layout.page(
            title, req: req,
            .div(
                .class("card"),
                .h1(.text(title)),
                FormKit.errorSummary(errors),
                .unwrap(staleWarning) {
                    .p(.class("notice warn"), .attribute(named: "role", value: "alert"), .text($0))
                },
                .form(
                    .action(action), .method(.post), .novalidate(),
                    .div(
                        FormKit.csrf(req),
                        .input(.type(.hidden), .name("version"), .value(f.version ?? "")),
                        .unwrap(duplicateWarning) { w in
                            .div(
                                .class("notice warn"), .attribute(named: "role", value: "alert"),
                                .id("duplicate-warning"),
                                .p(.text(w)),
                                .label(
                                    .input(
                                        .type(.checkbox), .name("acknowledgeDuplicate"), .id("acknowledgeDuplicate")),
                                    .text(" This is a different person: register anyway")))
                        },
                        .h2(.text("Demographics")),
                        .div(
                            .class("grid2"),
                            FormKit.field(
                                "Family name", name: "familyName", value: f.familyName, errors: errors, required: true),
                            FormKit.field(
                                "Given name", name: "givenName", value: f.givenName, errors: errors, required: true),
                            FormKit.field(
                                "Date of birth", name: "birthDate", value: f.birthDate, type: .date, errors: errors,
                                required: true),
                            FormKit.select(
                                "Sex", name: "sex", options: sexOptions, selected: f.sex, errors: errors, required: true
                            ),
                            FormKit.select(
                                "Preferred location", name: "preferredLocationID", options: locOptions,
                                selected: f.preferredLocationID, errors: errors),
                            FormKit.select(
                                "Language for the portal and messages", name: "preferredLanguage",
                                options: PatientLanguage.allCases.map { ($0.rawValue, $0.name) },
                                selected: f.preferredLanguage ?? PatientLanguage.en.rawValue, errors: errors)),
                        .h2(.text("Contact")),
                        .div(
                            .class("grid2"),
                            FormKit.field("Email", name: "email", value: f.email, type: .email, errors: errors),
                            FormKit.field("Phone", name: "phone", value: f.phone, type: .tel, errors: errors),
                            FormKit.field(
                                "Address line 1", name: "addressLine1", value: f.addressLine1, errors: errors),
                            FormKit.field(
                                "Address line 2", name: "addressLine2", value: f.addressLine2, errors: errors),
                            FormKit.field("City", name: "city", value: f.city, errors: errors),
                            FormKit.field("State", name: "state", value: f.state, errors: errors),
                            FormKit.field("Postal code", name: "postalCode", value: f.postalCode, errors: errors)),
                        .h2(.text("Insurance")),
                        .div(
                            .class("grid2"),
                            FormKit.field("Payer", name: "insurancePayer", value: f.insurancePayer, errors: errors),
                            FormKit.field(
                                "Member ID", name: "insuranceMemberID", value: f.insuranceMemberID, errors: errors),
                            FormKit.field("Group", name: "insuranceGroup", value: f.insuranceGroup, errors: errors)),
                        .button(.type(.submit), .id("save"), .text("Save"))
                    ))
            ))
    }
}

package struct HistoryPage {
    package let patientID: UUID
    package let versions: [PatientVersionDTO]

    package func render(for req: Request) -> String {
        Layout.page(
            "Record history", req: req,
            .div(
                .h1(.text("Record history")),
                .p(.a(.href(Site.patient.path(patientID)), .text("Back to the chart"))),
                .div(
                    .class("scroll"), Scrollable.focusable(),
                    .table(
                        .id("history"),
                        .thead(
                            .tr(
                                .th(.text("Version")), .th(.text("When (UTC)")), .th(.text("By")),
                                .th(.text("Changed")), .th(.text("Name")), .th(.text("Birth date")))),
                        .tbody(
                            .forEach(versions) { v in
                                .tr(
                                    .td(.text(String(v.version))), .td(.text(Format.utc(v.changedAt))),
                                    .td(.text(v.changedBy)),
                                    .td(.text(v.changedFields.joined(separator: ", "))),
                                    .td(.text("\(v.snapshot.familyName), \(v.snapshot.givenName)")),
                                    .td(.text(v.snapshot.birthDate)))
                            })
                    ))
            ))
    }
}

package struct PrintPage {
    package let patient: PatientDTO
    package let locationName: String?
    package let printedBy: String
    package let printedAt: Date

    package func render(for req: Request) -> String {
        let p = patient
        return Layout.page(
            "Chart summary", req: req,
            .div(
                .class("card"),
                .h1(.text("Chart summary: \(p.familyName), \(p.givenName)")),
                .p(.text("MRN \(p.mrn) · born \(p.birthDate) · \(p.sex)")),
                .p(.text("Location: \(locationName ?? "—") · Phone: \(p.phone ?? "—") · Email: \(p.email ?? "—")")),
                .p(
                    .text(
                        "Insurance: \(p.insurancePayer ?? "—") \(p.insuranceMemberID ?? "") "
                            + "\(p.insuranceGroup ?? "")")),
                .p(
                    .small(
                        .text(
                            "Printed by \(printedBy) at \(Format.utc(printedAt)) UTC. Contains protected health "
                                + "information."
                        )))
            ))
    }
}
