import Vapor
import AppCore

/// Audit's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum AuditRoutes {
    package static func register(routes: SiteRoutes) {
        routes.staff.get(Site.adminAudit.route, use: AuditController.page)
        routes.staff.get(Site.adminAuditExportCSV.route, use: AuditController.csvExport)
        routes.api.get(Site.apiAuditEvents.route, use: AuditController.apiList)
        routes.api.get(Site.apiAuditEventsExport.route, use: AuditController.csvExport)
        routes.api.post(Site.apiAuditVerify.route, use: AuditController.verify)
    }
}
