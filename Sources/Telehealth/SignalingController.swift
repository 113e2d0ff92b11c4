import Vapor
import Fluent
import Domain
import AppCore

/// `GET /visits/:id/signal` (WebSocket): offer, answer, candidate, media (audio only), hello, leave, heartbeat. Only
/// the visit's two
/// participants connect; media descriptions flow only once the visit is admitted; nothing a message carries is logged.
package enum SignalingController {
    private struct ParticipantKey: StorageKey { typealias Value = VisitParticipant }

    package static let relayed: Set<String> = ["offer", "answer", "candidate", "media", "renew"]

    package static func register(_ app: Application) {
        // Who may connect is decided before the upgrade is offered, so a refusal is an ordinary 401/403 answer (a
        // refusal inside the upgrader leaves the client waiting with no answer).
        app.get(Site.visitSignal.route) { req async throws -> Response in
            req.storage[ParticipantKey.self] = try await req.visitParticipant(try req.idParameter("id"))
            return req.webSocket(maxFrameSize: .init(integerLiteral: 256 * 1024), onUpgrade: upgraded)
        }
        // A drained slot's sockets close with 1001 (going away): the pages reconnect through the proxy.
        app.slotControl.onDrain { await app.signalHub.closeAll() }
        // The deploy's smoke check: the upgrade, then one message round trip through the hub (PostgreSQL's
        // NOTIFY across nodes), on a made-up visit id that no patient has.
        app.get(Site.slotSignalCheck.route) { req async throws -> Response in
            try req.requireSlotControl()
            return req.webSocket { req, ws in
                let hub = req.application.signalHub, visit = UUID()
                ws.onClose.whenComplete { _ in hub.remove(ws, visit: visit, role: .provider) }
                Task {
                    do {
                        try await hub.ensureListening()
                        await hub.claim(ws, id: UUID(), visit: visit, role: .provider)
                        try await hub.publish(visit: visit, to: .provider, body: #"{"type":"signal-check"}"#)
                    } catch {
                        try? await ws.send(#"{"type":"error","message":"signaling unavailable"}"#)
                    }
                }
            }
        }
    }

    @Sendable package static func upgraded(_ req: Request, _ ws: WebSocket) {
        // Called on the socket's event loop before any frame is read: the text handler is in place from the first
        // frame, and frames go into one stream consumed in order. (The async `onText` runs each frame in its own
        // Task — order lost — and an async `onUpgrade` registers it only after setup, dropping early frames.)
        guard let p = req.storage[ParticipantKey.self] else { _ = ws.close(); return }
        let (frames, input) = AsyncStream<String>.makeStream()
        ws.onText { _, text in input.yield(text) }
        ws.onClose.whenComplete { _ in input.finish() }
        let app = req.application
        Task { await session(app, p, ws, frames) }
    }

    package static func session(
        _ app: Application, _ p: VisitParticipant, _ ws: WebSocket, _ frames: AsyncStream<String>
    ) async {
        let hub = app.signalHub
        let other = p.role.other
        ws.pingInterval = .seconds(20)  // a peer that stops answering pings is closed
        do { try await hub.ensureListening() } catch {
            try? await ws.send(#"{"type":"error","message":"signaling unavailable"}"#); try? await ws.close(); return
        }
        await hub.claim(ws, id: UUID(), visit: p.visitID, role: p.role)
        let status = (try? await VisitStore.arrived(p, app: app)) ?? .scheduled
        if status == .admitted {
            try? await ws.send(#"{"type":"admitted"}"#)
        } else if status == .inProgress {
            try? await ws.send(#"{"type":"admitted","running":true}"#)
        } else if p.role == .patient {
            try? await ws.send(#"{"type":"waiting"}"#)
        }
        try? await hub.publish(visit: p.visitID, to: other, body: #"{"type":"hello","from":"\#(p.role)"}"#)

        // Once a visit is admitted it stays so (until it ends): remember it rather than asking the database per
        // message.
        var admittedSeen = status.isAdmitted
        // One frame at a time, each relayed before the next is read: the peer gets them in the order they were sent.
        for await text in frames {
            guard let data = text.data(using: .utf8),
                let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let type = obj["type"] as? String
            else {
                try? await ws.send(#"{"type":"error","message":"unreadable message"}"#); continue
            }
            switch type {
            case "heartbeat":
                try? await ws.send(#"{"type":"heartbeat-ack"}"#)
            case _ where relayed.contains(type):
                // Before admission nothing about the media may pass.
                if !admittedSeen {
                    guard let v = try? await VirtualVisitRecord.find(p.visitID, on: app.db),
                        v.status.isAdmitted
                    else {
                        try? await ws.send(#"{"type":"error","message":"not admitted yet"}"#); continue
                    }
                    admittedSeen = true
                }
                var out = obj
                out["from"] = p.role.rawValue
                if let body = try? JSONSerialization.data(withJSONObject: out),
                    let s = String(data: body, encoding: .utf8)
                {
                    try? await hub.publish(visit: p.visitID, to: other, body: s)
                }
            case "leave":
                try? await ws.close()
            default:
                try? await ws.send(#"{"type":"error","message":"unknown message type"}"#)
            }
        }
        // The stream ends when the socket closes (after its last frames were relayed).
        let wasCurrent = hub.remove(ws, visit: p.visitID, role: p.role)
        // A replaced socket says nothing: its successor is the participant now.
        guard !hub.isStopped, wasCurrent else { return }
        await VisitStore.left(p, app: app)
        try? await hub.publish(visit: p.visitID, to: other, body: #"{"type":"peer-left","from":"\#(p.role)"}"#)
    }
}
