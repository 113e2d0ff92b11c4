import Vapor
import AppCore

/// Telehealth's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum TelehealthRoutes {
    package static func register(routes: SiteRoutes) {
        routes.app.get(Site.assetsVisitScript.route, use: VisitController.script)
        routes.app.get(Site.assetsWaitingScript.route, use: VisitController.waitingScript)
        routes.app.get(Site.visitJoin.route, use: VisitController.join)
        routes.app.get(Site.visitRoom.route, use: VisitController.page)
        routes.app.get(Site.visitIce.route, use: VisitController.ice)
        routes.app.post(Site.visitEvents.route, use: VisitController.event)
        SignalingController.register(routes.app)
        routes.staff.get(Site.visitsWaitingRoom.route, use: VisitController.waitingRoomPage)
        routes.staff.get(Site.visitsWaitingList.route, use: VisitController.waitingListFragment)
        routes.staff.post(Site.visitAdmit.route, use: VisitController.admitFromPage)
        routes.staff.post(Site.visitEnd.route, use: VisitController.endFromPage)
        routes.staff.post(Site.visitHandoff.route, use: VisitController.handOffFromPage)
        routes.staff.get(Site.visitRecord.route, use: VisitController.recordPage)
        routes.staff.post(Site.scheduleAppointmentVisit.route, use: VisitController.startFromSchedule)
        routes.staff.post(Site.scheduleAppointmentVisitLink.route, use: VisitController.linkFromPage)
        routes.portal.get(Site.portalVisit.route, use: VisitController.portalJoin)
        routes.api.post(Site.apiAppointmentVisit.route, use: VisitController.ensureAPI)
        routes.api.post(Site.apiAppointmentVisitLink.route, use: VisitController.linkAPI)
        routes.api.get(Site.apiVisitsWaiting.route, use: VisitController.waitingAPI)
        routes.api.post(Site.apiVisitAdmit.route, use: VisitController.admitAPI)
        routes.api.post(Site.apiVisitEnd.route, use: VisitController.endAPI)
        routes.api.post(Site.apiVisitHandoff.route, use: VisitController.handOffAPI)
        routes.api.get(Site.apiVisit.route, use: VisitController.detailAPI)
    }
}
