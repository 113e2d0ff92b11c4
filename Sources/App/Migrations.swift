import Foundation
import Fluent
import SQLKit
import Alerts
import Incidents
import HelpDesk
import LoadTest
import StatusPage
import CarePathways
import ClinicalRecord
import Encounters
import Intake
import Jobs
import Messaging
import Notifications
import Operations
import Photos
import Portal
import Prescribing
import Scheduling
import Telehealth
import Accounts
import AppCore
import Domain
import Locations
import Patients

/// Every migration, once, in order. Additive only (expand now, contract in a later release): `MigrationPolicy.rule`.
package enum Migrations {
    package static let all: [any AsyncMigration] = (ordered + testContract).map(RecordedName.init)

    /// The recorded names of contract migrations (they drop, rename or retype what earlier code used). A test applies
    /// every migration one at a time and fails when one not listed here removes or retypes a column or a table.
    package static let contract: Set<String> = testContract.isEmpty ? [] : [RecordedName(testContract[0]).name]

    /// Contract migrations the next release may ship: this release's code no longer uses the shape they remove.
    package static let plannedContracts: [String] = []

    /// What `caresync deploy` compares with the live release before anything is started.
    package static var manifest: ReleaseManifest {
        ReleaseManifest(
            release: version,
            migrations: all.compactMap { $0 as? RecordedName }.map {
                MigrationInfo(name: $0.name, change: contract.contains($0.name) ? .contract : .expand)
            },
            plannedContracts: plannedContracts)
    }

    /// A contract step that only a non-production installation with CARESYNC_TEST_CONTRACT_MIGRATION=1 has: the
    /// deploy test's release that must be refused.
    private static let testContract: [any AsyncMigration] = {
        let env = ProcessInfo.processInfo.environment
        guard env["CARESYNC_TEST_CONTRACT_MIGRATION"] == "1", (env["CARESYNC_ENV"] ?? "") != "production" else {
            return []
        }
        return [DropDrillResultVariantForTest()]
    }()

    /// The schema this build expects: how many migrations, and the newest one's recorded name.
    package static var version: VersionReport {
        VersionReport(
            release: BuildInfo.release, schemaVersion: all.count,
            newestMigration: (all.last as? RecordedName)?.name ?? "")
    }

    private static let ordered: [any AsyncMigration] = [
        CreatePractice(),
        CreateLocation(),
        CreateUser(),
        CreateRecoveryCode(),
        CreateUserSession(),
        CreateSignInAttempt(),
        CreatePatient(),
        CreatePatientVersion(),
        CreateAuditEvent(),
        CreateAuditEventAppendOnlyGuard(),
        CreateRoom(),
        CreateAppointmentType(),
        CreateProviderHours(),
        CreateAvailabilityException(),
        CreateAppointment(),
        CreateAppointmentOverlapGuards(),
        UpdatePracticeAddTravelBuffer(),
        CreateCalendarFeed(),
        CreateOutboxMessage(),
        CreatePortalNotice(),
        CreateLocationHours(),
        CreateDrillResult(),
        CreateInvitation(),
        CreateWound(),
        CreatePhoto(),
        CreateUpload(),
        CreateFormDefinition(),
        CreateIntakeSubmission(),
        CreateAttachment(),
        CreateMessageThread(),
        CreateMessage(),
        CreateJob(),
        CreatePathwayTemplate(),
        CreateProcedure(),
        CreatePathwayEnrolment(),
        CreatePathwayTask(),
        CreateCareTask(),
        CreatePrescriberCredential(),
        CreateEPCSGrant(),
        CreatePharmacy(),
        CreatePrescription(),
        CreateScriptMessage(),
        CreateRefillRequest(),
        CreateCoveringProvider(),
        CreateVirtualVisit(),
        CreateVisitLink(),
        CreateVisitPass(),
        CreateVisitEvent(),
        CreateSignalMessage(),
        UpdateVirtualVisitAddHost(),
        UpdatePatientAddPreferredLanguage(),
        CreateClinicalEntry(),
        CreateObservation(),
        CreateNoteTemplate(),
        CreateEncounter(),
        CreateNoteAddendum(),
        UpdatePrescriptionAddSafetyOverride(),
        CreateReferral(),
        CreateDeploymentEvent(),
        CreateAlert(),
        AddAlertOpenedAt(),
        CreateIncidentSimulation(),
        CreateIncidents(),
        CreateHelpDesk(),
        CreateStatusPage(),
        CreateLoadTestRun(),
    ]
}

/// The contract step the deploy test offers (never applied: `caresync deploy` refuses it first).
package struct DropDrillResultVariantForTest: AsyncMigration {
    package init() {}
    package func prepare(on database: any Database) async throws {
        try await database.schema("drill_result").deleteField("variant").update()
    }
    package func revert(on database: any Database) async throws {}
}

/// A migration under the name installed databases know it by. Fluent records each applied migration by its type's
/// full name (`Module.Type`), and every migration was first applied while all of them lived in the `App` module; the
/// recorded name must not follow the type into its capability's module, or an upgraded database would run it twice.
package struct RecordedName: AsyncMigration {
    package let name: String
    private let migration: any AsyncMigration

    package init(_ migration: any AsyncMigration) {
        self.name = "App." + String(describing: type(of: migration))
        self.migration = migration
    }

    package func prepare(on database: any Database) async throws { try await migration.prepare(on: database) }
    package func revert(on database: any Database) async throws { try await migration.revert(on: database) }
}
