import Foundation

/// The signed-in party, as the policy sees it.
public struct Principal: Equatable, Sendable {
    public let userID: UUID?
    public let username: String
    public let role: Role
    /// Set for patient accounts: the one record they own.
    public let patientID: UUID?
    /// True for explicit, audited system access (CLI, background jobs).
    public let isSystem: Bool

    public init(userID: UUID?, username: String, role: Role, patientID: UUID? = nil, isSystem: Bool = false) {
        self.userID = userID
        self.username = username
        self.role = role
        self.patientID = patientID
        self.isSystem = isSystem
    }

    /// Elevated access by the command line or a job; still audited under this name.
    public static func system(_ name: String) -> Principal {
        Principal(userID: nil, username: "system:\(name)", role: .admin, isSystem: true)
    }
}

/// What an actor wants to do. PHI actions name the patient they touch.
public enum Action: Equatable, Sendable {
    case readPatient(UUID)
    case searchPatients
    case createPatient
    case updatePatient(UUID)
    /// The clinical summary (problems, allergies, medications): clinical staff read and record; the patient reads
    /// their own confirmed entries; only a provider or the Medical Director confirms an entry from an intake.
    case readClinical(patientID: UUID)
    case recordClinical(patientID: UUID)
    case confirmClinical(patientID: UUID)
    /// Visit notes: clinical staff read them all, the patient their own signed ones; a provider, the Medical Director
    /// or an MA drafts (and adds an addendum); only a provider or the Medical Director signs.
    case readNotes(patientID: UUID)
    case draftNote(patientID: UUID)
    case signNote(patientID: UUID)
    /// Note templates are the practice's data: clinical staff read them; an admin or the Medical Director adds
    /// versions.
    case readNoteTemplates
    case manageNoteTemplates
    /// The language of a patient's pages and messages: the patient themself (the portal's switch) or staff.
    case chooseLanguage(patientID: UUID)
    case deletePatient(UUID)
    case exportPatient(UUID)
    case printPatient(UUID)
    case readPatientAccessLog(UUID)
    case manageUsers
    case readAuditReport
    case exportAuditReport
    case verifyAuditChain
    case readOperations
    /// Incidents: every staff member sees them and may open one; operators, support and admins work them
    /// (acknowledge, change, resolve, write the postmortem); operators and admins keep the on-call roster.
    case readIncidents
    case openIncident
    case manageIncidents
    case manageOnCall
    /// Help desk: anyone signed in asks for help; the requester reads their own ticket; support, operators and
    /// admins work the queue (priority, assignment, replies, internal notes, conversion to an incident).
    case openHelpTicket
    case readHelpTicket(requesterID: UUID)
    case workHelpDesk
    /// The public status page's posts (incidents told to patients, announced maintenance): support, operators and
    /// admins publish them.
    case publishStatus
    /// Appointments: see the calendar, book or change one (for a patient), book over a provider's other visit.
    case readSchedule
    case readAppointments(patientID: UUID)
    case bookAppointment(patientID: UUID)
    case changeAppointment(patientID: UUID)
    case overrideProviderOverlap
    case manageSchedulingSetup
    /// Issue or revoke a provider's calendar feed: the provider themself, or an admin.
    case manageCalendarFeed(providerID: UUID)
    /// Portal invitations: send one to a patient; see registration rates per batch.
    case invitePatient(UUID)
    case readPortalAdoption
    /// Wound photos: upload (the patient, or clinical staff), view, record measurements (clinicians).
    case uploadPhoto(patientID: UUID)
    case readPhotos(patientID: UUID)
    case measureWound(patientID: UUID)
    /// Intake forms: the patient fills their own; staff read and review them (accept into the chart, or return).
    case fillIntake(patientID: UUID)
    case readIntake(patientID: UUID)
    case reviewIntakes
    /// Secure messages between a patient and the care team.
    case readMessages(patientID: UUID)
    case sendMessage(patientID: UUID)
    case readStaffInbox
    /// Files a patient sent (message or intake attachments: photos, letters) are clinical content.
    case readAttachment(patientID: UUID)
    /// A video visit's record (events, the provider's note) is clinical content.
    case readVisitRecord(patientID: UUID)
    /// Care pathways: templates are read by clinical staff, drafted by admins and the Medical Director, approved only
    /// by the Medical Director. Clinicians record procedures and enrol; the patient answers their own check-ins.
    case readPathwayTemplates
    case draftPathwayTemplate
    case approvePathwayTemplate
    case recordProcedure(patientID: UUID)
    case enrolInPathway(patientID: UUID)
    case readPathway(patientID: UUID)
    case answerCheckIn(patientID: UUID)
    /// Care-team tasks raised by pathways (the front desk sees and closes its own scheduling tasks).
    case readCareTasks
    case closeCareTask(team: CareTeam)
    /// The job queue (operators): ids and states, no PHI.
    case readJobs
    /// Prescribing: a medical assistant may prepare a draft; only a prescriber signs (their own). Clinical staff and
    /// the patient read prescriptions; providers decide renewals; EPCS permissions are entered by an admin or the
    /// Medical Director and approved by a second person who is a DEA registrant (checked in the store).
    case prepareRx(patientID: UUID)
    case signRx
    case readRx(patientID: UUID)
    case requestRefill(patientID: UUID)
    case readRefillQueue
    case decideRefill
    case manageEPCS
    case approveEPCSGrant
    case readEPCSReport
    case manageCoverage
    case searchPharmacies
    /// Video visits: staff send join links; providers see the waiting room, admit, and write the visit note;
    /// the patient joins their own.
    case sendVisitLink(patientID: UUID)
    case hostVisit
    case joinVisit(patientID: UUID)
    /// Staff pages and the staff API.
    case useStaffArea
    /// The patient portal.
    case usePortal
}

