import Vapor
import Fluent
import Domain
import AppCore
import Operations

/// Incidents over the API (`/api/v1/incidents…`), the staff pages (`/incidents…`, `/oncall`) and the acknowledge
/// link of a page (`/incidents/ack?token=…`, the token is the credential).
package enum IncidentsController {
    package struct IncidentDTO: Content {
        package let id: UUID
        package let number: Int
        package let title: String
        package let severity: String
        package let severityDefinition: String
        package let state: String
        package let source: String
        package let alertname: String?
        package let runbook: String?
        package let openedAt: Date
        package let openedBy: String?
        package let ackedAt: Date?
        package let ackedBy: String?
        package let resolvedAt: Date?
        package let resolution: String?
        package let paging: String
        package let pagesSent: Int
        package let ackDue: Date
        package let resolveDue: Date
        package let ackLeft: String
        package let resolveLeft: String
        package let postmortemRequired: Bool
        package let postmortemWritten: Bool

        package init(_ r: IncidentRecord, sla: IncidentSLA, now: Date) throws {
            id = try r.requireID()
            number = r.number
            title = r.title
            severity = r.severity
            severityDefinition = r.severityValue.definition
            state = r.state
            source = r.source
            alertname = r.alertname
            runbook = r.runbook
            openedAt = r.openedAt
            openedBy = r.openedBy
            ackedAt = r.ackedAt
            ackedBy = r.ackedBy
            resolvedAt = r.resolvedAt
            resolution = r.resolution
            let step = EscalationStep(rawValue: r.escalationStep) ?? .primary
            paging = r.ackedAt != nil || r.resolvedAt != nil ? "stopped" : "paging the \(step.label)"
            pagesSent = r.pagesSent
            let clock = sla.clock(severity: r.severityValue, openedAt: r.openedAt)
            ackDue = clock.ackDue
            resolveDue = clock.resolveDue
            ackLeft = SLAClock.left(clock.ackDue, done: r.ackedAt, now: now)
            resolveLeft = SLAClock.left(clock.resolveDue, done: r.resolvedAt, now: now)
            postmortemRequired = IncidentRules.postmortemRequired(worst: IncidentSeverity(label: r.worstSeverity))
            postmortemWritten = r.pmWrittenAt != nil
        }
    }

    package struct TimelineEntry: Content {
        package let at: Date
        package let kind: String
        package let text: String
        package let actor: String

        package init(at: Date, kind: String, text: String, actor: String) {
            self.at = at
            self.kind = kind
            self.text = text
            self.actor = actor
        }
    }

    package struct ActionItemDTO: Content {
        package let id: UUID
        package let text: String
        package let owner: String
        package let due: String
        package let doneAt: Date?
    }

    package struct Detail: Content {
        package let incident: IncidentDTO
        package let timeline: [TimelineEntry]
        package let actionItems: [ActionItemDTO]
        package let postmortem: [String: String]?
    }

    package struct IncidentList: Content {
        package let incidents: [IncidentDTO]
    }

    // MARK: reading

    static func list(_ req: Request, all: Bool) async throws -> [IncidentDTO] {
        try await req.scope().authorize(.readIncidents)
        var q = IncidentRecord.query(on: req.db)
        if !all { q = q.filter(\.$state != IncidentState.resolved.rawValue) }
        let rows = try await q.sort(\.$openedAt, .descending).limit(all ? 200 : 100).all()
        let sla = req.application.config.incidentSLA, now = req.now
        return try rows.sorted { ($0.severity, $1.openedAt) < ($1.severity, $0.openedAt) }
            .map { try IncidentDTO($0, sla: sla, now: now) }
    }

    static func detail(_ req: Request, id: UUID) async throws -> Detail {
        try await req.scope().authorize(.readIncidents)
        guard let r = try await IncidentRecord.find(id, on: req.db) else {
            throw AppError.notFound("No incident with this id.")
        }
        return try await detail(
            r, db: req.db, sla: req.application.config.incidentSLA, now: req.now,
            extra: req.application.storage[IncidentTimelineSource.self])
    }

    /// The timeline: what CareSync wrote for the incident, and the deploys, rollbacks, recovery drills and (through
    /// `extra`, which the assembly provides) backups from an hour before it opened until it was resolved.
    package static func detail(
        _ r: IncidentRecord, db: any Database, sla: IncidentSLA, now: Date,
        extra: IncidentTimelineSource.Value? = nil
    ) async throws -> Detail {
        let id = try r.requireID()
        var timeline = try await IncidentEventRecord.query(on: db).filter(\.$incidentID == id).sort(\.$at).all()
            .map { TimelineEntry(at: $0.at, kind: $0.kind, text: $0.text, actor: $0.actor) }
        let from = r.openedAt.addingTimeInterval(-3600), to = r.resolvedAt ?? now
        for d in try await DeploymentEventRecord.query(on: db).filter(\.$startedAt >= from)
            .filter(\.$startedAt <= to).all()
        {
            timeline.append(
                TimelineEntry(
                    at: d.startedAt, kind: d.kind, text: "\(d.kind) of \(d.toRelease): \(d.outcome) (\(d.trigger))",
                    actor: d.actor))
        }
        for d in try await DrillResultRecord.query(on: db).filter(\.$startedAt >= from).filter(\.$startedAt <= to).all()
        {
            timeline.append(
                TimelineEntry(
                    at: d.startedAt, kind: "drill", text: "Recovery drill \(d.ok ? "passed" : "FAILED")",
                    actor: "caresync"))
        }
        timeline += extra?(from, to) ?? []
        let items = try await IncidentActionItemRecord.query(on: db).filter(\.$incidentID == id).sort(\.$createdAt)
            .all().map {
                ActionItemDTO(id: try $0.requireID(), text: $0.text, owner: $0.owner, due: $0.due, doneAt: $0.doneAt)
            }
        let pm: [String: String]? =
            r.pmWrittenAt == nil
            ? nil
            : ["impact": r.pmImpact ?? "", "rootCause": r.pmRootCause ?? "", "wentWell": r.pmWentWell ?? ""]
        return Detail(
            incident: try IncidentDTO(r, sla: sla, now: now), timeline: timeline.sorted { $0.at < $1.at },
            actionItems: items, postmortem: pm)
    }

    // MARK: API

    @Sendable package static func listAPI(req: Request) async throws -> IncidentList {
        IncidentList(incidents: try await list(req, all: (try? req.query.get(Int.self, at: "all")) == 1))
    }

    @Sendable package static func showAPI(req: Request) async throws -> Detail {
        try await detail(req, id: try req.idParameter("incident"))
    }

    @Sendable package static func openAPI(req: Request) async throws -> Response {
        let r = try await IncidentStore.open(try req.scope(), try req.content.decode(IncidentStore.OpenInput.self))
        let res = Response(status: .created)
        try res.content.encode(try await detail(req, id: try r.requireID()))
        return res
    }

    @Sendable package static func ackAPI(req: Request) async throws -> Detail {
        let r = try await IncidentStore.ack(try req.scope(), id: try req.idParameter("incident"))
        return try await detail(req, id: try r.requireID())
    }

    @Sendable package static func stateAPI(req: Request) async throws -> Detail {
        let id = try req.idParameter("incident")
        _ = try await IncidentStore.setState(
            try req.scope(), id: id, try req.content.decode(IncidentStore.StateInput.self))
        return try await detail(req, id: id)
    }

    @Sendable package static func severityAPI(req: Request) async throws -> Detail {
        let id = try req.idParameter("incident")
        _ = try await IncidentStore.setSeverity(
            try req.scope(), id: id, try req.content.decode(IncidentStore.SeverityInput.self))
        return try await detail(req, id: id)
    }

    package struct NoteInput: Content {
        package let note: String
    }

    @Sendable package static func noteAPI(req: Request) async throws -> Detail {
        let id = try req.idParameter("incident")
        _ = try await IncidentStore.addNote(try req.scope(), id: id, note: try req.content.decode(NoteInput.self).note)
        return try await detail(req, id: id)
    }

    @Sendable package static func postmortemAPI(req: Request) async throws -> Detail {
        let id = try req.idParameter("incident")
        _ = try await IncidentStore.writePostmortem(
            try req.scope(), id: id, try req.content.decode(IncidentStore.PostmortemInput.self))
        return try await detail(req, id: id)
    }

    @Sendable package static func actionItemDoneAPI(req: Request) async throws -> Detail {
        let id = try req.idParameter("incident")
        guard let item = req.parameters.get("item").flatMap(UUID.init(uuidString:)) else {
            throw AppError.notFound("No such action item.")
        }
        _ = try await IncidentStore.completeActionItem(try req.scope(), id: id, item: item)
        return try await detail(req, id: id)
    }
}

