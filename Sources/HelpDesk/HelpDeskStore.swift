import Vapor
import Fluent
import Domain
import AppCore
import Accounts
import Incidents
import Notifications
import Patients

/// The help desk, scoped to the signed-in actor: a requester opens, reads and answers their own tickets; the help desk
/// (support, operators, admins) works them all. A patient's ticket is the patient's words: each read and change is
/// audited under the patient, like a message. Patients never see priority, assignment or internal notes.
package struct HelpDeskStore: Sendable {
    package let scope: AuditScope
    static let entity = "HelpTicket"

    package init(scope: AuditScope) { self.scope = scope }

    var principal: Principal { scope.principal }
    var isHelpDesk: Bool { AccessPolicy.decide(principal, .workHelpDesk).isAllowed }

    // MARK: shapes

    package struct NewTicket: Content {
        package let category: String
        package let subject: String?
        package let description: String
        package let page: String?

        package init(category: String, subject: String? = nil, description: String, page: String? = nil) {
            self.category = category
            self.subject = subject
            self.description = description
            self.page = page
        }
    }

    package struct TicketDTO: Content {
        package let id: UUID
        package let number: Int
        package let createdAt: Date
        package let updatedAt: Date
        package let category: TicketCategory
        package let categoryLabel: String
        package let status: TicketStatus
        package let subject: String
        package let description: String
        package let page: String?
        package let requesterName: String
        package let fromPatient: Bool
        package let firstResponseAt: Date?
        package let resolvedAt: Date?
        // The help desk's own (nil for a requester who is not on the help desk).
        package let priority: TicketPriority?
        package let assignedTo: String?
        package let incidentId: UUID?
        package let firstResponseLeft: String?
        package let resolveLeft: String?
    }

    package struct ReplyDTO: Content {
        package let id: UUID
        package let at: Date
        package let authorName: String
        package let fromHelpDesk: Bool
        package let `internal`: Bool
        package let body: String
    }

    package struct TicketDetail: Content {
        package let ticket: TicketDTO
        package let replies: [ReplyDTO]
    }

    package struct TicketList: Content {
        package let tickets: [TicketDTO]
    }

    package struct ReplyInput: Content {
        package let body: String
        /// A note for the help desk only (help desk members).
        package let `internal`: Bool?

        package init(body: String, internal: Bool? = nil) {
            self.body = body
            self.internal = `internal`
        }
    }

    package struct Change: Content {
        package let priority: String?
        package let status: String?
        package let category: String?
        /// A help desk member's username; "" unassigns.
        package let assignedTo: String?

        package init(priority: String? = nil, status: String? = nil, category: String? = nil, assignedTo: String? = nil)
        {
            self.priority = priority
            self.status = status
            self.category = category
            self.assignedTo = assignedTo
        }
    }

    package struct ToIncident: Content {
        package let severity: String
        /// The incident's title (about the service, no patient details); the ticket's category by default.
        package let title: String?

        package init(severity: String, title: String? = nil) {
            self.severity = severity
            self.title = title
        }
    }

    // MARK: opening

    package func open(_ input: NewTicket) async throws -> TicketDetail {
        try await scope.authorize(.openHelpTicket)
        guard let category = TicketCategory(rawValue: input.category) else {
            throw invalid("category", "Choose what it is about.")
        }
        let description = try FieldText.required(
            input.description, field: "description", max: HelpDeskRules.maxDescription)
        let subject = try FieldText.optional(input.subject, field: "subject", max: HelpDeskRules.maxSubject)
        let p = principal
        guard let userID = p.userID else { throw AppError.forbidden("Sign in to ask for help.") }
        let page = HelpDeskRules.page(from: input.page)
        let now = scope.now
        let patientID = p.role == .patient ? p.patientID : nil
        let r = try await scope.run { tx in
            let last = try await HelpTicketRecord.query(on: tx).sort(\.$number, .descending).first()?.number ?? 0
            let t = HelpTicketRecord()
            t.id = UUID()
            t.number = last + 1
            t.createdAt = now
            t.updatedAt = now
            t.category = category
            t.priority = category == .video || category == .signIn ? .high : .normal
            t.status = .open
            t.subject = subject ?? category.label
            t.description = description
            t.page = page
            t.requesterName = try await UserRecord.find(userID, on: tx)?.displayName ?? p.username
            t.fromPatient = patientID != nil
            t.requesterID = userID
            t.patientID = patientID
            try await t.create(on: tx)
            return (t, [Self.draft(.create, t, "#\(t.number) opened (\(category.rawValue))")])
        }
        return try await detail(r, replies: [], audit: false)
    }

    // MARK: reading

    /// The queue for the help desk (open and waiting first, most pressing first); for anyone else their own tickets.
    package func list(status: TicketStatus? = nil, mine: Bool = false) async throws -> [TicketDTO] {
        try await scope.authorize(.openHelpTicket)
        let q = HelpTicketRecord.query(on: scope.db)
        if !isHelpDesk || mine { q.filter(\.$requesterID == (principal.userID ?? UUID())) }
        if let status { q.filter(\.$status == status) }
        let rows = try await q.sort(\.$createdAt, .descending).limit(300).all()
        let patients = Set(rows.compactMap(\.patientID))
        if isHelpDesk, !patients.isEmpty {
            try await scope.record([
                AuditDraft(
                    action: .query, category: .messages, entityType: Self.entity,
                    detail: "help desk queue: \(rows.count) tickets, \(patients.count) from patients")
            ])
        }
        return try rows.sorted {
            ($0.status == .resolved ? 1 : 0, $0.priority, $1.createdAt) < (
                $1.status == .resolved ? 1 : 0, $1.priority, $0.createdAt
            )
        }.map(dto)
    }

    package func find(_ id: UUID) async throws -> TicketDetail {
        let t = try await load(id, on: scope.db)
        let replies = try await HelpTicketReplyRecord.query(on: scope.db).filter(\.$ticketID == id).sort(\.$at).all()
        return try await detail(t, replies: replies, audit: true)
    }

    /// Loads a ticket the actor may see; another person's ticket is "not found" (its existence is not told).
    func load(_ id: UUID, on db: any Database) async throws -> HelpTicketRecord {
        guard let t = try await HelpTicketRecord.find(id, on: db) else {
            throw AppError.notFound("No such help request.")
        }
        if case .deny = AccessPolicy.decide(principal, .readHelpTicket(requesterID: t.requesterID)) {
            // The refusal is audited; the answer is the same as for a ticket that does not exist.
            do {
                try await scope.authorize(.readHelpTicket(requesterID: t.requesterID), patientID: t.patientID)
            } catch AppError.forbidden {
                throw AppError.notFound("No such help request.")
            }
        }
        return t
    }

    /// The ticket again inside a write, after `load` checked who may see it.
    static func reload(_ id: UUID, on db: any Database) async throws -> HelpTicketRecord {
        guard let t = try await HelpTicketRecord.find(id, on: db) else {
            throw AppError.notFound("No such help request.")
        }
        return t
    }

    func detail(_ t: HelpTicketRecord, replies: [HelpTicketReplyRecord], audit: Bool) async throws -> TicketDetail {
        if audit, t.patientID != nil {
            try await scope.record([Self.draft(.read, t, "#\(t.number) read")])
        }
        let shown = replies.filter { isHelpDesk || !$0.isInternal }
        return TicketDetail(
            ticket: try dto(t),
            replies: try shown.map {
                ReplyDTO(
                    id: try $0.requireID(), at: $0.at, authorName: $0.authorName, fromHelpDesk: $0.fromHelpDesk,
                    internal: $0.isInternal, body: $0.body)
            })
    }

    func dto(_ t: HelpTicketRecord) throws -> TicketDTO {
        let desk = isHelpDesk
        let clock = scope.app.config.ticketSLA.clock(priority: t.priority, openedAt: t.createdAt)
        let now = scope.now
        return TicketDTO(
            id: try t.requireID(), number: t.number, createdAt: t.createdAt, updatedAt: t.updatedAt,
            category: t.category, categoryLabel: t.category.label, status: t.status, subject: t.subject,
            description: t.description, page: t.page, requesterName: t.requesterName, fromPatient: t.fromPatient,
            firstResponseAt: t.firstResponseAt, resolvedAt: t.resolvedAt,
            priority: desk ? t.priority : nil, assignedTo: desk ? t.assignedTo : nil,
            incidentId: desk ? t.incidentID : nil,
            firstResponseLeft: desk ? SLAClock.left(clock.ackDue, done: t.firstResponseAt, now: now) : nil,
            resolveLeft: desk ? SLAClock.left(clock.resolveDue, done: t.resolvedAt, now: now) : nil)
    }

    // MARK: changes

    /// A reply: the requester's reopens a resolved ticket; the help desk's (not internal) is the first answer when
    /// none came before, waits for the requester, and tells a patient through the outbox without its words.
    package func reply(_ id: UUID, _ input: ReplyInput) async throws -> TicketDetail {
        let body = try FieldText.required(input.body, field: "body", max: HelpDeskRules.maxDescription)
        let desk = isHelpDesk
        let internalNote = input.internal == true
        if internalNote, !desk { try await scope.authorize(.workHelpDesk) }
        let p = principal, now = scope.now, practice = scope.app.config.practiceName
        _ = try await load(id, on: scope.db)  // outside the write: a refusal is audited on its own
        let t = try await scope.run { tx in
            let t = try await Self.reload(id, on: tx)
            let mine = t.requesterID == p.userID
            let r = HelpTicketReplyRecord()
            r.ticketID = id
            r.at = now
            r.authorID = p.userID
            r.authorName =
                try await p.userID.asyncFlatMap { try await UserRecord.find($0, on: tx)?.displayName }
                ?? p.username
            r.fromHelpDesk = desk && !mine
            r.isInternal = internalNote
            r.body = body
            try await r.create(on: tx)
            if r.fromHelpDesk, !internalNote {
                if t.firstResponseAt == nil { t.firstResponseAt = now }
                if t.status == .open { t.status = .waiting }
                if let pid = t.patientID {
                    try await Self.notifyPatient(t, patientID: pid, practice: practice, now: now, tx)
                }
            } else if !r.fromHelpDesk, t.status != .open {
                t.status = .open
                t.resolvedAt = nil
            }
            t.updatedAt = now
            try await t.save(on: tx)
            return (t, [Self.draft(.update, t, internalNote ? "#\(t.number) internal note" : "#\(t.number) reply")])
        }
        return try await find(try t.requireID())
    }

    /// Email, SMS and the portal say only that the help desk answered: no words of the request or the answer.
    static func notifyPatient(_ t: HelpTicketRecord, patientID: UUID, practice: String, now: Date, _ tx: any Database)
        async throws
    {
        guard let p = try await PatientRecord.find(patientID, on: tx) else { return }
        let text = p.tr(
            "The {practice} help desk answered your help request. Sign in to the patient portal and open Help to read "
                + "it.", ["practice": practice])
        let round = Int(now.timeIntervalSince1970)
        for (channel, recipient) in NoticeChannel.recipients(
            portal: patientID.uuidString, email: p.email, phone: p.phone)
        {
            try await OutboxMessageRecord.pending(
                kind: "help-reply", channel: channel, recipient: recipient, subject: p.tr("Your help request"),
                body: text, dedupeKey: "help:\(try t.requireID().uuidString):\(round):\(channel.rawValue)",
                patientID: patientID, now: now
            ).create(on: tx)
        }
    }

    package func change(_ id: UUID, _ input: Change) async throws -> TicketDetail {
        try await scope.authorize(.workHelpDesk)
        let priority = try input.priority.map {
            guard let v = TicketPriority(rawValue: $0) else {
                throw invalid("priority", "urgent, high, normal or low.")
            }
            return v
        }
        let status = try input.status.map {
            guard let v = TicketStatus(rawValue: $0) else { throw invalid("status", "open, waiting or resolved.") }
            return v
        }
        let category = try input.category.map {
            guard let v = TicketCategory(rawValue: $0) else { throw invalid("category", "Choose what it is about.") }
            return v
        }
        var assignee: String?? = nil
        if let a = input.assignedTo?.trimmingCharacters(in: .whitespaces) {
            if a.isEmpty {
                assignee = .some(nil)
            } else {
                guard
                    let u = try await UserRecord.query(on: scope.db).filter(\.$username == a)
                        .filter(\.$active == true).first(),
                    AccessPolicy.decide(
                        Principal(userID: u.id, username: u.username, role: u.role), .workHelpDesk
                    ).isAllowed
                else { throw invalid("assignedTo", "Assign it to an active member of the help desk.") }
                assignee = .some(a)
            }
        }
        let now = scope.now, newAssignee = assignee
        _ = try await load(id, on: scope.db)
        let t = try await scope.run { tx in
            let t = try await Self.reload(id, on: tx)
            var changed: [String] = []
            if let priority, priority != t.priority {
                changed.append("priority \(t.priority.rawValue) → \(priority.rawValue)")
                t.priority = priority
            }
            if let category, category != t.category {
                changed.append("category → \(category.rawValue)")
                t.category = category
            }
            if let assignee = newAssignee, assignee != t.assignedTo {
                changed.append(assignee.map { "assigned to \($0)" } ?? "unassigned")
                t.assignedTo = assignee
            }
            if let status, status != t.status {
                changed.append("\(t.status.rawValue) → \(status.rawValue)")
                t.status = status
                t.resolvedAt = status == .resolved ? now : nil
            }
            guard !changed.isEmpty else { throw invalid("change", "Nothing to change.") }
            t.updatedAt = now
            try await t.save(on: tx)
            return (t, [Self.draft(.update, t, "#\(t.number) " + changed.joined(separator: ", "))])
        }
        return try await find(try t.requireID())
    }

    /// Turns the ticket into an incident (paging the on-call); the ticket keeps the link and an internal note.
    package func toIncident(_ id: UUID, _ input: ToIncident) async throws -> (TicketDetail, IncidentRecord) {
        try await scope.authorize(.workHelpDesk)
        let t = try await load(id, on: scope.db)
        if let existing = t.incidentID {
            throw AppError.conflict(
                type: "converted", detail: "This help request is an incident already.",
                extra: ["incidentId": existing.uuidString])
        }
        let title =
            input.title?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmpty
            ?? "Help request #\(t.number): \(t.category.label)"
        let incident = try await IncidentStore.open(
            scope,
            .init(
                title: title, severity: input.severity,
                note: "Opened from help request #\(t.number) (\(t.category.label))."),
            source: "ticket")
        let now = scope.now, p = principal
        let number = incident.number
        _ = try await scope.run { tx in
            let t = try await Self.reload(id, on: tx)
            t.incidentID = try incident.requireID()
            t.updatedAt = now
            try await t.save(on: tx)
            let r = HelpTicketReplyRecord()
            r.ticketID = id
            r.at = now
            r.authorID = p.userID
            r.authorName = p.username
            r.fromHelpDesk = true
            r.isInternal = true
            r.body = "Turned into incident #\(number)."
            try await r.create(on: tx)
            return ((), [Self.draft(.update, t, "#\(t.number) → incident #\(number)")])
        }
        return (try await find(id), incident)
    }

    /// Who a ticket may be assigned to: active support, operators and admins (username, "Name (username)").
    package func members() async throws -> [(String, String)] {
        try await scope.authorize(.workHelpDesk)
        return try await UserRecord.query(on: scope.db).filter(\.$active == true)
            .filter(\.$role ~~ Array(AccessPolicy.helpDeskRoles)).sort(\.$username).all()
            .map { ($0.username, "\($0.displayName) (\($0.username))") }
    }

    // MARK: metrics

    /// Tickets opened in the last `days` days.
    package func metrics(days: Int = 30) async throws -> HelpDeskMetrics {
        try await scope.authorize(.workHelpDesk)
        let now = scope.now
        let rows = try await HelpTicketRecord.query(on: scope.db)
            .filter(\.$createdAt >= now.addingTimeInterval(-Double(days) * 86400)).all()
        return HelpDeskMetrics.compute(
            rows.map {
                TicketFacts(
                    category: $0.category, priority: $0.priority, openedAt: $0.createdAt,
                    firstResponseAt: $0.firstResponseAt, resolvedAt: $0.resolvedAt)
            }, sla: scope.app.config.ticketSLA, now: now)
    }

    // MARK: helpers

    static func draft(_ action: AuditAction, _ t: HelpTicketRecord, _ detail: String) -> AuditDraft {
        AuditDraft(
            action: action, category: t.patientID == nil ? .operations : .messages, patientID: t.patientID,
            entityType: entity, entityID: t.id?.uuidString, detail: detail)
    }

}

func invalid(_ field: String, _ message: String) -> AppError { .validation([FieldError(field, message)]) }

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}

extension Optional {
    func asyncFlatMap<U>(_ f: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let v = self else { return nil }
        return try await f(v)
    }
}

extension Request {
    package func helpDesk() throws -> HelpDeskStore { HelpDeskStore(scope: try scope()) }
}
