import Vapor

/// One URL of the site: its path template, the route it registers and the links it builds. `Parameter` lists the
/// types of its `:name` parts in order, so a link cannot leave one out or pass the wrong kind of value:
/// `Site.scheduleAppointmentMove.path(id)` is `/schedule/appointments/<id>/move`, and
/// `routes.staff.get(Site.scheduleAppointmentMove.route, use: …)` registers it.
package struct SiteURL<each Parameter: CustomStringConvertible>: Sendable {
    /// What the route group adds in front (`api/v1` for the JSON API).
    package let base: [String]
    /// The path after the base, with `:name` for each parameter.
    package let template: [String]

    /// A page or endpoint at `template`; `types` are the types of its `:name` parts, in order.
    package init(_ template: [String], _ types: repeat (each Parameter).Type) {
        self.init(base: [], template, repeat each types)
    }

    /// An endpoint of the JSON API (`/api/v1/…`, registered on the API route groups).
    package init(api template: [String], _ types: repeat (each Parameter).Type) {
        self.init(base: ["api", "v1"], template, repeat each types)
    }

    private init(base: [String], _ template: [String], _ types: repeat (each Parameter).Type) {
        var count = 0
        for _ in repeat each types { count += 1 }
        precondition(
            template.filter { $0.hasPrefix(":") }.count == count,
            "\(template) needs one type per parameter")
        self.base = base
        self.template = template
    }

    /// The route, relative to its group, for registering a handler.
    package var route: [PathComponent] { template.map { PathComponent(stringLiteral: $0) } }

    /// The path with these values for its parameters (a UUID as its uppercase string), e.g. for a link.
    package func path(_ values: repeat each Parameter) -> String {
        var given: [String] = []
        for value in repeat each values { given.append(value.description) }
        var next = given.makeIterator()
        let parts = template.map { $0.hasPrefix(":") ? (next.next() ?? $0) : $0 }
        return "/" + (base + parts).joined(separator: "/")
    }
}

