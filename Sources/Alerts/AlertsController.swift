import Vapor
import Fluent
import Domain
import AppCore

/// `POST /api/v1/alerts/alertmanager` (Alertmanager's webhook, with the bearer token in CARESYNC_ALERT_TOKEN) and
/// `GET /api/v1/alerts` (operators and admins).
package enum AlertsController {
    package struct AlertDTO: Content {
        package let id: UUID
        package let alertname: String
        package let severity: String
        package let status: String
        package let summary: String
        package let runbook: String
        package let labels: [String: String]
        package let source: String
        package let startsAt: Date
        package let firstReceivedAt: Date
        package let lastReceivedAt: Date
        package let receivedCount: Int
        package let resolvedAt: Date?
        package let notifiedAt: Date?

        init(_ r: AlertRecord) throws {
            id = try r.requireID()
            alertname = r.alertname
            severity = r.severity
            status = r.status
            summary = r.summary
            runbook = r.runbook
            labels = (try? JSONDecoder().decode([String: String].self, from: Data(r.labels.utf8))) ?? [:]
            source = r.source
            startsAt = r.startsAt
            firstReceivedAt = r.firstReceivedAt
            lastReceivedAt = r.lastReceivedAt
            receivedCount = r.receivedCount
            resolvedAt = r.resolvedAt
            notifiedAt = r.notifiedAt
        }
    }
    package struct AlertList: Content {
        package let alerts: [AlertDTO]
    }

    @Sendable package static func receive(req: Request) async throws -> AlertStore.Received {
        guard let token = req.application.config.alertToken, let sent = req.headers.bearerAuthorization?.token,
            constantTimeEquals(sent, token)
        else { throw AppError.unauthorized("Send the alert webhook's bearer token (CARESYNC_ALERT_TOKEN).") }
        let payload: AlertmanagerPayload
        do {
            let dec = JSONDecoder()
            dec.dateDecodingStrategy = .custom { d in
                let s = try d.singleValueContainer().decode(String.self)
                let f = ISO8601DateFormatter()
                f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                if let date = f.date(from: s) ?? ISO8601DateFormatter().date(from: s) { return date }
                throw DecodingError.dataCorrupted(.init(codingPath: d.codingPath, debugDescription: "not a time: \(s)"))
            }
            payload = try dec.decode(AlertmanagerPayload.self, from: Data(buffer: req.body.data ?? ByteBuffer()))
        } catch {
            throw AppError.malformed(field: nil, detail: "Not an Alertmanager webhook body (version 4).")
        }
        return try await AlertStore.receive(payload, app: req.application)
    }

    @Sendable package static func list(req: Request) async throws -> AlertList {
        try await req.scope().authorize(.readOperations)
        let limit = min(max((try? req.query.get(Int.self, at: "limit")) ?? 50, 1), 200)
        return AlertList(alerts: try await AlertStore.list(req.db, limit: limit).map(AlertDTO.init))
    }

    package static let watchdogWorker = PeriodicWorker(
        name: "alert-watchdog", interval: { $0.alertWatchdogMinutes > 0 ? 30 : 0 }
    ) { app in try await AlertStore.checkWatchdog(app, minutes: app.config.alertWatchdogMinutes) }
}

/// Alerts's routes, on the site's route groups.
package enum AlertsRoutes {
    package static func register(routes: SiteRoutes) {
        // A delivery carries up to 500 alerts (each with its runbook): more than the site's 64 KB default.
        routes.v1.on(
            .POST, Site.apiAlertmanagerWebhook.route, body: .collect(maxSize: "2mb"), use: AlertsController.receive)
        routes.api.get(Site.apiAlerts.route, use: AlertsController.list)
    }
}
