import Domain
import Fluent
import Plot
import Vapor
import Accounts
import AppCore
import ClinicalRecord
import Notifications
import Patients
import Scheduling

/// The patient portal home: the next visit first (with Join for a video visit), the patient's own record, and who
/// has looked at it in plain words.
package enum PortalController {
    @Sendable package static func home(req: Request) async throws -> Response {
        let pid = try req.portalPatientID()
        let store = try req.patients()
        let record = try await store.find(pid, detail: "portal home")
        let log = try await store.accessLog(pid)
        let notices = try await PortalNoticeRecord.query(on: req.db).filter(\.$patientID == pid)
            .sort(\.$createdAt, .descending).limit(10).all()
        let dir = try await ScheduleDirectory.load(req.db)
        let now = req.now
        let t = req.tr
        let upcoming = try await req.scheduling().list(
            .init(
                patientID: pid, from: now.addingTimeInterval(-3600),
                to: now.addingTimeInterval(60 * 86400))
        )
        .map(\.appointment).first { $0.end > now && $0.status == AppointmentStatus.booked }
        let names = try await UserRecord.query(on: req.db).filter(\.$username ~~ Array(Set(log.map(\.user)))).all()
            .reduce(into: [String: String]()) { $0[$1.username] = $1.displayName }
        let history = AccessHistory.days(
            log.compactMap { e in
                guard let a = AuditAction(rawValue: e.action), let c = DataCategory(rawValue: e.category) else {
                    return nil
                }
                return AccessHistory.Event(at: e.at, username: e.user, role: e.role, action: a, category: c)
            },
            zone: dir.homeZone, names: names,
            roles: { Role(rawValue: $0).map { t($0.label).lowercased() } ?? ($0 == "system" ? t("the system") : $0) },
            t: t)
        let health = try await req.clinical().summary(patientID: pid)
        var page = PortalHomePage(
            patient: record, history: history, zone: dir.homeZone, now: now,
            upcoming: upcoming.map { UpcomingVisit($0, dir: dir, now: now, t: t) },
            notices: notices.map {
                (Format.local($0.createdAt, zone: dir.homeZone, now: now, language: t.language), $0.body)
            }, t: t)
        page.health = PortalHealthSummary(summary: health)
        return Layout.render(page.render(for: req))
    }

    /// `GET /portal/appointments/:id/calendar.ics`: the patient's own appointment for their calendar (no reason or
    /// diagnosis in it).
    @Sendable package static func calendarFile(req: Request) async throws -> Response {
        let pid = try req.portalPatientID()
        let id = try req.idParameter("appointment")
        let now = req.now
        let listed = try await req.scheduling().list(
            .init(
                patientID: pid, from: now.addingTimeInterval(-86400),
                to: now.addingTimeInterval(60 * 86400), includeInactive: true))
        guard let a = listed.map(\.appointment).first(where: { $0.id == id }) else {
            throw AppError.notFound("No such appointment of yours.")
        }
        let dir = try await ScheduleDirectory.load(req.db)
        let loc = dir.location(a.locationId)
        let video = dir.isTelemedicine(a.typeId)
        let event = ICalendar.Event(
            uid: "\(id.uuidString.lowercased())@caresync", stamp: a.updatedAt, start: a.start, end: a.end,
            summary: video ? req.tr("Video visit") : req.tr("Appointment at {place}", ["place": loc?.name ?? ""]),
            location: video
                ? req.tr("Video visit (join from the portal)") : "\(loc?.name ?? ""), \(loc?.address ?? "")",
            cancelled: a.status == AppointmentStatus.cancelled, sequence: a.version - 1)
        let res = Response(status: .ok, body: .init(string: ICalendar.document([event])))
        res.headers.contentType = HTTPMediaType(type: "text", subType: "calendar", parameters: ["charset": "utf-8"])
        res.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"appointment.ics\"")
        return res
    }
}

/// The next visit as the portal shows it.
package struct UpcomingVisit {
    package let id: UUID
    package let when: String
    package let times: String
    package let what: String
    package let place: String
    package let address: String?
    package let video: Bool
    /// A video visit can be joined from 15 minutes before its start until it ends.
    package let joinOpen: Bool
    package let joinFrom: String

    package init(_ a: AppointmentDTO, dir: ScheduleDirectory, now: Date, t: Translator = .english) {
        let zone = dir.zone(a.locationId)
        let l = t.language
        id = a.id
        when = Format.day(a.start, zone: zone, now: now, language: l)
        times = Format.timeRange(a.start, a.end, zone: zone, language: l)
        video = dir.isTelemedicine(a.typeId)
        what = t(
            "{type} with {provider}", ["type": t(dir.typeName(a.typeId)), "provider": dir.providerName(a.providerId)])
        place = video ? t("Video visit") : (dir.location(a.locationId)?.name ?? "")
        address = video ? nil : dir.location(a.locationId)?.address
        joinOpen = video && now >= a.start.addingTimeInterval(-15 * 60) && now < a.end
        joinFrom = Format.time(a.start.addingTimeInterval(-15 * 60), zone: zone, language: l)
    }
}

