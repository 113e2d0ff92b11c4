import Vapor
import AppCore
import Photos

/// Intake's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum IntakeRoutes {
    package static func register(routes: SiteRoutes) {
        routes.staff.get("intake", use: IntakeController.queuePage)
        routes.staff.get("intake", ":id", use: IntakeController.reviewPage)
        routes.staff.post("intake", ":id", "accept", use: IntakeController.acceptFromPage)
        routes.staff.post("intake", ":id", "return", use: IntakeController.returnFromPage)
        routes.portal.get("portal", "forms", use: IntakeController.portalList)
        routes.portal.get("portal", "forms", ":code", use: IntakeController.portalForm)
        routes.portal.on(
            .POST, "portal", "forms", ":code", body: .collect(maxSize: TusController.maxChunk),
            use: IntakeController.portalSave)
        routes.api.get("forms", use: IntakeController.forms)
        routes.api.get("patients", ":id", "intake", use: IntakeController.listAPI)
        routes.api.put("patients", ":id", "intake", ":code", use: IntakeController.saveAPI)
        routes.api.get("intake", use: IntakeController.queueAPI)
        routes.api.get("intake", ":id", use: IntakeController.readAPI)
        routes.api.post("intake", ":id", "accept", use: IntakeController.acceptAPI)
        routes.api.post("intake", ":id", "return", use: IntakeController.returnAPI)
    }
}
