import XCTest
@testable import Domain

final class SecurityBaselineTests: XCTestCase {
    func test_hsts_isRequiredOverTLS_forHalfAYear_andRefusedOverPlainHTTP() {
        XCTAssertEqual(SecurityBaseline.hsts("max-age=31536000; includeSubDomains", overTLS: true).status, .pass)
        XCTAssertEqual(SecurityBaseline.hsts("max-age=3600", overTLS: true).status, .fail)
        XCTAssertEqual(SecurityBaseline.hsts(nil, overTLS: true).status, .fail)
        XCTAssertEqual(SecurityBaseline.hsts(nil, overTLS: false).status, .pass)
        XCTAssertEqual(SecurityBaseline.hsts("max-age=31536000", overTLS: false).status, .fail)
    }

    func test_csp_needsBaseObjectsAndFramingClosed_andNoInlineScript() {
        let ours =
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
            + "form-action 'self'; base-uri 'none'; object-src 'none'"
        XCTAssertEqual(SecurityBaseline.csp(ours).status, .pass)
        let noBase = SecurityBaseline.csp("default-src 'self'; frame-ancestors 'none'; object-src 'none'")
        XCTAssertEqual(noBase.status, .fail)
        XCTAssertTrue(noBase.detail.contains("base-uri"))
        let inline = SecurityBaseline.csp(
            "default-src 'self'; script-src 'self' 'unsafe-inline'; base-uri 'none'; object-src 'none'; "
                + "frame-ancestors 'none'")
        XCTAssertEqual(inline.status, .fail)
        XCTAssertEqual(SecurityBaseline.csp(nil).status, .fail)
        XCTAssertEqual(
            SecurityBaseline.csp("default-src 'none'; base-uri 'none'; frame-ancestors 'none'").status, .pass,
            "default-src 'none' closes objects too")
    }

    func test_cookies_mustBeHttpOnlyAndSameSite_andSecureOverTLS() {
        let good = "cs_session=abc; Path=/; Secure; HttpOnly; SameSite=Lax"
        XCTAssertEqual(SecurityBaseline.cookies([good], overTLS: true).status, .pass)
        let loose = SecurityBaseline.cookies(["cs_csrf=x; Path=/; SameSite=Strict"], overTLS: true)
        XCTAssertEqual(loose.status, .fail)
        XCTAssertTrue(loose.detail.contains("HttpOnly") && loose.detail.contains("Secure"), loose.detail)
        XCTAssertEqual(SecurityBaseline.cookies(["a=1; HttpOnly; SameSite=Lax"], overTLS: false).status, .pass)
        XCTAssertEqual(SecurityBaseline.cookies([], overTLS: true).status, .skip)
    }

    func test_certificate_andVersions_andListeners() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        XCTAssertEqual(
            SecurityBaseline.certificate(expires: now.addingTimeInterval(60 * 86400), now: now).status, .pass)
        XCTAssertEqual(SecurityBaseline.certificate(expires: now.addingTimeInterval(5 * 86400), now: now).status, .fail)
        XCTAssertEqual(SecurityBaseline.certificate(expires: nil, now: now).status, .fail)
        XCTAssertEqual(SecurityBaseline.tlsVersions(accepted: ["TLSv1.2", "TLSv1.3"]).status, .pass)
        XCTAssertEqual(SecurityBaseline.tlsVersions(accepted: ["TLSv1.1", "TLSv1.2"]).status, .fail)
        XCTAssertEqual(SecurityBaseline.listeners(["127.0.0.1:8080", "0.0.0.0:443", "[::]:80"]).status, .pass)
        let db = SecurityBaseline.listeners(["127.0.0.1:8080", "0.0.0.0:5432"])
        XCTAssertEqual(db.status, .fail)
        XCTAssertTrue(db.detail.contains("0.0.0.0:5432"))
    }
}
