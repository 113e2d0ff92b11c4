import Foundation
import NIOConcurrencyHelpers
import Domain
import AppCore

/// What a run saw, flow by flow: every request's time and outcome, the iterations due, started and missed, and the
/// same per 10-second stretch for the report's charts. Shared by every iteration in flight (one lock).
package final class LoadRecorder: Sendable {
    struct Flow {
        var due = 0, started = 0, missed = 0, requests = 0, errors = 0, inFlight = 0
        var latencies: [Double] = []
        var samples: [String] = []
    }

    struct Bucket {
        var requests = 0, errors = 0
        var latencies: [Double] = []
    }

    package static let bucketSeconds = 10
    private let state = NIOLockedValueBox<(flows: [LoadFlow: Flow], buckets: [LoadFlow: [Int: Bucket]])>(([:], [:]))
    private let start: ContinuousClock.Instant

    package init(start: ContinuousClock.Instant = .now) { self.start = start }

    package var elapsed: Double { (ContinuousClock.now - start).seconds }

    package func due(_ flow: LoadFlow, _ n: Int) { state.withLockedValue { $0.flows[flow, default: Flow()].due += n } }

    /// An iteration may start unless `cap` are already running; a refusal counts as missed.
    package func begin(_ flow: LoadFlow, cap: Int) -> Bool {
        state.withLockedValue { s in
            var f = s.flows[flow, default: Flow()]
            defer { s.flows[flow] = f }
            guard f.inFlight < cap else {
                f.missed += 1
                return false
            }
            f.inFlight += 1
            f.started += 1
            return true
        }
    }

    package func missed(_ flow: LoadFlow) { state.withLockedValue { $0.flows[flow, default: Flow()].missed += 1 } }

    package func end(_ flow: LoadFlow) { state.withLockedValue { $0.flows[flow, default: Flow()].inFlight -= 1 } }

    /// One request (or one signaling hop) of a flow: how long it took and, when it failed, what was seen.
    package func request(_ flow: LoadFlow, ms: Double, failure: String?) {
        let bucket = Int(elapsed) / Self.bucketSeconds * Self.bucketSeconds
        state.withLockedValue { s in
            var f = s.flows[flow, default: Flow()]
            f.requests += 1
            f.latencies.append(ms)
            if let failure {
                f.errors += 1
                if f.samples.count < 5, !f.samples.contains(failure) { f.samples.append(failure) }
            }
            s.flows[flow] = f
            var b = s.buckets[flow, default: [:]][bucket, default: Bucket()]
            b.requests += 1
            b.latencies.append(ms)
            if failure != nil { b.errors += 1 }
            s.buckets[flow, default: [:]][bucket] = b
        }
    }

    package func results() -> [FlowResult] {
        state.withLockedValue { s in
            s.flows.map { flow, f in
                let sorted = f.latencies.sorted()
                func p(_ q: Double) -> Double { (LoadJudgement.percentile(sorted, q) * 10).rounded() / 10 }
                return FlowResult(
                    flow: flow, due: f.due, started: f.started, missed: f.missed, requests: f.requests,
                    errors: f.errors, p50Ms: p(50), p95Ms: p(95), p99Ms: p(99), maxMs: p(100), errorSamples: f.samples)
            }.sorted { $0.flow < $1.flow }
        }
    }

    package func series() -> [LoadTestRun.Point] {
        state.withLockedValue { s in
            s.buckets.flatMap { flow, buckets in
                buckets.map { second, b in
                    LoadTestRun.Point(
                        second: second, flow: flow, requests: b.requests, errors: b.errors,
                        p95Ms: (LoadJudgement.percentile(b.latencies.sorted(), 95) * 10).rounded() / 10)
                }
            }.sorted { ($0.second, $0.flow) < ($1.second, $1.flow) }
        }
    }

    /// The live line: per flow, requests so far, errors, p95 of the last stretch.
    package func progressLine() -> String {
        let now = Int(elapsed)
        let recent = series().filter { $0.second >= now - 2 * Self.bucketSeconds }
        return results().filter { $0.requests > 0 }.map { r in
            let p95 = recent.filter { $0.flow == r.flow }.map(\.p95Ms).max() ?? 0
            return "\(r.flow.rawValue) \(r.requests)" + (r.errors > 0 ? " (\(r.errors) failed)" : "")
                + " p95 \(LoadFigures.ms(p95))"
        }.joined(separator: " · ")
    }
}
