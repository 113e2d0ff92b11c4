import XCTest
import XCTVapor
import Fluent
import App
import AppCore
import Domain
import TestSupport
import Patients

/// CARESYNC_ENV: production starts only with the production baseline; staging and development hold made-up patients
/// only.
final class DeploymentEnvironmentTests: XCTestCase {
    func test_production_refusesToStart_listingEverythingMissing_thenStartsWhenComplete() async throws {
        try await withTestApp(seedDemo: true, configure: { $0.environment = .production }) { app, _ in
            do {
                try await DeploymentGuard.check(app, env: [:])
                XCTFail("production started without its settings")
            } catch let refused as DeploymentGuard.Refused {
                let text = refused.description
                for name in [
                    "CARESYNC_PUBLIC_URL", "CARESYNC_AUDIT_KEY", "CARESYNC_BACKUP_KEY", "CARESYNC_SMTP_URL",
                    "CARESYNC_SMS_WEBHOOK_URL", "Demo accounts", "drpatel",
                ] {
                    XCTAssertTrue(text.contains(name), "\(name) missing from: \(text)")
                }
            }
        }
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString)").path
        try await withTestApp(configure: {
            $0.environment = .production
            $0.publicURL = "https://portal.example-podiatry.org"
            $0.auditKeyFile = keys + "/audit.key"
            $0.smtpURL = "smtp://127.0.0.1:2525"
            $0.smsWebhookURL = "https://sms.example.org/send"
        }) { app, clock in
            // On PostgreSQL the suite connects as a superuser, which production refuses on its own (DatabaseRoleTests).
            let roleProblems = TestDatabase.isPostgres ? 1 : 0
            do {
                try await DeploymentGuard.check(app, env: ["CARESYNC_BACKUP_KEY": "a long backup passphrase"])
                XCTAssertEqual(roleProblems, 0, "a superuser server role was accepted in production")
            } catch let refused as DeploymentGuard.Refused {
                XCTAssertEqual(refused.problems.count, roleProblems, refused.description)
                XCTAssertTrue(refused.problems.allSatisfy { $0.contains("superuser") }, refused.description)
            }
            // A key file inside the data directory is not kept away from the data.
            app.config.auditKeyFile = app.config.dataDir + "/secrets/audit.key"
            do {
                try await DeploymentGuard.check(app, env: ["CARESYNC_BACKUP_KEY": "a long backup passphrase"])
                XCTFail("a key beside the data was accepted")
            } catch let refused as DeploymentGuard.Refused {
                XCTAssertEqual(refused.problems.count, 1 + roleProblems)
                XCTAssertTrue(refused.problems[0].contains("CARESYNC_AUDIT_KEY_FILE"))
            }
            // Production registers real patients.
            let desk = try await Fixtures.user(app, .frontDesk)
            let res = try await HTTP.send(
                app, .POST, Site.apiPatients.path(), headers: try await Fixtures.bearer(app, desk, clock: clock),
                json: ["familyName": "Realperson", "givenName": "Ann", "birthDate": "1961-02-03", "sex": "female"])
            XCTAssertEqual(res.status, .created)
            XCTAssertEqual(try res.content.decode(PatientDTO.self).synthetic, false)
        }
    }

    func test_stagingAndDevelopment_markEveryRegistrationSynthetic_andRefuseToStartHoldingARealPatient() async throws {
        for environment in [DeploymentEnvironment.staging, .development] {
            try await withTestApp(configure: { $0.environment = environment }) { app, clock in
                let desk = try await Fixtures.user(app, .frontDesk)
                let res = try await HTTP.send(
                    app, .POST, Site.apiPatients.path(), headers: try await Fixtures.bearer(app, desk, clock: clock),
                    json: ["familyName": "Testperson", "givenName": "Bo", "birthDate": "1970-02-03", "sex": "male"])
                XCTAssertEqual(res.status, .created)
                XCTAssertEqual(try res.content.decode(PatientDTO.self).synthetic, true, "\(environment)")
                try await DeploymentGuard.check(app, env: [:])

                // A real patient arrives another way (a production backup restored here, a row written by hand).
                let row = try await PatientRecord.query(on: app.db).first()!
                row.synthetic = false
                try await row.save(on: app.db)
                do {
                    try await DeploymentGuard.check(app, env: [:])
                    XCTFail("\(environment) started holding a real patient")
                } catch let refused as DeploymentGuard.Refused {
                    XCTAssertTrue(
                        refused.description.contains("1 patient(s) not marked synthetic"), refused.description)
                }
            }
        }
    }

    func test_anUnknownEnvironmentName_refusesToStart() async throws {
        let c = AppConfig.fromEnvironment(dataDir: "/tmp/x", env: ["CARESYNC_ENV": "prod"])
        XCTAssertEqual(c.unknownEnvironment, "prod")
        XCTAssertEqual(
            AppConfig.fromEnvironment(dataDir: "/tmp/x", env: ["CARESYNC_ENV": "Staging"]).environment, .staging)
        XCTAssertEqual(AppConfig.fromEnvironment(dataDir: "/tmp/x", env: [:]).environment, .development)
        try await withTestApp(configure: { $0.unknownEnvironment = "prod" }) { app, _ in
            do {
                try await DeploymentGuard.check(app, env: [:])
                XCTFail("started with CARESYNC_ENV=prod")
            } catch let refused as DeploymentGuard.Refused {
                XCTAssertTrue(refused.description.contains("production, staging or development"))
            }
        }
    }

    func test_securityHeaders_closeBaseAndObjects_andHSTSOnlyWhenServedOverTLS() async throws {
        try await withTestApp { app, _ in
            let res = try await app.sendRequest(.GET, "/health/live")
            let csp = res.headers.first(name: "Content-Security-Policy") ?? ""
            XCTAssertTrue(csp.contains("base-uri 'none'") && csp.contains("object-src 'none'"), csp)
            XCTAssertNil(res.headers.first(name: "Strict-Transport-Security"), "no HSTS over plain http")
        }
        try await withTestApp(configure: { $0.publicURL = "https://portal.example-podiatry.org" }) { app, _ in
            let res = try await app.sendRequest(.GET, "/health/live")
            XCTAssertEqual(
                res.headers.first(name: "Strict-Transport-Security"), "max-age=31536000; includeSubDomains")
        }
    }
}
