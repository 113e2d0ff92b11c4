import Vapor
import AppCore

/// CarePathways's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum CarePathwaysRoutes {
    package static func register(routes: SiteRoutes) {
        routes.staff.get(Site.pathways.route, use: PathwayController.templatesPage)
        routes.staff.get(Site.pathway.route, use: PathwayController.templatePage)
        routes.staff.post(Site.pathwayApprove.route, use: PathwayController.approveFromPage)
        routes.staff.post(Site.patientProcedures.route, use: PathwayController.procedureFromChart)
        routes.staff.post(Site.patientPathways.route, use: PathwayController.enrolFromChart)
        routes.staff.get(Site.tasks.route, use: PathwayController.careTasksPage)
        routes.staff.post(Site.taskClose.route, use: PathwayController.closeFromPage)
        routes.portal.get(Site.portalCheckIns.route, use: PathwayController.portalList)
        routes.portal.get(Site.portalCheckIn.route, use: PathwayController.portalTask)
        routes.portal.post(Site.portalCheckIn.route, use: PathwayController.portalAnswer)
        routes.portal.post(Site.portalCheckInBook.route, use: PathwayController.portalBook)
        routes.api.get(Site.apiPathwayTemplates.route, use: PathwayController.templatesAPI)
        routes.api.post(Site.apiPathwayTemplates.route, use: PathwayController.draftAPI)
        routes.api.get(Site.apiPathwayTemplate.route, use: PathwayController.templateAPI)
        routes.api.post(Site.apiPathwayTemplateApprove.route, use: PathwayController.approveAPI)
        routes.api.post(Site.apiPatientProcedures.route, use: PathwayController.procedureAPI)
        routes.api.post(Site.apiPatientPathways.route, use: PathwayController.enrolAPI)
        routes.api.get(Site.apiPatientPathwayTasks.route, use: PathwayController.tasksAPI)
        routes.api.post(Site.apiPathwayEnrolmentStop.route, use: PathwayController.stopAPI)
        routes.api.get(Site.apiPathwayTask.route, use: PathwayController.taskAPI)
        routes.api.post(Site.apiPathwayTaskAnswers.route, use: PathwayController.answerAPI)
        routes.api.post(Site.apiPathwayTaskBook.route, use: PathwayController.bookAPI)
        routes.api.get(Site.apiCareTasks.route, use: PathwayController.careTasksAPI)
        routes.api.post(Site.apiCareTaskClose.route, use: PathwayController.closeCareTaskAPI)
    }
}
