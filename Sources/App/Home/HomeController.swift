import Vapor
import Plot
import Fluent
import Domain

/// The staff start page: what this role can do, and the practice's locations.
enum HomeController {
    @Sendable static func staffHome(req: Request) async throws -> Response {
        let p = try req.principal()
        let locations = try await LocationRecord.query(on: req.db).sort(\.$name).all()
        return Layout.render(StaffHomePage(name: req.signedIn?.displayName ?? p.username, role: p.role, principal: p,
                                           locations: locations.map(LocationDTO.init)).render(for: req))
    }

    @Sendable static func locations(req: Request) async throws -> [LocationDTO] {
        _ = try req.principal()
        return try await LocationRecord.query(on: req.db).sort(\.$name).all().map(LocationDTO.init)
    }
}

struct StaffHomePage {
    let name: String
    let role: Role
    let principal: Principal
    let locations: [LocationDTO]

    func render(for req: Request) -> String {
        Layout.page("Home", req: req, .div(
            .h1(.id("welcome"), .text("Welcome, \(name)")),
            .p(.text("Signed in as \(role.label).")),
            .div(.class("card"),
                .h2(.text("What you can do")),
                .ul(.forEach(Layout.navLinks(for: principal)) { .li(.a(.href($0.0), .text($0.1))) }),
                .if(Layout.navLinks(for: principal).isEmpty, .p(.text("Your role has no pages here yet.")))),
            .div(.class("card"),
                .h2(.text("Locations")),
                .ul(.forEach(locations) { l in .li(.text("\(l.name) (\(l.timeZone))")) }))
        ))
    }
}
