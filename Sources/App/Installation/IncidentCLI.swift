import Vapor
import Fluent
import Domain
import AppCore
import Incidents

/// What `caresync incident list|show|ack|resolve` do: the same store as the pages, under an audited system principal
/// named after the person at the terminal.
package enum IncidentCLI {
    package typealias Detail = IncidentsController.Detail

    package static func list(_ config: AppConfig, all: Bool) async throws -> [IncidentsController.IncidentDTO] {
        try await CareSyncCLI.withApp(config) { app in
            var q = IncidentRecord.query(on: app.db)
            if !all { q = q.filter(\.$state != IncidentState.resolved.rawValue) }
            let now = app.clock.now()
            return try await q.sort(\.$number, .descending).limit(200).all()
                .map { try IncidentsController.IncidentDTO($0, sla: app.config.incidentSLA, now: now) }
        }
    }

    package static func show(_ config: AppConfig, ref: String) async throws -> Detail {
        try await CareSyncCLI.withApp(config) { app in
            try await IncidentsController.detail(
                try await find(app, ref), db: app.db, sla: app.config.incidentSLA, now: app.clock.now(),
                extra: app.storage[IncidentTimelineSource.self])
        }
    }

    package static func ack(_ config: AppConfig, ref: String, actor: String) async throws -> Detail {
        try await CareSyncCLI.withApp(config) { app in
            let r = try await find(app, ref)
            let scope = app.systemScope("incident ack by \(actor)")
            _ = try await IncidentStore.ack(scope, id: try r.requireID())
            return try await IncidentsController.detail(
                r, db: app.db, sla: app.config.incidentSLA, now: app.clock.now(),
                extra: app.storage[IncidentTimelineSource.self])
        }
    }

    package static func resolve(_ config: AppConfig, ref: String, note: String, actor: String) async throws -> Detail {
        try await CareSyncCLI.withApp(config) { app in
            let r = try await find(app, ref)
            let scope = app.systemScope("incident resolve by \(actor)")
            let done = try await IncidentStore.setState(
                scope, id: try r.requireID(), .init(state: "resolved", note: note))
            return try await IncidentsController.detail(
                done, db: app.db, sla: app.config.incidentSLA, now: app.clock.now(),
                extra: app.storage[IncidentTimelineSource.self])
        }
    }

    /// `12`, `#12` or the incident's id.
    static func find(_ app: Application, _ ref: String) async throws -> IncidentRecord {
        let t = ref.hasPrefix("#") ? String(ref.dropFirst()) : ref
        let found: IncidentRecord? =
            if let n = Int(t) {
                try await IncidentRecord.query(on: app.db).filter(\.$number == n).first()
            } else if let id = UUID(uuidString: t) {
                try await IncidentRecord.find(id, on: app.db)
            } else { nil }
        guard let found else { throw AppError.notFound("No incident \(ref): give its number (12) or id.") }
        return found
    }

    package static func describe(_ i: IncidentsController.IncidentDTO) -> String {
        "#\(i.number) \(i.severity) \(i.state): \(i.title)\n"
            + "  acknowledge: \(i.ackLeft) · resolve: \(i.resolveLeft) · \(i.paging)"
    }

    package static func describe(_ d: Detail) -> String {
        var lines = [describe(d.incident), "  \(d.incident.severity): \(d.incident.severityDefinition)"]
        if let r = d.incident.resolution { lines.append("  resolution: \(r)") }
        if d.incident.postmortemRequired {
            lines.append("  postmortem: \(d.incident.postmortemWritten ? "written" : "REQUIRED, not written")")
        }
        lines.append("Timeline:")
        for e in d.timeline { lines.append("  \(Format.utc(e.at)) UTC  \(e.kind): \(e.text) (\(e.actor))") }
        return lines.joined(separator: "\n")
    }
}
