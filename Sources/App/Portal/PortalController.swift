import Vapor
import Plot
import Fluent
import Domain

/// The patient portal home: the patient's own record and who has looked at it.
enum PortalController {
    @Sendable static func home(req: Request) async throws -> Response {
        let pid = try req.portalPatientID()
        let store = try req.patients()
        let record = try await store.find(pid, detail: "portal home")
        let log = try await store.accessLog(pid)
        let notices = try await PortalNoticeRecord.query(on: req.db).filter(\.$patientID == pid).sort(\.$createdAt, .descending).limit(10).all()
        return Layout.render(PortalHomePage(patient: PatientDTO(record), accessLog: log.map(AccessLogEntryDTO.init),
                                            notices: notices.map { (Format.utc($0.createdAt), $0.body) }).render(for: req))
    }
}

struct PortalHomePage {
    let patient: PatientDTO
    let accessLog: [AccessLogEntryDTO]
    var notices: [(String, String)] = []

    func render(for req: Request) -> String {
        let p = patient
        return Layout.page("My record", req: req, .div(
            .h1(.id("portal-welcome"), .text("Hello, \(p.givenName)")),
            .if(!notices.isEmpty, .div(.class("card"), .id("notices"), .h2(.text("Messages for you")),
                .ul(.forEach(notices) { n in .li(.small(.text(n.0 + " UTC")), .br(), .text(n.1)) }))),
            .p(.a(.class("button"), .href("/portal/appointments"), .text("My appointments")), .text(" "),
               .a(.class("button"), .href("/portal/messages"), .id("go-messages"), .text("Messages")), .text(" "),
               .a(.class("button"), .href("/portal/forms"), .id("go-forms"), .text("Forms")), .text(" "),
               .a(.class("button"), .href("/portal/photos"), .id("go-photos"), .text("Wound photos"))),
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
