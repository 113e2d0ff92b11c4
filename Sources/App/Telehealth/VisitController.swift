import Vapor
import Fluent
import Plot
import Domain

/// Video visits: the join link, the visit page (patient and provider), ICE credentials, browser events, the waiting
/// room, admit, end with a note, the visit record; and the JSON API.
enum VisitController {
    struct EventBody: Content { var kind: String?; var detail: String? }
    struct LinkBody: Content { var channel: String? }
    struct NoteBody: Content { var note: String? }

    @Sendable static func script(req: Request) async throws -> Response {
        let res = Response(status: .ok, body: .init(string: VisitScript.source))
        res.headers.contentType = HTTPMediaType(type: "text", subType: "javascript", parameters: ["charset": "utf-8"])
        res.headers.replaceOrAdd(name: .cacheControl, value: "no-cache")
        return res
    }

    /// `/visit/join/:token`: single use; sets a visit pass cookie and goes to the visit page.
    @Sendable static func join(req: Request) async throws -> Response {
        switch try await VisitStore.redeem(token: req.parameters.get("token") ?? "", app: req.application) {
        case .ok(let visitID, let pass):
            let res = req.redirect(to: "/visit/\(visitID.uuidString)")
            res.cookies["cs_visit"] = HTTPCookies.Value(string: pass, expires: req.now.addingTimeInterval(4 * 3600), maxAge: 4 * 3600, path: "/",
                                                        isSecure: req.application.config.cookieSecure, isHTTPOnly: true, sameSite: .lax)
            return res
        case .used:
            return Layout.render(ErrorPage(status: 410, title: "This link was already used", detail: "Each visit link works once. Sign in to the portal, or ask the practice for a new link.").render(for: req), status: .gone)
        case .expired:
            return Layout.render(ErrorPage(status: 410, title: "This link has expired", detail: "Ask the practice for a new link.").render(for: req), status: .gone)
        case .unknown:
            return Layout.render(ErrorPage(status: 410, title: "This link is not valid", detail: "Check that you opened the whole link, or ask the practice for a new one.").render(for: req), status: .gone)
        }
    }

    /// The visit page, for whoever the request speaks for (patient or provider).
    @Sendable static func page(req: Request) async throws -> Response {
        let id = try req.idParameter("id")
        let p = try await req.visitParticipant(id)
        return Layout.render(VisitRoomPage(visitID: id, role: p.role, csrf: req.csrfToken).render(for: req))
    }

    @Sendable static func ice(req: Request) async throws -> IceConfig {
        try await VisitStore.ice(for: try await req.visitParticipant(try req.idParameter("id")), app: req.application)
    }

    @Sendable static func event(req: Request) async throws -> HTTPStatus {
        let p = try await req.visitParticipant(try req.idParameter("id"))
        let b = try req.decodeJSON(EventBody.self)
        try await VisitStore.report(p, kind: b.kind ?? "", detail: Text.clean(b.detail) ?? "", app: req.application)
        return .noContent
    }

    // MARK: portal

    @Sendable static func portalJoin(req: Request) async throws -> Response {
        let v = try await req.visits().ensure(appointmentID: try req.idParameter("id"))
        return req.redirect(to: "/visit/\(v.id!.uuidString)")
    }

    // MARK: staff

    @Sendable static func waitingRoomPage(req: Request) async throws -> Response {
        let rows = try await req.visits().waitingRoom()
        return Layout.render(WaitingRoomPage(rows: rows, sent: req.query[String.self, at: "sent"]).render(for: req))
    }

    @Sendable static func admitFromPage(req: Request) async throws -> Response {
        let id = try req.idParameter("id")
        _ = try await req.visits().admit(id)
        return req.redirect(to: "/visit/\(id.uuidString)")
    }

    @Sendable static func handOffFromPage(req: Request) async throws -> Response {
        let id = try req.idParameter("id")
        let to = (try? req.content.get(String.self, at: "providerId")).flatMap(UUID.init(uuidString:))
        _ = try await req.visits().handOff(id, to: to)
        return req.redirect(to: "/visits?handed=1")
    }

    @Sendable static func endFromPage(req: Request) async throws -> Response {
        let id = try req.idParameter("id")
        _ = try await req.visits().end(id, note: try? req.content.get(String.self, at: "note"))
        return req.redirect(to: "/visits/\(id.uuidString)/record")
    }

    @Sendable static func recordPage(req: Request) async throws -> Response {
        Layout.render(VisitRecordPage(v: try await req.visits().detail(try req.idParameter("id"))).render(for: req))
    }

    @Sendable static func startFromSchedule(req: Request) async throws -> Response {
        let v = try await req.visits().ensure(appointmentID: try req.idParameter("id"))
        return req.redirect(to: "/visit/\(v.id!.uuidString)")
    }

    @Sendable static func linkFromPage(req: Request) async throws -> Response {
        _ = try await req.visits().sendLink(appointmentID: try req.idParameter("id"), channel: (try? req.content.get(String.self, at: "channel")) ?? "email")
        return req.redirect(to: "/visits?sent=1")
    }

    // MARK: API

    @Sendable static func ensureAPI(req: Request) async throws -> VisitStore.VisitDTO { VisitStore.dto(try await req.visits().ensure(appointmentID: try req.idParameter("id"))) }

    @Sendable static func linkAPI(req: Request) async throws -> Response {
        let expires = try await req.visits().sendLink(appointmentID: try req.idParameter("id"), channel: try req.decodeJSON(LinkBody.self).channel ?? "email")
        return try await ["expiresAt": ISO8601DateFormatter().string(from: expires)].encodeResponse(status: .created, for: req)
    }

