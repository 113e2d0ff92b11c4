import Vapor
import Plot
import Domain
import Accounts
import AppCore
import Patients

/// Staff send invitations (API and chart form); patients open the link and register (anonymous pages).
package enum InvitationController {
    @Sendable package static func create(req: Request) async throws -> Response {
        let sent = try await req.invitations().invite(
            patientID: try req.idParameter("patient"), try req.decodeJSON(InvitationStore.Invite.self))
        return try await sent.encodeResponse(status: .created, for: req)
    }

    @Sendable package static func batches(req: Request) async throws -> [InvitationStore.BatchRate] {
        try await req.invitations().batches()
    }

    /// The chart's "Invite to the portal" form.
    @Sendable package static func createFromChart(req: Request) async throws -> Response {
        let id = try req.idParameter("patient")
        let input = try req.content.decode(InvitationStore.Invite.self)
        do {
            let sent = try await req.invitations().invite(patientID: id, input)
            return req.redirect(to: Site.patient.path(id) + "?invited=\(sent.channel)")
        } catch let e as AppError {
            return try await chartAgain(req, id, e.fieldErrors(otherwise: "channel"), status: e.status)
        }
    }

    /// The chart with the invitation form's problem shown.
    package static func chartAgain(_ req: Request, _ id: UUID, _ errors: [FieldError], status: HTTPResponseStatus)
        async throws -> Response
    {
        try await req.application.chartPage(req, id, ChartFormErrors(invite: errors), status)
    }

    package static func token(_ req: Request) -> String { req.parameters.get("token") ?? "" }

    @Sendable package static func registerForm(req: Request) async throws -> Response {
        switch try await InvitationStore.state(token: token(req), on: req.db, now: req.now) {
        case .usable(let pid):
            var page = RegisterPage(token: token(req))
            page.language = try await language(req, patientID: pid)
            return Layout.render(page.render(for: req))
        case let state: return Layout.render(InvitationGonePage(state: state).render(for: req), status: .gone)
        }
    }

    /// The invited patient's language: the one picked on this page, else their own setting, else the browser's.
    static func language(_ req: Request, patientID: UUID?) async throws -> PatientLanguage {
        if let chosen = req.chosenLanguage { return chosen }
        if let pid = patientID, let stored = try await PatientStore.language(of: pid, on: req.db) { return stored }
        return req.language
    }

    static func registerPage(_ req: Request, username: String, errors: [FieldError]) async throws -> RegisterPage {
        var page = RegisterPage(token: token(req), username: username, errors: errors)
        if case .usable(let pid) = try await InvitationStore.state(token: token(req), on: req.db, now: req.now) {
            page.language = try await language(req, patientID: pid)
        } else {
            page.language = req.language
        }
        return page
    }

    @Sendable package static func register(req: Request) async throws -> Response {
        let form = try req.content.decode(InvitationStore.Registration.self)
        let user: UserRecord
        do {
            user = try await InvitationStore.redeem(token: token(req), form, app: req.application)
        } catch AppError.validation(let errors) {
            return Layout.render(
                try await registerPage(req, username: form.username ?? "", errors: errors).render(for: req),
                status: .unprocessableEntity)
        } catch AppError.conflict(let type, _, _) where type.hasPrefix("invitation-") {
            return Layout.render(
                InvitationGonePage(state: type == "invitation-used" ? .used : .expired).render(for: req), status: .gone)
        } catch AppError.conflict(let type, let detail, _) where type == "username-taken" {
            return Layout.render(
                try await registerPage(
                    req, username: form.username ?? "", errors: [FieldError("username", detail + " Choose another.")]
                ).render(for: req), status: .conflict)
        } catch AppError.notFound {
            return Layout.render(InvitationGonePage(state: .unknown).render(for: req), status: .gone)
        }
        let wantsMFA = form.setUpMFA != nil
        let session = try await req.signIn.startSession(user, kind: "web", mfaPassed: !wantsMFA)
        CSRFMiddleware.rotate(req)
        let res = req.redirect(to: wantsMFA ? Site.mfaEnrol.path() : Site.portal.path() + "?welcome=1")
        res.cookies[Cookies.session] = Cookies.make(session, req: req)
        return res
    }
}

package struct RegisterPage {
    package static let mfaOffer = "Also protect my account with a code from an authenticator app (recommended)."
    package let token: String
    package var username = ""
    package var errors: [FieldError] = []
    package var language: PatientLanguage = .en

    package func render(for req: Request) -> String {
        let t = Locales.translator(language)
        let errors = t.errors(self.errors)
        return Layout.page(
            "Set up your portal account", req: req, language: language,
            .div(
                .class("card"),
                .h1(.text(t("Set up your patient portal account"))),
                .p(
                    .text(
                        t(
                            "Choose a username and a password. You will use them to sign in to see your "
                                + "appointments, forms and messages."))),
                FormKit.errorSummary(errors, t: t),
                .form(
                    .action(Site.portalInvite.path(Escape.attribute(token))), .method(.post),
                    .div(
                        FormKit.csrf(req),
                        FormKit.field(
                            t("Username"), name: "username", value: username, errors: errors, required: true,
                            autocomplete: "username",
                            hint: t("3 to 64 letters, digits, '.', '_', '-' or '@'")),
                        FormKit.field(
                            t("Password"), name: "password", type: .password, errors: errors, required: true,
                            autocomplete: "new-password",
                            hint: t("At least 12 characters")),
                        FormKit.field(
                            t("Password again"), name: "passwordConfirm", type: .password, errors: errors,
                            required: true,
                            autocomplete: "new-password"),
                        .div(
                            .class(errors.contains { $0.field == "acceptTerms" } ? "field error" : "field"),
                            .label(
                                .input(.type(.checkbox), .name("acceptTerms"), .id("acceptTerms"), .value("yes")),
                                .text(
                                    " "
                                        + t(
                                            "I accept the terms of use and the privacy notice (version {version}): "
                                                + "the practice keeps my record, logs every access to it, and "
                                                + "contacts me about my care.",
                                            ["version": InvitationStore.termsVersion])))),
                        .div(
                            .class("field"),
                            .label(
                                .input(.type(.checkbox), .name("setUpMFA"), .id("setUpMFA"), .value("yes")),
                                .text(" " + t(Self.mfaOffer)))),
                        .button(.type(.submit), .id("register"), .text(t("Create my account")))
                    ))
            ))
    }
}

package struct InvitationGonePage {
    package let state: InvitationStore.LinkState

    package func render(for req: Request) -> String {
        let t = req.tr
        let text: String
        switch state {
        case .used: text = "This invitation was already used. If you set up your account, sign in to the portal."
        case .expired: text = "This invitation has expired. Ask the practice to send you a new one."
        default:
            text =
                "This invitation link is not valid. Check that you opened the whole link, or ask the practice for a "
                + "new one."
        }
        return Layout.page(
            "Invitation", req: req, language: t.language,
            .div(
                .class("card"),
                .h1(.text(t("Invitation link"))),
                .p(.class("notice warn"), .id("invitation-problem"), .text(t(text))),
                .p(.a(.href(Site.portalLogin.path()), .text(t("Go to the portal sign-in"))))
            ))
    }
}
