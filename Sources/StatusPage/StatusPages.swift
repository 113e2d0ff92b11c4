import Vapor
import Fluent
import Plot
import Domain
import AppCore
import Incidents
import Locations

/// The public status page (`/status`: no sign-in, no script, the same for everyone so proxies may cache it), its Atom
/// feed, the subscription pages, and the staff page that publishes posts (`/status/manage`).
package enum StatusPages {
    static let css = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b2733;background:#f5f7fa;
        line-height:1.45}main{max-width:56rem;margin:0 auto;padding:1rem}h1{font-size:1.5rem;margin:.2rem 0 1rem}
        header{background:#0b4f6c;color:#fff;padding:.8rem 1rem}header a{color:#fff}
        .overall{padding:1rem;border-radius:6px;font-weight:700;font-size:1.15rem;margin-bottom:1rem;color:#fff}
        .s-operational{background:#1f7a3d}.s-maintenance{background:#2f5f9e}.s-degraded{background:#9a6700}
        .s-partial-outage{background:#c2410c}.s-major-outage{background:#b91c1c}
        .card{background:#fff;border:1px solid #d8dee6;border-radius:6px;padding:.8rem 1rem;margin:0 0 .8rem}
        .comp-head{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.2rem 1rem}
        .state{font-weight:700}.state.operational{color:#1f7a3d}.state.maintenance{color:#2f5f9e}
        .state.degraded{color:#9a6700}.state.partial-outage{color:#c2410c}.state.major-outage{color:#b91c1c}
        svg.bars{width:100%;height:34px;display:block;margin:.4rem 0 .1rem}
        .bar-up{fill:#2e9d57}.bar-minor{fill:#8bc34a}.bar-partial{fill:#f59e0b}.bar-major{fill:#dc2626}
        .bar-none{fill:#cfd6de}.legend{display:flex;justify-content:space-between;font-size:.8rem;color:#5b6b7b}
        .muted{color:#5b6b7b;font-size:.9rem}ol.updates{list-style:none;padding:0;margin:.4rem 0 0}
        ol.updates li{border-left:3px solid #9cc9e0;padding:.1rem .6rem;margin:.4rem 0}
        a{color:#0b5cad}footer{margin:2rem 0 1rem;font-size:.9rem}
        @media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0e1620}.card{background:#16212c;
        border-color:#2d3c4b}.muted,.legend{color:#9fb0c0}a{color:#8cc8ff}.bar-none{fill:#3a4856}}
        """

    // MARK: the public page

    @Sendable package static func page(req: Request) async throws -> Response {
        let s = try await StatusStore.snapshot(req.application, db: req.db, now: req.now)
        let zone = try await LocationRecord.practiceZone(req.db)
        let when = { (d: Date) in Format.local(d, zone: zone) }
        let html = HTML(
            .lang(.english),
            .head(
                .meta(.charset(.utf8)), .viewport(.accordingToDevice),
                .element(named: "title", text: "Service status · \(s.practice)"),
                .link(
                    .rel(.alternate), .type("application/atom+xml"), .href(Site.statusFeed.path()),
                    .attribute(named: "title", value: "Status updates")),
                .style(css)),
            .body(
                .header(.strong(.text("\(s.practice) · service status"))),
                .main(
                    .h1(.text("Service status")),
                    .div(.class("overall s-\(s.overall.rawValue)"), .id("overall"), .text(s.overallLabel)),
                    .if(
                        !s.active.isEmpty,
                        .section(
                            .id("active"), .h2(.text("Now")),
                            .forEach(s.active) { post($0, when: when) })),
                    .if(
                        !s.upcoming.isEmpty,
                        .section(
                            .id("upcoming"), .h2(.text("Planned maintenance")),
                            .forEach(s.upcoming) { post($0, when: when) })),
                    .section(
                        .id("components"), .h2(.text("Services")),
                        .forEach(s.components) { c in component(c) }),
                    .if(
                        !s.recent.isEmpty,
                        .section(
                            .id("recent"), .h2(.text("The last 14 days")),
                            .forEach(s.recent) { post($0, when: when) })),
                    .footer(
                        .p(
                            .a(
                                .href(Site.statusSubscribe.path()), .id("subscribe"),
                                .text("Get updates by email or text")),
                            .text(" · "), .a(.href(Site.statusFeed.path()), .text("Atom feed"))),
                        .p(
                            .class("muted"),
                            .text(
                                "Updated \(when(s.generatedAt)). Checked every minute from each server. "
                                    + "For questions about your care, call the practice."))))))
        let res = Layout.render(html.render())
        res.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=30")
        return res
    }

    static func component(_ c: StatusStore.ComponentDTO) -> Node<HTML.BodyContext> {
        .div(
            .class("card component"), .attribute(named: "data-component", value: c.id),
            .attribute(named: "data-state", value: c.state.rawValue),
            .div(
                .class("comp-head"), .strong(.text(c.name)),
                .span(.class("state \(c.state.rawValue)"), .text(c.stateLabel))),
            .raw(bars(c)),
            .div(
                .class("legend"), .span(.text("\(c.days.count) days ago")),
                .span(.text(c.uptime.map { "\($0) uptime" } ?? "no checks yet")), .span(.text("Today"))))
    }

    /// 90 days as bars, each with its day and uptime as a tooltip and in the accessible name.
    static func bars(_ c: StatusStore.ComponentDTO) -> String {
        let n = max(c.days.count, 1)
        let w = 4.0, gap = 1.0
        let width = Double(n) * (w + gap)
        var svg =
            "<svg class=\"bars\" viewBox=\"0 0 \(Int(width)) 34\" preserveAspectRatio=\"none\" role=\"img\" "
            + "aria-label=\"\(Escape.attribute(c.name)): \(Escape.attribute(c.uptime ?? "no checks")) over "
            + "\(n) days\">"
        for (i, d) in c.days.enumerated() {
            let tip = d.uptime.map { String(format: "%.2f %%", $0 * 100) } ?? "no checks"
            svg +=
                "<rect class=\"bar-\(d.bar)\" x=\"\(Double(i) * (w + gap))\" y=\"0\" width=\"\(w)\" height=\"34\" "
                + "rx=\"1\"><title>\(d.day): \(tip)</title></rect>"
        }
        return svg + "</svg>"
    }

    static func post(_ p: StatusStore.PostDTO, when: (Date) -> String) -> Node<HTML.BodyContext> {
        .article(
            .class("card post"), .attribute(named: "data-kind", value: p.kind.rawValue),
            .h3(.text(p.title)),
            .p(
                .class("muted"),
                .text(
                    "\(p.state.label) · \(p.componentNames.joined(separator: ", "))"
                        + (p.kind == .maintenance
                            ? " · \(p.startsAt.map(when) ?? "") – \(p.endsAt.map(when) ?? "")" : ""))),
            .ol(
                .class("updates"),
                .forEach(p.updates) { u in
                    .li(
                        .strong(.text(u.stateLabel + " ")), .span(.class("muted"), .text(when(u.at))), .p(.text(u.text))
                    )
                }))
    }

    // MARK: the feed

    @Sendable package static func feed(req: Request) async throws -> Response {
        let s = try await StatusStore.snapshot(req.application, db: req.db, now: req.now, days: 1)
        let base = req.application.config.publicURL
        let posts = (s.active + s.upcoming + s.recent)
        let entries = posts.flatMap { p in p.updates.map { (p, $0) } }.sorted { $0.1.at > $1.1.at }.prefix(50)
        let iso = ISO8601DateFormatter()
        func x(_ s: String) -> String { Escape.attribute(s) }
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
            <title>\(x(s.practice)) service status</title>
            <id>\(x(base))\(Site.status.path())</id>
            <link rel="alternate" href="\(x(base))\(Site.status.path())"/>
            <link rel="self" href="\(x(base))\(Site.statusFeed.path())"/>
            <updated>\(iso.string(from: entries.first?.1.at ?? s.generatedAt))</updated>
            <author><name>\(x(s.practice))</name></author>

            """
        for (p, u) in entries {
            xml += """
                <entry>
                <id>urn:uuid:\(p.id.uuidString.lowercased())-\(Int(u.at.timeIntervalSince1970))</id>
                <title>\(x(p.title)): \(x(u.stateLabel))</title>
                <updated>\(iso.string(from: u.at))</updated>
                <link rel="alternate" href="\(x(base))\(Site.status.path())"/>
                <content type="text">\(x(u.text))</content>
                </entry>

                """
        }
        xml += "</feed>\n"
        let res = Response(status: .ok, body: .init(string: xml))
        res.headers.contentType = HTTPMediaType(
            type: "application", subType: "atom+xml", parameters: ["charset": "utf-8"])
        res.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=60")
        return res
    }

    // MARK: subscriptions

    @Sendable package static func subscribeForm(req: Request) async throws -> Response {
        Layout.render(subscribePage(req, done: false, errors: [], value: ""))
    }

    static func subscribePage(_ req: Request, done: Bool, errors: [FieldError], value: String) -> String {
        Layout.page(
            "Status updates", req: req,
            .div(
                .p(.a(.href(Site.status.path()), .text("← Service status"))),
                .h1(.text("Get status updates")),
                done
                    ? .p(
                        .class("notice"), .id("subscribe-sent"),
                        .text(
                            "Check your email or phone: follow the link we sent to confirm. Nothing else is sent "
                                + "until you do."))
                    : .group(
                        .p(
                            .text(
                                "We send a message when a service is down or slow, and before planned maintenance. "
                                    + "Every message has a link to stop them.")),
                        FormKit.errorSummary(errors),
                        .form(
                            .action(Site.statusSubscribe.path()), .method(.post), FormKit.csrf(req),
                            FormKit.field(
                                "Email address or mobile number", name: "address", value: value, errors: errors,
                                required: true, autocomplete: "email"),
                            .button(.type(.submit), .id("subscribe-send"), .text("Send me updates"))))))
    }

    @Sendable package static func subscribe(req: Request) async throws -> Response {
        let address = (try? req.content.get(String.self, at: "address")) ?? ""
        do {
            try await StatusStore.subscribe(req.application, address: address)
        } catch AppError.validation(let errors) {
            return Layout.render(
                subscribePage(req, done: false, errors: errors, value: address), status: .unprocessableEntity)
        }
        return Layout.render(subscribePage(req, done: true, errors: [], value: ""))
    }

    /// The links in the messages: opening one shows a button (a mail scanner may open it); the button acts.
    static func linkPage(_ req: Request, title: String, text: String, action: String, button: String, id: String)
        -> Response
    {
        let token = req.query[String.self, at: "token"] ?? ""
        return Layout.render(
            Layout.page(
                title, req: req,
                .div(
                    .h1(.text(title)), .p(.text(text)),
                    .form(
                        .action(action), .method(.post), FormKit.csrf(req),
                        .input(.type(.hidden), .name("token"), .value(Escape.attribute(token))),
                        .button(.type(.submit), .id(id), .text(button))))))
    }

    static func donePage(_ req: Request, title: String, text: String, id: String) -> Response {
        Layout.render(
            Layout.page(
                title, req: req,
                .div(
                    .h1(.text(title)), .p(.id(id), .text(text)),
                    .p(.a(.href(Site.status.path()), .text("Service status"))))))
    }

    @Sendable package static func confirmPage(req: Request) async throws -> Response {
        linkPage(
            req, title: "Confirm status updates",
            text: "Send me a message when a service is down or maintenance is "
                + "planned.", action: Site.statusConfirm.path(), button: "Confirm", id: "confirm")
    }

    @Sendable package static func confirm(req: Request) async throws -> Response {
        try await StatusStore.confirm(req.application, token: (try? req.content.get(String.self, at: "token")) ?? "")
        return donePage(req, title: "Confirmed", text: "You will get status updates.", id: "confirmed")
    }

    @Sendable package static func unsubscribePage(req: Request) async throws -> Response {
        linkPage(
            req, title: "Stop status updates", text: "No more status messages will be sent to you.",
            action: Site.statusUnsubscribe.path(), button: "Stop the updates", id: "unsubscribe")
    }

    @Sendable package static func unsubscribe(req: Request) async throws -> Response {
        try await StatusStore.unsubscribe(
            req.application, token: (try? req.content.get(String.self, at: "token")) ?? "")
        return donePage(req, title: "Stopped", text: "You will get no more status updates.", id: "unsubscribed")
    }

    // MARK: staff

    @Sendable package static func manage(req: Request) async throws -> Response {
        Layout.render(try await managePage(req, errors: [], values: [:]))
    }

    static func managePage(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> String {
        let scope = try req.scope()
        let posts = try await StatusStore.posts(scope)
        let probes = try await StatusProbes.latest(scope)
        let comps = try await StatusStore.components(req.db)
        let zone = try await LocationRecord.practiceZone(req.db)
        let when = { (d: Date) in Format.local(d, zone: zone, now: req.now) }
        let names = Dictionary(comps.map { ($0.id, $0.name) }) { a, _ in a }
        let impacts: [(String, String)] = [ComponentState.degraded, .partialOutage, .majorOutage].map {
            ($0.rawValue, $0.label)
        }
        return Layout.page(
            "Status page", req: req,
            .div(
                .h1(.text("Status page")),
                .p(
                    .a(.href(Site.status.path()), .id("public-status"), .text("Open the public page")),
                    .text(" · What you write here is public: no patient details.")),
                FormKit.errorSummary(errors),
                .div(
                    .class("grid2"),
                    .form(
                        .class("card"), .action(Site.statusManage.path()), .method(.post), FormKit.csrf(req),
                        .input(.type(.hidden), .name("kind"), .value("incident")),
                        .h2(.text("Tell patients about a problem")),
                        FormKit.field("Title", name: "title", value: values["title"], required: true, id: "i-title"),
                        componentBoxes(comps, prefix: "i"),
                        FormKit.select("How bad", name: "impact", options: impacts, selected: values["impact"]),
                        textarea("What patients should know", "text", "i-text"),
                        .button(.type(.submit), .id("publish-incident"), .text("Publish"))),
                    .form(
                        .class("card"), .action(Site.statusManage.path()), .method(.post), FormKit.csrf(req),
                        .input(.type(.hidden), .name("kind"), .value("maintenance")),
                        .h2(.text("Announce maintenance (\(Format.zoneName(zone)))")),
                        FormKit.field("Title", name: "title", required: true, id: "m-title"),
                        componentBoxes(comps, prefix: "m"),
                        FormKit.field("Starts", name: "starts", type: .datetimeLocal, required: true),
                        FormKit.field("Ends", name: "ends", type: .datetimeLocal, required: true),
                        textarea("What patients should know", "text", "m-text"),
                        .button(.type(.submit), .id("publish-maintenance"), .text("Announce")))),
                .h2(.text("Posts")),
                posts.isEmpty
                    ? .p(.text("Nothing published yet."))
                    : .ul(
                        .class("plain"), .id("posts"),
                        .forEach(posts) { p in
                            .li(
                                .class("card"),
                                .strong(.text(p.title)),
                                .text(
                                    " · \(p.kind.rawValue) · \(p.state.label) · "
                                        + p.componentNames.joined(separator: ", ")
                                ),
                                .ol(
                                    .class("plain"),
                                    .forEach(p.updates) { u in
                                        .li(
                                            .span(.class("muted"), .text(when(u.at) + " ")),
                                            .text("\(u.stateLabel): \(u.text)"))
                                    }),
                                .if(
                                    !p.state.isOver,
                                    .form(
                                        .action(Site.statusManagePost.path(p.id)), .method(.post), FormKit.csrf(req),
                                        FormKit.select(
                                            "New state", name: "state",
                                            options: StatusPostState.allowed(for: p.kind).map {
                                                ($0.rawValue, $0.label)
                                            },
                                            selected: p.state.rawValue),
                                        textarea("Update for patients", "text", "u-\(p.id.uuidString.prefix(8))"),
                                        .button(.type(.submit), .text("Publish the update")))))
                        }),
                .h2(.text("Probes")),
                probes.isEmpty
                    ? .p(.id("no-probes"), .text("No probe in the last minutes: is the status-probe worker running?"))
                    : .table(
                        .class("stack"), .id("probes"),
                        .thead(.tr(.th("Component"), .th("Node"), .th("When"), .th("Result"))),
                        .tbody(
                            .forEach(probes) { r in
                                .tr(
                                    .td(.text(names[r.component] ?? r.component)), .td(.text(r.node)),
                                    .td(.text(when(r.at))),
                                    .td(
                                        .text(
                                            (r.ok ? (r.degraded ? "slow" : "ok") : "FAILED") + " · \(r.ms) ms"
                                                + (r.detail.map { " · \($0)" } ?? ""))))
                            }))))
    }

    static func componentBoxes(_ comps: [StatusStore.Component], prefix: String) -> Node<HTML.FormContext> {
        .fieldset(
            .element(named: "legend", text: "Which services"),
            .forEach(comps) { c in
                .label(
                    .class("check"),
                    .input(.type(.checkbox), .name("components[]"), .value(c.id), .id("\(prefix)-\(c.id)")),
                    .text(" " + c.name))
            })
    }

    static func textarea(_ label: String, _ name: String, _ id: String) -> Node<HTML.FormContext> {
        .div(
            .class("field"), .label(.for(id), .text(label + " *")),
            .textarea(
                .name(name), .id(id), .attribute(named: "rows", value: "3"), .required(true),
                .attribute(named: "maxlength", value: String(StatusPostRules.maxText))))
    }

    @Sendable package static func publish(req: Request) async throws -> Response {
        let form = { (k: String) in (try? req.content.get(String.self, at: k)) ?? "" }
        let components = (try? req.content.get([String].self, at: "components")) ?? []
        let kind = form("kind")
        do {
            let zone = try await LocationRecord.practiceZone(req.db)
            _ = try await StatusStore.publish(
                try req.scope(),
                .init(
                    kind: kind, title: form("title"), components: components,
                    impact: kind == "incident" ? form("impact") : nil, text: form("text"),
                    startsAt: OnCallStore.localTime(form("starts"), zone: zone),
                    endsAt: OnCallStore.localTime(form("ends"), zone: zone)))
        } catch AppError.validation(let errors) {
            return Layout.render(
                try await managePage(req, errors: errors, values: ["title": form("title"), "impact": form("impact")]),
                status: .unprocessableEntity)
        }
        return req.redirect(to: Site.statusManage.path())
    }

    @Sendable package static func addUpdate(req: Request) async throws -> Response {
        let form = { (k: String) in (try? req.content.get(String.self, at: k)) ?? "" }
        do {
            _ = try await StatusStore.update(
                try req.scope(), id: try req.idParameter("status post"), .init(state: form("state"), text: form("text"))
            )
        } catch AppError.validation(let errors) {
            return Layout.render(try await managePage(req, errors: errors, values: [:]), status: .unprocessableEntity)
        }
        return req.redirect(to: Site.statusManage.path())
    }
}

/// The status page's API and routes.
package enum StatusController {
    package struct PostList: Content {
        package let posts: [StatusStore.PostDTO]
    }

    package struct ProbeList: Content {
        package let readings: [Probe]
        package struct Probe: Content {
            package let component: String
            package let node: String
            package let at: Date
            package let ok: Bool
            package let degraded: Bool
            package let ms: Int
            package let detail: String?
        }
    }

    @Sendable package static func snapshot(req: Request) async throws -> StatusStore.Snapshot {
        try await StatusStore.snapshot(req.application, db: req.db, now: req.now)
    }

    @Sendable package static func posts(req: Request) async throws -> PostList {
        PostList(posts: try await StatusStore.posts(try req.scope()))
    }

    @Sendable package static func publish(req: Request) async throws -> Response {
        let p = try await StatusStore.publish(try req.scope(), try req.content.decode(StatusStore.NewPost.self))
        let res = Response(status: .created)
        try res.content.encode(p)
        return res
    }

    @Sendable package static func update(req: Request) async throws -> StatusStore.PostDTO {
        try await StatusStore.update(
            try req.scope(), id: try req.idParameter("status post"), try req.content.decode(StatusStore.NewUpdate.self))
    }

    @Sendable package static func probes(req: Request) async throws -> ProbeList {
        ProbeList(
            readings: try await StatusProbes.latest(try req.scope()).map {
                .init(
                    component: $0.component, node: $0.node, at: $0.at, ok: $0.ok, degraded: $0.degraded, ms: $0.ms,
                    detail: $0.detail)
            })
    }
}

package enum StatusPageRoutes {
    package static func register(routes: SiteRoutes) {
        // Public: no sign-in, nothing about any person.
        routes.app.get(Site.status.route, use: StatusPages.page)
        routes.app.get(Site.statusFeed.route, use: StatusPages.feed)
        routes.app.get(Site.statusSubscribe.route, use: StatusPages.subscribeForm)
        routes.app.post(Site.statusSubscribe.route, use: StatusPages.subscribe)
        routes.app.get(Site.statusConfirm.route, use: StatusPages.confirmPage)
        routes.app.post(Site.statusConfirm.route, use: StatusPages.confirm)
        routes.app.get(Site.statusUnsubscribe.route, use: StatusPages.unsubscribePage)
        routes.app.post(Site.statusUnsubscribe.route, use: StatusPages.unsubscribe)
        routes.v1.get(Site.apiStatus.route, use: StatusController.snapshot)
        routes.staff.get(Site.statusManage.route, use: StatusPages.manage)
        routes.staff.post(Site.statusManage.route, use: StatusPages.publish)
        routes.staff.post(Site.statusManagePost.route, use: StatusPages.addUpdate)
        routes.api.get(Site.apiStatusPosts.route, use: StatusController.posts)
        routes.api.post(Site.apiStatusPosts.route, use: StatusController.publish)
        routes.api.post(Site.apiStatusPostUpdates.route, use: StatusController.update)
        routes.api.get(Site.apiStatusProbes.route, use: StatusController.probes)
    }
}
