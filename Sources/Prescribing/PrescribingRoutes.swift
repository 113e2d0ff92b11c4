import Vapor
import AppCore

/// Prescribing's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum PrescribingRoutes {
    package static func register(routes: SiteRoutes) {
        routes.app.on(.POST, "script", "inbound", body: .stream, use: ScriptInbound.endpoint)
        routes.staff.get("patients", ":id", "prescribe", use: PrescribingController.prescribeForm)
        routes.staff.post("patients", ":id", "prescribe", use: PrescribingController.prescribe)
        routes.staff.get("prescriptions", ":id", use: PrescribingController.prescriptionPage)
        routes.staff.get("prescriptions", ":id", "sign", use: PrescribingController.prescriptionPage)
        routes.staff.post("prescriptions", ":id", "sign", use: PrescribingController.signFromPage)
        routes.staff.post("prescriptions", ":id", "cancel", use: PrescribingController.cancelFromPage)
        routes.staff.get("pharmacies", use: PrescribingController.pharmaciesPage)
        routes.staff.get("refills", use: PrescribingController.refillsPage)
        routes.staff.post("refills", ":id", "decide", use: PrescribingController.decideFromPage)
        routes.staff.get("epcs", use: PrescribingController.epcsPage)
        routes.staff.post("epcs", use: PrescribingController.epcsAction)
        routes.staff.get("epcs", "report", use: PrescribingController.reportPage)
        routes.portal.get("portal", "refills", use: PrescribingController.portalRefills)
        routes.portal.post("portal", "refills", ":id", use: PrescribingController.portalRequest)
        routes.api.get("pharmacies", use: PrescribingController.pharmaciesAPI)
        routes.api.get("formulary", use: PrescribingController.formularyAPI)
        routes.api.post("patients", ":id", "prescriptions", use: PrescribingController.createAPI)
        routes.api.get("patients", ":id", "prescriptions", use: PrescribingController.historyAPI)
        routes.api.get("prescriptions", ":id", use: PrescribingController.readAPI)
        routes.api.post("prescriptions", ":id", "sign", use: PrescribingController.signAPI)
        routes.api.post("prescriptions", ":id", "cancel", use: PrescribingController.cancelAPI)
        routes.api.post("prescriptions", ":id", "refill-requests", use: PrescribingController.portalRefillAPI)
        routes.api.get("refill-requests", use: PrescribingController.refillQueueAPI)
        routes.api.post("refill-requests", ":id", "decision", use: PrescribingController.decideAPI)
        routes.api.put("users", ":id", "prescriber-credentials", use: PrescribingController.credentialsAPI)
        routes.api.get("epcs", "grants", use: PrescribingController.grantsAPI)
        routes.api.post("epcs", "grants", use: PrescribingController.enterGrantAPI)
        routes.api.post("epcs", "grants", ":id", "decision", use: PrescribingController.decideGrantAPI)
        routes.api.post("epcs", "grants", ":id", "revoke", use: PrescribingController.revokeGrantAPI)
        routes.api.get("epcs", "report", use: PrescribingController.reportAPI)
        routes.api.put("locations", ":id", "covering-provider", use: PrescribingController.coveringAPI)
    }
}
