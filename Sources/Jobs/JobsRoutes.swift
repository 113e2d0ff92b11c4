import Vapor
import AppCore

/// Jobs's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum JobsRoutes {
    package static func register(routes: SiteRoutes) {
        routes.staff.get(Site.jobs.route, use: JobsController.page)
        routes.staff.post(Site.jobsRetry.route, use: JobsController.retryFromPage)
        routes.api.get(Site.apiJobs.route, use: JobsController.listAPI)
        routes.api.post(Site.apiJobRetry.route, use: JobsController.retryAPI)
    }
}
