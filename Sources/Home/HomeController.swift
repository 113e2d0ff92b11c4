import Domain
import Fluent
import Plot
import Vapor
import AppCore
import CarePathways
import Intake
import Locations
import Messaging
import Prescribing
import Scheduling
import Telehealth

/// The staff start page: what matters today for this role — the work waiting (counts), the day per location for the
/// front desk, the provider's own day — then the pages the role can open.
package enum HomeController {
    @Sendable package static func staffHome(req: Request) async throws -> Response {
        let p = try req.principal()
        let dir = try await ScheduleDirectory.load(req.db)
        let now = req.now
        // Usually counted already for the header (NavCountsMiddleware).
        let counts: WorkCounts
        if let counted = req.storage[WorkCounts.Key.self] {
            counts = counted
        } else {
            counts = try await WorkCounts.load(p, db: req.db)
        }
        var byLocation: [LocationDay] = []
        var myDay: [CalendarRow] = []
        if AccessPolicy.decide(p, .readSchedule).isAllowed {
            let today = LocalDay.of(now, in: dir.homeZone)
            // The local day in every zone the practice uses.
            let from = today.adding(days: -1).span(in: dir.homeZone).start
            let to = today.adding(days: 2).span(in: dir.homeZone).start
            let mine = p.role == .provider || p.role == .medicalDirector
            func isToday(_ start: Date, at location: UUID) -> Bool {
                LocalDay.of(start, in: dir.zone(location)) == LocalDay.of(now, in: dir.zone(location))
            }
            if mine {
                // The provider's own day shows patients' names: read through the scoped, audited schedule.
                let listed = try await req.scheduling().list(
                    .init(providerID: p.userID, from: from, to: to, includeInactive: true))
                myDay = dir.rows(listed.filter { isToday($0.appointment.start, at: $0.appointment.locationId) })
            } else {
                // Counts per location name nobody.
                let day = try await req.scheduling().statuses(from: from, to: to).filter {
                    isToday($0.start, at: $0.locationId)
                }
                byLocation = dir.locations.compactMap { l in
                    guard let id = l.id else { return nil }
                    let here = day.filter { $0.locationId == id }.map(\.status)
                    return LocationDay(
                        name: l.name, booked: here.filter { $0 == .booked }.count,
                        arrived: here.filter { $0 == .arrived || $0 == .checkedIn }.count,
                        done: here.filter { $0 == .fulfilled }.count,
                        cancelled: here.filter { $0 == .cancelled || $0 == .noshow }.count)
                }
            }
        }
        let page = StaffHomePage(
            name: req.signedIn?.displayName ?? p.username, role: p.role, principal: p, counts: counts,
            today: Format.day(now, zone: dir.homeZone), byLocation: byLocation, myDay: myDay,
            waitingVisits: counts.videoWaitingAppointments)
        return Layout.render(page.render(for: req))
    }

    @Sendable package static func locations(req: Request) async throws -> [LocationDTO] {
        _ = try req.principal()
        return try await LocationRecord.query(on: req.db).sort(\.$name).all().map(LocationDTO.init)
    }
}

package struct LocationDay {
    package let name: String
    package let booked: Int
    package let arrived: Int
    package let done: Int
    package let cancelled: Int
}

/// How much work waits, for the roles that do it. Numbers only (no names, nothing about a patient), so they are read
/// without touching a patient's record; each is shown only to a role the access policy lets open that queue.
package struct WorkCounts: Sendable {
    package enum Key: StorageKey { package typealias Value = WorkCounts }

    package var inboxUnread: Int?
    package var inboxUrgent: Int?
    package var intakeWaiting: Int?
    package var tasksOpen: Int?
    package var tasksUrgent: Int?
    package var videoWaiting: Int?
    package var videoWaitingAppointments: Set<UUID> = []
    package var approvalsWaiting: Int?
    package var refillsWaiting: Int?

    package static func load(_ p: Principal, db: any Database) async throws -> WorkCounts {
        var c = WorkCounts()
        func may(_ a: Domain.Action) -> Bool { AccessPolicy.decide(p, a).isAllowed }
        if may(.readStaffInbox) {
            let threads = try await MessageThreadRecord.query(on: db).filter(\.$lastFrom == MessageSide.patient).all()
            let unread = threads.filter(\.unreadByStaff)
            c.inboxUnread = unread.count
            c.inboxUrgent = unread.filter(\.urgent).count
        }
        if may(.reviewIntakes) {
            c.intakeWaiting = try await IntakeSubmissionRecord.query(on: db).filter(\.$status == IntakeStatus.submitted)
                .count()
        }
        if may(.readCareTasks) {
            let q = CareTaskRecord.query(on: db).filter(\.$status == .open)
            if p.role == .frontDesk { q.filter(\.$team == CareTeam.frontDesk) }
            let open = try await q.all()
            c.tasksOpen = open.count
            c.tasksUrgent = open.filter(\.urgent).count
        }
        if may(.hostVisit) {
            let waiting = try await VirtualVisitRecord.query(on: db).filter(\.$status == VisitStatus.waiting).all()
            c.videoWaiting = waiting.count
            c.videoWaitingAppointments = Set(waiting.map(\.appointmentID))
        }
        if may(.approvePathwayTemplate) {
            c.approvalsWaiting = try await PathwayTemplateRecord.query(on: db).filter(\.$status == .draft).count()
        }
        if may(.readRefillQueue) {
            c.refillsWaiting = try await RefillRequestRecord.query(on: db).filter(\.$status == RefillStatus.pending)
                .count()
        }
        return c
    }
}

