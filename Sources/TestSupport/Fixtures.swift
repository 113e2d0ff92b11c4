import Foundation
import XCTVapor
import Fluent
import App
import Domain
import Accounts
import AppCore
import Patients

/// An account made for a test, with what a test needs to sign in as it.
package struct TestUser: Sendable {
    package let id: UUID
    package let username: String
    package let password: String
    package let role: Role
    package let totpSecret: [UInt8]?
    package let patientID: UUID?

    package func code(at date: Date) -> String? { totpSecret.map { Domain.TOTP(secret: $0).code(at: date) } }
}

package enum Fixtures {
    package static let password = "correct horse battery"

    /// Creates an account through the audited admin path; clinical roles get MFA enrolled (as after enrolment).
    package static func user(
        _ app: Application, _ role: Role, username: String? = nil, patientID: UUID? = nil,
        enrolMFA: Bool? = nil
    ) async throws -> TestUser {
        let name = username ?? "\(role.rawValue)-\(UUID().uuidString.prefix(6).lowercased())"
        let u = try await UserAdmin(scope: app.systemScope("test")).create(
            .init(
                username: name, displayName: "Test \(role.label)", role: role.rawValue, password: password,
                patientId: patientID))
        var secret: [UInt8]?
        if enrolMFA ?? role.requiresMFA {
            let s = Domain.TOTP.generateSecret()
            guard let record = try await UserRecord.find(u.id, on: app.db) else {
                throw AppError.notFound("The test user just created is gone.")
            }
            record.mfaSecret = Base32.encode(s)
            record.mfaEnabledAt = app.clock.now()
            try await record.save(on: app.db)
            secret = s
        }
        return TestUser(
            id: u.id, username: name, password: password, role: role, totpSecret: secret,
            patientID: patientID)
    }

    /// A patient registered through the audited store.
    package static func patient(
        _ app: Application, family: String = "Testpatient", given: String = "Alex",
        birthDate: String = "1970-05-06", email: String? = nil
    ) async throws -> UUID {
        let (p, _) = try await PatientStore(scope: app.systemScope("test")).create(
            PatientInput(familyName: family, givenName: given, birthDate: birthDate, sex: "female", email: email),
            acknowledgeDuplicate: true, synthetic: true)
        return p.id
    }

    /// A patient with a portal account.
    package static func patientUser(_ app: Application, family: String = "Portalpatient") async throws -> TestUser {
        let pid = try await patient(app, family: family, given: "Pat")
        return try await user(app, .patient, patientID: pid)
    }

    /// Signs in through `POST /api/v1/auth/token` and returns headers carrying the bearer token.
    package static func bearer(_ app: Application, _ user: TestUser, clock: TestClock) async throws -> HTTPHeaders {
        var body: [String: String] = ["username": user.username, "password": user.password]
        if let c = user.code(at: clock.now()) { body["otp"] = c }
        let res = try await HTTP.send(app, .POST, Site.apiAuthToken.path(), json: body)
        guard res.status == .ok else {
            throw Abort(
                .internalServerError, reason: "sign-in failed for \(user.username): \(res.status) \(res.body.string)")
        }
        let token = try res.content.get(String.self, at: "access_token")
        // Each TOTP step is accepted once: move past it so the next sign-in in the same test gets a fresh code.
        clock.advance(by: 31)
        var h = HTTPHeaders()
        h.bearerAuthorization = BearerAuthorization(token: token)
        return h
    }

    package static func json(_ h: HTTPHeaders) -> HTTPHeaders {
        var h = h
        h.contentType = .json
        return h
    }

    /// Audit rows matching a filter, in chain order.
    package static func auditRows(_ app: Application, action: AuditAction? = nil, patientID: UUID? = nil) async throws
        -> [AuditEventRecord]
    {
        let q = AuditEventRecord.query(on: app.db)
        if let a = action { q.filter(\.$action == a.rawValue) }
        if let p = patientID { q.filter(\.$patientID == p) }
        return try await q.sort(\.$seq).all()
    }
}

/// A browser-like client for the HTML pages: keeps cookies and the CSRF token between requests.
package final class PageClient: @unchecked Sendable {
    package let app: Application
    package var cookies: [String: String] = [:]

    package init(_ app: Application) { self.app = app }

    package var cookieHeader: HTTPHeaders {
        var h = HTTPHeaders()
        if !cookies.isEmpty {
            h.add(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        return h
    }

    package func keep(_ res: XCTHTTPResponse) {
        for (name, c) in res.headers.setCookie?.all ?? [:] {
            if c.maxAge == 0 || c.string.isEmpty { cookies.removeValue(forKey: name) } else { cookies[name] = c.string }
        }
    }

    @discardableResult
    package func get(_ path: String) async throws -> XCTHTTPResponse {
        var headers = cookieHeader
        headers.add(name: .accept, value: "text/html,application/xhtml+xml,*/*;q=0.8")  // as a browser asks
        let out = try await app.sendRequest(.GET, path, headers: headers)
        keep(out)
        return out
    }

    /// Posts a form with the CSRF token from the cookie (as a page would), unless `csrf` is false.
    @discardableResult
    package func post(_ path: String, _ fields: [String: String], csrf: Bool = true) async throws -> XCTHTTPResponse {
        if cookies["cs_csrf"] == nil { try await get(Site.login.path()) }
        var f = fields
        if csrf { f["_csrf"] = cookies["cs_csrf"] ?? "" }
        var headers = cookieHeader
        headers.contentType = .urlEncodedForm
        let body = f.map { "\($0.key.formEncoded)=\($0.value.formEncoded)" }.joined(separator: "&")
        let out = try await app.sendRequest(.POST, path, headers: headers, body: ByteBuffer(string: body))
        keep(out)
        return out
    }

    /// Signs in on the web, completing the second factor when the account has one.
    package func signIn(_ user: TestUser, clock: TestClock, portal: Bool = false) async throws {
        let res = try await post(
            portal ? Site.portalLogin.path() : Site.login.path(),
            ["username": user.username, "password": user.password])
        if res.headers.first(name: .location) == Site.loginSecondFactor.path(), let code = user.code(at: clock.now()) {
            try await post(Site.loginSecondFactor.path(), ["code": code])
            clock.advance(by: 31)
        }
    }
}

extension String {
    package var formEncoded: String {
        addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? self
    }
}

/// Requests against the in-memory app, with JSON bodies encoded up front.
package enum HTTP {
    package static func send(_ app: Application, _ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:])
        async throws -> XCTHTTPResponse
    {
        try await app.sendRequest(method, path, headers: headers)
    }

    package static func send<T: Encodable>(
        _ app: Application, _ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], json: T
    ) async throws -> XCTHTTPResponse {
        var h = headers
        h.contentType = .json
        return try await app.sendRequest(
            method, path, headers: h, body: ByteBuffer(data: try JSONEncoder().encode(json)))
    }

    /// A raw body, for malformed-input tests.
    package static func send(
        _ app: Application, _ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], raw: String,
        contentType: HTTPMediaType = .json
    ) async throws -> XCTHTTPResponse {
        var h = headers
        h.contentType = contentType
        return try await app.sendRequest(method, path, headers: h, body: ByteBuffer(string: raw))
    }
}

extension XCTHTTPResponse {
    /// The RFC 9457 body of an error response.
    package func problem() throws -> Problem {
        try JSONDecoder().decode(Problem.self, from: Data(buffer: body))
    }
}
