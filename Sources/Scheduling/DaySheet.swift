import Vapor
import Plot
import Domain
import AppCore

/// The day sheet: one table per location of who comes when (time, patient, visit type, provider, room, status), sized
/// for paper. Printed by the browser; the page says who printed it and when.
package struct DaySheetPage {
    package let day: LocalDay
    package let dir: ScheduleDirectory
    package let locationID: UUID?
    package let providerID: UUID?
    package let rows: [CalendarRow]
    package let printedBy: String
    package let printedAt: Date

    package func render(for req: Request) -> String {
        let locations = dir.locations.filter { locationID == nil || $0.id == locationID }
        let who = providerID.map { " · \(dir.providerName($0))" } ?? ""
        return Layout.page(
            "Day sheet", req: req,
            .div(
                .class("day-sheet"),
                .h1(.text("Day sheet — \(Format.day(day))\(who)")),
                .p(
                    .class("noprint"),
                    .button(.type(.button), .id("print"), .text("Print")), .text(" "),
                    .a(
                        .class("button secondary"), .href(Site.schedule.path() + "?date=\(day.iso)"),
                        .text("Back to the schedule"))),
                .forEach(locations) { loc in
                    let here = rows.filter { $0.locationID == loc.id }
                    return .section(
                        .class("sheet"),
                        .h2(.text(loc.name)),
                        .if(
                            here.isEmpty, .p(.text("No appointments.")),
                            else: .div(
                                .class("scroll"), Scrollable.focusable(),
                                .table(
                                    .thead(
                                        .tr(
                                            .th(.text("Time")), .th(.text("Patient")), .th(.text("Visit")),
                                            .th(.text("Provider")), .th(.text("Room")), .th(.text("Status")))),
                                    .tbody(
                                        .forEach(here) { r in
                                            .tr(
                                                .attribute(named: "data-status", value: r.status.rawValue),
                                                .td(.text(r.times)), .td(.text(r.patient)),
                                                .td(.text(r.type + (r.telemedicine ? " (video)" : ""))),
                                                .td(.text(r.provider)), .td(.text(r.room ?? "")),
                                                .td(.text(r.status.label)))
                                        })))))
                },
                .p(
                    .small(
                        .text(
                            "Printed by \(printedBy) on \(Format.day(printedAt, zone: dir.homeZone)) at "
                                + "\(Format.time(printedAt, zone: dir.homeZone)). Contains patient information: "
                                + "shred after use."))),
                .script(.src(Site.assetsPrintScript.path()))
            ))
    }

    /// The Print button (a served script: the Content-Security-Policy allows no inline script).
    @Sendable package static func script(req: Request) async throws -> Response {
        Layout.script("document.getElementById('print')?.addEventListener('click', () => window.print());\n")
    }
}
