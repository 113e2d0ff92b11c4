import Vapor
import Plot
import Domain
import AppCore

package struct SignInPage {
    package enum Kind { case staff, portal }
    package let kind: Kind
    package var username: String = ""
    package var message: String?
    package var expired = false

    package func render(for req: Request) -> String {
        let action = kind == .portal ? Site.portalLogin.path() : Site.login.path()
        let title = kind == .portal ? "Patient portal sign-in" : "Staff sign-in"
        // The portal's sign-in is the patient's first page: in the language their browser (or the switch) asks for.
        let language: PatientLanguage? = kind == .portal ? req.language : nil
        let t = Locales.translator(language ?? .en)
        return Layout.page(
            title, req: req, language: language,
            .div(
                .class("card"),
                .h1(.text(t(title))),
                .if(
                    expired, .p(.class("notice warn"), .text(t("You were signed out after a period of inactivity.")))),
                .unwrap(message) {
                    .p(
                        .class("notice bad"), .attribute(named: "role", value: "alert"), .id("signin-error"),
                        .text(t($0)))
                },
                .form(
                    .action(action), .method(.post),
                    .div(
                        FormKit.csrf(req),
                        FormKit.field(
                            t("Username"), name: "username", value: username, required: true,
                            autocomplete: "username"),
                        FormKit.field(
                            t("Password"), name: "password", type: .password, required: true,
                            autocomplete: "current-password"),
                        .button(.type(.submit), .id("signin"), .text(t("Sign in")))
                    )),
                .if(
                    kind == .staff,
                    .p(.small(.a(.href(Site.portalLogin.path()), .text("Patients: sign in to the portal"))))),
                .if(kind == .portal, .p(.small(.a(.href(Site.login.path()), .text(t("Practice staff sign-in"))))))
            ))
    }
}

package struct SecondFactorPage {
    package var message: String?

    package func render(for req: Request) -> String {
        // A patient who chose two-step sign-in reads these in their language.
        let language: PatientLanguage? = req.signedIn?.role == .patient ? req.language : nil
        let t = Locales.translator(language ?? .en)
        return Layout.page(
            "Two-step sign-in", req: req, language: language,
            .div(
                .class("card"),
                .h1(.text(t("Two-step sign-in"))),
                .p(.text(t("Enter the 6-digit code from your authenticator app, or one of your recovery codes."))),
                .unwrap(message) {
                    .p(.class("notice bad"), .attribute(named: "role", value: "alert"), .text(t.message($0)))
                },
                .form(
                    .action(Site.loginSecondFactor.path()), .method(.post),
                    .div(
                        FormKit.csrf(req),
                        FormKit.field(t("Code"), name: "code", required: true, autocomplete: "one-time-code"),
                        .button(.type(.submit), .id("verify"), .text(t("Verify")))
                    ))
            ))
    }
}

package struct EnrolPage {
    package let secret: String
    package let uri: String
    /// The link as a QR code (an inline SVG), when the server could draw one.
    package var qrCode: String?
    package var errors: [FieldError] = []

    package func render(for req: Request) -> String {
        // A patient who chose two-step sign-in reads these in their language.
        let language: PatientLanguage? = req.signedIn?.role == .patient ? req.language : nil
        let t = Locales.translator(language ?? .en)
        return Layout.page(
            "Set up two-step sign-in", req: req, language: language,
            .div(
                .class("card"),
                .h1(.text(t("Set up two-step sign-in"))),
                .p(
                    .text(
                        t(
                            "Your role needs a second factor. Add this account to an authenticator app (scan or "
                                + "open the link on your phone, or type the key), then enter the code it shows."))),
                .unwrap(qrCode) { svg in
                    .div(
                        .id("enrol-qr"), .class("qr"), .attribute(named: "role", value: "img"),
                        .attribute(named: "aria-label", value: t("QR code to scan with your authenticator app")),
                        .raw(svg))
                },
                .p(.a(.href(uri), .id("otpauth-uri"), .text(t("Open in authenticator app")))),
                .p(.text(t("Key:") + " "), .code(.id("totp-secret"), .text(secret))),
                FormKit.errorSummary(errors, t: t),
                .form(
                    .action(Site.mfaEnrol.path()), .method(.post),
                    .div(
                        FormKit.csrf(req),
                        FormKit.field(
                            t("Code from your app"), name: "code", errors: t.errors(errors), required: true,
                            autocomplete: "one-time-code"),
                        .button(.type(.submit), .id("confirm-mfa"), .text(t("Confirm")))
                    ))
            ))
    }
}

package struct RecoveryCodesPage {
    package let codes: [String]
    package let next: String

    package func render(for req: Request) -> String {
        // A patient who chose two-step sign-in reads these in their language.
        let language: PatientLanguage? = req.signedIn?.role == .patient ? req.language : nil
        let t = Locales.translator(language ?? .en)
        return Layout.page(
            "Recovery codes", req: req, language: language,
            .div(
                .class("card"),
                .h1(.text(t("Two-step sign-in is on"))),
                .p(
                    .text(
                        t(
                            "Keep these recovery codes somewhere safe. Each works once if you lose your phone. They "
                                + "are shown only now."))),
                .ul(.id("recovery-codes"), .forEach(codes) { .li(.code(.text($0))) }),
                .a(.class("button"), .href(next), .id("continue"), .text(t("Continue")))
            ))
    }
}