    struct HandOffBody: Content { var providerId: UUID? }

    @Sendable static func handOffAPI(req: Request) async throws -> VisitStore.VisitDTO {
        try await req.visits().handOff(try req.idParameter("id"), to: try req.decodeJSON(HandOffBody.self).providerId)
    }

    @Sendable static func waitingAPI(req: Request) async throws -> [VisitStore.WaitingDTO] { try await req.visits().waitingRoom() }
    @Sendable static func admitAPI(req: Request) async throws -> VisitStore.VisitDTO { try await req.visits().admit(try req.idParameter("id")) }
    @Sendable static func endAPI(req: Request) async throws -> VisitStore.VisitDTO {
        try await req.visits().end(try req.idParameter("id"), note: (try? req.content.decode(NoteBody.self))?.note)
    }
    @Sendable static func detailAPI(req: Request) async throws -> VisitStore.VisitDTO { try await req.visits().detail(try req.idParameter("id")) }
}

extension IceConfig: Content {}

struct VisitRoomPage {
    let visitID: UUID
    let role: String
    let csrf: String

    func render(for req: Request) -> String {
        Layout.page("Video visit", req: req, .div(
            .h1(.text(role == "provider" ? "Video visit" : "Your video visit")),
            .div(.id("visit"), .data(named: "visit", value: visitID.uuidString), .data(named: "role", value: role), .data(named: "csrf", value: csrf),
                .p(.id("visit-status"), .attribute(named: "role", value: "status"), .text("Checking your camera, microphone and connection…")),
                .div(.class("card"), .id("device-check"),
                    .h2(.text("Device check")),
                    .ul(.class("plain"),
                        .li(.text("Camera: "), .span(.id("check-camera"), .text("…"))),
                        .li(.text("Microphone: "), .span(.id("check-microphone"), .text("…"))),
                        .li(.text("Speaker: "), .span(.id("check-speaker"), .text("…"))),
                        .li(.text("Connection: "), .span(.id("check-connection"), .text("…"))))),
                .div(.class("videos"),
                    .element(named: "video", nodes: [.id("remote"), .attribute(named: "autoplay", value: "autoplay"), .attribute(named: "playsinline", value: "playsinline")]),
                    .element(named: "video", nodes: [.id("local"), .attribute(named: "autoplay", value: "autoplay"), .attribute(named: "playsinline", value: "playsinline"),
                                                     .attribute(named: "muted", value: "muted")])),
                .p(.small(.text("Connection: "), .span(.id("pc-state"), .text("not started")))),
                .p(.button(.type(.button), .id("audio-only"), .text("Audio only")), .text(" "),
                   .button(.type(.button), .id("ice-restart"), .text("Fix the video")), .text(" "),
                   .button(.type(.button), .id("leave"), .text("Leave")))),
            .if(role == "provider", .form(.class("card"), .action("/visits/\(visitID.uuidString)/end"), .method(.post), .div(
                FormKit.csrf(req),
                .label(.for("note"), .text("Visit note")),
                .textarea(.id("note"), .name("note"), .attribute(named: "rows", value: "4")),
                .button(.type(.submit), .id("end-visit"), .text("End visit and save the note"))))),
            .script(.src("/assets/visit.js"))
        ))
    }
}

struct WaitingRoomPage {
    let rows: [VisitStore.WaitingDTO]
    let sent: String?

    func render(for req: Request) -> String {
        Layout.page("Waiting room", req: req, .div(
            .element(named: "meta", nodes: [.attribute(named: "http-equiv", value: "refresh"), .attribute(named: "content", value: "5")]),
            .unwrap(sent) { _ in .p(.class("notice"), .text("Visit link sent.")) },
            .h1(.text("Video waiting room")),
            .if(rows.isEmpty, .p(.id("nobody-waiting"), .text("Nobody is waiting."))),
            .forEach(rows) { r in
                .div(.class(r.mine ? "card waiting mine" : "card waiting"), .attribute(named: "data-visit", value: r.visitId.uuidString),
                    .p(.strong(.text(r.patientName)), .text(" · \(r.providerName) · \(r.locationName) · \(r.status)"),
                       .unwrap(r.waitingSince) { .text(" · waiting since \(Format.utc($0, "HH:mm")) UTC") }),
                    r.status == "waiting"
                        ? .form(.action("/visits/\(r.visitId.uuidString)/admit"), .method(.post), .div(FormKit.csrf(req), .button(.type(.submit), .class("admit"), .text("Admit"))))
                        : .a(.class("button"), .href("/visit/\(r.visitId.uuidString)"), .text("Open the visit")))
            }
        ))
    }
}

struct VisitRecordPage {
    let v: VisitStore.VisitDTO

    func render(for req: Request) -> String {
        Layout.page("Visit record", req: req, .div(
            .h1(.text("Video visit record")),
            .p(.id("visit-summary"), .text("Status \(v.status) · outcome \(v.outcome ?? "—") · waited \(v.waitedSeconds.map { "\($0) s" } ?? "—") · connected \(v.durationSeconds.map { "\($0) s" } ?? "—")")),
            .unwrap(v.note) { .div(.class("card"), .h2(.text("Note")), .p(.id("visit-note"), .text($0))) },
            .ul(.forEach(v.events ?? []) { e in .li(.class("visit-event"), .text("\(Format.utc(e.at, "HH:mm:ss")) \(e.role) \(e.kind) \(e.detail)")) })
        ))
    }
}
