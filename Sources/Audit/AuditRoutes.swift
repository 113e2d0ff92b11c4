import Vapor
import AppCore

/// Audit's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum AuditRoutes {
    package static func register(routes: SiteRoutes) {
        routes.staff.get("admin", "audit", use: AuditController.page)
        routes.staff.get("admin", "audit", "export.csv", use: AuditController.csvExport)
        routes.api.get("audit-events", use: AuditController.apiList)
        routes.api.get("audit-events", "export", use: AuditController.csvExport)
        routes.api.post("audit", "verify", use: AuditController.verify)
    }
}
