import Vapor
import Fluent
import AsyncHTTPClient
import Domain
import AppCore
import Alerts
import Notifications

/// `caresync incident simulate KIND`: injects a fault into a running test or staging node through its runtime fault
/// switch (`POST /_slot/fault`, which production refuses), sends the traffic the fault needs, and waits until the real
/// Prometheus and Alertmanager have delivered the matching alert to CareSync and the person on duty has been told
/// (an outbox notice). Every run is stored and listed by `caresync incident simulations`.
package enum IncidentSimulation {
    package struct Options: Sendable {
        /// The node's own address (not the proxy: the control routes answer only there).
        package var node: String
        package var token: String
        package var actor: String
        /// How long to wait for the alert and the notice.
        package var timeoutSeconds: Double
        package var progress: @Sendable (String) -> Void

        package init(
            node: String, token: String, actor: String, timeoutSeconds: Double,
            progress: @escaping @Sendable (String) -> Void
        ) {
            self.node = node
            self.token = token
            self.actor = actor
            self.timeoutSeconds = timeoutSeconds
            self.progress = progress
        }
    }

    package struct Run: Content {
        package let id: UUID
        package let kind: String
        package let alertname: String
        package let node: String
        package let actor: String
        package let faultAt: Date
        package let alertReceivedAt: Date?
        package let notifiedAt: Date?
        package let finishedAt: Date
        /// passed, timed-out or failed.
        package let outcome: String
        package let detail: String?
        package let secondsToAlert: Double?
        package let secondsToPage: Double?

        init(_ r: IncidentSimulationRecord) throws {
            id = try r.requireID()
            kind = r.kind
            alertname = r.alertname
            node = r.node
            actor = r.actor
            faultAt = r.faultAt
            alertReceivedAt = r.alertReceivedAt
            notifiedAt = r.notifiedAt
            finishedAt = r.finishedAt
            outcome = r.outcome
            detail = r.detail
            secondsToAlert = r.alertReceivedAt.map { $0.timeIntervalSince(r.faultAt) }
            secondsToPage = r.notifiedAt.map { $0.timeIntervalSince(r.faultAt) }
        }

        package var timing: IncidentTiming? {
            IncidentKind(rawValue: kind).map {
                IncidentTiming(kind: $0, faultAt: faultAt, alertReceivedAt: alertReceivedAt, notifiedAt: notifiedAt)
            }
        }
    }

    package struct Refused: Error, CustomStringConvertible {
        package let description: String
    }

    package static func simulate(_ config: AppConfig, kind: IncidentKind, options o: Options) async throws -> Run {
        guard config.environment != .production else {
            throw Refused(
                description: "Incidents are simulated on a test or staging installation, never in production.")
        }
        return try await CareSyncCLI.withApp(config) { app in
            if let open = try await AlertRecord.query(on: app.db).filter(\.$alertname == kind.alertname)
                .filter(\.$status == "firing").first()
            {
                throw Refused(
                    description:
                        "\(kind.alertname) is firing already (since \(OperationsPage.utc(open.startsAt))): the "
                        + "simulation could not tell its own alert from it. Resolve its cause first.")
            }
            let client = HTTPClient.shared
            let node = o.node.hasSuffix("/") ? String(o.node.dropLast()) : o.node
            guard (try? await DeploySlots.http(client, .GET, node + Site.healthLive.path(), seconds: 5))?.status == 200
            else { throw Refused(description: "Nothing answers at \(node)\(Site.healthLive.path()).") }

            let faultAt = app.clock.now()
            o.progress("fault: \(kind.fault)")
            if let fault = kind.switchedFault {
                try await setFault(
                    fault.rawValue, seconds: min(o.timeoutSeconds + 60, 1800), node: node, token: o.token)
            }
            var received: Date?, notified: Date?, failure: String?
            do {
                let deadline = faultAt.addingTimeInterval(o.timeoutSeconds)
                var announced = false
                while app.clock.now() < deadline {
                    await traffic(kind, node: node, client: client)
                    (received, notified) = try await arrival(of: kind, since: faultAt, db: app.db)
                    if let received, !announced {
                        announced = true
                        o.progress(
                            "\(kind.alertname) reached CareSync after \(seconds(received.timeIntervalSince(faultAt)))")
                    }
                    if received != nil, notified != nil { break }
                    try await Task.sleep(for: .milliseconds(500))
                }
            } catch {
                failure = CareSyncCLI.message(for: error)
            }
            if kind.switchedFault != nil {
                do { try await setFault("none", seconds: 1, node: node, token: o.token) } catch {
                    failure = (failure.map { $0 + "; " } ?? "") + "the fault could not be switched off: \(error)"
                }
                o.progress("fault switched off")
            }
            let r = IncidentSimulationRecord()
            r.id = UUID()
            r.kind = kind.rawValue
            r.alertname = kind.alertname
            r.node = String(node.prefix(200))
            r.actor = o.actor
            r.faultAt = faultAt
            r.alertReceivedAt = received
            r.notifiedAt = notified
            r.finishedAt = app.clock.now()
            r.outcome = failure != nil ? "failed" : received != nil && notified != nil ? "passed" : "timed-out"
            r.detail =
                failure
                ?? (received == nil
                    ? "No \(kind.alertname) reached CareSync within \(Int(o.timeoutSeconds)) s."
                    : notified == nil ? "The alert arrived but no notice was queued (CARESYNC_ONCALL_EMAILS)." : nil)
            try await app.serializer.write(app.db) { tx in try await r.create(on: tx) }
            try await app.systemScope("incident simulation by \(o.actor)").record([
                AuditDraft(
                    action: .incidentSimulated, category: .operations, entityType: "IncidentSimulation",
                    entityID: try r.requireID().uuidString, outcome: r.outcome == "passed" ? .success : .failure,
                    detail: "\(kind.rawValue) → \(kind.alertname): \(r.outcome)")
            ])
            return try Run(r)
        }
    }

    /// The newest runs first.
    package static func list(_ config: AppConfig, limit: Int = 100) async throws -> [Run] {
        try await CareSyncCLI.withApp(config) { app in try await runs(app.db, limit: limit) }
    }

    package static func runs(_ db: any Database, limit: Int) async throws -> [Run] {
        try await IncidentSimulationRecord.query(on: db).sort(\.$faultAt, .descending).limit(limit).all().map(Run.init)
    }

    package static func evidence(_ db: any Database) async throws -> AlertRoutingEvidence {
        AlertRoutingEvidence(try await runs(db, limit: 500).compactMap(\.timing))
    }

    package static func describe(_ r: Run) -> String {
        var lines = [
            "\(r.kind) → \(r.alertname): \(r.outcome) (\(OperationsPage.utc(r.faultAt)), node \(r.node), "
                + "by \(r.actor))"
        ]
        if let a = r.secondsToAlert { lines.append("  fault → alert at CareSync: \(seconds(a))") }
        if let p = r.secondsToPage { lines.append("  fault → person on duty told (outbox): \(seconds(p))") }
        if let d = r.detail { lines.append("  " + d) }
        return lines.joined(separator: "\n")
    }

    static func seconds(_ s: Double) -> String { String(format: "%.1f s", s) }

    // MARK: the node

    /// The live slot of a blue-green installation and its control token, when the deploy directory has them.
    package static func liveNode(deployDir: String, config: AppConfig) -> (url: String, token: String)? {
        guard let slots = try? DeploySlots(dir: deployDir, app: config, progress: { _ in }),
            let live = slots.loadState().live, let token = try? slots.controlToken()
        else { return nil }
        return (slots.base(live), token)
    }

    static func setFault(_ fault: String, seconds: Double, node: String, token: String) async throws {
        let (status, body) = try await DeploySlots.http(
            HTTPClient.shared, .POST, node + Site.slotFault.path(), headers: [("X-CareSync-Control", token)],
            body: #"{"fault":"\#(fault)","seconds":\#(Int(seconds))}"#)
        guard status == 200 else {
            let said = String(buffer: body).prefix(300)
            throw Refused(
                description: status == 404
                    ? "The node refused the control token (CARESYNC_CONTROL_TOKEN must match the node's)."
                    : "The node's fault switch answered \(status): \(said)")
        }
    }

    /// One round of the traffic a kind needs: what a real burst, a slow spell or a password-guesser would send.
    static func traffic(_ kind: IncidentKind, node: String, client: HTTPClient) async {
        switch kind {
        case .errorBurst:
            _ = try? await DeploySlots.http(client, .GET, node + Site.home.path(), seconds: 5)
        case .latency:
            // Many at once, so that the slow answers are most of what the latency rules measure.
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<32 {
                    group.addTask {
                        _ = try? await DeploySlots.http(client, .GET, node + Site.home.path(), seconds: 10)
                    }
                }
            }
        case .signInSpike:
            for _ in 0..<4 {
                _ = try? await DeploySlots.http(
                    client, .POST, node + Site.apiAuthToken.path(), headers: [("X-Forwarded-For", "192.0.2.77")],
                    body: #"{"username":"incident.simulation","password":"not-a-password"}"#, seconds: 10)
            }
        case .nodeDown, .staleBackup:
            break
        }
    }

    /// When the kind's alert opened at CareSync after the fault, and when its first outbox notice was queued.
    static func arrival(of kind: IncidentKind, since faultAt: Date, db: any Database) async throws -> (Date?, Date?) {
        guard
            let alert = try await AlertRecord.query(on: db).filter(\.$alertname == kind.alertname)
                .filter(\.$status == "firing").filter(\.$openedAt >= faultAt).sort(\.$openedAt).first(),
            let opened = alert.openedAt
        else { return (nil, nil) }
        let key = "alert:\(alert.fingerprint):\(Int(alert.startsAt.timeIntervalSince1970)):"
        let notice = try await OutboxMessageRecord.query(on: db).filter(\.$kind == "alert")
            .filter(\.$createdAt >= faultAt).sort(\.$createdAt).all().first { $0.dedupeKey.hasPrefix(key) }
        return (opened, notice?.createdAt)
    }
}
