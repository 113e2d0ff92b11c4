import AppCore
import Domain
import HelpDesk
import StatusPage

/// The help desk and the public status page in the API document.
extension OpenAPIDocument {
    package static var helpDeskPaths: J {
        let detail = of(HelpDeskStore.TicketDetail.self)
        return [
            "/api/v1/help-tickets": [
                "get": op(
                    "listHelpTickets",
                    "The help desk's queue (support, operators, admins; most pressing first) or, for anyone else, "
                        + "their own requests. Patients never see priority, assignment or internal notes",
                    tag: "help",
                    params: [
                        query("status", "open, waiting or resolved"),
                        query("mine", "1: only the requests I sent"),
                    ],
                    responses: ["200": ok("Help requests", of(HelpDeskStore.TicketList.self))]),
                "post": op(
                    "openHelpTicket", "Ask the help desk for help (staff or a patient)", tag: "help",
                    body: of(
                        HelpDeskStore.NewTicket.self, required: ["category", "description"],
                        [
                            "category": APIField(values: TicketCategory.allCases.map(\.rawValue)),
                            "subject": .text(max: HelpDeskRules.maxSubject, "In a few words"),
                            "description": .text(max: HelpDeskRules.maxDescription, "What happened"),
                            "page": .text(max: 200, "The path of the page it came from (the query is dropped)"),
                        ]),
                    responses: ["201": ok("Opened", detail)]),
            ],
            "/api/v1/help-tickets/metrics": [
                "get": op(
                    "helpDeskMetrics",
                    "Requests by category, time to the first answer, the share resolved within target (goal 95 %)",
                    tag: "help",
                    params: [
                        query("days", "The period, 1-366 days (30)", schema: ["type": "integer", "minimum": 1])
                    ],
                    responses: ["200": ok("Figures", of(HelpDeskMetrics.self))])
            ],
            "/api/v1/help-tickets/{id}": [
                "get": op(
                    "showHelpTicket", "A help request and its replies (the requester or the help desk)", tag: "help",
                    params: [idParam], responses: ["200": ok("Help request", detail)]),
                "patch": op(
                    "changeHelpTicket", "Priority, status, category, assignment (the help desk)", tag: "help",
                    params: [idParam],
                    body: of(
                        HelpDeskStore.Change.self, required: [],
                        [
                            "priority": APIField(values: TicketPriority.allCases.map(\.rawValue)),
                            "status": APIField(values: TicketStatus.allCases.map(\.rawValue)),
                            "category": APIField(values: TicketCategory.allCases.map(\.rawValue)),
                            "assignedTo": .text(max: 100, "A help desk member's username; empty unassigns"),
                        ]),
                    responses: ["200": ok("Help request", detail)]),
            ],
            "/api/v1/help-tickets/{id}/replies": [
                "post": op(
                    "replyToHelpTicket",
                    "A reply (a patient is told through the outbox, without its words) or an internal note",
                    tag: "help", params: [idParam],
                    body: of(
                        HelpDeskStore.ReplyInput.self, required: ["body"],
                        [
                            "body": .text(max: HelpDeskRules.maxDescription, "The reply"),
                            "internal": APIField("true: a note for the help desk only"),
                        ]),
                    responses: ["200": ok("Help request", detail)])
            ],
            "/api/v1/help-tickets/{id}/incident": [
                "post": op(
                    "helpTicketToIncident", "Turn the request into an incident and page the on-call (the help desk)",
                    tag: "help", params: [idParam],
                    body: of(
                        HelpDeskStore.ToIncident.self, required: ["severity"],
                        [
                            "severity": APIField(values: IncidentSeverity.allCases.map(\.rawValue)),
                            "title": .text(max: IncidentRules.maxTitle, "About the service, no patient details"),
                        ]),
                    responses: [
                        "201": ok("Converted", of(HelpDeskController.Converted.self)), "409": problemResponse,
                    ])
            ],
        ]
    }

    package static var statusPaths: J {
        let post = of(StatusStore.PostDTO.self)
        return [
            "/api/v1/status": [
                "get": op(
                    "serviceStatus",
                    "The public status: each component's state, 90 days of uptime, the posts (no sign-in, no PHI)",
                    tag: "status", responses: ["200": ok("Status", of(StatusStore.Snapshot.self))], secured: false)
            ],
            "/api/v1/status/posts": [
                "get": op(
                    "listStatusPosts", "The status page's posts, newest first (support, operators, admins)",
                    tag: "status", responses: ["200": ok("Posts", of(StatusController.PostList.self))]),
                "post": op(
                    "publishStatusPost",
                    "Publish an incident or announce maintenance for patients; confirmed subscribers are told",
                    tag: "status",
                    body: of(
                        StatusStore.NewPost.self, required: ["kind", "title", "components", "text"],
                        [
                            "kind": APIField(values: StatusPostKind.allCases.map(\.rawValue)),
                            "title": .text(max: StatusPostRules.maxTitle, "Public: no patient details"),
                            "impact": APIField(
                                "An incident's effect", values: ["degraded", "partial-outage", "major-outage"]),
                            "text": .text(max: StatusPostRules.maxText, "What patients should know"),
                            "startsAt": APIField("Maintenance: when it starts", format: "date-time"),
                            "endsAt": APIField("Maintenance: when it ends", format: "date-time"),
                        ]),
                    responses: ["201": ok("Published", post)]),
            ],
            "/api/v1/status/posts/{id}/updates": [
                "post": op(
                    "updateStatusPost", "A public update: the new state and what patients are told", tag: "status",
                    params: [idParam],
                    body: of(
                        StatusStore.NewUpdate.self, required: ["state", "text"],
                        [
                            "state": APIField(values: StatusPostState.allCases.map(\.rawValue)),
                            "text": .text(max: StatusPostRules.maxText, "What patients should know"),
                        ]),
                    responses: ["200": ok("Post", post)])
            ],
            "/api/v1/status/probes": [
                "get": op(
                    "latestStatusProbes",
                    "The newest probe reading per component and node (support, operators, admins)",
                    tag: "status", responses: ["200": ok("Readings", of(StatusController.ProbeList.self))])
            ],
        ]
    }
}
