import Vapor
import Fluent
import Domain
import AppCore
import Locations

/// Staff pages for patients: thin handlers over `PatientStore`, rendering the views in PatientViews.swift.
package enum PatientPagesController {
    /// What the patient form posts; every field is a string, as browsers send them.
    package struct PatientForm: Content {
        package var familyName: String?
        package var givenName: String?
        package var birthDate: String?
        package var sex: String?
        package var email: String?
        package var phone: String?
        package var addressLine1: String?
        package var addressLine2: String?
        package var city: String?
        package var state: String?
        package var postalCode: String?
        package var preferredLocationID: String?
        package var insurancePayer: String?
        package var insuranceMemberID: String?
        package var insuranceGroup: String?
        package var preferredLanguage: String?
        package var version: String?
        package var acknowledgeDuplicate: String?

        /// Fields the form always sends become explicit values (empty clears them).
        package func input() throws -> PatientInput {
            var loc: UUID?
            if let raw = Text.clean(preferredLocationID) {
                guard let u = UUID(uuidString: raw) else {
                    throw AppError.validation([FieldError("preferredLocationID", "Choose a location from the list.")])
                }
                loc = u
            }
            return PatientInput(
                familyName: familyName ?? "", givenName: givenName ?? "", birthDate: birthDate ?? "", sex: sex ?? "",
                email: email ?? "", phone: phone ?? "", addressLine1: addressLine1 ?? "",
                addressLine2: addressLine2 ?? "",
                city: city ?? "", state: state ?? "", postalCode: postalCode ?? "", preferredLocationID: loc,
                insurancePayer: insurancePayer ?? "", insuranceMemberID: insuranceMemberID ?? "",
                insuranceGroup: insuranceGroup ?? "", preferredLanguage: preferredLanguage)
        }
    }

    @Sendable package static func list(req: Request) async throws -> Response {
        let q = req.query[String.self, at: "q"]
        var errors: [FieldError] = []
        var rows: [PatientDTO] = []
        do {
            rows = try await req.patients().search(.init(text: q, limit: 50))
        } catch AppError.validation(let e) {
            errors = e
        }
        let model = PatientListPage(
            query: q ?? "", rows: rows.map(PatientListPage.Row.init), errors: errors,
            canRegister: AccessPolicy.decide(try req.principal(), .createPatient).isAllowed)
        return Layout.render(model.render(for: req))
    }

    @Sendable package static func newForm(req: Request) async throws -> Response {
        try await req.scope().authorize(.createPatient)
        let page = PatientFormPage(
            mode: .create, form: PatientForm(), locations: try await LocationRecord.byName(on: req.db))
        return Layout.render(page.render(for: req))
    }

    @Sendable package static func create(req: Request) async throws -> Response {
        let form = try req.content.decode(PatientForm.self)
        let locs = try await LocationRecord.byName(on: req.db)
        do {
            let (p, _) = try await req.patients().create(
                try form.input(), acknowledgeDuplicate: form.acknowledgeDuplicate == "on")
            return req.redirect(to: Site.patient.path(p.id) + "?registered=1")
        } catch AppError.validation(let errs) {
            return Layout.render(
                PatientFormPage(mode: .create, form: form, locations: locs, errors: errs).render(for: req),
                status: .unprocessableEntity)
        } catch AppError.conflict(let type, let detail, _) where type == "possible-duplicate" {
            return Layout.render(
                PatientFormPage(mode: .create, form: form, locations: locs, duplicateWarning: detail).render(for: req),
                status: .conflict)
        }
    }

    @Sendable package static func editForm(req: Request) async throws -> Response {
        let id = try PatientAPIController.id(req)
        try await req.scope().authorize(.updatePatient(id), patientID: id)
        let p = try await req.patients().find(id, detail: "edit form")
        let page = PatientFormPage(
            mode: .edit(id), form: form(from: p), locations: try await LocationRecord.byName(on: req.db))
        return Layout.render(page.render(for: req))
    }

    @Sendable package static func update(req: Request) async throws -> Response {
        let id = try PatientAPIController.id(req)
        let form = try req.content.decode(PatientForm.self)
        let locs = try await LocationRecord.byName(on: req.db)
        do {
            _ = try await req.patients().update(id, try form.input(), expectedVersion: form.version.flatMap { Int($0) })
            return req.redirect(to: Site.patient.path(id) + "?saved=1")
        } catch AppError.validation(let errs) {
            return Layout.render(
                PatientFormPage(mode: .edit(id), form: form, locations: locs, errors: errs).render(for: req),
                status: .unprocessableEntity)
        } catch AppError.preconditionFailed(let detail) {
            return Layout.render(
                PatientFormPage(mode: .edit(id), form: form, locations: locs, staleWarning: detail).render(for: req),
                status: .preconditionFailed)
        }
    }

    @Sendable package static func history(req: Request) async throws -> Response {
        let id = try PatientAPIController.id(req)
        let versions = try await req.patients().history(id)
        return Layout.render(
            HistoryPage(patientID: id, versions: versions).render(for: req))
    }

    @Sendable package static func printView(req: Request) async throws -> Response {
        let p = try await req.patients().find(
            try PatientAPIController.id(req), as: .print, detail: "printable chart summary")
        let locs = try await LocationRecord.byName(on: req.db)
        return Layout.render(
            PrintPage(
                patient: p, locationName: locs.first { $0.id == p.preferredLocationID }?.name,
                printedBy: try req.principal().username, printedAt: req.now
            ).render(for: req))
    }

    @Sendable package static func retire(req: Request) async throws -> Response {
        let id = try PatientAPIController.id(req)
        try await req.patients().retire(id)
        return req.redirect(to: Site.patient.path(id))
    }

    package static func form(from p: PatientDTO) -> PatientForm {
        PatientForm(
            familyName: p.familyName, givenName: p.givenName, birthDate: p.birthDate, sex: p.sex, email: p.email,
            phone: p.phone,
            addressLine1: p.addressLine1, addressLine2: p.addressLine2, city: p.city, state: p.state,
            postalCode: p.postalCode,
            preferredLocationID: p.preferredLocationID?.uuidString, insurancePayer: p.insurancePayer,
            insuranceMemberID: p.insuranceMemberID, insuranceGroup: p.insuranceGroup,
            preferredLanguage: p.preferredLanguage.rawValue, version: String(p.version))
    }
}
