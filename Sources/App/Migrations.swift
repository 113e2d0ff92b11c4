import Fluent
import SQLKit
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

/// Every migration, once, in order. Additive only (expand now, contract in a later release).
package enum Migrations {
    package static let all: [any AsyncMigration] = ordered.map(RecordedName.init)

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
    ]
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
