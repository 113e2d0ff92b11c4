import Vapor
import Fluent
import Plot
import Domain
import AppCore
import Patients
import Scheduling

/// Video visits: the join link, the visit page (patient and provider), ICE credentials, browser events, the waiting
/// room, admit, end with a note, the visit record; and the JSON API.
package enum VisitController {
    package struct EventBody: Content {
        package var kind: String?
        package var detail: String?
    }
    package struct LinkBody: Content {
        package var channel: String?
    }
    package struct NoteBody: Content {
        package var note: String?
    }

    @Sendable package static func script(req: Request) async throws -> Response {
        Layout.script(VisitScript.source)
    }

    /// `/visit/join/:token`: single use; sets a visit pass cookie and goes to the visit page.
    @Sendable package static func join(req: Request) async throws -> Response {
        switch try await VisitStore.redeem(token: req.parameters.get("token") ?? "", app: req.application) {
        case .ok(let visitID, let pass):
            let res = req.redirect(to: Site.visitRoom.path(visitID))
            res.cookies["cs_visit"] = HTTPCookies.Value(
                string: pass, expires: req.now.addingTimeInterval(4 * 3600), maxAge: 4 * 3600, path: "/",
                isSecure: req.application.config.cookieSecure, isHTTPOnly: true, sameSite: .lax)
            return res
        case .used:
            return Layout.render(
                ErrorPage(
                    status: 410, title: "This link was already used",
                    detail: "Each visit link works once. Sign in to the portal, or ask the practice for a new link."
                ).render(for: req), status: .gone)
        case .expired:
            return Layout.render(
                ErrorPage(status: 410, title: "This link has expired", detail: "Ask the practice for a new link.")
                    .render(for: req), status: .gone)
        case .unknown:
            return Layout.render(
                ErrorPage(
                    status: 410, title: "This link is not valid",
                    detail: "Check that you opened the whole link, or ask the practice for a new one."
                ).render(for: req), status: .gone)
        }
    }

    /// The visit page, for whoever the request speaks for (patient or provider).
    @Sendable package static func page(req: Request) async throws -> Response {
        let id = try req.idParameter("id")
        let p = try await req.visitParticipant(id)
        var page = VisitRoomPage(visitID: id, role: p.role, csrf: req.csrfToken)
        if p.role == .patient {
            // The patient's page is in their language, whether they came from the portal or by the emailed link.
            if let visit = try await VirtualVisitRecord.find(id, on: req.db),
                let chosen = try await PatientStore.language(of: visit.patientID, on: req.db)
            {
                page.language = chosen
            } else {
                page.language = req.language
            }
        }
        if p.role == .provider {
            page.others = try await ScheduleDirectory.load(req.db).providers
                .filter { $0.id != p.principal.userID }.compactMap { u in u.id.map { ($0, u.displayName) } }
        }
        return Layout.render(page.render(for: req))
    }

    @Sendable package static func ice(req: Request) async throws -> IceConfig {
        try await VisitStore.ice(for: try await req.visitParticipant(try req.idParameter("id")), app: req.application)
    }

    @Sendable package static func event(req: Request) async throws -> HTTPStatus {
        let p = try await req.visitParticipant(try req.idParameter("id"))
        let b = try req.decodeJSON(EventBody.self)
        try await VisitStore.report(p, kind: b.kind ?? "", detail: Text.clean(b.detail) ?? "", app: req.application)
        return .noContent
    }

    // MARK: portal

    @Sendable package static func portalJoin(req: Request) async throws -> Response {
        let v = try await req.visits().ensure(appointmentID: try req.idParameter("id"))
        return req.redirect(to: Site.visitRoom.path(v.id))
    }

    // MARK: staff

    @Sendable package static func waitingRoomPage(req: Request) async throws -> Response {
        let rows = try await req.visits().waitingRoom()
        let dir = try await ScheduleDirectory.load(req.db)
        let page = WaitingRoomPage(
            rows: rows, sent: req.query[String.self, at: "sent"], handed: req.query[String.self, at: "handed"],
            dir: dir)
        return Layout.render(page.render(for: req))
    }

    /// The waiting room's list alone: the page's script swaps it in every few seconds (no whole-page refresh).
    @Sendable package static func waitingListFragment(req: Request) async throws -> Response {
        let rows = try await req.visits().waitingRoom()
        let dir = try await ScheduleDirectory.load(req.db)
        let page = WaitingRoomPage(rows: rows, sent: nil, handed: nil, dir: dir)
        let res = Response(status: .ok, body: .init(string: page.list(req: req).render()))
        res.headers.contentType = .html
        res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return res
    }

    @Sendable package static func waitingScript(req: Request) async throws -> Response {
        Layout.script(WaitingRoomPage.script)
    }

    @Sendable package static func admitFromPage(req: Request) async throws -> Response {
        let id = try req.idParameter("id")
        _ = try await req.visits().admit(id)
        return req.redirect(to: Site.visitRoom.path(id))
    }

    @Sendable package static func handOffFromPage(req: Request) async throws -> Response {
        let id = try req.idParameter("id")
        let to = (try? req.content.get(String.self, at: "providerId")).flatMap(UUID.init(uuidString:))
        _ = try await req.visits().handOff(id, to: to)
        return req.redirect(to: Site.visitsWaitingRoom.path() + "?handed=1")
    }

    @Sendable package static func endFromPage(req: Request) async throws -> Response {
        let id = try req.idParameter("id")
        _ = try await req.visits().end(id, note: try? req.content.get(String.self, at: "note"))
        return req.redirect(to: Site.visitRecord.path(id))
    }

    @Sendable package static func recordPage(req: Request) async throws -> Response {
        Layout.render(VisitRecordPage(v: try await req.visits().detail(try req.idParameter("id"))).render(for: req))
    }

    @Sendable package static func startFromSchedule(req: Request) async throws -> Response {
        let v = try await req.visits().ensure(appointmentID: try req.idParameter("id"))
        return req.redirect(to: Site.visitRoom.path(v.id))
    }

    @Sendable package static func linkFromPage(req: Request) async throws -> Response {
        _ = try await req.visits().sendLink(
            appointmentID: try req.idParameter("id"),
            channel: (try? req.content.get(String.self, at: "channel")) ?? "email")
        return req.redirect(to: Site.visitsWaitingRoom.path() + "?sent=1")
    }

    // MARK: API

    @Sendable package static func ensureAPI(req: Request) async throws -> VisitStore.VisitDTO {
        try await req.visits().ensure(appointmentID: try req.idParameter("id"))
    }

    @Sendable package static func linkAPI(req: Request) async throws -> Response {
        let expires = try await req.visits().sendLink(
            appointmentID: try req.idParameter("id"), channel: try req.decodeJSON(LinkBody.self).channel ?? "email")
        return try await ["expiresAt": ISO8601DateFormatter().string(from: expires)].encodeResponse(
            status: .created, for: req)
    }

    package struct HandOffBody: Content {
        package var providerId: UUID?
    }

    @Sendable package static func handOffAPI(req: Request) async throws -> VisitStore.VisitDTO {
        try await req.visits().handOff(try req.idParameter("id"), to: try req.decodeJSON(HandOffBody.self).providerId)
    }

    @Sendable package static func waitingAPI(req: Request) async throws -> [VisitStore.WaitingDTO] {
        try await req.visits().waitingRoom()
    }
    @Sendable package static func admitAPI(req: Request) async throws -> VisitStore.VisitDTO {
        try await req.visits().admit(try req.idParameter("id"))
    }
    @Sendable package static func endAPI(req: Request) async throws -> VisitStore.VisitDTO {
        try await req.visits().end(try req.idParameter("id"), note: (try? req.content.decode(NoteBody.self))?.note)
    }
    @Sendable package static func detailAPI(req: Request) async throws -> VisitStore.VisitDTO {
        try await req.visits().detail(try req.idParameter("id"))
    }
}

