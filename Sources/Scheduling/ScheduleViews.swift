import Vapor
import Plot
import Domain
import AppCore
import Patients

/// One appointment as a card: time in its location's zone, who, what, where, and the desk's actions.
package func appointmentCard(_ r: CalendarRow, req: Request, back: String, actions: Bool) -> Node<HTML.BodyContext> {
    let next: [(AppointmentStatus, String)] =
        switch r.status {
        case .booked: [(.checkedIn, "Check in"), (.noshow, "No-show")]
        case .arrived, .checkedIn: [(.fulfilled, "Complete")]
        default: []
        }
    return .div(
        .class("card appt"), .id("appt-\(r.id.uuidString)"), .attribute(named: "data-status", value: r.status.rawValue),
        .p(.strong(.text(r.times)), .text(" · \(r.location)"), .unwrap(r.room) { .text(" · \($0)") }),
        .p(
            .a(.href(Site.patient.path(r.patientID)), .text(r.patient)), .text(" — \(r.type) with \(r.provider)")
        ),
        .p(.span(.class("badge"), .text(r.status.rawValue))),
        .if(
            actions,
            .div(
                .class("noprint"),
                .forEach(next) { s in
                    .form(
                        .action(Site.scheduleAppointment.path(r.id)), .method(.post), .class("inline"),
                        .div(
                            FormKit.csrf(req), .input(.type(.hidden), .name("status"), .value(s.0.rawValue)),
                            .input(.type(.hidden), .name("back"), .value(Escape.attribute(back))),
                            .button(.type(.submit), .text(s.1))))
                },
                .if(
                    r.status == .booked,
                    .a(.class("button"), .href(Site.scheduleAppointmentMove.path(r.id)), .text("Move"))),
                .if(
                    r.telemedicine && (r.status == .booked || r.status == .arrived),
                    .group(
                        .form(
                            .action(Site.scheduleAppointmentVisitLink.path(r.id)), .method(.post),
                            .class("inline"),
                            .div(
                                FormKit.csrf(req), .input(.type(.hidden), .name("channel"), .value("email")),
                                .button(.type(.submit), .class("send-visit-link"), .text("Email the video link")))),
                        .form(
                            .action(Site.scheduleAppointmentVisit.path(r.id)), .method(.post),
                            .class("inline"),
                            .div(
                                FormKit.csrf(req),
                                .button(.type(.submit), .class("open-visit"), .text("Open the video visit")))))),
                // Cancelling takes a second, deliberate tap and a reason.
                .if(
                    r.status == .booked,
                    .details(
                        .class("confirm"), .summary(.text("Cancel…")),
                        .form(
                            .action(Site.scheduleAppointment.path(r.id)), .method(.post),
                            .div(
                                FormKit.csrf(req),
                                .input(.type(.hidden), .name("status"), .value(AppointmentStatus.cancelled.rawValue)),
                                .input(.type(.hidden), .name("back"), .value(Escape.attribute(back))),
                                .input(
                                    .type(.text), .name("cancelReason"), .placeholder("Reason for cancelling"),
                                    .required(true),
                                    .attribute(named: "aria-label", value: "Reason for cancelling")),
                                .button(.type(.submit), .class("danger"), .text("Cancel appointment"))))))
            ))
    )
}

