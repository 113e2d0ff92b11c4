import Foundation

/// What a flow must stay within. `slo` is the go-live guide's (answers under 2 s at p95, under 1 % errors); `strict`
/// is CareSync's own (p99 under 100 ms, under 0.1 % errors).
public struct LoadThresholds: Codable, Sendable, Equatable {
    public var p95Ms: Double?
    public var p99Ms: Double?
    /// Failed requests over all requests of the flow, 0–1.
    public var errorRate: Double
    /// Iterations that could not start on time (the generator itself was behind), 0–1.
    public var missedRate: Double

    public init(p95Ms: Double? = nil, p99Ms: Double? = nil, errorRate: Double, missedRate: Double = 0.01) {
        self.p95Ms = p95Ms
        self.p99Ms = p99Ms
        self.errorRate = errorRate
        self.missedRate = missedRate
    }

    public static let slo = LoadThresholds(p95Ms: 2000, errorRate: 0.01)
    public static let strict = LoadThresholds(p95Ms: 50, p99Ms: 100, errorRate: 0.001)
    public static let presets: [String: LoadThresholds] = ["slo": slo, "strict": strict]

    /// In words, for the report.
    public var text: String {
        var parts: [String] = []
        if let p95Ms { parts.append("p95 < \(LoadFigures.ms(p95Ms))") }
        if let p99Ms { parts.append("p99 < \(LoadFigures.ms(p99Ms))") }
        parts.append("errors < \(LoadFigures.percent(errorRate))")
        return parts.joined(separator: ", ")
    }
}

/// One flow's figures over a run (or over one step of a knee search).
public struct FlowResult: Codable, Sendable, Equatable {
    public var flow: LoadFlow
    /// Iterations due, started, and not started on time.
    public var due: Int
    public var started: Int
    public var missed: Int
    public var requests: Int
    public var errors: Int
    public var p50Ms: Double
    public var p95Ms: Double
    public var p99Ms: Double
    public var maxMs: Double
    /// A few of the failures as they were seen (status and route, or the error), for the failure mode.
    public var errorSamples: [String]

    public init(
        flow: LoadFlow, due: Int, started: Int, missed: Int, requests: Int, errors: Int, p50Ms: Double, p95Ms: Double,
        p99Ms: Double, maxMs: Double, errorSamples: [String]
    ) {
        self.flow = flow
        self.due = due
        self.started = started
        self.missed = missed
        self.requests = requests
        self.errors = errors
        self.p50Ms = p50Ms
        self.p95Ms = p95Ms
        self.p99Ms = p99Ms
        self.maxMs = maxMs
        self.errorSamples = errorSamples
    }

    public var errorRate: Double { requests == 0 ? (started > 0 ? 1 : 0) : Double(errors) / Double(requests) }
    public var missedRate: Double { due == 0 ? 0 : Double(missed) / Double(due) }
}

/// A threshold a flow crossed.
public struct LoadBreach: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, CaseIterable, Sendable { case latency, errors, missed, idle }
    public var flow: LoadFlow
    public var kind: Kind
    public var detail: String

    public init(flow: LoadFlow, kind: Kind, detail: String) {
        self.flow = flow
        self.kind = kind
        self.detail = detail
    }

    public var text: String { "\(flow.rawValue): \(detail)" }
}

public enum LoadJudgement {
    /// Every threshold each flow crossed, worst kinds first (errors, latency, missed starts). A flow that was due
    /// and never ran also fails: a run that skipped a flow did not test it.
    public static func breaches(
        _ results: [FlowResult], thresholds: LoadThresholds, perFlow: [LoadFlow: LoadThresholds] = [:]
    ) -> [LoadBreach] {
        var out: [LoadBreach] = []
        for r in results.sorted(by: { $0.flow < $1.flow }) {
            let t = perFlow[r.flow] ?? thresholds
            if r.due > 0 && r.requests == 0 {
                out.append(LoadBreach(flow: r.flow, kind: .idle, detail: "was due \(r.due) times and never ran"))
                continue
            }
            if r.errorRate >= t.errorRate && r.errors > 0 {
                let sample = r.errorSamples.first.map { " (first: \($0))" } ?? ""
                out.append(
                    LoadBreach(
                        flow: r.flow, kind: .errors,
                        detail: "\(LoadFigures.percent(r.errorRate)) of \(r.requests) requests failed, limit "
                            + "\(LoadFigures.percent(t.errorRate))\(sample)"))
            }
            if let p95 = t.p95Ms, r.p95Ms >= p95 {
                out.append(
                    LoadBreach(
                        flow: r.flow, kind: .latency,
                        detail: "p95 \(LoadFigures.ms(r.p95Ms)), limit \(LoadFigures.ms(p95))"))
            }
            if let p99 = t.p99Ms, r.p99Ms >= p99 {
                out.append(
                    LoadBreach(
                        flow: r.flow, kind: .latency,
                        detail: "p99 \(LoadFigures.ms(r.p99Ms)), limit \(LoadFigures.ms(p99))"))
            }
            if r.missedRate > t.missedRate {
                out.append(
                    LoadBreach(
                        flow: r.flow, kind: .missed,
                        detail: "\(r.missed) of \(r.due) iterations could not start on time"))
            }
        }
        return out
    }

    /// The command's exit code: 0 passed; 1 errors over the limit; 2 latency over the limit; 3 both; 4 only missed
    /// starts or a flow that never ran (the generator, not the server, fell short).
    public static func exitCode(_ breaches: [LoadBreach]) -> Int32 {
        let kinds = Set(breaches.map(\.kind))
        if kinds.isEmpty { return 0 }
        let errors = kinds.contains(.errors) || kinds.contains(.idle), latency = kinds.contains(.latency)
        if errors && latency { return 3 }
        if errors { return 1 }
        if latency { return 2 }
        return 4
    }

    /// The knee search's next scale: doubling while every threshold holds; after the first breach, the run is over and
    /// the knee is the highest scale that held.
    public static func nextScale(after scale: Double, held: Bool, maxScale: Double) -> Double? {
        guard held else { return nil }
        let next = scale * 2
        return next <= maxScale ? next : nil
    }

    /// Nearest-rank percentile of latencies in milliseconds (0 when there are none).
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((Double(sorted.count) * p / 100).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

/// How the report writes figures.
public enum LoadFigures {
    public static func ms(_ v: Double) -> String {
        v >= 1000
            ? String(format: "%.2f s", v / 1000)
            : v >= 10
                ? String(format: "%.0f ms", v)
                : String(format: "%.1f ms", v)
    }

    public static func percent(_ v: Double) -> String {
        let p = v * 100
        return p == p.rounded() ? "\(Int(p)) %" : String(format: p < 1 ? "%.2f %%" : "%.1f %%", p)
    }
}