extension IceConfig: Content {}

package struct VisitRoomPage {
    package let visitID: UUID
    package let role: VisitSide
    package let csrf: String
    /// Providers the host may hand the visit to.
    package var others: [(UUID, String)] = []
    /// The patient's language (the provider's page is in English).
    package var language: PatientLanguage = .en

    /// What the page's script says as the visit goes on: handed to it translated (`data-words`).
    package static let scriptWords = [
        "You are in the waiting room. Your provider will let you in.", "Connecting…", "Connected.",
        "The other side is coming back…",
        "This visit continues in another window or on another device. You can close this page.",
        "The other side is on audio only.", "The other side left; waiting for them to come back…",
        "The visit has ended. You can close this page.", "Reconnecting to the visit… (your video continues)",
        "Not admitted yet.", "Audio only.", "Reconnecting the video…", "You left the visit.", "ok", "not found",
        "offline", "not started",
    ]

    package func render(for req: Request) -> String {
        let patient = role == .patient
        let t = Locales.translator(patient ? language : .en)
        let words = Dictionary(uniqueKeysWithValues: Self.scriptWords.map { ($0, t($0)) })
        let wordsJSON = (try? JSONEncoder().encode(words)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return Layout.page(
            "Video visit", req: req, language: patient ? language : nil,
            .div(
                .h1(.text(role == .provider ? "Video visit" : t("Your video visit"))),
                .div(
                    .id("visit"), .data(named: "visit", value: visitID.uuidString),
                    .data(named: "role", value: role.rawValue),
                    .data(named: "csrf", value: csrf),
                    .data(named: "words", value: Escape.attribute(wordsJSON)),
                    .p(
                        .id("visit-status"), .attribute(named: "role", value: "status"),
                        .text(t("Checking your camera, microphone and connection…"))),
                    .div(
                        .class("card"), .id("device-check"),
                        .h2(.text(t("Device check"))),
                        .ul(
                            .class("plain"),
                            .li(.text(t("Camera:") + " "), .span(.id("check-camera"), .text("…"))),
                            .li(.text(t("Microphone:") + " "), .span(.id("check-microphone"), .text("…"))),
                            .li(.text(t("Speaker:") + " "), .span(.id("check-speaker"), .text("…"))),
                            .li(.text(t("Connection:") + " "), .span(.id("check-connection"), .text("…"))))),
                    .div(
                        .class("videos"),
                        .element(
                            named: "video",
                            nodes: [
                                .id("remote"), .attribute(named: "autoplay", value: "autoplay"),
                                .attribute(named: "playsinline", value: "playsinline"),
                            ]),
                        .element(
                            named: "video",
                            nodes: [
                                .id("local"), .attribute(named: "autoplay", value: "autoplay"),
                                .attribute(named: "playsinline", value: "playsinline"),
                                .attribute(named: "muted", value: "muted"),
                            ])),
                    .p(.small(.text(t("Connection:") + " "), .span(.id("pc-state"), .text(t("not started"))))),
                    .p(
                        .button(.type(.button), .id("audio-only"), .text(t("Audio only"))), .text(" "),
                        .button(.type(.button), .id("ice-restart"), .text(t("Fix the video"))), .text(" "),
                        .button(.type(.button), .id("leave"), .text(t("Leave"))))),
                .if(
                    role == .provider,
                    .form(
                        .class("card"), .action(Site.visitEnd.path(visitID)), .method(.post),
                        .div(
                            FormKit.csrf(req),
                            .label(.for("note"), .text("Visit note")),
                            .textarea(.id("note"), .name("note"), .attribute(named: "rows", value: "4")),
                            .button(.type(.submit), .id("end-visit"), .text("End visit and save the note"))))),
                .if(
                    role == .provider && !others.isEmpty,
                    .form(
                        .class("card"), .action(Site.visitHandoff.path(visitID)),
                        .method(.post),
                        .div(
                            FormKit.csrf(req),
                            FormKit.select(
                                "Hand this visit to", name: "providerId",
                                options: others.map { (value: $0.0.uuidString, label: $0.1) }, selected: nil),
                            .p(.small(.text("The other provider takes over the call; your page leaves it."))),
                            .button(.type(.submit), .id("hand-off"), .class("secondary"), .text("Hand over"))))),
                .script(.src(Site.assetsVisitScript.path()))
            ))
    }
}

package struct WaitingRoomPage {
    package let rows: [VisitStore.WaitingDTO]
    package let sent: String?
    package var handed: String?
    package let dir: ScheduleDirectory

    package func render(for req: Request) -> String {
        Layout.page(
            "Waiting room", req: req,
            .div(
                .unwrap(sent) { _ in .p(.class("notice"), .text("Visit link sent.")) },
                .unwrap(handed) { _ in .p(.class("notice"), .text("The visit was handed over.")) },
                .h1(.text("Video waiting room")),
                .p(.small(.text("This list updates by itself."))),
                .div(.id("waiting-list"), .attribute(named: "aria-live", value: "polite"), list(req: req)),
                .script(.src(Site.assetsWaitingScript.path()))
            ))
    }

    package func list(req: Request) -> Node<HTML.BodyContext> {
        .group(
            .if(rows.isEmpty, .p(.id("nobody-waiting"), .text("Nobody is waiting."))),
            .forEach(rows) { r in
                let zone = r.locationId.map { dir.zone($0) } ?? dir.homeZone
                let open: Node<HTML.BodyContext> =
                    r.hostedByMe == false
                    ? .p(.small(.text("In a visit with another provider.")))
                    : .a(.class("button"), .href(Site.visitRoom.path(r.visitId)), .text("Open the visit"))
                return .div(
                    .class(r.mine ? "card waiting mine" : "card waiting"),
                    .attribute(named: "data-visit", value: r.visitId.uuidString),
                    .p(
                        .strong(.text(r.patientName)), .text(" · \(r.providerName) · \(r.locationName) · \(r.status)"),
                        .unwrap(r.waitingSince) { .text(" · waiting since \(Format.time($0, zone: zone))") }),
                    r.status == .waiting
                        ? .form(
                            .action(Site.visitAdmit.path(r.visitId)), .method(.post),
                            .div(FormKit.csrf(req), .button(.type(.submit), .class("admit"), .text("Admit"))))
                        : open)
            })
    }

    /// Swaps the list in every 5 seconds when it changed; leaves it alone while a button in it has the focus.
    package static let script = #"""
        (() => {
          const list = document.getElementById('waiting-list');
          if (!list) return;
          let last = list.innerHTML;
          setInterval(async () => {
            if (list.contains(document.activeElement) && document.activeElement !== document.body) return;
            try {
              const r = await fetch('/visits/waiting-list', { credentials: 'same-origin', cache: 'no-store' });
              if (!r.ok) return;
              const html = await r.text();
              if (html !== last) { list.innerHTML = html; last = html; }
            } catch (e) { /* offline for a moment: try again next time */ }
          }, 5000);
        })();
        """#
}

package struct VisitRecordPage {
    package let v: VisitStore.VisitDTO

    package func render(for req: Request) -> String {
        Layout.page(
            "Visit record", req: req,
            .div(
                .h1(.text("Video visit record")),
                .p(
                    .id("visit-summary"),
                    .text(
                        "Status \(v.status) · outcome \(v.outcome?.rawValue ?? "—") · waited "
                            + "\(v.waitedSeconds.map { "\($0) s" } ?? "—") · connected "
                            + "\(v.durationSeconds.map { "\($0) s" } ?? "—")"
                    )),
                .unwrap(v.note) { .div(.class("card"), .h2(.text("Note")), .p(.id("visit-note"), .text($0))) },
                .ul(
                    .forEach(v.events ?? []) { e in
                        .li(
                            .class("visit-event"),
                            .text(
                                [Format.utc(e.at, "HH:mm:ss"), e.role.rawValue, e.kind.rawValue, e.detail].joined(
                                    separator: " ")))
                    })
            ))
    }
}