package struct StaffHomePage {
    package let name: String
    package let role: Role
    package let principal: Principal
    package let counts: WorkCounts
    package let today: String
    package let byLocation: [LocationDay]
    package let myDay: [CalendarRow]
    package let waitingVisits: Set<UUID>

    package func tile(_ id: String, _ label: String, _ n: Int?, urgent: Int? = nil, href: String) -> Node<
        HTML.BodyContext
    > {
        guard let n else { return .empty }
        return .a(
            .class("tile" + ((urgent ?? 0) > 0 ? " urgent" : "")), .id(id), .href(href),
            .span(.class("n"), .text(String(n))), .span(.text(label)),
            .unwrap(urgent.flatMap { $0 > 0 ? $0 : nil }) { .span(.class("u"), .text("\($0) urgent")) })
    }

    package func render(for req: Request) -> String {
        let c = counts
        let work: [Node<HTML.BodyContext>] = [
            tile("count-inbox", "unread messages", c.inboxUnread, urgent: c.inboxUrgent, href: Site.inbox.path()),
            tile("count-intake", "intake forms to review", c.intakeWaiting, href: Site.intake.path()),
            tile("count-tasks", "open tasks", c.tasksOpen, urgent: c.tasksUrgent, href: Site.tasks.path()),
            tile("count-video", "waiting for video", c.videoWaiting, href: Site.visitsWaitingRoom.path()),
            tile("count-approvals", "pathway versions to approve", c.approvalsWaiting, href: Site.pathways.path()),
            tile("count-refills", "refill requests", c.refillsWaiting, href: Site.refills.path()),
        ]
        let hasWork = [
            c.inboxUnread, c.intakeWaiting, c.tasksOpen, c.videoWaiting, c.approvalsWaiting, c.refillsWaiting,
        ]
        .contains { $0 != nil }
        return Layout.page(
            "Home", req: req,
            .div(
                .h1(.id("welcome"), .text("Welcome, \(name)")),
                .p(.text("\(today) · signed in as \(role.label).")),
                .if(
                    hasWork,
                    .div(
                        .class("card"), .id("work-waiting"), .h2(.text("Waiting for you")),
                        .div(.class("tiles counts"), .group(work)))),
                .if(
                    !myDay.isEmpty || role == .provider || role == .medicalDirector,
                    .div(
                        .class("card"), .id("my-day-today"),
                        .h2(.text("My day")),
                        .if(myDay.isEmpty, .p(.text("No appointments today."))),
                        .ul(
                            .class("day-list"),
                            .forEach(myDay) { r in
                                .li(
                                    .strong(.text(r.times)), .text(" · "),
                                    .a(.href(Site.patient.path(r.patientID)), .text(r.patient)),
                                    .text(" · \(r.type) · \(r.location) "),
                                    .span(.class("badge"), .text(r.status.rawValue)),
                                    .if(
                                        waitingVisits.contains(r.id),
                                        .span(.class("badge video-waiting"), .text("waiting for video"))))
                            }))),
                .if(
                    !byLocation.isEmpty && myDay.isEmpty && role != .provider && role != .medicalDirector,
                    .div(
                        .class("card"), .id("today-by-location"), .h2(.text("Today at each location")),
                        .div(
                            .class("scroll"), Scrollable.focusable(),
                            .table(
                                .thead(
                                    .tr(
                                        .th(.text("Location")), .th(.text("To arrive")), .th(.text("Here")),
                                        .th(.text("Done")),
                                        .th(.text("Cancelled or no-show")))),
                                .tbody(
                                    .forEach(byLocation) { l in
                                        .tr(
                                            .td(.text(l.name)), .td(.text(String(l.booked))),
                                            .td(.text(String(l.arrived))),
                                            .td(.text(String(l.done))), .td(.text(String(l.cancelled))))
                                    }))),
                        .p(.a(.class("button"), .href(Site.schedule.path()), .text("Open today's schedule"))))),
                .div(
                    .class("card"),
                    .h2(.text("Pages")),
                    .ul(
                        .class("plain-links"),
                        .forEach(Layout.navLinks(for: principal)) { .li(.a(.href($0.0), .text($0.1))) }),
                    .if(Layout.navLinks(for: principal).isEmpty, .p(.text("Your role has no pages here yet."))))
            ))
    }
}
