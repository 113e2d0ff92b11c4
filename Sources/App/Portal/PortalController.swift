import Vapor
import Plot
import Domain

/// The patient portal home: the patient's own record and who has looked at it.
enum PortalController {
    @Sendable static func home(req: Request) async throws -> Response {
        let p = try req.principal()
        guard let pid = p.patientID else { throw AppError.forbidden("The portal is for patients.") }
        let store = try req.patients()
        let record = try await store.find(pid, detail: "portal home")
        let log = try await store.accessLog(pid)
        return Layout.render(PortalHomePage(patient: PatientDTO(record), accessLog: log.map(AccessLogEntryDTO.init)).render(for: req))
    }
}

struct PortalHomePage {
    let patient: PatientDTO
    let accessLog: [AccessLogEntryDTO]

    func render(for req: Request) -> String {
        let p = patient
        return Layout.page("My record", req: req, .div(
            .h1(.id("portal-welcome"), .text("Hello, \(p.givenName)")),
            .div(.class("card"),
                .h2(.text("My details")),
                .dl(.class("kv"),
                    .dt(.text("Name")), .dd(.text("\(p.givenName) \(p.familyName)")),
                    .dt(.text("Date of birth")), .dd(.text(p.birthDate)),
                    .dt(.text("Record number")), .dd(.text(p.mrn)),
                    .dt(.text("Phone")), .dd(.text(p.phone ?? "—")),
                    .dt(.text("Email")), .dd(.text(p.email ?? "—")))),
            .div(.class("card"),
                .h2(.text("Who has looked at my record")),
                .if(accessLog.isEmpty, .p(.text("Nobody else has opened your record yet."))),
                .div(.class("scroll"), .table(.id("access-log"),
                    .thead(.tr(.th(.text("When (UTC)")), .th(.text("Who")), .th(.text("Role")), .th(.text("What")))),
                    .tbody(.forEach(accessLog) { e in
                        .tr(.td(.text(Format.utc(e.at))), .td(.text(e.user)), .td(.text(e.role)), .td(.text("\(e.action) \(e.category)")))
                    }))))
        ))
    }
}
