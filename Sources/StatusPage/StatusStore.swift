import Vapor
import Fluent
import SQLKit
import Domain
import AppCore
import Incidents
import Locations
import Notifications

/// The public status page's data: the components and their states (from the probes, the open incidents and the posts
/// staff publish), 90 days of uptime, the posts and their updates, the subscribers.
package enum StatusStore {
    package struct Component: Sendable {
        package let id: String
        package let name: String
        package let kind: StatusComponentKind
    }

    package struct DayDTO: Content {
        package let day: String
        package let uptime: Double?
        package let bar: String
    }

    package struct ComponentDTO: Content {
        package let id: String
        package let name: String
        package let state: ComponentState
        package let stateLabel: String
        /// Over the days shown ("99.95 %"), nil before any probe.
        package let uptime: String?
        package let days: [DayDTO]
    }

    package struct UpdateDTO: Content {
        package let at: Date
        package let state: StatusPostState
        package let stateLabel: String
        package let text: String
    }

    package struct PostDTO: Content {
        package let id: UUID
        package let kind: StatusPostKind
        package let state: StatusPostState
        package let title: String
        package let components: [String]
        package let componentNames: [String]
        package let impact: ComponentState
        package let startsAt: Date?
        package let endsAt: Date?
        package let createdAt: Date
        package let updatedAt: Date
        package let updates: [UpdateDTO]
    }

    package struct Snapshot: Content {
        package let practice: String
        package let generatedAt: Date
        package let overall: ComponentState
        package let overallLabel: String
        package let components: [ComponentDTO]
        /// Incidents not over and maintenance under way.
        package let active: [PostDTO]
        package let upcoming: [PostDTO]
        /// Over in the last 14 days.
        package let recent: [PostDTO]
    }

    // MARK: components

    /// The portal, video visits, e-prescribing, scheduling at each location, the staff application.
    package static func components(_ db: any Database) async throws -> [Component] {
        let locations = try await LocationRecord.query(on: db).sort(\.$name).all()
        return [
            Component(id: "portal", name: StatusComponentKind.portal.label, kind: .portal),
            Component(id: "video", name: StatusComponentKind.video.label, kind: .video),
            Component(id: "eprescribing", name: StatusComponentKind.eprescribing.label, kind: .eprescribing),
        ]
            + (try locations.map {
                Component(id: "scheduling:\(try $0.requireID())", name: "Scheduling: \($0.name)", kind: .scheduling)
            })
            + [Component(id: "staff", name: StatusComponentKind.staff.label, kind: .staff)]
    }

    // MARK: the snapshot

    package static func snapshot(_ app: Application, db: any Database, now: Date, days: Int = 90) async throws
        -> Snapshot
    {
        let comps = try await components(db)
        let window = max(180, 3 * app.config.probeSeconds)
        let probes = try await StatusProbeRecord.query(on: db).filter(\.$at >= now.addingTimeInterval(-window)).all()
        let utc = TimeZone(identifier: "UTC") ?? .current
        let first = now.addingTimeInterval(-Double(days - 1) * 86400)
        let dayKeys = (0..<days).map { Format.utc(first.addingTimeInterval(Double($0) * 86400), "yyyy-MM-dd") }
        let history = try await StatusUptimeDayRecord.query(on: db).filter(\.$day >= dayKeys[0]).all()
        var byDay: [String: [String: (Int, Int)]] = [:]
        for h in history { byDay[h.component, default: [:]][h.day] = (h.probes, h.failed) }
        _ = utc

        let posts = try await StatusPostRecord.query(on: db).filter(\.$updatedAt >= now.addingTimeInterval(-14 * 86400))
            .sort(\.$createdAt, .descending).all()
        let open = try await StatusPostRecord.query(on: db).filter(
            \.$state ~~ [.investigating, .identified, .monitoring, .scheduled, .inProgress]
        ).all()
        let allPosts = Dictionary((posts + open).compactMap { p in p.id.map { ($0, p) } }) { a, _ in a }.values
        let incidents = try await IncidentRecord.query(on: db).filter(\.$state != IncidentState.resolved.rawValue).all()

        var out: [ComponentDTO] = []
        for c in comps {
            let readings = probes.filter { $0.component == c.id }.map {
                ProbeReading(node: $0.node, at: $0.at, ok: $0.ok, degraded: $0.degraded)
            }
            var declared: [ComponentState] = []
            for i in incidents {
                if let name = i.alertname, let impact = StatusComponentKind.impact(ofAlert: name),
                    impact.kinds.contains(c.kind)
                {
                    declared.append(impact.state)
                }
            }
            var maintenance = false
            for p in allPosts where p.componentIDs.contains(c.id) {
                switch p.kind {
                case .incident where !p.state.isOver: declared.append(p.impact)
                case .maintenance:
                    if StatusPostRules.maintenanceActive(start: p.startsAt, end: p.endsAt, state: p.state, now: now) {
                        maintenance = true
                    }
                default: break
                }
            }
            let state = StatusRules.state(
                probes: StatusRules.fromProbes(readings, now: now, window: window), incidents: declared,
                maintenance: maintenance)
            let days = dayKeys.map { key -> DayDTO in
                let (total, failed) = byDay[c.id]?[key] ?? (0, 0)
                let u = StatusRules.uptime(ok: total - failed, total: total)
                return DayDTO(day: key, uptime: u, bar: StatusRules.barClass(u))
            }
            let totals = byDay[c.id]?.values.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) } ?? (0, 0)
            out.append(
                ComponentDTO(
                    id: c.id, name: c.name, state: state, stateLabel: state.label,
                    uptime: StatusRules.uptimeText(ok: totals.0 - totals.1, total: totals.0), days: days))
        }
        let names = Dictionary(comps.map { ($0.id, $0.name) }) { a, _ in a }
        let dtos = try await postDTOs(Array(allPosts), names: names, db: db)
        let active = dtos.filter {
            $0.kind == .incident
                ? !$0.state.isOver
                : StatusPostRules.maintenanceActive(start: $0.startsAt, end: $0.endsAt, state: $0.state, now: now)
        }
        let upcoming = dtos.filter { $0.kind == .maintenance && $0.state == .scheduled && ($0.startsAt ?? now) > now }
        let shown = Set(active.map(\.id) + upcoming.map(\.id))
        let recent = dtos.filter { !shown.contains($0.id) && $0.updatedAt >= now.addingTimeInterval(-14 * 86400) }
        let overall = out.map(\.state).max() ?? .operational
        return Snapshot(
            practice: app.config.practiceName, generatedAt: now, overall: overall, overallLabel: overallText(overall),
            components: out, active: active.sorted { $0.createdAt > $1.createdAt },
            upcoming: upcoming.sorted { ($0.startsAt ?? now) < ($1.startsAt ?? now) },
            recent: recent.sorted { $0.updatedAt > $1.updatedAt })
    }

    static func overallText(_ s: ComponentState) -> String {
        switch s {
        case .operational: return "All systems operational"
        case .maintenance: return "Maintenance under way"
        case .degraded: return "Some services are slow"
        case .partialOutage: return "Some services are down"
        case .majorOutage: return "Major outage"
        }
    }

    static func postDTOs(_ posts: [StatusPostRecord], names: [String: String], db: any Database) async throws
        -> [PostDTO]
    {
        let ids = posts.compactMap(\.id)
        let updates =
            ids.isEmpty
            ? []
            : try await StatusPostUpdateRecord.query(on: db).filter(\.$postID ~~ ids).sort(\.$at, .descending).all()
        return try posts.map { p in
            let id = try p.requireID()
            return PostDTO(
                id: id, kind: p.kind, state: p.state, title: p.title, components: p.componentIDs,
                componentNames: p.componentIDs.map { names[$0] ?? $0 }, impact: p.impact, startsAt: p.startsAt,
                endsAt: p.endsAt, createdAt: p.createdAt, updatedAt: p.updatedAt,
                updates: updates.filter { $0.postID == id }.map {
                    UpdateDTO(at: $0.at, state: $0.state, stateLabel: $0.state.label, text: $0.text)
                })
        }
    }

    // MARK: posts

    package struct NewPost: Content {
        package let kind: String
        package let title: String
        package let components: [String]
        /// degraded, partial-outage or major-outage (an incident; maintenance shows as maintenance).
        package let impact: String?
        package let text: String
        package let startsAt: Date?
        package let endsAt: Date?
        package let incidentId: UUID?

        package init(
            kind: String, title: String, components: [String], impact: String?, text: String, startsAt: Date? = nil,
            endsAt: Date? = nil, incidentId: UUID? = nil
        ) {
            self.kind = kind
            self.title = title
            self.components = components
            self.impact = impact
            self.text = text
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.incidentId = incidentId
        }
    }

    package struct NewUpdate: Content {
        package let state: String
        package let text: String

        package init(state: String, text: String) {
            self.state = state
            self.text = text
        }
    }

    /// Publishes a post (its first update is `text`) and tells the confirmed subscribers.
    package static func publish(_ scope: AuditScope, _ input: NewPost) async throws -> PostDTO {
        try await scope.authorize(.publishStatus)
        guard let kind = StatusPostKind(rawValue: input.kind) else {
            throw invalid("kind", "incident or maintenance.")
        }
        let title = try FieldText.required(input.title, field: "title", max: StatusPostRules.maxTitle)
        let body = try FieldText.required(input.text, field: "text", max: StatusPostRules.maxText)
        let known = Set(try await components(scope.db).map(\.id))
        let chosen = Array(Set(input.components)).sorted()
        guard !chosen.isEmpty, chosen.allSatisfy(known.contains) else {
            throw invalid("components", "Choose the parts of CareSync it touches.")
        }
        let now = scope.now
        var impact = ComponentState.maintenance
        if kind == .incident {
            guard let i = input.impact.flatMap(ComponentState.init(rawValue:)), i > .maintenance else {
                throw invalid("impact", "degraded, partial-outage or major-outage.")
            }
            impact = i
        } else if let why = StatusPostRules.maintenanceWindow(start: input.startsAt, end: input.endsAt, now: now) {
            throw invalid("startsAt", why)
        }
        if let iid = input.incidentId, try await IncidentRecord.find(iid, on: scope.db) == nil {
            throw invalid("incidentId", "No incident with this id.")
        }
        let author = scope.principal.username, postImpact = impact
        let state: StatusPostState = kind == .incident ? .investigating : .scheduled
        let practice = scope.app.config.practiceName, base = scope.app.config.publicURL
        let post = try await scope.run { tx in
            let p = StatusPostRecord()
            p.id = UUID()
            p.createdAt = now
            p.updatedAt = now
            p.kind = kind
            p.state = state
            p.title = title
            p.components = chosen.joined(separator: ",")
            p.impact = postImpact
            p.startsAt = kind == .maintenance ? input.startsAt : nil
            p.endsAt = kind == .maintenance ? input.endsAt : nil
            p.incidentID = input.incidentId
            p.createdBy = author
            try await p.create(on: tx)
            let u = try await addUpdate(p, state: state, text: body, author: author, now: now, tx)
            try await notifySubscribers(p, u, practice: practice, base: base, tx)
            return (p, [draft(.create, p, "status \(kind.rawValue) published: \(title)")])
        }
        return try await dto(post, db: scope.db)
    }

    /// A public update: the new state and what patients are told.
    package static func update(_ scope: AuditScope, id: UUID, _ input: NewUpdate) async throws -> PostDTO {
        try await scope.authorize(.publishStatus)
        guard let p = try await StatusPostRecord.find(id, on: scope.db) else {
            throw AppError.notFound("No status post with this id.")
        }
        guard let state = StatusPostState(rawValue: input.state), StatusPostState.allowed(for: p.kind).contains(state)
        else {
            throw invalid(
                "state", StatusPostState.allowed(for: p.kind).map(\.rawValue).joined(separator: ", ") + ".")
        }
        let body = try FieldText.required(input.text, field: "text", max: StatusPostRules.maxText)
        let now = scope.now, author = scope.principal.username
        let practice = scope.app.config.practiceName, base = scope.app.config.publicURL
        let post = try await scope.run { tx in
            guard let p = try await StatusPostRecord.find(id, on: tx) else {
                throw AppError.notFound("No status post with this id.")
            }
            let from = p.state
            p.state = state
            p.updatedAt = now
            try await p.save(on: tx)
            let u = try await addUpdate(p, state: state, text: body, author: author, now: now, tx)
            try await notifySubscribers(p, u, practice: practice, base: base, tx)
            return (p, [draft(.update, p, "status post \(from.rawValue) → \(state.rawValue)")])
        }
        return try await dto(post, db: scope.db)
    }

    static func addUpdate(
        _ p: StatusPostRecord, state: StatusPostState, text: String, author: String, now: Date, _ tx: any Database
    ) async throws -> StatusPostUpdateRecord {
        let u = StatusPostUpdateRecord()
        u.id = UUID()
        u.postID = try p.requireID()
        u.at = now
        u.state = state
        u.text = text
        u.author = author
        try await u.create(on: tx)
        return u
    }

    package static func dto(_ p: StatusPostRecord, db: any Database) async throws -> PostDTO {
        let names = Dictionary(try await components(db).map { ($0.id, $0.name) }) { a, _ in a }
        guard let d = try await postDTOs([p], names: names, db: db).first else {
            throw AppError.notFound("No status post with this id.")
        }
        return d
    }

    package static func posts(_ scope: AuditScope) async throws -> [PostDTO] {
        try await scope.authorize(.publishStatus)
        let rows = try await StatusPostRecord.query(on: scope.db).sort(\.$createdAt, .descending).limit(100).all()
        let names = Dictionary(try await components(scope.db).map { ($0.id, $0.name) }) { a, _ in a }
        return try await postDTOs(rows, names: names, db: scope.db)
    }

    static func draft(_ action: AuditAction, _ p: StatusPostRecord, _ detail: String) -> AuditDraft {
        AuditDraft(
            action: action, category: .operations, entityType: "StatusPost", entityID: p.id?.uuidString,
            detail: detail)
    }

    // MARK: subscribers

    /// Email and SMS: the post's public words only (no PHI is ever in them), with the page and a stop link.
    static func notifySubscribers(
        _ p: StatusPostRecord, _ u: StatusPostUpdateRecord, practice: String, base: String, _ tx: any Database
    ) async throws {
        let subscribers = try await StatusSubscriberRecord.query(on: tx).filter(\.$confirmedAt != nil)
            .filter(\.$unsubscribedAt == nil).all()
        for s in subscribers {
            let stop = base + Site.statusUnsubscribe.path() + "?token=\(s.unsubscribeToken)"
            try await OutboxMessageRecord.pending(
                kind: "status-update", channel: s.channel, recipient: s.address,
                subject: "\(practice) status: \(p.title) (\(u.state.label))",
                body: "\(p.title): \(u.state.label).\n\(u.text)\n\nStatus: \(base)\(Site.status.path())\nStop: \(stop)",
                dedupeKey: "status:\(try u.requireID().uuidString):\(try s.requireID().uuidString)", patientID: nil,
                now: u.at
            ).create(on: tx)
        }
    }

    /// Sends a confirmation link; nothing else is sent until it is followed. Says the same whatever the address
    /// (whether it is subscribed already is not told), and sends at most one confirmation per address in 10 minutes.
    package static func subscribe(_ app: Application, address raw: String) async throws {
        guard let (channel, address) = StatusPostRules.subscriber(raw) else {
            throw invalid("address", "Write an email address or a mobile number.")
        }
        let now = app.clock.now()
        let recent = try await StatusSubscriberRecord.query(on: app.db).filter(\.$address == address)
            .filter(\.$createdAt >= now.addingTimeInterval(-600)).count()
        let active = try await StatusSubscriberRecord.query(on: app.db).filter(\.$address == address)
            .filter(\.$confirmedAt != nil).filter(\.$unsubscribedAt == nil).count()
        guard recent == 0, active == 0 else { return }
        let token = Token.generate(bytes: 24)
        let base = app.config.publicURL, practice = app.config.practiceName
        try await app.db.transaction { tx in
            let s = StatusSubscriberRecord()
            s.id = UUID()
            s.createdAt = now
            s.channel = channel
            s.address = address
            s.tokenHash = Token.hash(token)
            s.unsubscribeToken = Token.generate(bytes: 24)
            try await s.create(on: tx)
            let link = base + Site.statusConfirm.path() + "?token=\(token)"
            try await OutboxMessageRecord.pending(
                kind: "status-confirm", channel: channel, recipient: address,
                subject: "Confirm status updates from \(practice)",
                body: "Someone asked for \(practice)'s service status updates at this address. To confirm, open "
                    + "\(link)\nIf it was not you, ignore this message: nothing more will be sent.",
                dedupeKey: "status-confirm:\(try s.requireID().uuidString)", patientID: nil, now: now
            ).create(on: tx)
        }
    }

    package static func confirm(_ app: Application, token: String) async throws {
        guard token.count >= 20, token.count <= 100,
            let s = try await StatusSubscriberRecord.query(on: app.db).filter(\.$tokenHash == Token.hash(token))
                .first(), s.unsubscribedAt == nil
        else { throw AppError.notFound("This link is not valid (it may have been used to stop the updates).") }
        if s.confirmedAt == nil {
            s.confirmedAt = app.clock.now()
            try await s.save(on: app.db)
        }
    }

    package static func unsubscribe(_ app: Application, token: String) async throws {
        guard token.count >= 20, token.count <= 100,
            let s = try await StatusSubscriberRecord.query(on: app.db).filter(\.$unsubscribeToken == token).first()
        else { throw AppError.notFound("This link is not valid.") }
        if s.unsubscribedAt == nil {
            s.unsubscribedAt = app.clock.now()
            try await s.save(on: app.db)
        }
    }

    // MARK: helpers

    static func invalid(_ field: String, _ message: String) -> AppError {
        .validation([FieldError(field, message)])
    }
}
