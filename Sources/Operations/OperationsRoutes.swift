import Vapor
import AppCore

/// Operations's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum OperationsRoutes {
    package static func register(routes: SiteRoutes) {
        routes.app.get(Site.healthLive.route, use: HealthController.live)
        routes.app.get(Site.healthReady.route, use: HealthController.ready)
        routes.app.get(Site.metrics.route, use: HealthController.metrics)
        routes.app.post(Site.slotDrain.route, use: SlotController.drain)
        routes.app.post(Site.slotResume.route, use: SlotController.resume)
        routes.app.post(Site.slotFault.route, use: SlotController.fault)
    }
}
