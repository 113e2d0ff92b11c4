import Vapor
import Fluent
import NIOConcurrencyHelpers
import Domain

/// `GET /visits/:id/signal` (WebSocket): offer, answer, candidate, hello, leave, heartbeat. Only the visit's two
/// participants connect; media descriptions flow only once the visit is admitted; nothing a message carries is logged.
enum SignalingController {
    private struct ParticipantKey: StorageKey { typealias Value = VisitParticipant }

    static let relayed: Set<String> = ["offer", "answer", "candidate"]

    static func register(_ app: Application) {
        app.webSocket("visits", ":id", "signal", maxFrameSize: .init(integerLiteral: 256 * 1024), shouldUpgrade: { req in
            let id = try req.idParameter("id")
            req.storage[ParticipantKey.self] = try await req.visitParticipant(id)
            return [:]
        }, onUpgrade: { req, ws in
            guard let p = req.storage[ParticipantKey.self] else { try? await ws.close(); return }
            await session(req.application, p, ws)
        })
    }

    static func session(_ app: Application, _ p: VisitParticipant, _ ws: WebSocket) async {
        let hub = app.signalHub
        let other = p.role == "patient" ? "provider" : "patient"
        ws.pingInterval = .seconds(20)   // a peer that stops answering pings is closed
        do { try await hub.ensureListening() } catch {
            try? await ws.send(#"{"type":"error","message":"signaling unavailable"}"#); try? await ws.close(); return
        }
        hub.add(ws, visit: p.visitID, role: p.role)
        let status = (try? await VisitStore.arrived(p, app: app)) ?? "scheduled"
        if status == "admitted" || status == "in-progress" { try? await ws.send(#"{"type":"admitted"}"#) }
        else if p.role == "patient" { try? await ws.send(#"{"type":"waiting"}"#) }
        try? await hub.publish(visit: p.visitID, to: other, body: #"{"type":"hello","from":"\#(p.role)"}"#)

        // Once a visit is admitted it stays so (until it ends): remember it rather than asking the database per message.
        let admittedSeen = NIOLockedValueBox(status == "admitted" || status == "in-progress")
        ws.onText { ws, text in
            guard let data = text.data(using: .utf8), let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let type = obj["type"] as? String else {
                try? await ws.send(#"{"type":"error","message":"unreadable message"}"#); return
            }
            switch type {
            case "heartbeat":
                try? await ws.send(#"{"type":"heartbeat-ack"}"#)
            case _ where relayed.contains(type):
                // Before admission nothing about the media may pass.
                if !admittedSeen.withLockedValue({ $0 }) {
                    guard let v = try? await VirtualVisitRecord.find(p.visitID, on: app.db), v.status == "admitted" || v.status == "in-progress" else {
                        try? await ws.send(#"{"type":"error","message":"not admitted yet"}"#); return
                    }
                    admittedSeen.withLockedValue { $0 = true }
                }
                var out = obj
                out["from"] = p.role
                if let body = try? JSONSerialization.data(withJSONObject: out), let s = String(data: body, encoding: .utf8) {
                    try? await hub.publish(visit: p.visitID, to: other, body: s)
                }
            case "leave":
                try? await ws.close()
            default:
                try? await ws.send(#"{"type":"error","message":"unknown message type"}"#)
            }
        }
        ws.onClose.whenComplete { _ in
            hub.remove(ws, visit: p.visitID, role: p.role)
            guard !hub.isStopped else { return }
            Task {
                await VisitStore.left(p, app: app)
                try? await hub.publish(visit: p.visitID, to: other, body: #"{"type":"peer-left","from":"\#(p.role)"}"#)
            }
        }
    }
}
