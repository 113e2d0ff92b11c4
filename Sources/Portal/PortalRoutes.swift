import Vapor
import AppCore

/// Portal's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum PortalRoutes {
    package static func register(routes: SiteRoutes) {
        // The link's token is the credential.
        routes.app.get(Site.portalInvite.route, use: InvitationController.registerForm)
        routes.app.post(Site.portalInvite.route, use: InvitationController.register)
        routes.app.post(Site.language.route, use: LanguageController.choose)
        routes.staff.post(Site.patientInvite.route, use: InvitationController.createFromChart)
        routes.portal.get(Site.portal.route, use: PortalController.home)
        routes.portal.get(Site.portalAppointments.route, use: PortalSchedulingController.upcoming)
        routes.portal.get(Site.portalAppointmentsBook.route, use: PortalSchedulingController.bookForm)
        routes.portal.post(Site.portalAppointmentsBook.route, use: PortalSchedulingController.book)
        routes.portal.post(Site.portalAppointmentCancel.route, use: PortalSchedulingController.cancel)
        routes.portal.get(Site.portalAppointmentReschedule.route, use: PortalSchedulingController.rescheduleForm)
        routes.portal.get(Site.portalAppointmentCalendar.route, use: PortalController.calendarFile)
        routes.portal.post(Site.portalAppointmentReschedule.route, use: PortalSchedulingController.reschedule)
        routes.api.post(Site.apiPatientInvitations.route, use: InvitationController.create)
        routes.api.get(Site.apiInvitationsBatches.route, use: InvitationController.batches)
    }
}
