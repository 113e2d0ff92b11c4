import Vapor
import Fluent
import Domain
import AppCore
import Notifications

/// Alertmanager's webhook body (version 4): what `POST /api/v1/alerts/alertmanager` receives.
package struct AlertmanagerPayload: Content {
    package struct Alert: Content {
        package let status: String
        package let labels: [String: String]
        package let annotations: [String: String]?
        package let startsAt: Date
        package let endsAt: Date?
        package let fingerprint: String
    }
    package let version: String?
    package let status: String?
    package let alerts: [Alert]
}

/// Records alerts once per fingerprint and tells the people on duty about each new one through the outbox; watches
/// that the always-firing Watchdog keeps arriving.
package enum AlertStore {
    package static let watchdog = "Watchdog"
    package static let silentName = "AlertingPathSilent"
    static let silentFingerprint = "caresync:alerting-path-silent"

    package struct Received: Content {
        package let recorded: Int
        package let new: Int
        package let resolved: Int
    }

    package static func receive(_ payload: AlertmanagerPayload, app: Application) async throws -> Received {
        let now = app.clock.now()
        guard payload.alerts.count <= 500 else {
            throw AppError.malformed(field: "alerts", detail: "At most 500 alerts in one delivery.")
        }
        for a in payload.alerts {
            guard !a.fingerprint.isEmpty, a.fingerprint.count <= 64, a.labels["alertname"] != nil else {
                throw AppError.malformed(field: "alerts", detail: "Each alert needs a fingerprint and an alertname.")
            }
        }
        return try await app.serializer.write(app.db) { tx in
            var new = 0, resolved = 0
            for a in payload.alerts {
                let change = try await upsert(a, source: "alertmanager", now: now, on: tx)
                switch change {
                case .opened: new += 1
                case .resolved: resolved += 1
                case .repeated: continue
                }
                try await tell(app, a, firing: change == .opened, now: now, on: tx)
            }
            if payload.alerts.contains(where: { $0.labels["alertname"] == watchdog }),
                let silence = try await resolveSilence(now: now, on: tx)
            {
                try await tell(app, silence, firing: false, now: now, on: tx)
            }
            try await notify(app, now: now, on: tx)
            return Received(recorded: payload.alerts.count, new: new, resolved: resolved)
        }
    }

    enum Change { case opened, repeated, resolved }

    /// Passes an alert that opened or resolved to the incidents capability (the Watchdog excepted).
    static func tell(
        _ app: Application, _ a: AlertmanagerPayload.Alert, firing: Bool, now: Date, on db: any Database
    ) async throws {
        guard let listen = app.alertListener, a.labels["alertname"] != watchdog else { return }
        let change = AlertChange(
            fingerprint: a.fingerprint, alertname: a.labels["alertname"] ?? "", severity: a.labels["severity"] ?? "P3",
            summary: a.annotations?["summary"] ?? "", runbook: a.annotations?["runbook"] ?? "", firing: firing)
        try await listen(app, change, now, db)
    }

    static func upsert(_ a: AlertmanagerPayload.Alert, source: String, now: Date, on db: any Database) async throws
        -> Change
    {
        let firing = a.status == "firing"
        if let r = try await AlertRecord.query(on: db).filter(\.$fingerprint == a.fingerprint).first() {
            let wasFiring = r.status == "firing"
            r.lastReceivedAt = now
            r.receivedCount += 1
            if firing && !wasFiring {
                // The same alert again after it had resolved: a new occurrence, told again.
                r.status = "firing"
                r.startsAt = a.startsAt
                r.resolvedAt = nil
                r.notifiedAt = nil
                r.openedAt = now
            } else if !firing && wasFiring {
                r.status = "resolved"
                r.resolvedAt = now
            }
            try await r.save(on: db)
            return firing && !wasFiring ? .opened : !firing && wasFiring ? .resolved : .repeated
        }
        let r = AlertRecord()
        r.fingerprint = a.fingerprint
        r.status = firing ? "firing" : "resolved"
        r.firstReceivedAt = now
        r.lastReceivedAt = now
        r.receivedCount = 1
        r.resolvedAt = firing ? nil : now
        r.openedAt = firing ? now : nil
        r.alertname = String((a.labels["alertname"] ?? "").prefix(120))
        r.severity = String((a.labels["severity"] ?? "P3").prefix(8))
        r.summary = String((a.annotations?["summary"] ?? "").prefix(500))
        r.runbook = String((a.annotations?["runbook"] ?? "").prefix(2000))
        r.labels = String(decoding: try JSONEncoder().encode(a.labels), as: UTF8.self)
        r.startsAt = a.startsAt
        r.source = source
        try await r.create(on: db)
        return firing ? .opened : .repeated
    }

    /// Every firing alert nobody was told about yet (the Watchdog excepted) becomes a notice to each on-call address.
    static func notify(_ app: Application, now: Date, on db: any Database) async throws {
        let untold = try await AlertRecord.query(on: db).filter(\.$status == "firing").filter(\.$notifiedAt == nil)
            .filter(\.$alertname != watchdog).all()
        for r in untold {
            for to in app.config.onCallEmails {
                let key = "alert:\(r.fingerprint):\(Int(r.startsAt.timeIntervalSince1970)):\(to)"
                guard try await OutboxMessageRecord.query(on: db).filter(\.$dedupeKey == key).count() == 0 else {
                    continue
                }
                try await OutboxMessageRecord.pending(
                    kind: "alert", channel: .email, recipient: to, subject: "[\(r.severity)] \(r.alertname)",
                    body: "\(r.summary)\n\nWhat to do: \(r.runbook)\n\nOpen /ops for the details.", dedupeKey: key,
                    patientID: nil, now: now
                ).create(on: db)
            }
            r.notifiedAt = now
            try await r.save(on: db)
        }
    }

    /// Raised when the Watchdog, once seen, has not arrived for `minutes`: the alerting path itself is broken.
    package static func checkWatchdog(_ app: Application, minutes: Double) async throws {
        let now = app.clock.now()
        try await app.serializer.write(app.db) { tx in
            guard
                let dog = try await AlertRecord.query(on: tx).filter(\.$alertname == watchdog).sort(
                    \.$lastReceivedAt, .descending
                ).first(),
                now.timeIntervalSince(dog.lastReceivedAt) > minutes * 60
            else { return }
            let silence = AlertmanagerPayload.Alert(
                status: "firing", labels: ["alertname": silentName, "severity": "P1"],
                annotations: [
                    "summary": "No alert has reached CareSync for \(Int(minutes)) minutes (the Watchdog stopped).",
                    "runbook":
                        "Alerts may be failing silently. Check that Prometheus and Alertmanager run and that "
                        + "Alertmanager can reach CareSync's webhook (its token, nginx).",
                ],
                startsAt: dog.lastReceivedAt, endsAt: nil, fingerprint: silentFingerprint)
            if try await upsert(silence, source: "caresync", now: now, on: tx) == .opened {
                try await tell(app, silence, firing: true, now: now, on: tx)
            }
            try await notify(app, now: now, on: tx)
        }
    }

    /// The Watchdog is back: the silence is over. Returns it when it had been raised.
    static func resolveSilence(now: Date, on db: any Database) async throws -> AlertmanagerPayload.Alert? {
        guard
            let r = try await AlertRecord.query(on: db).filter(\.$fingerprint == silentFingerprint)
                .filter(\.$status == "firing").first()
        else { return nil }
        r.status = "resolved"
        r.resolvedAt = now
        try await r.save(on: db)
        return AlertmanagerPayload.Alert(
            status: "resolved", labels: ["alertname": silentName, "severity": r.severity],
            annotations: ["summary": r.summary], startsAt: r.startsAt, endsAt: now, fingerprint: silentFingerprint)
    }

    /// Firing first, then the newest.
    package static func list(_ db: any Database, limit: Int) async throws -> [AlertRecord] {
        let firing = try await AlertRecord.query(on: db).filter(\.$status == "firing").sort(\.$severity)
            .sort(\.$startsAt, .descending).all()
        let recent = try await AlertRecord.query(on: db).filter(\.$status == "resolved")
            .sort(\.$lastReceivedAt, .descending).limit(limit).all()
        return firing + recent
    }
}
