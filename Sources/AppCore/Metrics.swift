import Vapor
import Prometheus
import NIOConcurrencyHelpers
import Domain

/// Prometheus metrics kept in the application (not a process-wide bootstrap, so tests can build many apps).
public final class AppMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    package let failedSignIns: Counter
    package let auditEvents: Counter
    /// Seconds until the served certificate expires (negative once it has); 0 until first read.
    package let tlsCertificateExpiry: Gauge

    package init() {
        failedSignIns = registry.makeCounter(
            name: "caresync_failed_sign_ins_total",
            help: "Failed sign-in attempts (bad password, bad second factor, locked account).")
        auditEvents = registry.makeCounter(
            name: "caresync_audit_events_written_total", help: "Audit events appended to the hash chain.")
        tlsCertificateExpiry = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "caresync", metricName: "tls_certificate_expiry", unitName: "seconds",
                helpText: "Seconds until the certificate in CARESYNC_TLS_CERT_FILE expires."))
        for e in Event.allCases { registry.makeCounter(name: e.rawValue, help: e.help).increment(by: Int64(0)) }
    }

    /// `caresync_build_info{version, commit, schema} 1`: which release a node runs (one series per node).
    package func buildInfo(_ v: VersionReport) {
        registry.makeGauge(
            name: "caresync_build_info",
            labels: [("version", v.version), ("commit", v.commit), ("schema", String(v.schemaVersion))],
            help: "The running release: version, git commit and schema version (always 1)."
        ).set(Double(1))
    }

    /// 2 s is a bound because the latency goal is p95 under 2 s (the burn-rate alerts read that bucket).
    package static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 5, 10]

    /// Counters the alerts and the dashboard read, made at start with 0 so that the first event is an increase.
    package enum Event: String, CaseIterable, Sendable {
        case accountLockout = "caresync_account_lockouts_total"
        case mfaFailure = "caresync_mfa_failures_total"
        case accessDenial = "caresync_access_denials_total"
        case jobFailure = "caresync_job_failures_total"
        case outboxFailure = "caresync_outbox_failures_total"
        case ePrescribingError = "caresync_eprescribing_errors_total"
        case videoJoinFailure = "caresync_video_join_failures_total"
        case uploadFailure = "caresync_upload_failures_total"
        /// What the dashboard draws beside the failures: successful sign-ins and photos uploaded.
        case signIn = "caresync_sign_ins_total"
        case upload = "caresync_uploads_total"

        var help: String {
            switch self {
            case .accountLockout: return "Accounts locked after repeated failed sign-ins."
            case .mfaFailure: return "Wrong second-factor codes."
            case .accessDenial: return "Requests the access policy refused."
            case .jobFailure: return "Background jobs that failed for good (no retry left)."
            case .outboxFailure: return "Notices (email, text) that failed for good."
            case .ePrescribingError: return "SCRIPT Error replies from the e-prescribing network."
            case .videoJoinFailure: return "Video visit connections that failed."
            case .uploadFailure: return "Photo and attachment uploads that were refused or failed."
            case .signIn: return "Successful sign-ins (staff and patients)."
            case .upload: return "Photos uploaded."
            }
        }
    }

    package func count(_ event: Event, by n: Int64 = 1) {
        registry.makeCounter(name: event.rawValue, help: event.help).increment(by: n)
    }

    /// Sets a gauge by name (the same one every time): what a scrape-time collector reports.
    package func set(_ name: String, _ help: String, _ value: Double, labels: [(String, String)] = []) {
        registry.makeGauge(name: name, labels: labels, help: help).set(value)
    }

    /// Security and access counters read off the audit events as they are written (one place for all of them). The
    /// only label is a staff account's username: never a patient, never an id.
    package func audited(_ drafts: [AuditDraft], actor: Principal) {
        auditEvents.increment(by: Int64(drafts.count))
        for d in drafts {
            switch d.action {
            case .accountLocked: count(.accountLockout)
            case .mfaFailed: count(.mfaFailure)
            case .accessDenied: count(.accessDenial)
            case .signIn where d.entityType == "session": count(.signIn)
            case .create where d.category == .photos && d.entityType == "Photo": count(.upload)
            case .read where d.entityType == "Patient" && actor.role != .patient && actor.userID != nil:
                registry.makeCounter(
                    name: "caresync_chart_reads_total", labels: [("user", actor.username)],
                    help: "Patient records opened, by staff account."
                ).increment()
            default: continue
            }
        }
    }

    package func observe(route: String, method: String, status: UInt, seconds: Double) {
        registry.makeCounter(
            name: "caresync_http_requests_total",
            labels: [("method", method), ("route", route), ("status", String(status))],
            help: "HTTP requests by route pattern and status."
        ).increment()
        registry.makeValueHistogram(
            name: "caresync_http_request_duration_seconds", labels: [("method", method), ("route", route)],
            buckets: Self.buckets, help: "HTTP request latency by route pattern."
        ).record(seconds)
    }
}

