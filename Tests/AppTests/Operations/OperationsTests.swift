import XCTest
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import Accounts
import AppCore
import Audit
import Demo
import Locations
import Operations
import Patients

final class OperationsTests: XCTestCase {
    func test_health_liveAndReady_reportEachCheck() async throws {
        try await withTestApp { app, _ in
            let live = try await HTTP.send(app, .GET, Site.healthLive.path())
            XCTAssertEqual(live.status, .ok)
            let ready = try await HTTP.send(app, .GET, Site.healthReady.path())
            XCTAssertEqual(ready.status, .ok)
            let body = try ready.content.decode(HealthController.Readiness.self)
            XCTAssertEqual(body.checks["database"]?.status, "ok")
            XCTAssertEqual(body.checks["blobStore"]?.status, "ok")
            // Which release this node runs, and the schema it expects: what a deploy compares before switching.
            XCTAssertEqual(body.version, CareSyncCLI.version())
            XCTAssertEqual(body.version.schemaVersion, Migrations.all.count)
            XCTAssertEqual(body.version.newestMigration, (Migrations.all.last as? RecordedName)?.name)
            let metrics = try await HTTP.send(app, .GET, Site.metrics.path()).body.string
            XCTAssertTrue(
                metrics.contains(
                    #"caresync_build_info{version="\#(body.version.version)",commit="\#(body.version.commit)","#
                        + #"schema="\#(Migrations.all.count)"} 1"#), metrics)
        }
    }

    func test_releaseFile_isReadOnlyWhenItIsOne() {
        let good = ReleaseInfo.parse(Data(#"{"version":"1.4.0","commit":"abc123def456","builtAt":"2026-11-29"}"#.utf8))
        XCTAssertEqual(good, ReleaseInfo(version: "1.4.0", commit: "abc123def456", builtAt: "2026-11-29"))
        XCTAssertNil(
            ReleaseInfo.parse(Data(#"{"version":"1.4.0\"} 1\ncaresync_x{","commit":"a"}"#.utf8)),
            "label-breaking characters")
        XCTAssertNil(ReleaseInfo.parse(Data("not json".utf8)))
        XCTAssertNil(ReleaseInfo.parse(Data(#"{"version":"","commit":"a"}"#.utf8)))
    }

    func test_ready_failsWhenTheBlobStoreIsUnwritable() async throws {
        try await withTestApp { app, _ in
            struct Broken: BlobStore {
                func put(_ key: String, _ data: Data) throws { throw CocoaError(.fileWriteNoPermission) }
                func get(_ key: String) throws -> Data? { nil }
                func delete(_ key: String) throws {}
                func probe() throws { throw CocoaError(.fileWriteNoPermission) }
            }
            app.blobs = Broken()
            let ready = try await HTTP.send(app, .GET, Site.healthReady.path())
            XCTAssertEqual(ready.status, .serviceUnavailable)
            XCTAssertEqual(
                try ready.content.decode(HealthController.Readiness.self).checks["blobStore"]?.status, "fail")
        }
    }

    func test_metrics_countRequestsByRoutePattern_andAuditEvents() async throws {
        try await withTestApp { app, clock in
            let h = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let pid = try await Fixtures.patient(app)
            _ = try await HTTP.send(app, .GET, Site.apiPatient.path(pid), headers: h)
            let text = try await HTTP.send(app, .GET, Site.metrics.path()).body.string
            XCTAssertTrue(
                text.contains(
                    #"caresync_http_requests_total{method="GET",route="/api/v1/patients/:id",status="200"} 1"#), text)
            XCTAssertTrue(text.contains("caresync_http_request_duration_seconds_bucket"))
            XCTAssertFalse(text.contains(pid.uuidString), "concrete ids never become labels")
            XCTAssertTrue(text.contains("caresync_audit_events_written_total"))
        }
    }

    func test_logs_areJSONLines_withRequestID_andNoPHI() async throws {
        try await withTestApp { app, clock in
            LogCapture.clear()
            let h = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let created = try await HTTP.send(
                app, .POST, Site.apiPatients.path(), headers: h,
                json: ["familyName": "Zwolinski", "givenName": "Bartholomew", "birthDate": "1944-03-02", "sex": "male"])
            let id = try created.content.get(UUID.self, at: "id")
            _ = try await HTTP.send(app, .GET, Site.apiPatients.path() + "?q=zwolinski", headers: h)
            _ = try await HTTP.send(app, .GET, Site.apiPatient.path(id), headers: h)
            _ = try await HTTP.send(
                app, .POST, Site.apiPatients.path(), headers: h,
                json: ["familyName": "Zwolinski", "birthDate": "1944-02-31"])
            let lines = LogCapture.lines
            XCTAssertFalse(lines.isEmpty)
            for line in lines {
                let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                XCTAssertNotNil(obj?["ts"])
                XCTAssertNotNil(obj?["msg"])
                for phi in ["Zwolinski", "zwolinski", "Bartholomew", "1944-03-02", "1944-02-31"] {
                    XCTAssertFalse(line.contains(phi), "PHI in log line: \(line)")
                }
            }
            let requestLines = lines.filter { $0.contains("\"msg\":\"request\"") }
            XCTAssertGreaterThanOrEqual(requestLines.count, 4)
            XCTAssertTrue(requestLines.allSatisfy { $0.contains("\"request-id\"") })
        }
    }

    func test_openAPI_isServed_andDescribesEveryAPIRoute() async throws {
        try await withTestApp { app, _ in
            let res = try await HTTP.send(app, .GET, Site.openAPIDocument.path())
            XCTAssertEqual(res.status, .ok)
            let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
            XCTAssertEqual(doc["openapi"] as? String, "3.1.0")
            let paths = try XCTUnwrap(doc["paths"] as? [String: [String: Any]])
            var missing: [String] = []
            for route in app.routes.all {
                let parts = route.path.map(\.description)
                guard parts.first == "api", parts.count > 1, parts[1] == "v1" else { continue }
                let path = "/" + parts.map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : $0 }.joined(separator: "/")
                if paths[path]?[route.method.rawValue.lowercased()] == nil {
                    missing.append("\(route.method.rawValue) \(path)")
                }
            }
            XCTAssertEqual(missing, [], "routes missing from the OpenAPI document")
        }
    }

    func test_demoSeed_createsPracticeAccountsAndSyntheticPatients_once() async throws {
        try await withTestApp(seedDemo: true) { app, _ in
            let v1 = try await LocationRecord.query(on: app.db).count()
            XCTAssertEqual(v1, 2)
            let zones = try await LocationRecord.query(on: app.db).all().map(\.timeZone)
            XCTAssertTrue(zones.allSatisfy { TimeZone(identifier: $0) != nil })
            let roles = Set(try await UserRecord.query(on: app.db).all().map(\.role))
            XCTAssertEqual(roles, Set(Role.allCases))
            let patients = try await PatientRecord.query(on: app.db).all()
            XCTAssertGreaterThanOrEqual(patients.count, 5)
            XCTAssertTrue(patients.allSatisfy(\.synthetic))
            let again = try await DemoSeed.seed(app)
            XCTAssertFalse(again)
            let r = try await AuditVerification.run(app: app, writeCheckpoint: false)
            XCTAssertTrue(r.ok)
        }
    }
}
