import Vapor
import AppCore

/// On every staff page (a signed-in, two-step-verified staff member's GET that asks for HTML): the work waiting behind
/// the header's Inbox, Intake, Tasks, Video and Refills links, counted for what this role may open. Counts name nobody,
/// so nothing is audited.
package struct NavCountsMiddleware: AsyncMiddleware {
    package init() {}

    package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard req.method == .GET, req.headers.first(name: .accept)?.contains("text/html") == true,
            let s = req.signedIn, s.mfaPassed, s.role != .patient
        else { return try await next.respond(to: req) }
        let c = try await WorkCounts.load(s.principal, db: req.db)
        req.storage[WorkCounts.Key.self] = c
        req.storage[NavCounts.self] = [
            Site.inbox.path(): c.inboxUnread ?? 0, Site.intake.path(): c.intakeWaiting ?? 0,
            Site.tasks.path(): c.tasksOpen ?? 0, Site.visitsWaitingRoom.path(): c.videoWaiting ?? 0,
            Site.refills.path(): c.refillsWaiting ?? 0,
        ]
        return try await next.respond(to: req)
    }
}
