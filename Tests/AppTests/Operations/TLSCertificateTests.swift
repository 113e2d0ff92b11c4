import XCTest
import XCTVapor
import App
import AppCore
import TestSupport

/// The served certificate's expiry (CARESYNC_TLS_CERT_FILE) on /health/ready and /metrics.
final class TLSCertificateTests: XCTestCase {
    func makeCertificate(days: Int) async throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cert-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let out = try await ExternalProgram.run([
            "/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/privkey.pem",
            "-out", dir + "/fullchain.pem", "-days", String(days), "-subj", "/CN=localhost",
        ])
        XCTAssertEqual(out.status, 0, out.errorText)
        return dir + "/fullchain.pem"
    }

    func readiness(_ app: Application) async throws -> (HTTPStatus, String, String) {
        let res = try await app.sendRequest(.GET, "/health/ready")
        struct Check: Decodable {
            let status: String
            let error: String?
        }
        struct Body: Decodable { let checks: [String: Check] }
        let tls = try res.content.decode(Body.self).checks["tlsCertificate"]
        return (res.status, tls?.status ?? "", tls?.error ?? "")
    }

    func test_readinessAndMetric_followTheCertificatesExpiry() async throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "openssl is installed")
        let fresh = try await makeCertificate(days: 60)
        // The certificates are dated by the real clock, so the app reads it too.
        try await withTestApp(configure: { $0.tlsCertificateFile = fresh }) { app, clock in
            clock.set(Date())
            let (status, check, detail) = try await readiness(app)
            XCTAssertEqual(status, .ok)
            XCTAssertEqual(check, "ok", detail)
            let metrics = try await app.sendRequest(.GET, Site.metrics.path()).body.string
            XCTAssertTrue(metrics.contains("caresync_tls_certificate_expiry_seconds "), metrics)
        }
        let soon = try await makeCertificate(days: 3)
        try await withTestApp(configure: { $0.tlsCertificateFile = soon }) { app, clock in
            clock.set(Date())
            let (status, check, _) = try await readiness(app)
            XCTAssertEqual(check, "expiring", "renewal is failing: certbot renews 30 days ahead")
            XCTAssertEqual(status, .ok, "still serving: browsers accept it")
        }
        try await withTestApp(configure: { $0.tlsCertificateFile = "/nonexistent/fullchain.pem" }) { app, _ in
            let (status, check, detail) = try await readiness(app)
            XCTAssertEqual(check, "fail")
            XCTAssertEqual(status, .serviceUnavailable)
            XCTAssertTrue(detail.contains("unreadable"), detail)
        }
    }
}
