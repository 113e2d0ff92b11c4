import Vapor
import Plot
import Fluent
import Domain
import AppCore
import Scheduling

/// The patient's own appointments in the portal: upcoming visits, self-scheduling of the types patients may book,
/// reschedule and cancel. All through `SchedulingStore`, which forces the patient's own record.
package enum PortalSchedulingController {
    package static func ownID(_ req: Request) throws -> UUID {
        let pid = try req.portalPatientID()
        return pid
    }

    @Sendable package static func upcoming(req: Request) async throws -> Response {
        let pid = try ownID(req)
        let dir = try await ScheduleDirectory.load(req.db)
        let now = req.now  // read once: two reads make the window a few microseconds longer than allowed
        let listed = try await req.scheduling().list(
            .init(patientID: pid, from: now, to: now.addingTimeInterval(62 * 86400)))
        let rows = dir.rows(listed)
        return Layout.render(
            PortalAppointmentsPage(rows: rows, notice: req.query[String.self, at: "done"], dir: dir).render(for: req))
    }

    package static func bookPage(_ req: Request, action: String, fixedType: UUID? = nil, message: String? = nil)
        async throws -> BookPage
    {
        let dir = try await ScheduleDirectory.load(req.db)
        let d =
            req.query[String.self, at: "date"].flatMap(LocalDay.init)
            ?? LocalDay.of(req.now, in: dir.homeZone).adding(days: 1)
        let typeID = fixedType ?? req.query[String.self, at: "type"].flatMap(UUID.init(uuidString:))
        let locationID = req.query[String.self, at: "location"].flatMap(UUID.init(uuidString:))
        let providerID = req.query[String.self, at: "provider"].flatMap(UUID.init(uuidString:))
        var slots: [SchedulingStore.Slot] = []
        if let typeID {
            slots = try await req.scheduling().slots(
                typeID: typeID, locationIDs: locationID.map { [$0] } ?? [],
                providerIDs: providerID.map { [$0] } ?? [], fromDay: d, toDay: d)
        }
        var page = BookPage(
            action: action, patient: nil, day: d, typeID: typeID, locationID: locationID, providerID: providerID,
            dir: dir,
            types: dir.types.filter(\.patientBookable), slots: slots, message: message)
        page.forPatient = true
        return page
    }

    @Sendable package static func bookForm(req: Request) async throws -> Response {
        _ = try ownID(req)
        return Layout.render(try await bookPage(req, action: Site.portalAppointmentsBook.path()).render(for: req))
    }

    @Sendable package static func book(req: Request) async throws -> Response {
        _ = try ownID(req)
        let f = try req.content.decode(BookPage.Form.self)
        do {
            _ = try await req.scheduling().book(
                .init(
                    providerId: f.providerId.flatMap(UUID.init(uuidString:)),
                    locationId: f.locationId.flatMap(UUID.init(uuidString:)),
                    typeId: f.typeId.flatMap(UUID.init(uuidString:)), start: f.start.flatMap(ISO8601.parse)))
            return req.redirect(to: Site.portalAppointments.path() + "?done=booked")
        } catch let e as AppError {
            if case .forbidden = e { throw e }
            let page = try await bookPage(
                req, action: Site.portalAppointmentsBook.path(),
                message: req.tr("That time is no longer available. Please pick another."))
            return Layout.render(page.render(for: req), status: e.status)
        }
    }

    @Sendable package static func cancel(req: Request) async throws -> Response {
        _ = try ownID(req)
        let id = try req.idParameter("appointment")
        let reason =
            Text.clean(try? req.content.get(String.self, at: "cancelReason"))
            ?? "cancelled by the patient in the portal"
        _ = try await req.scheduling().change(
            id, .init(status: "cancelled", cancelReason: reason), expectedVersion: nil)
        return req.redirect(to: Site.portalAppointments.path() + "?done=cancelled")
    }

    @Sendable package static func rescheduleForm(req: Request) async throws -> Response {
        _ = try ownID(req)
        let id = try req.idParameter("appointment")
        let a = try await req.scheduling().find(id)
        try await req.scope().authorize(.changeAppointment(patientID: a.patientId), patientID: a.patientId)
        let taken = req.query[String.self, at: "taken"] != nil
        return Layout.render(
            try await bookPage(
                req, action: Site.portalAppointmentReschedule.path(id), fixedType: a.typeId,
                message: taken ? "That time is no longer available. Please pick another." : nil
            ).render(for: req))
    }

    @Sendable package static func reschedule(req: Request) async throws -> Response {
        _ = try ownID(req)
        let id = try req.idParameter("appointment")
        let f = try req.content.decode(BookPage.Form.self)
        do {
            _ = try await req.scheduling().change(
                id,
                .init(
                    start: f.start.flatMap(ISO8601.parse), providerId: f.providerId.flatMap(UUID.init(uuidString:)),
                    locationId: f.locationId.flatMap(UUID.init(uuidString:))), expectedVersion: nil)
            return req.redirect(to: Site.portalAppointments.path() + "?done=rescheduled")
        } catch let e as AppError {
            if case .forbidden = e { throw e }
            return req.redirect(to: Site.portalAppointmentReschedule.path(id) + "?taken=1")
        }
    }
}

