import Vapor
import Fluent
import SQLKit
import Domain
import AppCore

/// The built-in probes: what a patient or a staff member would do first with each component, over HTTP from this node
/// (the sign-in pages, the video visit's script, readiness) and against the database (the location's appointments,
/// e-prescribing's recent errors). Each reading is kept two days; each day's totals for the uptime bars.
package enum StatusProbes {
    package struct Reading: Content {
        package let component: String
        package let ok: Bool
        package let degraded: Bool
        package let ms: Int
        package let detail: String?
    }

    package struct Pass: Content {
        package let node: String
        package let at: Date
        package let readings: [Reading]
    }

    /// Probes every component from `base` (this node's address) and records what it saw as `node`.
    package static func run(_ app: Application, base: String, node: String) async throws -> Pass {
        let now = app.clock.now()
        let ready = await http(app, base + Site.healthReady.path())
        var out: [Reading] = []
        func add(_ component: String, _ r: (ok: Bool, ms: Int, detail: String?)) {
            out.append(
                Reading(
                    component: component, ok: r.ok, degraded: r.ok && Double(r.ms) > StatusRules.slowMilliseconds,
                    ms: r.ms, detail: r.detail))
        }
        add("portal", await http(app, base + Site.portalLogin.path()))
        add("staff", await http(app, base + Site.login.path()))
        add("video", await http(app, base + Site.assetsVisitScript.path()))
        add("eprescribing", try await eprescribing(app, ready: ready, now: now))
        for c in try await StatusStore.components(app.db) where c.kind == .scheduling {
            add(c.id, try await scheduling(app, component: c.id, ready: ready))
        }
        try await record(app, node: node, at: now, out)
        return Pass(node: node, at: now, readings: out)
    }

    static func http(_ app: Application, _ url: String) async -> (ok: Bool, ms: Int, detail: String?) {
        let start = ContinuousClock.now
        do {
            let res = try await app.client.get(URI(string: url)) { $0.timeout = .seconds(5) }
            let ms = Int((ContinuousClock.now - start) / .milliseconds(1))
            return (res.status == .ok, ms, res.status == .ok ? nil : "HTTP \(res.status.code)")
        } catch {
            let ms = Int((ContinuousClock.now - start) / .milliseconds(1))
            return (false, ms, "no answer (\(type(of: error)))")
        }
    }

    /// Ready, and the SCRIPT gateway not failing: more errors than sent messages in the last 15 minutes is failing.
    static func eprescribing(_ app: Application, ready: (ok: Bool, ms: Int, detail: String?), now: Date) async throws
        -> (ok: Bool, ms: Int, detail: String?)
    {
        guard ready.ok else { return ready }
        let since = now.addingTimeInterval(-900)
        let rows = try await app.db.sql.select().column("status").column(
            SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n"))
        )
        .from("script_message").where("created_at", .greaterThanOrEqual, since).groupBy("status")
        .all(decoding: StatusCount.self)
        let errors = rows.first { $0.status == "error" }?.n ?? 0
        let sent = rows.filter { $0.status != "error" }.reduce(0) { $0 + $1.n }
        if errors > 0, errors > sent { return (false, ready.ms, "\(errors) of \(errors + sent) messages failed") }
        return (true, ready.ms, nil)
    }

    struct StatusCount: Decodable {
        let status: String
        let n: Int
    }

    /// Ready, and the location's appointments readable in time.
    static func scheduling(_ app: Application, component: String, ready: (ok: Bool, ms: Int, detail: String?))
        async throws -> (ok: Bool, ms: Int, detail: String?)
    {
        guard ready.ok else { return ready }
        guard let id = UUID(uuidString: String(component.dropFirst("scheduling:".count))) else {
            return (false, 0, "not a location")
        }
        let start = ContinuousClock.now
        do {
            _ = try await app.db.sql.select().column("id").from("appointment").where("location_id", .equal, id)
                .limit(1).all()
            return (true, ready.ms + Int((ContinuousClock.now - start) / .milliseconds(1)), nil)
        } catch {
            return (false, ready.ms, "the appointments cannot be read")
        }
    }

    /// Keeps the readings, adds them to the day's totals (one statement per component: nodes may probe at once), and
    /// forgets readings older than two days.
    static func record(_ app: Application, node: String, at: Date, _ readings: [Reading]) async throws {
        let day = Format.utc(at, "yyyy-MM-dd")
        try await app.db.transaction { tx in
            for r in readings {
                let p = StatusProbeRecord()
                p.at = at
                p.node = node
                p.component = r.component
                p.ok = r.ok
                p.degraded = r.degraded
                p.ms = r.ms
                p.detail = r.detail
                try await p.create(on: tx)
                try await tx.sql.raw(
                    """
                    INSERT INTO status_uptime_day (id, component, day, probes, failed) \
                    VALUES (\(bind: UUID()), \(bind: r.component), \(bind: day), 1, \(bind: r.ok ? 0 : 1)) \
                    ON CONFLICT (component, day) DO UPDATE SET probes = status_uptime_day.probes + 1, \
                    failed = status_uptime_day.failed + \(bind: r.ok ? 0 : 1)
                    """
                ).run()
            }
            try await StatusProbeRecord.query(on: tx).filter(\.$at < at.addingTimeInterval(-2 * 86400)).delete()
        }
    }

    /// Readings as a probe pass records them (tests: a node that fails, a day in the past).
    package static func record(_ app: Application, node: String, at: Date, _ results: [String: Bool]) async throws {
        try await record(
            app, node: node, at: at,
            results.map { Reading(component: $0.key, ok: $0.value, degraded: false, ms: 20, detail: nil) })
    }

    /// This node's name in the readings: its slot when it has one, else its host name.
    package static func nodeName(_ app: Application) -> String {
        app.config.slot ?? ProcessInfo.processInfo.hostName
    }

    /// `serve` probes this node every CARESYNC_PROBE_SECONDS (60; 0 turns it off here), from a few seconds after boot
    /// (the node listens once booted).
    package static let worker = PeriodicWorker(
        name: "status-probe", interval: { $0.probeSeconds }, firstPassAfter: 3
    ) { app in
        let port = app.http.server.configuration.port
        _ = try await run(app, base: "http://127.0.0.1:\(port)", node: nodeName(app))
    }

    /// The newest readings, per component and node (the staff view).
    package static func latest(_ scope: AuditScope) async throws -> [StatusProbeRecord] {
        try await scope.authorize(.publishStatus)
        let rows = try await StatusProbeRecord.query(on: scope.db)
            .filter(\.$at >= scope.now.addingTimeInterval(-max(600, 3 * scope.app.config.probeSeconds)))
            .sort(\.$at, .descending).all()
        var seen = Set<String>()
        return rows.filter { seen.insert($0.component + "|" + $0.node).inserted }
    }
}
