import Vapor
import Fluent
import Crypto
import Domain
import Accounts
import AppCore
import Locations
import Notifications
import Patients
import Scheduling

/// Who is on a visit's signaling channel: the patient (portal session or a redeemed link) or the provider.
package struct VisitParticipant: Sendable {
    package let role: VisitSide
    package let name: String
    package let visitID: UUID
    package let principal: Principal

    package init(role: VisitSide, name: String, visitID: UUID, principal: Principal) {
        self.role = role
        self.name = name
        self.visitID = visitID
        self.principal = principal
    }
}

/// Video visits through one scoped, audited path.
package struct VisitStore {
    package let scope: AuditScope

    package struct VisitDTO: Content {
        package let id: UUID
        package let appointmentId: UUID
        package let patientId: UUID
        package let providerId: UUID
        package let locationId: UUID
        package let status: VisitStatus
        package let waitingSince: Date?
        package let admittedAt: Date?
        package let connectedAt: Date?
        package let endedAt: Date?
        package let outcome: VisitOutcome?
        package let note: String?
        package let waitedSeconds: Int?
        package let durationSeconds: Int?
        package let events: [EventDTO]?
    }
    package struct EventDTO: Content {
        package let at: Date
        package let kind: VisitEventKind
        package let role: VisitSide
        package let detail: String
    }
    package struct WaitingDTO: Content {
        package let visitId: UUID; package let patientName: String; package let providerName: String;
        package let locationName: String; package let start: Date
        package let status: VisitStatus; let waitingSince: Date?; let mine: Bool
        package var locationId: UUID?
        /// Whether the signed-in provider holds the provider side (an admitted visit is opened by its host only).
        package var hostedByMe: Bool?
    }

    package static func dto(_ v: VirtualVisitRecord, events: [VisitEventRecord]? = nil) throws -> VisitDTO {
        VisitDTO(
            id: try v.requireID(), appointmentId: v.appointmentID, patientId: v.patientID, providerId: v.providerID,
            locationId: v.locationID, status: v.status,
            waitingSince: v.waitingSince, admittedAt: v.admittedAt, connectedAt: v.connectedAt, endedAt: v.endedAt,
            outcome: v.outcome, note: v.note,
            waitedSeconds: zip2(v.waitingSince, v.admittedAt).map { Int($1.timeIntervalSince($0)) },
            durationSeconds: zip2(v.connectedAt, v.endedAt).map { Int($1.timeIntervalSince($0)) },
            events: events?.map { EventDTO(at: $0.at, kind: $0.kind, role: $0.role, detail: $0.detail) })
    }

    package static func audit(_ action: AuditAction, _ v: VirtualVisitRecord, _ detail: String) -> AuditDraft {
        AuditDraft(
            action: action, category: .visits, patientID: v.patientID, entityType: "VirtualVisit",
            entityID: v.id?.uuidString, detail: detail)
    }

    /// The visit of a telemedicine appointment, made on first use.
    package func ensure(appointmentID: UUID) async throws -> VisitDTO {
        try Self.dto(try await ensureRecord(appointmentID: appointmentID))
    }

    private func ensureRecord(appointmentID: UUID) async throws -> VirtualVisitRecord {
        guard let a = try await AppointmentRecord.find(appointmentID, on: scope.db) else {
            throw AppError.notFound("No such appointment.")
        }
        try await scope.authorize(.readAppointments(patientID: a.patientID), patientID: a.patientID)
        guard let type = try await AppointmentTypeRecord.find(a.typeID, on: scope.db), type.telemedicine else {
            throw AppError.validation([FieldError("appointment", "This is not a telemedicine appointment.")])
        }
        if let v = try await VirtualVisitRecord.query(on: scope.db).filter(\.$appointmentID == appointmentID).first() {
            return v
        }
        let now = scope.now
        return try await scope.run { tx in
            if let v = try await VirtualVisitRecord.query(on: tx).filter(\.$appointmentID == appointmentID).first() {
                return (v, [])
            }
            let v = VirtualVisitRecord()
            v.id = UUID()
            v.createdAt = now
            v.status = .scheduled
            v.appointmentID = appointmentID
            v.patientID = a.patientID
            v.providerID = a.providerID
            v.locationID = a.locationID
            try await v.create(on: tx)
            return (v, [Self.audit(.create, v, "video visit created")])
        }
    }

    /// A single-use join link by email or SMS through the outbox: the URL holds only a random token; the text says
    /// only the date, time and that it is a video visit.
    package func sendLink(appointmentID: UUID, channel: String) async throws -> Date {
        let v = try await ensureRecord(appointmentID: appointmentID)
        try await scope.authorize(.sendVisitLink(patientID: v.patientID), patientID: v.patientID)
        guard let channel = NoticeChannel(rawValue: channel), NoticeChannel.outside.contains(channel) else {
            throw AppError.validation([FieldError("channel", "Send the link by email or sms.")])
        }
        guard let p = try await PatientRecord.find(v.patientID, on: scope.db),
            let a = try await AppointmentRecord.find(appointmentID, on: scope.db),
            let loc = try await LocationRecord.find(a.locationID, on: scope.db),
            let zone = TimeZone(identifier: loc.timeZone)
        else { throw AppError.notFound("No such appointment.") }
        guard let recipient = channel == .email ? p.email : p.phone else {
            throw AppError.validation([
                FieldError(
                    "channel",
                    channel == .email
                        ? "The patient has no email address on file." : "The patient has no phone number on file.")
            ])
        }
        let token = Token.generate(), now = scope.now
        let expires = max(a.endAt.addingTimeInterval(2 * 3600), now.addingTimeInterval(15 * 60))
        let link = "\(scope.app.config.publicURL)/visit/join/\(token)"
        let t = p.tr
        let f = DateFormatter()
        f.timeZone = zone
        if t.language == .en {
            f.locale = Locale(identifier: "en_US_POSIX")
            f.dateFormat = "EEEE d MMMM 'at' h:mm a zzz"
        } else {
            f.locale = t.language.locale
            f.dateFormat = "EEEE d 'de' MMMM 'a las' h:mm a zzz"
        }
        let body = t(
            "Your video visit with {practice} is on {when}. Join here (the link works once): {link}",
            ["practice": scope.app.config.practiceName, "when": f.string(from: a.startAt), "link": link])
        try await scope.run { tx in
            let l = VisitLinkRecord()
            l.createdAt = now
            l.expiresAt = expires
            l.tokenHash = Token.hash(token)
            l.visitID = try v.requireID()
            try await l.create(on: tx)
            try await OutboxMessageRecord.pending(
                kind: "visit-link", channel: channel, recipient: recipient, subject: t("Your video visit link"),
                body: body,
                dedupeKey: "visit-link:\((try l.requireID()).uuidString)", patientID: v.patientID, now: now
            ).create(on: tx)
            return ((), [Self.audit(.create, v, "join link sent by \(channel)")])
        }
        return expires
    }

    package enum Redemption { case ok(visitID: UUID, pass: String), unknown, used, expired }

    /// Redeems a link once (inside the serialized write, so two clicks cannot both get in) and issues a visit pass.
    package static func redeem(token: String, app: Application) async throws -> Redemption {
        let h = Token.hash(token), now = app.clock.now()
        return try await app.systemScope("visit-link").run { tx in
            guard let l = try await VisitLinkRecord.query(on: tx).filter(\.$tokenHash == h).first() else {
                return (.unknown, [])
            }
            if l.usedAt != nil { return (.used, []) }
            if l.expiresAt <= now { return (.expired, []) }
            l.usedAt = now
            try await l.save(on: tx)
            let pass = Token.generate()
            let p = VisitPassRecord()
            p.expiresAt = now.addingTimeInterval(4 * 3600)
            p.tokenHash = Token.hash(pass)
            p.visitID = l.visitID
            try await p.create(on: tx)
            let v = try await VirtualVisitRecord.find(l.visitID, on: tx)
            return (.ok(visitID: l.visitID, pass: pass), v.map { [audit(.read, $0, "join link redeemed")] } ?? [])
        }
    }

    // MARK: the waiting room

    package func waitingRoom() async throws -> [WaitingDTO] {
        try await scope.authorize(.hostVisit)
        let me = scope.principal.userID
        return try await scope.run { tx in
            let rows = try await VirtualVisitRecord.query(on: tx).filter(
                \.$status ~~ [VisitStatus.waiting, VisitStatus.admitted]
            ).sort(
                \.$waitingSince
            ).all()
            var out: [WaitingDTO] = []
            for v in rows {
                let p = try await PatientRecord.find(v.patientID, on: tx)
                let pr = try await UserRecord.find(v.providerID, on: tx)
                let l = try await LocationRecord.find(v.locationID, on: tx)
                let a = try await AppointmentRecord.find(v.appointmentID, on: tx)
                out.append(
                    WaitingDTO(
                        visitId: try v.requireID(), patientName: p.map { "\($0.familyName), \($0.givenName)" } ?? "",
                        providerName: pr?.displayName ?? "",
                        locationName: l?.name ?? "", start: a?.startAt ?? v.createdAt, status: v.status,
                        waitingSince: v.waitingSince,
                        mine: v.providerID == me, locationId: v.locationID, hostedByMe: v.host == me))
            }
            out.sort {
                ($0.mine ? 0 : 1, $0.waitingSince ?? .distantFuture) < (
                    $1.mine ? 0 : 1, $1.waitingSince ?? .distantFuture
                )
            }
            return (
                out,
                rows.map {
                    AuditDraft(
                        action: .query, category: .visits, patientID: $0.patientID, entityType: "VirtualVisit",
                        entityID: $0.id?.uuidString, detail: "waiting room")
                }
            )
        }
    }

    /// The provider admits a waiting patient; only now can either side get media credentials.
    package func admit(_ id: UUID) async throws -> VisitDTO {
        try await scope.authorize(.hostVisit)
        let now = scope.now, by = scope.principal.username, me = scope.principal.userID
        let v: VirtualVisitRecord = try await scope.run { tx in
            guard let v = try await VirtualVisitRecord.find(id, on: tx) else {
                throw AppError.notFound("No such visit.")
            }
            guard v.status == .waiting else {
                throw AppError.conflict(
                    type: "not-waiting",
                    detail: v.status == .scheduled
                        ? "The patient is not in the waiting room yet." : "This visit is \(v.status).", extra: [:])
            }
            v.status = .admitted
            v.admittedAt = now
            v.admittedBy = by
            v.hostID = me
            try await v.save(on: tx)
            try await Self.event(try v.requireID(), .admitted, role: .provider, detail: by, now: now, on: tx)
            return (v, [Self.audit(.update, v, "patient admitted")])
        }
        try await scope.app.signalHub.publish(visit: id, to: .patient, body: #"{"type":"admitted"}"#)
        try await scope.app.signalHub.publish(visit: id, to: .provider, body: #"{"type":"admitted"}"#)
        return try Self.dto(v)
    }

    package static func event(
        _ visit: UUID, _ kind: VisitEventKind, role: VisitSide, detail: String, now: Date, on tx: any Database
    ) async throws {
        let e = VisitEventRecord()
        e.at = now
        e.kind = kind
        e.role = role
        e.detail = String(detail.prefix(200))
        e.visitID = visit
        try await e.create(on: tx)
    }

    /// ICE servers with TURN credentials minted for this participant — only once the visit is admitted.
    package static func ice(for p: VisitParticipant, app: Application) async throws -> IceConfig {
        guard let v = try await VirtualVisitRecord.find(p.visitID, on: app.db) else {
            throw AppError.notFound("No such visit.")
        }
        // An admitted visit stays open to its two participants while it runs: a reloaded page, a tab the phone killed
        // or a switch of network gets credentials again without a new admission.
        guard v.status.isAdmitted else {
            throw AppError.forbidden("Media credentials are issued after the provider admits you.")
        }
        let c = app.config, now = app.clock.now()
        let ice = IceConfig.build(
            stun: c.stunURLs, turn: c.turnURLs, secret: c.turnSecret,
            userID: "\(p.visitID.uuidString.prefix(8))-\(p.role)",
            ttl: c.turnTTL, forceRelay: c.forceRelay, now: now)
        try await AuditScope(app: app, db: app.db, context: AuditContext(actor: p.principal, device: "visit")).run {
            tx in
            try await event(
                p.visitID, .credentials, role: p.role,
                detail: ice.expires.map { "TURN until \(Int($0.timeIntervalSince1970))" } ?? "STUN only", now: now,
                on: tx)
            return ((), [audit(.read, v, "media credentials issued to the \(p.role)")])
        }
        return ice
    }

    /// An event the browser reports (device check, connected, failed, …): kept on the visit and audited.
    package static func report(_ p: VisitParticipant, kind: String, detail: String, app: Application) async throws {
        guard let kind = VisitEventKind(rawValue: kind), VisitEventKind.reportedByBrowser.contains(kind) else {
            throw AppError.validation([FieldError("kind", "Unknown visit event.")])
        }
        let now = app.clock.now()
        try await AuditScope(app: app, db: app.db, context: AuditContext(actor: p.principal, device: "visit")).run {
            tx in
            guard let v = try await VirtualVisitRecord.find(p.visitID, on: tx) else {
                throw AppError.notFound("No such visit.")
            }
            if kind == .connected {
                if v.connectedAt == nil { v.connectedAt = now }
                v.outcome = .connected
                if v.status.isAdmitted { v.status = .inProgress }
            }
            if kind == .failed && v.outcome == nil { v.outcome = .failed }
            try await v.save(on: tx)
            try await event(p.visitID, kind, role: p.role, detail: detail, now: now, on: tx)
            return ((), [audit(.update, v, "\(p.role): \(kind)")])
        }
        if kind == .failed { app.appMetrics.count(.videoJoinFailure) }
    }

    /// The patient arrived on the channel: into the waiting room (unless already admitted).
    package static func arrived(_ p: VisitParticipant, app: Application) async throws -> VisitStatus {
        let now = app.clock.now()
        return try await AuditScope(app: app, db: app.db, context: AuditContext(actor: p.principal, device: "visit"))
            .run { tx in
                guard let v = try await VirtualVisitRecord.find(p.visitID, on: tx) else {
                    throw AppError.notFound("No such visit.")
                }
                if p.role == .patient && v.status == .scheduled {
                    v.status = .waiting
                    v.waitingSince = now
                    try await v.save(on: tx)
                }
                try await event(
                    p.visitID, .joined, role: p.role,
                    detail: p.role == .patient && v.status == .waiting ? "waiting room" : "", now: now, on: tx)
                return (v.status, [audit(.read, v, "\(p.role) joined")])
            }
    }

    package static func left(_ p: VisitParticipant, app: Application) async {
        let now = app.clock.now()
        _ = try? await app.serializer.write(app.db) { tx in
            try await event(p.visitID, .left, role: p.role, detail: "", now: now, on: tx)
        }
    }

    /// The host hands a running visit to another provider (covering, a second opinion): the new host may open the
    /// provider side, the old host's socket is closed. Audited.
    package func handOff(_ id: UUID, to providerID: UUID?) async throws -> VisitDTO {
        try await scope.authorize(.hostVisit)
        let v0 = try await requireHost(id)
        guard let providerID, let target = try await UserRecord.find(providerID, on: scope.db), target.active,
            [.provider, .medicalDirector].contains(target.role)
        else {
            throw AppError.validation([FieldError("providerId", "Choose an active provider to hand the visit to.")])
        }
        guard v0.status.isAdmitted else {
            throw AppError.conflict(
                type: "not-running", detail: "Only a running visit can be handed over (this one is \(v0.status)).",
                extra: [:])
        }
        let now = scope.now, name = target.username
        let v: VirtualVisitRecord = try await scope.run { tx in
            guard let v = try await VirtualVisitRecord.find(id, on: tx) else {
                throw AppError.notFound("No such visit.")
            }
            v.hostID = providerID
            try await v.save(on: tx)
            try await Self.event(id, .handedOver, role: .provider, detail: name, now: now, on: tx)
            return (v, [Self.audit(.update, v, "handed over to \(name)")])
        }
        try await scope.app.signalHub.publish(visit: id, to: .provider, body: SignalHub.replacedPrefix + "}")
        return try Self.dto(v)
    }

    /// The visit, when the signed-in provider is its host; otherwise an audited refusal.
    private func requireHost(_ id: UUID) async throws -> VirtualVisitRecord {
        guard let v = try await VirtualVisitRecord.find(id, on: scope.db) else {
            throw AppError.notFound("No such visit.")
        }
        guard scope.principal.userID == v.host else {
            try await scope.record([
                AuditDraft(
                    action: .accessDenied, category: .visits, patientID: v.patientID, entityType: "VirtualVisit",
                    entityID: id.uuidString, outcome: .denied, detail: "not the visit's host")
            ])
            throw AppError.forbidden("Only the provider hosting this visit can do this.")
        }
        return v
    }

    /// The host ends the visit with their note.
    package func end(_ id: UUID, note: String?) async throws -> VisitDTO {
        try await scope.authorize(.hostVisit)
        _ = try await requireHost(id)
        let now = scope.now
        let v: VirtualVisitRecord = try await scope.run { tx in
            guard let v = try await VirtualVisitRecord.find(id, on: tx) else {
                throw AppError.notFound("No such visit.")
            }
            v.status = .ended
            v.endedAt = now
            if let n = Text.clean(note) { v.note = String(n.prefix(4000)) }
            try await v.save(on: tx)
            try await Self.event(id, .ended, role: .provider, detail: "", now: now, on: tx)
            return (v, [Self.audit(.update, v, "visit ended" + (v.note == nil ? "" : "; note written"))])
        }
        try await scope.app.signalHub.publish(visit: id, to: .patient, body: #"{"type":"ended"}"#)
        return try Self.dto(v)
    }

    package func detail(_ id: UUID) async throws -> VisitDTO {
        guard let v = try await VirtualVisitRecord.find(id, on: scope.db) else {
            throw AppError.notFound("No such visit.")
        }
        try await scope.authorize(.readVisitRecord(patientID: v.patientID), patientID: v.patientID)
        let events = try await VisitEventRecord.query(on: scope.db).filter(\.$visitID == id).sort(\.$at).all()
        try await scope.record([Self.audit(.read, v, "visit record")])
        return try Self.dto(v, events: events)
    }
}

package func zip2<A, B>(_ a: A?, _ b: B?) -> (A, B)? { if let a, let b { return (a, b) }; return nil }

extension Request {
    package func visits() throws -> VisitStore { VisitStore(scope: try scope()) }

    /// The participant this request speaks for on a visit: the provider (staff who host visits), the patient (their
    /// portal session), or the holder of a pass from a redeemed link. Anyone else is refused.
    package func visitParticipant(_ visitID: UUID) async throws -> VisitParticipant {
        guard let v = try await VirtualVisitRecord.find(visitID, on: db) else {
            throw AppError.notFound("No such visit.")
        }
        if let p = try? principal() {
            if p.role == .patient {
                guard AccessPolicy.decide(p, .joinVisit(patientID: v.patientID)).isAllowed else {
                    try await auditScope(p).authorize(.joinVisit(patientID: v.patientID), patientID: v.patientID);
                    throw AppError.forbidden("Not your visit.")
                }
                return VisitParticipant(role: .patient, name: p.username, visitID: visitID, principal: p)
            }
            try await auditScope(p).authorize(.hostVisit, patientID: v.patientID)
            // Only the visit's host holds the provider side (another provider would receive the patient's media
            // descriptions and could answer them); a refusal is audited like any other.
            guard p.userID == v.host else {
                try await auditScope(p).record([
                    AuditDraft(
                        action: .accessDenied, category: .visits, patientID: v.patientID,
                        entityType: "VirtualVisit", entityID: visitID.uuidString,
                        outcome: .denied, detail: "not the visit's host")
                ])
                throw AppError.forbidden("This video visit is hosted by another provider.")
            }
            return VisitParticipant(role: .provider, name: p.username, visitID: visitID, principal: p)
        }
        if let pass = cookies["cs_visit"]?.string, !pass.isEmpty,
            let rec = try await VisitPassRecord.query(on: db).filter(\.$tokenHash == Token.hash(pass)).first(),
            rec.visitID == visitID, rec.expiresAt > now
        {
            return VisitParticipant(
                role: .patient, name: "visit-link", visitID: visitID,
                principal: Principal(
                    userID: nil, username: "visit-link:\(visitID.uuidString.prefix(8))", role: .patient,
                    patientID: v.patientID))
        }
        throw AppError.unauthorized("Open the visit from the portal or from your visit link.")
    }
}