public enum Decision: Equatable, Sendable {
    case allow
    case deny(String)

    public var isAllowed: Bool { self == .allow }
}

/// The one access policy: every role and the patient-owns-own-data rule, in one place.
public enum AccessPolicy {
    /// Staff roles that work with charts.
    static let clinicalAndDesk: Set<Role> = [.admin, .medicalDirector, .provider, .medicalAssistant, .frontDesk]
    /// Staff who see clinical content (photos, intake answers): not the front desk.
    static let clinical: Set<Role> = [.admin, .medicalDirector, .provider, .medicalAssistant]
    /// Who works the help desk and publishes to the status page.
    static let helpDesk: Set<Role> = [.support, .operator, .admin]
    public static var helpDeskRoles: Set<Role> { helpDesk }

    public static func decide(_ actor: Principal, _ action: Action) -> Decision {
        if actor.isSystem { return .allow }
        let role = actor.role
        switch action {
        case .readPatient(let id), .printPatient(let id), .exportPatient(let id), .readPatientAccessLog(let id):
            if role == .patient {
                return actor.patientID == id ? .allow : .deny("Patients may only see their own record.")
            }
            if case .readPatientAccessLog = action, role == .frontDesk {
                return .deny("The access log of a record is for the patient and admins.")
            }
            return clinicalAndDesk.contains(role)
                ? .allow : .deny("The \(role.label) role has no access to patient records.")
        case .searchPatients, .createPatient:
            return clinicalAndDesk.contains(role)
                ? .allow : .deny("The \(role.label) role cannot search or register patients.")
        case .updatePatient:
            return clinicalAndDesk.contains(role)
                ? .allow : .deny("The \(role.label) role cannot change patient records.")
        case .readClinical(let id):
            if role == .patient {
                return actor.patientID == id ? .allow : .deny("Patients may only see their own record.")
            }
            return clinical.contains(role)
                ? .allow : .deny("The \(role.label) role does not see clinical content.")
        case .recordClinical:
            return clinical.contains(role)
                ? .allow : .deny("Only clinical staff record problems, allergies and medications.")
        case .confirmClinical:
            return role == .provider || role == .medicalDirector
                ? .allow : .deny("Only a provider or the Medical Director confirms clinical entries.")
        case .readNotes(let id):
            if role == .patient {
                return actor.patientID == id ? .allow : .deny("Patients may only see their own record.")
            }
            return clinical.contains(role) ? .allow : .deny("The \(role.label) role does not see visit notes.")
        case .draftNote:
            return [.provider, .medicalDirector, .medicalAssistant].contains(role)
                ? .allow : .deny("Only providers and medical assistants write visit notes.")
        case .signNote:
            return role == .provider || role == .medicalDirector
                ? .allow : .deny("Only a provider or the Medical Director signs a visit note.")
        case .readNoteTemplates:
            return clinical.contains(role) ? .allow : .deny("The \(role.label) role does not see note templates.")
        case .manageNoteTemplates:
            return role == .admin || role == .medicalDirector
                ? .allow : .deny("Only an admin or the Medical Director changes note templates.")
        case .chooseLanguage(let id):
            if role == .patient {
                return actor.patientID == id ? .allow : .deny("Patients may only change their own settings.")
            }
            return clinicalAndDesk.contains(role)
                ? .allow : .deny("The \(role.label) role cannot change patient records.")
        case .deletePatient:
            return role == .admin ? .allow : .deny("Only an admin may retire a patient record.")
        case .manageUsers, .readAuditReport, .exportAuditReport:
            return role == .admin ? .allow : .deny("Only an admin may do this.")
        case .verifyAuditChain:
            return role == .admin || role == .operator
                ? .allow : .deny("Only an admin or operator may verify the audit chain.")
        case .readSchedule, .overrideProviderOverlap:
            return clinicalAndDesk.contains(role)
                ? .allow : .deny("The \(role.label) role has no access to the schedule.")
        case .readAppointments(let id), .bookAppointment(let id), .changeAppointment(let id):
            if role == .patient {
                return actor.patientID == id ? .allow : .deny("Patients may only see and book their own appointments.")
            }
            return clinicalAndDesk.contains(role) ? .allow : .deny("The \(role.label) role cannot book appointments.")
        case .manageCalendarFeed(let provider):
            if role == .admin { return .allow }
            return (role == .provider || role == .medicalDirector) && actor.userID == provider
                ? .allow : .deny("Only the provider or an admin may manage this calendar feed.")
        case .uploadPhoto(let id), .readPhotos(let id):
            if role == .patient {
                return actor.patientID == id
                    ? .allow : .deny("Patients may only see and add photos of their own wounds.")
            }
            return clinical.contains(role) ? .allow : .deny("The \(role.label) role has no access to wound photos.")
        case .measureWound:
            return clinical.contains(role) && role != .admin
                ? .allow : .deny("Only clinicians record wound measurements.")
        case .fillIntake(let id):
            return role == .patient && actor.patientID == id
                ? .allow : .deny("Patients fill in their own intake forms.")
        case .readIntake(let id), .readAttachment(let id):
            // Intake answers and the files patients send are clinical content: not for the front desk.
            if role == .patient {
                return actor.patientID == id ? .allow : .deny("Patients may only see their own forms and files.")
            }
            return clinical.contains(role)
                ? .allow : .deny("The \(role.label) role has no access to intake answers or attachments.")
        case .readMessages(let id), .sendMessage(let id):
            if role == .patient {
                return actor.patientID == id ? .allow : .deny("Patients may only see their own forms and messages.")
            }
            return clinicalAndDesk.contains(role) ? .allow : .deny("The \(role.label) role has no access to messages.")
        case .reviewIntakes:
            return clinical.contains(role)
                ? .allow : .deny("The \(role.label) role has no access to the intake review queue.")
        case .readStaffInbox:
            return clinicalAndDesk.contains(role) ? .allow : .deny("The \(role.label) role has no access to the inbox.")
        case .readVisitRecord:
            return clinical.contains(role)
                ? .allow : .deny("The \(role.label) role has no access to video visit records.")
        case .invitePatient:
            return clinicalAndDesk.contains(role)
                ? .allow : .deny("The \(role.label) role cannot invite patients to the portal.")
        case .readPortalAdoption:
            return clinicalAndDesk.contains(role) || role == .operator
                ? .allow : .deny("The \(role.label) role cannot see portal adoption.")
        case .manageSchedulingSetup:
            return role == .admin ? .allow : .deny("Only an admin may change rooms, appointment types and hours.")
        case .readPathwayTemplates:
            return clinical.contains(role) ? .allow : .deny("The \(role.label) role cannot see care pathway templates.")
        case .draftPathwayTemplate:
            return role == .admin || role == .medicalDirector
                ? .allow : .deny("Only an admin or the Medical Director may write pathway templates.")
        case .approvePathwayTemplate:
            return role == .medicalDirector
                ? .allow : .deny("Only the Medical Director may approve what patients receive.")
        case .recordProcedure, .enrolInPathway:
            return clinical.contains(role) && role != .admin
                ? .allow : .deny("Only clinicians record procedures and enrol patients in pathways.")
        case .readPathway(let id):
            if role == .patient {
                return actor.patientID == id ? .allow : .deny("Patients may only see their own check-ins.")
            }
            return clinical.contains(role) ? .allow : .deny("The \(role.label) role cannot see check-in answers.")
        case .answerCheckIn(let id):
            return role == .patient && actor.patientID == id ? .allow : .deny("Patients answer their own check-ins.")
        case .readCareTasks:
            return clinicalAndDesk.contains(role) ? .allow : .deny("The \(role.label) role has no care-team tasks.")
        case .closeCareTask(let team):
            if team == .frontDesk {
                return clinicalAndDesk.contains(role) ? .allow : .deny("The \(role.label) role cannot close tasks.")
            }
            return clinical.contains(role) ? .allow : .deny("Clinical tasks are closed by clinical staff.")
        case .readJobs:
            return role == .operator || role == .admin
                ? .allow : .deny("Only an operator or admin may see the job queue.")
        case .prepareRx:
            return [.provider, .medicalDirector, .medicalAssistant].contains(role)
                ? .allow : .deny("Only prescribers and medical assistants prepare prescriptions.")
        case .signRx, .decideRefill:
            return role == .provider || role == .medicalDirector
                ? .allow : .deny("Only a prescriber signs prescriptions and decides renewals.")
        case .readRx(let id):
            if role == .patient {
                return actor.patientID == id ? .allow : .deny("Patients may only see their own prescriptions.")
            }
            return clinical.contains(role) ? .allow : .deny("The \(role.label) role cannot see prescriptions.")
        case .requestRefill(let id):
            return role == .patient && actor.patientID == id
                ? .allow : .deny("Patients request refills of their own medicines.")
        case .readRefillQueue:
            return [.provider, .medicalDirector, .medicalAssistant].contains(role)
                ? .allow : .deny("The \(role.label) role has no refill queue.")
        case .manageEPCS, .readEPCSReport:
            return role == .admin || role == .medicalDirector
                ? .allow : .deny("Only an admin or the Medical Director manages EPCS permissions.")
        case .approveEPCSGrant:
            return role == .provider || role == .medicalDirector
                ? .allow : .deny("EPCS permissions are approved by a DEA-registered prescriber.")
        case .manageCoverage:
            return role == .admin || role == .medicalDirector
                ? .allow : .deny("Only an admin or the Medical Director sets covering providers.")
        case .searchPharmacies:
            return clinical.contains(role) || role == .patient
                ? .allow : .deny("The \(role.label) role cannot search pharmacies.")
        case .sendVisitLink:
            return clinicalAndDesk.contains(role) ? .allow : .deny("The \(role.label) role cannot send visit links.")
        case .hostVisit:
            return role == .provider || role == .medicalDirector
                ? .allow : .deny("Only a provider admits patients to video visits.")
        case .joinVisit(let id):
            return role == .patient && actor.patientID == id ? .allow : .deny("Patients join their own video visits.")
        case .useStaffArea:
            return role.isStaff ? .allow : .deny("This area is for practice staff; patients use the portal.")
        case .usePortal:
            return role == .patient && actor.patientID != nil ? .allow : .deny("The portal is for patients.")
        case .readOperations:
            return role == .operator || role == .admin
                ? .allow : .deny("Only an operator or admin may see operations pages.")
        case .readIncidents, .openIncident:
            return role.isStaff ? .allow : .deny("Incidents are for practice staff.")
        case .manageIncidents:
            return [.operator, .support, .admin].contains(role)
                ? .allow : .deny("Only an operator, support or an admin works incidents.")
        case .openHelpTicket:
            return role.isStaff || actor.patientID != nil ? .allow : .deny("Sign in to ask for help.")
        case .readHelpTicket(let requester):
            return actor.userID == requester || helpDesk.contains(role)
                ? .allow : .deny("A help request is seen by the person who sent it and the help desk.")
        case .workHelpDesk:
            return helpDesk.contains(role)
                ? .allow : .deny("Only support, an operator or an admin works the help desk.")
        case .publishStatus:
            return helpDesk.contains(role)
                ? .allow : .deny("Only support, an operator or an admin publishes to the status page.")
        case .manageOnCall:
            return role == .operator || role == .admin
                ? .allow : .deny("Only an operator or admin keeps the on-call roster.")
        }
    }
}
