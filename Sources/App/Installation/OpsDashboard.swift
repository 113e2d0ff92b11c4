import Vapor
import Fluent
import Plot
import Domain
import AppCore
import Alerts
import Locations

/// `/ops/dashboard` (operators and admins): charts of traffic, errors, p95 latency, sign-ins, video visits, uploads
/// and job lag per node, drawn on the server; the alerts firing now; how fresh the backup, the drill and the audit
/// verification are. History comes from Prometheus's HTTP API when CARESYNC_PROMETHEUS_URL is set, else from this
/// node's own readings (`MetricsHistory`).
package enum OpsDashboard {
    package static let ranges: [(minutes: Int, label: String)] = [
        (15, "15 minutes"), (60, "1 hour"), (360, "6 hours"), (1440, "24 hours"),
    ]

    package struct Chart {
        package let chart: DashboardChart
        package let series: [ChartSeries]
    }

    package struct Freshness {
        package let backupAt: Date?
        package let drill: Drill.Result?
        package let verifiedAt: Date?
        package let verifiedOK: Bool?
    }

    package struct Page {
        package let charts: [Chart]
        package let source: String
        package let from: Date
        package let to: Date
        package let minutes: Int
        package let zone: TimeZone
        package let alerts: [AlertRecord]
        package let routing: AlertRoutingEvidence
        package let freshness: Freshness
    }

    @Sendable package static func page(req: Request) async throws -> Response {
        let ops = try req.operations()
        let alerts = try await ops.alerts()
        let minutes = (try? req.query.get(Int.self, at: "minutes")).flatMap { m in
            ranges.contains { $0.minutes == m } ? m : nil
        }
        let to = req.now, from = to.addingTimeInterval(-Double(minutes ?? 60) * 60)
        let (charts, source) = await charts(req, from: from, to: to)
        let verified = try await AuditEventRecord.latestVerification(req.db)
        let zone = try await LocationRecord.practiceZone(req.db)
        let page = Page(
            charts: charts, source: source, from: from, to: to, minutes: minutes ?? 60, zone: zone, alerts: alerts,
            routing: try await ops.alertRouting(),
            freshness: Freshness(
                backupAt: try await ops.backups().map(\.createdAt).max(), drill: try await ops.drills(limit: 1).first,
                verifiedAt: verified?.recordedAt,
                verifiedOK: verified.map { $0.outcome != AuditOutcome.failure.rawValue })
        )
        return Layout.render(render(page, req: req))
    }

    /// Prometheus first when it is configured (every node); this node's own readings when not, or when it fails.
    static func charts(_ req: Request, from: Date, to: Date) async -> ([Chart], String) {
        if let prom = req.application.config.prometheusURL {
            do {
                var out: [Chart] = []
                for c in DashboardChart.allCases {
                    out.append(Chart(chart: c, series: try await prometheus(req, prom, c, from: from, to: to)))
                }
                // One node: its address once, above the charts, rather than in every line's name.
                let nodes = Set(out.flatMap(\.series).compactMap { $0.name.components(separatedBy: " · ").last })
                guard nodes.count == 1, let node = nodes.first else {
                    return (out, "From Prometheus (\(prom)), every node: \(nodes.sorted().joined(separator: ", ")).")
                }
                let single = out.map { c in
                    Chart(
                        chart: c.chart,
                        series: c.series.map { line in
                            let parts = line.name.components(separatedBy: " · ").dropLast()
                            return ChartSeries(
                                name: parts.isEmpty ? c.chart.lineName : parts.joined(separator: " · "),
                                points: line.points)
                        })
                }
                return (single, "From Prometheus (\(prom)): one node, \(node).")
            } catch {
                req.logger.warning("the dashboard could not read Prometheus: \(error)")
                let own = ownCharts(req, from: from)
                return (own, "Prometheus at \(prom) did not answer; showing this node's own readings instead.")
            }
        }
        let seconds = Int(req.application.config.metricsHistorySeconds)
        let note =
            seconds > 0
            ? "From this node's own readings (every \(seconds) s since it started, six hours at most). Set "
                + "CARESYNC_PROMETHEUS_URL for every node and a longer history."
            : "This node keeps no readings (CARESYNC_METRICS_HISTORY_SECONDS=0) and no Prometheus is set "
                + "(CARESYNC_PROMETHEUS_URL)."
        return (ownCharts(req, from: from), note)
    }

    static func ownCharts(_ req: Request, from: Date) -> [Chart] {
        let readings = req.application.metricsHistory.since(from)
        return DashboardChart.allCases.map { c in
            Chart(chart: c, series: c.series(readings))
        }
    }

    struct RangeResponse: Decodable {
        struct Pair: Decodable {
            let at: Double
            let value: String
            init(from decoder: any Decoder) throws {
                var c = try decoder.unkeyedContainer()
                at = try c.decode(Double.self)
                value = try c.decode(String.self)
            }
        }
        struct Result: Decodable {
            let metric: [String: String]
            let values: [Pair]
        }
        struct Data: Decodable { let result: [Result] }
        let status: String
        let data: Data?
    }

    static func prometheus(_ req: Request, _ base: String, _ chart: DashboardChart, from: Date, to: Date) async throws
        -> [ChartSeries]
    {
        let step = max(Int(to.timeIntervalSince(from) / 150), 1)
        var out: [ChartSeries] = []
        for (label, query) in chart.queries {
            var uri = URI(string: base + "/api/v1/query_range")
            try uri.query = queryString([
                ("query", query), ("start", String(Int(from.timeIntervalSince1970))),
                ("end", String(Int(to.timeIntervalSince1970))), ("step", String(step)),
            ])
            let res = try await req.client.get(uri) { $0.timeout = .seconds(5) }
            guard res.status == .ok else { throw Abort(.badGateway, reason: "Prometheus answered \(res.status.code)") }
            let body = try res.content.decode(RangeResponse.self)
            for r in body.data?.result ?? [] {
                let name = [label, r.metric["state"], r.metric["instance"]].compactMap { $0 }.joined(separator: " · ")
                out.append(
                    ChartSeries(
                        name: name.isEmpty ? chart.lineName : name,
                        points: r.values.compactMap { p in
                            Double(p.value).map { ChartPoint(at: Date(timeIntervalSince1970: p.at), value: $0) }
                        }))
            }
        }
        return out
    }

    static func queryString(_ pairs: [(String, String)]) throws -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map { k, v in "\(k)=\(v.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&")
    }

    // MARK: the page

    static func render(_ p: Page, req: Request) -> String {
        let time: (Date) -> String = { Format.time($0, zone: p.zone, withZone: false) }
        return Layout.page(
            "Dashboard", req: req,
            .div(
                .h1(.text("Dashboard")),
                .p(
                    .class("muted"),
                    .text(
                        "\(time(p.from)) to \(time(p.to)) (\(Format.zoneName(p.zone))). \(p.source)")),
                .nav(
                    .class("ranges"), .attribute(named: "aria-label", value: "Time range"),
                    .forEach(ranges) { r in
                        r.minutes == p.minutes
                            ? .strong(.text(r.label))
                            : .a(.href(Site.opsDashboard.path() + "?minutes=\(r.minutes)"), .text(r.label))
                    },
                    .a(.href(Site.ops.path()), .text("Operations"))),
                AlertsSection(alerts: p.alerts, routing: p.routing).node,
                freshness(p.freshness, now: p.to),
                .div(
                    .class("charts"),
                    .forEach(p.charts) { c in
                        .section(
                            .class("card chart-card"), .id("chart-\(c.chart.rawValue)"),
                            .h2(.text(c.chart.title)),
                            .raw(
                                TimeSeriesChart.svg(
                                    c.series, title: c.chart.title, unit: c.chart.unit, goal: c.chart.goal,
                                    from: p.from, to: p.to, timeLabel: time)),
                            .p(.class("muted"), .text(TimeSeriesChart.summary(c.series, unit: c.chart.unit))))
                    })))
    }

    static func freshness(_ f: Freshness, now: Date) -> Node<HTML.BodyContext> {
        func age(_ d: Date?) -> String {
            guard let d else { return "never" }
            let s = Int(now.timeIntervalSince(d))
            if s < 3600 { return "\(max(s / 60, 0)) min ago" }
            return s < 86400 * 2 ? "\(s / 3600) h ago" : "\(s / 86400) days ago"
        }
        let backupOld = f.backupAt.map { now.timeIntervalSince($0) > 26 * 3600 } ?? true
        let drillBad = f.drill.map { !$0.ok || now.timeIntervalSince($0.startedAt) > 30 * 86400 } ?? true
        let auditBad = f.verifiedOK != true
        func item(_ label: String, _ value: String, bad: Bool) -> Node<HTML.ListContext> {
            .li(.class(bad ? "bad" : "ok"), .strong(.text(label + ": ")), .text((bad ? "⚠ " : "✓ ") + value))
        }
        return .div(
            .class("card"), .id("freshness"),
            .h2(.text("Recovery and audit")),
            .ul(
                .class("plain"),
                item("Newest backup", age(f.backupAt), bad: backupOld),
                item(
                    "Latest recovery drill",
                    f.drill.map { "\($0.ok ? "passed" : "FAILED"), \(age($0.startedAt))" } ?? "never", bad: drillBad),
                item(
                    "Audit trail verified",
                    f.verifiedAt.map { "\(f.verifiedOK == false ? "FAILED" : "intact"), \(age($0))" } ?? "not yet",
                    bad: auditBad)))
    }
}
