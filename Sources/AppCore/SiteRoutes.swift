import Vapor

/// The site's route groups, by who may reach them. `App` makes them once; each capability registers its routes on
/// them (`<Capability>Routes.register(routes:)`).
package struct SiteRoutes {
    /// Anyone: health, assets, sign-in, links whose token is the credential.
    package let app: Application
    /// Signed-in staff pages.
    package let staff: any RoutesBuilder
    /// Signed-in patients' portal pages.
    package let portal: any RoutesBuilder
    /// `/api/v1` before sign-in (token issue).
    package let v1: any RoutesBuilder
    /// `/api/v1` with a bearer token.
    package let api: any RoutesBuilder

    package init(
        app: Application, staff: any RoutesBuilder, portal: any RoutesBuilder, v1: any RoutesBuilder,
        api: any RoutesBuilder
    ) {
        self.app = app
        self.staff = staff
        self.portal = portal
        self.v1 = v1
        self.api = api
    }
}
