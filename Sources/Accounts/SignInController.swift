import Vapor
import Fluent
import Domain
import AppCore
import Patients

/// Sign-in pages (staff and portal), the second-factor step, enrolment and sign-out.
package enum SignInController {
    package struct Credentials: Content {
        package var username: String?
        package var password: String?
    }

    @Sendable package static func staffForm(req: Request) async throws -> Response {
        Layout.render(SignInPage(kind: .staff, expired: req.query[String.self, at: "expired"] != nil).render(for: req))
    }

    @Sendable package static func portalForm(req: Request) async throws -> Response {
        Layout.render(SignInPage(kind: .portal, expired: req.query[String.self, at: "expired"] != nil).render(for: req))
    }

    @Sendable package static func staffSubmit(req: Request) async throws -> Response {
        try await submit(req, kind: .staff)
    }
    @Sendable package static func portalSubmit(req: Request) async throws -> Response {
        try await submit(req, kind: .portal)
    }

    private static func submit(_ req: Request, kind: SignInPage.Kind) async throws -> Response {
        let c = try req.content.decode(Credentials.self)
        let username = c.username ?? ""
        let user: UserRecord
        do {
            user = try await req.signIn.checkPassword(
                username: username, password: c.password ?? "", area: kind == .portal ? .portal : .staff)
        } catch let e as AppError {
            let page = SignInPage(kind: kind, username: username, message: Problem.from(e, instance: nil).detail)
            return Layout.render(page.render(for: req), status: e.status)
        }
        let needsMFA = user.role.requiresMFA || user.mfaEnrolled
        let token = try await req.signIn.startSession(user, kind: "web", mfaPassed: !needsMFA)
        let next =
            needsMFA
            ? (user.mfaEnrolled ? Site.loginSecondFactor.path() : Site.mfaEnrol.path())
            : (user.role == .patient ? Site.portal.path() : "/")
        CSRFMiddleware.rotate(req)
        let res = req.redirect(to: next)
        res.cookies[Cookies.session] = Cookies.make(token, req: req)
        // The patient's own setting wins over this browser's; with none set, the browser's choice stays.
        if user.role == .patient, let pid = user.patientID,
            let language = try await PatientStore.language(of: pid, on: req.db)
        {
            res.rememberLanguage(language, req: req)
        }
        return res
    }

    @Sendable package static func secondFactorForm(req: Request) async throws -> Response {
        guard let s = req.signedIn else { return req.redirect(to: Site.login.path()) }
        if s.mfaPassed { return req.redirect(to: s.role == .patient ? Site.portal.path() : "/") }
        if !s.mfaEnrolled { return req.redirect(to: Site.mfaEnrol.path()) }
        return Layout.render(SecondFactorPage().render(for: req))
    }

    @Sendable package static func secondFactorSubmit(req: Request) async throws -> Response {
        guard let s = req.signedIn, !s.mfaPassed, let user = try await UserRecord.find(s.userID, on: req.db) else {
            return req.redirect(to: Site.login.path())
        }
        let code = (try? req.content.get(String.self, at: "code")) ?? ""
        do {
            try await req.signIn.checkSecondFactor(user, code: code)
        } catch let e as AppError {
            return Layout.render(
                SecondFactorPage(message: Problem.from(e, instance: nil).detail).render(for: req), status: e.status)
        }
        try await req.signIn.completeSession(s)
        CSRFMiddleware.rotate(req)
        return req.redirect(to: s.role == .patient ? Site.portal.path() : "/")
    }

    @Sendable package static func enrolForm(req: Request) async throws -> Response {
        guard let s = req.signedIn, let user = try await UserRecord.find(s.userID, on: req.db) else {
            return req.redirect(to: Site.login.path())
        }
        if user.mfaEnrolled { return req.redirect(to: s.mfaPassed ? "/" : Site.loginSecondFactor.path()) }
        let totp = try await req.signIn.pendingEnrolment(user)
        let uri = totp.provisioningURI(issuer: req.config.practiceName, account: user.username)
        return Layout.render(
            EnrolPage(secret: Base32.encode(totp.secret), uri: uri, qrCode: await EnrolmentQRCode.svg(uri))
                .render(for: req))
    }

    @Sendable package static func enrolSubmit(req: Request) async throws -> Response {
        guard let s = req.signedIn, let user = try await UserRecord.find(s.userID, on: req.db) else {
            return req.redirect(to: Site.login.path())
        }
        if user.mfaEnrolled { return req.redirect(to: s.mfaPassed ? "/" : Site.loginSecondFactor.path()) }
        let code = (try? req.content.get(String.self, at: "code")) ?? ""
        let codes: [String]
        do {
            codes = try await req.signIn.confirmEnrolment(user, code: code)
        } catch AppError.validation(let errs) {
            let totp = try await req.signIn.pendingEnrolment(user)
            let uri = totp.provisioningURI(issuer: req.config.practiceName, account: user.username)
            let page = EnrolPage(
                secret: Base32.encode(totp.secret), uri: uri, qrCode: await EnrolmentQRCode.svg(uri), errors: errs)
            return Layout.render(page.render(for: req), status: .unprocessableEntity)
        }
        if !s.mfaPassed { try await req.signIn.completeSession(s) }
        CSRFMiddleware.rotate(req)
        return Layout.render(
            RecoveryCodesPage(codes: codes, next: s.role == .patient ? Site.portal.path() : "/").render(for: req))
    }

    @Sendable package static func logout(req: Request) async throws -> Response {
        let wasPatient = req.signedIn?.role == .patient
        if let s = req.signedIn { try await req.signIn.endSession(s) }
        let res = req.redirect(to: wasPatient ? Site.portalLogin.path() : Site.login.path())
        res.cookies[Cookies.session] = Cookies.expired(req: req)
        return res
    }
}