/// What else belongs on an incident's timeline between two instants (the backups taken: they live in files the
/// assembly knows how to read), kept in the application's storage.
package enum IncidentTimelineSource: StorageKey {
    package typealias Value = @Sendable (Date, Date) -> [IncidentsController.TimelineEntry]
}

/// Incidents's routes, on the site's route groups.
package enum IncidentsRoutes {
    package static func register(routes: SiteRoutes) {
        routes.staff.get(Site.incidents.route, use: IncidentPages.list)
        routes.staff.get(Site.incidentNew.route, use: IncidentPages.newForm)
        routes.staff.post(Site.incidents.route, use: IncidentPages.open)
        routes.staff.get(Site.incident.route, use: IncidentPages.show)
        routes.staff.post(Site.incidentAction.route, use: IncidentPages.act)
        routes.staff.get(Site.onCall.route, use: IncidentPages.roster)
        routes.staff.post(Site.onCall.route, use: IncidentPages.saveRoster)
        // The link in a page: its token is the credential (the person paged may be away from a signed-in browser).
        routes.app.get(Site.incidentAck.route, use: IncidentPages.ackLinkPage)
        routes.app.post(Site.incidentAck.route, use: IncidentPages.ackLink)
        routes.api.get(Site.apiIncidents.route, use: IncidentsController.listAPI)
        routes.api.post(Site.apiIncidents.route, use: IncidentsController.openAPI)
        routes.api.get(Site.apiIncident.route, use: IncidentsController.showAPI)
        routes.api.post(Site.apiIncidentAck.route, use: IncidentsController.ackAPI)
        routes.api.post(Site.apiIncidentState.route, use: IncidentsController.stateAPI)
        routes.api.post(Site.apiIncidentSeverity.route, use: IncidentsController.severityAPI)
        routes.api.post(Site.apiIncidentNotes.route, use: IncidentsController.noteAPI)
        routes.api.post(Site.apiIncidentPostmortem.route, use: IncidentsController.postmortemAPI)
        routes.api.post(Site.apiIncidentActionItemDone.route, use: IncidentsController.actionItemDoneAPI)
    }
}
