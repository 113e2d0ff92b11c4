import Vapor
import Plot
import Domain

/// The page frame: small, readable on a 360-px screen, no JavaScript.
package enum Layout {
    package static let css = """
        *{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;
        color:#1b2430;background:#f5f7fa}
        header.top{background:#0b4f6c;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;
        align-items:center}
        header.top a{color:#fff;text-decoration:none;min-height:44px;display:inline-flex;align-items:center;
        padding:0 .45rem;border-radius:4px}
        header.top a[aria-current=page]{background:#fff2;text-decoration:underline;text-underline-offset:4px}
        header.top .brand{font-weight:700;margin-right:auto}header.top .who{font-size:.9rem;opacity:.9}
        header.top form{margin:0}header.top button,.menu-button{background:none;border:1px solid #fff;color:#fff;
        padding:0 .8rem;border-radius:4px;
        min-height:44px;margin:0;font-size:1rem;display:inline-flex;align-items:center;cursor:pointer}
        .nav-toggle{position:absolute;opacity:0;width:1px;height:1px}
        .nav-toggle:focus-visible+.menu-button{outline:2px solid #fff}
        nav.links{display:flex;flex-wrap:wrap;gap:0 .2rem}.menu-button{display:none}
        @media (max-width:799px){.menu-button{display:inline-flex}
        nav.links{display:none;flex-basis:100%;flex-direction:column}
        .nav-toggle:checked~nav.links{display:flex}}
        .count{display:inline-block;min-width:1.4rem;margin-left:.3rem;padding:0 .35rem;border-radius:1rem;
        background:#fff;color:#0b4f6c;
        font-size:.8rem;font-weight:700;text-align:center}
        .qr svg{display:block;width:14rem;height:14rem;max-width:100%}
        .tg-wrap{overflow-x:auto;margin-bottom:1rem}.timegrid{display:grid;gap:1px;background:#d8dee6;
        border:1px solid #d8dee6;min-width:max-content}
        .timegrid>*{background:#fff;padding:.15rem .35rem;font-size:.85rem;overflow:hidden}
        .tg-head{font-weight:700;position:sticky;top:0;z-index:2;background:#eef2f6}
        .tg-time{color:#4a5868;border-top:1px solid #9aa7b5}
        a.tg-open{color:#2d6a3e;background:#f1faf3;text-decoration:none;display:flex;align-items:flex-start;
        min-height:44px;min-width:44px}a.tg-open:hover,a.tg-open:focus{background:#d9f2df;outline:2px solid #2d6a3e}
        .tg-blk{border-left:5px solid #0b4f6c;background:#e4f0f7;z-index:1;line-height:1.25}
        .loc-1 .tg-blk{border-left-color:#7a3e9d;background:#f1e7f7}.loc-2 .tg-blk{border-left-color:#a35c00;
        background:#fbeee0}
        .tg-blk a{color:inherit;display:block;min-height:44px}.tg-blk small{display:block}
        .tg-blk[data-status=checked-in],.tg-blk[data-status=arrived]{box-shadow:inset 0 0 0 2px #2d6a3e}
        .tg-blk[data-status=fulfilled]{opacity:.7}.tg-blk[data-status=noshow]{opacity:.6;text-decoration:line-through}
        .tg-blk form button{margin:.15rem 0 0;padding:.3rem .6rem;font-size:.85rem}
        @media (max-width:599px){.day-grid{display:none}.agenda-title{display:none}}
        .day-sheet table{font-size:.95rem}.day-sheet tr[data-status=cancelled]{text-decoration:line-through}
        main{max-width:960px;margin:0 auto;padding:1rem}h1{font-size:1.4rem;margin:.5rem 0 1rem}h2{font-size:1.15rem}
        .card{background:#fff;border:1px solid #d8dee6;border-radius:8px;padding:1rem;margin-bottom:1rem}
        label{display:block;font-weight:600;margin:.6rem 0 .2rem}input,select,textarea{width:100%;max-width:28rem;
        padding:.55rem;font-size:1rem;border:1px solid #9aa7b5;border-radius:6px}
        input,select{min-height:44px}input[type=checkbox],input[type=radio]{width:auto;min-height:0}button,.button{
        display:inline-block;min-height:44px;min-width:44px;margin-top:.8rem;padding:.6rem 1.1rem;font-size:1rem;
        border:0;border-radius:6px;background:#0b4f6c;color:#fff;text-decoration:none;cursor:pointer}
        .field.invalid input,.field.invalid select{border-color:#b00020;background:#fff5f5}
        .error{color:#b00020;font-size:.9rem;margin:.2rem 0}
        .notice{padding:.7rem;border-radius:6px;margin-bottom:1rem;background:#eef6fb;border:1px solid #9cc9e0}
        .notice.warn{background:#fff8e5;border-color:#e0c06b}.notice.bad{background:#fff0f0;border-color:#e09c9c}
        table{border-collapse:collapse;width:100%;background:#fff}
        th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #e3e8ee;vertical-align:top}
        .scroll{overflow-x:auto;max-width:100%}.photo-row{display:flex;gap:.75rem;overflow-x:auto;padding-bottom:.5rem}
        .photo{flex:0 0 auto;max-width:180px}.photo img{display:block;max-width:160px;height:auto;border-radius:4px}
        .photo .caption{margin:.25rem 0;font-size:.85rem}.photo form.measure .field input{width:6rem}
        dl.kv{display:grid;grid-template-columns:minmax(0,max-content) minmax(0,1fr);gap:.2rem 1rem}
        dl.kv dt{font-weight:600;overflow-wrap:anywhere;max-width:22rem}
        dl.kv dd{margin:0;overflow-wrap:anywhere;min-width:0}
        .badge{display:inline-block;font-size:.75rem;padding:.1rem .4rem;border-radius:4px;background:#e3e8ee;
        margin-left:.4rem}.badge.synthetic{background:#ffe7c2}
        .grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:0 1rem}
        code{overflow-wrap:anywhere}
        .appt p{margin:.2rem 0}form.inline,.appt form{display:inline-block;margin-right:.4rem}
        .appt[data-status=cancelled]{opacity:.6}
        #slots h3{font-size:1rem;margin:.9rem 0 .4rem}
        .slot-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(6.2rem,1fr));gap:.4rem}
        .slot-grid form,.slot-grid form div{margin:0}.slot-grid button{width:100%;margin:0;padding:.5rem .3rem}
        .slot.chosen button{outline:3px solid #2d6a3e;outline-offset:2px}
        .videos{display:flex;flex-wrap:wrap;gap:.5rem}
        .videos video{background:#0b1b26;border-radius:6px;width:100%;max-width:100%;aspect-ratio:4/3}
        .videos #local{width:35%;aspect-ratio:4/3}.videos video.audio-only{opacity:.25}
        .button.secondary,button.secondary{background:#e7eef3;color:#0b4f6c;border:1px solid #9cc9e0}
        form.inline button{margin-right:.4rem}li.clinical-entry form.inline,li.observation form.inline{display:block}
        .actions{display:flex;flex-wrap:wrap;gap:.5rem}
        .actions .button,.tiles .button{margin-top:.4rem}
        .tiles{display:flex;flex-wrap:wrap;gap:.5rem;margin-bottom:1rem}
        ul.choices{list-style:none;padding:0}ul.choices li{margin:.3rem 0}
        label.check{font-weight:400;min-height:44px;display:flex;align-items:center;gap:.4rem}
        .access-day h3{font-size:1rem;margin:.8rem 0 .3rem}.access-day ul{margin:0;padding-left:1.1rem}
        @media (max-width:600px){dl.kv{grid-template-columns:minmax(0,1fr)}dl.kv dt{max-width:none}
        dl.kv dd{margin-bottom:.6rem}}
        .tiles.counts{display:grid;grid-template-columns:repeat(auto-fill,minmax(9.5rem,1fr));gap:.5rem}
        a.tile{display:flex;flex-direction:column;min-height:44px;padding:.6rem .8rem;border:1px solid #9cc9e0;
        border-radius:8px;
        text-decoration:none;color:inherit;background:#eef6fb}
        a.tile .n{font-size:1.6rem;font-weight:700;line-height:1.1}
        a.tile.urgent{border-color:#b00020;background:#fff0f0}a.tile .u{color:#b00020;font-weight:600;font-size:.85rem}
        ul.plain-links{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.2rem .8rem}
        ul.plain-links a,ul.day-list a{display:inline-flex;min-height:44px;align-items:center}
        ul.day-list{padding-left:1rem}
        .badge.video-waiting{background:#ffe7c2}.badge.warn{background:#ffe7c2}
        ul.plain{list-style:none;padding:0}ul.plain>li{margin:.35rem 0}li.inactive{opacity:.7}
        li.observation.inactive{text-decoration:line-through}
        ul.chips{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4rem}
        .chip{border:1px solid #d8dee6;border-radius:1rem;padding:.2rem .7rem;background:#f5f7fa}
        .chip.warn{background:#fff8e5;border-color:#e0c06b}
        .note-section h3{font-size:1rem;margin:.9rem 0 .3rem;border-bottom:1px solid #e3e8ee}
        .note-section label.check{display:inline-flex;width:49%;vertical-align:top;overflow-wrap:anywhere;
        padding-right:.3rem}
        @media (min-width:800px){.note-section label.check{width:32%}
        .note-section dl.kv{grid-template-columns:minmax(0,18rem) minmax(0,1fr)}}
        .signature{font-style:italic;border-top:1px solid #d8dee6;padding-top:.4rem}
        .addendum{border-left:4px solid #9cc9e0;padding:.3rem .7rem;margin:.5rem 0;background:#f5f9fc}
        svg.trend{width:100%;max-width:40rem;height:auto;display:block}
        .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,26rem),1fr));gap:0 1rem}
        .chart-card h2{font-size:1rem;margin:0 0 .4rem}svg.chart{width:100%;height:auto;display:block}
        nav.ranges{display:flex;flex-wrap:wrap;gap:.4rem 1rem;margin:.5rem 0 1rem}
        #freshness li.bad{color:#b91c1c}
        .compare{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:.75rem}
        .compare img{width:100%;height:auto;border-radius:4px}.compare figure{margin:0}
        fieldset.site-picker{border:0;padding:0;margin:.6rem 0}fieldset.site-picker legend{font-weight:600}
        .site-grid{display:grid;grid-template-columns:minmax(0,10rem) minmax(0,1fr);gap:.5rem 1rem;align-items:start}
        svg.foot{width:100%;max-width:10rem;height:auto}
        @media (max-width:599px){.site-grid{grid-template-columns:minmax(0,1fr)}svg.foot{max-width:12rem;
        margin:0 auto;display:block}}
        @media (max-width:600px){table.stack thead{display:none}
        table.stack tr{display:block;padding:.4rem 0;border-bottom:1px solid #d8dee6}
        table.stack td{display:block;border:0;padding:.15rem .5rem}table.stack td:first-child{font-weight:700}}
        details.menu>summary{min-height:44px;display:inline-flex;align-items:center;cursor:pointer;font-weight:600}
        details.menu form{margin:.3rem 0}details.menu select{width:auto}
        details.confirm{margin-top:.6rem}
        details.confirm>summary{min-height:44px;display:inline-flex;align-items:center;cursor:pointer;
        color:#b00020;font-weight:600}button.danger{background:#b00020}
        @media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0e1620}
        .card,table{background:#16212c;border-color:#2d3c4b}
        th,td{border-color:#2d3c4b}input,select,textarea{background:#0e1620;color:#e6edf3;border-color:#5b6b7b}
        a{color:#8cc8ff}
        header.top{background:#0a3346}.notice{background:#12314a;border-color:#2f6d94}
        .notice.warn{background:#3a300f;border-color:#8a6d1f}
        .notice.bad{background:#3c1a1a;border-color:#8c3b3b}.error{color:#ff8a8a}.badge{background:#2d3c4b}
        .badge.synthetic{background:#5a4212}.badge.warn{background:#5a4212}
        .chip{background:#16212c;border-color:#2d3c4b}
        .chip.warn{background:#3a300f;border-color:#8a6d1f}.addendum{background:#12314a}
        .button.secondary,button.secondary{background:#1d2d3a;color:#cfe6f7;border-color:#2f6d94}
        a.tile{background:#12314a;border-color:#2f6d94}
        .timegrid,.timegrid>.tg-time{background:#2a3744}.timegrid>*{background:#16202a}.tg-head{background:#1d2d3a}
        a.tg-open{background:#15291c;color:#9fe0b0}.tg-blk{background:#12314a}
        .loc-1 .tg-blk{background:#2d1d3a}.loc-2 .tg-blk{background:#3a2a12}
        a.tile.urgent{background:#3c1a1a}.field.invalid input,.field.invalid select{background:#2a1515}}
        @media print{header.top,.noprint{display:none}body{background:#fff}}
        """

    /// A whole page. Patient-facing pages are in the patient's language (`language`, or `req.language` when a patient
    /// is signed in); staff pages are in English. `title` is translated here.
    package static func page(
        _ title: String, req: Request, notice: Node<HTML.BodyContext> = .empty, language: PatientLanguage? = nil,
        _ content: Node<HTML.BodyContext>
    ) -> String {
        let s = req.signedIn.flatMap { $0.mfaPassed ? $0 : nil }
        let lang = language ?? (s?.role == .patient ? req.language : .en)
        let t = Locales.translator(lang)
        let html = HTML(
            .lang(lang == .es ? .spanish : .english),
            .head(
                .meta(.charset(.utf8)),
                .viewport(.accordingToDevice),
                // Plot's `.title` repeats the title in og:/twitter: meta attributes, which it does not escape:
                // the title is text only, and pages keep patient names out of it (browser history).
                .element(named: "title", text: "\(t(title)) · CareSync"),
                .style(css)
            ),
            .body(
                .header(
                    .class("top"),
                    .a(.class("brand"), .href(s?.role == .patient ? Site.portal.path() : "/"), .text("CareSync")),
                    .if(language != nil || s?.role == .patient, languageSwitch(req: req, current: lang)),
                    .unwrap(s) { s in
                        .group(
                            // The menu opens without JavaScript (a checkbox and its label) on screens under 800 px.
                            .input(
                                .type(.checkbox), .id("nav-toggle"), .class("nav-toggle"),
                                .attribute(named: "aria-label", value: t("Show the menu"))),
                            .label(.for("nav-toggle"), .class("menu-button"), .text(t("Menu"))),
                            .nav(
                                .class("links"), .attribute(named: "aria-label", value: "Main"),
                                .group(
                                    marked(
                                        s.role == .patient
                                            ? portalLinks.map { ($0.0, t($0.1)) } : navLinks(for: s.principal),
                                        current: req.url.path, counts: req.storage[NavCounts.self] ?? [:]))),
                            .if(
                                s.role != .patient,
                                .a(
                                    .class("get-help"), .id("get-help"),
                                    .href(Escape.attribute(Site.helpNew.path() + "?from=" + fromHere(req))),
                                    .text("Get help"))),
                            .span(.class("who"), .text(s.displayName)),
                            .form(
                                .action(Site.logout.path()), .method(.post),
                                .input(.type(.hidden), .name("_csrf"), .value(req.csrfToken)),
                                .button(.type(.submit), .text(t("Sign out"))))
                        )
                    }
                ),
                .main(notice, content)
            )
        )
        return html.render()
    }

    /// This page's path for the "Get help" link (the help desk sees where a request came from; not the query).
    static func fromHere(_ req: Request) -> String {
        req.url.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["&", "?", "#"])) ?? "/"
    }

    /// The switch to the patient's other language(s), on every patient-facing page: each button is named in its own
    /// language. Signed-in patients keep the choice on their record; anyone else in this browser.
    static func languageSwitch(req: Request, current: PatientLanguage) -> Node<HTML.BodyContext> {
        .form(
            .class("lang-switch"), .action(Site.language.path()), .method(.post),
            .input(.type(.hidden), .name("_csrf"), .value(req.csrfToken)),
            .input(.type(.hidden), .name("back"), .value(Escape.attribute(req.url.string))),
            .forEach(PatientLanguage.allCases.filter { $0 != current }) { l in
                .button(
                    .type(.submit), .name("language"), .value(l.rawValue), .attribute(named: "lang", value: l.rawValue),
                    .id("lang-\(l.rawValue)"), .text(l.name))
            })
    }

    package static let portalLinks: [(String, String)] = [
        (Site.portal.path(), "My record"), (Site.portalAppointments.path(), "Appointments"),
        (Site.portalMessages.path(), "Messages"),
        (Site.portalForms.path(), "Forms"), (Site.portalPhotos.path(), "Photos"),
        (Site.portalCheckIns.path(), "Check-ins"),
        (Site.portalRefills.path(), "Refills"), (Site.portalHelp.path(), "Help"),
    ]

    /// The links, with the page the person is on marked (`aria-current`): the longest link that the path starts with;
    /// a link with work waiting behind it (`counts`, by path) shows how much.
    package static func marked(_ links: [(String, String)], current path: String, counts: [String: Int] = [:])
        -> [Node<HTML.BodyContext>]
    {
        let here = links.map(\.0).filter { path == $0 || path.hasPrefix($0 + "/") }.max { $0.count < $1.count }
        return links.map { link in
            let n = counts[link.0] ?? 0
            return .a(
                .href(link.0), .attribute(named: "aria-current", value: link.0 == here ? "page" : nil),
                .text(link.1),
                .if(
                    n > 0,
                    .span(
                        .class("count"), .attribute(named: "aria-label", value: "\(n) waiting"),
                        .text(n > 99 ? "99+" : String(n)))))
        }
    }

    package static func navLinks(for p: Principal) -> [(String, String)] {
        var links: [(String, String)] = []
        func add(_ action: Domain.Action, _ href: String, _ label: String) {
            if AccessPolicy.decide(p, action).isAllowed { links.append((href, label)) }
        }
        add(.searchPatients, Site.patients.path(), "Patients")
        add(.readSchedule, Site.schedule.path(), "Schedule")
        add(.readStaffInbox, Site.inbox.path(), "Inbox")
        add(.reviewIntakes, Site.intake.path(), "Intake")
        add(.readCareTasks, Site.tasks.path(), "Tasks")
        add(.readPathwayTemplates, Site.pathways.path(), "Pathways")
        add(.hostVisit, Site.visitsWaitingRoom.path(), "Video")
        add(.readRefillQueue, Site.refills.path(), "Refills")
        add(.manageEPCS, Site.epcs.path(), "EPCS")
        if p.role == .provider || p.role == .medicalDirector { links.append((Site.scheduleMyDay.path(), "My day")) }
        add(.manageUsers, Site.adminUsers.path(), "Users")
        add(.readAuditReport, Site.adminAudit.path(), "Audit")
        add(.readOperations, Site.ops.path(), "Operations")
        add(.manageIncidents, Site.incidents.path(), "Incidents")
        add(.workHelpDesk, Site.help.path(), "Help desk")
        add(.publishStatus, Site.statusManage.path(), "Status page")
        add(.readJobs, Site.jobs.path(), "Jobs")
        return links
    }

    /// A page's script, served as a file (the Content-Security-Policy allows no inline script).
    package static func script(_ source: String, cacheControl: String = "no-cache") -> Response {
        let res = Response(status: .ok, body: .init(string: source))
        res.headers.contentType = HTTPMediaType(type: "text", subType: "javascript", parameters: ["charset": "utf-8"])
        res.headers.replaceOrAdd(name: .cacheControl, value: cacheControl)
        return res
    }

    package static func render(_ html: String, status: HTTPResponseStatus = .ok) -> Response {
        let res = Response(status: status)
        res.headers.contentType = .html
        res.body = .init(string: html)
        return res
    }
}

