import Foundation
import XCTVapor
import Fluent
@testable import App
import Domain

/// An account made for a test, with what a test needs to sign in as it.
public struct TestUser: Sendable {
    public let id: UUID
    public let username: String
    public let password: String
    public let role: Role
    public let totpSecret: [UInt8]?
    public let patientID: UUID?

    public func code(at date: Date) -> String? { totpSecret.map { Domain.TOTP(secret: $0).code(at: date) } }
}

public enum Fixtures {
    public static let password = "correct horse battery"

    /// Creates an account through the audited admin path; clinical roles get MFA enrolled (as after enrolment).
    public static func user(_ app: Application, _ role: Role, username: String? = nil, patientID: UUID? = nil,
                            enrolMFA: Bool? = nil) async throws -> TestUser {
        let name = username ?? "\(role.rawValue)-\(UUID().uuidString.prefix(6).lowercased())"
        let u = try await UserAdmin(scope: app.systemScope("test")).create(
            .init(username: name, displayName: "Test \(role.label)", role: role.rawValue, password: password, patientId: patientID))
        var secret: [UInt8]?
        if enrolMFA ?? role.requiresMFA {
            let s = Domain.TOTP.generateSecret()
            u.mfaSecret = Base32.encode(s)
            u.mfaEnabledAt = app.clock.now()
            try await u.save(on: app.db)
            secret = s
        }
        return TestUser(id: u.id!, username: name, password: password, role: role, totpSecret: secret, patientID: patientID)
    }

    /// A patient registered through the audited store.
    public static func patient(_ app: Application, family: String = "Testpatient", given: String = "Alex",
                               birthDate: String = "1970-05-06", email: String? = nil) async throws -> UUID {
        let (p, _) = try await PatientStore(scope: app.systemScope("test")).create(
            PatientInput(familyName: family, givenName: given, birthDate: birthDate, sex: "female", email: email),
            acknowledgeDuplicate: true, synthetic: true)
        return p.id!
    }

    /// A patient with a portal account.
    public static func patientUser(_ app: Application, family: String = "Portalpatient") async throws -> TestUser {
        let pid = try await patient(app, family: family, given: "Pat")
        return try await user(app, .patient, patientID: pid)
    }

    /// Signs in through `POST /api/v1/auth/token` and returns headers carrying the bearer token.
    public static func bearer(_ app: Application, _ user: TestUser, clock: TestClock) async throws -> HTTPHeaders {
        var body: [String: String] = ["username": user.username, "password": user.password]
        if let c = user.code(at: clock.now()) { body["otp"] = c }
        let res = try await HTTP.send(app, .POST, "/api/v1/auth/token", json: body)
        guard res.status == .ok else { throw Abort(.internalServerError, reason: "sign-in failed for \(user.username): \(res.status) \(res.body.string)") }
        let token = try res.content.get(String.self, at: "access_token")
        // Each TOTP step is accepted once: move past it so the next sign-in in the same test gets a fresh code.
        clock.advance(by: 31)
        var h = HTTPHeaders()
        h.bearerAuthorization = BearerAuthorization(token: token)
        return h
    }

    public static func json(_ h: HTTPHeaders) -> HTTPHeaders {
        var h = h
        h.contentType = .json
        return h
    }

    /// Audit rows matching a filter, in chain order.
    public static func auditRows(_ app: Application, action: AuditAction? = nil, patientID: UUID? = nil) async throws -> [AuditEventRecord] {
        let q = AuditEventRecord.query(on: app.db)
        if let a = action { q.filter(\.$action == a.rawValue) }
        if let p = patientID { q.filter(\.$patientID == p) }
        return try await q.sort(\.$seq).all()
    }
}

/// A browser-like client for the HTML pages: keeps cookies and the CSRF token between requests.
public final class PageClient: @unchecked Sendable {
    package let app: Application
    public var cookies: [String: String] = [:]

    public init(_ app: Application) { self.app = app }

    package var cookieHeader: HTTPHeaders {
        var h = HTTPHeaders()
        if !cookies.isEmpty { h.add(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        return h
    }

    package func keep(_ res: XCTHTTPResponse) {
        for (name, c) in res.headers.setCookie?.all ?? [:] {
            if c.maxAge == 0 || c.string.isEmpty { cookies.removeValue(forKey: name) } else { cookies[name] = c.string }
        }
    }

    @discardableResult
    public func get(_ path: String) async throws -> XCTHTTPResponse {
        let out = try await app.sendRequest(.GET, path, headers: cookieHeader)
        keep(out)
        return out
    }

    /// Posts a form with the CSRF token from the cookie (as a page would), unless `csrf` is false.
    @discardableResult
    public func post(_ path: String, _ fields: [String: String], csrf: Bool = true) async throws -> XCTHTTPResponse {
        if cookies["cs_csrf"] == nil { try await get("/login") }
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
    public func signIn(_ user: TestUser, clock: TestClock, portal: Bool = false) async throws {
        let res = try await post(portal ? "/portal/login" : "/login", ["username": user.username, "password": user.password])
        if res.headers.first(name: .location) == "/login/mfa", let code = user.code(at: clock.now()) {
            try await post("/login/mfa", ["code": code])
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
public enum HTTP {
    public static func send(_ app: Application, _ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:]) async throws -> XCTHTTPResponse {
        try await app.sendRequest(method, path, headers: headers)
    }

    public static func send<T: Encodable>(_ app: Application, _ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], json: T) async throws -> XCTHTTPResponse {
        var h = headers
        h.contentType = .json
        return try await app.sendRequest(method, path, headers: h, body: ByteBuffer(data: try JSONEncoder().encode(json)))
    }

    /// A raw body, for malformed-input tests.
    public static func send(_ app: Application, _ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], raw: String,
                            contentType: HTTPMediaType = .json) async throws -> XCTHTTPResponse {
        var h = headers
        h.contentType = contentType
        return try await app.sendRequest(method, path, headers: h, body: ByteBuffer(string: raw))
    }
}

extension XCTHTTPResponse {
    /// The RFC 9457 body of an error response.
    public func problem() throws -> Problem {
        try JSONDecoder().decode(Problem.self, from: Data(buffer: body))
    }
}
