import Vapor
import Domain
import AppCore

package struct PatientDTO: Content {
    package let id: UUID
    package let mrn: String
    package let version: Int
    package let familyName: String
    package let givenName: String
    package let birthDate: String
    package let sex: String
    package let email: String?
    package let phone: String?
    package let addressLine1: String?
    package let addressLine2: String?
    package let city: String?
    package let state: String?
    package let postalCode: String?
    package let preferredLocationID: UUID?
    package let insurancePayer: String?
    package let insuranceMemberID: String?
    package let insuranceGroup: String?
    package let synthetic: Bool
    package let retired: Bool
    package let createdAt: Date
    package let updatedAt: Date
    package var warnings: [String]?

    package init(_ p: PatientRecord, warnings: [String]? = nil) throws {
        id = try p.requireID()
        mrn = p.mrn
        version = p.version
        familyName = p.familyName
        givenName = p.givenName
        birthDate = p.birthDate
        sex = p.sex
        email = p.email
        phone = p.phone
        addressLine1 = p.addressLine1
        addressLine2 = p.addressLine2
        city = p.city
        state = p.state
        postalCode = p.postalCode
        preferredLocationID = p.preferredLocationID
        insurancePayer = p.insurancePayer
        insuranceMemberID = p.insuranceMemberID
        insuranceGroup = p.insuranceGroup
        synthetic = p.synthetic
        retired = p.retiredAt != nil
        createdAt = p.createdAt
        updatedAt = p.updatedAt
        self.warnings = warnings
    }
}

package struct PatientVersionDTO: Content {
    package let version: Int
    package let changedAt: Date
    package let changedBy: String
    package let changedFields: [String]
    package let snapshot: PatientDemographics

    package init(_ v: PatientVersionRecord) {
        version = v.version
        changedAt = v.changedAt
        changedBy = v.changedBy
        changedFields = v.changedFields.split(separator: ",").map(String.init)
        snapshot =
            (try? JSONDecoder().decode(PatientDemographics.self, from: Data(v.snapshot.utf8)))
            ?? PatientDemographics(familyName: "", givenName: "", birthDate: "", sex: .unknown)
    }
}

package struct AccessLogEntryDTO: Content {
    package let at: Date
    package let user: String
    package let role: String
    package let action: String
    package let category: String

    package init(_ e: AuditEventRecord) {
        at = e.recordedAt
        user = e.username
        role = e.role
        action = e.action
        category = e.category
    }
}

package struct PatientListDTO: Content {
    package let items: [PatientDTO]
    package let count: Int
}

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
        return PatientListDTO(items: try rows.map { try PatientDTO($0) }, count: rows.count)
    }

    @Sendable package static func create(req: Request) async throws -> Response {
        let input = try req.decodeJSON(PatientInput.self)
        let ack = try req.decodeJSON(Ack.self)
        let (p, dups) = try await req.patients().create(input, acknowledgeDuplicate: ack.acknowledgeDuplicate ?? false)
        let warnings = dups.isEmpty ? nil : ["Possible duplicate of \(dups.joined(separator: ", ")) (acknowledged)."]
        let res = try await PatientDTO(p, warnings: warnings).encodeResponse(status: .created, for: req)
        res.headers.replaceOrAdd(name: .location, value: Site.apiPatient.path((try p.requireID())))
        return res.withETag(p.version)
    }

    @Sendable package static func read(req: Request) async throws -> Response {
        let p = try await req.patients().find(try id(req))
        return try await PatientDTO(p).encodeResponse(for: req).withETag(p.version)
    }

    @Sendable package static func update(req: Request) async throws -> Response {
        let pid = try id(req)
        let expected = try req.ifMatchVersion()
        let input = try req.decodeJSON(PatientInput.self)
        let p = try await req.patients().update(pid, input, expectedVersion: expected)
        return try await PatientDTO(p).encodeResponse(for: req).withETag(p.version)
    }

    @Sendable package static func retire(req: Request) async throws -> HTTPStatus {
        try await req.patients().retire(try id(req))
        return .noContent
    }

    @Sendable package static func history(req: Request) async throws -> [PatientVersionDTO] {
        try await req.patients().history(try id(req)).map(PatientVersionDTO.init)
    }

    @Sendable package static func accessLog(req: Request) async throws -> [AccessLogEntryDTO] {
        try await req.patients().accessLog(try id(req)).map(AccessLogEntryDTO.init)
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
            exportedAt: req.now, patient: PatientDTO(p), history: versions.map(PatientVersionDTO.init)
        ).encodeResponse(for: req)
        res.headers.replaceOrAdd(name: "Content-Disposition", value: "attachment; filename=\"patient-\(p.mrn).json\"")
        return res
    }
}