package struct PortalHomePage {
    package let patient: PatientDTO
    package let history: [AccessHistory.Day]
    package let zone: TimeZone
    package let now: Date
    package var upcoming: UpcomingVisit?
    package var notices: [(String, String)] = []
    package var t: Translator = .english
    /// The patient's confirmed problems, allergies and medicines.
    package var health: PortalHealthSummary?

    package func render(for req: Request) -> String {
        let p = patient
        let l = t.language
        return Layout.page(
            "My record", req: req, language: l,
            .div(
                .h1(.id("portal-welcome"), .text(t("Hello, {name}", ["name": p.givenName]))),
                upcomingCard(),
                .if(
                    !notices.isEmpty,
                    .div(
                        .class("card"), .id("notices"), .h2(.text(t("Messages for you"))),
                        .ul(.forEach(notices) { n in .li(.small(.text(n.0)), .br(), .text(n.1)) }))),
                .nav(
                    .class("tiles"), .attribute(named: "aria-label", value: t("Portal")),
                    .a(.class("button"), .href(Site.portalAppointments.path()), .text(t("My appointments"))),
                    .a(.class("button"), .href(Site.portalMessages.path()), .id("go-messages"), .text(t("Messages"))),
                    .a(.class("button"), .href(Site.portalForms.path()), .id("go-forms"), .text(t("Forms"))),
                    .a(.class("button"), .href(Site.portalPhotos.path()), .id("go-photos"), .text(t("Wound photos"))),
                    .a(.class("button"), .href(Site.portalNotes.path()), .id("go-notes"), .text(t("My visits")))),
                .unwrap(health) { $0.render(t) },
                .div(
                    .class("card"),
                    .h2(.text(t("My details"))),
                    .dl(
                        .class("kv"),
                        .dt(.text(t("Name"))), .dd(.text("\(p.givenName) \(p.familyName)")),
                        .dt(.text(t("Date of birth"))), .dd(.text(p.birthDate)),
                        .dt(.text(t("Record number"))), .dd(.text(p.mrn)),
                        .dt(.text(t("Phone"))), .dd(.text(p.phone ?? "—")),
                        .dt(.text(t("Email"))), .dd(.text(p.email ?? "—")))),
                .div(
                    .class("card"), .id("access-history"),
                    .h2(.text(t("Who has looked at my record"))),
                    .if(history.isEmpty, .p(.text(t("Nobody else has opened your record yet.")))),
                    .forEach(history) { d in
                        .section(
                            .class("access-day"),
                            .h3(.text(LocalDay(d.day).map { Format.day($0, language: l) } ?? d.day)),
                            .ul(
                                .forEach(d.lines) { line in
                                    .li(
                                        .strong(.text(line.who)),
                                        .text(
                                            (line.role.isEmpty ? " " : ", \(line.role), ")
                                                + AccessHistory.sentence(line.what, t: t)),
                                        .small(.text(" · " + Self.when(line.first, line.last, zone, l))))
                                }))
                    })
            ))
    }

    /// "10:36 AM CT", or "10:36 – 11:02 AM CT" when the person came back later that day.
    package static func when(_ first: Date, _ last: Date, _ zone: TimeZone, _ l: PatientLanguage = .en) -> String {
        let a = Format.time(first, zone: zone, language: l)
        let b = Format.time(last, zone: zone, language: l)
        return a == b ? a : Format.timeRange(first, last, zone: zone, language: l)
    }

    package func upcomingCard() -> Node<HTML.BodyContext> {
        guard let u = upcoming else {
            return .div(
                .class("card"), .id("upcoming-visit"), .h2(.text(t("Upcoming visit"))),
                .p(.text(t("You have no visit booked."))),
                .a(.class("button"), .href(Site.portalAppointmentsBook.path()), .text(t("Book an appointment"))))
        }
        return .div(
            .class("card upcoming"), .id("upcoming-visit"),
            .h2(.text(t("Upcoming visit"))),
            .p(.class("when"), .strong(.text(u.when)), .text(" · \(u.times)")),
            .p(.text(u.what)),
            .p(.text(u.place), .unwrap(u.address) { .group(.br(), .small(.text($0))) }),
            .div(
                .class("actions"),
                .if(
                    u.video && u.joinOpen,
                    .a(
                        .class("button"), .id("join-video"), .href(Site.portalVisit.path(u.id)),
                        .text(t("Join video visit")))),
                .if(
                    u.video && !u.joinOpen,
                    .p(
                        .class("notice"), .id("join-later"),
                        .text(t("You can join the video visit from {time}.", ["time": u.joinFrom])))),
                .a(
                    .class("button secondary"), .href(Site.portalAppointmentCalendar.path(u.id)),
                    .text(t("Add to my calendar"))),
                .a(
                    .class("button secondary"), .href(Site.portalAppointmentReschedule.path(u.id)),
                    .text(t("Reschedule"))),
                .a(
                    .class("button secondary"), .href(Site.portalAppointments.path() + "#appt-\(u.id.uuidString)"),
                    .text(t("Cancel…"))))
        )
    }
}
