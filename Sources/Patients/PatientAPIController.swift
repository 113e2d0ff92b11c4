import Vapor
import Domain
import AppCore

/// `/api/v1/patients`: thin handlers over `PatientStore`.
package enum PatientAPIController {
    package struct Ack: Decodable {
        package var acknowledgeDuplicate: Bool?
    }

    package static func id(_ req: Request) throws -> UUID { try req.idParameter("patient") }

    @Sendable package static func search(req: Request) async throws -> PatientListDTO {
        let c = PatientStore.SearchCriteria(
            text: req.query[String.self, at: "q"], name: req.query[String.self, at: "name"],
            birthDate: req.query[String.self, at: "birthDate"], mrn: req.query[String.self, at: "mrn"],
            limit: req.query[Int.self, at: "limit"] ?? 20)
        let rows = try await req.patients().search(c)
        return PatientListDTO(items: rows, count: rows.count)
    }

    @Sendable package static func create(req: Request) async throws -> Response {
        let input = try req.decodeJSON(PatientInput.self)
        let ack = try req.decodeJSON(Ack.self)
        var (p, dups) = try await req.patients().create(input, acknowledgeDuplicate: ack.acknowledgeDuplicate ?? false)
        p.warnings = dups.isEmpty ? nil : ["Possible duplicate of \(dups.joined(separator: ", ")) (acknowledged)."]
        let res = try await p.encodeResponse(status: .created, for: req)
        res.headers.replaceOrAdd(name: .location, value: Site.apiPatient.path(p.id))
        return res.withETag(p.version)
    }

    @Sendable package static func read(req: Request) async throws -> Response {
        let p = try await req.patients().find(try id(req))
        return try await p.encodeResponse(for: req).withETag(p.version)
    }

    @Sendable package static func update(req: Request) async throws -> Response {
        let pid = try id(req)
        let expected = try req.ifMatchVersion()
        let input = try req.decodeJSON(PatientInput.self)
        let p = try await req.patients().update(pid, input, expectedVersion: expected)
        return try await p.encodeResponse(for: req).withETag(p.version)
    }

    @Sendable package static func retire(req: Request) async throws -> HTTPStatus {
        try await req.patients().retire(try id(req))
        return .noContent
    }

    @Sendable package static func history(req: Request) async throws -> [PatientVersionDTO] {
        try await req.patients().history(try id(req))
    }

    @Sendable package static func accessLog(req: Request) async throws -> [AccessLogEntryDTO] {
        try await req.patients().accessLog(try id(req))
    }

    package struct ExportDTO: Content {
        package let exportedAt: Date
        package let patient: PatientDTO
        package let history: [PatientVersionDTO]
    }

    /// A patient's record as a JSON download; audited as an export.
    @Sendable package static func export(req: Request) async throws -> Response {
        let pid = try id(req)
        let (p, versions) = try await req.patients().export(pid)
        let res = try await ExportDTO(
            exportedAt: req.now, patient: p, history: versions
        ).encodeResponse(for: req)
        res.headers.replaceOrAdd(name: "Content-Disposition", value: "attachment; filename=\"patient-\(p.mrn).json\"")
        return res
    }
}