package struct CalendarPage {
    package let start: LocalDay
    package let week: Bool
    package let days: [LocalDay]
    package let locationID: UUID?
    package let providerID: UUID?
    package let dir: ScheduleDirectory
    package let rows: [CalendarRow]
    package let notice: String?
    /// The time grid of each location shown (the day, or the week).
    package var grids: [LocationGrid] = []

    package func link(_ day: LocalDay, week: Bool) -> String {
        var q = Site.schedule.path() + "?date=\(day.iso)&view=\(week ? "week" : "day")"
        if let l = locationID { q += "&location=\(l.uuidString)" }
        if let p = providerID { q += "&provider=\(p.uuidString)" }
        return q
    }

    package var daySheetLink: String {
        Site.scheduleDaySheet.path() + "?date=\(start.iso)"
            + (locationID.map { "&location=\($0.uuidString)" } ?? "")
            + (providerID.map { "&provider=\($0.uuidString)" } ?? "")
    }

    /// The time grids, one per location, above the list (phones get the list only).
    package func dayGrids(req: Request, back: String) -> Node<HTML.BodyContext> {
        let sections: [Node<HTML.BodyContext>] = grids.map { g in
            let when = week ? "week of \(Format.day(start))" : Format.day(start)
            let title = "\(dir.location(g.locationID)?.name ?? "") — \(when)"
            let body: Node<HTML.BodyContext> =
                g.columns.isEmpty
                ? .p(.small(.text(week ? "Nobody works here this week." : "Nobody works here this day.")))
                : g.render(req: req, back: back)
            return .section(.class("day-grid"), .h2(.text(title)), body)
        }
        return .group(sections + (grids.isEmpty ? [] : [.h2(.class("agenda-title"), .text("Appointments"))]))
    }

    package func render(for req: Request) -> String {
        let shownLocations = dir.locations.filter { locationID == nil || $0.id == locationID }
        let back = link(start, week: week)
        let locOptions =
            [(value: "", label: "Both locations")] + dir.locations.options { $0.name }
        let provOptions =
            [(value: "", label: "All providers")]
            + dir.providers.options { $0.displayName }
        return Layout.page(
            "Schedule", req: req,
            .div(
                .unwrap(notice) { .p(.class("notice"), .text($0)) },
                .h1(.text(week ? "Week of \(Format.day(start))" : "Schedule for \(Format.day(start))")),
                .div(
                    .class("card noprint"),
                    .form(
                        .action(Site.schedule.path()), .method(.get),
                        .div(
                            .class("grid2"),
                            FormKit.field("Date", name: "date", value: start.iso, type: .date),
                            FormKit.select(
                                "View", name: "view",
                                options: [(value: "day", label: "Day"), (value: "week", label: "Week")],
                                selected: week ? "week" : "day"),
                            FormKit.select(
                                "Location", name: "location", options: locOptions, selected: locationID?.uuidString),
                            FormKit.select(
                                "Provider", name: "provider", options: provOptions, selected: providerID?.uuidString),
                            .div(.button(.type(.submit), .id("show"), .text("Show"))))),
                    .p(
                        .a(.href(link(start.adding(days: week ? -7 : -1), week: week)), .text("← Earlier")),
                        .text(" · "),
                        .a(.href(link(start.adding(days: week ? 7 : 1), week: week)), .text("Later →")), .text(" · "),
                        .a(
                            .class("button"), .href(Site.scheduleBook.path() + "?date=\(start.iso)"), .id("book"),
                            .text("Book an appointment")),
                        .text(" "),
                        .a(.class("button secondary"), .id("day-sheet"), .href(daySheetLink), .text("Print day sheet")))
                ),
                dayGrids(req: req, back: back),
                .div(
                    .class("grid2"),
                    .forEach(shownLocations) { loc in
                        .section(
                            .class("location"), .attribute(named: "data-location", value: loc.code),
                            .h2(.text("\(loc.name) (times in \(Format.zoneName(dir.zone(loc.id ?? UUID()))))")),
                            .forEach(days) { d in
                                let todays = rows.filter { $0.locationID == loc.id && $0.day == d }
                                return .group(
                                    .if(week, .h2(.class("day"), .text(Format.day(d)))),
                                    .if(todays.isEmpty, .p(.small(.text("No appointments.")))),
                                    .forEach(todays) { appointmentCard($0, req: req, back: back, actions: true) })
                            })
                    })
            ))
    }
}

