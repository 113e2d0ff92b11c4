import Vapor
import Fluent
import Plot
import Domain
import AppCore
import Locations
import Photos

/// Secure messaging: the JSON API, the portal's conversations, and the staff inbox.
package enum MessageController {
    // MARK: API

    @Sendable package static func startAPI(req: Request) async throws -> Response {
        let t = try await req.messages().start(
            patientID: try req.idParameter("patient"), try req.decodeJSON(MessageStore.NewThread.self))
        return try await t.encodeResponse(status: .created, for: req)
    }

    @Sendable package static func listAPI(req: Request) async throws -> [MessageStore.ThreadSummary] {
        try await req.messages().threads(patientID: try req.idParameter("patient"))
    }

    @Sendable package static func readAPI(req: Request) async throws -> MessageStore.ThreadDTO {
        try await req.messages().read(threadID: try req.idParameter("conversation"))
    }

    @Sendable package static func replyAPI(req: Request) async throws -> Response {
        let m = try await req.messages().reply(
            threadID: try req.idParameter("conversation"), try req.decodeJSON(MessageStore.Reply.self))
        return try await m.encodeResponse(status: .created, for: req)
    }

    @Sendable package static func assignAPI(req: Request) async throws -> MessageStore.ThreadSummary {
        try await req.messages().assign(
            threadID: try req.idParameter("conversation"), to: try req.decodeJSON(MessageStore.Assign.self).assignedTo)
    }

    package static func filter(_ req: Request) -> MessageStore.InboxFilter {
        MessageStore.InboxFilter(
            locationID: req.query[String.self, at: "location"].flatMap(UUID.init(uuidString:)),
            assigned: req.query[String.self, at: "assigned"].flatMap { ["me", "unassigned"].contains($0) ? $0 : nil },
            unreadOnly: req.query[String.self, at: "unread"] == "1",
            urgentOnly: req.query[String.self, at: "urgent"] == "1")
    }

    @Sendable package static func inboxAPI(req: Request) async throws -> [MessageStore.ThreadSummary] {
        try await req.messages().inbox(filter(req))
    }

    // MARK: portal

    @Sendable package static func portalList(req: Request) async throws -> Response {
        let pid = try req.portalPatientID()
        let threads = try await req.messages().threads(patientID: pid)
        let locations = try await LocationRecord.query(on: req.db).sort(\.$name).all()
        return Layout.render(PortalMessagesPage(threads: threads, locations: locations).render(for: req))
    }

    @Sendable package static func portalStart(req: Request) async throws -> Response {
        let pid = try req.portalPatientID()
        struct Form: Content {
            package var subject: String?
            package var locationId: String?
            package var body: String?
            package var file: File?
        }
        let f = try req.content.decode(Form.self)
        do {
            let attachment = try await attach(req, f.file, patientID: pid)
            let input = MessageStore.NewThread(
                subject: f.subject, locationId: f.locationId.flatMap(UUID.init(uuidString:)), body: f.body,
                attachmentId: attachment)
            let t = try await req.messages().start(patientID: pid, input)
            return req.redirect(to: Site.portalMessage.path(t.summary.id))
        } catch AppError.validation(let errors) {
            let threads = try await req.messages().threads(patientID: pid)
            let locations = try await LocationRecord.query(on: req.db).sort(\.$name).all()
            return Layout.render(
                PortalMessagesPage(
                    threads: threads, locations: locations, errors: errors, subject: f.subject, body: f.body
                ).render(for: req),
                status: .unprocessableEntity)
        }
    }

    @Sendable package static func threadPage(req: Request) async throws -> Response {
        let t = try await req.messages().read(threadID: try req.idParameter("conversation"))
        var page = ThreadPage(thread: t, staff: try req.principal().role != .patient)
        page.zone = try await LocationRecord.homeZone(on: req.db)
        return Layout.render(page.render(for: req))
    }

    @Sendable package static func replyPage(req: Request) async throws -> Response {
        let id = try req.idParameter("conversation")
        let staff = try req.principal().role != .patient
        struct Form: Content {
            package var body: String?
            package var file: File?
        }
        let f = try req.content.decode(Form.self)
        do {
            guard let thread = try await MessageThreadRecord.find(id, on: req.db) else {
                throw AppError.notFound("No such conversation.")
            }
            let attachment = try await attach(req, f.file, patientID: thread.patientID)
            _ = try await req.messages().reply(threadID: id, .init(body: f.body, attachmentId: attachment))
        } catch AppError.validation(let errors) {
            let t = try await req.messages().read(threadID: id)
            var page = ThreadPage(thread: t, staff: staff, errors: errors)
            page.zone = try await LocationRecord.homeZone(on: req.db)
            return Layout.render(page.render(for: req), status: .unprocessableEntity)
        }
        return req.redirect(to: staff ? Site.inboxThread.path(id) : Site.portalMessage.path(id))
    }

    /// A file chosen in a message form becomes an attachment (through the upload pipeline); none chosen, none made.
    package static func attach(_ req: Request, _ file: File?, patientID: UUID) async throws -> UUID? {
        guard let file, file.data.readableBytes > 0 else { return nil }
        return try await req.photos().storeAttachment(patientID: patientID, Data(buffer: file.data))
    }

    // MARK: staff

    @Sendable package static func inboxPage(req: Request) async throws -> Response {
        let f = filter(req)
        let threads = try await req.messages().inbox(f)
        let locations = try await LocationRecord.query(on: req.db).sort(\.$name).all()
        return Layout.render(InboxPage(threads: threads, locations: locations, filter: f).render(for: req))
    }

    @Sendable package static func assignPage(req: Request) async throws -> Response {
        let id = try req.idParameter("conversation")
        let who = try? req.content.get(String.self, at: "assign")
        _ = try await req.messages().assign(threadID: id, to: who == "me" ? try req.principal().userID : nil)
        return req.redirect(to: Site.inboxThread.path(id))
    }
}

