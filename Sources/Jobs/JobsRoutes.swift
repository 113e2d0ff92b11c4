import Vapor
import AppCore

/// Jobs's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum JobsRoutes {
    package static func register(routes: SiteRoutes) {
        routes.staff.get("jobs", use: JobsController.page)
        routes.staff.post("jobs", "retry", use: JobsController.retryFromPage)
        routes.api.get("jobs", use: JobsController.listAPI)
        routes.api.post("jobs", ":id", "retry", use: JobsController.retryAPI)
    }
}
