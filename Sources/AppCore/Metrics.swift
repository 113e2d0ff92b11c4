import Vapor
import Prometheus
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
    }

    /// `caresync_build_info{version, commit, schema} 1`: which release a node runs (one series per node).
    package func buildInfo(_ v: VersionReport) {
        registry.makeGauge(
            name: "caresync_build_info",
            labels: [("version", v.version), ("commit", v.commit), ("schema", String(v.schemaVersion))],
            help: "The running release: version, git commit and schema version (always 1)."
        ).set(Double(1))
    }

    package static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

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
