import Vapor
import AppCore

/// Prescribing's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum PrescribingRoutes {
    package static func register(routes: SiteRoutes) {
        routes.app.on(.POST, Site.scriptInbound.route, body: .stream, use: ScriptInbound.endpoint)
        routes.staff.get(Site.patientPrescribe.route, use: PrescribingController.prescribeForm)
        routes.staff.post(Site.patientPrescribe.route, use: PrescribingController.prescribe)
        routes.staff.get(Site.prescription.route, use: PrescribingController.prescriptionPage)
        routes.staff.get(Site.prescriptionSign.route, use: PrescribingController.prescriptionPage)
        routes.staff.post(Site.prescriptionSign.route, use: PrescribingController.signFromPage)
        routes.staff.post(Site.prescriptionCancel.route, use: PrescribingController.cancelFromPage)
        routes.staff.get(Site.pharmacies.route, use: PrescribingController.pharmaciesPage)
        routes.staff.get(Site.refills.route, use: PrescribingController.refillsPage)
        routes.staff.post(Site.refillDecide.route, use: PrescribingController.decideFromPage)
        routes.staff.get(Site.epcs.route, use: PrescribingController.epcsPage)
        routes.staff.post(Site.epcs.route, use: PrescribingController.epcsAction)
        routes.staff.get(Site.epcsReport.route, use: PrescribingController.reportPage)
        routes.portal.get(Site.portalRefills.route, use: PrescribingController.portalRefills)
        routes.portal.post(Site.portalRefill.route, use: PrescribingController.portalRequest)
        routes.api.get(Site.apiPharmacies.route, use: PrescribingController.pharmaciesAPI)
        routes.api.get(Site.apiFormulary.route, use: PrescribingController.formularyAPI)
        routes.api.post(Site.apiPatientPrescriptions.route, use: PrescribingController.createAPI)
        routes.api.get(Site.apiPatientPrescriptions.route, use: PrescribingController.historyAPI)
        routes.api.get(Site.apiPrescription.route, use: PrescribingController.readAPI)
        routes.api.post(Site.apiPrescriptionSign.route, use: PrescribingController.signAPI)
        routes.api.post(Site.apiPrescriptionCancel.route, use: PrescribingController.cancelAPI)
        routes.api.post(Site.apiPrescriptionRefillRequests.route, use: PrescribingController.portalRefillAPI)
        routes.api.get(Site.apiRefillRequests.route, use: PrescribingController.refillQueueAPI)
        routes.api.post(Site.apiRefillRequestDecision.route, use: PrescribingController.decideAPI)
        routes.api.put(Site.apiUserPrescriberCredentials.route, use: PrescribingController.credentialsAPI)
        routes.api.get(Site.apiEPCSGrants.route, use: PrescribingController.grantsAPI)
        routes.api.post(Site.apiEPCSGrants.route, use: PrescribingController.enterGrantAPI)
        routes.api.post(Site.apiEPCSGrantDecision.route, use: PrescribingController.decideGrantAPI)
        routes.api.post(Site.apiEPCSGrantRevoke.route, use: PrescribingController.revokeGrantAPI)
        routes.api.get(Site.apiEPCSReport.route, use: PrescribingController.reportAPI)
        routes.api.put(Site.apiLocationCoveringProvider.route, use: PrescribingController.coveringAPI)
    }
}
