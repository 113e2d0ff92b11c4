import Vapor
import Fluent
import Plot
import Domain
import AppCore
import Accounts
import Locations

/// The staff pages: the incident list with the time left on each SLA, an incident with its timeline and what can be
/// done to it, opening one, the on-call roster; and the page behind the acknowledge link.
package enum IncidentPages {
    @Sendable package static func list(req: Request) async throws -> Response {
        let all = req.query[String.self, at: "all"] == "1"
        let rows = try await IncidentsController.list(req, all: all)
        let can = AccessPolicy.decide(try req.principal(), .manageIncidents).isAllowed
        return Layout.render(
            Layout.page(
                "Incidents", req: req,
                .div(
                    .h1(.text("Incidents")),
                    .p(
                        .a(.href(Site.incidentNew.path()), .text("Open an incident")), .text(" · "),
                        all
                            ? .a(.href(Site.incidents.path()), .text("Open ones only"))
                            : .a(.href(Site.incidents.path() + "?all=1"), .text("Include resolved")),
                        .if(can, .group(.text(" · "), .a(.href(Site.onCall.path()), .text("On-call roster"))))),
                    rows.isEmpty
                        ? .p(.id("no-incidents"), .text(all ? "No incidents yet." : "No open incident."))
                        : .ul(
                            .class("plain incident-list"),
                            .forEach(rows) { i in
                                .li(
                                    .class("card incident sev-\(i.severity.lowercased())"),
                                    .a(
                                        .href(Site.incident.path(i.id)),
                                        .strong(.text("#\(i.number) \(i.severity) \(i.title)"))),
                                    .div(.text("\(i.state) · \(i.paging)")),
                                    .div(
                                        .class("muted"),
                                        .text("Acknowledge: \(i.ackLeft) · Resolve: \(i.resolveLeft)")))
                            }),
                    severityKey())))
    }

    static func severityKey<C: HTML.BodyContext>() -> Node<C> {
        .details(
            .summary(.text("What P0–P3 mean")),
            .dl(
                .class("kv"),
                .forEach(IncidentSeverity.allCases) { s in .group(.dt(.text(s.rawValue)), .dd(.text(s.definition))) }))
    }

    // MARK: one incident

    @Sendable package static func show(req: Request) async throws -> Response {
        let d = try await IncidentsController.detail(req, id: try req.idParameter("incident"))
        return Layout.render(render(d, req: req, zone: try await zone(req), problem: nil))
    }

    /// The forms on an incident's page: ack, state, severity, note, postmortem, action item done.
    @Sendable package static func act(req: Request) async throws -> Response {
        let id = try req.idParameter("incident")
        let scope = try req.scope()
        let form = { (key: String) in try? req.content.get(String.self, at: key) }
        do {
            switch req.parameters.get("action") ?? "" {
            case "ack": _ = try await IncidentStore.ack(scope, id: id)
            case "state":
                _ = try await IncidentStore.setState(
                    scope, id: id, .init(state: form("state") ?? "", note: form("note")))
            case "severity":
                _ = try await IncidentStore.setSeverity(
                    scope, id: id, .init(severity: form("severity") ?? "", reason: form("reason")))
            case "note": _ = try await IncidentStore.addNote(scope, id: id, note: form("note"))
            case "postmortem":
                _ = try await IncidentStore.writePostmortem(
                    scope, id: id,
                    .init(
                        impact: form("impact") ?? "", rootCause: form("rootCause") ?? "",
                        wentWell: form("wentWell") ?? "", actionItem: form("actionItem"), owner: form("owner"),
                        due: form("due")))
            case "done":
                guard let item = form("item").flatMap(UUID.init(uuidString:)) else {
                    throw AppError.notFound("No such action item.")
                }
                _ = try await IncidentStore.completeActionItem(scope, id: id, item: item)
            default: throw AppError.notFound("No such action.")
            }
        } catch AppError.validation(let errors) {
            let detail = errors.map(\.message).joined(separator: " ")
            let d = try await IncidentsController.detail(req, id: id)
            return Layout.render(
                render(d, req: req, zone: try await zone(req), problem: detail), status: .unprocessableEntity)
        }
        return req.redirect(to: Site.incident.path(id))
    }

    static func render(_ d: IncidentsController.Detail, req: Request, zone: TimeZone, problem: String?) -> String {
        let i = d.incident
        let can = (try? AccessPolicy.decide(req.principal(), .manageIncidents).isAllowed) == true
        let path = { (action: String) in Site.incidentAction.path(i.id, action) }
        let open = i.state != IncidentState.resolved.rawValue
        return Layout.page(
            "Incident #\(i.number)", req: req,
            .div(
                .p(.a(.href(Site.incidents.path()), .text("← Incidents"))),
                .unwrap(problem) { .div(.class("notice bad"), .attribute(named: "role", value: "alert"), .text($0)) },
                .h1(.text("#\(i.number) \(i.title)")),
                .div(
                    .class("card"), .id("incident-summary"),
                    .p(.strong(.text("\(i.severity): ")), .text(i.severityDefinition)),
                    .p(
                        .text(
                            "Opened \(Format.local(i.openedAt, zone: zone, now: req.now)) "
                                + (i.openedBy.map { "by \($0)" } ?? "by the alert \(i.alertname ?? "")") + ".")),
                    .p(.strong(.text("State: ")), .text(i.state), .text(" · "), .text(i.paging)),
                    .p(
                        .id("sla"), .strong(.text("Acknowledge: ")), .text(i.ackLeft), .text(" · "),
                        .strong(.text("Resolve: ")), .text(i.resolveLeft)),
                    .unwrap(i.ackedBy) { .p(.text("Acknowledged by \($0).")) },
                    .unwrap(i.resolution) { .p(.strong(.text("Resolution: ")), .text($0)) },
                    .unwrap(i.runbook) { .p(.strong(.text("What to do: ")), .text($0)) },
                    .if(
                        can && i.ackedAt == nil && open,
                        .form(
                            .action(path("ack")), .method(.post), FormKit.csrf(req),
                            .button(.type(.submit), .id("ack"), .text("Acknowledge (stop paging)"))))),
                .if(
                    i.postmortemRequired && open,
                    .p(.id("postmortem"), .text("A postmortem is required once it is resolved (P0 and P1)."))),
                .if(i.postmortemRequired && !open, postmortem(d, req: req, can: can, path: path)),
                .if(can && open, actions(i, req: req, path: path)),
                .h2(.text("Timeline")),
                .ol(
                    .class("plain timeline"), .id("timeline"),
                    .forEach(d.timeline) { e in
                        .li(
                            .attribute(named: "data-kind", value: e.kind),
                            .span(.class("muted"), .text(Format.local(e.at, zone: zone, now: req.now) + " ")),
                            .strong(.text(e.kind + ": ")), .text(e.text), .span(.class("muted"), .text(" (\(e.actor))"))
                        )
                    }),
                .if(
                    can && !open,
                    .form(
                        .class("card"), .action(path("state")), .method(.post), FormKit.csrf(req),
                        .input(.type(.hidden), .name("state"), .value(IncidentState.investigating.rawValue)),
                        .div(
                            .class("field"), .label(.for("state-note"), .text("Why it is not over (optional)")),
                            .textarea(.name("note"), .id("state-note"), .attribute(named: "rows", value: "2"))),
                        .button(.type(.submit), .id("reopen"), .text("Open it again"))))))
    }

    static func actions(
        _ i: IncidentsController.IncidentDTO, req: Request, path: (String) -> String
    ) -> Node<HTML.BodyContext> {
        let states = IncidentState.allCases.filter { $0.rawValue != i.state }
        return .div(
            .class("grid2"),
            .form(
                .class("card"), .action(path("state")), .method(.post), FormKit.csrf(req),
                .h2(.text("Change the state")),
                .p(
                    .class("muted"),
                    .text(
                        IncidentState.allCases.filter { $0 != .resolved }.map { "\($0.rawValue): \($0.meaning)" }
                            .joined(separator: " "))),
                FormKit.select(
                    "New state", name: "state", options: states.map { ($0.rawValue, $0.rawValue) },
                    selected: states.first?.rawValue),
                .div(
                    .class("field"), .label(.for("state-note"), .text("Note (required to resolve: how it was fixed)")),
                    .textarea(.name("note"), .id("state-note"), .attribute(named: "rows", value: "3"))),
                .button(.type(.submit), .id("change-state"), .text("Save the state"))),
            .form(
                .class("card"), .action(path("severity")), .method(.post), FormKit.csrf(req),
                .h2(.text("Change the severity")),
                FormKit.select(
                    "Severity", name: "severity",
                    options: IncidentSeverity.allCases.map { ($0.rawValue, $0.short) }, selected: i.severity),
                FormKit.field(
                    "Reason (required to downgrade)", name: "reason", id: "severity-reason"),
                .button(.type(.submit), .id("change-severity"), .text("Save the severity"))),
            .form(
                .class("card"), .action(path("note")), .method(.post), FormKit.csrf(req),
                .h2(.text("Add a note")),
                .div(
                    .class("field"), .label(.for("note"), .text("Note (about the service: no patient details)")),
                    .textarea(.name("note"), .id("note"), .attribute(named: "rows", value: "3"))),
                .button(.type(.submit), .id("add-note"), .text("Add to the timeline"))))
    }

    static func postmortem(
        _ d: IncidentsController.Detail, req: Request, can: Bool, path: (String) -> String
    ) -> Node<HTML.BodyContext> {
        let pm = d.postmortem ?? [:]
        let open = d.actionItems.filter { $0.doneAt == nil }
        return .div(
            .class(d.postmortem == nil ? "card bad" : "card"), .id("postmortem"),
            .h2(
                .text(
                    d.postmortem == nil
                        ? "Postmortem required (\(d.incident.severity))"
                        : "Postmortem: \(open.isEmpty ? "all action items done" : "\(open.count) action items open")")),
            .ul(
                .class("plain"),
                .forEach(d.actionItems) { a in
                    .li(
                        .text("\(a.doneAt == nil ? "☐" : "☑") \(a.text) — \(a.owner), due \(a.due)"),
                        .if(
                            can && a.doneAt == nil,
                            .form(
                                .class("inline"), .action(path("done")), .method(.post), FormKit.csrf(req),
                                .input(.type(.hidden), .name("item"), .value(a.id.uuidString)),
                                .button(.type(.submit), .text("Done")))))
                }),
            .if(
                can,
                .form(
                    .action(path("postmortem")), .method(.post), FormKit.csrf(req),
                    textarea("Impact: who could not do what, for how long", "impact", pm["impact"]),
                    textarea("Root cause", "rootCause", pm["rootCause"]),
                    textarea("What went well", "wentWell", pm["wentWell"]),
                    .div(
                        .class("grid2"),
                        FormKit.field("New action item", name: "actionItem"),
                        FormKit.field("Owner", name: "owner"),
                        FormKit.field("Due", name: "due", type: .date)),
                    .button(.type(.submit), .id("save-postmortem"), .text("Save the postmortem")))))
    }

    static func textarea(_ label: String, _ name: String, _ value: String?) -> Node<HTML.FormContext> {
        .div(
            .class("field"), .label(.for(name), .text(label)),
            .textarea(.name(name), .id(name), .attribute(named: "rows", value: "3"), .text(value ?? "")))
    }

    // MARK: opening

    @Sendable package static func newForm(req: Request) async throws -> Response {
        try await req.scope().authorize(.openIncident)
        return Layout.render(openPage(req, problem: nil, title: "", severity: "P2"))
    }

    @Sendable package static func open(req: Request) async throws -> Response {
        let title = (try? req.content.get(String.self, at: "title")) ?? ""
        let severity = (try? req.content.get(String.self, at: "severity")) ?? ""
        do {
            let r = try await IncidentStore.open(
                try req.scope(),
                .init(title: title, severity: severity, note: try? req.content.get(String.self, at: "note")))
            return req.redirect(to: Site.incident.path(try r.requireID()))
        } catch AppError.validation(let errors) {
            let detail = errors.map(\.message).joined(separator: " ")
            return Layout.render(
                openPage(req, problem: detail, title: title, severity: severity), status: .unprocessableEntity)
        }
    }

    static func openPage(_ req: Request, problem: String?, title: String, severity: String) -> String {
        Layout.page(
            "Open an incident", req: req,
            .div(
                .h1(.text("Open an incident")),
                .unwrap(problem) { .div(.class("notice bad"), .attribute(named: "role", value: "alert"), .text($0)) },
                .form(
                    .action(Site.incidents.path()), .method(.post), FormKit.csrf(req),
                    FormKit.field(
                        "What is wrong (no patient details)", name: "title", value: title, required: true),
                    FormKit.select(
                        "Severity", name: "severity",
                        options: IncidentSeverity.allCases.map { ($0.rawValue, $0.short) }, selected: severity),
                    severityKey(),
                    .div(
                        .class("field"), .label(.for("note"), .text("What you saw (optional)")),
                        .textarea(.name("note"), .id("note"), .attribute(named: "rows", value: "4"))),
                    .button(.type(.submit), .id("open-incident"), .text("Open and page the on-call")))))
    }

    // MARK: the acknowledge link

    @Sendable package static func ackLinkPage(req: Request) async throws -> Response {
        let token = req.query[String.self, at: "token"] ?? ""
        return Layout.render(
            Layout.page(
                "Acknowledge", req: req,
                .div(
                    .h1(.text("Acknowledge the incident")),
                    .p(.text("This stops the paging and tells the others you are on it.")),
                    .form(
                        .action(Site.incidentAck.path()), .method(.post), FormKit.csrf(req),
                        .input(.type(.hidden), .name("token"), .value(Escape.attribute(token))),
                        .button(.type(.submit), .id("ack-link"), .text("I'm on it"))))))
    }

    @Sendable package static func ackLink(req: Request) async throws -> Response {
        let token = (try? req.content.get(String.self, at: "token")) ?? ""
        let r = try await IncidentStore.ack(req.application, token: token)
        return Layout.render(
            Layout.page(
                "Acknowledged", req: req,
                .div(
                    .h1(.text("Acknowledged")),
                    .p(.id("acked"), .text("Incident #\(r.number) (\(r.severity)) is acknowledged; paging stopped.")),
                    .p(.a(.href(Site.incident.path(try r.requireID())), .text("Open the incident (sign-in)"))))))
    }

    // MARK: the roster

    @Sendable package static func roster(req: Request) async throws -> Response {
        try await req.scope().authorize(.manageOnCall)
        return Layout.render(try await rosterPage(req, problem: nil), status: .ok)
    }

    static func rosterPage(_ req: Request, problem: String?) async throws -> String {
        let now = req.now
        let zone = try await zone(req)
        let shifts = try await OnCallShiftRecord.query(on: req.db).filter(\.$endsAt > now).sort(\.$startsAt).all()
        let contacts = try await StaffContactRecord.query(on: req.db).sort(\.$username).all()
        let staff = try await UserRecord.query(on: req.db).filter(\.$active == true).filter(\.$role != .patient)
            .sort(\.$username).all().map { ($0.username, "\($0.displayName) (\($0.username))") }
        let choose = [("", "Choose…")] + staff  // nobody is picked by accident
        let when = { (d: Date) in Format.local(d, zone: zone) }
        return Layout.page(
            "On-call roster", req: req,
            .div(
                .h1(.text("On-call roster")),
                .unwrap(problem) { .div(.class("notice bad"), .attribute(named: "role", value: "alert"), .text($0)) },
                .p(
                    .text(
                        "An incident pages the primary at once and again every "
                            + "\(Int(req.application.config.incidentRepageMinutes)) minutes until someone "
                            + "acknowledges; when its acknowledge time runs out, the secondary, then the manager.")),
                .ul(
                    .class("plain"), .id("shifts"),
                    .forEach(shifts) { s in
                        .li(
                            .class("card"),
                            .strong(.text("\(when(s.startsAt)) – \(when(s.endsAt))")),
                            .text(" primary \(s.primary), secondary \(s.secondary), manager \(s.manager)"),
                            .if(s.startsAt <= now, .span(.class("badge"), .text("on call now"))))
                    }),
                .form(
                    .class("card"), .action(Site.onCall.path()), .method(.post), FormKit.csrf(req),
                    .input(.type(.hidden), .name("form"), .value("shift")),
                    .h2(.text("Add a shift (\(Format.zoneName(zone)))")),
                    .div(
                        .class("grid2"),
                        FormKit.field("Starts", name: "starts", type: .datetimeLocal, required: true),
                        FormKit.field("Ends", name: "ends", type: .datetimeLocal, required: true),
                        FormKit.select("Primary", name: "primary", options: choose, selected: nil),
                        FormKit.select("Secondary", name: "secondary", options: choose, selected: nil),
                        FormKit.select("Manager", name: "manager", options: choose, selected: nil)),
                    .button(.type(.submit), .id("add-shift"), .text("Add the shift"))),
                .h2(.text("How to reach people")),
                .ul(
                    .class("plain"), .id("contacts"),
                    .forEach(contacts) { c in
                        .li(.text("\(c.username): \(c.email ?? "no email") · \(c.phone ?? "no phone")"))
                    }),
                .form(
                    .class("card"), .action(Site.onCall.path()), .method(.post), FormKit.csrf(req),
                    .input(.type(.hidden), .name("form"), .value("contact")),
                    .div(
                        .class("grid2"),
                        FormKit.select("Staff member", name: "username", options: choose, selected: nil),
                        FormKit.field("Work email", name: "email", type: .email),
                        FormKit.field("Mobile for pages", name: "phone", type: .tel)),
                    .button(.type(.submit), .id("save-contact"), .text("Save")))))
    }

    @Sendable package static func saveRoster(req: Request) async throws -> Response {
        let scope = try req.scope()
        let form = { (key: String) in (try? req.content.get(String.self, at: key)) ?? "" }
        do {
            if form("form") == "contact" {
                try await OnCallStore.setContact(
                    scope, username: form("username"), email: form("email"), phone: form("phone"))
            } else {
                let zone = try await zone(req)
                try await OnCallStore.addShift(
                    scope, starts: OnCallStore.localTime(form("starts"), zone: zone),
                    ends: OnCallStore.localTime(form("ends"), zone: zone),
                    primary: form("primary"), secondary: form("secondary"), manager: form("manager"))
            }
        } catch AppError.validation(let errors) {
            let detail = errors.map(\.message).joined(separator: " ")
            return Layout.render(try await rosterPage(req, problem: detail), status: .unprocessableEntity)
        }
        return req.redirect(to: Site.onCall.path())
    }

    static func zone(_ req: Request) async throws -> TimeZone { try await LocationRecord.practiceZone(req.db) }
}
