import Vapor
import Fluent
import Domain
import AppCore
import Patients

package struct AppointmentTypeDTO: Content {
    package let id: UUID, code: String, name: String, minutes: Int, telemedicine: Bool, patientBookable: Bool,
        needsRoom: Bool
    package init(_ t: AppointmentTypeRecord) throws {
        id = try t.requireID(); code = t.code; name = t.name; minutes = t.minutes
        telemedicine = t.telemedicine; patientBookable = t.patientBookable; needsRoom = t.needsRoom
    }
}

/// `/api/v1/slots` and `/api/v1/appointments`: thin handlers over `SchedulingStore`.
package enum SchedulingAPIController {
    package static func uuids(_ req: Request, _ name: String) throws -> [UUID] {
        guard let raw = req.query[String.self, at: name], !raw.isEmpty else { return [] }
        return try raw.split(separator: ",").map {
            guard let u = UUID(uuidString: String($0)) else {
                throw AppError.validation([FieldError(name, "\(name) must be one or more ids, comma-separated.")])
            }
            return u
        }
    }

    package static func instant(_ req: Request, _ name: String) throws -> Date? {
        guard let raw = req.query[String.self, at: name] else { return nil }
        if let d = ISO8601.parse(raw) { return d }
        if let day = LocalDay(raw) { return day.span(in: TimeZone(identifier: "UTC")!).start }
        throw AppError.validation([FieldError(name, "\(name) must be an ISO 8601 instant or a date YYYY-MM-DD.")])
    }

    @Sendable package static func slots(req: Request) async throws -> [SchedulingStore.Slot] {
        guard let typeRaw = req.query[String.self, at: "type"], let type = UUID(uuidString: typeRaw) else {
            throw AppError.validation([FieldError("type", "type (an appointment type id) is required.")])
        }
        guard let from = req.query[String.self, at: "from"].flatMap(LocalDay.init) else {
            throw AppError.validation([FieldError("from", "from must be a date YYYY-MM-DD (the location's local day).")]
            )
        }
        let to =
            try req.query[String.self, at: "to"].map { s -> LocalDay in
                guard let d = LocalDay(s) else {
                    throw AppError.validation([FieldError("to", "to must be a date YYYY-MM-DD.")])
                }
                return d
            } ?? from
        return try await req.scheduling().slots(
            typeID: type, locationIDs: try uuids(req, "location"), providerIDs: try uuids(req, "provider"),
            fromDay: from, toDay: to)
    }

    @Sendable package static func list(req: Request) async throws -> [AppointmentDTO] {
        let principal = try req.principal()
        guard let from = try instant(req, "from"), let to = try instant(req, "to") else {
            throw AppError.validation([FieldError("from", "from and to are required (ISO 8601 or YYYY-MM-DD).")])
        }
        var f = SchedulingStore.ListFilter(
            providerID: try uuids(req, "provider").first, locationID: try uuids(req, "location").first,
            patientID: try uuids(req, "patient").first, from: from, to: to,
            includeInactive: req.query[Bool.self, at: "includeCancelled"] ?? false)
        if principal.role == .patient { f.patientID = principal.patientID }
        return try await req.scheduling().list(f).map(\.appointment)
    }

    @Sendable package static func book(req: Request) async throws -> Response {
        let a = try await req.scheduling().book(try req.decodeJSON(SchedulingStore.BookingInput.self))
        let res = try await a.encodeResponse(status: .created, for: req)
        res.headers.replaceOrAdd(name: .location, value: Site.apiAppointment.path(a.id))
        return res.withETag(a.version)
    }

    @Sendable package static func read(req: Request) async throws -> Response {
        let a = try await req.scheduling().find(try req.idParameter("appointment"))
        return try await a.encodeResponse(for: req).withETag(a.version)
    }

    @Sendable package static func change(req: Request) async throws -> Response {
        let id = try req.idParameter("appointment")
        let a = try await req.scheduling().change(
            id, try req.decodeJSON(SchedulingStore.ChangeInput.self),
            expectedVersion: try req.ifMatchVersion())
        return try await a.encodeResponse(for: req).withETag(a.version)
    }

    @Sendable package static func types(req: Request) async throws -> [AppointmentTypeDTO] {
        _ = try req.principal()
        return try await AppointmentTypeRecord.query(on: req.db).sort(\.$name).all().map(AppointmentTypeDTO.init)
    }
}
