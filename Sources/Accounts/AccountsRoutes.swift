import Vapor
import AppCore

/// Accounts's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum AccountsRoutes {
    package static func register(routes: SiteRoutes) {
        routes.app.get(Site.login.route, use: SignInController.staffForm)
        routes.app.post(Site.login.route, use: SignInController.staffSubmit)
        routes.app.get(Site.portalLogin.route, use: SignInController.portalForm)
        routes.app.post(Site.portalLogin.route, use: SignInController.portalSubmit)
        routes.app.get(Site.loginSecondFactor.route, use: SignInController.secondFactorForm)
        routes.app.post(Site.loginSecondFactor.route, use: SignInController.secondFactorSubmit)
        routes.app.get(Site.mfaEnrol.route, use: SignInController.enrolForm)
        routes.app.post(Site.mfaEnrol.route, use: SignInController.enrolSubmit)
        routes.app.post(Site.logout.route, use: SignInController.logout)
        routes.staff.get(Site.adminUsers.route, use: UserPagesController.list)
        routes.staff.post(Site.adminUsers.route, use: UserPagesController.create)
        routes.staff.post(Site.adminUser.route, use: UserPagesController.change)
        routes.v1.post(Site.apiAuthToken.route, use: TokenController.issue)
        routes.api.post(Site.apiAuthRevoke.route, use: TokenController.revoke)
        routes.api.get(Site.apiMe.route, use: TokenController.me)
        routes.api.get(Site.apiUsers.route, use: UserAPIController.list)
        routes.api.post(Site.apiUsers.route, use: UserAPIController.create)
        routes.api.patch(Site.apiUser.route, use: UserAPIController.update)
    }
}
