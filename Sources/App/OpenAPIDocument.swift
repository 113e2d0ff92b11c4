import Accounts
import Alerts
import AppCore
import Audit
import CarePathways
import ClinicalRecord
import Encounters
import Domain
import Intake
import LoadTest
import Jobs
import Incidents
import Locations
import Messaging
import Patients
import Photos
import Portal
import Prescribing
import Scheduling
import Telehealth
import Vapor

/// The OpenAPI 3.1 description of `/api/v1`, served at `/api/openapi.json`. Operations are listed here; every request
/// and response shape is derived from the Swift type the handler decodes or returns (`APISchema`). Tests check that
/// every registered API route is described, and every `/api/v1` response of the suite matches (`OpenAPIContract`).
package enum OpenAPIDocument {
    package typealias J = [String: Any]

    package static func ref(_ name: String) -> J { ["$ref": "#/components/schemas/\(name)"] }
    package static func str(format: String? = nil) -> J {
        var s: J = ["type": "string"]
        if let f = format { s["format"] = f }
        return s
    }
    package static func arr(_ items: J) -> J { ["type": "array", "items": items] }
    package static func json(_ schema: J) -> J { ["application/json": ["schema": schema]] }

    package static var problemResponse: J {
        [
            "description": "RFC 9457 problem details",
            "content": ["application/problem+json": ["schema": ref("Problem")]],
        ]
    }
    package static func ok(_ desc: String, _ schema: J?) -> J {
        var r: J = ["description": desc]
        if let s = schema { r["content"] = json(s) }
        return r
    }
    package static func op(
        _ id: String, _ summary: String, tag: String, params: [J] = [], body: J? = nil, responses: J,
        secured: Bool = true
    ) -> J {
        var o: J = ["operationId": id, "summary": summary, "tags": [tag]]
        if !params.isEmpty { o["parameters"] = params }
        if let b = body { o["requestBody"] = ["required": true, "content": json(b)] }
        var r = responses
        // What every operation may answer: a bad request, sign-in and permission refusals, a refused value, a body too
        // large; a record named in the path that does not exist (404); a tus request without Tus-Resumable (412).
        let names = params.compactMap { $0["in"] as? String == "path" ? $0["name"] as? String : nil }
        let tus = params.contains { $0["name"] as? String == "Tus-Resumable" }
        let usual =
            (secured ? ["400", "401", "403", "422"] : ["400", "422"]) + (body == nil ? [] : ["413"])
            + (names.isEmpty ? [] : ["404"]) + (tus ? ["412"] : [])
        for code in usual where r[code] == nil {
            r[code] = problemResponse
        }
        o["responses"] = r
        if !secured { o["security"] = [J]() }
        return o
    }
    package static func query(_ name: String, _ desc: String, schema: J = str()) -> J {
        ["name": name, "in": "query", "required": false, "description": desc, "schema": schema]
    }
    package static var idParam: J { ["name": "id", "in": "path", "required": true, "schema": str(format: "uuid")] }

    /// A schema derived from the Swift type the handler decodes or returns (see `APISchema`).
    package static func of<T: Decodable>(
        _ type: T.Type, required: [String] = [], _ fields: [String: APIField] = [:]
    ) -> J {
        APISchema.of(type, required: required, fields: fields)
    }

    /// What staff may enter about a patient: limits and formats beyond the Swift types.
    package static var patientFields: [String: APIField] {
        [
            "familyName": .text(max: 100), "givenName": .text(max: 100), "birthDate": .date,
            "sex": APIField(values: Sex.allCases.map(\.rawValue)),
            "email": APIField(format: "email", maxLength: 254), "phone": .text(max: 32),
            "addressLine1": .text(max: 200), "addressLine2": .text(max: 200), "city": .text(max: 100),
            "state": .text(max: 50), "postalCode": .text(max: 16), "insurancePayer": .text(max: 200),
            "insuranceMemberID": .text(max: 64), "insuranceGroup": .text(max: 64),
            "preferredLanguage": APIField(values: PatientLanguage.allCases.map(\.rawValue)),
        ]
    }

    /// Care pathways and the job queue.
    /// The clinical summary: problems (Condition), allergies (AllergyIntolerance), reported medicines
    /// (MedicationStatement).
    package static var clinicalPaths: J {
        let entry = of(ClinicalStore.EntryDTO.self)
        let input = of(
            ClinicalEntryInput.self, required: ["kind"],
            [
                "kind": APIField(values: ClinicalKind.allCases.map(\.rawValue)),
                "code": .text(max: 16, "ICD-10-CM for a problem (E11.42); NKA with an allergy: no known allergies"),
                "display": .text(max: 200, "The problem, substance or medicine"), "onset": .date,
                "reaction": .text(max: 200), "severity": APIField(values: AllergySeverity.allCases.map(\.rawValue)),
                "dose": .text(max: 200),
            ])
        let change = of(
            ClinicalStore.Change.self,
            [
                "status": APIField(values: ClinicalStatus.allCases.map(\.rawValue)),
                "verification": APIField(values: [ClinicalVerification.confirmed.rawValue]),
            ])
        return [
            "/api/v1/patients/{id}/clinical": [
                "get": op(
                    "clinicalSummary",
                    "Problems, allergies and reported medications (clinical staff; the patient: confirmed only)",
                    tag: "clinical", params: [idParam],
                    responses: ["200": ok("Summary", of(ClinicalStore.Summary.self)), "403": problemResponse]),
                "post": op(
                    "addClinicalEntry",
                    "Record a problem, allergy or medication (confirmed when a provider records it)", tag: "clinical",
                    params: [idParam], body: input,
                    responses: ["201": ok("Entry", entry), "409": problemResponse, "422": problemResponse]),
            ],
            "/api/v1/clinical-entries/{id}": [
                "patch": op(
                    "changeClinicalEntry", "Resolve, stop or reactivate an entry; a provider confirms it",
                    tag: "clinical", params: [idParam], body: change,
                    responses: ["200": ok("Entry", entry), "422": problemResponse])
            ],
        ]
    }

    /// Observations: vital signs, the A1c, smoking status (FHIR Observation: LOINC code, category, UCUM unit).
    package static var observationPaths: J {
        let observation = of(ClinicalStore.ObservationDTO.self)
        let input = of(
            ObservationInput.self, required: ["kind"],
            [
                "kind": APIField(values: ObservationKind.allCases.map(\.rawValue)),
                "value": .text(max: 12, "The number (systolic for blood pressure)"),
                "value2": .text(max: 12, "Diastolic, for blood pressure"),
                "answer": APIField("Smoking status", values: SmokingStatus.allCases.map(\.rawValue)),
                "effective": .date,
            ])
        let change = of(
            ClinicalStore.ObservationChange.self,
            ["status": APIField(values: [ObservationStatus.final.rawValue, ObservationStatus.enteredInError.rawValue])])
        return [
            "/api/v1/patients/{id}/observations": [
                "get": op(
                    "listObservations", "Vital signs and results, newest first (the patient: final ones only)",
                    tag: "clinical", params: [idParam],
                    responses: ["200": ok("Observations", arr(observation)), "403": problemResponse]),
                "post": op(
                    "recordObservation", "Record a measurement (final when a provider records it)", tag: "clinical",
                    params: [idParam], body: input, responses: ["201": ok("Observation", observation)]),
            ],
            "/api/v1/patients/{id}/referrals": [
                "get": op(
                    "listReferrals", "Referrals into the practice, newest first (clinical staff)", tag: "clinical",
                    params: [idParam],
                    responses: [
                        "200": ok("Referrals", arr(of(ClinicalStore.ReferralDTO.self))), "403": problemResponse,
                    ])
            ],
            "/api/v1/observations/{id}": [
                "patch": op(
                    "changeObservation", "A provider confirms (final); any clinician marks entered-in-error",
                    tag: "clinical", params: [idParam], body: change,
                    responses: ["200": ok("Observation", observation), "409": problemResponse])
            ],
        ]
    }

    /// Encounters and visit notes (FHIR Encounter + Composition): templates, drafts, signatures, addenda.
    package static var encounterPaths: J {
        let encounter = of(NoteStore.EncounterDTO.self)
        let start = of(
            NoteStore.StartInput.self, required: ["templateCode"],
            [
                "templateCode": .text(max: 64, "A note template's code (GET /api/v1/note-templates)"),
                "appointmentId": APIField("One of the patient's appointments", format: "uuid"), "date": .date,
            ])
        let save = of(
            NoteStore.SaveInput.self,
            ["version": APIField("The version read; a note changed since is refused with 409")])
        let addendum = of(NoteStore.AddendumInput.self, required: ["text"], ["text": .text(max: NoteRules.maxAddendum)])
        return [
            "/api/v1/note-templates": [
                "get": op(
                    "listNoteTemplates", "The newest version of each note template (clinical staff)", tag: "notes",
                    responses: ["200": ok("Templates", arr(ref("FormDefinition"))), "403": problemResponse])
            ],
            "/api/v1/patients/{id}/encounters": [
                "get": op(
                    "listEncounters", "Visits with their notes, newest first (the patient: signed notes only)",
                    tag: "notes", params: [idParam], responses: ["200": ok("Encounters", arr(encounter))]),
                "post": op(
                    "startEncounter", "Start a draft note from a template, for an appointment or a day",
                    tag: "notes", params: [idParam], body: start,
                    responses: ["201": ok("Encounter", encounter), "409": problemResponse]),
            ],
            "/api/v1/encounters/{id}": [
                "get": op(
                    "getEncounter", "One visit note (the patient: their own signed notes)", tag: "notes",
                    params: [idParam], responses: ["200": ok("Encounter", encounter)]),
                "patch": op(
                    "saveEncounter", "Save a draft's answers (a signed note answers 409)", tag: "notes",
                    params: [idParam], body: save,
                    responses: ["200": ok("Encounter", encounter), "409": problemResponse]),
            ],
            "/api/v1/encounters/{id}/sign": [
                "post": op(
                    "signEncounter", "Sign the note (provider or Medical Director; every required field answered)",
                    tag: "notes", params: [idParam], body: save,
                    responses: ["200": ok("Encounter", encounter), "409": problemResponse])
            ],
            "/api/v1/encounters/{id}/addenda": [
                "post": op(
                    "addAddendum", "Add an addendum to a signed note", tag: "notes", params: [idParam],
                    body: addendum, responses: ["201": ok("Encounter", encounter), "409": problemResponse])
            ],
        ]
    }

    package static var pathwayPaths: J {
        let note = of(PathwayController.NoteBody.self, ["note": .text(max: 500)])
        return [
            "/api/v1/pathway-templates": [
                "get": op(
                    "listPathwayTemplates", "Pathway template versions with status (clinical staff)", tag: "pathways",
                    responses: ["200": ok("Templates", arr(of(PathwayStore.TemplateSummary.self)))]),
                "post": op(
                    "draftPathwayTemplate",
                    "A new or changed template: saved as the next version, a draft (admin, Medical Director)",
                    tag: "pathways",
                    body: of(PathwayTemplate.self),
                    responses: ["201": ok("Draft", of(PathwayStore.TemplateSummary.self))]),
            ],
            "/api/v1/pathway-templates/{id}": [
                "get": op(
                    "readPathwayTemplate", "A version with the exact patient-facing preview of each step",
                    tag: "pathways",
                    params: [idParam],
                    responses: ["200": ok("Template", of(PathwayStore.TemplateDTO.self)), "404": problemResponse])
            ],
            "/api/v1/pathway-templates/{id}/approve": [
                "post": op(
                    "approvePathwayTemplate", "Approve a draft for patients (Medical Director only; audited)",
                    tag: "pathways",
                    params: [idParam], body: note,
                    responses: ["200": ok("Approved", of(PathwayStore.TemplateSummary.self)), "409": problemResponse])
            ],
            "/api/v1/patients/{id}/procedures": [
                "post": op(
                    "recordProcedure", "Record a procedure; enrols in the approved pathway its CPT code triggers",
                    tag: "pathways", params: [idParam],
                    body: of(
                        PathwayStore.ProcedureInput.self,
                        required: ["code", "name", "performedOn", "locationId", "providerId"],
                        ["code": APIField("CPT"), "performedOn": .date]),
                    responses: ["201": ok("Procedure", of(PathwayStore.ProcedureDTO.self))])
            ],
            "/api/v1/patients/{id}/pathways": [
                "post": op(
                    "enrolInPathway", "Enrol by hand in the approved version of a pathway", tag: "pathways",
                    params: [idParam],
                    body: of(
                        PathwayStore.EnrolInput.self,
                        required: ["templateCode", "startDay", "locationId", "providerId"],
                        ["startDay": .date]),
                    responses: ["201": ok("Enrolment", of(PathwayStore.EnrolmentDTO.self)), "409": problemResponse])
            ],
            "/api/v1/patients/{id}/pathway-tasks": [
                "get": op(
                    "listPathwayTasks", "The patient's check-ins, photo prompts and follow-up offers (audited)",
                    tag: "pathways",
                    params: [idParam], responses: ["200": ok("Tasks", arr(of(PathwayStore.TaskDTO.self)))])
            ],
            "/api/v1/pathway-enrolments/{id}/stop": [
                "post": op(
                    "stopEnrolment", "Stop: pending steps cancelled, open tasks closed", tag: "pathways",
                    params: [idParam],
                    responses: ["200": ok("Enrolment", of(PathwayStore.EnrolmentDTO.self))])
            ],
            "/api/v1/pathway-tasks/{id}": [
                "get": op(
                    "readPathwayTask", "One task (audited)", tag: "pathways", params: [idParam],
                    responses: ["200": ok("Task", of(PathwayStore.TaskDTO.self))])
            ],
            "/api/v1/pathway-tasks/{id}/answers": [
                "post": op(
                    "answerCheckIn", "The patient answers a check-in; red flags raise an urgent care-team task",
                    tag: "pathways",
                    params: [idParam],
                    body: of(PathwayController.AnswersBody.self, required: ["answers"]),
                    responses: ["200": ok("Answered", of(PathwayStore.AnswerResult.self)), "409": problemResponse])
            ],
            "/api/v1/pathway-tasks/{id}/book": [
                "post": op(
                    "bookFollowUpOffer", "Book one of the offered follow-up times (index)", tag: "pathways",
                    params: [idParam],
                    body: of(PathwayController.OfferBody.self, required: ["offer"], ["offer": APIField(minimum: 0)]),
                    responses: ["200": ok("Task", of(PathwayStore.TaskDTO.self)), "409": problemResponse])
            ],
            "/api/v1/care-tasks": [
                "get": op(
                    "listCareTasks", "Open care-team tasks, urgent first (front desk: its own)", tag: "pathways",
                    params: [query("all", "1: include closed")],
                    responses: ["200": ok("Tasks", arr(of(PathwayStore.CareTaskDTO.self)))])
            ],
            "/api/v1/care-tasks/{id}/close": [
                "post": op(
                    "closeCareTask", "Close a task with a note", tag: "pathways", params: [idParam], body: note,
                    responses: ["200": ok("Task", of(PathwayStore.CareTaskDTO.self)), "409": problemResponse])
            ],
            "/api/v1/jobs": [
                "get": op(
                    "listJobs", "The durable job queue: counts by state and jobs (operator, admin)", tag: "operations",
                    params: [query("status", "pending, running, done, failed or cancelled")],
                    responses: ["200": ok("Jobs", of(JobsController.Overview.self))])
            ],
            "/api/v1/jobs/{id}/retry": [
                "post": op(
                    "retryJob", "Queue a failed job again", tag: "operations", params: [idParam],
                    responses: ["200": ok("Queued", of([String: Int].self))])
            ],
        ]
    }

    /// e-Prescribing and EPCS.
    package static var prescribingPaths: J {
        let otp = of(
            PrescriptionStore.SignInput.self,
            [
                "otp": APIField("Current authenticator code (controlled substances)"),
                "overrideReason": .text(
                    max: DrugSafety.maxOverrideReason,
                    "Why to prescribe despite drug-allergy or duplicate-therapy alerts (required when there are any)"),
            ])
        let rx = of(PrescriptionStore.RxDTO.self)
        let grant = of(EPCSStore.GrantDTO.self)
        return [
            "/api/v1/pharmacies": [
                "get": op(
                    "searchPharmacies", "The pharmacy directory by name, city, postal code or NCPDPID",
                    tag: "prescribing",
                    params: [query("q", "Search text")],
                    responses: ["200": ok("Pharmacies", arr(of(PharmacyDirectory.Entry.self)))])
            ],
            "/api/v1/formulary": [
                "get": op(
                    "formulary", "The bundled formulary (RxNorm, NDC, DEA schedule)", tag: "prescribing",
                    responses: ["200": ok("Drugs", arr(of(FormularyDrug.self)))])
            ],
            "/api/v1/patients/{id}/prescriptions": [
                "get": op(
                    "listPrescriptions", "The patient's prescriptions (audited)", tag: "prescribing", params: [idParam],
                    responses: ["200": ok("Prescriptions", arr(rx))]),
                "post": op(
                    "draftPrescription",
                    "A draft (providers, the Medical Director, medical assistants for a named prescriber)",
                    tag: "prescribing", params: [idParam],
                    body: of(
                        PrescriptionStore.DraftInput.self,
                        required: [
                            "drugId", "sig", "quantity", "daysSupply", "refills", "pharmacyNcpdpid", "locationId",
                        ],
                        [
                            "sig": .text(max: 1000),
                            "overrideReason": .text(
                                max: DrugSafety.maxOverrideReason,
                                "A prescriber's reason to prescribe despite the safety alerts (422 lists them)"),
                        ]),
                    responses: ["201": ok("Draft", rx)]),
            ],
            "/api/v1/prescriptions/{id}": [
                "get": op(
                    "readPrescription", "One prescription (audited)", tag: "prescribing", params: [idParam],
                    responses: ["200": ok("Prescription", rx)])
            ],
            "/api/v1/prescriptions/{id}/sign": [
                "post": op(
                    "signPrescription",
                    "The prescriber signs; controlled substances need EPCS permission, a DEA number and a fresh code",
                    tag: "prescribing", params: [idParam], body: otp,
                    responses: ["200": ok("Signed", rx), "409": problemResponse])
            ],
            "/api/v1/prescriptions/{id}/cancel": [
                "post": op(
                    "cancelPrescription", "Send CancelRx", tag: "prescribing", params: [idParam],
                    responses: ["200": ok("Cancel requested", rx), "409": problemResponse])
            ],
            "/api/v1/prescriptions/{id}/refill-requests": [
                "post": op(
                    "requestRefill", "The patient asks for a refill (portal)", tag: "prescribing", params: [idParam],
                    responses: ["201": ok("Requested", of([String: String].self)), "409": problemResponse])
            ],
            "/api/v1/refill-requests": [
                "get": op(
                    "refillQueue", "Pending renewals routed to me (all=1: everyone's)", tag: "prescribing",
                    params: [query("all", "1: all")],
                    responses: ["200": ok("Queue", arr(of(RefillStore.QueueItem.self)))])
            ],
            "/api/v1/refill-requests/{id}/decision": [
                "post": op(
                    "decideRefill", "Approve, deny (reason code) or replace; sends RxRenewalResponse",
                    tag: "prescribing", params: [idParam],
                    body: of(
                        RefillStore.DecideInput.self, required: ["decision"],
                        ["decision": APIField(values: ["approve", "deny", "replace"])]),
                    responses: ["200": ok("Decided", of(RefillStore.QueueItem.self)), "409": problemResponse])
            ],
            "/api/v1/users/{id}/prescriber-credentials": [
                "put": op(
                    "setPrescriberCredentials", "NPI and DEA number (admin, Medical Director; audited)",
                    tag: "prescribing", params: [idParam],
                    body: of(EPCSStore.CredentialInput.self, required: ["npi"]),
                    responses: ["204": ok("Saved", nil)])
            ],
            "/api/v1/epcs/grants": [
                "get": op(
                    "listEPCSGrants", "EPCS permissions", tag: "prescribing",
                    responses: ["200": ok("Grants", arr(grant))]
                ),
                "post": op(
                    "enterEPCSGrant", "Enter an EPCS permission (first of two people)", tag: "prescribing",
                    body: of(PrescribingController.GrantBody.self, required: ["prescriberId"]),
                    responses: ["201": ok("Pending", grant), "409": problemResponse]),
            ],
            "/api/v1/epcs/grants/{id}/decision": [
                "post": op(
                    "decideEPCSGrant", "Approve or reject (a second person, a DEA registrant, with a fresh code)",
                    tag: "prescribing", params: [idParam],
                    body: of(EPCSStore.DecideInput.self, required: ["otp"]),
                    responses: ["200": ok("Decided", grant)])
            ],
            "/api/v1/epcs/grants/{id}/revoke": [
                "post": op(
                    "revokeEPCSGrant", "Revoke an active permission", tag: "prescribing", params: [idParam],
                    responses: ["200": ok("Revoked", grant)])
            ],
            "/api/v1/epcs/report": [
                "get": op(
                    "epcsReport", "The daily EPCS audit report (UTC day)", tag: "prescribing",
                    params: [query("date", "YYYY-MM-DD")], responses: ["200": ok("Report", of(EPCSStore.Report.self))])
            ],
            "/api/v1/locations/{id}/covering-provider": [
                "put": op(
                    "setCoveringProvider", "Who covers renewals while a prescriber is away", tag: "prescribing",
                    params: [idParam],
                    body: of(PrescribingController.CoverBody.self, required: ["providerId"]),
                    responses: ["204": ok("Saved", nil)])
            ],
        ]
    }

    /// Video visits (the browser's own endpoints /visit/…, /visits/{id}/ice, /visits/{id}/events and the signaling
    /// WebSocket /visits/{id}/signal are described in the README).
    package static var telehealthPaths: J {
        let visit = of(VisitStore.VisitDTO.self)
        return [
            "/api/v1/appointments/{id}/visit": [
                "post": op(
                    "ensureVisit", "The video visit of a telemedicine appointment (made on first use)", tag: "visits",
                    params: [idParam],
                    responses: ["200": ok("Visit", visit)])
            ],
            "/api/v1/appointments/{id}/visit-link": [
                "post": op(
                    "sendVisitLink", "Send a single-use join link by email or SMS (no PHI in the URL)", tag: "visits",
                    params: [idParam],
                    body: of(VisitController.LinkBody.self, ["channel": APIField(values: ["email", "sms"])]),
                    responses: ["201": ok("Sent", of([String: String].self))])
            ],
            "/api/v1/visits/waiting": [
                "get": op(
                    "waitingRoom", "Patients waiting or admitted: mine first, then per location (providers)",
                    tag: "visits",
                    responses: ["200": ok("Waiting", arr(of(VisitStore.WaitingDTO.self)))])
            ],
            "/api/v1/visits/{id}/admit": [
                "post": op(
                    "admitVisit", "Admit the waiting patient; only now are media credentials issued", tag: "visits",
                    params: [idParam],
                    responses: ["200": ok("Visit", visit), "409": problemResponse])
            ],
            "/api/v1/visits/{id}/end": [
                "post": op(
                    "endVisit", "End the visit with the provider's note", tag: "visits", params: [idParam],
                    body: of(VisitController.NoteBody.self, ["note": .text(max: 4000)]),
                    responses: ["200": ok("Visit", visit)])
            ],
            "/api/v1/visits/{id}/handoff": [
                "post": op(
                    "handOffVisit", "The host hands a running visit to another provider (audited)",
                    tag: "visits", params: [idParam],
                    body: of(VisitController.HandOffBody.self, required: ["providerId"]),
                    responses: [
                        "200": ok("Visit", visit), "403": problemResponse, "409": problemResponse,
                        "422": problemResponse,
                    ])
            ],
            "/api/v1/visits/{id}": [
                "get": op(
                    "readVisit", "The visit record: events, durations, outcome, note (audited)", tag: "visits",
                    params: [idParam],
                    responses: ["200": ok("Visit", visit)])
            ],
        ]
    }

    /// The named shapes, each derived from its Swift type.
    package static var schemas: J {
        [
            "FieldError": of(FieldError.self),
            "Problem": of(Problem.self),
            "TokenRequest": of(
                TokenController.TokenRequest.self, required: ["username", "password"],
                ["otp": APIField("TOTP code or recovery code; required for admin, medical-director and provider")]),
            "TokenResponse": of(
                TokenController.TokenResponse.self, ["expires_in": APIField("Idle time-out in seconds")]),
            "Me": of(TokenController.Me.self),
            "Location": of(LocationDTO.self, ["timeZone": APIField("IANA time zone")]),
            "Patient": of(
                PatientDTO.self,
                patientFields.merging(["mrn": APIField("Medical record number with check digit")]) { a, _ in a }),
            "PatientCreate": APISchema.merged(
                of(PatientInput.self, required: ["familyName", "givenName", "birthDate", "sex"], patientFields),
                of(
                    PatientAPIController.Ack.self,
                    [
                        "acknowledgeDuplicate": APIField(
                            "Register even when a patient with the same name and birth date exists")
                    ])),
            "PatientUpdate": of(PatientInput.self, patientFields),
            "PatientList": of(PatientListDTO.self),
            "PatientVersion": of(PatientVersionDTO.self),
            "PatientExport": of(PatientAPIController.ExportDTO.self),
            "AccessLogEntry": of(AccessLogEntryDTO.self),
            "User": of(UserDTO.self),
            "NewUser": of(
                UserAdmin.NewUser.self, required: ["username", "displayName", "role", "password"],
                [
                    "username": .text(max: 64), "displayName": .text(max: 100), "password": .text(max: 128),
                    "role": APIField(values: Role.allCases.map(\.rawValue)),
                ]),
            "UserChange": of(UserAdmin.Change.self, ["role": APIField(values: Role.allCases.map(\.rawValue))]),
            "AuditEvent": of(AuditEventDTO.self),
            "AppointmentType": of(AppointmentTypeDTO.self),
            "Slot": of(SchedulingStore.Slot.self),
            "Appointment": of(AppointmentDTO.self),
            "AppointmentBooking": of(
                SchedulingStore.BookingInput.self, required: ["providerId", "locationId", "typeId", "start"],
                [
                    "patientId": APIField("Ignored for patients: always their own record"),
                    "overrideReason": .text(max: 500, "Staff only: book over the provider's other appointment"),
                ]),
            "AppointmentChange": of(
                SchedulingStore.ChangeInput.self,
                [
                    "status": APIField(values: AppointmentStatus.allCases.map(\.rawValue)),
                    "cancelReason": .text(max: 500),
                ]),
            "FormDefinition": of(FormDefinition.self),
            "Intake": of(IntakeStore.SubmissionDTO.self),
            "ConversationSummary": of(MessageStore.ThreadSummary.self),
            "Message": of(MessageStore.MessageDTO.self),
            "Conversation": of(MessageStore.ThreadDTO.self),
            "WoundInput": of(
                PhotoStore.WoundInput.self, required: ["bodySite", "side"],
                ["bodySite": .text(max: 120), "side": APIField(values: ["left", "right", "both", "n/a"])]),
            "Photo": of(PhotoStore.PhotoDTO.self),
            "Wound": of(PhotoStore.WoundDTO.self),
            "Measurement": of(
                PhotoStore.Measurement.self,
                [
                    "lengthMm": APIField(minimum: 0, maximum: 500), "widthMm": APIField(minimum: 0, maximum: 500),
                    "depthMm": APIField(minimum: 0, maximum: 500),
                ]),
            "InvitationRequest": of(
                InvitationStore.Invite.self,
                [
                    "channel": APIField(values: ["email", "sms"]),
                    "batch": .text(max: 60, "Label for adoption figures"),
                ]),
            "Invitation": of(InvitationStore.Sent.self),
            "InvitationBatch": of(InvitationStore.BatchRate.self),
            "DrillResult": of(Drill.Result.self),
            "BackupSummary": of(OperationsStatus.BackupRow.self),
            "VerifyReport": of(AuditVerification.Report.self),
        ]
    }

    package static func header(_ name: String, _ desc: String, required: Bool = true) -> J {
        ["name": name, "in": "header", "required": required, "description": desc, "schema": str()]
    }
    package static var tusHeaders: [J] { [header("Tus-Resumable", "1.0.0")] }

    package static var auditParams: [J] {
        [
            query("patient", "MRN or patient id"), query("user", "Username"),
            query("from", "First day (YYYY-MM-DD, UTC)", schema: str(format: "date")),
            query("to", "Last day (YYYY-MM-DD, UTC)", schema: str(format: "date")),
            query("action", "Action, e.g. read"),
            query("sort", "Column: seq, time, user, role, patient, action, category, entity, device, outcome, detail"),
            query("order", "asc or desc", schema: ["type": "string", "enum": ["asc", "desc"]]),
            query("limit", "Rows (1-1000)", schema: ["type": "integer", "minimum": 1, "maximum": 1000]),
        ]
    }

    package static var document: J {
        let hoursFields: [String: APIField] = [
            "weekday": APIField(minimum: 1, maximum: 7), "start": APIField("HH:MM"), "end": APIField("HH:MM"),
        ]
        let buffer = of(
            SchedulingSetupAPI.BufferInput.self, required: ["travelBufferMinutes"],
            ["travelBufferMinutes": APIField(minimum: 0, maximum: 240)])
        var paths: J = [
            "/api/v1/auth/token": [
                "post": op(
                    "issueToken", "Exchange credentials (and a second factor) for a bearer token", tag: "auth",
                    body: ref("TokenRequest"),
                    responses: [
                        "200": ok("Token issued", ref("TokenResponse")), "401": problemResponse,
                        "403": problemResponse, "423": problemResponse, "429": problemResponse,
                    ],
                    secured: false)
            ],
            "/api/v1/auth/revoke": [
                "post": op(
                    "revokeToken", "Revoke the bearer token in use", tag: "auth",
                    responses: ["204": ["description": "Revoked"]])
            ],
            "/api/v1/me": [
                "get": op("me", "The signed-in account", tag: "auth", responses: ["200": ok("Account", ref("Me"))])
            ],
            "/api/v1/locations": [
                "get": op(
                    "listLocations", "The practice's locations", tag: "practice",
                    responses: ["200": ok("Locations", arr(ref("Location")))])
            ],
            "/api/v1/patients": [
                "get": op(
                    "searchPatients", "Search patients by name, birth date or MRN", tag: "patients",
                    params: [
                        query("q", "Name, date of birth or MRN"), query("name", "Name words (prefixes)"),
                        query("birthDate", "YYYY-MM-DD", schema: str(format: "date")),
                        query("mrn", "Medical record number"),
                        query("limit", "Results (1-50)", schema: ["type": "integer", "minimum": 1, "maximum": 50]),
                    ],
                    responses: ["200": ok("Matches", ref("PatientList"))]),
                "post": op(
                    "createPatient", "Register a patient", tag: "patients", body: ref("PatientCreate"),
                    responses: ["201": ok("Registered", ref("Patient")), "409": problemResponse]),
            ],
            "/api/v1/patients/{id}": [
                "get": op(
                    "readPatient", "Read a patient", tag: "patients", params: [idParam],
                    responses: ["200": ok("Patient", ref("Patient")), "404": problemResponse]),
                "patch": op(
                    "updatePatient", "Change a patient (send If-Match with the ETag)", tag: "patients",
                    params: [idParam, ["name": "If-Match", "in": "header", "required": false, "schema": str()]],
                    body: ref("PatientUpdate"),
                    responses: [
                        "200": ok("Updated", ref("Patient")), "404": problemResponse, "409": problemResponse,
                        "412": problemResponse,
                    ]),
                "delete": op(
                    "retirePatient", "Retire a patient record (admin)", tag: "patients", params: [idParam],
                    responses: ["204": ["description": "Retired"], "404": problemResponse]),
            ],
            "/api/v1/patients/{id}/history": [
                "get": op(
                    "patientHistory", "Every version of the record", tag: "patients", params: [idParam],
                    responses: ["200": ok("Versions", arr(ref("PatientVersion"))), "404": problemResponse])
            ],
            "/api/v1/patients/{id}/access-log": [
                "get": op(
                    "patientAccessLog", "Who looked at this record", tag: "patients", params: [idParam],
                    responses: ["200": ok("Accesses", arr(ref("AccessLogEntry")))])
            ],
            "/api/v1/patients/{id}/export": [
                "get": op(
                    "exportPatient", "Download the record (audited as an export)", tag: "patients", params: [idParam],
                    responses: ["200": ok("Export", ref("PatientExport")), "404": problemResponse])
            ],
            "/api/v1/appointment-types": [
                "get": op(
                    "listAppointmentTypes", "What can be booked", tag: "scheduling",
                    responses: ["200": ok("Types", arr(ref("AppointmentType")))]),
                "post": op(
                    "createAppointmentType", "Add an appointment type (admin)", tag: "setup",
                    body: of(
                        SchedulingSetupAPI.TypeInput.self, required: ["code", "name", "minutes"],
                        [
                            "code": .text(max: 16), "name": .text(max: 80),
                            "minutes": APIField(minimum: 5, maximum: 480),
                        ]),
                    responses: ["201": ok("Created", ref("AppointmentType")), "409": problemResponse]),
            ],
            "/api/v1/rooms": [
                "get": op(
                    "listRooms", "Rooms and chairs", tag: "setup",
                    responses: ["200": ok("Rooms", arr(of(SchedulingSetupAPI.RoomDTO.self)))]),
                "post": op(
                    "createRoom", "Add a room (admin)", tag: "setup",
                    body: of(
                        SchedulingSetupAPI.RoomInput.self, required: ["locationId", "name"], ["name": .text(max: 60)]),
                    responses: ["201": ok("Created", of(SchedulingSetupAPI.RoomDTO.self))]),
            ],
            "/api/v1/provider-hours": [
                "get": op(
                    "listProviderHours", "Weekly hours per provider and location", tag: "setup",
                    responses: ["200": ok("Hours", arr(of(SchedulingSetupAPI.HoursDTO.self)))]),
                "post": op(
                    "createProviderHours", "Add weekly hours, local HH:MM (admin)", tag: "setup",
                    body: of(
                        SchedulingSetupAPI.HoursInput.self,
                        required: ["providerId", "locationId", "weekday", "start", "end"], hoursFields),
                    responses: ["201": ok("Created", of(SchedulingSetupAPI.HoursDTO.self)), "409": problemResponse]),
            ],
            "/api/v1/availability-exceptions": [
                "post": op(
                    "createAvailabilityException", "Leave or blocked time (admin)", tag: "setup",
                    body: of(
                        SchedulingSetupAPI.ExceptionInput.self, required: ["providerId", "start", "end", "kind"],
                        ["kind": APIField(values: ["leave", "blocked"])]),
                    responses: ["201": ok("Created", of(SchedulingSetupAPI.ExceptionDTO.self))])
            ],
            "/api/v1/location-hours": [
                "post": op(
                    "createLocationHours", "Opening hours of a location, local HH:MM (admin)", tag: "setup",
                    body: of(
                        SchedulingSetupAPI.OpeningInput.self, required: ["locationId", "weekday", "start", "end"],
                        hoursFields),
                    responses: ["201": ok("Created", of(SchedulingSetupAPI.OpeningDTO.self))])
            ],
            "/api/v1/scheduling-settings": [
                "put": op(
                    "setSchedulingSettings", "Travel buffer between locations (admin)", tag: "setup",
                    body: buffer, responses: ["200": ok("Saved", buffer)])
            ],
            "/api/v1/slots": [
                "get": op(
                    "searchSlots", "Free slots for a type over local days", tag: "scheduling",
                    params: [
                        query("type", "Appointment type id"), query("location", "Location ids, comma-separated"),
                        query("provider", "Provider ids, comma-separated"),
                        query("from", "First local day YYYY-MM-DD", schema: str(format: "date")),
                        query("to", "Last local day YYYY-MM-DD", schema: str(format: "date")),
                    ],
                    responses: ["200": ok("Slots", arr(ref("Slot")))])
            ],
            "/api/v1/appointments": [
                "get": op(
                    "listAppointments", "Appointments in a window", tag: "scheduling",
                    params: [
                        query("provider", "Provider id"), query("location", "Location id"),
                        query("patient", "Patient id"),
                        query("from", "ISO 8601 instant or YYYY-MM-DD"), query("to", "ISO 8601 instant or YYYY-MM-DD"),
                        query(
                            "includeCancelled", "Also cancelled, no-show and entered-in-error",
                            schema: ["type": "boolean"]),
                    ],
                    responses: ["200": ok("Appointments", arr(ref("Appointment")))]),
                "post": op(
                    "bookAppointment", "Book (409 names what collided)", tag: "scheduling",
                    body: ref("AppointmentBooking"),
                    responses: ["201": ok("Booked", ref("Appointment")), "409": problemResponse]),
            ],
            "/api/v1/appointments/{id}": [
                "get": op(
                    "readAppointment", "One appointment (a patient reads only their own; audited)",
                    tag: "scheduling", params: [idParam],
                    responses: [
                        "200": ok("The appointment", ref("Appointment")), "403": problemResponse,
                        "404": problemResponse,
                    ]),
                "patch": op(
                    "changeAppointment", "Reschedule atomically, cancel with a reason, or change status",
                    tag: "scheduling",
                    params: [idParam, ["name": "If-Match", "in": "header", "required": false, "schema": str()]],
                    body: ref("AppointmentChange"),
                    responses: [
                        "200": ok("Changed", ref("Appointment")), "404": problemResponse,
                        "409": problemResponse, "412": problemResponse,
                    ]),
            ],
            "/api/v1/calendar-feeds": [
                "post": op(
                    "createCalendarFeed", "Issue a provider's secret iCalendar URL (shown once)", tag: "scheduling",
                    body: of(
                        CalendarFeedController.NewFeed.self,
                        ["providerId": APIField("Defaults to the signed-in provider")]),
                    responses: ["201": ok("Feed", of(CalendarFeedController.FeedDTO.self))])
            ],
            "/api/v1/calendar-feeds/{id}": [
                "delete": op(
                    "revokeCalendarFeed", "Revoke a calendar feed", tag: "scheduling", params: [idParam],
                    responses: ["204": ["description": "Revoked"], "404": problemResponse])
            ],
            "/api/v1/users": [
                "get": op(
                    "listUsers", "Accounts (admin)", tag: "users",
                    responses: ["200": ok("Accounts", arr(ref("User")))]),
                "post": op(
                    "createUser", "Create an account (admin)", tag: "users", body: ref("NewUser"),
                    responses: ["201": ok("Created", ref("User")), "409": problemResponse]),
            ],
            "/api/v1/users/{id}": [
                "patch": op(
                    "updateUser", "Change role, activate, unlock, reset two-step sign-in (admin)", tag: "users",
                    params: [idParam], body: ref("UserChange"),
                    responses: ["200": ok("Updated", ref("User")), "404": problemResponse, "409": problemResponse])
            ],
            "/api/v1/audit-events": [
                "get": op(
                    "listAuditEvents", "Audit report (admin)", tag: "audit", params: auditParams,
                    responses: ["200": ok("Events", arr(ref("AuditEvent")))])
            ],
            "/api/v1/audit-events/export": [
                "get": op(
                    "exportAuditEvents", "Audit report as CSV (admin; audited)", tag: "audit", params: auditParams,
                    responses: ["200": ["description": "CSV", "content": ["text/csv": ["schema": str()]]]])
            ],
            "/api/v1/audit/verify": [
                "post": op(
                    "verifyAuditChain", "Recompute the audit hash chain (admin, operator)", tag: "audit",
                    responses: ["200": ok("Verification report", ref("VerifyReport"))])
            ],
            "/api/v1/patients/{id}/invitations": [
                "post": op(
                    "invitePatient", "Send a single-use portal invitation by email or SMS (7 days)", tag: "portal",
                    params: [idParam], body: ref("InvitationRequest"),
                    responses: [
                        "201": ok("Invitation sent", ref("Invitation")), "404": problemResponse,
                        "409": problemResponse, "422": problemResponse,
                    ])
            ],
            "/api/v1/invitations/batches": [
                "get": op(
                    "invitationBatches", "Registration rate per invitation batch", tag: "portal",
                    responses: ["200": ok("Batches", arr(ref("InvitationBatch")))])
            ],
            "/api/v1/patients/{id}/wounds": [
                "get": op(
                    "listWounds", "The patient's wounds with their photos, oldest first (audited)", tag: "photos",
                    params: [idParam],
                    responses: ["200": ok("Wounds", arr(ref("Wound"))), "403": problemResponse]),
                "post": op(
                    "createWound", "Record a wound (body site and side)", tag: "photos", params: [idParam],
                    body: ref("WoundInput"),
                    responses: ["201": ok("Wound", ref("Wound")), "422": problemResponse]),
            ],
            "/api/v1/photos/{id}": [
                "get": op(
                    "downloadPhoto", "The photo as JPEG, metadata removed (audited; Cache-Control: private, no-store)",
                    tag: "photos", params: [idParam],
                    responses: [
                        "200": [
                            "description": "JPEG",
                            "content": ["image/jpeg": ["schema": ["type": "string", "format": "binary"]]],
                        ], "403": problemResponse,
                    ]),
                "patch": op(
                    "measurePhoto", "Record length, width and depth in millimetres (clinicians)", tag: "photos",
                    params: [idParam],
                    body: ref("Measurement"), responses: ["200": ok("Photo", ref("Photo")), "422": problemResponse]),
            ],
            "/api/v1/attachments/{id}": [
                "get": op(
                    "downloadAttachment",
                    "A message or intake attachment: PDF, or a photo re-encoded without metadata (audited)",
                    tag: "messages",
                    params: [idParam],
                    responses: [
                        "200": [
                            "description": "The file",
                            "content": [
                                "application/pdf": ["schema": ["type": "string", "format": "binary"]],
                                "image/jpeg": ["schema": ["type": "string", "format": "binary"]],
                            ],
                        ],
                        "403": problemResponse, "404": problemResponse,
                    ])
            ],
            "/api/v1/photos/{id}/thumbnail": [
                "get": op(
                    "downloadThumbnail", "A 320-pixel thumbnail (audited)", tag: "photos", params: [idParam],
                    responses: [
                        "200": [
                            "description": "JPEG",
                            "content": ["image/jpeg": ["schema": ["type": "string", "format": "binary"]]],
                        ]
                    ])
            ],
            "/api/v1/uploads": [
                "options": op(
                    "tusOptions", "tus 1.0.0 capabilities (Tus-Version, Tus-Extension, Tus-Max-Size)", tag: "uploads",
                    responses: ["204": ["description": "Capabilities"]]),
                "post": op(
                    "tusCreate",
                    "Create an upload (tus creation): Upload-Length, Upload-Metadata with woundId (base64)",
                    tag: "uploads",
                    params: tusHeaders + [
                        header("Upload-Length", "Total bytes"),
                        header(
                            "Upload-Metadata",
                            "woundId <base64>[,appointmentId <base64>] for a wound photo; purpose "
                                + "YXR0YWNobWVudA==,patientId <base64> for an attachment"
                        ),
                    ],
                    responses: [
                        "201": ["description": "Created; Location is the upload's URL"], "412": problemResponse,
                        "413": problemResponse, "422": problemResponse,
                    ]),
            ],
            "/api/v1/uploads/{id}": [
                "head": op(
                    "tusOffset", "Where the upload stands (Upload-Offset)", tag: "uploads",
                    params: [idParam] + tusHeaders,
                    responses: [
                        "200": ["description": "Upload-Offset and Upload-Length headers"], "404": problemResponse,
                    ]),
                "patch": [
                    "operationId": "tusAppend",
                    "summary":
                        "Append a chunk at Upload-Offset (optional Upload-Checksum); the last chunk returns "
                        + "CareSync-Photo-Id",
                    "tags": ["uploads"], "security": [["bearer": []]],
                    "parameters": [idParam] + tusHeaders + [
                        header("Upload-Offset", "Byte the chunk starts at"),
                        header("Upload-Checksum", "sha1|sha256|md5 <base64>", required: false),
                    ],
                    "requestBody": [
                        "required": true,
                        "content": [
                            "application/offset+octet-stream": ["schema": ["type": "string", "format": "binary"]]
                        ],
                    ],
                    "responses": [
                        "204": ["description": "Appended; Upload-Offset is the new offset"], "400": problemResponse,
                        "401": problemResponse, "403": problemResponse, "404": problemResponse, "409": problemResponse,
                        "412": problemResponse, "413": problemResponse, "415": problemResponse, "422": problemResponse,
                        "460": ["description": "Checksum mismatch", "content": problemResponse["content"]!],
                    ],
                ],
                "delete": op(
                    "tusTerminate", "Cancel an unfinished upload (tus termination)", tag: "uploads",
                    params: [idParam] + tusHeaders,
                    responses: ["204": ["description": "Removed"], "404": problemResponse]),
            ],
            "/api/v1/forms": [
                "get": op(
                    "listForms", "The newest version of every intake form definition", tag: "intake",
                    responses: ["200": ok("Forms", arr(ref("FormDefinition")))])
            ],
            "/api/v1/patients/{id}/intake": [
                "get": op(
                    "listIntakes", "The patient's intakes, newest first (audited)", tag: "intake", params: [idParam],
                    responses: ["200": ok("Intakes", arr(ref("Intake"))), "403": problemResponse])
            ],
            "/api/v1/patients/{id}/intake/{code}": [
                "put": op(
                    "saveIntake", "The patient saves a draft, or submits (submit: true) for review", tag: "intake",
                    params: [idParam, ["name": "code", "in": "path", "required": true, "schema": str()]],
                    body: of(IntakeController.SaveBody.self),
                    responses: [
                        "200": ok("Intake", ref("Intake")), "403": problemResponse, "404": problemResponse,
                        "422": problemResponse,
                    ])
            ],
            "/api/v1/intake": [
                "get": op(
                    "intakeQueue", "Submitted intakes waiting for review, oldest first", tag: "intake",
                    responses: ["200": ok("Queue", arr(of(IntakeStore.QueueItem.self)))])
            ],
            "/api/v1/intake/{id}": [
                "get": op(
                    "readIntake", "One intake (audited)", tag: "intake", params: [idParam],
                    responses: ["200": ok("Intake", ref("Intake")), "403": problemResponse, "404": problemResponse])
            ],
            "/api/v1/intake/{id}/accept": [
                "post": op(
                    "acceptIntake", "Accept into the chart (mapped answers update the record)", tag: "intake",
                    params: [idParam],
                    responses: ["200": ok("Intake", ref("Intake")), "409": problemResponse, "422": problemResponse])
            ],
            "/api/v1/intake/{id}/return": [
                "post": op(
                    "returnIntake", "Return to the patient with a comment", tag: "intake", params: [idParam],
                    body: of(IntakeController.ReturnBody.self, required: ["comment"], ["comment": .text(max: 1000)]),
                    responses: ["200": ok("Intake", ref("Intake")), "409": problemResponse, "422": problemResponse])
            ],
            "/api/v1/patients/{id}/conversations": [
                "get": op(
                    "listConversations", "The patient's message threads, newest first (audited)", tag: "messages",
                    params: [idParam],
                    responses: ["200": ok("Conversations", arr(ref("ConversationSummary"))), "403": problemResponse]),
                "post": op(
                    "startConversation", "Write to a clinic's care team (staff may start one too)", tag: "messages",
                    params: [idParam],
                    body: of(
                        MessageStore.NewThread.self, required: ["subject", "locationId", "body"],
                        ["subject": .text(max: 120), "body": .text(max: 4000)]),
                    responses: [
                        "201": ok("Conversation", ref("Conversation")), "404": problemResponse, "422": problemResponse,
                    ]),
            ],
            "/api/v1/conversations/{id}": [
                "get": op(
                    "readConversation", "A conversation; marks it read for the reader's side (audited)",
                    tag: "messages", params: [idParam],
                    responses: [
                        "200": ok("Conversation", ref("Conversation")), "403": problemResponse, "404": problemResponse,
                    ]),
                "patch": op(
                    "assignConversation", "Assign to a staff member, or back to the clinic pool (null)",
                    tag: "messages", params: [idParam],
                    body: of(MessageStore.Assign.self),
                    responses: ["200": ok("Summary", ref("ConversationSummary"))]),
            ],
            "/api/v1/conversations/{id}/messages": [
                "post": op(
                    "replyConversation", "Reply", tag: "messages", params: [idParam],
                    body: of(MessageStore.Reply.self, required: ["body"], ["body": .text(max: 4000)]),
                    responses: ["201": ok("Message", ref("Message")), "422": problemResponse])
            ],
            "/api/v1/inbox": [
                "get": op(
                    "staffInbox", "Staff inbox: urgent first, then newest", tag: "messages",
                    params: [
                        query("location", "Clinic id"), query("assigned", "me or unassigned"),
                        query("unread", "1: unread only"),
                        query("urgent", "1: urgent only"),
                    ],
                    responses: ["200": ok("Conversations", arr(ref("ConversationSummary")))])
            ],
            "/api/v1/operations/drills": [
                "get": op(
                    "listDrills", "Recovery drill results, newest first, with measured RTO and RPO (operator, admin)",
                    tag: "operations",
                    params: [
                        query("limit", "How many (1-200)", schema: ["type": "integer", "minimum": 1, "maximum": 200])
                    ],
                    responses: ["200": ok("Drills", of(OperationsController.DrillList.self)), "403": problemResponse])
            ],
            "/api/v1/operations/deployments": [
                "get": op(
                    "listDeployments",
                    "Deploys, rollbacks and rehearsals, newest first: releases, timings, smoke checks, triggers "
                        + "(operator, admin)",
                    tag: "operations",
                    params: [
                        query("limit", "How many (1-200)", schema: ["type": "integer", "minimum": 1, "maximum": 200])
                    ],
                    responses: [
                        "200": ok("Deployments", of(OperationsController.DeploymentList.self)), "403": problemResponse,
                    ])
            ],
            "/api/v1/operations/loadtests": [
                "get": op(
                    "listLoadTests",
                    "Load-test runs, newest first: scenario, scale, thresholds, each flow's figures, what broke, the "
                        + "knee (operator, admin)",
                    tag: "operations",
                    params: [
                        query("limit", "How many (1-200)", schema: ["type": "integer", "minimum": 1, "maximum": 200])
                    ],
                    responses: ["200": ok("Load tests", of(LoadTestPages.RunList.self)), "403": problemResponse])
            ],
            "/api/v1/alerts/alertmanager": [
                "post": op(
                    "receiveAlerts",
                    "Alertmanager's webhook (version 4): alerts recorded once per fingerprint, new ones told to the "
                        + "people on duty (bearer: CARESYNC_ALERT_TOKEN, not a user's token)",
                    tag: "operations", body: of(AlertmanagerPayload.self),
                    responses: ["200": ok("Recorded", of(AlertStore.Received.self))])
            ],
            "/api/v1/alerts": [
                "get": op(
                    "listAlerts", "Firing alerts, then the most recent resolved ones (operator, admin)",
                    tag: "operations",
                    params: [
                        query(
                            "limit", "How many resolved (1-200)",
                            schema: ["type": "integer", "minimum": 1, "maximum": 200])
                    ],
                    responses: ["200": ok("Alerts", of(AlertsController.AlertList.self)), "403": problemResponse])
            ],
            "/api/v1/incidents": [
                "get": op(
                    "listIncidents", "Open incidents (all=1: with the resolved), the time left on each SLA (staff)",
                    tag: "incidents", params: [query("all", "1: include resolved incidents")],
                    responses: ["200": ok("Incidents", of(IncidentsController.IncidentList.self))]),
                "post": op(
                    "openIncident", "Open an incident and page the on-call (staff; no patient details)",
                    tag: "incidents",
                    body: of(
                        IncidentStore.OpenInput.self, required: ["title", "severity"],
                        [
                            "title": .text(max: IncidentRules.maxTitle, "What is wrong, in a line"),
                            "severity": APIField(values: IncidentSeverity.allCases.map(\.rawValue)),
                            "note": .text(max: IncidentRules.maxText, "What was seen"),
                        ]),
                    responses: ["201": ok("Opened", of(IncidentsController.Detail.self)), "422": problemResponse]),
            ],
            "/api/v1/incidents/{id}": [
                "get": op(
                    "showIncident", "An incident, its timeline (with deploys and drills in its window), its postmortem",
                    tag: "incidents", params: [idParam],
                    responses: ["200": ok("Incident", of(IncidentsController.Detail.self)), "404": problemResponse])
            ],
            "/api/v1/incidents/{id}/ack": [
                "post": op(
                    "acknowledgeIncident", "Acknowledge: the paging stops (operator, support, admin)",
                    tag: "incidents", params: [idParam],
                    responses: ["200": ok("Incident", of(IncidentsController.Detail.self)), "409": problemResponse])
            ],
            "/api/v1/incidents/{id}/state": [
                "post": op(
                    "changeIncidentState", "investigating, identified, monitoring, resolved (a note is required)",
                    tag: "incidents", params: [idParam],
                    body: of(
                        IncidentStore.StateInput.self, required: ["state"],
                        [
                            "state": APIField(values: IncidentState.allCases.map(\.rawValue)),
                            "note": .text(max: IncidentRules.maxText, "How it was resolved, or what changed"),
                        ]),
                    responses: ["200": ok("Incident", of(IncidentsController.Detail.self)), "422": problemResponse])
            ],
            "/api/v1/incidents/{id}/severity": [
                "post": op(
                    "changeIncidentSeverity", "Change the severity (a reason is required to downgrade; audited)",
                    tag: "incidents", params: [idParam],
                    body: of(
                        IncidentStore.SeverityInput.self, required: ["severity"],
                        [
                            "severity": APIField(values: IncidentSeverity.allCases.map(\.rawValue)),
                            "reason": .text(max: IncidentRules.maxText, "Why (required to downgrade)"),
                        ]),
                    responses: ["200": ok("Incident", of(IncidentsController.Detail.self)), "422": problemResponse])
            ],
            "/api/v1/incidents/{id}/notes": [
                "post": op(
                    "addIncidentNote", "A note on the timeline (no patient details)", tag: "incidents",
                    params: [idParam],
                    body: of(
                        IncidentsController.NoteInput.self, required: ["note"],
                        ["note": .text(max: IncidentRules.maxText, "The note")]),
                    responses: ["200": ok("Incident", of(IncidentsController.Detail.self)), "422": problemResponse])
            ],
            "/api/v1/incidents/{id}/postmortem": [
                "post": op(
                    "writeIncidentPostmortem",
                    "The postmortem of a P0/P1 incident: impact, root cause, what went well, and an action item "
                        + "(owner, due date) to add",
                    tag: "incidents", params: [idParam],
                    body: of(
                        IncidentStore.PostmortemInput.self, required: ["impact", "rootCause", "wentWell"],
                        [
                            "impact": .text(max: IncidentRules.maxText, "Who could not do what, for how long"),
                            "rootCause": .text(max: IncidentRules.maxText, "Why it happened"),
                            "wentWell": .text(max: IncidentRules.maxText, "What went well"),
                            "actionItem": .text(max: IncidentRules.maxText, "An action item to add"),
                            "owner": .text(max: 100, "Who does it"),
                            "due": .date,
                        ]),
                    responses: ["200": ok("Incident", of(IncidentsController.Detail.self)), "422": problemResponse])
            ],
            "/api/v1/incidents/{id}/action-items/{item}/done": [
                "post": op(
                    "completeIncidentActionItem", "Mark a postmortem's action item done", tag: "incidents",
                    params: [
                        idParam,
                        ["name": "item", "in": "path", "required": true, "schema": str(format: "uuid")],
                    ],
                    responses: [
                        "200": ok("Incident", of(IncidentsController.Detail.self)), "404": problemResponse,
                        "409": problemResponse,
                    ])
            ],
            "/api/v1/operations/backups": [
                "get": op(
                    "listBackups", "Backups in the data dir, newest first (operator, admin)", tag: "operations",
                    responses: [
                        "200": ok("Backups", of(OperationsController.BackupList.self)), "403": problemResponse,
                    ])
            ],
        ]
        for (path, item) in clinicalPaths { paths[path] = item }
        for (path, item) in observationPaths { paths[path] = item }
        for (path, item) in encounterPaths { paths[path] = item }
        for (path, item) in pathwayPaths { paths[path] = item }
        for (path, item) in prescribingPaths { paths[path] = item }
        for (path, item) in telehealthPaths { paths[path] = item }
        for (path, item) in helpDeskPaths { paths[path] = item }
        for (path, item) in statusPaths { paths[path] = item }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "CareSync API", "version": "1.0.0",
                "description":
                    "Practice management and telemedicine. Errors are RFC 9457 problem details naming the field.",
            ],
            "servers": [["url": "/"]],
            "security": [["bearer": [String]()]],
            "paths": paths,
            "components": [
                "schemas": schemas,
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer", "description": "Token from POST /api/v1/auth/token"]
                ],
            ],
        ]
    }

    package static let data: Data =
        (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted])) ?? Data()
}

package enum OpenAPIController {
    @Sendable package static func document(req: Request) async throws -> Response {
        let res = Response(status: .ok, body: .init(data: OpenAPIDocument.data))
        res.headers.contentType = .json
        res.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return res
    }
}
