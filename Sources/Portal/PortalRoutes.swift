import Vapor
import AppCore

/// Portal's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum PortalRoutes {
    package static func register(routes: SiteRoutes) {
        // The link's token is the credential.
        routes.app.get("portal", "invite", ":token", use: InvitationController.registerForm)
        routes.app.post("portal", "invite", ":token", use: InvitationController.register)
        routes.staff.post("patients", ":id", "invite", use: InvitationController.createFromChart)
        routes.portal.get("portal", use: PortalController.home)
        routes.portal.get("portal", "appointments", use: PortalSchedulingController.upcoming)
        routes.portal.get("portal", "appointments", "book", use: PortalSchedulingController.bookForm)
        routes.portal.post("portal", "appointments", "book", use: PortalSchedulingController.book)
        routes.portal.post("portal", "appointments", ":id", "cancel", use: PortalSchedulingController.cancel)
        routes.portal.get("portal", "appointments", ":id", "reschedule", use: PortalSchedulingController.rescheduleForm)
        routes.portal.get("portal", "appointments", ":id", "calendar.ics", use: PortalController.calendarFile)
        routes.portal.post("portal", "appointments", ":id", "reschedule", use: PortalSchedulingController.reschedule)
        routes.api.post("patients", ":id", "invitations", use: InvitationController.create)
        routes.api.get("invitations", "batches", use: InvitationController.batches)
    }
}
