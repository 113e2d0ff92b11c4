import XCTest
import AppCore
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import Accounts
import Patients

final class PatientPagesTests: XCTestCase {
    let form: [String: String] = [
        "familyName": "Nguyen", "givenName": "Linh", "birthDate": "1975-01-22", "sex": "female",
        "email": "", "phone": "", "addressLine1": "", "addressLine2": "", "city": "", "state": "",
        "postalCode": "", "preferredLocationID": "", "insurancePayer": "", "insuranceMemberID": "",
        "insuranceGroup": "",
    ]

    func test_register_search_chart_edit_history_print() async throws {
        try await withTestApp { app, clock in
            let desk = try await Fixtures.user(app, .frontDesk)
            let web = PageClient(app)
            try await web.signIn(desk, clock: clock)
            let created = try await web.post(Site.patients.path(), form)
            XCTAssertEqual(created.status, .seeOther)
            let location = try XCTUnwrap(created.headers.first(name: .location))
            let chart = try await web.get(location)
            XCTAssertEqual(chart.status, .ok)
            XCTAssertTrue(chart.body.string.contains("Nguyen, Linh"))
            let id = String(location.dropFirst("/patients/".count).prefix(36))

            let list = try await web.get(Site.patients.path() + "?q=nguy")
            XCTAssertTrue(list.body.string.contains(Site.patient.path(UUID(uuidString: id)!)))

            var edit = form
            edit["phone"] = "812 555 0177"
            edit["version"] = "1"
            let saved = try await web.post(Site.patientEdit.path(UUID(uuidString: id)!), edit)
            XCTAssertEqual(saved.status, .seeOther)
            let stale = try await web.post(Site.patientEdit.path(UUID(uuidString: id)!), edit)
            XCTAssertEqual(stale.status, .preconditionFailed, "a second save of version 1 is refused")
            XCTAssertTrue(stale.body.string.contains("Someone else changed this record"))

            let history = try await web.get(Site.patientHistory.path(UUID(uuidString: id)!))
            XCTAssertTrue(history.body.string.contains("phone"))
            let printed = try await web.get(Site.patientPrint.path(UUID(uuidString: id)!))
            XCTAssertTrue(printed.body.string.contains("Chart summary"))
            let v1 = try await Fixtures.auditRows(app, action: .print, patientID: UUID(uuidString: id)).count
            XCTAssertEqual(v1, 1)
            XCTAssertEqual(chart.headers.first(name: .cacheControl), "no-store")
        }
    }

    func test_invalidForm_isShownAgainWithFieldsMarked_andNothingWritten() async throws {
        try await withTestApp { app, clock in
            let desk = try await Fixtures.user(app, .frontDesk)
            let web = PageClient(app)
            try await web.signIn(desk, clock: clock)
            var bad = form
            bad["familyName"] = ""
            bad["birthDate"] = "1975-02-30"
            let res = try await web.post(Site.patients.path(), bad)
            XCTAssertEqual(res.status, .unprocessableEntity)
            let html = res.body.string
            XCTAssertTrue(html.contains("id=\"familyName-error\""))
            XCTAssertTrue(html.contains("id=\"birthDate-error\""))
            XCTAssertTrue(html.contains("value=\"Linh\""), "what was typed is kept")
            let v2 = try await PatientRecord.query(on: app.db).count()
            XCTAssertEqual(v2, 0)
        }
    }

    func test_duplicate_isWarnedOnThePage_andCanBeConfirmed() async throws {
        try await withTestApp { app, clock in
            let desk = try await Fixtures.user(app, .frontDesk)
            let web = PageClient(app)
            try await web.signIn(desk, clock: clock)
            _ = try await web.post(Site.patients.path(), form)
            let warned = try await web.post(Site.patients.path(), form)
            XCTAssertEqual(warned.status, .conflict)
            XCTAssertTrue(warned.body.string.contains("id=\"duplicate-warning\""))
            var confirmed = form
            confirmed["acknowledgeDuplicate"] = "on"
            let v3 = try await web.post(Site.patients.path(), confirmed).status
            XCTAssertEqual(v3, .seeOther)
            let v4 = try await PatientRecord.query(on: app.db).count()
            XCTAssertEqual(v4, 2)
        }
    }

    func test_pagesByRole_patientAndSupportKeptOut() async throws {
        try await withTestApp { app, clock in
            let pid = try await Fixtures.patient(app)
            let pat = try await Fixtures.patientUser(app)
            let patWeb = PageClient(app)
            try await patWeb.signIn(pat, clock: clock, portal: true)
            let staffPage = try await patWeb.get(Site.patient.path(pid))
            XCTAssertEqual(staffPage.status, .seeOther)
            XCTAssertEqual(staffPage.headers.first(name: .location), Site.portal.path())

            let support = try await Fixtures.user(app, .support)
            let supWeb = PageClient(app)
            try await supWeb.signIn(support, clock: clock)
            let v5 = try await supWeb.get("/").status
            XCTAssertEqual(v5, .ok)
            let v6 = try await supWeb.get(Site.patient.path(pid)).status
            XCTAssertEqual(v6, .forbidden)
            let v7 = try await supWeb.get(Site.patients.path()).status
            XCTAssertEqual(v7, .forbidden)

            let anon = PageClient(app)
            let v8 = try await anon.get(Site.patient.path(pid)).headers.first(name: .location)
            XCTAssertEqual(v8, Site.login.path())
            let v9 = try await anon.get(Site.portal.path()).headers.first(name: .location)
            XCTAssertEqual(v9, Site.portalLogin.path())
        }
    }

    func test_retire_adminOnly_onPages() async throws {
        try await withTestApp { app, clock in
            let pid = try await Fixtures.patient(app)
            let desk = try await Fixtures.user(app, .frontDesk)
            let deskWeb = PageClient(app)
            try await deskWeb.signIn(desk, clock: clock)
            let v10 = try await deskWeb.get(Site.patient.path(pid)).body.string.contains("Retire this record")
            XCTAssertFalse(v10)
            let v11 = try await deskWeb.post(Site.patientRetire.path(pid), [:]).status
            XCTAssertEqual(v11, .forbidden)
            let admin = try await Fixtures.user(app, .admin)
            let adminWeb = PageClient(app)
            try await adminWeb.signIn(admin, clock: clock)
            let v12 = try await adminWeb.post(Site.patientRetire.path(pid), [:]).status
            XCTAssertEqual(v12, .seeOther)
            let v13 = try await PatientRecord.find(pid, on: app.db)?.retiredAt
            XCTAssertNotNil(v13)
        }
    }
}
