import XCTest
#if canImport(FoundationXML)
    import FoundationXML
#endif
import XCTVapor
import Fluent
import App
import AppCore
import Domain
import Incidents
import Notifications
import StatusPage
import TestSupport

/// The public status page: components from probes, incidents and posts; uptime from the probe history; posts with
/// public updates; announced maintenance; the Atom feed; subscriptions confirmed before anything else is sent.
final class StatusPageTests: XCTestCase {
    func test_statusPage_showsProbesIncidentsPostsAndMaintenance_isPublicAndCacheable_andTheFeedIsAtom() async throws {
        try await withTestApp(seedDemo: true) { app, clock in
            let support = try await Fixtures.user(app, .support)
            let front = try await Fixtures.user(app, .frontDesk)
            let now = clock.now()
            // Two nodes: one cannot reach the portal (a partial outage); yesterday had failures.
            try await StatusProbes.record(app, node: "blue", at: now, ["portal": true, "video": true])
            try await StatusProbes.record(app, node: "green", at: now, ["portal": false, "video": true])
            try await StatusProbes.record(
                app, node: "blue", at: now.addingTimeInterval(-86400), ["video": false])

            let h = try await Fixtures.bearer(app, support, clock: clock)
            let published = try await HTTP.send(
                app, .POST, Site.apiStatusPosts.path(), headers: h,
                json: StatusStore.NewPost(
                    kind: "incident", title: "Video visits <b>fail</b> to connect", components: ["video"],
                    impact: "partial-outage", text: "Some patients cannot join. Your provider will call you."))
            XCTAssertEqual(published.status, .created, published.body.string)
            let post = try published.content.decode(StatusStore.PostDTO.self)
            clock.advance(by: 60)
            let updated = try await HTTP.send(
                app, .POST, Site.apiStatusPostUpdates.path(post.id), headers: h,
                json: StatusStore.NewUpdate(state: "identified", text: "A network fault at our provider."))
            XCTAssertEqual(updated.status, .ok)
            let wrongState = try await HTTP.send(
                app, .POST, Site.apiStatusPostUpdates.path(post.id), headers: h,
                json: StatusStore.NewUpdate(state: "completed", text: "x"))
            XCTAssertEqual(wrongState.status, .unprocessableEntity, "completed is for maintenance")
            let iso = { (d: Date) in ISO8601DateFormatter().string(from: d) }
            func maintenanceJSON(_ title: String, _ components: [String], starts: Date, ends: Date) -> String {
                let names = components.map { "\"\($0)\"" }.joined(separator: ",")
                return "{\"kind\":\"maintenance\",\"title\":\"\(title)\",\"components\":[\(names)],"
                    + "\"text\":\"The portal is unavailable for up to 30 minutes.\","
                    + "\"startsAt\":\"\(iso(starts))\",\"endsAt\":\"\(iso(ends))\"}"
            }
            let past = try await HTTP.send(
                app, .POST, Site.apiStatusPosts.path(), headers: h,
                raw: maintenanceJSON(
                    "Upgrade", ["staff"], starts: now.addingTimeInterval(-7200), ends: now.addingTimeInterval(-3600)))
            XCTAssertEqual(past.status, .unprocessableEntity, "maintenance is announced before it happens")
            let maintenance = try await HTTP.send(
                app, .POST, Site.apiStatusPosts.path(), headers: h,
                raw: maintenanceJSON(
                    "Sunday upgrade", ["portal", "staff"], starts: now.addingTimeInterval(2 * 86400),
                    ends: now.addingTimeInterval(2 * 86400 + 1800)))
            XCTAssertEqual(maintenance.status, .created, maintenance.body.string)
            let frontH = try await Fixtures.bearer(app, front, clock: clock)
            let refused = try await HTTP.send(
                app, .POST, Site.apiStatusPosts.path(), headers: frontH,
                json: StatusStore.NewPost(
                    kind: "incident", title: "x", components: ["video"], impact: "degraded", text: "x"))
            XCTAssertEqual(refused.status, .forbidden)

            let api = try await HTTP.send(app, .GET, Site.apiStatus.path())
            XCTAssertEqual(api.status, .ok, "no sign-in")
            let s = try api.content.decode(StatusStore.Snapshot.self)
            let states = Dictionary(s.components.map { ($0.id, $0.state) }) { a, _ in a }
            XCTAssertEqual(states["portal"], .partialOutage, "one node of two fails")
            XCTAssertEqual(states["video"], .partialOutage, "the published incident")
            XCTAssertEqual(states["staff"], .operational)
            XCTAssertEqual(s.components.filter { $0.id.hasPrefix("scheduling:") }.count, 2, "one per location")
            XCTAssertEqual(s.overall, .partialOutage)
            let video = try XCTUnwrap(s.components.first { $0.id == "video" })
            XCTAssertEqual(video.days.count, 90)
            XCTAssertEqual(video.days.suffix(2).map(\.bar), ["major", "up"])
            XCTAssertEqual(video.uptime, "66.67 %", "two of three probes passed")
            XCTAssertEqual(s.active.first?.updates.map(\.state), [.identified, .investigating])
            XCTAssertEqual(s.upcoming.map(\.title), ["Sunday upgrade"])

            let page = try await app.sendRequest(.GET, Site.status.path())
            XCTAssertEqual(page.status, .ok)
            XCTAssertEqual(page.headers.first(name: .cacheControl), "public, max-age=30")
            XCTAssertNil(page.headers.first(name: .setCookie), "nothing per person: a proxy may cache it")
            let html = page.body.string
            XCTAssertFalse(html.contains("<script"), "works without JavaScript")
            XCTAssertTrue(html.contains("Video visits &lt;b&gt;fail&lt;/b&gt;"), "titles are text")
            XCTAssertTrue(html.contains("Planned maintenance") && html.contains("Sunday upgrade"))
            XCTAssertTrue(html.contains("class=\"bar-major\""))

            let feed = try await app.sendRequest(.GET, Site.statusFeed.path())
            XCTAssertEqual(feed.headers.contentType?.subType, "atom+xml")
            let parser = AtomCounter()
            let xml = XMLParser(data: Data(buffer: feed.body))
            xml.delegate = parser
            XCTAssertTrue(xml.parse(), "the feed is well-formed XML")
            XCTAssertEqual(parser.root, "feed")
            XCTAssertEqual(parser.entries, 3)
            XCTAssertTrue(feed.body.string.contains("Video visits &lt;b&gt;fail&lt;/b&gt;"))
        }
    }

