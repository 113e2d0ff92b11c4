import Vapor
import Fluent
import Domain
import AppCore
import Notifications
import Operations

/// Incidents: opening (alerts, staff), paging the on-call through the outbox until someone acknowledges, state and
/// severity changes under the rules, notes, the postmortem. Every change is one transaction with its audit event and
/// its timeline line.
package enum IncidentStore {
    package static let audit = "Incident"

    // MARK: opening

    /// An alert opened: a new incident, unless one for the same alert is still open (then a timeline line). An alert
    /// resolved: a timeline line on its open incident.
    package static func alertChanged(_ app: Application, _ change: AlertChange, now: Date, on db: any Database)
        async throws
    {
        let open = try await IncidentRecord.query(on: db).filter(\.$alertname == change.alertname)
            .filter(\.$state != IncidentState.resolved.rawValue).sort(\.$openedAt, .descending).first()
        let actor = "alertmanager"
        if let open, let id = open.id {
            let text =
                change.firing
                ? "Alert \(change.alertname) fired again."
                : "Alert \(change.alertname) resolved: the condition is over."
            try await IncidentEventRecord(
                incidentID: id, at: now, kind: change.firing ? "alert-fired" : "alert-resolved", text: text,
                actor: actor
            ).create(on: db)
            open.updatedAt = now
            try await open.save(on: db)
            return
        }
        guard change.firing else { return }
        let title = change.summary.isEmpty ? change.alertname : "\(change.alertname): \(change.summary)"
        let r = try await create(
            app, title: title, severity: IncidentSeverity(label: change.severity), source: "alert",
            alertname: change.alertname, runbook: change.runbook, openedBy: nil, now: now, on: db)
        try await AuditWriter.append(
            [opened(r)], context: AuditContext(actor: .system(actor), device: "alertmanager webhook"), at: now, on: db)
    }

    package struct OpenInput: Content {
        package let title: String
        package let severity: String
        package let note: String?

        package init(title: String, severity: String, note: String? = nil) {
            self.title = title
            self.severity = severity
            self.note = note
        }
    }

    /// Staff open an incident (a ticket can be converted the same way).
    package static func open(_ scope: AuditScope, _ input: OpenInput, source: String = "staff") async throws
        -> IncidentRecord
    {
        try await scope.authorize(.openIncident)
        let title = input.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty, title.count <= IncidentRules.maxTitle else {
            throw invalid("title", "Say what is wrong in a line (at most \(IncidentRules.maxTitle) characters).")
        }
        guard let severity = IncidentSeverity(rawValue: input.severity.uppercased()) else {
            throw invalid("severity", "Choose P0, P1, P2 or P3.")
        }
        let note = try text(input.note, field: "note", required: false)
        let now = scope.now, app = scope.app, who = scope.principal.username
        return try await scope.run { tx in
            let r = try await create(
                app, title: title, severity: severity, source: source, alertname: nil, runbook: nil, openedBy: who,
                now: now, on: tx)
            if let note {
                try await IncidentEventRecord(
                    incidentID: try r.requireID(), at: now, kind: "note", text: note, actor: who
                )
                .create(on: tx)
            }
            return (r, [opened(r)])
        }
    }

    static func opened(_ r: IncidentRecord) -> AuditDraft {
        AuditDraft(
            action: .create, category: .operations, entityType: audit, entityID: r.id?.uuidString,
            detail: "#\(r.number) \(r.severity) opened (\(r.source))")
    }

    static func create(
        _ app: Application, title: String, severity: IncidentSeverity, source: String, alertname: String?,
        runbook: String?, openedBy: String?, now: Date, on db: any Database
    ) async throws -> IncidentRecord {
        let last = try await IncidentRecord.query(on: db).sort(\.$number, .descending).first()?.number ?? 0
        let r = IncidentRecord()
        r.id = UUID()
        r.number = last + 1
        r.openedAt = now
        r.updatedAt = now
        r.escalationStep = EscalationStep.primary.rawValue
        r.pagesSent = 0
        r.ackTokenHash = ""
        r.title = String(title.prefix(IncidentRules.maxTitle))
        r.severity = severity.rawValue
        r.worstSeverity = severity.rawValue
        r.state = IncidentState.investigating.rawValue
        r.source = source
        r.alertname = alertname
        r.runbook = runbook.map { String($0.prefix(2000)) }
        r.openedBy = openedBy
        try await r.create(on: db)
        try await IncidentEventRecord(
            incidentID: try r.requireID(), at: now, kind: "opened",
            text: "Opened as \(severity.rawValue) (\(severity.definition))"
                + (alertname.map { " by the alert \($0)." } ?? " by \(openedBy ?? "staff")."),
            actor: openedBy ?? "alertmanager"
        ).create(on: db)
        try await page(app, r, step: .primary, now: now, on: db)
        return r
    }

    // MARK: paging

    /// Pages the step's person of the shift on call now (email and SMS through the outbox; the incident's number,
    /// severity and title, and the acknowledge link: no PHI). With nobody on the roster, the alert on-call addresses.
    static func page(_ app: Application, _ r: IncidentRecord, step: EscalationStep, now: Date, on db: any Database)
        async throws
    {
        let id = try r.requireID()
        // A new secret each page: the link in the newest message acknowledges (older ones stop working).
        let token = Token.generate(bytes: 24)
        r.ackTokenHash = Token.hash(token)
        r.escalationStep = step.rawValue
        r.lastPagedAt = now
        r.pagesSent += 1
        let link = app.config.publicURL + Site.incidentAck.path() + "?token=\(token)"
        let subject = "[\(r.severity)] CareSync incident #\(r.number): \(r.title)"
        let body = "\(subject)\n\nAcknowledge: \(link)\nOpen /incidents for the details."
        var told: [String] = []
        let shift = try await currentShift(db, now: now)
        if let username = shift?.username(step) {
            let contact = try await StaffContactRecord.query(on: db).filter(\.$username == username).first()
            for (channel, to) in [(NoticeChannel.email, contact?.email), (.sms, contact?.phone)] {
                guard let to, !to.isEmpty else { continue }
                try await OutboxMessageRecord.pending(
                    kind: "incident-page", channel: channel, recipient: to, subject: subject,
                    body: channel == .sms ? "\(subject) Ack: \(link)" : body,
                    dedupeKey: "incident:\(id):page:\(r.pagesSent):\(channel.rawValue)", patientID: nil, now: now
                ).create(on: db)
            }
            told.append("\(username) (\(step.label))")
        } else {
            for to in app.config.onCallEmails {
                try await OutboxMessageRecord.pending(
                    kind: "incident-page", channel: .email, recipient: to, subject: subject, body: body,
                    dedupeKey: "incident:\(id):page:\(r.pagesSent):\(to)", patientID: nil, now: now
                ).create(on: db)
            }
            told.append(
                app.config.onCallEmails.isEmpty
                    ? "nobody: no on-call shift now and no CARESYNC_ONCALL_EMAILS"
                    : "the alert addresses (no on-call shift now)")
        }
        try await r.save(on: db)
        try await IncidentEventRecord(
            incidentID: id, at: now, kind: "page", text: "Paged \(told.joined(separator: ", ")) (page \(r.pagesSent)).",
            actor: "caresync"
        ).create(on: db)
    }

    /// One pass of the pager: each open, unacknowledged incident is paged again when due, or escalated to the next
    /// step when its acknowledgement window has run out. Returns how many pages were sent.
    package static func escalationPass(_ app: Application) async throws -> Int {
        let now = app.clock.now()
        let sla = app.config.incidentSLA
        let repage = app.config.incidentRepageMinutes * 60
        return try await app.serializer.write(app.db) { tx in
            let waiting = try await IncidentRecord.query(on: tx).filter(\.$ackedAt == nil)
                .filter(\.$state != IncidentState.resolved.rawValue).all()
            var sent = 0
            for r in waiting {
                let step = EscalationStep(rawValue: r.escalationStep) ?? .primary
                switch Escalation.due(
                    openedAt: r.openedAt, ackWindow: sla.ack[r.severityValue] ?? 900, step: step,
                    lastPagedAt: r.lastPagedAt, repage: repage, now: now)
                {
                case .page(let s)?:
                    try await page(app, r, step: s, now: now, on: tx)
                    sent += 1
                case .escalate(let s)?:
                    try await IncidentEventRecord(
                        incidentID: try r.requireID(), at: now, kind: "escalated",
                        text: "Not acknowledged in time: escalated to the \(s.label).", actor: "caresync"
                    ).create(on: tx)
                    try await page(app, r, step: s, now: now, on: tx)
                    sent += 1
                case nil: continue
                }
            }
            return sent
        }
    }

    package static let worker = PeriodicWorker(name: "incident-pager", interval: { _ in 30 }) { app in
        _ = try await escalationPass(app)
    }

    package static func currentShift(_ db: any Database, now: Date) async throws -> OnCallShiftRecord? {
        try await OnCallShiftRecord.query(on: db).filter(\.$startsAt <= now).filter(\.$endsAt > now)
            .sort(\.$startsAt, .descending).first()
    }

    // MARK: what people do

    /// Acknowledged: the paging stops. Signed-in staff who work incidents, or the link in the newest page.
    package static func ack(_ scope: AuditScope, id: UUID) async throws -> IncidentRecord {
        try await scope.authorize(.manageIncidents)
        let who = scope.principal.username
        return try await change(scope, id: id) { r, now, tx in
            try await acknowledge(r, by: who, via: "from CareSync", now: now, on: tx)
        }
    }

    /// The acknowledge link: its token is the credential; it names whom the page went to.
    package static func ack(_ app: Application, token: String) async throws -> IncidentRecord {
        guard token.count >= 20, token.count <= 100 else { throw AppError.notFound("This link is not valid.") }
        let h = Token.hash(token)
        let now = app.clock.now()
        return try await app.serializer.write(app.db) { tx in
            guard let r = try await IncidentRecord.query(on: tx).filter(\.$ackTokenHash == h).first() else {
                throw AppError.notFound("This link is not valid, or a newer page replaced it.")
            }
            let shift = try await currentShift(tx, now: now)
            let who = shift?.username(EscalationStep(rawValue: r.escalationStep) ?? .primary) ?? "on-call"
            try await acknowledge(r, by: who, via: "by the link in the page", now: now, on: tx)
            r.updatedAt = now
            try await r.save(on: tx)
            try await AuditWriter.append(
                [
                    AuditDraft(
                        action: .update, category: .operations, entityType: audit, entityID: r.id?.uuidString,
                        detail: "#\(r.number) acknowledged by \(who) (page link)")
                ], context: AuditContext(actor: .system("incident-ack-link"), device: "page link"), at: now, on: tx)
            return r
        }
    }

    static func acknowledge(_ r: IncidentRecord, by who: String, via: String, now: Date, on db: any Database)
        async throws -> String
    {
        guard r.ackedAt == nil else {
            throw AppError.conflict(type: "acknowledged", detail: "Already acknowledged.", extra: [:])
        }
        r.ackedAt = now
        r.ackedBy = who
        try await IncidentEventRecord(
            incidentID: try r.requireID(), at: now, kind: "ack", text: "Acknowledged by \(who) \(via).", actor: who
        ).create(on: db)
        return "#\(r.number) acknowledged"
    }

    package struct StateInput: Content {
        package let state: String
        package let note: String?

        package init(state: String, note: String? = nil) {
            self.state = state
            self.note = note
        }
    }

    package static func setState(_ scope: AuditScope, id: UUID, _ input: StateInput) async throws -> IncidentRecord {
        try await scope.authorize(.manageIncidents)
        guard let to = IncidentState(rawValue: input.state) else {
            throw invalid("state", "investigating, identified, monitoring or resolved.")
        }
        let note = try text(input.note, field: "note", required: false)
        let who = scope.principal.username
        return try await change(scope, id: id) { r, now, tx in
            if let why = IncidentRules.transition(from: r.stateValue, to: to, note: note) {
                throw invalid(to == .resolved ? "note" : "state", why)
            }
            let from = r.state
            r.state = to.rawValue
            if to == .resolved {
                r.resolvedAt = now
                r.resolution = note
                if r.ackedAt == nil {
                    r.ackedAt = now
                    r.ackedBy = who
                }
            } else if from == IncidentState.resolved.rawValue {
                r.resolvedAt = nil
            }
            try await IncidentEventRecord(
                incidentID: try r.requireID(), at: now, kind: "state",
                text: "\(from) → \(to.rawValue)" + (note.map { ": \($0)" } ?? ""), actor: who
            ).create(on: tx)
            return "#\(r.number) \(from) → \(to.rawValue)"
        }
    }

    package struct SeverityInput: Content {
        package let severity: String
        package let reason: String?

        package init(severity: String, reason: String? = nil) {
            self.severity = severity
            self.reason = reason
        }
    }

    package static func setSeverity(_ scope: AuditScope, id: UUID, _ input: SeverityInput) async throws
        -> IncidentRecord
    {
        try await scope.authorize(.manageIncidents)
        guard let to = IncidentSeverity(rawValue: input.severity.uppercased()) else {
            throw invalid("severity", "Choose P0, P1, P2 or P3.")
        }
        let reason = try text(input.reason, field: "reason", required: false)
        let who = scope.principal.username
        return try await change(scope, id: id) { r, now, tx in
            let from = r.severityValue
            if let why = IncidentRules.severityChange(from: from, to: to, reason: reason) {
                throw invalid("reason", why)
            }
            r.severity = to.rawValue
            if to < IncidentSeverity(label: r.worstSeverity) { r.worstSeverity = to.rawValue }
            try await IncidentEventRecord(
                incidentID: try r.requireID(), at: now, kind: "severity",
                text: "\(from.rawValue) → \(to.rawValue)" + (reason.map { ": \($0)" } ?? ""), actor: who
            ).create(on: tx)
            return "#\(r.number) severity \(from.rawValue) → \(to.rawValue)" + (reason.map { " (\($0))" } ?? "")
        }
    }

    package static func addNote(_ scope: AuditScope, id: UUID, note: String?) async throws -> IncidentRecord {
        try await scope.authorize(.manageIncidents)
        guard let note = try text(note, field: "note", required: true) else { throw Abort(.badRequest) }
        let who = scope.principal.username
        return try await change(scope, id: id) { r, now, tx in
            try await IncidentEventRecord(incidentID: try r.requireID(), at: now, kind: "note", text: note, actor: who)
                .create(on: tx)
            return "#\(r.number) note"
        }
    }

    package struct PostmortemInput: Content {
        package let impact: String
        package let rootCause: String
        package let wentWell: String
        /// A new action item with it (optional when the postmortem already has some).
        package let actionItem: String?
        package let owner: String?
        package let due: String?

        package init(
            impact: String, rootCause: String, wentWell: String, actionItem: String? = nil, owner: String? = nil,
            due: String? = nil
        ) {
            self.impact = impact
            self.rootCause = rootCause
            self.wentWell = wentWell
            self.actionItem = actionItem
            self.owner = owner
            self.due = due
        }
    }

    package static func writePostmortem(_ scope: AuditScope, id: UUID, _ input: PostmortemInput) async throws
        -> IncidentRecord
    {
        try await scope.authorize(.manageIncidents)
        let impact = try text(input.impact, field: "impact", required: false) ?? ""
        let cause = try text(input.rootCause, field: "rootCause", required: false) ?? ""
        let well = try text(input.wentWell, field: "wentWell", required: false) ?? ""
        let item = try text(input.actionItem, field: "actionItem", required: false)
        let owner = try text(input.owner, field: "owner", required: false)
        let due = input.due?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        if item != nil {
            guard owner != nil, let due, LocalDay(due) != nil else {
                throw invalid("due", "An action item needs an owner and a due date.")
            }
        }
        let who = scope.principal.username
        return try await change(scope, id: id) { r, now, tx in
            let rid = try r.requireID()
            if let item, let owner, let due {
                let a = IncidentActionItemRecord()
                a.incidentID = rid
                a.createdAt = now
                a.text = item
                a.owner = String(owner.prefix(100))
                a.due = due
                try await a.create(on: tx)
            }
            let items = try await IncidentActionItemRecord.query(on: tx).filter(\.$incidentID == rid).count()
            let problems = IncidentRules.postmortemProblems(
                impact: impact, rootCause: cause, wentWell: well, actionItems: items)
            guard problems.isEmpty else {
                throw invalid("postmortem", problems.joined(separator: " "))
            }
            r.pmImpact = impact
            r.pmRootCause = cause
            r.pmWentWell = well
            r.pmWrittenAt = r.pmWrittenAt ?? now
            try await IncidentEventRecord(
                incidentID: rid, at: now, kind: "postmortem", text: "Postmortem written (\(items) action items).",
                actor: who
            ).create(on: tx)
            return "#\(r.number) postmortem"
        }
    }

    package static func completeActionItem(_ scope: AuditScope, id: UUID, item: UUID) async throws -> IncidentRecord {
        try await scope.authorize(.manageIncidents)
        let who = scope.principal.username
        return try await change(scope, id: id) { r, now, tx in
            guard
                let a = try await IncidentActionItemRecord.query(on: tx).filter(\.$id == item)
                    .filter(\.$incidentID == (try r.requireID())).first()
            else { throw AppError.notFound("No such action item on this incident.") }
            guard a.doneAt == nil else {
                throw AppError.conflict(type: "done", detail: "That action item is done already.", extra: [:])
            }
            a.doneAt = now
            try await a.save(on: tx)
            try await IncidentEventRecord(
                incidentID: try r.requireID(), at: now, kind: "action-item", text: "Done: \(a.text) (\(a.owner))",
                actor: who
            ).create(on: tx)
            return "#\(r.number) action item done"
        }
    }

    /// Loads the incident, applies `body` (which returns the audit detail), saves, audits: one transaction.
    static func change(
        _ scope: AuditScope, id: UUID,
        _ body: @escaping @Sendable (IncidentRecord, Date, any Database) async throws -> String
    ) async throws -> IncidentRecord {
        let now = scope.now
        return try await scope.run { tx in
            guard let r = try await IncidentRecord.find(id, on: tx) else {
                throw AppError.notFound("No incident with this id.")
            }
            let detail = try await body(r, now, tx)
            r.updatedAt = now
            try await r.save(on: tx)
            return (
                r,
                [
                    AuditDraft(
                        action: .update, category: .operations, entityType: audit, entityID: id.uuidString,
                        detail: detail)
                ]
            )
        }
    }

    /// Trimmed text, at most `IncidentRules.maxText` characters, without control characters (line breaks allowed).
    static func text(_ raw: String?, field: String, required: Bool) throws -> String? {
        required
            ? try FieldText.required(raw, field: field, max: IncidentRules.maxText)
            : try FieldText.optional(raw, field: field, max: IncidentRules.maxText)
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}

/// A rule the input broke (422, the field named).
func invalid(_ field: String, _ message: String) -> AppError { .validation([FieldError(field, message)]) }
