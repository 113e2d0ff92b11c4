import Domain
import Fluent
import SQLKit
import TestSupport
import XCTVapor
import XCTest

import App
import AppCore
import Audit

/// The server's PostgreSQL role must not be able to get round the audit table's append-only guard: the rule in words,
/// the owner's `migrate --app-role` grants, and what readiness, verify and the start check say for each kind of role.
final class DatabaseRoleTests: XCTestCase {
    func test_rule_namesEachWayRoundTheGuard() {
        func facts(_ superuser: Bool, _ owns: Bool, _ writes: Set<String>) -> DatabaseRoleFacts {
            DatabaseRoleFacts(role: "caresync", isSuperuser: superuser, ownsAuditTable: owns, auditWrites: writes)
        }
        XCTAssertEqual(facts(false, false, []).problems, [])
        XCTAssertEqual(facts(false, false, ["SELECT", "INSERT"]).problems, [], "reading and appending are the job")
        XCTAssertEqual(
            facts(true, true, ["UPDATE", "DELETE", "TRUNCATE"]).problems,
            ["the server's database role caresync is a superuser: it can switch the append-only triggers off"])
        XCTAssertEqual(
            facts(false, true, ["UPDATE"]).problems,
            ["the server's database role caresync owns audit_event: it can drop the append-only triggers"])
        XCTAssertEqual(
            facts(false, false, ["TRUNCATE", "DELETE"]).problems,
            ["the server's database role caresync may DELETE, TRUNCATE audit_event"])

        let settings = ProductionSettings(
            publicURL: "https://care.example", cookieSecure: true, seedDemo: false, auditKeyOutsideData: true,
            backupKeyOutsideData: true, smtpConfigured: true, smsConfigured: true,
            databaseRoleProblems: facts(false, true, []).problems)
        let missing = DeploymentRules.missingForProduction(settings)
        XCTAssertEqual(missing.count, 1)
        XCTAssertTrue(missing[0].contains("owns audit_event") && missing[0].contains("--app-role"), missing[0])
    }

    func test_sqlite_hasNoRoleToCheck() async throws {
        try XCTSkipIf(TestDatabase.isPostgres, "SQLite only")
        try await withTestApp { app, _ in
            let facts = try await AuditCheckpoints.roleFacts(app.db)
            XCTAssertNil(facts)
            let ready = try await HTTP.send(app, .GET, Site.healthReady.path())
            XCTAssertNil(try? ready.content.get(String.self, at: "checks", "databaseRole", "status"))
        }
    }

    /// The suites connect as a superuser: a warning outside production, a failure in production.
    func test_ownerOrSuperuser_warnsOutsideProduction_andFailsReadinessInProduction() async throws {
        try XCTSkipUnless(TestDatabase.isPostgres, "PostgreSQL roles")
        try await withTestApp { app, _ in
            let ready = try await HTTP.send(app, .GET, Site.healthReady.path())
            XCTAssertEqual(ready.status, .ok)
            XCTAssertEqual(try ready.content.get(String.self, at: "checks", "databaseRole", "status"), "warn")
            let report = try await AuditVerification.run(app: app, writeCheckpoint: false)
            XCTAssertTrue(report.ok)
            XCTAssertTrue(report.warnings.joined().contains("superuser"), "\(report.warnings)")
        }
        try await withTestApp(configure: { $0.environment = .production }) { app, _ in
            let ready = try await HTTP.send(app, .GET, Site.healthReady.path())
            XCTAssertEqual(ready.status, .serviceUnavailable)
            XCTAssertEqual(try ready.content.get(String.self, at: "checks", "databaseRole", "status"), "fail")
            let report = try await AuditVerification.run(app: app, writeCheckpoint: false)
            XCTAssertFalse(report.ok)
            XCTAssertTrue(report.problem?.contains("superuser") == true, report.problem ?? "")
        }
    }

    func test_appRole_isGranted_startsWithoutMigrating_andCannotTouchTheGuard() async throws {
        try XCTSkipUnless(TestDatabase.isPostgres, "PostgreSQL roles")
        let role = "caresync_test_app"
        try await withTestApp { app, _ in
            try await app.db.sql.raw(
                """
                DO $$ BEGIN
                  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'caresync_test_app') THEN
                    CREATE ROLE caresync_test_app LOGIN;
                  END IF;
                END $$
                """
            ).run()
            do {
                _ = try await DatabaseRoles.grantAppRole(app.db, role: "postgres")
                XCTFail("a superuser is refused")
            } catch let r as DatabaseRoles.Refused { XCTAssertTrue(r.description.contains("superuser")) }
            do {
                _ = try await DatabaseRoles.grantAppRole(app.db, role: "no_such_role")
                XCTFail("a missing role is refused")
            } catch let r as DatabaseRoles.Refused { XCTAssertTrue(r.description.contains("createuser")) }
            let tables = try await DatabaseRoles.grantAppRole(app.db, role: role)
            XCTAssertGreaterThan(tables, 40)

            var config = app.config
            config.databaseURL = try XCTUnwrap(TestDatabase.postgresURL).replacingOccurrences(
                of: "postgres@", with: "\(role)@")
            let served = try await Application.make(.testing)
            do {
                try await App.configure(served, config, migrate: false)
                try await prepareDatabase(served)  // up to date: checks, does not migrate
                let facts = try await AuditCheckpoints.roleFacts(served.db)
                XCTAssertEqual(facts?.role, role)
                XCTAssertEqual(facts?.problems, [])
                let ready = try await HTTP.send(served, .GET, Site.healthReady.path())
                XCTAssertEqual(try ready.content.get(String.self, at: "checks", "databaseRole", "status"), "ok")
                _ = try await Fixtures.patient(served)  // ordinary writes, and their audit events
                for attack in [
                    "UPDATE audit_event SET detail = 'x'", "DELETE FROM audit_event", "TRUNCATE audit_event",
                    "ALTER TABLE audit_event DISABLE TRIGGER ALL",
                    "DROP TRIGGER audit_event_no_truncate ON audit_event",
                    "DELETE FROM _fluent_migrations", "CREATE TABLE sneaky (id int)",
                ] {
                    do {
                        try await served.db.sql.raw(SQLQueryString(attack)).run()
                        XCTFail("the app role could: \(attack)")
                    } catch {}
                }
                let report = try await AuditVerification.run(app: served, writeCheckpoint: false)
                XCTAssertTrue(report.ok, report.problem ?? "")
                XCTAssertEqual(report.warnings, [])
            } catch {
                try? await served.asyncShutdown()
                throw error
            }
            try await served.asyncShutdown()
        }
    }
}
