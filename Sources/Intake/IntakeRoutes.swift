import Vapor
import AppCore
import Photos

/// Intake's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum IntakeRoutes {
    package static func register(routes: SiteRoutes) {
        routes.staff.get(Site.intake.route, use: IntakeController.queuePage)
        routes.staff.get(Site.intakeReview.route, use: IntakeController.reviewPage)
        routes.staff.post(Site.intakeAccept.route, use: IntakeController.acceptFromPage)
        routes.staff.post(Site.intakeReturn.route, use: IntakeController.returnFromPage)
        routes.portal.get(Site.portalForms.route, use: IntakeController.portalList)
        routes.portal.get(Site.portalForm.route, use: IntakeController.portalForm)
        routes.portal.on(
            .POST, Site.portalForm.route, body: .collect(maxSize: UploadLimits.maxBody),
            use: IntakeController.portalSave)
        routes.api.get(Site.apiForms.route, use: IntakeController.forms)
        routes.api.get(Site.apiPatientIntake.route, use: IntakeController.listAPI)
        routes.api.put(Site.apiPatientIntakeForm.route, use: IntakeController.saveAPI)
        routes.api.get(Site.apiIntake.route, use: IntakeController.queueAPI)
        routes.api.get(Site.apiIntakeSubmission.route, use: IntakeController.readAPI)
        routes.api.post(Site.apiIntakeAccept.route, use: IntakeController.acceptAPI)
        routes.api.post(Site.apiIntakeReturn.route, use: IntakeController.returnAPI)
    }
}
