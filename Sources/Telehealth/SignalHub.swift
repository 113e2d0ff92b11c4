import Domain
import Vapor
import Fluent
import NIOConcurrencyHelpers
import FluentPostgresDriver
import PostgresNIO
import AppCore

/// Carries signaling messages between the two participants of a visit, whichever node each is connected to.
/// SQLite (one node): delivered in process. PostgreSQL: every node LISTENs; a message travels in the NOTIFY payload
/// (or, above 7000 bytes, is stored and NOTIFY carries its id, and the node holding the recipient's socket deletes and
/// delivers it). Bodies are never logged.
package final class SignalHub: @unchecked Sendable {
    private let app: Application
    package struct Member {
        package let id: UUID
        package let ws: WebSocket
    }
    private let sockets = NIOLockedValueBox<[UUID: [VisitSide: [Member]]]>([:])
    private let stopped = NIOLockedValueBox(false)
    /// After shutdown began nothing more is published (sockets closing at shutdown must not touch the database).
    package var isStopped: Bool { stopped.withLockedValue { $0 } }
    private let listener = NIOLockedValueBox<(PostgresConnection?, Task<Void, Never>?)>((nil, nil))
    package static let channel = "visit_signal"

    package init(app: Application) { self.app = app }

    package func add(_ ws: WebSocket, id: UUID, visit: UUID, role: VisitSide) {
        sockets.withLockedValue { $0[visit, default: [:]][role, default: []].append(Member(id: id, ws: ws)) }
    }
    /// False when the socket was no longer registered (another one had replaced it).
    @discardableResult
    package func remove(_ ws: WebSocket, visit: UUID, role: VisitSide) -> Bool {
        sockets.withLockedValue { all in
            let before = all[visit]?[role]?.count ?? 0
            all[visit]?[role]?.removeAll { $0.ws === ws }
            return (all[visit]?[role]?.count ?? 0) < before
        }
    }
    package func local(_ visit: UUID, _ role: VisitSide) -> [WebSocket] {
        sockets.withLockedValue { $0[visit]?[role]?.map(\.ws) ?? [] }
    }

    /// Closes every socket on this node with 1001 (going away): the node was drained after a deploy switched away.
    package func closeAll() async {
        let all = sockets.withLockedValue { s in s.values.flatMap { $0.values.flatMap { $0.map(\.ws) } } }
        for ws in all { try? await ws.close(code: .goingAway) }
    }

    package static let replacedPrefix = #"{"type":"replaced""#

    /// One socket per side of a visit: a new one (a reloaded page, another device of the same person) replaces the
    /// earlier ones on every node, which are told so and closed.
    package func claim(_ ws: WebSocket, id: UUID, visit: UUID, role: VisitSide) async {
        add(ws, id: id, visit: visit, role: role)
        try? await publish(visit: visit, to: role, body: Self.replacedPrefix + #","keep":"\#(id.uuidString)"}"#)
    }

    /// Closes this side's sockets except `keep` (nil: all of them, when the visit was handed to another provider).
    private func replace(visit: UUID, role: VisitSide, keep: UUID?) async {
        let gone: [Member] = sockets.withLockedValue { all in
            let members = all[visit]?[role] ?? []
            all[visit]?[role] = members.filter { $0.id == keep }
            return members.filter { $0.id != keep }
        }
        for m in gone {
            try? await m.ws.send(#"{"type":"replaced"}"#)
            try? await m.ws.close(code: .policyViolation)
        }
    }

    /// Sends a message to the visit's other side (every node).
    package func publish(visit: UUID, to role: VisitSide, body: String) async throws {
        guard !isStopped else { return }
        guard app.config.isPostgres else { await deliver(visit: visit, role: role, body: body); return }
        try await ensureListening()
        // Most messages (candidates, typical offers) fit NOTIFY's 8000-byte payload: one statement, no table.
        if body.utf8.count <= 7000 {
            try await app.db.sql.raw(
                "SELECT pg_notify(\(literal: Self.channel), \(bind: "B|\(visit.uuidString)|\(role)|\(body)"))"
            ).run()
            return
        }
        let now = app.clock.now()
        try await app.db.transaction { tx in
            let m = SignalMessageRecord()
            m.id = UUID()
            m.createdAt = now
            m.visitID = visit
            m.toRole = role
            m.body = body
            try await m.create(on: tx)
            // The payload says where it goes, so only the node holding that socket touches the row.
            try await tx.sql.raw(
                "SELECT pg_notify(\(literal: Self.channel), "
                    + "\(bind: "R|\(visit.uuidString)|\(role)|\((try m.requireID()).uuidString)"))"
            ).run()
        }
    }

    /// Local delivery; a "hello" (a participant arrived) is answered with "hello-ack" so the newcomer learns who is
    /// there.
    package func deliver(visit: UUID, role: VisitSide, body: String) async {
        if body.hasPrefix(Self.replacedPrefix) {
            let keep = (try? JSONDecoder().decode([String: String].self, from: Data(body.utf8)))?["keep"].flatMap {
                UUID(uuidString: $0)
            }
            await replace(visit: visit, role: role, keep: keep)
            return
        }
        let targets = local(visit, role)
        guard !targets.isEmpty else { return }
        for ws in targets { try? await ws.send(body) }
        if body.contains(#""type":"hello""#) {
            try? await publish(visit: visit, to: role.other, body: #"{"type":"hello-ack","from":"\#(role)"}"#)
        }
    }

    /// On PostgreSQL: one LISTEN connection per node, started on first use. Callers that arrive while it is being set
    /// up wait for the same start (none returns before LISTEN is in place); if the connection drops, the next use
    /// starts a new one.
    package func ensureListening() async throws {
        guard app.config.isPostgres, app.config.databaseURL != nil, !isStopped else { return }
        let start: Task<Void, Error> = starting.withLockedValue { current in
            if let current { return current }
            let t = Task { try await self.listen() }
            current = t
            return t
        }
        do { try await start.value } catch {
            starting.withLockedValue { if $0 == start { $0 = nil } }
            throw error
        }
    }

    private let starting = NIOLockedValueBox<Task<Void, Error>?>(nil)

    private func listen() async throws {
        guard let url = app.config.databaseURL else { return }
        let cfg = try SQLPostgresConfiguration(url: url)
        let conn = try await PostgresConnection.connect(
            on: app.eventLoopGroup.next(), configuration: cfg.coreConfiguration, id: 7001, logger: app.logger)
        let ready = AsyncStream<Bool>.makeStream()
        let task = Task { [weak self] in
            do {
                try await conn.listen(on: Self.channel) { seq in
                    ready.continuation.yield(true)
                    for try await n in seq {
                        let parts = n.payload.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false).map(
                            String.init)
                        guard let self, parts.count == 4, let visit = UUID(uuidString: parts[1]),
                            let role = VisitSide(rawValue: parts[2])
                        else { continue }
                        if parts[0] == "B" {
                            if !self.isStopped { await self.deliver(visit: visit, role: role, body: parts[3]) }
                        } else if let id = UUID(uuidString: parts[3]) {
                            await self.received(id, visit: visit, role: role)
                        }
                    }
                }
            } catch {
                ready.continuation.yield(false)
                guard let self, !self.isStopped else { return }
                self.app.logger.warning(
                    "signal listener stopped", metadata: ["error_type": .string(String(describing: type(of: error)))])
            }
            // Listening ended: the next publish or connecting socket starts a new listener.
            self?.starting.withLockedValue { $0 = nil }
            try? await conn.close()
        }
        listener.withLockedValue { $0 = (conn, task) }
        var ok = false
        for await r in ready.stream { ok = r; break }
        if !ok { throw Abort(.serviceUnavailable, reason: "The signaling channel could not listen on the database.") }
    }

    private let lastSweep = NIOLockedValueBox(Date.distantPast)

    /// One query on the node that holds the recipient's socket: whoever deletes the row delivers it (once).
    private func received(_ id: UUID, visit: UUID, role: VisitSide) async {
        guard !isStopped, !local(visit, role).isEmpty else { return }
        guard
            let rows = try? await app.db.sql.raw("DELETE FROM signal_message WHERE id = \(bind: id) RETURNING body")
                .all(),
            let body = try? rows.first?.decode(column: "body", as: String.self)
        else { return }
        await deliver(visit: visit, role: role, body: body)
        // Messages nobody was connected to receive are swept after a minute.
        let now = app.clock.now()
        if lastSweep.withLockedValue({ d in
            defer { if now.timeIntervalSince(d) > 30 { d = now } }; return now.timeIntervalSince(d) > 30
        }) {
            _ = try? await SignalMessageRecord.query(on: app.db).filter(\.$createdAt < now.addingTimeInterval(-60))
                .delete()
        }
    }

    package func shutdown() async {
        stopped.withLockedValue { $0 = true }
        let (conn, task) = listener.withLockedValue { $0 }
        task?.cancel()
        try? await conn?.close()
    }

    package struct Lifecycle: LifecycleHandler {
        package func shutdownAsync(_ app: Application) async { await app.signalHub.shutdown() }

        package init() {
        }
    }
}

extension Application {
    private struct HubKey: StorageKey { typealias Value = SignalHub }
    package var signalHub: SignalHub {
        if let h = storage[HubKey.self] { return h }
        let h = SignalHub(app: self)
        storage[HubKey.self] = h
        return h
    }
}
