import Vapor
import Domain
import AppCore

/// The clinical summary's API and the chart's forms; thin over `ClinicalStore`.
package enum ClinicalController {
    @Sendable package static func summaryAPI(req: Request) async throws -> ClinicalStore.Summary {
        try await req.clinical().summary(patientID: try req.idParameter("patient"))
    }

    @Sendable package static func addAPI(req: Request) async throws -> Response {
        guard
            let entry = try await req.clinical().add(
                patientID: try req.idParameter("patient"), try req.decodeJSON(ClinicalEntryInput.self))
        else { throw AppError.notFound("The entry was not added.") }
        return try await entry.encodeResponse(status: .created, for: req)
    }

    @Sendable package static func changeAPI(req: Request) async throws -> ClinicalStore.EntryDTO {
        try await req.clinical().change(
            try req.idParameter("clinical entry"), try req.decodeJSON(ClinicalStore.Change.self))
    }

    /// The chart's "add" forms: back to the chart's summary, or the chart again with the form's errors.
    @Sendable package static func addFromChart(req: Request) async throws -> Response {
        let pid = try req.idParameter("patient")
        do {
            _ = try await req.clinical().add(patientID: pid, try req.content.decode(ClinicalEntryInput.self))
            return req.redirect(to: Site.patient.path(pid) + "#clinical")
        } catch let e as AppError {
            guard case .forbidden = e else {
                return try await req.application.chartPage(
                    req, pid, ChartFormErrors(clinical: e.fieldErrors(otherwise: "display")), e.status)
            }
            throw e
        }
    }

    /// The chart's buttons on an entry: resolve or stop it, make it active again, confirm it.
    @Sendable package static func changeFromChart(req: Request) async throws -> Response {
        let entry = try await req.clinical().change(
            try req.idParameter("clinical entry"), try req.content.decode(ClinicalStore.Change.self))
        return req.redirect(to: Site.patient.path(entry.patientId) + "#clinical")
    }

    @Sendable package static func referralsAPI(req: Request) async throws -> [ClinicalStore.ReferralDTO] {
        try await req.clinical().referrals(patientID: try req.idParameter("patient"))
    }

    @Sendable package static func observationsAPI(req: Request) async throws -> [ClinicalStore.ObservationDTO] {
        try await req.clinical().summary(patientID: try req.idParameter("patient")).observations
    }

    @Sendable package static func recordObservationAPI(req: Request) async throws -> Response {
        guard
            let o = try await req.clinical().recordObservation(
                patientID: try req.idParameter("patient"), try req.decodeJSON(ObservationInput.self))
        else { throw AppError.notFound("The observation was not recorded.") }
        return try await o.encodeResponse(status: .created, for: req)
    }

    @Sendable package static func changeObservationAPI(req: Request) async throws -> ClinicalStore.ObservationDTO {
        try await req.clinical().changeObservation(
            try req.idParameter("observation"), try req.decodeJSON(ClinicalStore.ObservationChange.self))
    }

    /// The chart's "record vitals" form; the chart again with the form's errors when refused.
    @Sendable package static func recordObservationFromChart(req: Request) async throws -> Response {
        let pid = try req.idParameter("patient")
        do {
            _ = try await req.clinical().recordObservation(
                patientID: pid, try req.content.decode(ObservationInput.self))
            return req.redirect(to: Site.patient.path(pid) + "#vitals")
        } catch let e as AppError {
            guard case .forbidden = e else {
                return try await req.application.chartPage(
                    req, pid, ChartFormErrors(observation: e.fieldErrors(otherwise: "value")), e.status)
            }
            throw e
        }
    }

    @Sendable package static func changeObservationFromChart(req: Request) async throws -> Response {
        let o = try await req.clinical().changeObservation(
            try req.idParameter("observation"), try req.content.decode(ClinicalStore.ObservationChange.self))
        return req.redirect(to: Site.patient.path(o.patientId) + "#vitals")
    }
}
