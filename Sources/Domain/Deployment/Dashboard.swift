import Foundation

/// One point of a dashboard line.
public struct ChartPoint: Codable, Sendable, Equatable {
    public let at: Date
    public let value: Double

    public init(at: Date, value: Double) {
        self.at = at
        self.value = value
    }
}

/// One line: a node (or a state, for the video visits), and its points in time order.
public struct ChartSeries: Codable, Sendable, Equatable {
    public let name: String
    public let points: [ChartPoint]

    public init(name: String, points: [ChartPoint]) {
        self.name = name
        self.points = points
    }
}

/// The ops dashboard's charts: each as a Prometheus query (per node) and as the same figure computed from CareSync's
/// own readings of its /metrics (one node, the one answering).
public enum DashboardChart: String, CaseIterable, Sendable {
    case requests, errors, latency, signIns = "sign-ins", video, uploads, jobLag = "job-lag"

    public var title: String {
        switch self {
        case .requests: return "Requests per minute"
        case .errors: return "Server errors per minute"
        case .latency: return "Slowest 5 % of answers (p95)"
        case .signIns: return "Sign-ins and failed sign-ins per minute"
        case .video: return "Video visits waiting and connected"
        case .uploads: return "Photo uploads and failed uploads per minute"
        case .jobLag: return "Job queue lag"
        }
    }

    public var unit: String {
        switch self {
        case .latency, .jobLag: return "s"
        case .video: return "visits"
        default: return "/min"
        }
    }

    /// A line's name when its query splits no further (one per node).
    public var lineName: String {
        switch self {
        case .requests: return "requests"
        case .errors: return "errors"
        case .latency: return "p95"
        case .jobLag: return "lag"
        default: return rawValue
        }
    }

    /// A line to compare with: the p95 goal of 2 s, the job-lag alert's 5 minutes.
    public var goal: Double? {
        switch self {
        case .latency: return 2
        case .jobLag: return 300
        default: return nil
        }
    }

    static let pages = #"job="caresync",route!~"/metrics|/health/.*""#

