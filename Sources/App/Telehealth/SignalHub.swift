import Vapor
import Fluent
import NIOConcurrencyHelpers
import FluentPostgresDriver
import PostgresNIO

/// Carries signaling messages between the two participants of a visit, whichever node each is connected to.
/// SQLite (one node): delivered in process. PostgreSQL: the message is stored and NOTIFY carries its id; every
/// node LISTENs and the one holding the recipient's socket delivers it and deletes it. Bodies are never logged.
final class SignalHub: @unchecked Sendable {
    private let app: Application
    private let sockets = NIOLockedValueBox<[UUID: [String: [WebSocket]]]>([:])
    private let started = NIOLockedValueBox(false)
    private let listener = NIOLockedValueBox<(PostgresConnection?, Task<Void, Never>?)>((nil, nil))
    static let channel = "visit_signal"

    init(app: Application) { self.app = app }

    func add(_ ws: WebSocket, visit: UUID, role: String) { sockets.withLockedValue { $0[visit, default: [:]][role, default: []].append(ws) } }
    func remove(_ ws: WebSocket, visit: UUID, role: String) {
        sockets.withLockedValue { $0[visit]?[role]?.removeAll { $0 === ws } }
    }
    func local(_ visit: UUID, _ role: String) -> [WebSocket] { sockets.withLockedValue { $0[visit]?[role] ?? [] } }

    /// Sends a message to the visit's other side (every node).
    func publish(visit: UUID, to role: String, body: String) async throws {
        guard app.config.isPostgres else { await deliver(visit: visit, role: role, body: body); return }
        try await ensureListening()
        let now = app.clock.now()
        try await app.db.transaction { tx in
            let m = SignalMessageRecord()
            m.id = UUID()
            m.createdAt = now
            m.visitID = visit
            m.toRole = role
            m.body = body
            try await m.create(on: tx)
            try await tx.sql.raw("SELECT pg_notify(\(literal: Self.channel), \(bind: m.id!.uuidString))").run()
        }
    }

    /// Local delivery; a "hello" (a participant arrived) is answered with "hello-ack" so the newcomer learns who is there.
    func deliver(visit: UUID, role: String, body: String) async {
        let targets = local(visit, role)
        guard !targets.isEmpty else { return }
        for ws in targets { try? await ws.send(body) }
        if body.contains(#""type":"hello""#) {
            let other = role == "patient" ? "provider" : "patient"
            try? await publish(visit: visit, to: other, body: #"{"type":"hello-ack","from":"\#(role)"}"#)
        }
    }

    /// On PostgreSQL: one LISTEN connection per node, started on first use.
    func ensureListening() async throws {
        guard app.config.isPostgres, let url = app.config.databaseURL else { return }
        if started.withLockedValue({ s in defer { s = true }; return s }) { return }
        let cfg = try SQLPostgresConfiguration(url: url)
        let conn = try await PostgresConnection.connect(on: app.eventLoopGroup.next(), configuration: cfg.coreConfiguration, id: 7001, logger: app.logger)
        let ready = AsyncStream<Void>.makeStream()
        let task = Task { [weak self] in
            do {
                try await conn.listen(on: Self.channel) { seq in
                    ready.continuation.yield()
                    for try await n in seq {
                        guard let self, let id = UUID(uuidString: n.payload) else { continue }
                        await self.received(id)
                    }
                }
            } catch {
                self?.app.logger.warning("signal listener stopped", metadata: ["error_type": .string(String(describing: type(of: error)))])
                ready.continuation.yield()
            }
        }
        listener.withLockedValue { $0 = (conn, task) }
        for await _ in ready.stream { break }
    }

    private func received(_ id: UUID) async {
        guard let m = try? await SignalMessageRecord.find(id, on: app.db), !local(m.visitID, m.toRole).isEmpty else { return }
        // Whoever deletes it delivers it: a second socket for the same role on another node does not get it twice.
        let rows = try? await app.db.sql.raw("DELETE FROM signal_message WHERE id = \(bind: id) RETURNING id").all()
        if rows?.isEmpty == false { await deliver(visit: m.visitID, role: m.toRole, body: m.body) }
        let cutoff = app.clock.now().addingTimeInterval(-60)
        _ = try? await SignalMessageRecord.query(on: app.db).filter(\.$createdAt < cutoff).delete()
    }

    func shutdown() async {
        let (conn, task) = listener.withLockedValue { $0 }
        task?.cancel()
        try? await conn?.close()
    }

    struct Lifecycle: LifecycleHandler {
        func shutdownAsync(_ app: Application) async { await app.signalHub.shutdown() }
    }
}

extension Application {
    private struct HubKey: StorageKey { typealias Value = SignalHub }
    var signalHub: SignalHub {
        if let h = storage[HubKey.self] { return h }
        let h = SignalHub(app: self)
        storage[HubKey.self] = h
        return h
    }
}
