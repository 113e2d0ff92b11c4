import XCTest
import XCTVapor
import App
import AppCore
import Domain
import Operations
import TestSupport

final class IncidentSimulationTests: XCTestCase {
    let token = String(repeating: "k", count: 40)

    func test_faultSwitch_onlyWithTheToken_straightToTheNode_spareTheWebhook_andEndsByItself() async throws {
        try await withTestApp(configure: {
            $0.controlToken = token; $0.environment = .staging
        }) { app, clock in
            let base = try await BenchSupport.serve(app)
            func fault(_ body: String, _ headers: HTTPHeaders) async throws -> UInt {
                var h = headers
                h.contentType = .json
                return try await app.client.post(URI(string: base + Site.slotFault.path()), headers: h) { req in
                    req.body = ByteBuffer(string: body)
                }.status.code
            }
            func get(_ path: String) async throws -> UInt {
                try await app.client.get(URI(string: base + path)).status.code
            }
            let mine: HTTPHeaders = ["X-CareSync-Control": token]
            let errors = #"{"fault":"errors","seconds":60}"#
            let noToken = try await fault(errors, [:])
            let proxied = try await fault(errors, ["X-CareSync-Control": token, "X-Forwarded-For": "203.0.113.9"])
            XCTAssertEqual([noToken, proxied], [404, 404], "no token, or through the proxy")
            let unknown = try await fault(#"{"fault":"explode","seconds":60}"#, mine)
            let forever = try await fault(#"{"fault":"errors","seconds":100000}"#, mine)
            let never = try await fault(#"{"fault":"errors","seconds":0}"#, mine)
            XCTAssertEqual([unknown, forever, never], [400, 400, 400])
            let before = try await get(Site.login.path())
            XCTAssertEqual(before, 200, "nothing was switched by the refused requests")

            let on = try await fault(errors, mine)
            let page = try await get(Site.login.path())
            let live = try await get(Site.healthLive.path())
            let webhook = try await app.client.post(URI(string: base + Site.apiAlertmanagerWebhook.path())).status.code
            XCTAssertEqual([on, page, live], [200, 500, 200], "pages fail; health and metrics stay scrapeable")
            XCTAssertEqual(webhook, 401, "the alert webhook is spared: it answers as always (no token here)")
            let metrics = try await app.client.get(URI(string: base + Site.metrics.path())).body.map(String.init) ?? ""
            XCTAssertEqual(TrafficSample.parse(metrics).errors5xx, 1, "the fault's errors are counted as real ones")
            clock.advance(by: 61)
            let after = try await get(Site.login.path())
            XCTAssertEqual(after, 200, "the fault ends by itself when its time is up")

            let stale = try await fault(#"{"fault":"stale-backup","seconds":60}"#, mine)
            let scraped = try await app.client.get(URI(string: base + Site.metrics.path())).body.map(String.init) ?? ""
            let line = scraped.split(separator: "\n").first { $0.hasPrefix("caresync_last_backup_timestamp_seconds ") }
            let reported = line.flatMap { Double($0.split(separator: " ")[1]) } ?? 0
            XCTAssertEqual(stale, 200)
            XCTAssertEqual(
                reported, clock.now().timeIntervalSince1970 - InjectedFault.staleBackupAge, accuracy: 1,
                "the newest backup looks 27 hours old")

            let down = try await fault(#"{"fault":"down","seconds":60}"#, mine)
            let downMetrics = try await get(Site.metrics.path())
            let downReady = try await get(Site.healthReady.path())
            let off = try await fault(#"{"fault":"none","seconds":1}"#, mine)
            let back = try await get(Site.metrics.path())
            XCTAssertEqual([down, downMetrics, downReady, off, back], [200, 503, 503, 200, 200])
            await app.server.shutdown()
        }
    }

    func test_production_refusesTheFaultSwitch_evenWithTheToken() async throws {
        try await withTestApp(configure: {
            $0.controlToken = token; $0.environment = .production
        }) { app, _ in
            let base = try await BenchSupport.serve(app)
            let res = try await app.client.post(
                URI(string: base + Site.slotFault.path()), headers: ["X-CareSync-Control": token]
            ) { req in
                req.headers.contentType = .json
                req.body = ByteBuffer(string: #"{"fault":"errors","seconds":60}"#)
            }
            XCTAssertEqual(res.status, .forbidden)
            XCTAssertTrue((res.body.map(String.init) ?? "").contains("refused in production"))
            XCTAssertNil(app.faultSwitch.active(at: app.clock.now()))
            await app.server.shutdown()
        }
        var config = AppConfig(dataDir: "/tmp/x")
        config.environment = .production
        do {
            _ = try await IncidentSimulation.simulate(
                config, kind: .errorBurst,
                options: .init(node: "http://127.0.0.1:1", token: token, actor: "t", timeoutSeconds: 10) { _ in })
            XCTFail("the command refuses production before it touches anything")
        } catch let e as IncidentSimulation.Refused {
            XCTAssertTrue(e.description.contains("never in production"))
        }
    }

    func test_evidence_citesTheLatestPassedRunOfEachKind_andTheWorstTimeToPage() {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        func run(_ k: IncidentKind, _ at: Double, page: Double?) -> IncidentTiming {
            let fault = t0.addingTimeInterval(at)
            return IncidentTiming(
                kind: k, faultAt: fault, alertReceivedAt: page.map { fault.addingTimeInterval($0 - 1) },
                notifiedAt: page.map { fault.addingTimeInterval($0) })
        }
        XCTAssertEqual(
            AlertRoutingEvidence([]).sentence { _ in "" },
            "Alert routing has not been tested with a synthetic incident.")
        let partial = AlertRoutingEvidence([
            run(.errorBurst, 0, page: 90),  // an older, slower run: the newer one counts
            run(.errorBurst, 100, page: 5),
            run(.latency, 200, page: 30),
            run(.nodeDown, 300, page: nil),  // timed out: not evidence
        ])
        XCTAssertEqual(partial.kindsPassed, [.errorBurst, .latency])
        XCTAssertEqual(partial.kindsMissing, [.signInSpike, .nodeDown, .staleBackup])
        XCTAssertEqual(partial.worstSecondsToPage, 30)
        XCTAssertFalse(partial.complete)
        XCTAssertEqual(
            partial.sentence { _ in "2027-01-15" },
            "Alert routing tested on 2027-01-15, 2 kinds, worst time to page 30 s; not yet: sign-in-spike, node-down, "
                + "stale-backup.")
        let all = AlertRoutingEvidence(IncidentKind.allCases.enumerated().map { run($1, Double($0), page: 10) })
        XCTAssertTrue(all.complete)
        XCTAssertEqual(all.testedOn, t0.addingTimeInterval(4))
    }

    func test_faultPaths_spareControlAndWebhook_andHealthUnlessDown() {
        XCTAssertFalse(InjectedFault.errors.applies(to: "/_slot/fault"))
        XCTAssertFalse(InjectedFault.down.applies(to: "/api/v1/alerts/alertmanager"))
        XCTAssertFalse(InjectedFault.latency.applies(to: "/metrics"))
        XCTAssertTrue(InjectedFault.down.applies(to: "/metrics"))
        XCTAssertTrue(InjectedFault.errors.applies(to: "/api/v1/slots"))
        XCTAssertFalse(InjectedFault.staleBackup.applies(to: "/login"))
        XCTAssertEqual(IncidentKind.signInSpike.switchedFault, nil)
        XCTAssertEqual(Set(IncidentKind.allCases.map(\.alertname)).count, IncidentKind.allCases.count)
    }
}
