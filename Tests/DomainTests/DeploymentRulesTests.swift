import XCTest
@testable import Domain

final class DeploymentRulesTests: XCTestCase {
    let ready = ProductionSettings(
        publicURL: "https://portal.example-podiatry.org", cookieSecure: true, seedDemo: false,
        auditKeyOutsideData: true, backupKeyOutsideData: true, smtpConfigured: true, smsConfigured: true)

    func test_aCompleteProductionConfiguration_lacksNothing() {
        XCTAssertEqual(DeploymentRules.missingForProduction(ready), [])
    }

    func test_eachMissingSetting_isNamed_andAllOfThemAreListedAtOnce() {
        let bare = ProductionSettings(
            publicURL: "http://localhost:8080", cookieSecure: false, seedDemo: true, auditKeyOutsideData: false,
            backupKeyOutsideData: false, smtpConfigured: false, smsConfigured: false,
            demoAccounts: ["admin", "drpatel"])
        let missing = DeploymentRules.missingForProduction(bare)
        XCTAssertEqual(missing.count, 8, "\(missing)")
        for name in [
            "CARESYNC_PUBLIC_URL", "CARESYNC_COOKIE_SECURE", "--no-demo", "admin, drpatel", "CARESYNC_AUDIT_KEY",
            "CARESYNC_BACKUP_KEY", "CARESYNC_SMTP_URL", "CARESYNC_SMS_WEBHOOK_URL",
        ] {
            XCTAssertTrue(missing.contains { $0.contains(name) }, "\(name) in \(missing)")
        }
        var onlyHTTP = ready
        onlyHTTP.publicURL = "http://portal.example-podiatry.org"
        XCTAssertEqual(DeploymentRules.missingForProduction(onlyHTTP).count, 1)
    }

    func test_onlyProductionHoldsRealPatients() {
        XCTAssertTrue(DeploymentEnvironment.production.holdsRealPatients)
        XCTAssertFalse(DeploymentEnvironment.staging.holdsRealPatients)
        XCTAssertFalse(DeploymentEnvironment.development.holdsRealPatients)
    }

    func test_insideTheDataDirectory_isDecidedOnWholePathComponents() {
        XCTAssertTrue(DeploymentRules.isInside("/srv/caresync/data/secrets/audit.key", "/srv/caresync/data"))
        XCTAssertTrue(DeploymentRules.isInside("/srv/caresync/data/../data/x", "/srv/caresync/data/"))
        XCTAssertFalse(DeploymentRules.isInside("/srv/caresync/data-keys/audit.key", "/srv/caresync/data"))
        XCTAssertFalse(DeploymentRules.isInside("/etc/caresync/audit.key", "/srv/caresync/data"))
    }
}
