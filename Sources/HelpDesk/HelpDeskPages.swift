import Vapor
import Fluent
import Plot
import Domain
import AppCore
import Locations

/// The help desk's pages. Staff: "Get help" (`/help/new?from=…`, linked from every staff page), their requests, and for
/// the help desk the queue with its figures and each ticket with replies, internal notes, priority, assignment and
/// conversion to an incident. Patients: the portal's Help page and their own requests, in their language, without
/// the help desk's own fields.
package enum HelpDeskPages {
    typealias Detail = HelpDeskStore.TicketDetail

    // MARK: staff

    @Sendable package static func queue(req: Request) async throws -> Response {
        let store = try req.helpDesk()
        let filter = req.query[String.self, at: "status"] ?? "active"
        let status = TicketStatus(rawValue: filter)
        var rows = try await store.list(status: status)
        if filter == "active" { rows = rows.filter { $0.status != .resolved } }
        let metrics = store.isHelpDesk ? try await store.metrics() : nil
        let zone = try await LocationRecord.practiceZone(req.db)
        let tabs: [(String, String)] = [
            ("active", "Open and waiting"), ("open", "Open"), ("waiting", "Waiting for the requester"),
            ("resolved", "Resolved"),
        ]
        return Layout.render(
            Layout.page(
                store.isHelpDesk ? "Help desk" : "My help requests", req: req,
                .div(
                    .h1(.text(store.isHelpDesk ? "Help desk" : "My help requests")),
                    .p(.a(.class("button"), .href(Site.helpNew.path()), .id("new-ticket"), .text("Ask for help"))),
                    .unwrap(metrics) { metricsCard($0) },
                    .nav(
                        .class("ranges"), .attribute(named: "aria-label", value: "Which requests"),
                        .forEach(tabs) { tab in
                            .a(
                                .href(Site.help.path() + "?status=\(tab.0)"),
                                .attribute(named: "aria-current", value: tab.0 == filter ? "page" : nil),
                                .text(tab.1))
                        }),
                    rows.isEmpty
                        ? .p(.id("no-tickets"), .text("No help requests here."))
                        : .ul(
                            .class("plain"), .id("tickets"),
                            .forEach(rows) { t in ticketCard(t, zone: zone, now: req.now) }))))
    }

    static func ticketCard(_ t: HelpDeskStore.TicketDTO, zone: TimeZone, now: Date) -> Node<HTML.ListContext> {
        .li(
            .class("card ticket"), .attribute(named: "data-status", value: t.status.rawValue),
            .a(.href(Site.helpTicket.path(t.id)), .strong(.text("#\(t.number) \(t.subject)"))),
            .div(
                .unwrap(t.priority) { .span(.class(priorityClass($0)), .text($0.rawValue)) },
                .text(" \(t.categoryLabel) · \(t.status.deskLabel) · \(t.requesterName)"),
                .if(t.fromPatient, .span(.class("badge"), .text("patient")))),
            .div(
                .class("muted"),
                .text("Sent \(Format.local(t.createdAt, zone: zone, now: now))"),
                .unwrap(t.assignedTo) { .text(" · assigned to \($0)") },
                .unwrap(t.firstResponseLeft) { .text(" · first answer: \($0)") },
                .unwrap(t.resolveLeft) { .text(" · resolve: \($0)") }))
    }

    static func priorityClass(_ p: TicketPriority) -> String {
        p == .urgent || p == .high ? "badge warn" : "badge"
    }

    static func metricsCard(_ m: HelpDeskMetrics) -> Node<HTML.BodyContext> {
        let pct = m.percentWithinSLA.map { String(format: "%.1f %%", $0) } ?? "no ticket decided yet"
        let met = (m.percentWithinSLA ?? 100) >= m.goalPercent
        let minutes = { (v: Double?) in v.map { SLAText.minutes($0) } ?? "—" }
        return .div(
            .class(met ? "card" : "card bad"), .id("help-metrics"),
            .h2(.text("The last 30 days")),
            .dl(
                .class("kv"),
                .dt(.text("Resolved within target")),
                .dd(.strong(.text(pct)), .text(" (goal \(Int(m.goalPercent)) %; \(m.missedSLA) missed)")),
                .dt(.text("First answer")),
                .dd(
                    .text(
                        "median \(minutes(m.firstResponseMedianMinutes)), 90 % within "
                            + "\(minutes(m.firstResponseP90Minutes)); \(m.firstResponseMissed) late")),
                .dt(.text("Requests")), .dd(.text("\(m.tickets), \(m.open) not resolved")),
                .dt(.text("By category")),
                .dd(
                    .text(
                        m.byCategory.isEmpty
                            ? "none"
                            : m.byCategory.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
                                .map { "\(TicketCategory(rawValue: $0.key)?.label ?? $0.key): \($0.value)" }
                                .joined(separator: " · ")))))
    }

    @Sendable package static func newForm(req: Request) async throws -> Response {
        try await req.scope().authorize(.openHelpTicket)
        let from = HelpDeskRules.page(from: req.query[String.self, at: "from"])
        return Layout.render(newPage(req, page: from, values: [:], errors: []))
    }

    static func newPage(_ req: Request, page: String?, values: [String: String], errors: [FieldError]) -> String {
        let categories = [("", "Choose…")] + TicketCategory.allCases.map { ($0.rawValue, $0.label) }
        return Layout.page(
            "Ask for help", req: req,
            .div(
                .h1(.text("Ask for help")),
                FormKit.errorSummary(errors),
                .p(
                    .text(
                        "The help desk answers urgent requests within 30 minutes and others the same working day. "
                            + "Do not write patient details here unless the help desk needs them to help.")),
                .form(
                    .action(Site.help.path()), .method(.post), FormKit.csrf(req),
                    .input(.type(.hidden), .name("page"), .value(Escape.attribute(page ?? ""))),
                    .unwrap(page) { .p(.class("muted"), .text("From the page \($0)")) },
                    FormKit.select(
                        "What is it about?", name: "category", options: categories, selected: values["category"],
                        errors: errors, required: true),
                    FormKit.field(
                        "In a few words", name: "subject", value: values["subject"], errors: errors,
                        hint: "Optional: the help desk sees the category otherwise."),
                    textarea("What happened, and what did you expect?", "description", values["description"], errors),
                    .button(.type(.submit), .id("send-ticket"), .text("Send to the help desk")))))
    }

    static func textarea(_ label: String, _ name: String, _ value: String?, _ errors: [FieldError])
        -> Node<HTML.FormContext>
    {
        let err = errors.first { $0.field == name }
        return .div(
            .class(err == nil ? "field" : "field invalid"), .label(.for(name), .text(label + " *")),
            .textarea(
                .name(name), .id(name), .attribute(named: "rows", value: "5"), .required(true),
                .attribute(named: "maxlength", value: String(HelpDeskRules.maxDescription)),
                .attribute(named: "aria-invalid", value: err == nil ? nil : "true"), .text(value ?? "")),
            .unwrap(err) { .p(.class("error"), .id("\(name)-error"), .text($0.message)) })
    }

    @Sendable package static func open(req: Request) async throws -> Response {
        let form = formValues(req, ["category", "subject", "description", "page"])
        do {
            let d = try await req.helpDesk().open(
                .init(
                    category: form["category"] ?? "", subject: form["subject"], description: form["description"] ?? "",
                    page: form["page"]))
            return req.redirect(to: Site.helpTicket.path(d.ticket.id) + "?sent=1")
        } catch let e as AppError where e.status == .unprocessableEntity {
            return Layout.render(
                newPage(
                    req, page: HelpDeskRules.page(from: form["page"]), values: form,
                    errors: e.fieldErrors(otherwise: "description")), status: .unprocessableEntity)
        }
    }

    @Sendable package static func show(req: Request) async throws -> Response {
        let d = try await req.helpDesk().find(try req.idParameter("help request"))
        return Layout.render(
            try await ticketPage(req, d, sent: req.query[String.self, at: "sent"] != nil, errors: []))
    }

    static func ticketPage(_ req: Request, _ d: Detail, sent: Bool, errors: [FieldError]) async throws -> String {
        let store = try req.helpDesk()
        let t = d.ticket, desk = store.isHelpDesk
        let zone = try await LocationRecord.practiceZone(req.db)
        let path = { (action: String) in Site.helpTicketAction.path(t.id, action) }
        let members = desk ? try await store.members() : []
        return Layout.page(
            "Help request #\(t.number)", req: req,
            .div(
                .p(.a(.href(Site.help.path()), .text(desk ? "← Help desk" : "← My help requests"))),
                .if(
                    sent,
                    .p(
                        .class("notice"), .id("ticket-sent"),
                        .text("Sent. The help desk answers here; you will see it under Help."))),
                FormKit.errorSummary(errors),
                .h1(.text("#\(t.number) \(t.subject)")),
                .div(
                    .class("card"), .id("ticket-summary"),
                    .p(
                        .strong(.text(desk ? t.status.deskLabel : t.status.label)),
                        .text(" · \(t.categoryLabel) · from \(t.requesterName)"),
                        .if(t.fromPatient, .span(.class("badge"), .text("patient")))),
                    .unwrap(t.priority) { p in
                        .p(
                            .strong(.text("Priority: ")), .text(p.label),
                            .unwrap(t.firstResponseLeft) { .text(" · first answer: \($0)") },
                            .unwrap(t.resolveLeft) { .text(" · resolve: \($0)") })
                    },
                    .unwrap(t.page) { .p(.class("muted"), .text("Sent from \($0)")) },
                    .unwrap(t.incidentId) {
                        .p(.a(.href(Site.incident.path($0)), .id("ticket-incident"), .text("The incident it became")))
                    },
                    .p(.class("muted"), .text("Sent \(Format.local(t.createdAt, zone: zone, now: req.now))")),
                    .p(.class("ticket-text"), .text(t.description))),
                .h2(.text("Replies")),
                thread(d.replies, zone: zone, now: req.now, t: .english),
                .form(
                    .class("card"), .action(path("reply")), .method(.post), FormKit.csrf(req),
                    textarea(desk ? "Answer" : "Add to your request", "body", nil, errors),
                    .if(
                        desk,
                        .label(
                            .class("check"), .input(.type(.checkbox), .name("internal"), .value("1"), .id("internal")),
                            .text(" Internal note (the requester does not see it)"))),
                    .button(.type(.submit), .id("send-reply"), .text(desk ? "Send" : "Add"))),
                .if(desk, deskForms(t, req: req, members: members, path: path))))
    }

    static func thread(_ replies: [HelpDeskStore.ReplyDTO], zone: TimeZone, now: Date, t: Translator)
        -> Node<HTML.BodyContext>
    {
        replies.isEmpty
            ? .p(.id("no-replies"), .text(t("No answer yet.")))
            : .ol(
                .class("plain timeline"), .id("replies"),
                .forEach(replies) { r in
                    .li(
                        .class(r.internal ? "card addendum" : "card"),
                        .div(
                            .strong(.text(r.fromHelpDesk ? t("Help desk") + " (\(r.authorName))" : r.authorName)),
                            .if(r.internal, .span(.class("badge warn"), .text("internal"))),
                            .span(
                                .class("muted"),
                                .text(" " + Format.local(r.at, zone: zone, now: now, language: t.language)))),
                        .p(.class("ticket-text"), .text(r.body)))
                })
    }

    static func deskForms(
        _ t: HelpDeskStore.TicketDTO, req: Request, members: [(String, String)], path: (String) -> String
    ) -> Node<HTML.BodyContext> {
        .div(
            .class("grid2"),
            .form(
                .class("card"), .action(path("change")), .method(.post), FormKit.csrf(req),
                .h2(.text("Work it")),
                FormKit.select(
                    "Priority", name: "priority", options: TicketPriority.allCases.map { ($0.rawValue, $0.label) },
                    selected: t.priority?.rawValue),
                FormKit.select(
                    "Status", name: "status", options: TicketStatus.allCases.map { ($0.rawValue, $0.deskLabel) },
                    selected: t.status.rawValue),
                FormKit.select(
                    "Category", name: "category", options: TicketCategory.allCases.map { ($0.rawValue, $0.label) },
                    selected: t.category.rawValue),
                FormKit.select(
                    "Assigned to", name: "assignedTo", options: [("", "Nobody")] + members, selected: t.assignedTo),
                .button(.type(.submit), .id("save-ticket"), .text("Save"))),
            .if(
                t.incidentId == nil,
                .form(
                    .class("card"), .action(path("incident")), .method(.post), FormKit.csrf(req),
                    .h2(.text("Turn it into an incident")),
                    .p(.text("When a flow is down for more than this requester: the on-call is paged.")),
                    FormKit.select(
                        "Severity", name: "severity",
                        options: IncidentSeverity.allCases.map { ($0.rawValue, $0.short) }, selected: "P2"),
                    FormKit.field(
                        "Incident title (about the service, no patient details)", name: "title",
                        id: "incident-title"),
                    .button(.type(.submit), .id("to-incident"), .text("Open the incident")))))
    }

    /// The forms on a ticket's page: reply (or internal note), change, turn into an incident.
    @Sendable package static func act(req: Request) async throws -> Response {
        let id = try req.idParameter("help request")
        let store = try req.helpDesk()
        let form = formValues(req, ["body", "internal", "priority", "status", "category", "assignedTo", "severity"])
        do {
            switch req.parameters.get("action") ?? "" {
            case "reply":
                _ = try await store.reply(id, .init(body: form["body"] ?? "", internal: form["internal"] == "1"))
            case "change":
                let now = try await store.find(id).ticket
                _ = try await store.change(
                    id,
                    .init(
                        priority: form["priority"].flatMap { $0 == now.priority?.rawValue ? nil : $0 },
                        status: form["status"].flatMap { $0 == now.status.rawValue ? nil : $0 },
                        category: form["category"].flatMap { $0 == now.category.rawValue ? nil : $0 },
                        assignedTo: form["assignedTo"].flatMap { $0 == (now.assignedTo ?? "") ? nil : $0 }))
            case "incident":
                let title = (try? req.content.get(String.self, at: "title")) ?? ""
                let (_, incident) = try await store.toIncident(
                    id, .init(severity: form["severity"] ?? "", title: title))
                return req.redirect(to: Site.incident.path(try incident.requireID()))
            default: throw AppError.notFound("No such action.")
            }
        } catch let e as AppError where e.status == .unprocessableEntity || e.status == .conflict {
            let d = try await store.find(id)
            return Layout.render(
                try await ticketPage(req, d, sent: false, errors: e.fieldErrors(otherwise: "body")), status: e.status)
        }
        return req.redirect(to: Site.helpTicket.path(id))
    }

    // MARK: portal

    @Sendable package static func portalHelp(req: Request) async throws -> Response {
        _ = try req.portalPatientID()
        return Layout.render(try await portalPage(req, values: [:], errors: []))
    }

    static func portalPage(_ req: Request, values: [String: String], errors: [FieldError]) async throws -> String {
        let t = req.tr
        let mine = try await req.helpDesk().list()
        let zone = try await LocationRecord.practiceZone(req.db)
        let categories = [("", t("Choose…"))] + TicketCategory.allCases.map { ($0.rawValue, t($0.label)) }
        return Layout.page(
            "Help", req: req,
            .div(
                .h1(.text(t("Help"))),
                .p(
                    .text(
                        t(
                            "For a problem with the portal, a video visit or a form. For a question about your care, "
                                + "write to your care team under Messages. In an emergency, call 911."))),
                FormKit.errorSummary(errors, t: t),
                .form(
                    .class("card"), .action(Site.portalHelp.path()), .method(.post), FormKit.csrf(req),
                    .h2(.text(t("Ask for help"))),
                    FormKit.select(
                        t("What is it about?"), name: "category", options: categories, selected: values["category"],
                        errors: t.errors(errors), required: true),
                    textarea(t("What happened?"), "description", values["description"], t.errors(errors)),
                    .button(.type(.submit), .id("send-ticket"), .text(t("Send")))),
                .h2(.text(t("My help requests"))),
                mine.isEmpty
                    ? .p(.id("no-tickets"), .text(t("None yet.")))
                    : .ul(
                        .class("plain"), .id("tickets"),
                        .forEach(mine) { r in
                            .li(
                                .class("card ticket"), .attribute(named: "data-status", value: r.status.rawValue),
                                .a(
                                    .href(Site.portalHelpTicket.path(r.id)),
                                    .strong(.text("#\(r.number) " + t(r.subject)))),
                                .div(
                                    .text(t(r.status.label)), .text(" · "),
                                    .text(Format.local(r.createdAt, zone: zone, now: req.now, language: t.language))))
                        })))
    }

    @Sendable package static func portalOpen(req: Request) async throws -> Response {
        _ = try req.portalPatientID()
        let form = formValues(req, ["category", "description"])
        do {
            let d = try await req.helpDesk().open(
                .init(category: form["category"] ?? "", description: form["description"] ?? "", page: "/portal/help"))
            return req.redirect(to: Site.portalHelpTicket.path(d.ticket.id) + "?sent=1")
        } catch let e as AppError where e.status == .unprocessableEntity {
            return Layout.render(
                try await portalPage(req, values: form, errors: e.fieldErrors(otherwise: "description")),
                status: .unprocessableEntity)
        }
    }

    @Sendable package static func portalTicket(req: Request) async throws -> Response {
        _ = try req.portalPatientID()
        let d = try await req.helpDesk().find(try req.idParameter("help request"))
        return Layout.render(
            try await portalTicketPage(req, d, sent: req.query[String.self, at: "sent"] != nil, errors: []))
    }

    static func portalTicketPage(_ req: Request, _ d: Detail, sent: Bool, errors: [FieldError]) async throws
        -> String
    {
        let t = req.tr, r = d.ticket
        let zone = try await LocationRecord.practiceZone(req.db)
        return Layout.page(
            "Help", req: req,
            .div(
                .p(.a(.href(Site.portalHelp.path()), .text("← " + t("Help")))),
                .if(
                    sent,
                    .p(
                        .class("notice"), .id("ticket-sent"),
                        .text(t("Sent. We will tell you by email or text when the help desk answers.")))),
                FormKit.errorSummary(errors, t: t),
                .h1(.text("#\(r.number) " + t(r.subject))),
                .div(
                    .class("card"), .id("ticket-summary"),
                    .p(.strong(.text(t(r.status.label)))),
                    .p(.class("ticket-text"), .text(r.description))),
                .h2(.text(t("Answers"))),
                thread(d.replies, zone: zone, now: req.now, t: t),
                .form(
                    .class("card"), .action(Site.portalHelpTicket.path(r.id)), .method(.post), FormKit.csrf(req),
                    textarea(t("Add to your request"), "body", nil, t.errors(errors)),
                    .button(.type(.submit), .id("send-reply"), .text(t("Send"))))))
    }

    @Sendable package static func portalReply(req: Request) async throws -> Response {
        _ = try req.portalPatientID()
        let id = try req.idParameter("help request")
        let store = try req.helpDesk()
        do {
            _ = try await store.reply(id, .init(body: (try? req.content.get(String.self, at: "body")) ?? ""))
        } catch let e as AppError where e.status == .unprocessableEntity {
            let d = try await store.find(id)
            return Layout.render(
                try await portalTicketPage(req, d, sent: false, errors: e.fieldErrors(otherwise: "body")),
                status: .unprocessableEntity)
        }
        return req.redirect(to: Site.portalHelpTicket.path(id))
    }

    static func formValues(_ req: Request, _ keys: [String]) -> [String: String] {
        var out: [String: String] = [:]
        for k in keys { if let v = try? req.content.get(String.self, at: k) { out[k] = v } }
        return out
    }
}

/// Minutes as people say them: "12 min", "2 h 5 min", "3 d 4 h".
enum SLAText {
    static func minutes(_ m: Double) -> String {
        let total = Int(m.rounded())
        if total < 60 { return "\(total) min" }
        if total < 1440 { return "\(total / 60) h" + (total % 60 == 0 ? "" : " \(total % 60) min") }
        return "\(total / 1440) d" + ((total % 1440) / 60 == 0 ? "" : " \((total % 1440) / 60) h")
    }
}
