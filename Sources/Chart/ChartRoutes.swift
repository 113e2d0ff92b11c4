import Vapor
import AppCore

/// Chart's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum ChartRoutes {
    package static func register(routes: SiteRoutes) {
        routes.staff.get(Site.patient.route, use: ChartController.chart)
    }
}