/// Every page and endpoint of the site, by capability. Routes are registered with `route`, views link with
/// `path(…)`, and tests call pages with `path(…)`; the JSON API's shapes are in the OpenAPI document.
package enum Site {
    // Accounts
    package static let adminUsers = SiteURL(["admin", "users"])
    package static let adminUser = SiteURL(["admin", "users", ":id"], UUID.self)
    package static let apiAuthRevoke = SiteURL(api: ["auth", "revoke"])
    package static let apiAuthToken = SiteURL(api: ["auth", "token"])
    package static let apiMe = SiteURL(api: ["me"])
    package static let apiUsers = SiteURL(api: ["users"])
    package static let apiUser = SiteURL(api: ["users", ":id"], UUID.self)
    package static let login = SiteURL(["login"])
    package static let loginSecondFactor = SiteURL(["login", "mfa"])
    package static let logout = SiteURL(["logout"])
    package static let mfaEnrol = SiteURL(["mfa", "enroll"])
    package static let portalLogin = SiteURL(["portal", "login"])
    /// The language switch on patient-facing pages.
    package static let language = SiteURL(["language"])
    // App
    package static let openAPIDocument = SiteURL(["api", "openapi.json"])
    package static let apiOperationsBackups = SiteURL(api: ["operations", "backups"])
    package static let apiOperationsDrills = SiteURL(api: ["operations", "drills"])
    package static let apiOperationsDeployments = SiteURL(api: ["operations", "deployments"])
    package static let apiAlertmanagerWebhook = SiteURL(api: ["alerts", "alertmanager"])
    package static let apiAlerts = SiteURL(api: ["alerts"])
    package static let opsRollbackPlan = SiteURL(["ops", "rollback-plan"])
    package static let ops = SiteURL(["ops"])
    package static let opsDashboard = SiteURL(["ops", "dashboard"])
    package static let opsLoadTests = SiteURL(["ops", "loadtests"])
    package static let opsLoadTest = SiteURL(["ops", "loadtests", ":id"], UUID.self)
    package static let apiOperationsLoadTests = SiteURL(api: ["operations", "loadtests"])
    package static let incidents = SiteURL(["incidents"])
    package static let incidentNew = SiteURL(["incidents", "new"])
    package static let incident = SiteURL(["incidents", ":id"], UUID.self)
    package static let incidentAction = SiteURL(["incidents", ":id", ":action"], UUID.self, String.self)
    package static let incidentAck = SiteURL(["incidents", "ack"])
    package static let onCall = SiteURL(["oncall"])
    package static let apiIncidents = SiteURL(api: ["incidents"])
    package static let apiIncident = SiteURL(api: ["incidents", ":id"], UUID.self)
    package static let apiIncidentAck = SiteURL(api: ["incidents", ":id", "ack"], UUID.self)
    package static let apiIncidentState = SiteURL(api: ["incidents", ":id", "state"], UUID.self)
    package static let apiIncidentSeverity = SiteURL(api: ["incidents", ":id", "severity"], UUID.self)
    package static let apiIncidentNotes = SiteURL(api: ["incidents", ":id", "notes"], UUID.self)
    package static let apiIncidentPostmortem = SiteURL(api: ["incidents", ":id", "postmortem"], UUID.self)
    package static let apiIncidentActionItemDone = SiteURL(
        api: ["incidents", ":id", "action-items", ":item", "done"], UUID.self, UUID.self)
    // HelpDesk
    package static let help = SiteURL(["help"])
    package static let helpNew = SiteURL(["help", "new"])
    package static let helpTicket = SiteURL(["help", ":id"], UUID.self)
    package static let helpTicketAction = SiteURL(["help", ":id", ":action"], UUID.self, String.self)
    package static let portalHelp = SiteURL(["portal", "help"])
    package static let portalHelpTicket = SiteURL(["portal", "help", ":id"], UUID.self)
    package static let apiHelpTickets = SiteURL(api: ["help-tickets"])
    package static let apiHelpTicketsMetrics = SiteURL(api: ["help-tickets", "metrics"])
    package static let apiHelpTicket = SiteURL(api: ["help-tickets", ":id"], UUID.self)
    package static let apiHelpTicketReplies = SiteURL(api: ["help-tickets", ":id", "replies"], UUID.self)
    package static let apiHelpTicketIncident = SiteURL(api: ["help-tickets", ":id", "incident"], UUID.self)
    // StatusPage
    package static let status = SiteURL(["status"])
    package static let statusFeed = SiteURL(["status", "feed.atom"])
    package static let statusSubscribe = SiteURL(["status", "subscribe"])
    package static let statusConfirm = SiteURL(["status", "confirm"])
    package static let statusUnsubscribe = SiteURL(["status", "unsubscribe"])
    package static let statusManage = SiteURL(["status", "manage"])
    package static let statusManagePost = SiteURL(["status", "manage", ":id"], UUID.self)
    package static let apiStatus = SiteURL(api: ["status"])
    package static let apiStatusPosts = SiteURL(api: ["status", "posts"])
    package static let apiStatusPostUpdates = SiteURL(api: ["status", "posts", ":id", "updates"], UUID.self)
    package static let apiStatusProbes = SiteURL(api: ["status", "probes"])
    // Audit
    package static let adminAudit = SiteURL(["admin", "audit"])
    package static let adminAuditExportCSV = SiteURL(["admin", "audit", "export.csv"])
    package static let apiAuditEvents = SiteURL(api: ["audit-events"])
    package static let apiAuditEventsExport = SiteURL(api: ["audit-events", "export"])
    package static let apiAuditVerify = SiteURL(api: ["audit", "verify"])
    // CarePathways
    package static let apiCareTasks = SiteURL(api: ["care-tasks"])
    package static let apiCareTaskClose = SiteURL(api: ["care-tasks", ":id", "close"], UUID.self)
    package static let apiPathwayEnrolmentStop = SiteURL(api: ["pathway-enrolments", ":id", "stop"], UUID.self)
    package static let apiPathwayTask = SiteURL(api: ["pathway-tasks", ":id"], UUID.self)
    package static let apiPathwayTaskAnswers = SiteURL(api: ["pathway-tasks", ":id", "answers"], UUID.self)
    package static let apiPathwayTaskBook = SiteURL(api: ["pathway-tasks", ":id", "book"], UUID.self)
    package static let apiPathwayTemplates = SiteURL(api: ["pathway-templates"])
    package static let apiPathwayTemplate = SiteURL(api: ["pathway-templates", ":id"], UUID.self)
    package static let apiPathwayTemplateApprove = SiteURL(api: ["pathway-templates", ":id", "approve"], UUID.self)
    package static let apiPatientPathwayTasks = SiteURL(api: ["patients", ":id", "pathway-tasks"], UUID.self)
    package static let apiPatientPathways = SiteURL(api: ["patients", ":id", "pathways"], UUID.self)
    package static let apiPatientProcedures = SiteURL(api: ["patients", ":id", "procedures"], UUID.self)
    package static let pathways = SiteURL(["pathways"])
    package static let pathway = SiteURL(["pathways", ":id"], UUID.self)
    package static let pathwayApprove = SiteURL(["pathways", ":id", "approve"], UUID.self)
    package static let patientPathways = SiteURL(["patients", ":id", "pathways"], UUID.self)
    package static let patientProcedures = SiteURL(["patients", ":id", "procedures"], UUID.self)
    package static let portalCheckIns = SiteURL(["portal", "check-ins"])
    package static let portalCheckIn = SiteURL(["portal", "check-ins", ":id"], UUID.self)
    package static let portalCheckInBook = SiteURL(["portal", "check-ins", ":id", "book"], UUID.self)
    package static let tasks = SiteURL(["tasks"])
    package static let taskClose = SiteURL(["tasks", ":id", "close"], UUID.self)
    // Chart
    package static let patient = SiteURL(["patients", ":id"], UUID.self)
    // Home
    package static let home = SiteURL([])
    package static let apiLocations = SiteURL(api: ["locations"])
    // Intake
    package static let apiForms = SiteURL(api: ["forms"])
    package static let apiIntake = SiteURL(api: ["intake"])
    package static let apiIntakeSubmission = SiteURL(api: ["intake", ":id"], UUID.self)
    package static let apiIntakeAccept = SiteURL(api: ["intake", ":id", "accept"], UUID.self)
    package static let apiIntakeReturn = SiteURL(api: ["intake", ":id", "return"], UUID.self)
    package static let apiPatientIntake = SiteURL(api: ["patients", ":id", "intake"], UUID.self)
    package static let apiPatientIntakeForm = SiteURL(
        api: ["patients", ":id", "intake", ":code"], UUID.self, String.self)
    package static let intake = SiteURL(["intake"])
    package static let intakeReview = SiteURL(["intake", ":id"], UUID.self)
    package static let intakeAccept = SiteURL(["intake", ":id", "accept"], UUID.self)
    package static let intakeReturn = SiteURL(["intake", ":id", "return"], UUID.self)
    package static let portalForms = SiteURL(["portal", "forms"])
    package static let portalForm = SiteURL(["portal", "forms", ":code"], String.self)
    // Jobs
    package static let apiJobs = SiteURL(api: ["jobs"])
    package static let apiJobRetry = SiteURL(api: ["jobs", ":id", "retry"], UUID.self)
    package static let jobs = SiteURL(["jobs"])
    package static let jobsRetry = SiteURL(["jobs", "retry"])
    // Messaging
    package static let apiConversation = SiteURL(api: ["conversations", ":id"], UUID.self)
    package static let apiConversationMessages = SiteURL(api: ["conversations", ":id", "messages"], UUID.self)
    package static let apiInbox = SiteURL(api: ["inbox"])
    package static let apiPatientConversations = SiteURL(api: ["patients", ":id", "conversations"], UUID.self)
    package static let inbox = SiteURL(["inbox"])
    package static let inboxThread = SiteURL(["inbox", ":id"], UUID.self)
    package static let inboxAssign = SiteURL(["inbox", ":id", "assign"], UUID.self)
    package static let inboxReply = SiteURL(["inbox", ":id", "reply"], UUID.self)
    package static let portalMessages = SiteURL(["portal", "messages"])
    package static let portalMessage = SiteURL(["portal", "messages", ":id"], UUID.self)
    package static let portalMessageReply = SiteURL(["portal", "messages", ":id", "reply"], UUID.self)
    // Operations
    package static let healthLive = SiteURL(["health", "live"])
    package static let healthReady = SiteURL(["health", "ready"])
    /// A blue-green slot's control routes (the deploy's token only; `SlotControl`).
    package static let slotDrain = SiteURL(["_slot", "drain"])
    package static let slotResume = SiteURL(["_slot", "resume"])
    package static let slotFault = SiteURL(["_slot", "fault"])
    package static let slotSignalCheck = SiteURL(["_slot", "signal-check"])
    package static let metrics = SiteURL(["metrics"])
    // Patients
    package static let apiPatients = SiteURL(api: ["patients"])
    package static let apiPatient = SiteURL(api: ["patients", ":id"], UUID.self)
    package static let apiPatientAccessLog = SiteURL(api: ["patients", ":id", "access-log"], UUID.self)
    package static let apiPatientExport = SiteURL(api: ["patients", ":id", "export"], UUID.self)
    package static let apiPatientHistory = SiteURL(api: ["patients", ":id", "history"], UUID.self)
    package static let patients = SiteURL(["patients"])
    package static let patientEdit = SiteURL(["patients", ":id", "edit"], UUID.self)
    package static let patientHistory = SiteURL(["patients", ":id", "history"], UUID.self)
    package static let patientPrint = SiteURL(["patients", ":id", "print"], UUID.self)
    package static let patientRetire = SiteURL(["patients", ":id", "retire"], UUID.self)
    package static let patientsNew = SiteURL(["patients", "new"])
    // Photos
    package static let apiAttachment = SiteURL(api: ["attachments", ":id"], UUID.self)
    package static let apiPatientWounds = SiteURL(api: ["patients", ":id", "wounds"], UUID.self)
    // ClinicalRecord
    package static let apiPatientClinical = SiteURL(api: ["patients", ":id", "clinical"], UUID.self)
    package static let apiClinicalEntry = SiteURL(api: ["clinical-entries", ":id"], UUID.self)
    package static let patientClinical = SiteURL(["patients", ":id", "clinical"], UUID.self)
    package static let clinicalEntry = SiteURL(["clinical-entries", ":id"], UUID.self)
    package static let apiPatientObservations = SiteURL(api: ["patients", ":id", "observations"], UUID.self)
    package static let apiObservation = SiteURL(api: ["observations", ":id"], UUID.self)
    package static let apiPatientReferrals = SiteURL(api: ["patients", ":id", "referrals"], UUID.self)
    package static let patientObservations = SiteURL(["patients", ":id", "observations"], UUID.self)
    package static let observation = SiteURL(["observations", ":id"], UUID.self)

    // Encounters
    package static let apiNoteTemplates = SiteURL(api: ["note-templates"])
    package static let apiPatientEncounters = SiteURL(api: ["patients", ":id", "encounters"], UUID.self)
    package static let apiEncounter = SiteURL(api: ["encounters", ":id"], UUID.self)
    package static let apiEncounterSign = SiteURL(api: ["encounters", ":id", "sign"], UUID.self)
    package static let apiEncounterAddenda = SiteURL(api: ["encounters", ":id", "addenda"], UUID.self)
    package static let patientEncounters = SiteURL(["patients", ":id", "encounters"], UUID.self)
    package static let encounter = SiteURL(["encounters", ":id"], UUID.self)
    package static let encounterAddenda = SiteURL(["encounters", ":id", "addenda"], UUID.self)
    package static let portalNotes = SiteURL(["portal", "notes"])
    package static let portalNote = SiteURL(["portal", "notes", ":id"], UUID.self)
    package static let apiPhoto = SiteURL(api: ["photos", ":id"], UUID.self)
    package static let apiPhotoThumbnail = SiteURL(api: ["photos", ":id", "thumbnail"], UUID.self)
    package static let assetsUploadScript = SiteURL(["assets", "upload.js"])
    package static let attachment = SiteURL(["attachments", ":id"], UUID.self)
    package static let patientWounds = SiteURL(["patients", ":id", "wounds"], UUID.self)
    package static let patientWoundsCompare = SiteURL(["patients", ":id", "wounds", "compare"], UUID.self)
    package static let photo = SiteURL(["photos", ":id"], UUID.self)
    package static let photoMeasure = SiteURL(["photos", ":id", "measure"], UUID.self)
    package static let photoThumbnail = SiteURL(["photos", ":id", "thumbnail"], UUID.self)
    package static let portalAttachment = SiteURL(["portal", "attachments", ":id"], UUID.self)
    package static let portalPhotos = SiteURL(["portal", "photos"])
    package static let portalPhoto = SiteURL(["portal", "photos", ":id"], UUID.self)
    package static let portalPhotoThumbnail = SiteURL(["portal", "photos", ":id", "thumbnail"], UUID.self)
    package static let portalPhotosUpload = SiteURL(["portal", "photos", "upload"])
    package static let portalWounds = SiteURL(["portal", "wounds"])
    // Portal
    package static let apiInvitationsBatches = SiteURL(api: ["invitations", "batches"])
    package static let apiPatientInvitations = SiteURL(api: ["patients", ":id", "invitations"], UUID.self)
    package static let patientInvite = SiteURL(["patients", ":id", "invite"], UUID.self)
    package static let portal = SiteURL(["portal"])
    package static let portalAppointments = SiteURL(["portal", "appointments"])
    package static let portalAppointmentCalendar = SiteURL(
        ["portal", "appointments", ":id", "calendar.ics"], UUID.self)
    package static let portalAppointmentCancel = SiteURL(["portal", "appointments", ":id", "cancel"], UUID.self)
    package static let portalAppointmentReschedule = SiteURL(
        ["portal", "appointments", ":id", "reschedule"], UUID.self)
    package static let portalAppointmentsBook = SiteURL(["portal", "appointments", "book"])
    package static let portalInvite = SiteURL(["portal", "invite", ":token"], String.self)
    // Prescribing
    package static let apiEPCSGrants = SiteURL(api: ["epcs", "grants"])
    package static let apiEPCSGrantDecision = SiteURL(api: ["epcs", "grants", ":id", "decision"], UUID.self)
    package static let apiEPCSGrantRevoke = SiteURL(api: ["epcs", "grants", ":id", "revoke"], UUID.self)
    package static let apiEPCSReport = SiteURL(api: ["epcs", "report"])
    package static let apiFormulary = SiteURL(api: ["formulary"])
    package static let apiLocationCoveringProvider = SiteURL(api: ["locations", ":id", "covering-provider"], UUID.self)
    package static let apiPatientPrescriptions = SiteURL(api: ["patients", ":id", "prescriptions"], UUID.self)
    package static let apiPharmacies = SiteURL(api: ["pharmacies"])
    package static let apiPrescription = SiteURL(api: ["prescriptions", ":id"], UUID.self)
    package static let apiPrescriptionCancel = SiteURL(api: ["prescriptions", ":id", "cancel"], UUID.self)
    package static let apiPrescriptionRefillRequests = SiteURL(
        api: ["prescriptions", ":id", "refill-requests"], UUID.self)
    package static let apiPrescriptionSign = SiteURL(api: ["prescriptions", ":id", "sign"], UUID.self)
    package static let apiRefillRequests = SiteURL(api: ["refill-requests"])
    package static let apiRefillRequestDecision = SiteURL(api: ["refill-requests", ":id", "decision"], UUID.self)
    package static let apiUserPrescriberCredentials = SiteURL(
        api: ["users", ":id", "prescriber-credentials"], UUID.self)
    package static let epcs = SiteURL(["epcs"])
    package static let epcsReport = SiteURL(["epcs", "report"])
    package static let patientPrescribe = SiteURL(["patients", ":id", "prescribe"], UUID.self)
    package static let pharmacies = SiteURL(["pharmacies"])
    package static let portalRefills = SiteURL(["portal", "refills"])
    package static let portalRefill = SiteURL(["portal", "refills", ":id"], UUID.self)
    package static let prescription = SiteURL(["prescriptions", ":id"], UUID.self)
    package static let prescriptionCancel = SiteURL(["prescriptions", ":id", "cancel"], UUID.self)
    package static let prescriptionSign = SiteURL(["prescriptions", ":id", "sign"], UUID.self)
    package static let refills = SiteURL(["refills"])
    package static let refillDecide = SiteURL(["refills", ":id", "decide"], UUID.self)
    package static let scriptInbound = SiteURL(["script", "inbound"])
    // Scheduling
    package static let apiAppointmentTypes = SiteURL(api: ["appointment-types"])
    package static let apiAppointments = SiteURL(api: ["appointments"])
    package static let apiAppointment = SiteURL(api: ["appointments", ":id"], UUID.self)
    package static let apiAvailabilityExceptions = SiteURL(api: ["availability-exceptions"])
    package static let apiCalendarFeeds = SiteURL(api: ["calendar-feeds"])
    package static let apiCalendarFeed = SiteURL(api: ["calendar-feeds", ":id"], UUID.self)
    package static let apiLocationHours = SiteURL(api: ["location-hours"])
    package static let apiProviderHours = SiteURL(api: ["provider-hours"])
    package static let apiRooms = SiteURL(api: ["rooms"])
    package static let apiSchedulingSettings = SiteURL(api: ["scheduling-settings"])
    package static let apiSlots = SiteURL(api: ["slots"])
    package static let assetsPickerScript = SiteURL(["assets", "picker.js"])
    package static let assetsPrintScript = SiteURL(["assets", "print.js"])
    package static let calendarFeedFile = SiteURL(["calendar", ":file"], String.self)
    package static let schedule = SiteURL(["schedule"])
    package static let scheduleAppointment = SiteURL(["schedule", "appointments", ":id"], UUID.self)
    package static let scheduleAppointmentMove = SiteURL(["schedule", "appointments", ":id", "move"], UUID.self)
    package static let scheduleBook = SiteURL(["schedule", "book"])
    package static let scheduleMyDay = SiteURL(["schedule", "my-day"])
    package static let scheduleDaySheet = SiteURL(["schedule", "day-sheet"])
    package static let schedulePatientSearch = SiteURL(["schedule", "patient-search"])
    // Telehealth
    package static let apiAppointmentVisit = SiteURL(api: ["appointments", ":id", "visit"], UUID.self)
    package static let apiAppointmentVisitLink = SiteURL(api: ["appointments", ":id", "visit-link"], UUID.self)
    package static let apiVisit = SiteURL(api: ["visits", ":id"], UUID.self)
    package static let apiVisitAdmit = SiteURL(api: ["visits", ":id", "admit"], UUID.self)
    package static let apiVisitEnd = SiteURL(api: ["visits", ":id", "end"], UUID.self)
    package static let apiVisitHandoff = SiteURL(api: ["visits", ":id", "handoff"], UUID.self)
    package static let apiVisitsWaiting = SiteURL(api: ["visits", "waiting"])
    package static let assetsVisitScript = SiteURL(["assets", "visit.js"])
    package static let assetsWaitingScript = SiteURL(["assets", "waiting.js"])
    package static let portalVisit = SiteURL(["portal", "visits", "appointment", ":id"], UUID.self)
    package static let scheduleAppointmentVisit = SiteURL(["schedule", "appointments", ":id", "visit"], UUID.self)
    package static let scheduleAppointmentVisitLink = SiteURL(
        ["schedule", "appointments", ":id", "visit-link"], UUID.self)
    package static let visitRoom = SiteURL(["visit", ":id"], UUID.self)
    package static let visitJoin = SiteURL(["visit", "join", ":token"], String.self)
    package static let visitsWaitingRoom = SiteURL(["visits"])
    package static let visitAdmit = SiteURL(["visits", ":id", "admit"], UUID.self)
    package static let visitEnd = SiteURL(["visits", ":id", "end"], UUID.self)
    package static let visitEvents = SiteURL(["visits", ":id", "events"], UUID.self)
    package static let visitHandoff = SiteURL(["visits", ":id", "handoff"], UUID.self)
    package static let visitIce = SiteURL(["visits", ":id", "ice"], UUID.self)
    package static let visitRecord = SiteURL(["visits", ":id", "record"], UUID.self)
    package static let visitSignal = SiteURL(["visits", ":id", "signal"], UUID.self)
    package static let visitsWaitingList = SiteURL(["visits", "waiting-list"])
}
