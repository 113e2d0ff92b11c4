import Vapor
import Fluent
import Domain

/// The signed-in account behind a request, resolved once by `SessionAuthenticator`.
package struct SignedIn: Sendable {
    package let sessionID: UUID
    package let userID: UUID
    package let username: String
    package let displayName: String
    package let role: Role
    package let patientID: UUID?
    /// False while the second factor is still owed: only the MFA pages are open then.
    package let mfaPassed: Bool
    package let mfaEnrolled: Bool
    package let kind: String

    package var principal: Principal { Principal(userID: userID, username: username, role: role, patientID: patientID) }

    package init(
        sessionID: UUID, userID: UUID, username: String, displayName: String, role: Role, patientID: UUID?,
        mfaPassed: Bool, mfaEnrolled: Bool, kind: String
    ) {
        self.sessionID = sessionID
        self.userID = userID
        self.username = username
        self.displayName = displayName
        self.role = role
        self.patientID = patientID
        self.mfaPassed = mfaPassed
        self.mfaEnrolled = mfaEnrolled
        self.kind = kind
    }
}

package enum Cookies {
    package static let session = "cs_session"
    package static let csrf = "cs_csrf"

    package static func make(
        _ value: String, req: Request, maxAge: Int? = nil, sameSite: HTTPCookies.SameSitePolicy = .lax
    ) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: value, expires: nil, maxAge: maxAge, domain: nil, path: "/",
            isSecure: req.config.cookieSecure, isHTTPOnly: true, sameSite: sameSite)
    }

    package static func expired(req: Request) -> HTTPCookies.Value { make("", req: req, maxAge: 0) }
}

extension Request {
    private struct SignedInKey: StorageKey { typealias Value = SignedIn }
    private struct ExpiredKey: StorageKey { typealias Value = Bool }

    package var signedIn: SignedIn? {
        get { storage[SignedInKey.self] }
        set { storage[SignedInKey.self] = newValue }
    }

    /// Set when a session was presented but had timed out.
    package var sessionExpired: Bool {
        get { storage[ExpiredKey.self] ?? false }
        set { storage[ExpiredKey.self] = newValue }
    }

    /// The fully signed-in principal, or 401.
    package func principal() throws -> Principal {
        guard let s = signedIn, s.mfaPassed else { throw AppError.unauthorized("Sign in first.") }
        return s.principal
    }

    /// A video visit's endpoint called with a bearer token (native and bench clients): the session comes from the
    /// token, as on the API, and the CSRF check does not apply.
    package var isVisitWithBearer: Bool {
        url.path.hasPrefix("/visits/") && headers.bearerAuthorization != nil
    }

    /// The patient record a portal page belongs to: the signed-in patient's own.
    package func portalPatientID() throws -> UUID {
        guard let pid = try principal().patientID else { throw AppError.forbidden("The portal is for patients.") }
        return pid
    }
}

/// Guards an area: staff pages, portal pages, or the API. Pages redirect to sign-in; the API answers 401.
package struct RequireSignIn: AsyncMiddleware {
    package enum Area: Sendable { case staff, portal, api }
    package let area: Area

    package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let s = req.signedIn else {
            if area == .api {
                throw AppError.unauthorized(
                    req.sessionExpired
                        ? "The token expired after inactivity; request a new one."
                        : "Send a bearer token from POST /api/v1/auth/token.")
            }
            let login = area == .portal ? Site.portalLogin.path() : Site.login.path()
            return req.redirect(to: req.sessionExpired ? "\(login)?expired=1" : login)
        }
        if !s.mfaPassed {
            if area == .api { throw AppError.unauthorized("Finish the second sign-in step first.") }
            return req.redirect(to: s.mfaEnrolled ? Site.loginSecondFactor.path() : Site.mfaEnrol.path())
        }
        if area != .api {
            let action: Domain.Action = area == .portal ? .usePortal : .useStaffArea
            if case .deny = AccessPolicy.decide(s.principal, action) {
                return req.redirect(to: s.role == .patient ? Site.portal.path() : "/")
            }
        }
        return try await next.respond(to: req)
    }

    package init(area: Area) {
        self.area = area
    }
}

/// Double-submit CSRF protection for HTML forms: a random HttpOnly SameSite=Strict cookie whose value
/// every form repeats in `_csrf`. The API takes bearer tokens only, which a browser never sends on its own.
package struct CSRFMiddleware: AsyncMiddleware {
    private struct TokenKey: StorageKey { typealias Value = String }

    package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // Machine endpoints: bearer tokens (the API, the clearinghouse's /script/inbound) or no state at all.
        // (A browser never sends a bearer token by itself, so a bearer request to a visit endpoint is not a forgery.)
        if req.url.path.hasPrefix("/api/") || req.url.path.hasPrefix("/health") || req.url.path == Site.metrics.path()
            || req.url.path == Site.scriptInbound.path() || req.isVisitWithBearer || req.url.path.hasPrefix("/_slot/")
            // The public status page and its feed: the same for everyone (cacheable), no forms.
            || (req.method == .GET && [Site.status.path(), Site.statusFeed.path()].contains(req.url.path))
        {
            return try await next.respond(to: req)
        }
        let existing = req.cookies[Cookies.csrf]?.string
        let token = existing.flatMap { $0.isEmpty ? nil : $0 } ?? Token.generate()
        req.storage[TokenKey.self] = token
        if [.POST, .PUT, .PATCH, .DELETE].contains(req.method) {
            // A multipart form (a photo) may still be streaming in: gather it (within the upload limit) to read its
            // token.
            if req.headers.contentType?.type == "multipart", req.body.data == nil {
                _ = try await req.body.collect(max: 26 * 1024 * 1024).get()
            }
            // Forms repeat the token in `_csrf`; scripts (the upload client) send it in X-CSRF-Token.
            let sent = req.headers.first(name: "X-CSRF-Token") ?? (try? req.content.get(String.self, at: "_csrf"))
            guard let existing, let sent, constantTimeEquals(existing, sent) else {
                throw AppError.forbidden(
                    "This form expired or did not come from CareSync. Reload the page and try again.")
            }
        }
        let res = try await next.respond(to: req)
        if let rotated = req.storage[TokenKey.self], rotated != existing {
            res.cookies[Cookies.csrf] = Cookies.make(rotated, req: req, sameSite: .strict)
        }
        return res
    }

    /// Issues a fresh token (after sign-in), which the response then sets.
    package static func rotate(_ req: Request) { req.storage[TokenKey.self] = Token.generate() }

    package static func token(_ req: Request) -> String { req.storage[TokenKey.self] ?? "" }

    package init() {
    }
}

extension Request {
    package var csrfToken: String { CSRFMiddleware.token(self) }
}
