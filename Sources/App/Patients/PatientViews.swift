import Vapor
import Plot
import Domain

package struct PatientListPage {
    package struct Row {
        package let id: UUID, mrn: String, name: String, birthDate: String, sex: String, synthetic: Bool
        package init(_ p: PatientRecord) {
            id = p.id!
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
        Layout.page("Patients", req: req, .div(
            .h1(.text("Patients")),
            .div(.class("card"),
                .form(.action("/patients"), .method(.get), .div(
                    FormKit.field("Search by name, date of birth (YYYY-MM-DD) or MRN", name: "q", value: query, errors: errors.map { FieldError("q", $0.message) }),
                    .button(.type(.submit), .id("search"), .text("Search"))
                )),
                .if(canRegister, .p(.a(.class("button"), .href("/patients/new"), .id("register"), .text("Register a patient"))))
            ),
            .p(.text(query.isEmpty ? "Recently updated:" : "\(rows.count) found.")),
            .div(.class("scroll"), .table(.id("patients"),
                .thead(.tr(.th(.text("MRN")), .th(.text("Name")), .th(.text("Date of birth")), .th(.text("Sex")))),
                .tbody(.forEach(rows) { r in
                    .tr(.td(.text(r.mrn)),
                        .td(.a(.href("/patients/\(r.id.uuidString)"), .text(r.name)), .if(r.synthetic, .span(.class("badge synthetic"), .text("synthetic")))),
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
        let (title, action): (String, String) = switch mode {
        case .create: ("Register a patient", "/patients")
        case .edit(let id): ("Edit patient", "/patients/\(id.uuidString)/edit")
        }
        let f = form
        let locOptions = [(value: "", label: "—")] + locations.map { (value: $0.id!.uuidString, label: $0.name) }
        let sexOptions = [(value: "", label: "—")] + Sex.allCases.map { (value: $0.rawValue, label: $0.rawValue.capitalized) }
        return Layout.page(title, req: req, .div(.class("card"),
            .h1(.text(title)),
            FormKit.errorSummary(errors),
            .unwrap(staleWarning) { .p(.class("notice warn"), .attribute(named: "role", value: "alert"), .text($0)) },
            .form(.action(action), .method(.post), .novalidate(), .div(
                FormKit.csrf(req),
                .input(.type(.hidden), .name("version"), .value(f.version ?? "")),
                .unwrap(duplicateWarning) { w in
                    .div(.class("notice warn"), .attribute(named: "role", value: "alert"), .id("duplicate-warning"),
                         .p(.text(w)),
                         .label(.input(.type(.checkbox), .name("acknowledgeDuplicate"), .id("acknowledgeDuplicate")),
                                .text(" This is a different person: register anyway")))
                },
                .h2(.text("Demographics")),
                .div(.class("grid2"),
                    FormKit.field("Family name", name: "familyName", value: f.familyName, errors: errors, required: true),
                    FormKit.field("Given name", name: "givenName", value: f.givenName, errors: errors, required: true),
                    FormKit.field("Date of birth", name: "birthDate", value: f.birthDate, type: .date, errors: errors, required: true),
                    FormKit.select("Sex", name: "sex", options: sexOptions, selected: f.sex, errors: errors, required: true),
                    FormKit.select("Preferred location", name: "preferredLocationID", options: locOptions, selected: f.preferredLocationID, errors: errors)),
                .h2(.text("Contact")),
                .div(.class("grid2"),
                    FormKit.field("Email", name: "email", value: f.email, type: .email, errors: errors),
                    FormKit.field("Phone", name: "phone", value: f.phone, type: .tel, errors: errors),
                    FormKit.field("Address line 1", name: "addressLine1", value: f.addressLine1, errors: errors),
                    FormKit.field("Address line 2", name: "addressLine2", value: f.addressLine2, errors: errors),
                    FormKit.field("City", name: "city", value: f.city, errors: errors),
                    FormKit.field("State", name: "state", value: f.state, errors: errors),
                    FormKit.field("Postal code", name: "postalCode", value: f.postalCode, errors: errors)),
                .h2(.text("Insurance")),
                .div(.class("grid2"),
                    FormKit.field("Payer", name: "insurancePayer", value: f.insurancePayer, errors: errors),
                    FormKit.field("Member ID", name: "insuranceMemberID", value: f.insuranceMemberID, errors: errors),
                    FormKit.field("Group", name: "insuranceGroup", value: f.insuranceGroup, errors: errors)),
                .button(.type(.submit), .id("save"), .text("Save"))
            ))
        ))
    }
}

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
    package var prescriptions: PrescriptionChartSection?

    package func render(for req: Request) -> String {
        let p = patient
        let address = [p.addressLine1, p.addressLine2, [p.city, p.state, p.postalCode].compactMap { $0 }.joined(separator: " ")]
            .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
        func row(_ k: String, _ v: String?) -> Node<HTML.DescriptionListContext> {
            .group(.dt(.text(k)), .dd(.text((v?.isEmpty ?? true) ? "—" : v!)))
        }
        return Layout.page("Patient chart", req: req, .div(
            .if(registered, .p(.class("notice"), .text("Patient registered with MRN \(p.mrn)."))),
            .if(saved, .p(.class("notice"), .text("Changes saved."))),
            .if(p.retired, .p(.class("notice bad"), .text("This record is retired."))),
            .unwrap(notice) { .p(.class("notice"), .id("chart-notice"), .text($0)) },
            .unwrap(pathway) { $0.banner() },
            .h1(.id("patient-name"), .text("\(p.familyName), \(p.givenName)"), .if(p.synthetic, .span(.class("badge synthetic"), .text("synthetic")))),
            .div(.class("card"),
                .h2(.text("Demographics")),
                .dl(.class("kv"),
                    row("MRN", p.mrn), row("Date of birth", p.birthDate), row("Sex", p.sex),
                    row("Preferred location", locationName), row("Record version", String(p.version)))),
            .div(.class("card"),
                .h2(.text("Contact")),
                .dl(.class("kv"), row("Email", p.email), row("Phone", p.phone), row("Address", address))),
            .div(.class("card"),
                .h2(.text("Insurance")),
                .dl(.class("kv"), row("Payer", p.insurancePayer), row("Member ID", p.insuranceMemberID), row("Group", p.insuranceGroup))),
            .p(.class("noprint"),
                .if(canEdit && !p.retired, .a(.class("button"), .href("/patients/\(p.id.uuidString)/edit"), .id("edit"), .text("Edit"))),
                .text(" "),
                .a(.class("button"), .href("/patients/\(p.id.uuidString)/history"), .text("History")),
                .text(" "),
                .a(.class("button"), .href("/patients/\(p.id.uuidString)/print"), .text("Print")),
                .text(" "),
                .a(.class("button"), .href("/patients/\(p.id.uuidString)/wounds"), .id("wounds"), .text("Wounds")),
                .text(" "),
                .if(!p.retired, .a(.class("button"), .href("/schedule/book?patient=\(p.id.uuidString)"), .id("book-for-patient"), .text("Book")))),
            .unwrap(prescriptions) { $0.render(patientID: p.id) },
            .unwrap(pathway) { $0.render(req, patientID: p.id) },
            .if(canInvite && !p.retired, .div(.class("card noprint"), .id("portal-invite"),
                .h2(.text("Patient portal")),
                FormKit.errorSummary(inviteErrors),
                .form(.action("/patients/\(p.id.uuidString)/invite"), .method(.post), .div(
                    FormKit.csrf(req),
                    FormKit.select("Send the invitation by", name: "channel", options: [("email", "Email"), ("sms", "Text message")], selected: "email", errors: inviteErrors),
                    FormKit.field("Batch (for adoption figures)", name: "batch", value: "default", errors: inviteErrors),
                    .button(.type(.submit), .id("send-invite"), .text("Invite to the portal"))
                )))),
            .if(canRetire && !p.retired, .form(.class("noprint"), .action("/patients/\(p.id.uuidString)/retire"), .method(.post), .div(
                FormKit.csrf(req),
                .button(.type(.submit), .text("Retire this record"))
            )))
        ))
    }
}

package struct HistoryPage {
    package let patientID: UUID
    package let versions: [PatientVersionDTO]

    package func render(for req: Request) -> String {
        Layout.page("Record history", req: req, .div(
            .h1(.text("Record history")),
            .p(.a(.href("/patients/\(patientID.uuidString)"), .text("Back to the chart"))),
            .div(.class("scroll"), .table(.id("history"),
                .thead(.tr(.th(.text("Version")), .th(.text("When (UTC)")), .th(.text("By")), .th(.text("Changed")), .th(.text("Name")), .th(.text("Birth date")))),
                .tbody(.forEach(versions) { v in
                    .tr(.td(.text(String(v.version))), .td(.text(Format.utc(v.changedAt))), .td(.text(v.changedBy)),
                        .td(.text(v.changedFields.joined(separator: ", "))),
                        .td(.text("\(v.snapshot.familyName), \(v.snapshot.givenName)")), .td(.text(v.snapshot.birthDate)))
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
        return Layout.page("Chart summary", req: req, .div(.class("card"),
            .h1(.text("Chart summary: \(p.familyName), \(p.givenName)")),
            .p(.text("MRN \(p.mrn) · born \(p.birthDate) · \(p.sex)")),
            .p(.text("Location: \(locationName ?? "—") · Phone: \(p.phone ?? "—") · Email: \(p.email ?? "—")")),
            .p(.text("Insurance: \(p.insurancePayer ?? "—") \(p.insuranceMemberID ?? "") \(p.insuranceGroup ?? "")")),
            .p(.small(.text("Printed by \(printedBy) at \(Format.utc(printedAt)) UTC. Contains protected health information.")))
        ))
    }
}

package enum Format {
    /// A time in UTC with a fixed pattern (not the user's locale).
    package static func utc(_ d: Date, _ pattern: String = "yyyy-MM-dd HH:mm:ss") -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = pattern
        return f.string(from: d)
    }
}
