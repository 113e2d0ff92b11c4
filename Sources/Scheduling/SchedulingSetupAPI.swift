import Vapor
import Fluent
import Domain
import Accounts
import AppCore
import Locations

/// Admin set-up for scheduling: rooms, appointment types, providers' weekly hours, leave and blocked time,
/// and the practice's travel buffer. Each change is audited.
package enum SchedulingSetupAPI {
    package struct RoomInput: Content {
        package var locationId: UUID?
        package var name: String?
    }
    package struct TypeInput: Content {
        package var code: String?
        package var name: String?
        package var minutes: Int?
        package var telemedicine: Bool?
        package var patientBookable: Bool?
        package var needsRoom: Bool?
    }
    package struct HoursInput: Content {
        package var providerId: UUID?
        package var locationId: UUID?
        package var weekday: Int?
        package var start: String?
        package var end: String?
    }
    package struct ExceptionInput: Content {
        package var providerId: UUID?
        package var start: Date?
        package var end: Date?
        package var kind: String?
    }
    package struct BufferInput: Content {
        package var travelBufferMinutes: Int?
    }

    package struct RoomDTO: Content {
        package let id: UUID
        package let locationId: UUID
        package let name: String
        package let active: Bool
    }
    package struct HoursDTO: Content {
        package let id: UUID
        package let providerId: UUID
        package let locationId: UUID
        package let weekday: Int
        package let start: String
        package let end: String
    }
    package struct ExceptionDTO: Content {
        package let id: UUID
        package let providerId: UUID
        package let start: Date
        package let end: Date
        package let kind: String
    }

    package static func admin(_ req: Request) async throws -> AuditScope {
        let scope = try req.scope()
        try await scope.authorize(.manageSchedulingSetup)
        return scope
    }

    package static func draft(_ what: String, _ id: UUID?) -> AuditDraft {
        AuditDraft(
            action: .create, category: .appointments, entityType: "SchedulingSetup", entityID: id?.uuidString,
            detail: what)
    }

    /// "08:30" → 510.
    package static func minutes(_ s: String?, field: String) throws -> Int {
        let parts = (s ?? "").split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h),
            (0...59).contains(m), h * 60 + m <= 1440
        else {
            throw AppError.validation([FieldError(field, "\(field) must be a time of day written HH:MM.")])
        }
        return h * 60 + m
    }

    package static func hhmm(_ m: Int) -> String { String(format: "%02d:%02d", m / 60, m % 60) }

    @Sendable package static func rooms(req: Request) async throws -> [RoomDTO] {
        _ = try req.principal()
        return try await RoomRecord.query(on: req.db).sort(\.$name).all().map {
            RoomDTO(id: try $0.requireID(), locationId: $0.locationID, name: $0.name, active: $0.active)
        }
    }

    @Sendable package static func addRoom(req: Request) async throws -> Response {
        let scope = try await admin(req)
        let i = try req.decodeJSON(RoomInput.self)
        var errs: [FieldError] = []
        let name = Text.clean(i.name)
        if name == nil || name!.count > 60 {
            errs.append(FieldError("name", "Room name is required (at most 60 characters)."))
        }
        if let l = i.locationId {
            if try await LocationRecord.find(l, on: req.db) == nil {
                errs.append(FieldError("locationId", "No location with that id."))
            }
        } else {
            errs.append(FieldError("locationId", "Location is required."))
        }
        if !errs.isEmpty { throw AppError.validation(errs) }
        let r: RoomRecord = try await scope.run { tx in
            let r = RoomRecord(locationID: i.locationId!, name: name!)
            try await r.create(on: tx)
            return (r, [draft("room \(name!)", r.id)])
        }
        return try await RoomDTO(id: try r.requireID(), locationId: r.locationID, name: r.name, active: r.active)
            .encodeResponse(
                status: .created, for: req)
    }

    @Sendable package static func addType(req: Request) async throws -> Response {
        let scope = try await admin(req)
        let i = try req.decodeJSON(TypeInput.self)
        var errs: [FieldError] = []
        let code = Text.clean(i.code)?.uppercased(), name = Text.clean(i.name)
        if code == nil || code!.count > 16 || !code!.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
            errs.append(FieldError("code", "Code is required: up to 16 letters, digits or hyphens."))
        }
        if name == nil || name!.count > 80 {
            errs.append(FieldError("name", "Name is required (at most 80 characters)."))
        }
        if !(5...480).contains(i.minutes ?? 0) {
            errs.append(FieldError("minutes", "Minutes must be between 5 and 480."))
        }
        if !errs.isEmpty { throw AppError.validation(errs) }
        let t: AppointmentTypeRecord = try await scope.run { tx in
            if try await AppointmentTypeRecord.query(on: tx).filter(\.$code == code!).first() != nil {
                throw AppError.conflict(
                    type: "code-taken", detail: "An appointment type with that code exists.", extra: [:])
            }
            let t = try await SchedulingSetup.addType(
                .init(
                    code: code!, name: name!, minutes: i.minutes!, telemedicine: i.telemedicine ?? false,
                    patientBookable: i.patientBookable ?? false, needsRoom: i.needsRoom ?? !(i.telemedicine ?? false)),
                on: tx)
            return (t, [draft("appointment type \(code!)", t.id)])
        }
        return try await AppointmentTypeDTO(t).encodeResponse(status: .created, for: req)
    }

    @Sendable package static func hours(req: Request) async throws -> [HoursDTO] {
        _ = try req.principal()
        return try await ProviderHoursRecord.query(on: req.db).sort(\.$weekday).all().map {
            HoursDTO(
                id: try $0.requireID(), providerId: $0.providerID, locationId: $0.locationID, weekday: $0.weekday,
                start: hhmm($0.startMinute), end: hhmm($0.endMinute))
        }
    }

    /// A provider id must name a provider's account (a random id is a field error, never a database error).
    package static func requireProvider(_ id: UUID, on db: any Database, errors: inout [FieldError]) async throws {
        let u = try await UserRecord.find(id, on: db)
        if u == nil || ![.provider, .medicalDirector].contains(u!.role) {
            errors.append(FieldError("providerId", "That account is not a provider."))
        }
    }

    @Sendable package static func addHours(req: Request) async throws -> Response {
        let scope = try await admin(req)
        let i = try req.decodeJSON(HoursInput.self)
        var errs: [FieldError] = []
        if !(1...7).contains(i.weekday ?? 0) {
            errs.append(FieldError("weekday", "Weekday must be 1 (Sunday) to 7 (Saturday)."))
        }
        let s = try minutes(i.start, field: "start"), e = try minutes(i.end, field: "end")
        if e <= s { errs.append(FieldError("end", "End must be after start.")) }
        if let p = i.providerId {
            try await requireProvider(p, on: req.db, errors: &errs)
        } else {
            errs.append(FieldError("providerId", "Provider is required."))
        }
        if let l = i.locationId {
            if try await LocationRecord.find(l, on: req.db) == nil {
                errs.append(FieldError("locationId", "No location with that id."))
            }
        } else {
            errs.append(FieldError("locationId", "Location is required."))
        }
        if !errs.isEmpty { throw AppError.validation(errs) }
        let h: ProviderHoursRecord = try await scope.run { tx in
            // A provider cannot be expected at two places at once: hours are compared as instants, each in its
            // location's zone (local clock times of two zones say nothing about each other).
            let existing = try await ProviderHoursRecord.query(on: tx).filter(\.$providerID == i.providerId!).all()
            let zones = try await LocationRecord.query(on: tx).all().reduce(into: [UUID: TimeZone]()) { z, l in
                if let id = l.id, let tz = TimeZone(identifier: l.timeZone) { z[id] = tz }
            }
            let new = WeeklyHours(weekday: i.weekday!, startMinute: s, endMinute: e, locationID: i.locationId!)
            if let at = WeeklyHours.firstOverlap(new, existing: existing.map(\.hours), zones: zones, from: scope.now) {
                let zone = zones[i.locationId!] ?? .gmt
                let local = Format.local(at, zone: zone)
                throw AppError.conflict(
                    type: "hours-overlap",
                    detail: "These hours overlap hours the provider already has "
                        + "(both would start being worked at \(local) in this location's time).", extra: [:])
            }
            let h = ProviderHoursRecord(
                providerID: i.providerId!, locationID: i.locationId!, weekday: i.weekday!, startMinute: s, endMinute: e)
            try await h.create(on: tx)
            return (h, [draft("hours weekday \(i.weekday!) \(hhmm(s))-\(hhmm(e))", h.id)])
        }
        return try await HoursDTO(
            id: try h.requireID(), providerId: h.providerID, locationId: h.locationID, weekday: h.weekday,
            start: hhmm(s),
            end: hhmm(e)
        )
        .encodeResponse(status: .created, for: req)
    }

    package struct OpeningDTO: Content {
        package let id: UUID
        package let locationId: UUID
        package let weekday: Int
        package let start: String
        package let end: String
    }
    package struct OpeningInput: Content {
        package var locationId: UUID?
        package var weekday: Int?
        package var start: String?
        package var end: String?
    }

    @Sendable package static func addOpeningHours(req: Request) async throws -> Response {
        let scope = try await admin(req)
        let i = try req.decodeJSON(OpeningInput.self)
        var errs: [FieldError] = []
        if !(1...7).contains(i.weekday ?? 0) {
            errs.append(FieldError("weekday", "Weekday must be 1 (Sunday) to 7 (Saturday)."))
        }
        let s = try minutes(i.start, field: "start"), e = try minutes(i.end, field: "end")
        if e <= s { errs.append(FieldError("end", "End must be after start.")) }
        if let l = i.locationId {
            if try await LocationRecord.find(l, on: req.db) == nil {
                errs.append(FieldError("locationId", "No location with that id."))
            }
        } else {
            errs.append(FieldError("locationId", "Location is required."))
        }
        if !errs.isEmpty { throw AppError.validation(errs) }
        let h: LocationHoursRecord = try await scope.run { tx in
            let h = LocationHoursRecord(locationID: i.locationId!, weekday: i.weekday!, startMinute: s, endMinute: e)
            try await h.create(on: tx)
            return (h, [draft("opening hours weekday \(i.weekday!) \(hhmm(s))-\(hhmm(e))", h.id)])
        }
        return try await OpeningDTO(
            id: try h.requireID(), locationId: h.locationID, weekday: h.weekday, start: hhmm(s), end: hhmm(e)
        )
        .encodeResponse(status: .created, for: req)
    }

    @Sendable package static func addException(req: Request) async throws -> Response {
        let scope = try await admin(req)
        let i = try req.decodeJSON(ExceptionInput.self)
        var errs: [FieldError] = []
        if let p = i.providerId {
            try await requireProvider(p, on: req.db, errors: &errs)
        } else {
            errs.append(FieldError("providerId", "Provider is required."))
        }
        if i.start == nil { errs.append(FieldError("start", "Start is required (ISO 8601).")) }
        if i.end == nil || (i.start != nil && i.end! <= i.start!) {
            errs.append(FieldError("end", "End is required and must be after start."))
        }
        if !["leave", "blocked"].contains(i.kind ?? "") {
            errs.append(FieldError("kind", "Kind must be leave or blocked."))
        }
        if !errs.isEmpty { throw AppError.validation(errs) }
        let x: AvailabilityExceptionRecord = try await scope.run { tx in
            let x = AvailabilityExceptionRecord(
                providerID: i.providerId!, span: TimeSpan(start: i.start!, end: i.end!), kind: i.kind!)
            try await x.create(on: tx)
            return (x, [draft("\(i.kind!) for provider \(i.providerId!.uuidString)", x.id)])
        }
        return try await ExceptionDTO(
            id: try x.requireID(), providerId: x.providerID, start: x.startAt, end: x.endAt, kind: x.kind
        )
        .encodeResponse(status: .created, for: req)
    }

    @Sendable package static func setTravelBuffer(req: Request) async throws -> BufferInput {
        let scope = try await admin(req)
        let i = try req.decodeJSON(BufferInput.self)
        guard let m = i.travelBufferMinutes, (0...240).contains(m) else {
            throw AppError.validation([FieldError("travelBufferMinutes", "Travel buffer must be 0 to 240 minutes.")])
        }
        try await scope.run { tx in
            try await PracticeRecord.query(on: tx).set(\.$travelBufferMinutes, to: m).update()
            return (
                (),
                [
                    AuditDraft(
                        action: .update, category: .appointments, entityType: "SchedulingSetup",
                        detail: "travel buffer \(m) min")
                ]
            )
        }
        return BufferInput(travelBufferMinutes: m)
    }
}
