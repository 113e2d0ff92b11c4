import Vapor
import AppCore

/// Home's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum HomeRoutes {
    package static func register(routes: SiteRoutes) {
        routes.staff.get(Site.home.route, use: HomeController.staffHome)
        routes.api.get(Site.apiLocations.route, use: HomeController.locations)
    }
}