package struct MyDayPage {
    package let day: LocalDay
    package let rows: [CalendarRow]

    package func render(for req: Request) -> String {
        Layout.page(
            "My day", req: req,
            .div(
                .h1(.text("My day: \(Format.day(day))")),
                .p(
                    .a(
                        .href(Site.scheduleMyDay.path() + "?date=\(day.adding(days: -1).iso)"),
                        .text("← Previous day")),
                    .text(" · "),
                    .a(.href(Site.scheduleMyDay.path() + "?date=\(day.adding(days: 1).iso)"), .text("Next day →"))),
                .if(rows.isEmpty, .p(.text("Nothing booked."))),
                .div(
                    .id("my-day"),
                    .forEach(rows) {
                        appointmentCard(
                            $0, req: req, back: Site.scheduleMyDay.path() + "?date=\(day.iso)", actions: false)
                    })
            ))
    }
}

package struct BookPage {
    package let action: String
    package let patient: (UUID, String)?
    package let day: LocalDay
    package let typeID: UUID?
    package let locationID: UUID?
    package let providerID: UUID?
    package let dir: ScheduleDirectory
    package let types: [AppointmentTypeRecord]
    package let slots: [SchedulingStore.Slot]
    package let message: String?
    package var forPatient = false
    package var searchAction: String?
    package var title = "Book an appointment"
    /// The patient picker: what the front desk typed, and the patients it matched.
    package var find: String?
    package var candidates: [(UUID, String)] = []
    /// The slots are alternatives to a time that could not be had (across days): each group says its day.
    package var alternatives = false
    /// The open time clicked in the calendar's grid: its slot is marked, and it stays chosen while the type is picked.
    package var chosen: Date?
    /// What the booking and move forms post: a slot's provider, location, type and start, and the patient.
    package struct Form: Content {
        package var patientId: String?
        package var providerId: String?
        package var locationId: String?
        package var typeId: String?
        package var start: String?
    }

    /// What the booking or move was refused for, under the form's own field names (`formErrors`).
    package var errors: [FieldError] = []

    /// The store's field names (`typeId`, `start`, …) as this form's (`type`, `date`, …), so the field is marked.
    package static func formErrors(_ e: AppError) -> [FieldError] {
        guard case .validation(let list) = e else { return [] }
        let names = [
            "patientId": "find", "typeId": "type", "start": "date", "locationId": "location", "providerId": "provider",
        ]
        return list.map { FieldError(names[$0.field] ?? $0.field, $0.message) }
    }

    package struct SlotGroup {
        package let location: UUID
        package let provider: UUID
        package let day: String
        package let slots: [SchedulingStore.Slot]
    }

    /// The first 120 free times, grouped by location (by name) and provider (by name), in time order within each.
    package func slotGroups() -> [SlotGroup] {
        var groups: [SlotGroup] = []
        for s in slots.prefix(120) {
            // Alternatives may span days: then each day is its own group.
            let day = alternatives ? LocalDay.of(s.start, in: dir.zone(s.locationId)).iso : ""
            if let i = groups.firstIndex(where: {
                $0.location == s.locationId && $0.provider == s.providerId && $0.day == day
            }) {
                groups[i] = SlotGroup(
                    location: s.locationId, provider: s.providerId, day: day, slots: groups[i].slots + [s])
            } else {
                groups.append(SlotGroup(location: s.locationId, provider: s.providerId, day: day, slots: [s]))
            }
        }
        // Alternatives keep the order they were ranked in (the same provider and place first); a day's times go by
        // place.
        return
            (alternatives
            ? groups
            : groups.sorted {
                let a = ($0.day, dir.location($0.location)?.name ?? "", dir.providerName($0.provider))
                let b = ($1.day, dir.location($1.location)?.name ?? "", dir.providerName($1.provider))
                return a < b
            }).map {
                SlotGroup(
                    location: $0.location, provider: $0.provider, day: $0.day,
                    slots: $0.slots.sorted { $0.start < $1.start })
            }
    }

    package func slotButton(_ s: SchedulingStore.Slot, req: Request, _ l: PatientLanguage = .en)
        -> Node<HTML.BodyContext>
    {
        let whole =
            "\(Format.timeRange(s.start, s.end, zone: dir.zone(s.locationId), language: l)) · "
            + "\(dir.providerName(s.providerId))"
            + " · \(dir.location(s.locationId)?.name ?? "")"
        return .form(
            .action(action), .method(.post), .class(s.start == chosen ? "slot chosen" : "slot"),
            .div(
                FormKit.csrf(req),
                .unwrap(patient) { .input(.type(.hidden), .name("patientId"), .value($0.0.uuidString)) },
                .input(.type(.hidden), .name("providerId"), .value(s.providerId.uuidString)),
                .input(.type(.hidden), .name("locationId"), .value(s.locationId.uuidString)),
                .input(.type(.hidden), .name("typeId"), .value(typeID?.uuidString ?? "")),
                .input(.type(.hidden), .name("start"), .value(Format.isoUTC(s.start))),
                .button(
                    .type(.submit), .attribute(named: "aria-label", value: Escape.attribute(whole)),
                    .attribute(named: "title", value: Escape.attribute(whole)),
                    .text(Format.time(s.start, zone: dir.zone(s.locationId), withZone: false, language: l)))))
    }

    package static func label(_ p: PatientDTO) -> String {
        "\(p.familyName), \(p.givenName) · born \(p.birthDate) · \(p.mrn)"
    }

    /// What the open time clicked in the grid was, and what happens next.
    package var chosenNotice: String? {
        guard let at = chosen, let provider = providerID else { return nil }
        let zone = locationID.map { dir.zone($0) } ?? dir.homeZone
        return "Open time picked: \(Format.time(at, zone: zone)) with \(dir.providerName(provider)). "
            + (typeID == nil
                ? "Choose the visit type and find free times; that time is marked if it fits."
                : "It is marked below if this visit type fits there.")
    }

    package func patientPicker<C: HTML.BodyContext>() -> Node<C> {
        let error = errors.first { $0.field == "find" }
        return .div(
            .class(error == nil ? "field picker" : "field picker invalid"),
            .label(.for("find"), .text("Patient *")),
            .input(
                .type(.search), .name("find"), .id("find"), .value(Escape.attribute(find ?? "")),
                .attribute(named: "autocomplete", value: "off"),
                .attribute(named: "aria-describedby", value: error == nil ? "find-hint" : "find-error find-hint"),
                .attribute(named: "aria-invalid", value: error == nil ? nil : "true"),
                .attribute(named: "aria-controls", value: "patient-results")),
            .unwrap(error) { .p(.class("error"), .id("find-error"), .text($0.message)) },
            .p(.small(.id("find-hint"), .text("Name, date of birth (YYYY-MM-DD) or record number"))),
            .if(
                find != nil && candidates.isEmpty,
                .p(
                    .class("error"),
                    .text(
                        "No patient matches that. Check the spelling, "
                            + "or register the patient first."))),
            .ul(
                .id("patient-results"), .class("choices"), .attribute(named: "aria-live", value: "polite"),
                .forEach(candidates) { c in
                    .li(
                        .label(
                            .class("check"),
                            .input(.type(.radio), .name("patient"), .value(c.0.uuidString)), .text(" " + c.1)))
                }),
            .script(.src(Site.assetsPickerScript.path())))
    }

    package func render(for req: Request) -> String {
        // The patient's booking page is in their language; the front desk's is in English.
        let t = forPatient ? req.tr : .english
        let l = t.language
        let typeOptions =
            [(value: "", label: "—")]
            + types.options { "\(t($0.name)) (\($0.minutes) min\($0.telemedicine ? ", " + t("video") : ""))" }
        let locOptions =
            [(value: "", label: t("Any location"))] + dir.locations.options { $0.name }
        let provOptions =
            [(value: "", label: t("Any provider"))]
            + dir.providers.options { $0.displayName }
        let searchAction =
            self.searchAction ?? (forPatient ? Site.portalAppointmentsBook.path() : Site.scheduleBook.path())
        return Layout.page(
            title, req: req,
            .div(
                .h1(.text(t(title))),
                .unwrap(message) { .p(.class("notice bad"), .text(t($0))) },
                .unwrap(chosenNotice) { .p(.class("notice"), .id("chosen-time"), .text($0)) },
                FormKit.errorSummary(errors),
                .div(
                    .class("card"),
                    .form(
                        .action(searchAction), .method(.get),
                        .div(
                            .if(
                                !forPatient,
                                .unwrap(patient) { p in
                                    .group(
                                        .p(.id("booking-patient"), .text("Patient: \(p.1)")),
                                        .input(.type(.hidden), .name("patient"), .value(p.0.uuidString)))
                                }),
                            .if(!forPatient && self.searchAction == nil && patient == nil, patientPicker()),
                            .div(
                                .class("grid2"),
                                FormKit.select(
                                    t("Type"), name: "type", options: typeOptions, selected: typeID?.uuidString,
                                    errors: errors, required: true),
                                FormKit.field(
                                    t("Day"), name: "date", value: day.iso, type: .date, errors: errors,
                                    required: true),
                                FormKit.select(
                                    t("Location"), name: "location", options: locOptions,
                                    selected: locationID?.uuidString, errors: errors),
                                FormKit.select(
                                    t("Provider"), name: "provider", options: provOptions,
                                    selected: providerID?.uuidString, errors: errors)),
                            .unwrap(chosen) { .input(.type(.hidden), .name("at"), .value(Format.isoUTC($0))) },
                            .button(.type(.submit), .id("find-slots"), .text(t("Find free times")))))),
                .if(
                    typeID != nil,
                    .div(
                        .class("card"),
                        .h2(
                            .text(
                                alternatives
                                    ? t("The nearest free times")
                                    : t("Free times on {day}", ["day": Format.day(day, language: l)]))),
                        .if(
                            slots.isEmpty, .p(.text(t("No free times that day. Try another day, place or provider.")))),
                        // Grouped by place and provider, each a compact grid of start times in that place's zone; a
                        // button's accessible name says the whole slot.
                        .div(
                            .id("slots"),
                            .forEach(slotGroups()) { g in
                                .section(
                                    .class("slot-group"),
                                    .h3(
                                        .text(
                                            (alternatives
                                                ? Format.day(g.slots[0].start, zone: dir.zone(g.location), language: l)
                                                    + " · " : "")
                                                + "\(dir.location(g.location)?.name ?? "") · "
                                                + "\(dir.providerName(g.provider))"
                                        ),
                                        .small(
                                            .text(
                                                " · "
                                                    + t(
                                                        "times in {zone}",
                                                        ["zone": Format.zoneName(dir.zone(g.location))])
                                            ))),
                                    .div(.class("slot-grid"), .forEach(g.slots) { s in slotButton(s, req: req, l) }))
                            })))
            ))
    }

    package init(
        action: String, patient: (UUID, String)?, day: LocalDay, typeID: UUID?, locationID: UUID?, providerID: UUID?,
        dir: ScheduleDirectory, types: [AppointmentTypeRecord], slots: [SchedulingStore.Slot], message: String?,
        forPatient: Bool = false, searchAction: String? = nil, title: String = "Book an appointment",
        find: String? = nil, candidates: [(UUID, String)] = [], alternatives: Bool = false
    ) {
        self.action = action
        self.patient = patient
        self.day = day
        self.typeID = typeID
        self.locationID = locationID
        self.providerID = providerID
        self.dir = dir
        self.types = types
        self.slots = slots
        self.message = message
        self.forPatient = forPatient
        self.searchAction = searchAction
        self.title = title
        self.find = find
        self.candidates = candidates
        self.alternatives = alternatives
    }
}

extension Format {
    package static func isoUTC(_ d: Date) -> String { ISO8601DateFormatter().string(from: d) }
}
