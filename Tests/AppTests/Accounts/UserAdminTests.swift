import XCTest
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import Accounts
import AppCore
import Patients

final class UserAdminTests: XCTestCase {
    func test_admin_createsAccounts_changesRoles_andEveryChangeIsAudited() async throws {
        try await withTestApp { app, clock in
            let admin = try await Fixtures.user(app, .admin)
            let h = try await Fixtures.bearer(app, admin, clock: clock)
            let created = try await HTTP.send(
                app, .POST, Site.apiUsers.path(), headers: h,
                json: [
                    "username": "ma.new", "displayName": "New MA", "role": "medical-assistant",
                    "password": "a long enough password",
                ])
            XCTAssertEqual(created.status, .created)
            let id = try created.content.get(UUID.self, at: "id")
            let bad = try await HTTP.send(
                app, .POST, Site.apiUsers.path(), headers: h,
                json: ["username": "x", "displayName": "", "role": "wizard", "password": "short"])
            XCTAssertEqual(bad.status, .unprocessableEntity)
            XCTAssertEqual(
                Set(try bad.problem().errors!.map(\.field)), ["username", "displayName", "role", "password"])
            let dup = try await HTTP.send(
                app, .POST, Site.apiUsers.path(), headers: h,
                json: [
                    "username": "ma.new", "displayName": "Again", "role": "support",
                    "password": "a long enough password",
                ])
            XCTAssertEqual(dup.status, .conflict)

            let promoted = try await HTTP.send(
                app, .PATCH, Site.apiUser.path(id), headers: h, json: ["role": "provider"])
            XCTAssertEqual(try promoted.content.get(String.self, at: "role"), "provider")
            let changes = try await Fixtures.auditRows(app, action: .permissionChange)
            XCTAssertEqual(changes.map(\.detail), ["role medical-assistant→provider"])
            let v1 = try await Fixtures.auditRows(app, action: .userCreated).count
            XCTAssertEqual(v1, 2, "the admin fixture and ma.new; the duplicate wrote nothing")
        }
    }

    func test_deactivation_endsOpenSessions_andLastAdminIsKept() async throws {
        try await withTestApp { app, clock in
            let admin = try await Fixtures.user(app, .admin)
            let desk = try await Fixtures.user(app, .frontDesk)
            let h = try await Fixtures.bearer(app, admin, clock: clock)
            let deskH = try await Fixtures.bearer(app, desk, clock: clock)
            _ = try await HTTP.send(app, .PATCH, Site.apiUser.path(desk.id), headers: h, json: ["active": false])
            let v2 = try await HTTP.send(app, .GET, Site.apiMe.path(), headers: deskH).status
            XCTAssertEqual(v2, .unauthorized)
            let lastAdmin = try await HTTP.send(
                app, .PATCH, Site.apiUser.path(admin.id), headers: h, json: ["role": "support"])
            XCTAssertEqual(lastAdmin.status, .conflict)
        }
    }

    func test_unlock_byAdmin_letsALockedUserIn() async throws {
        try await withTestApp { app, clock in
            let admin = try await Fixtures.user(app, .admin)
            let desk = try await Fixtures.user(app, .frontDesk)
            for _ in 1...5 {
                _ = try await HTTP.send(
                    app, .POST, Site.apiAuthToken.path(),
                    json: ["username": desk.username, "password": "nope nope nope"])
            }
            let h = try await Fixtures.bearer(app, admin, clock: clock)
            let users = try await HTTP.send(app, .GET, Site.apiUsers.path(), headers: h)
            XCTAssertTrue(try users.content.decode([UserDTO].self).first { $0.id == desk.id }!.locked)
            _ = try await HTTP.send(app, .PATCH, Site.apiUser.path(desk.id), headers: h, json: ["unlock": true])
            let ok = try await HTTP.send(
                app, .POST, Site.apiAuthToken.path(), json: ["username": desk.username, "password": desk.password])
            XCTAssertEqual(ok.status, .ok)
        }
    }

    func test_cliUsersCreate_generatesAPassword_andAuditsThePatientLookup() async throws {
        try await withTestApp { app, _ in
            let pid = try await Fixtures.patient(app, family: "Clipatient")
            let mrn = try await PatientRecord.find(pid, on: app.db)!.mrn
            let out = try await CareSyncCLI.createUser(
                app.config, username: "pat.cli", displayName: "Cli Patient", role: "patient",
                password: nil, patientMRN: mrn.lowercased())
            XCTAssertTrue(out.contains("Initial password (shown once): "))
            let user = try await UserRecord.query(on: app.db).filter(\.$username == "pat.cli").first()
            XCTAssertEqual(user?.patientID, pid)
            let lookups = try await Fixtures.auditRows(app, action: .query, patientID: pid)
            XCTAssertEqual(lookups.map(\.username), ["system:users-create"])
            do {
                _ = try await CareSyncCLI.createUser(
                    app.config, username: "x.y", displayName: "X", role: "patient", password: nil,
                    patientMRN: "CS0000000")
                XCTFail("unknown MRN accepted")
            } catch {
                XCTAssertTrue(CareSyncCLI.message(for: error).contains("No patient with that MRN"))
            }
        }
    }
}
