import Vapor
import Fluent
import Domain
import Accounts
import AppCore
import Locations
import Patients

package enum SchedulePagesController {
    package static func day(_ req: Request, _ dir: ScheduleDirectory) -> LocalDay {
        req.query[String.self, at: "date"].flatMap(LocalDay.init) ?? LocalDay.of(req.now, in: dir.homeZone)
    }

    /// Front-desk calendar: a day or a week, both locations side by side (or one), everyone or one provider.
    @Sendable package static func calendar(req: Request) async throws -> Response {
        let dir = try await ScheduleDirectory.load(req.db)
        let start = day(req, dir)
        let week = req.query[String.self, at: "view"] == "week"
        let days = week ? 7 : 1
        let locationID = req.query[String.self, at: "location"].flatMap(UUID.init(uuidString:))
        let providerID = req.query[String.self, at: "provider"].flatMap(UUID.init(uuidString:))
        // The window covers the local day in every zone the practice uses.
        let from = start.adding(days: -1).span(in: dir.homeZone).start
        let to = start.adding(days: days + 1).span(in: dir.homeZone).start
        let listed = try await req.scheduling().list(
            .init(providerID: providerID, locationID: locationID, from: from, to: to, includeInactive: true))
        let shownDays = (0..<days).map { start.adding(days: $0) }
        let all = dir.rows(listed).filter { shownDays.contains($0.day) }
        var page = CalendarPage(
            start: start, week: week, days: shownDays, locationID: locationID, providerID: providerID, dir: dir,
            rows: all,
            notice: req.query[String.self, at: "booked"] != nil
                ? "Appointment booked."
                : req.query[String.self, at: "moved"] != nil ? "Appointment moved." : nil)
        var open: [SchedulingStore.Slot] = []
        for d in shownDays {
            open += try await req.scheduling().openTimes(
                day: d, locationIDs: locationID.map { [$0] } ?? [], providerIDs: providerID.map { [$0] } ?? [])
        }
        page.grids = dir.locations.enumerated().compactMap { i, loc in
            guard let id = loc.id, locationID == nil || locationID == id else { return nil }
            return LocationGrid(location: id, colour: i, dir: dir, rows: all, open: open, days: shownDays)
        }
        return Layout.render(page.render(for: req))
    }

    /// A location's (or a provider's) day on paper: who comes when, for the front desk's clipboard. Audited as a
    /// print of each patient's appointments.
    @Sendable package static func daySheet(req: Request) async throws -> Response {
        let dir = try await ScheduleDirectory.load(req.db)
        let d = day(req, dir)
        let locationID = req.query[String.self, at: "location"].flatMap(UUID.init(uuidString:))
        let providerID = req.query[String.self, at: "provider"].flatMap(UUID.init(uuidString:))
        let listed = try await req.scheduling().list(
            .init(
                providerID: providerID, locationID: locationID, from: d.adding(days: -1).span(in: dir.homeZone).start,
                to: d.adding(days: 2).span(in: dir.homeZone).start, printed: true))
        let rows = dir.rows(listed).filter { $0.day == d }
        let page = DaySheetPage(
            day: d, dir: dir, locationID: locationID, providerID: providerID, rows: rows,
            printedBy: try req.principal().username, printedAt: req.now)
        return Layout.render(page.render(for: req))
    }

    /// A provider's own day across both locations.
    @Sendable package static func myDay(req: Request) async throws -> Response {
        let p = try req.principal()
        let dir = try await ScheduleDirectory.load(req.db)
        let d = day(req, dir)
        let listed = try await req.scheduling().list(
            .init(
                providerID: p.userID, from: d.adding(days: -1).span(in: dir.homeZone).start,
                to: d.adding(days: 2).span(in: dir.homeZone).start))
        let all = dir.rows(listed).filter { $0.day == d }
        return Layout.render(MyDayPage(day: d, rows: all).render(for: req))
    }

    /// Booking with a slot picker: choose the patient, type, place, provider and day; pick a free time.
    @Sendable package static func bookForm(req: Request) async throws -> Response {
        let dir = try await ScheduleDirectory.load(req.db)
        let d = day(req, dir)
        let typeID = req.query[String.self, at: "type"].flatMap(UUID.init(uuidString:))
        let locationID = req.query[String.self, at: "location"].flatMap(UUID.init(uuidString:))
        let providerID = req.query[String.self, at: "provider"].flatMap(UUID.init(uuidString:))
        var patient: PatientDTO?
        var candidates: [PatientDTO] = []
        let find = Text.clean(req.query[String.self, at: "find"])
        if let pid = req.query[String.self, at: "patient"].flatMap(UUID.init(uuidString:)) {
            patient = try await req.patients().find(pid, detail: "booking")
        } else if let find {
            // The patient picker: name, birth date or MRN; one match is taken, several are offered to choose from.
            candidates = try await req.patients().search(.init(text: find, limit: 10))
            if candidates.count == 1 { patient = candidates[0] }
        }
        var slots: [SchedulingStore.Slot] = []
        if let typeID {
            slots = try await req.scheduling().slots(
                typeID: typeID, locationIDs: locationID.map { [$0] } ?? [],
                providerIDs: providerID.map { [$0] } ?? [], fromDay: d, toDay: d)
        }
        var page = BookPage(
            action: Site.scheduleBook.path(), patient: patient.map { ($0.id, BookPage.label($0)) },
            day: d, typeID: typeID, locationID: locationID, providerID: providerID, dir: dir,
            types: dir.types, slots: slots, message: nil)
        page.find = patient == nil ? find : nil
        page.chosen = req.query[String.self, at: "at"].flatMap(ISO8601.parse)
        page.candidates = patient == nil ? candidates.map { ($0.id, BookPage.label($0)) } : []
        return Layout.render(page.render(for: req))
    }

    @Sendable package static func book(req: Request) async throws -> Response {
        let f = try req.content.decode(BookPage.Form.self)
        let input = SchedulingStore.BookingInput(
            patientId: f.patientId.flatMap(UUID.init(uuidString:)),
            providerId: f.providerId.flatMap(UUID.init(uuidString:)),
            locationId: f.locationId.flatMap(UUID.init(uuidString:)), typeId: f.typeId.flatMap(UUID.init(uuidString:)),
            start: f.start.flatMap(ISO8601.parse))
        do {
            let a = try await req.scheduling().book(input)
            let dir = try await ScheduleDirectory.load(req.db)
            return req.redirect(
                to: Site.schedule.path() + "?date=\(LocalDay.of(a.start, in: dir.zone(a.locationId)).iso)&booked=1")
        } catch let e as AppError {
            if case .forbidden = e { throw e }
            // The form again with the fields marked: what went wrong, and the nearest free times instead.
            let dir = try await ScheduleDirectory.load(req.db)
            var patient: (UUID, String)?
            if let pid = input.patientId, let record = try? await req.patients().find(pid, detail: "booking") {
                patient = (pid, BookPage.label(record))
            }
            guard let typeID = input.typeId, let start = input.start else {
                var page = BookPage(
                    action: Site.scheduleBook.path(), patient: patient, day: LocalDay.of(req.now, in: dir.homeZone),
                    typeID: input.typeId, locationID: input.locationId, providerID: input.providerId, dir: dir,
                    types: dir.types, slots: [], message: nil)
                page.errors = BookPage.formErrors(e)
                return Layout.render(page.render(for: req), status: e.status)
            }
            let near = try await alternatives(
                req, typeID: typeID, near: start, preferring: input.providerId, at: input.locationId, dir: dir)
            // A field to fix (the patient, say) is marked at the field; a time that cannot be had is said at the top.
            let errors = BookPage.formErrors(e)
            var page = BookPage(
                action: Site.scheduleBook.path(), patient: patient,
                day: LocalDay.of(start, in: dir.zone(input.locationId ?? UUID())),
                typeID: typeID, locationID: nil, providerID: nil, dir: dir, types: dir.types, slots: near,
                message: errors.isEmpty
                    ? Problem.from(e, instance: nil).detail + (near.isEmpty ? "" : " The nearest free times are below.")
                    : nil)
            page.title = errors.isEmpty ? "Pick another time" : "Book an appointment"
            page.alternatives = true
            page.errors = errors
            return Layout.render(page.render(for: req), status: e.status)
        }
    }

    /// Free times nearest to the one that was wanted, over that day and the two after: the same provider's first, then
    /// other providers', at the same location first, then the other locations.
    package static func alternatives(
        _ req: Request, typeID: UUID, near start: Date, preferring provider: UUID?, at location: UUID?,
        dir: ScheduleDirectory, limit: Int = 9
    ) async throws -> [SchedulingStore.Slot] {
        let day = LocalDay.of(start, in: location.map { dir.zone($0) } ?? dir.homeZone)
        let all = try await req.scheduling().slots(
            typeID: typeID, locationIDs: [], providerIDs: [], fromDay: day, toDay: day.adding(days: 2))
        func rank(_ s: SchedulingStore.Slot) -> (Int, Int, Double) {
            (s.providerId == provider ? 0 : 1, s.locationId == location ? 0 : 1, abs(s.start.timeIntervalSince(start)))
        }
        // A few per kind, so other providers and places are offered too.
        var picked: [SchedulingStore.Slot] = []
        for kind in [(0, 0), (1, 0), (0, 1), (1, 1)] {
            picked += all.filter { (rank($0).0, rank($0).1) == kind }.sorted { rank($0).2 < rank($1).2 }.prefix(3)
        }
        return Array(picked.prefix(limit))
    }

    /// Move an appointment: the slot picker for its type, then an atomic reschedule.
    @Sendable package static func moveForm(req: Request) async throws -> Response {
        let id = try req.idParameter("appointment")
        let a = try await req.scheduling().find(id)
        try await req.scope().authorize(.changeAppointment(patientID: a.patientId), patientID: a.patientId)
        let dir = try await ScheduleDirectory.load(req.db)
        let d =
            req.query[String.self, at: "date"].flatMap(LocalDay.init)
            ?? LocalDay.of(a.start, in: dir.zone(a.locationId))
        // The appointment's own place and provider unless the front desk picks others.
        let locationID = req.query[String.self, at: "location"].flatMap(UUID.init(uuidString:)) ?? a.locationId
        let providerID = req.query[String.self, at: "provider"].flatMap(UUID.init(uuidString:)) ?? a.providerId
        let slots = try await req.scheduling().slots(
            typeID: a.typeId, locationIDs: [locationID], providerIDs: [providerID], fromDay: d, toDay: d)
        let patient = try await req.patients().find(a.patientId, detail: "moving an appointment")
        var page = BookPage(
            action: Site.scheduleAppointmentMove.path(id), patient: (a.patientId, BookPage.label(patient)),
            day: d,
            typeID: a.typeId, locationID: locationID, providerID: providerID, dir: dir,
            types: dir.types.filter { $0.id == a.typeId }, slots: slots,
            message: req.query[String.self, at: "taken"] != nil ? "That time was just taken. Pick another." : nil)
        page.searchAction = Site.scheduleAppointmentMove.path(id)
        page.title =
            "Move appointment (now \(dir.localTimes(a.span, at: a.locationId)) on "
            + "\(Format.day(LocalDay.of(a.start, in: dir.zone(a.locationId)))))"
        return Layout.render(page.render(for: req))
    }

    @Sendable package static func move(req: Request) async throws -> Response {
        let id = try req.idParameter("appointment")
        let f = try req.content.decode(BookPage.Form.self)
        do {
            let a = try await req.scheduling().change(
                id,
                .init(
                    start: f.start.flatMap(ISO8601.parse), providerId: f.providerId.flatMap(UUID.init(uuidString:)),
                    locationId: f.locationId.flatMap(UUID.init(uuidString:))), expectedVersion: nil)
            let dir = try await ScheduleDirectory.load(req.db)
            return req.redirect(
                to: Site.schedule.path() + "?date=\(LocalDay.of(a.start, in: dir.zone(a.locationId)).iso)&moved=1")
        } catch let e as AppError {
            if case .forbidden = e { throw e }
            // The move form again: what collided, the old time kept, and the nearest free times instead.
            guard let a = try? await req.scheduling().find(id) else { throw e }
            let dir = try await ScheduleDirectory.load(req.db)
            let wanted = f.start.flatMap(ISO8601.parse) ?? a.start
            let near = try await alternatives(
                req, typeID: a.typeId, near: wanted, preferring: a.providerId,
                at: f.locationId.flatMap(UUID.init(uuidString:)) ?? a.locationId, dir: dir)
            let patient = try await req.patients().find(a.patientId, detail: "moving an appointment")
            let errors = BookPage.formErrors(e)
            var page = BookPage(
                action: Site.scheduleAppointmentMove.path(id), patient: (a.patientId, BookPage.label(patient)),
                day: LocalDay.of(wanted, in: dir.zone(a.locationId)), typeID: a.typeId, locationID: a.locationId,
                providerID: a.providerId, dir: dir, types: dir.types.filter { $0.id == a.typeId }, slots: near,
                message: (errors.isEmpty ? Problem.from(e, instance: nil).detail + " " : "")
                    + "The appointment keeps its old time"
                    + (near.isEmpty ? "." : "; the nearest free times are below."))
            page.searchAction = Site.scheduleAppointmentMove.path(id)
            page.title = "Pick another time"
            page.alternatives = true
            page.errors = errors
            return Layout.render(page.render(for: req), status: e.status)
        }
    }

    package struct StatusForm: Content {
        package var status: String?
        package var cancelReason: String?
        package var back: String?
    }

    @Sendable package static func changeStatus(req: Request) async throws -> Response {
        let id = try req.idParameter("appointment")
        let f = try req.content.decode(StatusForm.self)
        do {
            _ = try await req.scheduling().change(
                id, .init(status: f.status, cancelReason: f.cancelReason), expectedVersion: nil)
        } catch let e as AppError {
            if case .forbidden = e { throw e }
            return Layout.render(
                ErrorPage(
                    status: Int(e.status.code), title: "Could not change the appointment",
                    detail: Problem.from(e, instance: nil).detail
                ).render(for: req), status: e.status)
        }
        let back = f.back.flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") ? $0 : nil } ?? Site.schedule.path()
        return req.redirect(to: back)
    }
}
