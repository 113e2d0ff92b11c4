import Vapor
import AppCore

/// Accounts's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum AccountsRoutes {
    package static func register(routes: SiteRoutes) {
        routes.app.get("login", use: SignInController.staffForm)
        routes.app.post("login", use: SignInController.staffSubmit)
        routes.app.get("portal", "login", use: SignInController.portalForm)
        routes.app.post("portal", "login", use: SignInController.portalSubmit)
        routes.app.get("login", "mfa", use: SignInController.secondFactorForm)
        routes.app.post("login", "mfa", use: SignInController.secondFactorSubmit)
        routes.app.get("mfa", "enroll", use: SignInController.enrolForm)
        routes.app.post("mfa", "enroll", use: SignInController.enrolSubmit)
        routes.app.post("logout", use: SignInController.logout)
        routes.staff.get("admin", "users", use: UserPagesController.list)
        routes.staff.post("admin", "users", use: UserPagesController.create)
        routes.staff.post("admin", "users", ":id", use: UserPagesController.change)
        routes.v1.post("auth", "token", use: TokenController.issue)
        routes.api.post("auth", "revoke", use: TokenController.revoke)
        routes.api.get("me", use: TokenController.me)
        routes.api.get("users", use: UserAPIController.list)
        routes.api.post("users", use: UserAPIController.create)
        routes.api.patch("users", ":id", use: UserAPIController.update)
    }
}