package struct PortalMessagesPage {
    package let threads: [MessageStore.ThreadSummary]
    package let locations: [LocationRecord]
    package var errors: [FieldError] = []
    package var subject: String?
    package var body: String?
    /// Times in the practice's own zone (its first location's).
    var zone: TimeZone { locations.first.flatMap { TimeZone(identifier: $0.timeZone) } ?? TimeZone(identifier: "UTC")! }

    package func render(for req: Request) -> String {
        let t = req.tr
        return Layout.page(
            "Messages", req: req,
            .div(
                .h1(.text(t("Messages"))),
                .p(
                    .text(
                        t(
                            "Secure messages to your care team. For an emergency call 911; for something urgent, "
                                + "call the clinic."))),
                .if(threads.isEmpty, .p(.text(t("No conversations yet.")))),
                .ul(
                    .class("plain"), .id("threads"),
                    .forEach(threads) { th in
                        .li(
                            .a(.href(Site.portalMessage.path(th.id)), .text(th.subject)),
                            .text(" · " + Format.local(th.updatedAt, zone: zone, language: t.language)),
                            .if(th.unread, .strong(.class("badge"), .text(" " + t("new")))))
                    }),
                .div(
                    .class("card"),
                    .h2(.text(t("Write to the care team"))),
                    FormKit.errorSummary(errors, t: t),
                    .form(
                        .action(Site.portalMessages.path()), .method(.post), .enctype(.multipartData),
                        .div(
                            FormKit.csrf(req),
                            FormKit.select(
                                t("Clinic"), name: "locationId", options: locations.options { $0.name },
                                selected: locations.first?.id?.uuidString, errors: errors),
                            FormKit.field(
                                t("Subject"), name: "subject", value: subject, errors: errors, required: true),
                            .div(
                                .class("field"), .label(.for("body"), .text(t("Message") + " *")),
                                .textarea(
                                    .id("body"), .name("body"), .attribute(named: "rows", value: "5"), .text(body ?? "")
                                ),
                                .unwrap(errors.first { $0.field == "body" }) {
                                    .p(.class("error"), .text(t.message($0.message)))
                                }),
                            .div(
                                .class("field"), .label(.for("file"), .text(t("Attach a photo or PDF (optional)"))),
                                .input(
                                    .type(.file), .id("file"), .name("file"),
                                    .attribute(
                                        named: "accept", value: "image/jpeg,image/png,image/heic,.heic,application/pdf")
                                )),
                            .button(.type(.submit), .id("send-message"), .text(t("Send")))
                        )))
            ))
    }
}

