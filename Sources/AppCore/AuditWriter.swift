import Vapor
import Fluent
import Domain

/// What an audited operation says happened; the writer adds who, when, from where, and the chain links.
package struct AuditDraft: Sendable {
    package var action: AuditAction
    package var category: DataCategory
    package var patientID: UUID?
    package var entityType: String
    package var entityID: String?
    package var outcome: AuditOutcome = .success
    /// Field names, counts, reasons: never PHI values.
    package var detail: String = ""

    package init(
        action: AuditAction, category: DataCategory, patientID: UUID? = nil, entityType: String,
        entityID: String? = nil, outcome: AuditOutcome = .success, detail: String = ""
    ) {
        self.action = action
        self.category = category
        self.patientID = patientID
        self.entityType = entityType
        self.entityID = entityID
        self.outcome = outcome
        self.detail = detail
    }
}

/// The access device and actor an event is recorded under.
package struct AuditContext: Sendable {
    package let actor: Principal
    package let device: String

    package static func cli(_ name: String) -> AuditContext {
        AuditContext(actor: .system(name), device: "cli@\(ProcessInfo.processInfo.hostName)")
    }

    package init(actor: Principal, device: String) {
        self.actor = actor
        self.device = device
    }
}

/// Appends events to the hash chain. Must run inside `WriteSerializer.write`, in the same transaction as the change it
/// records.
package enum AuditWriter {
    package static func append(_ drafts: [AuditDraft], context: AuditContext, at now: Date, on tx: any Database)
        async throws
    {
        guard !drafts.isEmpty else { return }
        let last = try await AuditEventRecord.query(on: tx).sort(\.$seq, .descending).first()
        var previous = last.map { (seq: $0.seq, hash: $0.hash) }
        for d in drafts {
            let entry = AuditChain.seal(
                AuditEntry(
                    seq: 0, recordedAt: now, userID: context.actor.userID, username: context.actor.username,
                    role: context.actor.isSystem ? "system" : context.actor.role.rawValue, patientID: d.patientID,
                    action: d.action, category: d.category, entityType: d.entityType, entityID: d.entityID,
                    device: context.device, outcome: d.outcome, detail: d.detail, prevHash: ""), after: previous)
            try await AuditEventRecord(entry).create(on: tx)
            previous = (entry.seq, entry.hash)
        }
    }
}

/// One actor's audited access to the database: every PHI store is built on one of these.
/// A change and the audit events that record it commit in one serialized transaction.
package struct AuditScope: Sendable {
    package let app: Application
    package let db: any Database
    package let context: AuditContext

    package var principal: Principal { context.actor }
    package var now: Date { app.clock.now() }

    package func run<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> (T, [AuditDraft]))
        async throws -> T
    {
        let ctx = context
        let now = self.now
        let (value, drafts) = try await app.serializer.write(db) { tx in
            let (value, drafts) = try await body(tx)
            try await AuditWriter.append(drafts, context: ctx, at: now, on: tx)
            return (value, drafts)
        }
        app.appMetrics.audited(drafts, actor: ctx.actor)
        return value
    }

    /// Records events on their own (sign-in, denial, security events).
    package func record(_ drafts: [AuditDraft]) async throws {
        try await run { _ in ((), drafts) }
    }

    /// The access policy, applied: a refusal is itself audited.
    package func authorize(_ action: Domain.Action, patientID: UUID? = nil) async throws {
        if case .deny(let why) = AccessPolicy.decide(principal, action) {
            try await record([
                AuditDraft(
                    action: .accessDenied, category: patientID == nil ? .account : .demographics,
                    patientID: patientID, entityType: "policy", entityID: Self.name(of: action),
                    outcome: .denied, detail: why)
            ])
            throw AppError.forbidden(why)
        }
    }

    package static func name(of action: Domain.Action) -> String {
        String(String(describing: action).prefix(while: { $0 != "(" }))
    }

    package init(app: Application, db: any Database, context: AuditContext) {
        self.app = app
        self.db = db
        self.context = context
    }
}

extension Request {
    /// The client's address: the peer, or behind a trusted proxy (CARESYNC_TRUSTED_PROXIES, or a request made inside
    /// the process, which has no peer) the nearest address in X-Forwarded-For that is not a trusted proxy itself.
    package var clientAddress: String {
        let peer = remoteAddress?.ipAddress
        let trusted = application.config.trustedProxies
        guard peer == nil || trusted.contains(peer!) else { return peer! }
        let forwarded = headers[.xForwardedFor].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return forwarded.last { !trusted.contains($0) } ?? peer ?? "unknown"
    }

    /// Access device for the audit trail: the client's address and a shortened user agent.
    package var auditDevice: String {
        let ip = clientAddress
        let ua = headers.first(name: .userAgent).map { String($0.prefix(120)) } ?? "-"
        return "\(ip) \(ua)"
    }

    package func auditScope(_ principal: Principal) -> AuditScope {
        AuditScope(app: application, db: db, context: AuditContext(actor: principal, device: auditDevice))
    }

    /// The signed-in principal's scope (401 when nobody is signed in).
    package func scope() throws -> AuditScope { auditScope(try principal()) }

    package func audited<T: Sendable>(
        _ principal: Principal, _ body: @escaping @Sendable (any Database) async throws -> (T, [AuditDraft])
    ) async throws -> T {
        try await auditScope(principal).run(body)
    }
}

extension Application {
    /// Audited access outside a request (CLI, jobs): an explicit system principal.
    package func systemScope(_ name: String) -> AuditScope {
        AuditScope(app: self, db: db, context: .cli(name))
    }
}
