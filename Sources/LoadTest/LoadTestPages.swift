import Vapor
import Plot
import Domain
import AppCore

/// `/ops/loadtests` (every run, newest first) and `/ops/loadtests/:id` (one run's report: the verdict, each flow's
/// figures against its thresholds, latency and throughput over time, the knee). The CLI writes the same report as a
/// standalone HTML file (`--report FILE`). Operators and admins only; nothing here is PHI.
package enum LoadTestPages {
    package static func register(routes: SiteRoutes) {
        routes.staff.get(Site.opsLoadTests.route, use: list)
        routes.staff.get(Site.opsLoadTest.route, use: show)
        routes.api.get(Site.apiOperationsLoadTests.route, use: listAPI)
    }

    @Sendable static func list(req: Request) async throws -> Response {
        let runs = try await LoadTestStore.list(try req.scope(), limit: 50)
        return Layout.render(Layout.page("Load tests", req: req, listNode(runs)))
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let run = try await LoadTestStore.find(try req.scope(), try req.idParameter("id"))
        return Layout.render(Layout.page("Load test \(run.scenario)", req: req, report(run)))
    }

    package struct RunList: Content {
        package let runs: [LoadTestRun]
    }

    @Sendable static func listAPI(req: Request) async throws -> RunList {
        RunList(
            runs: try await LoadTestStore.list(
                try req.scope(), limit: (try? req.query.get(Int.self, at: "limit")) ?? 20))
    }

    static func when(_ d: Date) -> String { Format.utc(d, "yyyy-MM-dd HH:mm 'UTC'") }

    static func listNode(_ runs: [LoadTestRun]) -> Node<HTML.BodyContext> {
        .div(
            .h1(.text("Load tests")),
            .p(
                .text(
                    "Synthetic busy mornings against a staging or production node: each flow offered at its rate "
                        + "whatever the server does, judged against its thresholds. Run one with "),
                .code(.text("caresync loadtest --target URL --scenario busy-morning"))),
            runs.isEmpty
                ? .p(.id("no-runs"), .text("No load test has been run yet."))
                : .ul(
                    .class("plain"), .id("loadtests"),
                    .forEach(runs) { r in
                        .li(
                            .class("card" + (r.passed ? "" : " bad")),
                            .a(
                                .href(Site.opsLoadTest.path(r.id)),
                                .strong(
                                    .text(
                                        "\(r.scenario) at scale \(LoadTestRun.scaleText(r.scale)): "
                                            + (r.passed ? "passed" : "FAILED")))),
                            .div(.class("muted"), .text("\(when(r.startedAt)) · \(r.target) · by \(r.actor)")),
                            .div(.text(r.evidence)))
                    }))
    }

    /// The report: verdict, the table, the charts, the knee, the clean-up.
    package static func report(_ r: LoadTestRun) -> Node<HTML.BodyContext> {
        let b = r.body
        let from = r.startedAt
        let to = r.startedAt.addingTimeInterval(max(r.seconds, 10))
        // Four lines at most, so the legend names each: the slowest flows by p95, and the run's total traffic.
        let slowest = b.results.sorted { $0.p95Ms > $1.p95Ms }.prefix(4).map(\.flow)
        func line(_ f: LoadFlow, _ value: (LoadTestRun.Point) -> Double) -> ChartSeries {
            ChartSeries(
                name: f.rawValue,
                points: b.series.filter { $0.flow == f }.map {
                    ChartPoint(at: from.addingTimeInterval(Double($0.second)), value: value($0))
                })
        }
        func total(_ name: String, _ value: (LoadTestRun.Point) -> Int) -> ChartSeries {
            let perMinute = 60 / Double(LoadRecorder.bucketSeconds)
            return ChartSeries(
                name: name,
                points: Dictionary(grouping: b.series, by: \.second).sorted { $0.key < $1.key }.map { second, points in
                    ChartPoint(
                        at: from.addingTimeInterval(Double(second)),
                        value: Double(points.reduce(0) { $0 + value($1) }) * perMinute)
                })
        }
        let label: (Date) -> String = { "\(Int($0.timeIntervalSince(from))) s" }
        let latency = TimeSeriesChart.svg(
            slowest.map { f in line(f) { $0.p95Ms / 1000 } }, title: "p95 of the four slowest flows", unit: "s",
            goal: b.thresholds.p95Ms.map { $0 / 1000 }, from: from, to: to, timeLabel: label)
        let throughput = TimeSeriesChart.svg(
            [total("requests", \.requests), total("failed", \.errors)], title: "Requests and failures per minute",
            unit: "/min", from: from, to: to, timeLabel: label)
        let failed = Set(b.breaches.map(\.flow))
        return .div(
            .h1(.text("Load test: \(r.scenario) at scale \(LoadTestRun.scaleText(r.scale))")),
            .p(
                .id("verdict"), .class(r.passed ? "notice good" : "notice bad"),
                .strong(.text(r.passed ? "Passed. " : "Failed. ")),
                .text(
                    r.passed
                        ? "Every flow stayed within \(b.thresholds.text)."
                        : b.breaches.prefix(5).map(\.text).joined(separator: "; ") + ".")),
            .p(
                .class("muted"),
                .text(
                    "\(when(r.startedAt)) · \(Int(r.seconds)) s against \(r.target) · by \(r.actor) · "
                        + "thresholds \(b.thresholds.text) · exit code \(r.exitCode)")),
            .div(
                .class("scroll"), Scrollable.focusable(),
                .table(
                    .id("flows"),
                    .thead(
                        .tr(
                            .th("Flow"), .th("Result"), .th("Started"), .th("Missed"), .th("Requests"),
                            .th("Errors"), .th("p50"), .th("p95"), .th("p99"), .th("Max"))),
                    .tbody(
                        .forEach(b.results) { f in
                            .tr(
                                .attribute(named: "data-flow", value: f.flow.rawValue),
                                .td(.text(f.flow.rawValue)),
                                .td(.text(failed.contains(f.flow) ? "FAILED" : "ok")),
                                .td(.text("\(f.started)/\(f.due)")), .td(.text("\(f.missed)")),
                                .td(.text("\(f.requests)")),
                                .td(.text(f.errors == 0 ? "0" : "\(f.errors) (\(LoadFigures.percent(f.errorRate)))")),
                                .td(.text(LoadFigures.ms(f.p50Ms))), .td(.text(LoadFigures.ms(f.p95Ms))),
                                .td(.text(LoadFigures.ms(f.p99Ms))), .td(.text(LoadFigures.ms(f.maxMs))))
                        }))),
            .unwrap(b.results.first(where: { !$0.errorSamples.isEmpty }) == nil ? nil : b.results) { results in
                .group(
                    .h2(.text("What failed")),
                    .ul(
                        .id("failures"),
                        .forEach(results.filter { !$0.errorSamples.isEmpty }) { f in
                            .li(.text("\(f.flow.rawValue): " + f.errorSamples.joined(separator: "; ")))
                        }))
            },
            .h2(.text("Over the run")),
            .div(.class("charts"), .raw(latency), .raw(throughput)),
            .p(
                .class("muted"),
                .text(
                    "Each point is a \(LoadRecorder.bucketSeconds)-second stretch. "
                        + b.results.map { "\($0.flow.rawValue): p95 \(LoadFigures.ms($0.p95Ms))" }
                        .joined(separator: "; ") + ".")),
            .if(
                !b.knee.isEmpty,
                .group(
                    .h2(.text("Knee")),
                    .p(
                        .id("knee"),
                        .text(
                            r.knee.map { k in
                                (k.held.map { "The highest scale that held: \(LoadTestRun.scaleText($0))." }
                                    ?? "Not even scale 1 held.")
                                    + (k.brokeFirst.map { " What broke first above it: \($0.text)." }
                                        ?? " Nothing broke up to the largest scale tried.")
                            } ?? "")),
                    .ul(
                        .forEach(b.knee) { s in
                            .li(
                                .text(
                                    "scale \(LoadTestRun.scaleText(s.scale)): "
                                        + (s.held ? "held" : s.breaches.prefix(3).map(\.text).joined(separator: "; "))))
                        }))),
            .h2(.text("Clean-up")),
            .p(.id("cleanup"), .text(b.cleanup.isEmpty ? "Nothing to clean up." : b.cleanup + "."))
        )
    }

    /// The report as a file of its own (the CLI's `--report`).
    package static func standalone(_ r: LoadTestRun) -> String {
        HTML(
            .head(
                .meta(.charset(.utf8)), .title("Load test \(r.scenario)"),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .element(
                    named: "style",
                    text:
                        "body{font:16px/1.45 system-ui,sans-serif;margin:1rem;max-width:1100px}"
                        + "table{border-collapse:collapse}td,th{border-bottom:1px solid #d8dee6;padding:.3rem .5rem;"
                        + "text-align:left}.bad{color:#b91c1c}.good{color:#15803d}.muted{color:#555}"
                        + ".scroll{overflow-x:auto}.charts svg{width:100%;max-width:520px}")),
            .body(report(r))
        ).render()
    }
}
