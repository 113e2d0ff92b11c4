import Vapor
import AppCore

/// CarePathways's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum CarePathwaysRoutes {
    package static func register(routes: SiteRoutes) {
        routes.staff.get("pathways", use: PathwayController.templatesPage)
        routes.staff.get("pathways", ":id", use: PathwayController.templatePage)
        routes.staff.post("pathways", ":id", "approve", use: PathwayController.approveFromPage)
        routes.staff.post("patients", ":id", "procedures", use: PathwayController.procedureFromChart)
        routes.staff.post("patients", ":id", "pathways", use: PathwayController.enrolFromChart)
        routes.staff.get("tasks", use: PathwayController.careTasksPage)
        routes.staff.post("tasks", ":id", "close", use: PathwayController.closeFromPage)
        routes.portal.get("portal", "check-ins", use: PathwayController.portalList)
        routes.portal.get("portal", "check-ins", ":id", use: PathwayController.portalTask)
        routes.portal.post("portal", "check-ins", ":id", use: PathwayController.portalAnswer)
        routes.portal.post("portal", "check-ins", ":id", "book", use: PathwayController.portalBook)
        routes.api.get("pathway-templates", use: PathwayController.templatesAPI)
        routes.api.post("pathway-templates", use: PathwayController.draftAPI)
        routes.api.get("pathway-templates", ":id", use: PathwayController.templateAPI)
        routes.api.post("pathway-templates", ":id", "approve", use: PathwayController.approveAPI)
        routes.api.post("patients", ":id", "procedures", use: PathwayController.procedureAPI)
        routes.api.post("patients", ":id", "pathways", use: PathwayController.enrolAPI)
        routes.api.get("patients", ":id", "pathway-tasks", use: PathwayController.tasksAPI)
        routes.api.post("pathway-enrolments", ":id", "stop", use: PathwayController.stopAPI)
        routes.api.get("pathway-tasks", ":id", use: PathwayController.taskAPI)
        routes.api.post("pathway-tasks", ":id", "answers", use: PathwayController.answerAPI)
        routes.api.post("pathway-tasks", ":id", "book", use: PathwayController.bookAPI)
        routes.api.get("care-tasks", use: PathwayController.careTasksAPI)
        routes.api.post("care-tasks", ":id", "close", use: PathwayController.closeCareTaskAPI)
    }
}