/// `POST /api/v1/auth/token`: bearer tokens for the JSON API. Clinical roles must send `otp`.
package enum TokenController {
    package struct TokenRequest: Content {
        package var username: String?
        package var password: String?
        package var otp: String?
    }

    package struct TokenResponse: Content {
        package let access_token: String
        package let token_type: String
        package let expires_in: Int
        package let role: String
        package let user_id: UUID
        package let patient_id: UUID?
    }

    @Sendable package static func issue(req: Request) async throws -> Response {
        let input = try req.decodeJSON(TokenRequest.self)
        var errs: [FieldError] = []
        if Text.clean(input.username) == nil { errs.append(FieldError("username", "Username is required.")) }
        if (input.password ?? "").isEmpty { errs.append(FieldError("password", "Password is required.")) }
        if !errs.isEmpty { throw AppError.validation(errs) }
        let user = try await req.signIn.checkPassword(username: input.username!, password: input.password!, area: .api)
        if user.role.requiresMFA || user.mfaEnrolled {
            guard user.mfaEnrolled else {
                throw AppError.forbidden("This role needs two-step sign-in: set it up by signing in on the web first.")
            }
            guard let otp = Text.clean(input.otp) else {
                throw AppError.unauthorized(
                    "A second factor is required: send the current authenticator code as `otp`.")
            }
            try await req.signIn.checkSecondFactor(user, code: otp)
        }
        let token = try await req.signIn.startSession(user, kind: "api", mfaPassed: true)
        let body = TokenResponse(
            access_token: token, token_type: "Bearer", expires_in: Int(req.config.sessionIdleTimeout),
            role: user.role.rawValue, user_id: try user.requireID(), patient_id: user.patientID)
        return try await body.encodeResponse(status: .ok, for: req)
    }

    @Sendable package static func revoke(req: Request) async throws -> HTTPStatus {
        guard let s = req.signedIn else { throw AppError.unauthorized("Send a bearer token.") }
        try await req.signIn.endSession(s)
        return .noContent
    }

    package struct Me: Content {
        package let userId: UUID
        package let username: String
        package let displayName: String
        package let role: String
        package let patientId: UUID?
        package let mfaEnrolled: Bool
    }

    @Sendable package static func me(req: Request) async throws -> Me {
        guard let s = req.signedIn else { throw AppError.unauthorized("Send a bearer token.") }
        return Me(
            userId: s.userID, username: s.username, displayName: s.displayName, role: s.role.rawValue,
            patientId: s.patientID, mfaEnrolled: s.mfaEnrolled)
    }
}