    /// Prometheus range queries, one line per node (`instance`) unless the chart splits otherwise.
    public var queries: [(label: String?, promQL: String)] {
        switch self {
        case .requests:
            return [(nil, "sum by (instance) (rate(caresync_http_requests_total{\(Self.pages)}[5m])) * 60")]
        case .errors:
            return [
                (nil, #"sum by (instance) (rate(caresync_http_requests_total{job="caresync",status=~"5.."}[5m])) * 60"#)
            ]
        case .latency:
            return [
                (
                    nil,
                    "histogram_quantile(0.95, sum by (instance, le) "
                        + "(rate(caresync_http_request_duration_seconds_bucket{\(Self.pages)}[5m])))"
                )
            ]
        case .signIns:
            return [
                ("sign-ins", #"sum by (instance) (rate(caresync_sign_ins_total{job="caresync"}[5m])) * 60"#),
                ("failed", #"sum by (instance) (rate(caresync_failed_sign_ins_total{job="caresync"}[5m])) * 60"#),
            ]
        case .video:
            return [(nil, #"sum by (instance, state) (caresync_video_visits{job="caresync"})"#)]
        case .uploads:
            return [
                ("uploads", #"sum by (instance) (rate(caresync_uploads_total{job="caresync"}[5m])) * 60"#),
                ("failed", #"sum by (instance) (rate(caresync_upload_failures_total{job="caresync"}[5m])) * 60"#),
            ]
        case .jobLag:
            return [(nil, #"max by (instance) (caresync_job_queue_lag_seconds{job="caresync"})"#)]
        }
    }

    /// The chart from a node's own readings (cumulative counters and gauges, oldest first): counters become per-minute
    /// rates between consecutive readings, p95 comes from the histogram buckets gained between them.
    public func series(_ readings: [(at: Date, sample: TrafficSample)]) -> [ChartSeries] {
        let pairs = zip(readings, readings.dropFirst()).filter { $1.at > $0.at }
        func perMinute(_ name: String, _ value: @escaping (TrafficSample) -> Double) -> ChartSeries {
            ChartSeries(
                name: name,
                points: pairs.map { a, b in
                    let gained = value(b.sample) - value(a.sample)
                    // A restart resets counters: the reading after it counts from zero.
                    let delta = gained >= 0 ? gained : value(b.sample)
                    return ChartPoint(at: b.at, value: delta / b.at.timeIntervalSince(a.at) * 60)
                })
        }
        func gauge(_ name: String, _ key: String) -> ChartSeries {
            ChartSeries(name: name, points: readings.map { ChartPoint(at: $0.at, value: $0.sample.values[key] ?? 0) })
        }
        func counter(_ key: String) -> (TrafficSample) -> Double { { $0.values[key] ?? 0 } }
        switch self {
        case .requests: return [perMinute(lineName, { Double($0.requests) })]
        case .errors: return [perMinute(lineName, { Double($0.errors5xx) })]
        case .latency:
            return [
                ChartSeries(
                    name: lineName,
                    points: pairs.compactMap { a, b in
                        b.sample.minus(a.sample).quantile(0.95).map {
                            ChartPoint(at: b.at, value: $0.isFinite ? $0 : 10)
                        }
                    })
            ]
        case .signIns:
            return [
                perMinute("sign-ins", counter("caresync_sign_ins_total")),
                perMinute("failed", { Double($0.failedSignIns) }),
            ]
        case .video:
            return [
                gauge("waiting", "caresync_video_visits{state=waiting}"),
                gauge("connected", "caresync_video_visits{state=connected}"),
            ]
        case .uploads:
            return [
                perMinute("uploads", counter("caresync_uploads_total")),
                perMinute("failed", counter("caresync_upload_failures_total")),
            ]
        case .jobLag: return [gauge(lineName, "caresync_job_queue_lag_seconds")]
        }
    }
}

/// A line chart drawn on the server: time across, the value up, a line per series, an optional goal line. Only
/// numbers, the series names and the labels we format go into it (each escaped).
public enum TimeSeriesChart {
    public static let colors = ["#0b4f6c", "#c2410c", "#15803d", "#7c3aed", "#a16207", "#be185d"]

    public static func svg(
        _ series: [ChartSeries], title: String, unit: String, goal: Double? = nil, from: Date, to: Date,
        timeLabel: (Date) -> String
    ) -> String {
        let w = 480.0, h = 236.0, left = 46.0, right = 10.0, top = 26.0, bottom = 58.0
        let plotW = w - left - right, plotH = h - top - bottom
        let span = max(to.timeIntervalSince(from), 1)
        let top1 = series.flatMap(\.points).map(\.value).filter(\.isFinite).max() ?? 0
        // At least 0–1 (0–4 visits): a quiet chart reads as a flat line at zero, not as a scale of 0.00s.
        let maxY = SVGDrawing.niceCeiling(max(top1, goal.map { $0 * 1.1 } ?? 0, unit == "visits" ? 4 : 1))
        // Steps that read well: fifths, or quarters of a 2 × 10ⁿ scale.
        let divisions = maxY / pow(10, floor(log10(maxY))) == 2 ? 4 : 5
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        func x(_ d: Date) -> Double { left + min(max(d.timeIntervalSince(from) / span, 0), 1) * plotW }
        func y(_ v: Double) -> Double { top + plotH - min(max(v, 0), maxY) / maxY * plotH }
        var s = """
            <svg class="chart" viewBox="0 0 \(Int(w)) \(Int(h))" role="img" aria-label="\(escape(title))" \
            xmlns="http://www.w3.org/2000/svg"><title>\(escape(title))</title>
            """
        for i in 0...divisions {
            let v = maxY * Double(i) / Double(divisions)
            s +=
                "<line x1=\"\(f(left))\" x2=\"\(f(w - right))\" y1=\"\(f(y(v)))\" y2=\"\(f(y(v)))\" "
                + "stroke=\"#d8dee6\"/>"
            s +=
                "<text x=\"\(f(left - 5))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\" font-size=\"15\">"
                + "\(escape(number(v)))</text>"
        }
        s += "<text x=\"2\" y=\"14\" font-size=\"15\">\(escape(unit))</text>"
        for (i, d) in [from, from.addingTimeInterval(span / 2), to].enumerated() {
            let anchor = ["start", "middle", "end"][i]
            s +=
                "<text x=\"\(f(x(d)))\" y=\"\(f(h - bottom + 18))\" text-anchor=\"\(anchor)\" font-size=\"15\">"
                + "\(escape(timeLabel(d)))</text>"
        }
        if let goal {
            s +=
                "<line x1=\"\(f(left))\" x2=\"\(f(w - right))\" y1=\"\(f(y(goal)))\" y2=\"\(f(y(goal)))\" "
                + "stroke=\"#b91c1c\" stroke-dasharray=\"6 4\"><title>goal \(escape(number(goal))) \(escape(unit))"
                + "</title></line>"
        }
        for (i, line) in series.enumerated() {
            let color = colors[i % colors.count]
            let pts = line.points.filter { $0.value.isFinite }
            if pts.count == 1 {
                s += "<circle cx=\"\(f(x(pts[0].at)))\" cy=\"\(f(y(pts[0].value)))\" r=\"3\" fill=\"\(color)\"/>"
            } else if pts.count > 1 {
                s +=
                    "<polyline class=\"line\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\""
                    + pts.map { "\(f(x($0.at))),\(f(y($0.value)))" }.joined(separator: " ") + "\"/>"
            }
            let lx = left + Double(i % 2) * 200, ly = h - 20 + Double(i / 2) * 17
            s +=
                "<text x=\"\(f(lx))\" y=\"\(f(ly))\" font-size=\"15\" fill=\"\(color)\">━ "
                + "\(escape(String(line.name.prefix(28))))</text>"
        }
        return s + "</svg>"
    }

    /// The newest value of each line, in words, for people who do not read the picture.
    public static func summary(_ series: [ChartSeries], unit: String) -> String {
        let parts = series.compactMap { line in
            line.points.last.map { "\(line.name): \(number($0.value)) \(unit)" }
        }
        return parts.isEmpty ? "No data yet." : "Now: " + parts.joined(separator: "; ") + "."
    }

    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "–" }
        if v == v.rounded() { return String(Int(v)) }
        let s = String(format: abs(v) >= 10 ? "%.0f" : abs(v) >= 1 ? "%.1f" : "%.2f", v)
        return s.contains(".") ? String(s.reversed().drop { $0 == "0" }.reversed()) : s
    }

    static func escape(_ s: String) -> String { SVGDrawing.escape(s) }
}
