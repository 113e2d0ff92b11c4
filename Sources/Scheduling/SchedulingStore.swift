import Vapor
import Fluent
import Domain
import Accounts
import AppCore
import Locations
import Patients

/// Appointments through one scoped, audited path. Every booking, reschedule and status change checks for
/// collisions and writes in one serialized transaction (advisory lock on PostgreSQL, in-process lock on SQLite),
/// so concurrent requests on any number of nodes cannot double-book; on PostgreSQL exclusion constraints
/// hold the same invariants in the database itself.
package struct SchedulingStore {
    package let scope: AuditScope

    package struct BookingInput: Content, Sendable {
        package var patientId: UUID?
        package var providerId: UUID?
        package var locationId: UUID?
        package var typeId: UUID?
        package var start: Date?
        package var roomId: UUID?
        /// Book over another appointment of the same provider (staff only; audited).
        package var overrideReason: String?

        package init(
            patientId: UUID? = nil, providerId: UUID? = nil, locationId: UUID? = nil, typeId: UUID? = nil,
            start: Date? = nil, roomId: UUID? = nil, overrideReason: String? = nil
        ) {
            self.patientId = patientId
            self.providerId = providerId
            self.locationId = locationId
            self.typeId = typeId
            self.start = start
            self.roomId = roomId
            self.overrideReason = overrideReason
        }
    }

    package struct ChangeInput: Content, Sendable {
        package var start: Date?
        package var providerId: UUID?
        package var locationId: UUID?
        package var roomId: UUID?
        package var status: String?
        package var cancelReason: String?

        package init(
            start: Date? = nil, providerId: UUID? = nil, locationId: UUID? = nil, roomId: UUID? = nil,
            status: String? = nil, cancelReason: String? = nil
        ) {
            self.start = start
            self.providerId = providerId
            self.locationId = locationId
            self.roomId = roomId
            self.status = status
            self.cancelReason = cancelReason
        }
    }

    /// The statuses that no longer hold time (the database constraints use the same list).
    package static let inactive = AppointmentStatus.allCases.filter { !$0.holdsTime }
    package static let maxOverrideReason = 500

    /// Everything a booking needs, loaded and checked before the transaction.
    package struct Plan: Sendable {
        package let patientID: UUID
        package let providerID: UUID
        package let location: LocationSnapshot
        package let type: TypeSnapshot
        package let span: TimeSpan
        package let roomID: UUID?
        package let overrideReason: String?
        package let travelBuffer: TimeInterval
    }

    package struct LocationSnapshot: Sendable {
        package let id: UUID
        package let name: String
        package let zone: TimeZone
    }
    package struct TypeSnapshot: Sendable {
        package let id: UUID
        package let minutes: Int
        package let needsRoom: Bool
        package let patientBookable: Bool
    }

    // MARK: booking

    package func book(_ input: BookingInput) async throws -> AppointmentDTO {
        let principal = scope.principal
        var errors: [FieldError] = []
        let patientID = principal.role == .patient ? principal.patientID : input.patientId
        if patientID == nil { errors.append(FieldError("patientId", "Patient is required.")) }
        if input.providerId == nil { errors.append(FieldError("providerId", "Provider is required.")) }
        if input.locationId == nil { errors.append(FieldError("locationId", "Location is required.")) }
        if input.typeId == nil { errors.append(FieldError("typeId", "Appointment type is required.")) }
        if input.start == nil {
            errors.append(FieldError("start", "Start time is required (ISO 8601, UTC or with an offset)."))
        }
        if !errors.isEmpty { throw AppError.validation(errors) }
        try await scope.authorize(.bookAppointment(patientID: patientID!), patientID: patientID)
        let reason = Text.clean(input.overrideReason)
        if reason != nil { try await scope.authorize(.overrideProviderOverlap, patientID: patientID) }
        let plan = try await makePlan(
            patientID: patientID!, providerID: input.providerId!, locationID: input.locationId!,
            typeID: input.typeId!, start: input.start!, roomID: input.roomId, overrideReason: reason)
        let now = scope.now
        return try await mapConstraintViolation {
            try await scope.run { tx in
                let roomID = try await Self.assertFree(plan, excluding: nil, on: tx)
                let a = AppointmentRecord()
                a.id = UUID()
                a.patientID = plan.patientID
                a.providerID = plan.providerID
                a.locationID = plan.location.id
                a.roomID = roomID
                a.typeID = plan.type.id
                a.startAt = plan.span.start
                a.endAt = plan.span.end
                a.status = AppointmentStatus.booked
                a.overrideReason = plan.overrideReason
                a.version = 1
                a.createdAt = now
                a.updatedAt = now
                try await a.create(on: tx)
                try await AppointmentNotices.enqueue(.confirmation, for: a, now: now, on: tx)
                var drafts = [
                    AuditDraft(
                        action: .create, category: .appointments, patientID: plan.patientID, entityType: "Appointment",
                        entityID: a.id?.uuidString, detail: "booked")
                ]
                if let r = plan.overrideReason {
                    drafts.append(
                        AuditDraft(
                            action: .create, category: .appointments, patientID: plan.patientID,
                            entityType: "Appointment",
                            entityID: a.id?.uuidString, detail: "provider overlap overridden: \(r.prefix(200))"))
                }
                return (try AppointmentDTO(a), drafts)
            }
        }
    }

    /// Moves an appointment in one transaction: the new time is checked and taken, and only then is the old one
    /// released. One appointment (the `Location` a booking answers with); a patient reads only their own. Audited.
    package func find(_ id: UUID) async throws -> AppointmentDTO {
        guard let a = try await AppointmentRecord.find(id, on: scope.db) else {
            throw AppError.notFound("No appointment with that id.")
        }
        try await scope.authorize(.readAppointments(patientID: a.patientID), patientID: a.patientID)
        try await scope.record([
            AuditDraft(
                action: .read, category: .appointments, patientID: a.patientID, entityType: "Appointment",
                entityID: id.uuidString)
        ])
        return try AppointmentDTO(a)
    }

    package func change(_ id: UUID, _ input: ChangeInput, expectedVersion: Int?) async throws -> AppointmentDTO {
        guard let current = try await AppointmentRecord.find(id, on: scope.db) else {
            throw AppError.notFound("No appointment with that id.")
        }
        try await scope.authorize(.changeAppointment(patientID: current.patientID), patientID: current.patientID)
        let now = scope.now
        if let raw = input.status {
            guard let next = AppointmentStatus(rawValue: raw) else {
                throw AppError.validation([
                    FieldError(
                        "status",
                        "Status must be one of: \(AppointmentStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
                ])
            }
            if scope.principal.role == .patient && next != .cancelled {
                throw AppError.forbidden("Patients may cancel or reschedule, not change the visit status.")
            }
            let reason = Text.clean(input.cancelReason)
            if next == .cancelled && reason == nil {
                throw AppError.validation([FieldError("cancelReason", "Say why the appointment is cancelled.")])
            }
            if let r = reason, r.count > 500 {
                throw AppError.validation([FieldError("cancelReason", "Cancel reason must be at most 500 characters.")])
            }
            return try await scope.run { tx in
                guard let a = try await AppointmentRecord.find(id, on: tx) else {
                    throw AppError.notFound("No appointment with that id.")
                }
                if let v = expectedVersion, v != a.version {
                    throw AppError.preconditionFailed("The appointment changed (now version \(a.version)); reload it.")
                }
                guard a.status.canChange(to: next) else {
                    throw AppError.conflict(
                        type: "invalid-transition",
                        detail: "An appointment that is \(a.status) cannot become \(next.rawValue).", extra: [:])
                }
                a.status = next
                if next == .cancelled { a.cancelReason = reason }
                a.version += 1
                a.updatedAt = now
                try await a.save(on: tx)
                if next == .cancelled { try await AppointmentNotices.enqueue(.cancellation, for: a, now: now, on: tx) }
                return (
                    try AppointmentDTO(a),
                    [
                        AuditDraft(
                            action: .update, category: .appointments, patientID: a.patientID, entityType: "Appointment",
                            entityID: id.uuidString, detail: "status \(next.rawValue)")
                    ]
                )
            }
        }
        guard input.start != nil || input.providerId != nil || input.locationId != nil || input.roomId != nil else {
            throw AppError.validation([
                FieldError("start", "Send a new start, provider, location or room, or a status.")
            ])
        }
        guard current.status == .booked || current.status == .proposed else {
            throw AppError.conflict(
                type: "invalid-transition",
                detail: "Only booked appointments can be moved (this one is \(current.status)).", extra: [:])
        }
        let plan = try await makePlan(
            patientID: current.patientID, providerID: input.providerId ?? current.providerID,
            locationID: input.locationId ?? current.locationID, typeID: current.typeID,
            start: input.start ?? current.startAt,
            roomID: input.roomId ?? (input.locationId == nil ? current.roomID : nil),
            overrideReason: current.overrideReason)
        return try await mapConstraintViolation {
            try await scope.run { tx in
                guard let a = try await AppointmentRecord.find(id, on: tx) else {
                    throw AppError.notFound("No appointment with that id.")
                }
                if let v = expectedVersion, v != a.version {
                    throw AppError.preconditionFailed("The appointment changed (now version \(a.version)); reload it.")
                }
                guard a.status == .booked || a.status == .proposed else {
                    throw AppError.conflict(
                        type: "invalid-transition",
                        detail: "Only booked appointments can be moved (this one is \(a.status)).", extra: [:])
                }
                let roomID = try await Self.assertFree(plan, excluding: id, on: tx)
                a.providerID = plan.providerID
                a.locationID = plan.location.id
                a.roomID = roomID
                let moved = a.startAt != plan.span.start || a.locationID != plan.location.id
                a.startAt = plan.span.start
                a.endAt = plan.span.end
                a.version += 1
                a.updatedAt = now
                try await a.save(on: tx)
                if moved { try await AppointmentNotices.enqueue(.rescheduled, for: a, now: now, on: tx) }
                return (
                    try AppointmentDTO(a),
                    [
                        AuditDraft(
                            action: .update, category: .appointments, patientID: a.patientID, entityType: "Appointment",
                            entityID: id.uuidString, detail: "rescheduled")
                    ]
                )
            }
        }
    }

    private func makePlan(
        patientID: UUID, providerID: UUID, locationID: UUID, typeID: UUID, start: Date, roomID: UUID?,
        overrideReason: String?
    ) async throws -> Plan {
        let db = scope.db
        var errors: [FieldError] = []
        guard SlotRules.onGrid(start) else {
            throw AppError.validation([
                FieldError("start", "Appointments start on a 5-minute mark (such as 1:00 or 1:05) with no seconds.")
            ])
        }
        guard let patient = try await PatientRecord.find(patientID, on: db), patient.retiredAt == nil else {
            throw AppError.validation([FieldError("patientId", "No active patient with that id.")])
        }
        let provider = try await UserRecord.find(providerID, on: db)
        if provider == nil || !(provider!.role == .provider || provider!.role == .medicalDirector)
            || !provider!.active
        {
            errors.append(FieldError("providerId", "Provider must be an active provider's account id."))
        }
        let location = try await LocationRecord.find(locationID, on: db)
        if location == nil { errors.append(FieldError("locationId", "No location with that id.")) }
        let type = try await AppointmentTypeRecord.find(typeID, on: db)
        if type == nil { errors.append(FieldError("typeId", "No appointment type with that id.")) }
        if let r = overrideReason, r.count > Self.maxOverrideReason {
            errors.append(
                FieldError("overrideReason", "Override reason must be at most \(Self.maxOverrideReason) characters."))
        }
        if let roomID {
            let room = try await RoomRecord.find(roomID, on: db)
            if room == nil || room!.locationID != locationID || !room!.active {
                errors.append(FieldError("roomId", "That room is not at this location."))
            }
        }
        if start < scope.now { errors.append(FieldError("start", "The start time is in the past.")) }
        guard errors.isEmpty, let location, let type, let zone = TimeZone(identifier: location.timeZone) else {
            throw AppError.validation(errors)
        }
        if scope.principal.role == .patient && !type.patientBookable {
            throw AppError.forbidden("This kind of appointment is booked by the practice; please call or message us.")
        }
        let span = TimeSpan(start: start, end: start.addingTimeInterval(TimeInterval(type.minutes * 60)))
        let opening = try await LocationHoursRecord.query(on: db).filter(\.$locationID == locationID).all().map(\.hours)
        let hours = WeeklyHours.within(
            try await ProviderHoursRecord.query(on: db).filter(\.$providerID == providerID).all().map(\.hours),
            opening: opening)
        if overrideReason == nil, !SlotRules.withinHours(span, location: locationID, zone: zone, hours: hours) {
            throw AppError.conflict(
                type: "outside-hours",
                detail: "The provider does not work at \(location.name) at that time, or the location is closed.",
                extra: ["conflict": "hours"])
        }
        let leave = try await AvailabilityExceptionRecord.query(on: db).filter(\.$providerID == providerID)
            .filter(\.$startAt < span.end).filter(\.$endAt > span.start).first()
        if let l = leave {
            throw AppError.conflict(
                type: "provider-unavailable", detail: "The provider is unavailable then (\(l.kind)).",
                extra: ["conflict": "availability"])
        }
        let buffer = TimeInterval((try await PracticeRecord.query(on: db).first()?.travelBufferMinutes ?? 30) * 60)
        return Plan(
            patientID: patientID, providerID: providerID,
            location: LocationSnapshot(id: locationID, name: location.name, zone: zone),
            type: TypeSnapshot(
                id: typeID, minutes: type.minutes, needsRoom: type.needsRoom, patientBookable: type.patientBookable),
            span: span, roomID: roomID, overrideReason: overrideReason, travelBuffer: buffer)
    }

    /// Inside the serialized transaction: refuses the plan when it collides (provider incl. travel buffer, room,
    /// patient), and picks a free room when the type needs one and none was named. Returns the room.
    package static func assertFree(_ p: Plan, excluding: UUID?, on tx: any Database) async throws -> UUID? {
        let window = p.span.padded(by: p.travelBuffer)
        func active() -> QueryBuilder<AppointmentRecord> {
            let q = AppointmentRecord.query(on: tx).filter(\.$status !~ inactive).filter(\.$startAt < window.end)
                .filter(\.$endAt > window.start)
            if let ex = excluding { q.filter(\.$id != ex) }
            return q
        }
        /// Active appointments overlapping the requested span itself (no travel padding).
        func overlapping() -> QueryBuilder<AppointmentRecord> {
            active().filter(\.$startAt < p.span.end).filter(\.$endAt > p.span.start)
        }
        if p.overrideReason == nil {
            let theirs = try await active().filter(\.$providerID == p.providerID).all()
            let busy = theirs.map { Busy(span: $0.span, locationID: $0.locationID) }
            if !SlotRules.isClear(p.span, at: p.location.id, busy: busy, travelBuffer: p.travelBuffer) {
                let sameSite = theirs.contains { $0.span.overlaps(p.span) }
                throw AppError.conflict(
                    type: "schedule-conflict",
                    detail: sameSite
                        ? "The provider already has an appointment at that time."
                        : "The provider is at another location then and needs travel time.",
                    extra: ["conflict": sameSite ? "provider" : "travel-buffer"])
            }
        }
        let patientClash = try await overlapping().filter(\.$patientID == p.patientID).first()
        if patientClash != nil {
            throw AppError.conflict(
                type: "schedule-conflict", detail: "The patient already has an appointment at that time.",
                extra: ["conflict": "patient"])
        }
        var room = p.roomID
        if room == nil && p.type.needsRoom {
            let rooms = try await RoomRecord.query(on: tx).filter(\.$locationID == p.location.id).filter(
                \.$active == true
            ).sort(\.$name).all()
            for r in rooms {
                let roomID = try r.requireID()
                let taken = try await overlapping().filter(\.$roomID == roomID).first()
                if taken == nil { room = r.id; break }
            }
            if room == nil {
                throw AppError.conflict(
                    type: "schedule-conflict", detail: "No room is free at \(p.location.name) at that time.",
                    extra: ["conflict": "room"])
            }
        } else if let r = room {
            let taken = try await overlapping().filter(\.$roomID == r).first()
            if taken != nil {
                throw AppError.conflict(
                    type: "schedule-conflict", detail: "That room is already booked at that time.",
                    extra: ["conflict": "room"])
            }
        }
        return room
    }

    /// The database's own refusal (PostgreSQL exclusion constraint, SQLSTATE 23P01) becomes the same 409.
    private func mapConstraintViolation<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let e as AppError {
            throw e
        } catch {
            let text = String(reflecting: error)
            guard text.contains("23P01") else { throw error }
            let what =
                text.contains("room_overlap") ? "room" : text.contains("patient_overlap") ? "patient" : "provider"
            throw AppError.conflict(
                type: "schedule-conflict", detail: "The \(what) is already booked at that time.",
                extra: ["conflict": what])
        }
    }

    // MARK: reading

    package struct ListFilter: Sendable {
        package var providerID: UUID?
        package var locationID: UUID?
        package var patientID: UUID?
        package var from: Date
        package var to: Date
        package var includeInactive = false
        /// A printed day sheet is audited as a print of each patient's appointments, a calendar as a query.
        package var printed = false

        package init(
            providerID: UUID? = nil, locationID: UUID? = nil, patientID: UUID? = nil, from: Date, to: Date,
            includeInactive: Bool = false, printed: Bool = false
        ) {
            self.providerID = providerID
            self.locationID = locationID
            self.patientID = patientID
            self.from = from
            self.to = to
            self.includeInactive = includeInactive
            self.printed = printed
        }
    }

    package struct Listed: Sendable {
        package let appointment: AppointmentDTO
        package let patientName: String
    }

    /// Appointments in a window, with the patient's name for calendars; each patient shown is recorded as a query on
    /// their record.
    package func list(_ f: ListFilter) async throws -> [Listed] {
        if let p = f.patientID {
            try await scope.authorize(.readAppointments(patientID: p), patientID: p)
        } else {
            try await scope.authorize(.readSchedule)
        }
        guard f.to > f.from, f.to.timeIntervalSince(f.from) <= 62 * 86400 else {
            throw AppError.validation([
                FieldError("to", "The window must end after it starts and span at most 62 days.")
            ])
        }
        return try await scope.run { tx in
            let q = AppointmentRecord.query(on: tx).filter(\.$startAt < f.to).filter(\.$endAt > f.from)
            if let p = f.providerID { q.filter(\.$providerID == p) }
            if let l = f.locationID { q.filter(\.$locationID == l) }
            if let p = f.patientID { q.filter(\.$patientID == p) }
            if !f.includeInactive { q.filter(\.$status !~ Self.inactive) }
            let rows = try await q.sort(\.$startAt).limit(2000).all()
            let ids = Array(Set(rows.map(\.patientID)))
            let patients = ids.isEmpty ? [] : try await PatientRecord.query(on: tx).filter(\.$id ~~ ids).all()
            let names = Dictionary(
                uniqueKeysWithValues: try patients.map { (try $0.requireID(), "\($0.familyName), \($0.givenName)") })
            let drafts = ids.map {
                AuditDraft(
                    action: f.printed ? .print : .query, category: .appointments, patientID: $0,
                    entityType: "Appointment", detail: f.printed ? "day sheet" : "calendar")
            }
            return (
                try rows.map { Listed(appointment: try AppointmentDTO($0), patientName: names[$0.patientID] ?? "—") },
                drafts
            )
        }
    }

    /// Where and when an appointment is, and its status, naming nobody.
    package struct StatusAt: Sendable {
        package let locationId: UUID
        package let start: Date
        package let status: AppointmentStatus
    }

    /// The statuses of every appointment in a window, for counts per location: no patient is named or opened, so
    /// nobody's access history says the front desk looked at them (not audited).
    package func statuses(from: Date, to: Date) async throws -> [StatusAt] {
        try await scope.authorize(.readSchedule)
        return try await AppointmentRecord.query(on: scope.db).filter(\.$startAt < to).filter(\.$endAt > from).all()
            .map { StatusAt(locationId: $0.locationID, start: $0.startAt, status: $0.status) }
    }

    package struct Slot: Content, Sendable, Equatable {
        package let start: Date
        package let end: Date
        package let providerId: UUID
        package let locationId: UUID
    }

    /// Free slots for a type at the given locations and providers over local days [fromDay, toDay].
    package func slots(typeID: UUID, locationIDs: [UUID], providerIDs: [UUID], fromDay: LocalDay, toDay: LocalDay)
        async throws -> [Slot]
    {
        // Any signed-in account may look for free times (the routes require one); no PHI is returned.
        let db = scope.db
        guard let type = try await AppointmentTypeRecord.find(typeID, on: db) else {
            throw AppError.validation([FieldError("type", "No appointment type with that id.")])
        }
        if scope.principal.role == .patient && !type.patientBookable {
            throw AppError.forbidden("This kind of appointment is booked by the practice.")
        }
        guard fromDay <= toDay, toDay <= fromDay.adding(days: 31) else {
            throw AppError.validation([
                FieldError("to", "The range must end on or after its start and span at most 31 days.")
            ])
        }
        return try await free(
            minutes: type.minutes, needsRoom: type.needsRoom, locationIDs: locationIDs, providerIDs: providerIDs,
            fromDay: fromDay, toDay: toDay)
    }

    /// The calendar's open time on a day: every free 15 minutes of each provider's hours (no room needed), for the
    /// front desk to click and book. Names nobody.
    package func openTimes(day: LocalDay, locationIDs: [UUID], providerIDs: [UUID]) async throws -> [Slot] {
        try await scope.authorize(.readSchedule)
        return try await free(
            minutes: 15, needsRoom: false, locationIDs: locationIDs, providerIDs: providerIDs, fromDay: day, toDay: day)
    }

    private func free(
        minutes: Int, needsRoom: Bool, locationIDs: [UUID], providerIDs: [UUID], fromDay: LocalDay, toDay: LocalDay
    ) async throws -> [Slot] {
        let db = scope.db
        let locations =
            try await
            (locationIDs.isEmpty
            ? LocationRecord.query(on: db).all()
            : LocationRecord.query(on: db).filter(\.$id ~~ locationIDs).all())
        var providers = providerIDs
        if providers.isEmpty {
            providers = try await UserRecord.query(on: db).filter(
                \.$role ~~ [Role.provider, .medicalDirector]
            )
            .filter(\.$active == true).all().compactMap(\.id)
        }
        let buffer = TimeInterval((try await PracticeRecord.query(on: db).first()?.travelBufferMinutes ?? 30) * 60)
        // Everything that can block, fetched once for the whole window (padded a day each side for zones and buffers).
        let utc = TimeZone(identifier: "UTC")!
        let window = TimeSpan(
            start: fromDay.adding(days: -1).span(in: utc).start, end: toDay.adding(days: 2).span(in: utc).start)
        let booked = try await AppointmentRecord.query(on: db).filter(\.$status !~ Self.inactive)
            .filter(\.$startAt < window.end).filter(\.$endAt > window.start).all()
        let leave = try await AvailabilityExceptionRecord.query(on: db).filter(\.$providerID ~~ providers)
            .filter(\.$startAt < window.end).filter(\.$endAt > window.start).all()
        let hours = try await ProviderHoursRecord.query(on: db).filter(\.$providerID ~~ providers).all()
        let opening = try await LocationHoursRecord.query(on: db).all().map(\.hours)
        let rooms = try await RoomRecord.query(on: db).filter(\.$active == true).all()
        let now = scope.now
        var out: [Slot] = []
        for loc in locations {
            guard let zone = TimeZone(identifier: loc.timeZone), let lid = loc.id else { continue }
            let locRooms = rooms.filter { $0.locationID == lid }.compactMap(\.id)
            let roomFree: ((TimeSpan) -> Bool)? =
                needsRoom
                ? { span in
                    locRooms.contains { r in !booked.contains { $0.roomID == r && $0.span.overlaps(span) } }
                } : nil
            for pid in providers {
                let ph = WeeklyHours.within(hours.filter { $0.providerID == pid }.map(\.hours), opening: opening)
                guard ph.contains(where: { $0.locationID == lid }) else { continue }
                let busy =
                    booked.filter { $0.providerID == pid }.map { Busy(span: $0.span, locationID: $0.locationID) }
                    + leave.filter { $0.providerID == pid }.map {
                        Busy(span: TimeSpan(start: $0.startAt, end: $0.endAt), locationID: nil)
                    }
                var day = fromDay
                while day <= toDay {
                    let req = SlotRequest(
                        day: day, zone: zone, locationID: lid, duration: TimeInterval(minutes * 60),
                        step: 15 * 60, travelBuffer: buffer, notBefore: now)
                    out += SlotRules.freeSlots(req, hours: ph, providerBusy: busy, roomFree: roomFree)
                        .map { Slot(start: $0.start, end: $0.end, providerId: pid, locationId: lid) }
                    day = day.adding(days: 1)
                }
            }
        }
        return out.sorted { ($0.start, $0.providerId.uuidString) < ($1.start, $1.providerId.uuidString) }
    }

    package init(scope: AuditScope) {
        self.scope = scope
    }
}

extension Request {
    package func scheduling() throws -> SchedulingStore { SchedulingStore(scope: try scope()) }
}