    func test_subscribing_sendsAConfirmation_onlyConfirmedSubscribersAreTold_andTheStopLinkWorks() async throws {
        try await withTestApp(seedDemo: true) { app, clock in
            let web = PageClient(app)
            let bad = try await web.post(Site.statusSubscribe.path(), ["address": "not an address"])
            XCTAssertEqual(bad.status, .unprocessableEntity)
            let ok = try await web.post(Site.statusSubscribe.path(), ["address": "Sam@Example.org"])
            XCTAssertEqual(ok.status, .ok)
            XCTAssertTrue(ok.body.string.contains("Check your email or phone"))
            _ = try await web.post(Site.statusSubscribe.path(), ["address": "sam@example.org"])
            let confirmations = try await OutboxMessageRecord.query(on: app.db).filter(\.$kind == "status-confirm")
                .all()
            XCTAssertEqual(confirmations.map(\.recipient), ["sam@example.org"], "one confirmation, not two")
            _ = try await web.post(Site.statusSubscribe.path(), ["address": "+1 (555) 010-0199"])

            let support = try await Fixtures.user(app, .support)
            let scope = AuditScope(
                app: app, db: app.db,
                context: AuditContext(
                    actor: Principal(userID: support.id, username: support.username, role: .support), device: "t"))
            _ = try await StatusStore.publish(
                scope,
                .init(
                    kind: "incident", title: "Portal slow", components: ["portal"], impact: "degraded",
                    text: "Pages load slowly."))
            let early = try await OutboxMessageRecord.query(on: app.db).filter(\.$kind == "status-update").count()
            XCTAssertEqual(early, 0, "nobody confirmed yet")

            let link = try XCTUnwrap(
                confirmations.first?.body.components(separatedBy: "token=").last?
                    .components(separatedBy: "\n").first)
            let opened = try await web.get(Site.statusConfirm.path() + "?token=\(link)")
            XCTAssertTrue(opened.body.string.contains("id=\"confirm\""))
            let confirmed = try await web.post(Site.statusConfirm.path(), ["token": link])
            XCTAssertEqual(confirmed.status, .ok)
            let forged = try await web.post(Site.statusConfirm.path(), ["token": String(repeating: "x", count: 32)])
            XCTAssertEqual(forged.status, .notFound)

            _ = try await StatusStore.publish(
                scope,
                .init(
                    kind: "incident", title: "Portal down", components: ["portal"], impact: "major-outage",
                    text: "The portal cannot be reached."))
            let told = try await OutboxMessageRecord.query(on: app.db).filter(\.$kind == "status-update").all()
            XCTAssertEqual(told.map(\.recipient), ["sam@example.org"], "only the confirmed address")
            XCTAssertNil(told.first?.patientID)
            let stop = try XCTUnwrap(told.first?.body.components(separatedBy: "unsubscribe?token=").last)
            let stopped = try await web.post(Site.statusUnsubscribe.path(), ["token": stop])
            XCTAssertEqual(stopped.status, .ok)
            _ = try await StatusStore.publish(
                scope, .init(kind: "incident", title: "Again", components: ["portal"], impact: "degraded", text: "x"))
            let after = try await OutboxMessageRecord.query(on: app.db).filter(\.$kind == "status-update").count()
            XCTAssertEqual(after, 1, "stopped: nothing more")
            _ = clock
        }
    }
}

/// Counts a feed's entries while parsing it.
final class AtomCounter: NSObject, XMLParserDelegate {
    var root: String?
    var entries = 0

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if root == nil { root = name }
        if name == "entry" { entries += 1 }
    }
}
