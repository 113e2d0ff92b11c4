import Foundation
import Domain
import AppCore

/// The certificate nginx serves (`CARESYNC_TLS_CERT_FILE`, certbot's fullchain.pem): when it expires, read with
/// `openssl x509`. Renewal is certbot's (deploy/nginx/caresync.conf); CareSync only watches it, on `/metrics`
/// (`caresync_tls_certificate_expiry_seconds`) and `/health/ready`.
package enum TLSCertificate {
    package static func expiry(_ path: String) async -> Date? {
        guard let openssl = ExternalProgram.locate("openssl"),
            let out = try? await ExternalProgram.run([openssl, "x509", "-noout", "-enddate", "-in", path]),
            out.status == 0
        else { return nil }
        return SecurityBaseline.notAfter(out.text)
    }

    /// A certificate within two weeks of its end is `expiring` (certbot renews at 30 days, so renewal is failing);
    /// an expired or unreadable one fails readiness: browsers would refuse it.
    package static func status(expires: Date?, now: Date) -> String {
        guard let expires, expires > now else { return "fail" }
        return expires.timeIntervalSince(now) < 14 * 86400 ? "expiring" : "ok"
    }
}
