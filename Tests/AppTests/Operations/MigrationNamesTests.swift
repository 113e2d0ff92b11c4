import App
import XCTest

/// Installed databases record each applied migration by name (`_fluent_migrations`). The names are a contract with
/// every existing installation: a renamed one runs again on upgrade and fails on a table that already exists.
final class MigrationNamesTests: XCTestCase {
    func test_migrationNames_areTheOnesInstalledDatabasesRecorded_inOrder() {
        // Act
        let names = Migrations.all.map(\.name)

        // Assert: the names every database migrated so far carries, in the order they were applied.
        XCTAssertEqual(Array(names.prefix(Self.installed.count)), Self.installed)
        XCTAssertEqual(Set(names).count, names.count, "every migration has its own name")
    }

    static let installed = [
        "App.CreatePractice",
        "App.CreateLocation",
        "App.CreateUser",
        "App.CreateRecoveryCode",
        "App.CreateUserSession",
        "App.CreateSignInAttempt",
        "App.CreatePatient",
        "App.CreatePatientVersion",
        "App.CreateAuditEvent",
        "App.CreateAuditEventAppendOnlyGuard",
        "App.CreateRoom",
        "App.CreateAppointmentType",
        "App.CreateProviderHours",
        "App.CreateAvailabilityException",
        "App.CreateAppointment",
        "App.CreateAppointmentOverlapGuards",
        "App.UpdatePracticeAddTravelBuffer",
        "App.CreateCalendarFeed",
        "App.CreateOutboxMessage",
        "App.CreatePortalNotice",
        "App.CreateLocationHours",
        "App.CreateDrillResult",
        "App.CreateInvitation",
        "App.CreateWound",
        "App.CreatePhoto",
        "App.CreateUpload",
        "App.CreateFormDefinition",
        "App.CreateIntakeSubmission",
        "App.CreateAttachment",
        "App.CreateMessageThread",
        "App.CreateMessage",
        "App.CreateJob",
        "App.CreatePathwayTemplate",
        "App.CreateProcedure",
        "App.CreatePathwayEnrolment",
        "App.CreatePathwayTask",
        "App.CreateCareTask",
        "App.CreatePrescriberCredential",
        "App.CreateEPCSGrant",
        "App.CreatePharmacy",
        "App.CreatePrescription",
        "App.CreateScriptMessage",
        "App.CreateRefillRequest",
        "App.CreateCoveringProvider",
        "App.CreateVirtualVisit",
        "App.CreateVisitLink",
        "App.CreateVisitPass",
        "App.CreateVisitEvent",
        "App.CreateSignalMessage",
        "App.UpdateVirtualVisitAddHost",
    ]
}
