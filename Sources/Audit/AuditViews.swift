import Vapor
import Plot
import Domain
import AppCore

package struct AuditReportPage {
    package let filter: AuditReport.Filter
    package let rows: [AuditEventDTO]
    package let errors: [FieldError]
    package let query: String

    /// Link that sorts by `key`, flipping the order when it is already the sort column.
    package func sortLink(_ key: String, _ title: String) -> Node<HTML.BodyContext> {
        var items = URLComponents()
        items.queryItems = [
            ("patient", filter.patient), ("user", filter.user), ("from", filter.from), ("to", filter.to),
            ("action", filter.action),
        ]
        .compactMap { k, v in v.flatMap { $0.isEmpty ? nil : URLQueryItem(name: k, value: $0) } }
        let order = filter.sort == key && filter.order == "desc" ? "asc" : "desc"
        items.queryItems! += [URLQueryItem(name: "sort", value: key), URLQueryItem(name: "order", value: order)]
        let arrow = filter.sort == key ? (filter.order == "desc" ? " ▼" : " ▲") : ""
        return .a(.href(Site.adminAudit.path() + "?" + (items.percentEncodedQuery ?? "")), .text(title + arrow))
    }

    package func render(for req: Request) -> String {
        let f = filter
        return Layout.page(
            "Audit report", req: req,
            .div(
                .h1(.text("Audit report")),
                .div(
                    .class("card"),
                    FormKit.errorSummary(errors),
                    .form(
                        .action(Site.adminAudit.path()), .method(.get),
                        .div(
                            .div(
                                .class("grid2"),
                                FormKit.field("Patient (MRN or id)", name: "patient", value: f.patient, errors: errors),
                                FormKit.field("User", name: "user", value: f.user, errors: errors),
                                FormKit.field(
                                    "From (YYYY-MM-DD)", name: "from", value: f.from, type: .date, errors: errors),
                                FormKit.field("To (YYYY-MM-DD)", name: "to", value: f.to, type: .date, errors: errors)),
                            .input(.type(.hidden), .name("sort"), .value(Escape.attribute(f.sort))),
                            .input(.type(.hidden), .name("order"), .value(Escape.attribute(f.order))),
                            .button(.type(.submit), .id("filter"), .text("Filter"))
                        )),
                    .p(
                        .a(
                            .href(Site.adminAuditExportCSV.path() + "?" + query), .id("export-csv"),
                            .text("Export these rows as CSV")))
                ),
                .p(.text("\(rows.count) events.")),
                .div(
                    .class("scroll"), Scrollable.focusable(),
                    .table(
                        .id("audit"),
                        .thead(.tr(.forEach(AuditReport.columns) { c in .th(sortLink(c.key, c.title)) })),
                        .tbody(
                            .forEach(rows) { r in
                                .tr(
                                    .td(.text(String(r.seq))), .td(.text(Format.utc(r.recordedAt))),
                                    .td(.text(r.username)), .td(.text(r.role)),
                                    .td(.text(r.patientId.map { String($0.uuidString.prefix(8)) } ?? "")),
                                    .td(.text(r.action)), .td(.text(r.category)),
                                    .td(.text(r.entityType)), .td(.small(.text(r.device))), .td(.text(r.outcome)),
                                    .td(.small(.text(r.detail))))
                            })
                    ))
            ))
    }
}