/// Counts every request by its route pattern (never the concrete path, which may hold ids) and times it.
package struct MetricsMiddleware: AsyncMiddleware {
    package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = ContinuousClock.now
        let res: Response
        do {
            res = try await next.respond(to: req)
        } catch {
            res = ErrorMapping.response(for: error, req: req)
        }
        let seconds = (ContinuousClock.now - start).seconds
        let route = req.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched"
        req.application.appMetrics.observe(
            route: route, method: req.method.rawValue, status: res.status.code, seconds: seconds)
        // The route pattern only: concrete paths and query strings can carry identifiers or search terms.
        req.logger.info(
            "request",
            metadata: [
                "method": .string(req.method.rawValue), "route": .string(route),
                "status": .stringConvertible(res.status.code), "ms": .stringConvertible((seconds * 1000).rounded()),
            ])
        return res
    }

    package init() {
    }
}

/// Security headers on every response; PHI pages are never cached by shared proxies.
package struct SecurityHeadersMiddleware: AsyncMiddleware {
    package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let res = try await next.respond(to: req)
        res.headers.replaceOrAdd(name: "X-Request-Id", value: req.id)
        res.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        res.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        res.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        res.headers.replaceOrAdd(
            name: "Content-Security-Policy",
            value:
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors "
                + "'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
        )
        // HSTS means something only over TLS: sent when patients reach the server at an https address.
        if req.application.config.cookieSecure, req.application.config.publicURL.lowercased().hasPrefix("https://") {
            res.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains")
        }
        if res.headers[.cacheControl].isEmpty {
            res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        return res
    }

    package init() {
    }
}

/// Gauges a capability refreshes each time /metrics is read (the job queue's lag, visits waiting, the newest backup):
/// values that live in the database or on disk rather than in a counter.
package final class MetricsCollectors: Sendable {
    private let all = NIOLockedValueBox<[@Sendable (Application) async -> Void]>([])

    package func add(_ collect: @escaping @Sendable (Application) async -> Void) {
        all.withLockedValue { $0.append(collect) }
    }

    package func run(_ app: Application) async {
        for c in all.withLockedValue({ $0 }) { await c(app) }
    }
}

extension Application {
    private struct CollectorsKey: StorageKey { typealias Value = MetricsCollectors }
    package var metricsCollectors: MetricsCollectors {
        if let c = storage[CollectorsKey.self] { return c }
        let c = MetricsCollectors()
        storage[CollectorsKey.self] = c
        return c
    }
}

/// This node's own readings of its metrics, for the ops dashboard when no Prometheus is configured: one every
/// `metricsHistorySeconds`, the last six hours kept in memory (a restart starts afresh).
package final class MetricsHistory: Sendable {
    package static let keepSeconds: TimeInterval = 6 * 3600
    private let readings = NIOLockedValueBox<[(at: Date, sample: TrafficSample)]>([])

    package init() {}

    package func record(_ sample: TrafficSample, at: Date) {
        readings.withLockedValue { r in
            r.append((at, sample))
            r.removeAll { at.timeIntervalSince($0.at) > Self.keepSeconds }
        }
    }

    package func since(_ start: Date) -> [(at: Date, sample: TrafficSample)] {
        readings.withLockedValue { $0.filter { $0.at >= start } }
    }

    /// Reads the node's metrics as a scrape would (the scrape-time gauges gathered first) and keeps the reading.
    package static func take(_ app: Application) async {
        await app.metricsCollectors.run(app)
        app.metricsHistory.record(
            TrafficSample.parse(app.appMetrics.registry.emitToString()), at: app.clock.now())
    }

    package static let worker = PeriodicWorker(name: "metrics-history", interval: { $0.metricsHistorySeconds }) {
        await take($0)
    }
}

extension Application {
    private struct HistoryKey: StorageKey { typealias Value = MetricsHistory }
    package var metricsHistory: MetricsHistory {
        if let h = storage[HistoryKey.self] { return h }
        let h = MetricsHistory()
        storage[HistoryKey.self] = h
        return h
    }
}
