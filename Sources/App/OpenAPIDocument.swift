import Vapor
import AppCore

/// The OpenAPI 3.1 description of `/api/v1`, served at `/api/openapi.json`.
/// A test checks that every registered API route is described here.
package enum OpenAPIDocument {
    package typealias J = [String: Any]

    package static func ref(_ name: String) -> J { ["$ref": "#/components/schemas/\(name)"] }
    package static func str(_ desc: String? = nil, format: String? = nil, maxLength: Int? = nil, nullable: Bool = false)
        -> J
    {
        var s: J = ["type": nullable ? ["string", "null"] : "string"]
        if let d = desc { s["description"] = d }
        if let f = format { s["format"] = f }
        if let m = maxLength { s["maxLength"] = m }
        return s
    }
    package static func obj(_ props: J, required: [String] = []) -> J {
        var o: J = ["type": "object", "properties": props]
        if !required.isEmpty { o["required"] = required }
        return o
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
        for code in (secured ? ["400", "401", "403", "422"] : ["400", "422"]) where r[code] == nil {
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

    package static var patientFields: J {
        [
            "familyName": str(maxLength: 100), "givenName": str(maxLength: 100),
            "birthDate": str("Calendar date YYYY-MM-DD", format: "date"),
            "sex": ["type": "string", "enum": ["female", "male", "other", "unknown"]],
            "email": str(format: "email", maxLength: 254, nullable: true), "phone": str(maxLength: 32, nullable: true),
            "addressLine1": str(maxLength: 200, nullable: true), "addressLine2": str(maxLength: 200, nullable: true),
            "city": str(maxLength: 100, nullable: true), "state": str(maxLength: 50, nullable: true),
            "postalCode": str(maxLength: 16, nullable: true),
            "preferredLocationID": str(format: "uuid", nullable: true),
            "insurancePayer": str(maxLength: 200, nullable: true),
            "insuranceMemberID": str(maxLength: 64, nullable: true),
            "insuranceGroup": str(maxLength: 64, nullable: true),
        ]
    }

    /// Care pathways and the job queue.
    package static var pathwayPaths: J {
        let any: J = ["type": "object"]
        let note = obj(["note": str(maxLength: 500, nullable: true)])
        return [
            "/api/v1/pathway-templates": [
                "get": op(
                    "listPathwayTemplates", "Pathway template versions with status (clinical staff)", tag: "pathways",
                    responses: ["200": ok("Templates", arr(any))]),
                "post": op(
                    "draftPathwayTemplate",
                    "A new or changed template: saved as the next version, a draft (admin, Medical Director)",
                    tag: "pathways",
                    body: any, responses: ["201": ok("Draft", any)]),
            ],
            "/api/v1/pathway-templates/{id}": [
                "get": op(
                    "readPathwayTemplate", "A version with the exact patient-facing preview of each step",
                    tag: "pathways",
                    params: [idParam], responses: ["200": ok("Template", any), "404": problemResponse])
            ],
            "/api/v1/pathway-templates/{id}/approve": [
                "post": op(
                    "approvePathwayTemplate", "Approve a draft for patients (Medical Director only; audited)",
                    tag: "pathways",
                    params: [idParam], body: note, responses: ["200": ok("Approved", any), "409": problemResponse])
            ],
            "/api/v1/patients/{id}/procedures": [
                "post": op(
                    "recordProcedure", "Record a procedure; enrols in the approved pathway its CPT code triggers",
                    tag: "pathways", params: [idParam],
                    body: obj(
                        [
                            "code": str("CPT"), "name": str(), "performedOn": str(format: "date"),
                            "locationId": str(format: "uuid"),
                            "providerId": str(format: "uuid"),
                        ], required: ["code", "name", "performedOn", "locationId", "providerId"]),
                    responses: ["201": ok("Procedure", any)])
            ],
            "/api/v1/patients/{id}/pathways": [
                "post": op(
                    "enrolInPathway", "Enrol by hand in the approved version of a pathway", tag: "pathways",
                    params: [idParam],
                    body: obj(
                        [
                            "templateCode": str(), "startDay": str(format: "date"), "locationId": str(format: "uuid"),
                            "providerId": str(format: "uuid"),
                        ],
                        required: ["templateCode", "startDay", "locationId", "providerId"]),
                    responses: ["201": ok("Enrolment", any), "409": problemResponse])
            ],
            "/api/v1/patients/{id}/pathway-tasks": [
                "get": op(
                    "listPathwayTasks", "The patient's check-ins, photo prompts and follow-up offers (audited)",
                    tag: "pathways",
                    params: [idParam], responses: ["200": ok("Tasks", arr(any))])
            ],
            "/api/v1/pathway-enrolments/{id}/stop": [
                "post": op(
                    "stopEnrolment", "Stop: pending steps cancelled, open tasks closed", tag: "pathways",
                    params: [idParam],
                    responses: ["200": ok("Enrolment", any)])
            ],
            "/api/v1/pathway-tasks/{id}": [
                "get": op(
                    "readPathwayTask", "One task (audited)", tag: "pathways", params: [idParam],
                    responses: ["200": ok("Task", any)])
            ],
            "/api/v1/pathway-tasks/{id}/answers": [
                "post": op(
                    "answerCheckIn", "The patient answers a check-in; red flags raise an urgent care-team task",
                    tag: "pathways",
                    params: [idParam],
                    body: obj(["answers": ["type": "object", "additionalProperties": str()]], required: ["answers"]),
                    responses: ["200": ok("Answered", any), "409": problemResponse])
            ],
            "/api/v1/pathway-tasks/{id}/book": [
                "post": op(
                    "bookFollowUpOffer", "Book one of the offered follow-up times (index)", tag: "pathways",
                    params: [idParam],
                    body: obj(["offer": ["type": "integer", "minimum": 0]], required: ["offer"]),
                    responses: ["200": ok("Task", any), "409": problemResponse])
            ],
            "/api/v1/care-tasks": [
                "get": op(
                    "listCareTasks", "Open care-team tasks, urgent first (front desk: its own)", tag: "pathways",
                    params: [query("all", "1: include closed")], responses: ["200": ok("Tasks", arr(any))])
            ],
            "/api/v1/care-tasks/{id}/close": [
                "post": op(
                    "closeCareTask", "Close a task with a note", tag: "pathways", params: [idParam], body: note,
                    responses: ["200": ok("Task", any), "409": problemResponse])
            ],
            "/api/v1/jobs": [
                "get": op(
                    "listJobs", "The durable job queue: counts by state and jobs (operator, admin)", tag: "operations",
                    params: [query("status", "pending, running, done, failed or cancelled")],
                    responses: ["200": ok("Jobs", any)])
            ],
            "/api/v1/jobs/{id}/retry": [
                "post": op(
                    "retryJob", "Queue a failed job again", tag: "operations", params: [idParam],
                    responses: ["200": ok("Queued", any)])
            ],
        ]
    }

    /// e-Prescribing and EPCS.
    package static var prescribingPaths: J {
        let any: J = ["type": "object"]
        let otp = obj(["otp": str("Current authenticator code (controlled substances)", nullable: true)])
        return [
            "/api/v1/pharmacies": [
                "get": op(
                    "searchPharmacies", "The pharmacy directory by name, city, postal code or NCPDPID",
                    tag: "prescribing",
                    params: [query("q", "Search text")], responses: ["200": ok("Pharmacies", arr(any))])
            ],
            "/api/v1/formulary": [
                "get": op(
                    "formulary", "The bundled formulary (RxNorm, NDC, DEA schedule)", tag: "prescribing",
                    responses: ["200": ok("Drugs", arr(any))])
            ],
            "/api/v1/patients/{id}/prescriptions": [
                "get": op(
                    "listPrescriptions", "The patient's prescriptions (audited)", tag: "prescribing", params: [idParam],
                    responses: ["200": ok("Prescriptions", arr(any))]),
                "post": op(
                    "draftPrescription",
                    "A draft (providers, the Medical Director, medical assistants for a named prescriber)",
                    tag: "prescribing", params: [idParam],
                    body: obj(
                        [
                            "drugId": str(), "sig": str(maxLength: 1000), "quantity": str(),
                            "daysSupply": ["type": "integer"], "refills": ["type": "integer"],
                            "dispenseAsWritten": ["type": "boolean"], "pharmacyNcpdpid": str(),
                            "locationId": str(format: "uuid"), "prescriberId": str(format: "uuid", nullable: true),
                        ],
                        required: [
                            "drugId", "sig", "quantity", "daysSupply", "refills", "pharmacyNcpdpid", "locationId",
                        ]),
                    responses: ["201": ok("Draft", any)]),
            ],
            "/api/v1/prescriptions/{id}": [
                "get": op(
                    "readPrescription", "One prescription (audited)", tag: "prescribing", params: [idParam],
                    responses: ["200": ok("Prescription", any)])
            ],
            "/api/v1/prescriptions/{id}/sign": [
                "post": op(
                    "signPrescription",
                    "The prescriber signs; controlled substances need EPCS permission, a DEA number and a fresh code",
                    tag: "prescribing", params: [idParam], body: otp,
                    responses: ["200": ok("Signed", any), "409": problemResponse])
            ],
            "/api/v1/prescriptions/{id}/cancel": [
                "post": op(
                    "cancelPrescription", "Send CancelRx", tag: "prescribing", params: [idParam],
                    responses: ["200": ok("Cancel requested", any), "409": problemResponse])
            ],
            "/api/v1/prescriptions/{id}/refill-requests": [
                "post": op(
                    "requestRefill", "The patient asks for a refill (portal)", tag: "prescribing", params: [idParam],
                    responses: ["201": ok("Requested", any), "409": problemResponse])
            ],
            "/api/v1/refill-requests": [
                "get": op(
                    "refillQueue", "Pending renewals routed to me (all=1: everyone's)", tag: "prescribing",
                    params: [query("all", "1: all")],
                    responses: ["200": ok("Queue", arr(any))])
            ],
            "/api/v1/refill-requests/{id}/decision": [
                "post": op(
                    "decideRefill", "Approve, deny (reason code) or replace; sends RxRenewalResponse",
                    tag: "prescribing", params: [idParam],
                    body: obj(
                        [
                            "decision": ["type": "string", "enum": ["approve", "deny", "replace"]],
                            "reasonCode": str(nullable: true),
                            "refills": ["type": "integer"], "note": str(nullable: true), "otp": str(nullable: true),
                        ], required: ["decision"]),
                    responses: ["200": ok("Decided", any), "409": problemResponse])
            ],
            "/api/v1/users/{id}/prescriber-credentials": [
                "put": op(
                    "setPrescriberCredentials", "NPI and DEA number (admin, Medical Director; audited)",
                    tag: "prescribing", params: [idParam],
                    body: obj(["npi": str(), "deaNumber": str(nullable: true)], required: ["npi"]),
                    responses: ["204": ok("Saved", nil)])
            ],
            "/api/v1/epcs/grants": [
                "get": op(
                    "listEPCSGrants", "EPCS permissions", tag: "prescribing", responses: ["200": ok("Grants", arr(any))]
                ),
                "post": op(
                    "enterEPCSGrant", "Enter an EPCS permission (first of two people)", tag: "prescribing",
                    body: obj(["prescriberId": str(format: "uuid")], required: ["prescriberId"]),
                    responses: ["201": ok("Pending", any), "409": problemResponse]),
            ],
            "/api/v1/epcs/grants/{id}/decision": [
                "post": op(
                    "decideEPCSGrant", "Approve or reject (a second person, a DEA registrant, with a fresh code)",
                    tag: "prescribing", params: [idParam],
                    body: obj(["approve": ["type": "boolean"], "otp": str()], required: ["otp"]),
                    responses: ["200": ok("Decided", any)])
            ],
            "/api/v1/epcs/grants/{id}/revoke": [
                "post": op(
                    "revokeEPCSGrant", "Revoke an active permission", tag: "prescribing", params: [idParam],
                    responses: ["200": ok("Revoked", any)])
            ],
            "/api/v1/epcs/report": [
                "get": op(
                    "epcsReport", "The daily EPCS audit report (UTC day)", tag: "prescribing",
                    params: [query("date", "YYYY-MM-DD")], responses: ["200": ok("Report", any)])
            ],
            "/api/v1/locations/{id}/covering-provider": [
                "put": op(
                    "setCoveringProvider", "Who covers renewals while a prescriber is away", tag: "prescribing",
                    params: [idParam],
                    body: obj(["providerId": str(format: "uuid")], required: ["providerId"]),
                    responses: ["204": ok("Saved", nil)])
            ],
        ]
    }

    /// Video visits (the browser's own endpoints /visit/…, /visits/{id}/ice, /visits/{id}/events and the signaling
    /// WebSocket /visits/{id}/signal are described in the README).
    package static var telehealthPaths: J {
        let any: J = ["type": "object"]
        return [
            "/api/v1/appointments/{id}/visit": [
                "post": op(
                    "ensureVisit", "The video visit of a telemedicine appointment (made on first use)", tag: "visits",
                    params: [idParam],
                    responses: ["200": ok("Visit", any)])
            ],
            "/api/v1/appointments/{id}/visit-link": [
                "post": op(
                    "sendVisitLink", "Send a single-use join link by email or SMS (no PHI in the URL)", tag: "visits",
                    params: [idParam],
                    body: obj(["channel": ["type": "string", "enum": ["email", "sms"]]]),
                    responses: ["201": ok("Sent", any)])
            ],
            "/api/v1/visits/waiting": [
                "get": op(
                    "waitingRoom", "Patients waiting or admitted: mine first, then per location (providers)",
                    tag: "visits",
                    responses: ["200": ok("Waiting", arr(any))])
            ],
            "/api/v1/visits/{id}/admit": [
                "post": op(
                    "admitVisit", "Admit the waiting patient; only now are media credentials issued", tag: "visits",
                    params: [idParam],
                    responses: ["200": ok("Visit", any), "409": problemResponse])
            ],
            "/api/v1/visits/{id}/end": [
                "post": op(
                    "endVisit", "End the visit with the provider's note", tag: "visits", params: [idParam],
                    body: obj(["note": str(maxLength: 4000, nullable: true)]), responses: ["200": ok("Visit", any)])
            ],
            "/api/v1/visits/{id}/handoff": [
                "post": op(
                    "handOffVisit", "The host hands a running visit to another provider (audited)",
                    tag: "visits", params: [idParam],
                    body: obj(["providerId": ["type": "string", "format": "uuid"]], required: ["providerId"]),
                    responses: [
                        "200": ok("Visit", any), "403": problemResponse, "409": problemResponse,
                        "422": problemResponse,
                    ])
            ],
            "/api/v1/visits/{id}": [
                "get": op(
                    "readVisit", "The visit record: events, durations, outcome, note (audited)", tag: "visits",
                    params: [idParam],
                    responses: ["200": ok("Visit", any)])
            ],
        ]
    }

    package static var schemas: J {
        var patient = patientFields
        patient["id"] = str(format: "uuid")
        patient["mrn"] = str("Medical record number with check digit")
        patient["version"] = ["type": "integer", "description": "Also sent as the weak ETag"]
        patient["synthetic"] = ["type": "boolean"]
        patient["retired"] = ["type": "boolean"]
        patient["createdAt"] = str(format: "date-time")
        patient["updatedAt"] = str(format: "date-time")
        patient["warnings"] = ["type": ["array", "null"], "items": str()]
        var create = patientFields
        create["acknowledgeDuplicate"] = [
            "type": "boolean", "description": "Register even when a patient with the same name and birth date exists",
        ]
        return [
            "FieldError": obj(["field": str(), "message": str()], required: ["field", "message"]),
            "Problem": obj(
                [
                    "type": str(), "title": str(), "status": ["type": "integer"], "detail": str(),
                    "instance": str(nullable: true),
                    "errors": ["type": ["array", "null"], "items": ref("FieldError")],
                    "extra": ["type": ["object", "null"], "additionalProperties": str()],
                ], required: ["type", "title", "status", "detail"]),
            "TokenRequest": obj(
                [
                    "username": str(), "password": str(),
                    "otp": str("TOTP code or recovery code; required for admin, medical-director and provider"),
                ],
                required: ["username", "password"]),
            "TokenResponse": obj(
                [
                    "access_token": str(), "token_type": str(),
                    "expires_in": ["type": "integer", "description": "Idle time-out in seconds"],
                    "role": str(), "user_id": str(format: "uuid"), "patient_id": str(format: "uuid", nullable: true),
                ],
                required: ["access_token", "token_type", "expires_in"]),
            "Me": obj([
                "userId": str(format: "uuid"), "username": str(), "displayName": str(), "role": str(),
                "patientId": str(format: "uuid", nullable: true), "mfaEnrolled": ["type": "boolean"],
            ]),
            "Location": obj([
                "id": str(format: "uuid"), "code": str(), "name": str(), "timeZone": str("IANA time zone"),
                "address": str(), "phone": str(),
            ]),
            "Patient": obj(patient, required: ["id", "mrn", "version", "familyName", "givenName", "birthDate", "sex"]),
            "PatientCreate": obj(create, required: ["familyName", "givenName", "birthDate", "sex"]),
            "PatientUpdate": obj(patientFields),
            "PatientList": obj(["items": arr(ref("Patient")), "count": ["type": "integer"]]),
            "PatientVersion": obj([
                "version": ["type": "integer"], "changedAt": str(format: "date-time"), "changedBy": str(),
                "changedFields": arr(str()), "snapshot": obj(patientFields),
            ]),
            "PatientExport": obj([
                "exportedAt": str(format: "date-time"), "patient": ref("Patient"),
                "history": arr(ref("PatientVersion")),
            ]),
            "AccessLogEntry": obj([
                "at": str(format: "date-time"), "user": str(), "role": str(), "action": str(), "category": str(),
            ]),
            "User": obj([
                "id": str(format: "uuid"), "username": str(), "displayName": str(), "role": str(),
                "active": ["type": "boolean"],
                "mfaEnrolled": ["type": "boolean"], "locked": ["type": "boolean"],
                "patientId": str(format: "uuid", nullable: true),
            ]),
            "NewUser": obj(
                [
                    "username": str(maxLength: 64), "displayName": str(maxLength: 100),
                    "role": [
                        "type": "string",
                        "enum": [
                            "admin", "medical-director", "provider", "medical-assistant", "front-desk", "support",
                            "operator", "patient",
                        ],
                    ],
                    "password": str(maxLength: 128), "patientId": str(format: "uuid", nullable: true),
                ],
                required: ["username", "displayName", "role", "password"]),
            "UserChange": obj([
                "role": str(), "active": ["type": "boolean"], "unlock": ["type": "boolean"],
                "resetMfa": ["type": "boolean"],
            ]),
            "AuditEvent": obj([
                "seq": ["type": "integer"], "recordedAt": str(format: "date-time"), "username": str(), "role": str(),
                "patientId": str(format: "uuid", nullable: true), "action": str(), "category": str(),
                "entityType": str(),
                "entityId": str(nullable: true), "device": str(), "outcome": str(), "detail": str(), "prevHash": str(),
                "hash": str(),
            ]),
            "AppointmentType": obj([
                "id": str(format: "uuid"), "code": str(), "name": str(), "minutes": ["type": "integer"],
                "telemedicine": ["type": "boolean"], "patientBookable": ["type": "boolean"],
                "needsRoom": ["type": "boolean"],
            ]),
            "Slot": obj([
                "start": str(format: "date-time"), "end": str(format: "date-time"), "providerId": str(format: "uuid"),
                "locationId": str(format: "uuid"),
            ]),
            "Appointment": obj([
                "id": str(format: "uuid"), "patientId": str(format: "uuid"), "providerId": str(format: "uuid"),
                "locationId": str(format: "uuid"), "roomId": str(format: "uuid", nullable: true),
                "typeId": str(format: "uuid"),
                "start": str(format: "date-time"), "end": str(format: "date-time"),
                "status": [
                    "type": "string",
                    "enum": [
                        "proposed", "booked", "arrived", "checked-in", "fulfilled", "cancelled", "noshow",
                        "entered-in-error",
                    ],
                ],
                "cancelReason": str(nullable: true), "overrideReason": str(nullable: true),
                "version": ["type": "integer"],
            ]),
            "AppointmentBooking": obj(
                [
                    "patientId": str("Ignored for patients: always their own record", format: "uuid"),
                    "providerId": str(format: "uuid"),
                    "locationId": str(format: "uuid"), "typeId": str(format: "uuid"), "start": str(format: "date-time"),
                    "roomId": str(format: "uuid", nullable: true),
                    "overrideReason": str(
                        "Staff only: book over the provider's other appointment", maxLength: 500, nullable: true),
                ],
                required: ["providerId", "locationId", "typeId", "start"]),
            "AppointmentChange": obj([
                "start": str(format: "date-time"), "providerId": str(format: "uuid"), "locationId": str(format: "uuid"),
                "roomId": str(format: "uuid"), "status": str(), "cancelReason": str(maxLength: 500),
            ]),
            "FormDefinition": obj([
                "code": str(), "version": ["type": "integer"], "title": str(), "intro": str(),
                "sections": arr(
                    obj([
                        "title": str(),
                        "fields": arr(
                            obj([
                                "id": str(), "label": str(),
                                "kind": [
                                    "type": "string",
                                    "enum": [
                                        "text", "textarea", "date", "number", "choice", "multichoice", "yesno",
                                        "signature", "file",
                                    ],
                                ],
                                "required": ["type": "boolean"],
                                "options": ["type": ["array", "null"], "items": str()], "mapsTo": str(nullable: true),
                            ])),
                    ])),
            ]),
            "Intake": obj([
                "id": str(format: "uuid"), "patientId": str(format: "uuid"), "formCode": str(),
                "formVersion": ["type": "integer"],
                "status": ["type": "string", "enum": ["draft", "submitted", "accepted", "returned"]],
                "answers": ["type": "object", "additionalProperties": str()], "updatedAt": str(format: "date-time"),
                "submittedAt": str(format: "date-time", nullable: true), "reviewComment": str(nullable: true),
                "signedName": str(nullable: true), "signedAt": str(format: "date-time", nullable: true),
            ]),
            "ConversationSummary": obj([
                "id": str(format: "uuid"), "patientId": str(format: "uuid"), "patientName": str(nullable: true),
                "locationId": str(format: "uuid"), "subject": str(), "updatedAt": str(format: "date-time"),
                "urgent": ["type": "boolean"],
                "urgentWords": ["type": ["array", "null"], "items": str()], "unread": ["type": "boolean"],
                "assignedTo": str(format: "uuid", nullable: true),
            ]),
            "Message": obj([
                "id": str(format: "uuid"), "sentAt": str(format: "date-time"), "senderName": str(), "senderSide": str(),
                "body": str(),
                "attachmentId": str(format: "uuid", nullable: true),
            ]),
            "Conversation": obj(["summary": ref("ConversationSummary"), "messages": arr(ref("Message"))]),
            "WoundInput": obj(
                [
                    "bodySite": str(maxLength: 120),
                    "side": ["type": "string", "enum": ["left", "right", "both", "n/a"]],
                ], required: ["bodySite", "side"]),
            "Photo": obj([
                "id": str(format: "uuid"), "woundId": str(format: "uuid"),
                "appointmentId": str(format: "uuid", nullable: true),
                "uploadedAt": str(format: "date-time"), "uploadedBy": str(), "width": ["type": "integer"],
                "height": ["type": "integer"],
                "bytes": ["type": "integer"], "sha256": str(), "lengthMm": ["type": ["number", "null"]],
                "widthMm": ["type": ["number", "null"]],
                "depthMm": ["type": ["number", "null"]],
            ]),
            "Wound": obj([
                "id": str(format: "uuid"), "patientId": str(format: "uuid"), "bodySite": str(), "side": str(),
                "createdAt": str(format: "date-time"), "photos": arr(ref("Photo")),
            ]),
            "Measurement": obj([
                "lengthMm": ["type": ["number", "null"], "minimum": 0, "maximum": 500],
                "widthMm": ["type": ["number", "null"], "minimum": 0, "maximum": 500],
                "depthMm": ["type": ["number", "null"], "minimum": 0, "maximum": 500],
            ]),
            "InvitationRequest": obj([
                "channel": ["type": "string", "enum": ["email", "sms"]],
                "batch": str("Label for adoption figures", maxLength: 60),
            ]),
            "Invitation": obj([
                "id": str(format: "uuid"), "patientId": str(format: "uuid"), "channel": str(), "batch": str(),
                "expiresAt": str(format: "date-time"),
            ]),
            "InvitationBatch": obj([
                "batch": str(), "invited": ["type": "integer"], "registered": ["type": "integer"],
                "rate": ["type": "number"],
            ]),
            "DrillResult": obj([
                "id": str(format: "uuid"), "variant": ["type": "string", "enum": ["latest-backup", "pitr"]],
                "backupId": str(),
                "backupCreatedAt": str(format: "date-time", nullable: true),
                "targetTime": str(format: "date-time", nullable: true),
                "database": str(), "ok": ["type": "boolean"], "startedAt": str(format: "date-time"),
                "finishedAt": str(format: "date-time"),
                "rtoSeconds": ["type": "number"], "rpoSeconds": ["type": ["integer", "null"]],
                "checks": arr(
                    obj(["name": str(), "ok": ["type": "boolean"], "ms": ["type": "integer"], "detail": str()])),
            ]),
            "BackupSummary": obj([
                "id": str(), "kind": str(), "database": str(), "createdAt": str(format: "date-time"),
                "schemaVersion": ["type": "integer"],
                "rows": ["type": "integer"], "blobs": ["type": "integer"], "bytes": ["type": "integer"],
            ]),
            "VerifyReport": obj([
                "ok": ["type": "boolean"], "checked": ["type": "integer"], "headSeq": ["type": "integer"],
                "headHash": str(),
                "firstBadSeq": ["type": ["integer", "null"]], "problem": str(nullable: true),
                "checkpointSeq": ["type": ["integer", "null"]],
            ]),
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
        var paths: J = [
            "/api/v1/auth/token": [
                "post": op(
                    "issueToken", "Exchange credentials (and a second factor) for a bearer token", tag: "auth",
                    body: ref("TokenRequest"),
                    responses: [
                        "200": ok("Token issued", ref("TokenResponse")), "401": problemResponse, "423": problemResponse,
                        "429": problemResponse,
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
                    body: obj(
                        [
                            "code": str(maxLength: 16), "name": str(maxLength: 80),
                            "minutes": ["type": "integer", "minimum": 5, "maximum": 480],
                            "telemedicine": ["type": "boolean"], "patientBookable": ["type": "boolean"],
                            "needsRoom": ["type": "boolean"],
                        ],
                        required: ["code", "name", "minutes"]),
                    responses: ["201": ok("Created", ref("AppointmentType")), "409": problemResponse]),
            ],
            "/api/v1/rooms": [
                "get": op(
                    "listRooms", "Rooms and chairs", tag: "setup",
                    responses: [
                        "200": ok(
                            "Rooms",
                            arr(
                                obj([
                                    "id": str(format: "uuid"), "locationId": str(format: "uuid"), "name": str(),
                                    "active": ["type": "boolean"],
                                ])))
                    ]),
                "post": op(
                    "createRoom", "Add a room (admin)", tag: "setup",
                    body: obj(
                        ["locationId": str(format: "uuid"), "name": str(maxLength: 60)],
                        required: ["locationId", "name"]),
                    responses: [
                        "201": ok(
                            "Created",
                            obj([
                                "id": str(format: "uuid"), "locationId": str(format: "uuid"), "name": str(),
                                "active": ["type": "boolean"],
                            ]))
                    ]),
            ],
            "/api/v1/provider-hours": [
                "get": op(
                    "listProviderHours", "Weekly hours per provider and location", tag: "setup",
                    responses: [
                        "200": ok(
                            "Hours",
                            arr(
                                obj([
                                    "id": str(format: "uuid"), "providerId": str(format: "uuid"),
                                    "locationId": str(format: "uuid"),
                                    "weekday": ["type": "integer"], "start": str(), "end": str(),
                                ])))
                    ]),
                "post": op(
                    "createProviderHours", "Add weekly hours, local HH:MM (admin)", tag: "setup",
                    body: obj(
                        [
                            "providerId": str(format: "uuid"), "locationId": str(format: "uuid"),
                            "weekday": ["type": "integer", "minimum": 1, "maximum": 7],
                            "start": str("HH:MM"), "end": str("HH:MM"),
                        ], required: ["providerId", "locationId", "weekday", "start", "end"]),
                    responses: ["201": ok("Created", obj(["id": str(format: "uuid")])), "409": problemResponse]),
            ],
            "/api/v1/availability-exceptions": [
                "post": op(
                    "createAvailabilityException", "Leave or blocked time (admin)", tag: "setup",
                    body: obj(
                        [
                            "providerId": str(format: "uuid"), "start": str(format: "date-time"),
                            "end": str(format: "date-time"),
                            "kind": ["type": "string", "enum": ["leave", "blocked"]],
                        ], required: ["providerId", "start", "end", "kind"]),
                    responses: ["201": ok("Created", obj(["id": str(format: "uuid")]))])
            ],
            "/api/v1/location-hours": [
                "post": op(
                    "createLocationHours", "Opening hours of a location, local HH:MM (admin)", tag: "setup",
                    body: obj(
                        [
                            "locationId": str(format: "uuid"),
                            "weekday": ["type": "integer", "minimum": 1, "maximum": 7],
                            "start": str("HH:MM"), "end": str("HH:MM"),
                        ], required: ["locationId", "weekday", "start", "end"]),
                    responses: ["201": ok("Created", obj(["id": str(format: "uuid")]))])
            ],
            "/api/v1/scheduling-settings": [
                "put": op(
                    "setSchedulingSettings", "Travel buffer between locations (admin)", tag: "setup",
                    body: obj(
                        ["travelBufferMinutes": ["type": "integer", "minimum": 0, "maximum": 240]],
                        required: ["travelBufferMinutes"]),
                    responses: ["200": ok("Saved", obj(["travelBufferMinutes": ["type": "integer"]]))])
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
                    body: obj(["providerId": str("Defaults to the signed-in provider", format: "uuid")]),
                    responses: [
                        "201": ok(
                            "Feed", obj(["id": str(format: "uuid"), "providerId": str(format: "uuid"), "url": str()]))
                    ])
            ],
            "/api/v1/calendar-feeds/{id}": [
                "delete": op(
                    "revokeCalendarFeed", "Revoke a calendar feed", tag: "scheduling", params: [idParam],
                    responses: ["204": ["description": "Revoked"], "404": problemResponse])
            ],
            "/api/v1/users": [
                "get": op(
                    "listUsers", "Accounts (admin)", tag: "users", responses: ["200": ok("Accounts", arr(ref("User")))]),
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
                        "204": ["description": "Appended; Upload-Offset is the new offset"], "409": problemResponse,
                        "422": problemResponse,
                        "460": ["description": "Checksum mismatch"],
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
                    body: obj([
                        "answers": ["type": "object", "additionalProperties": str()], "submit": ["type": "boolean"],
                    ]),
                    responses: ["200": ok("Intake", ref("Intake")), "403": problemResponse, "422": problemResponse])
            ],
            "/api/v1/intake": [
                "get": op(
                    "intakeQueue", "Submitted intakes waiting for review, oldest first", tag: "intake",
                    responses: [
                        "200": ok(
                            "Queue",
                            arr(
                                obj([
                                    "id": str(format: "uuid"), "patientId": str(format: "uuid"), "patientName": str(),
                                    "mrn": str(), "formCode": str(), "formTitle": str(),
                                    "submittedAt": str(format: "date-time"),
                                ])))
                    ])
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
                    body: obj(["comment": str(maxLength: 1000)], required: ["comment"]),
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
                    body: obj(
                        [
                            "subject": str(maxLength: 120), "locationId": str(format: "uuid"),
                            "body": str(maxLength: 4000), "attachmentId": str(format: "uuid", nullable: true),
                        ],
                        required: ["subject", "locationId", "body"]),
                    responses: ["201": ok("Conversation", ref("Conversation")), "422": problemResponse]),
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
                    body: obj(["assignedTo": str(format: "uuid", nullable: true)]),
                    responses: ["200": ok("Summary", ref("ConversationSummary"))]),
            ],
            "/api/v1/conversations/{id}/messages": [
                "post": op(
                    "replyConversation", "Reply", tag: "messages", params: [idParam],
                    body: obj(
                        ["body": str(maxLength: 4000), "attachmentId": str(format: "uuid", nullable: true)],
                        required: ["body"]),
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
                    responses: ["200": ok("Drills", obj(["drills": arr(ref("DrillResult"))])), "403": problemResponse])
            ],
            "/api/v1/operations/backups": [
                "get": op(
                    "listBackups", "Backups in the data dir, newest first (operator, admin)", tag: "operations",
                    responses: [
                        "200": ok("Backups", obj(["backups": arr(ref("BackupSummary"))])), "403": problemResponse,
                    ])
            ],
        ]
        for (path, item) in pathwayPaths { paths[path] = item }
        for (path, item) in prescribingPaths { paths[path] = item }
        for (path, item) in telehealthPaths { paths[path] = item }
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