/// Plot writes attribute values as they are given: every value that is not a constant goes through here.
/// A box that scrolls sideways on a small screen (`.scroll`, a wide table or the calendar's grid) is focusable, so the
/// keyboard can scroll it too (axe-core: scrollable-region-focusable).
package enum Scrollable {
    package static func focusable<C>() -> Node<C> { .attribute(named: "tabindex", value: "0") }
}

/// Work waiting behind the header's links for this request (a link's path → how many); set for staff pages by the
/// Home capability, read by `Layout`.
package enum NavCounts: StorageKey {
    package typealias Value = [String: Int]
}

package enum Escape {
    package static func attribute(_ s: String) -> String {
        guard s.contains(where: { "&<>\"'".contains($0) }) else { return s }
        var out = ""
        out.reserveCapacity(s.count + 16)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}

/// Form pieces with the field marked when it has an error.
package enum FormKit {
    package static func csrf<C: HTML.BodyContext>(_ req: Request) -> Node<C> {
        .input(.type(.hidden), .name("_csrf"), .value(req.csrfToken))
    }

    package static func field<C: HTML.BodyContext>(
        _ label: String, name: String, value: String? = nil, type: HTMLInputType = .text,
        errors: [FieldError] = [], required: Bool = false, autocomplete: String? = nil,
        hint: String? = nil, id: String? = nil
    ) -> Node<C> {
        let err = errors.first { $0.field == name }
        let id = id ?? name  // several forms on one page name their fields apart
        return .div(
            .class(err == nil ? "field" : "field invalid"),
            .label(.for(id), .text(label + (required ? " *" : ""))),
            .input(
                .type(type), .name(name), .id(id), .value(Escape.attribute(value ?? "")), .required(required),
                .attribute(named: "autocomplete", value: autocomplete),
                .attribute(named: "aria-invalid", value: err == nil ? nil : "true"),
                .attribute(named: "aria-describedby", value: err == nil ? nil : "\(id)-error")),
            .unwrap(hint) { .p(.small(.text($0))) },
            .unwrap(err) { .p(.class("error"), .id("\(id)-error"), .text($0.message)) }
        )
    }

    package static func select<C: HTML.BodyContext>(
        _ label: String, name: String, options: [(value: String, label: String)], selected: String?,
        errors: [FieldError] = [], required: Bool = false
    ) -> Node<C> {
        let err = errors.first { $0.field == name }
        return .div(
            .class(err == nil ? "field" : "field invalid"),
            .label(.for(name), .text(label + (required ? " *" : ""))),
            .select(
                .attribute(named: "name", value: name), .id(name),
                .forEach(options) { o in option(o.value, o.label, selected: o.value == (selected ?? "")) }),
            .unwrap(err) { .p(.class("error"), .id("\(name)-error"), .text($0.message)) }
        )
    }

    /// An `<option>` with its label as text content (what browsers, screen readers and tests read).
    package static func option(_ value: String, _ label: String, selected: Bool) -> Node<HTML.SelectContext> {
        .element(
            named: "option",
            nodes: [
                .attribute(named: "value", value: Escape.attribute(value), ignoreIfValueIsEmpty: false),
                .attribute(named: "selected", value: selected ? "selected" : nil),
                .text(label),
            ])
    }

    /// Every problem at the top of the form; in the patient's language when `t` is theirs.
    package static func errorSummary<C: HTML.BodyContext>(_ errors: [FieldError], t: Translator = .english) -> Node<C> {
        guard !errors.isEmpty else { return .empty }
        return .div(
            .class("notice bad"), .attribute(named: "role", value: "alert"),
            .p(.strong(.text(t("Please correct the marked fields:")))),
            .ul(.forEach(t.errors(errors)) { .li(.text($0.message)) }))
    }
}

package struct ErrorPage {
    package let status: Int
    package let title: String
    package let detail: String

    package func render(for req: Request) -> String {
        // Patients, and anyone not signed in (a patient's expired link), read it in their language; staff in English.
        let patient = req.signedIn?.role == .patient
        let language: PatientLanguage? = patient || req.signedIn == nil ? req.language : nil
        let t = Locales.translator(language ?? .en)
        return Layout.page(
            title, req: req, language: language,
            .div(
                .class("card"),
                .h1(.text(t(title))),
                .p(.text(t.message(detail))),
                .p(.a(.href(patient ? Site.portal.path() : "/"), .text(t("Back to the start page"))))))
    }

    package init(status: Int, title: String, detail: String) {
        self.status = status
        self.title = title
        self.detail = detail
    }
}
