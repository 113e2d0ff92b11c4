import XCTest
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import Accounts
import AppCore
import Audit

final class AuditReportTests: XCTestCase {
    func test_report_filtersAndSortsByEveryColumn_andExportIsAudited() async throws {
        try await withTestApp { app, clock in
            let admin = try await Fixtures.user(app, .admin)
            let desk = try await Fixtures.user(app, .frontDesk)
            let deskH = try await Fixtures.bearer(app, desk, clock: clock)
            let pid = try await Fixtures.patient(app)
            _ = try await HTTP.send(app, .GET, Site.apiPatient.path(pid), headers: deskH)
            let h = try await Fixtures.bearer(app, admin, clock: clock)

            for col in AuditReport.columns.map(\.key) {
                for order in ["asc", "desc"] {
                    let r = try await HTTP.send(
                        app, .GET, Site.apiAuditEvents.path() + "?sort=\(col)&order=\(order)", headers: h)
                    XCTAssertEqual(r.status, .ok, "\(col) \(order)")
                    let rows = try r.content.decode([AuditEventDTO].self)
                    XCTAssertFalse(rows.isEmpty)
                    if col == "seq" {
                        let seqs = rows.map(\.seq)
                        XCTAssertEqual(seqs, order == "asc" ? seqs.sorted() : seqs.sorted(by: >))
                    }
                    if col == "user" {
                        let names = rows.map(\.username)
                        XCTAssertEqual(names, order == "asc" ? names.sorted() : names.sorted(by: >))
                    }
                }
            }
            let byPatient = try await HTTP.send(
                app, .GET, Site.apiAuditEvents.path() + "?patient=\(pid)&user=\(desk.username)", headers: h)
            let rows = try byPatient.content.decode([AuditEventDTO].self)
            XCTAssertEqual(rows.map(\.action), ["read"])
            let today = CalendarDate.today(clock.now())
            let range = try await HTTP.send(
                app, .GET, Site.apiAuditEvents.path() + "?from=\(today)&to=\(today)", headers: h)
            XCTAssertFalse(try range.content.decode([AuditEventDTO].self).isEmpty)
            let past = try await HTTP.send(
                app, .GET, Site.apiAuditEvents.path() + "?from=2001-01-01&to=2001-01-02", headers: h)
            XCTAssertTrue(try past.content.decode([AuditEventDTO].self).isEmpty)
            let bad = try await HTTP.send(
                app, .GET, Site.apiAuditEvents.path() + "?sort=password&from=yesterday", headers: h)
            XCTAssertEqual(bad.status, .unprocessableEntity)

            let csv = try await HTTP.send(app, .GET, Site.apiAuditEventsExport.path() + "?patient=\(pid)", headers: h)
            XCTAssertEqual(csv.status, .ok)
            XCTAssertEqual(csv.headers.contentType?.subType, "csv")
            let lines = csv.body.string.split(separator: "\r\n")
            XCTAssertTrue(lines[0].hasPrefix("seq,recorded_at,username,role,patient_id,action"))
            XCTAssertGreaterThanOrEqual(lines.count, 3)
            let exports = try await Fixtures.auditRows(app, action: .export)
            XCTAssertEqual(exports.filter { $0.category == "audit-log" }.count, 1, "the export is itself audited")
        }
    }

    func test_auditPages_adminOnly() async throws {
        try await withTestApp { app, clock in
            let desk = try await Fixtures.user(app, .frontDesk)
            let admin = try await Fixtures.user(app, .admin)
            let deskWeb = PageClient(app)
            try await deskWeb.signIn(desk, clock: clock)
            let v1 = try await deskWeb.get(Site.adminAudit.path()).status
            XCTAssertEqual(v1, .forbidden)
            let v2 = try await deskWeb.get(Site.adminAuditExportCSV.path()).status
            XCTAssertEqual(v2, .forbidden)
            let v3 = try await deskWeb.get(Site.adminUsers.path()).status
            XCTAssertEqual(v3, .forbidden)

            let adminWeb = PageClient(app)
            try await adminWeb.signIn(admin, clock: clock)
            let page = try await adminWeb.get(Site.adminAudit.path() + "?sort=user&order=asc")
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.body.string.contains("id=\"audit\""))
            XCTAssertTrue(page.body.string.contains(desk.username))
            let csv = try await adminWeb.get(Site.adminAuditExportCSV.path())
            XCTAssertEqual(csv.status, .ok)
            XCTAssertTrue(csv.body.string.hasPrefix("seq,"))
        }
    }
}