package struct ThreadPage {
    package let thread: MessageStore.ThreadDTO
    package let staff: Bool
    package var errors: [FieldError] = []
    package var zone = TimeZone(identifier: "UTC")!

    package func render(for req: Request) -> String {
        let s = thread.summary
        let reply = staff ? Site.inboxReply.path(s.id) : Site.portalMessageReply.path(s.id)
        let t = staff ? Translator.english : req.tr
        return Layout.page(
            "Conversation", req: req,
            .div(
                .h1(.text(s.subject)),
                .if(
                    staff,
                    .p(
                        .text("Patient: \(s.patientName ?? "")"),
                        .if(
                            s.urgent,
                            .strong(
                                .class("badge urgent"), .id("urgent-flag"),
                                .text(" urgent: \((s.urgentWords ?? []).joined(separator: ", "))"))))),
                .div(
                    .id("messages"),
                    .forEach(thread.messages) { m in
                        .div(
                            .class("card message \(m.senderSide)"),
                            .p(
                                .small(
                                    .text(
                                        m.senderName + " · "
                                            + Format.local(m.sentAt, zone: zone, language: t.language))
                                )),
                            .p(.class("body"), .text(m.body)),
                            .unwrap(m.attachmentId) { aid in
                                .p(
                                    .a(
                                        .href(staff ? Site.attachment.path(aid) : Site.portalAttachment.path(aid)),
                                        .class("attachment"), .text(t("Attachment"))))
                            })
                    }),
                FormKit.errorSummary(errors, t: t),
                .form(
                    .action(reply), .method(.post), .enctype(.multipartData),
                    .div(
                        FormKit.csrf(req),
                        .div(
                            .class("field"), .label(.for("body"), .text(t("Reply"))),
                            .textarea(.id("body"), .name("body"), .attribute(named: "rows", value: "4"))),
                        .div(
                            .class("field"), .label(.for("file"), .text(t("Attach a photo or PDF (optional)"))),
                            .input(
                                .type(.file), .id("file"), .name("file"),
                                .attribute(
                                    named: "accept", value: "image/jpeg,image/png,image/heic,.heic,application/pdf"))),
                        .button(.type(.submit), .id("send-reply"), .text(t("Send reply")))
                    )),
                .if(
                    staff,
                    .form(
                        .action(Site.inboxAssign.path(s.id)), .method(.post),
                        .div(
                            FormKit.csrf(req),
                            .button(
                                .type(.submit), .name("assign"), .value("me"), .class("secondary"),
                                .text("Assign to me")),
                            .text(" "),
                            .button(
                                .type(.submit), .name("assign"), .value("pool"), .class("secondary"),
                                .text("Back to the clinic pool"))
                        ))),
                .p(.a(.href(staff ? Site.inbox.path() : Site.portalMessages.path()), .text(t("All conversations"))))
            ))
    }
}

package struct InboxPage {
    package let threads: [MessageStore.ThreadSummary]
    package let locations: [LocationRecord]
    package let filter: MessageStore.InboxFilter

    /// Times in the practice's own zone (its first location's).
    var zone: TimeZone { locations.first.flatMap { TimeZone(identifier: $0.timeZone) } ?? TimeZone(identifier: "UTC")! }

    package func render(for req: Request) -> String {
        let names = Dictionary(uniqueKeysWithValues: locations.compactMap { l in l.id.map { ($0, l.name) } })
        return Layout.page(
            "Inbox", req: req,
            .div(
                .h1(.text("Inbox")),
                .form(
                    .action(Site.inbox.path()), .method(.get), .class("card"),
                    .div(
                        FormKit.select(
                            "Clinic", name: "location",
                            options: [("", "All clinics")] + locations.options { $0.name },
                            selected: filter.locationID?.uuidString ?? ""),
                        FormKit.select(
                            "Assigned", name: "assigned",
                            options: [("", "Anyone"), ("me", "To me"), ("unassigned", "Clinic pool")],
                            selected: filter.assigned ?? ""),
                        .label(
                            .class("check"),
                            .input(.type(.checkbox), .name("unread"), .value("1"), .checked(filter.unreadOnly)),
                            .text(" Unread only")),
                        .label(
                            .class("check"),
                            .input(.type(.checkbox), .name("urgent"), .value("1"), .checked(filter.urgentOnly)),
                            .text(" Urgent only")),
                        .button(.type(.submit), .id("filter-inbox"), .text("Filter"))
                    )),
                .if(threads.isEmpty, .p(.text("No conversations."))),
                .div(
                    .class("scroll"), Scrollable.focusable(),
                    .table(
                        .id("inbox"),
                        .thead(.tr(.th(""), .th("Patient"), .th("Subject"), .th("Clinic"), .th("Last message"))),
                        .tbody(
                            .forEach(threads) { t in
                                .tr(
                                    .class(t.unread ? "unread" : ""),
                                    .td(.text((t.urgent ? "URGENT " : "") + (t.unread ? "●" : ""))),
                                    .td(.text(t.patientName ?? "")),
                                    .td(.a(.href(Site.inboxThread.path(t.id)), .text(t.subject))),
                                    .td(.text(names[t.locationId] ?? "")),
                                    .td(.text(Format.local(t.updatedAt, zone: zone, now: req.now))))
                            })))
            ))
    }
}
