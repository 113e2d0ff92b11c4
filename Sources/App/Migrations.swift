import Fluent
import SQLKit
import CarePathways
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
import Locations
import Patients

/// Every migration, once, in order. Additive only (expand now, contract in a later release).
package enum Migrations {
    package static let all: [any AsyncMigration] = [
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
    ]
}
