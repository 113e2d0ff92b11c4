import Vapor
import Fluent
import Domain
import AppCore

/// The help desk over the API (`/api/v1/help-tickets…`); the pages are `HelpDeskPages`.
package enum HelpDeskController {
    @Sendable package static func listAPI(req: Request) async throws -> HelpDeskStore.TicketList {
        let status = try req.query[String.self, at: "status"].map {
            guard let s = TicketStatus(rawValue: $0) else { throw invalid("status", "open, waiting or resolved.") }
            return s
        }
        return .init(
            tickets: try await req.helpDesk().list(status: status, mine: req.query[String.self, at: "mine"] == "1"))
    }

    @Sendable package static func openAPI(req: Request) async throws -> Response {
        let d = try await req.helpDesk().open(try req.content.decode(HelpDeskStore.NewTicket.self))
        let res = Response(status: .created)
        try res.content.encode(d)
        return res
    }

    @Sendable package static func showAPI(req: Request) async throws -> HelpDeskStore.TicketDetail {
        try await req.helpDesk().find(try req.idParameter("help request"))
    }

    @Sendable package static func changeAPI(req: Request) async throws -> HelpDeskStore.TicketDetail {
        try await req.helpDesk().change(
            try req.idParameter("help request"), try req.content.decode(HelpDeskStore.Change.self))
    }

    @Sendable package static func replyAPI(req: Request) async throws -> HelpDeskStore.TicketDetail {
        try await req.helpDesk().reply(
            try req.idParameter("help request"), try req.content.decode(HelpDeskStore.ReplyInput.self))
    }

    package struct Converted: Content {
        package let ticket: HelpDeskStore.TicketDetail
        package let incidentId: UUID
        package let incidentNumber: Int
    }

    @Sendable package static func incidentAPI(req: Request) async throws -> Response {
        let (d, incident) = try await req.helpDesk().toIncident(
            try req.idParameter("help request"), try req.content.decode(HelpDeskStore.ToIncident.self))
        let res = Response(status: .created)
        try res.content.encode(
            Converted(ticket: d, incidentId: try incident.requireID(), incidentNumber: incident.number))
        return res
    }

    @Sendable package static func metricsAPI(req: Request) async throws -> HelpDeskMetrics {
        try await req.helpDesk().metrics(days: try days(req))
    }

    static func days(_ req: Request) throws -> Int {
        guard let raw = req.query[String.self, at: "days"] else { return 30 }
        guard let d = Int(raw), (1...366).contains(d) else { throw invalid("days", "A number of days from 1 to 366.") }
        return d
    }
}

extension HelpDeskMetrics: Content {}

/// The help desk's routes, on the site's route groups.
package enum HelpDeskRoutes {
    package static func register(routes: SiteRoutes) {
        routes.staff.get(Site.help.route, use: HelpDeskPages.queue)
        routes.staff.post(Site.help.route, use: HelpDeskPages.open)
        routes.staff.get(Site.helpNew.route, use: HelpDeskPages.newForm)
        routes.staff.get(Site.helpTicket.route, use: HelpDeskPages.show)
        routes.staff.post(Site.helpTicketAction.route, use: HelpDeskPages.act)
        routes.portal.get(Site.portalHelp.route, use: HelpDeskPages.portalHelp)
        routes.portal.post(Site.portalHelp.route, use: HelpDeskPages.portalOpen)
        routes.portal.get(Site.portalHelpTicket.route, use: HelpDeskPages.portalTicket)
        routes.portal.post(Site.portalHelpTicket.route, use: HelpDeskPages.portalReply)
        routes.api.get(Site.apiHelpTickets.route, use: HelpDeskController.listAPI)
        routes.api.post(Site.apiHelpTickets.route, use: HelpDeskController.openAPI)
        routes.api.get(Site.apiHelpTicketsMetrics.route, use: HelpDeskController.metricsAPI)
        routes.api.get(Site.apiHelpTicket.route, use: HelpDeskController.showAPI)
        routes.api.patch(Site.apiHelpTicket.route, use: HelpDeskController.changeAPI)
        routes.api.post(Site.apiHelpTicketReplies.route, use: HelpDeskController.replyAPI)
        routes.api.post(Site.apiHelpTicketIncident.route, use: HelpDeskController.incidentAPI)
    }
}
