import Vapor
import Fluent
import Domain
import AppCore
import Accounts
import Patients
import Prescribing
import CarePathways
import ClinicalRecord
import Encounters
import Locations

/// The patient's chart: demographics with the sections other capabilities contribute (care pathway, prescriptions)
/// and the forms that sit on it. Capabilities whose forms post from the chart re-render it through
/// `Application.chartPage`, which this module provides, so none of them depends on the chart.
package enum ChartController {
    @Sendable package static func chart(req: Request) async throws -> Response {
        try await chartPage(req, try req.idParameter("patient"))
    }

    /// The chart, with a form's problems shown when one of its forms was refused (invitation, procedure).
    package static func chartPage(
        _ req: Request, _ id: UUID, errors: ChartFormErrors = ChartFormErrors(), status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let p = try await req.patients().find(id)
        let principal = try req.principal()
        let locs = try await LocationRecord.byName(on: req.db)
        let pathway =
            AccessPolicy.decide(principal, .readPathway(patientID: id)).isAllowed
            ? try await req.pathways().chart(patientID: id) : nil
        let providers = try await UserRecord.query(on: req.db).filter(
            \.$role ~~ [Role.provider, .medicalDirector]
        ).filter(\.$active == true).all()
        let rx =
            AccessPolicy.decide(principal, .readRx(patientID: id)).isAllowed
            ? try await req.prescriptions().history(patientID: id) : nil
        let approved = pathway == nil ? [] : try await PathwayStore.approvedTemplates(req.db)
        let clinical =
            AccessPolicy.decide(principal, .readClinical(patientID: id)).isAllowed
            ? try await req.clinical().summary(patientID: id) : nil
        let canRecord = AccessPolicy.decide(principal, .recordClinical(patientID: id)).isAllowed
        let canConfirm = AccessPolicy.decide(principal, .confirmClinical(patientID: id)).isAllowed
        let procedure = req.query[String.self, at: "procedure"].map {
            $0 == "enrolled"
                ? "Procedure recorded; the patient is enrolled in its care pathway." : "Procedure recorded."
        }
        let notes = try await EncounterController.chartSection(req, patientID: id, errors: errors.note)
        let page = ChartPage(
            patient: p, locationName: locs.first { $0.id == p.preferredLocationID }?.name,
            registered: req.query[String.self, at: "registered"] != nil,
            saved: req.query[String.self, at: "saved"] != nil,
            canEdit: AccessPolicy.decide(principal, .updatePatient(id)).isAllowed,
            canRetire: AccessPolicy.decide(principal, .deletePatient(id)).isAllowed,
            canInvite: AccessPolicy.decide(principal, .invitePatient(id)).isAllowed,
            notice: req.query[String.self, at: "invited"].map {
                "Portal invitation sent by \($0 == "sms" ? "text message" : "email"); the link works once, for 7 days."
            } ?? procedure,
            inviteErrors: errors.invite,
            pathway: try pathway.map {
                PathwayChartSection(
                    summary: $0, canRecord: AccessPolicy.decide(principal, .recordProcedure(patientID: id)).isAllowed,
                    locations: try locs.map { ((try $0.requireID()).uuidString, $0.name) },
                    providers: try providers.map { ((try $0.requireID()).uuidString, $0.displayName) },
                    approved: approved, errors: errors.procedure)
            },
            clinical: try await clinical.asyncMap {
                var section = ClinicalChartSection(
                    summary: $0, canRecord: canRecord, canConfirm: canConfirm, errors: errors.clinical)
                section.prescribed = (rx ?? []).filter { $0.status.isActive }.map {
                    $0.description + ($0.writtenDate.map { " · prescribed \($0)" } ?? "")
                }
                section.referrals = try await req.clinical().referrals(patientID: id)
                section.zone = try await LocationRecord.homeZone(on: req.db)
                return section
            },
            vitals: clinical.map {
                VitalsChartSection(
                    summary: $0, canRecord: canRecord, canConfirm: canConfirm, errors: errors.observation)
            },
            notes: notes,
            prescriptions: rx.map {
                PrescriptionChartSection(
                    rows: $0, canPrescribe: AccessPolicy.decide(principal, .prepareRx(patientID: id)).isAllowed)
            })
        return Layout.render(page.render(for: req), status: status)
    }

    /// What `Application.chartPage` calls.
    package static let renderer: ChartPageRenderer = { req, id, errors, status in
        try await chartPage(req, id, errors: errors, status: status)
    }
}
