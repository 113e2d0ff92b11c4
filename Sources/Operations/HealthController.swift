import Vapor
import Domain
import Fluent
import SQLKit
import AppCore
import Audit
import Locations

/// `/health/live`, `/health/ready` (database and blob store, each timed) and `/metrics` (Prometheus text format).
package enum HealthController {
    package struct Check: Content {
        package let status: String
        package let latencyMs: Double
        package let error: String?
    }

    package struct Readiness: Content {
        package let status: String
        package let checks: [String: Check]
        /// The release this node runs and the schema it expects (a deploy compares them before switching).
        package let version: VersionReport
        /// Blue or green when this node runs as a deploy slot; draining once the proxy has switched away from it.
        package let slot: String?
        package let draining: Bool?
    }

    @Sendable package static func live(req: Request) async throws -> Response {
        try await ["status": "ok"].encodeResponse(for: req)
    }

    package static func timed(_ body: () async throws -> Void) async -> Check {
        let start = ContinuousClock.now
        do {
            try await body()
            return Check(status: "ok", latencyMs: (ContinuousClock.now - start).milliseconds.rounded(), error: nil)
        } catch {
            return Check(
                status: "fail", latencyMs: (ContinuousClock.now - start).milliseconds.rounded(),
                error: String(describing: type(of: error)))
        }
    }

    @Sendable package static func ready(req: Request) async throws -> Response {
        let body = try await readiness(req)
        return try await body.encodeResponse(status: body.status == "ok" ? .ok : .serviceUnavailable, for: req)
    }

    /// Every check, timed; "ok" unless one fails.
    package static func readiness(_ req: Request) async throws -> Readiness {
        let db = await timed {
            _ = try await req.db.sql.raw("SELECT 1 AS ok").first()
            _ = try await PracticeRecord.query(on: req.db).count()
        }
        let blobs = await timed { try req.application.blobs.probe() }
        // A node whose audit table lost its append-only guard must not take traffic.
        let guardCheck = await timed {
            let problems = try await AuditCheckpoints.guardProblems(req.db)
            if !problems.isEmpty { throw AuditGuardOff() }
        }
        var checks = ["database": db, "blobStore": blobs, "auditGuard": guardCheck]
        if let role = try? await AuditCheckpoints.roleFacts(req.db) {
            checks["databaseRole"] = roleCheck(role, production: req.application.config.environment == .production)
        }
        if let path = req.application.config.tlsCertificateFile {
            let expires = await certificateExpiry(req, path)
            let status = TLSCertificate.status(expires: expires, now: req.now)
            checks["tlsCertificate"] = Check(
                status: status, latencyMs: 0,
                error: expires.map { "expires \(ISO8601DateFormatter().string(from: $0))" } ?? "unreadable: \(path)")
        }
        let ok = checks.values.allSatisfy { ["ok", "expiring", "warn"].contains($0.status) }
        let app = req.application
        return Readiness(
            status: ok ? "ok" : "fail", checks: checks, version: app.version, slot: app.config.slot,
            draining: app.config.slot == nil ? nil : app.slotControl.draining)
    }

    /// Reads the served certificate's expiry and keeps the gauge current.
    static func certificateExpiry(_ req: Request, _ path: String) async -> Date? {
        let expires = await TLSCertificate.expiry(path)
        req.application.appMetrics.tlsCertificateExpiry.set(expires.map { $0.timeIntervalSince(req.now) } ?? 0)
        return expires
    }

    package struct AuditGuardOff: Error {}

    /// Free space on the disk holding a directory (statvfs).
    package enum DiskSpace {
        package static func freeRatio(_ path: String) -> Double? {
            var s = statvfs()
            guard statvfs(path, &s) == 0, s.f_blocks > 0 else { return nil }
            return Double(s.f_bavail) / Double(s.f_blocks)
        }
    }

    /// A server role that could drop the audit triggers fails readiness in production and is a warning elsewhere
    /// (development and the test suites run as the database owner).
    static func roleCheck(_ role: DatabaseRoleFacts, production: Bool) -> Check {
        let problems = role.problems
        if problems.isEmpty { return Check(status: "ok", latencyMs: 0, error: nil) }
        return Check(
            status: production ? "fail" : "warn", latencyMs: 0,
            error: problems.joined(separator: "; ") + "; " + DatabaseRoleFacts.remedy)
    }

    @Sendable package static func metrics(req: Request) async throws -> Response {
        if let path = req.application.config.tlsCertificateFile { _ = await certificateExpiry(req, path) }
        let m = req.application.appMetrics
        let ready = (try? await readiness(req).status == "ok") == true
        m.set("caresync_ready", "1 when /health/ready would answer ok on this node.", ready ? 1 : 0)
        if let free = DiskSpace.freeRatio(req.application.config.dataDir) {
            m.set("caresync_data_dir_free_ratio", "Share of the data directory's disk that is free.", free)
        }
        if let zone = try? await LocationRecord.practiceZone(req.db) {
            var cal = Calendar(identifier: .gregorian)
            cal.timeZone = zone
            m.set(
                "caresync_practice_local_hour", "The hour of day at the practice (its first location).",
                Double(cal.component(.hour, from: req.now)))
        }
        await req.application.metricsCollectors.run(req.application)
        let res = Response(status: .ok, body: .init(string: req.application.appMetrics.registry.emitToString()))
        res.headers.contentType = HTTPMediaType(
            type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return res
    }
}