package struct PortalAppointmentsPage {
    package let rows: [CalendarRow]
    package let notice: String?
    package let dir: ScheduleDirectory

    /// The confirmation each `done=` value shows.
    package static let doneNotices = [
        "booked": "Your appointment is booked.", "cancelled": "Your appointment is cancelled.",
        "rescheduled": "Your appointment has moved.",
    ]

    package func render(for req: Request) -> String {
        let t = req.tr
        let l = t.language
        return Layout.page(
            "My appointments", req: req,
            .div(
                .unwrap(notice.flatMap { Self.doneNotices[$0] }) {
                    .p(.class("notice"), .attribute(named: "role", value: "status"), .text(t($0)))
                },
                .h1(.text(t("My appointments"))),
                .p(
                    .a(
                        .class("button"), .href(Site.portalAppointmentsBook.path()), .id("self-book"),
                        .text(t("Book an appointment")))),
                .if(rows.isEmpty, .p(.text(t("You have no upcoming appointments.")))),
                .div(
                    .id("upcoming"),
                    .forEach(rows) { r in
                        .div(
                            .class("card"), .id("appt-\(r.id.uuidString)"),
                            .p(.strong(.text("\(Format.day(r.day, language: l)), \(times(r, l))"))),
                            .p(
                                .text(
                                    t(
                                        "{type} with {provider} at {place}",
                                        ["type": t(r.type), "provider": r.provider, "place": r.location]))),
                            .if(
                                r.telemedicine,
                                .p(
                                    .a(
                                        .class("button join-visit"),
                                        .href(Site.portalVisit.path(r.id)),
                                        .text(t("Join the video visit"))))),
                            .div(
                                .class("actions"),
                                .a(
                                    .class("button secondary"),
                                    .href(Site.portalAppointmentReschedule.path(r.id)), .text(t("Reschedule"))),
                                .a(
                                    .class("button secondary"),
                                    .href(Site.portalAppointmentCalendar.path(r.id)),
                                    .text(t("Add to my calendar")))),
                            // Cancelling takes a second, deliberate tap.
                            .details(
                                .class("confirm"), .summary(.text(t("Cancel this appointment…"))),
                                .form(
                                    .action(Site.portalAppointmentCancel.path(r.id)), .method(.post),
                                    .div(
                                        FormKit.csrf(req),
                                        .label(
                                            .for("reason-\(r.id.uuidString)"),
                                            .text(t("Why are you cancelling? (optional)"))),
                                        .input(.type(.text), .name("cancelReason"), .id("reason-\(r.id.uuidString)")),
                                        .button(
                                            .type(.submit), .class("danger"), .text(t("Yes, cancel this appointment")))
                                    ))))
                    })
            ))
    }

    /// The times in the patient's language (the row's own are in English).
    func times(_ r: CalendarRow, _ l: PatientLanguage) -> String {
        l == .en ? r.times : Format.timeRange(r.span.start, r.span.end, zone: dir.zone(r.locationID), language: l)
    }
}
