import Vapor
import AppCore

/// Telehealth's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum TelehealthRoutes {
    package static func register(routes: SiteRoutes) {
        routes.app.get("assets", "visit.js", use: VisitController.script)
        routes.app.get("assets", "waiting.js", use: VisitController.waitingScript)
        routes.app.get("visit", "join", ":token", use: VisitController.join)
        routes.app.get("visit", ":id", use: VisitController.page)
        routes.app.get("visits", ":id", "ice", use: VisitController.ice)
        routes.app.post("visits", ":id", "events", use: VisitController.event)
        SignalingController.register(routes.app)
        routes.staff.get("visits", use: VisitController.waitingRoomPage)
        routes.staff.get("visits", "waiting-list", use: VisitController.waitingListFragment)
        routes.staff.post("visits", ":id", "admit", use: VisitController.admitFromPage)
        routes.staff.post("visits", ":id", "end", use: VisitController.endFromPage)
        routes.staff.post("visits", ":id", "handoff", use: VisitController.handOffFromPage)
        routes.staff.get("visits", ":id", "record", use: VisitController.recordPage)
        routes.staff.post("schedule", "appointments", ":id", "visit", use: VisitController.startFromSchedule)
        routes.staff.post("schedule", "appointments", ":id", "visit-link", use: VisitController.linkFromPage)
        routes.portal.get("portal", "visits", "appointment", ":id", use: VisitController.portalJoin)
        routes.api.post("appointments", ":id", "visit", use: VisitController.ensureAPI)
        routes.api.post("appointments", ":id", "visit-link", use: VisitController.linkAPI)
        routes.api.get("visits", "waiting", use: VisitController.waitingAPI)
        routes.api.post("visits", ":id", "admit", use: VisitController.admitAPI)
        routes.api.post("visits", ":id", "end", use: VisitController.endAPI)
        routes.api.post("visits", ":id", "handoff", use: VisitController.handOffAPI)
        routes.api.get("visits", ":id", use: VisitController.detailAPI)
    }
}
