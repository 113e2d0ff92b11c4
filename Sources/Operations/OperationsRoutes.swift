import Vapor
import AppCore

/// Operations's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum OperationsRoutes {
    package static func register(routes: SiteRoutes) {
        routes.app.get("health", "live", use: HealthController.live)
        routes.app.get("health", "ready", use: HealthController.ready)
        routes.app.get("metrics", use: HealthController.metrics)
    }
}
