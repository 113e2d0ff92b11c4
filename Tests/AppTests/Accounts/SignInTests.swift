import XCTest
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import Accounts
import AppCore
import Patients

final class SignInTests: XCTestCase {
    func test_token_frontDesk_withoutMFA_isIssued_andMeWorks() async throws {
        try await withTestApp { app, clock in
            let desk = try await Fixtures.user(app, .frontDesk)
            let h = try await Fixtures.bearer(app, desk, clock: clock)
            let me = try await HTTP.send(app, .GET, Site.apiMe.path(), headers: h)
            XCTAssertEqual(me.status, .ok)
            XCTAssertEqual(try me.content.get(String.self, at: "role"), "front-desk")
            let signIns = try await Fixtures.auditRows(app, action: .signIn)
            XCTAssertEqual(signIns.map(\.username), [desk.username])
        }
    }

    func test_token_provider_needsSecondFactor_andCodeWorksOnce() async throws {
        try await withTestApp { app, clock in
            let dr = try await Fixtures.user(app, .provider)
            let noOTP = try await HTTP.send(
                app, .POST, Site.apiAuthToken.path(), json: ["username": dr.username, "password": dr.password])
            XCTAssertEqual(noOTP.status, .unauthorized)
            XCTAssertTrue(noOTP.body.string.contains("otp"))

            let wrong = try await HTTP.send(
                app, .POST, Site.apiAuthToken.path(),
                json: ["username": dr.username, "password": dr.password, "otp": "000000"])
            XCTAssertEqual(wrong.status, .unauthorized)

            let code = dr.code(at: clock.now())!
            let ok = try await HTTP.send(
                app, .POST, Site.apiAuthToken.path(),
                json: ["username": dr.username, "password": dr.password, "otp": code])
            XCTAssertEqual(ok.status, .ok)
            let replay = try await HTTP.send(
                app, .POST, Site.apiAuthToken.path(),
                json: ["username": dr.username, "password": dr.password, "otp": code])
            XCTAssertEqual(replay.status, .unauthorized, "a TOTP code must not be accepted twice")
            let failures = try await Fixtures.auditRows(app, action: .mfaFailed)
            XCTAssertEqual(failures.count, 2)
        }
    }

    func test_token_clinicalRoleWithoutEnrolment_isRefused() async throws {
        try await withTestApp { app, _ in
            let md = try await Fixtures.user(app, .medicalDirector, enrolMFA: false)
            let res = try await HTTP.send(
                app, .POST, Site.apiAuthToken.path(),
                json: ["username": md.username, "password": md.password, "otp": "123456"])
            XCTAssertEqual(res.status, .forbidden)
            let sessions = try await UserSessionRecord.query(on: app.db).count()
            XCTAssertEqual(sessions, 0)
        }
    }

    func test_lockout_afterFiveFailures_evenRightPasswordRefused_untilUnlockedByTime() async throws {
        try await withTestApp { app, clock in
            let desk = try await Fixtures.user(app, .frontDesk)
            for i in 1...5 {
                let res = try await HTTP.send(
                    app, .POST, Site.apiAuthToken.path(),
                    json: ["username": desk.username, "password": "wrong password \(i)"])
                XCTAssertEqual(res.status, i < 5 ? .unauthorized : .locked, "attempt \(i)")
            }
            let right = try await HTTP.send(
                app, .POST, Site.apiAuthToken.path(), json: ["username": desk.username, "password": desk.password])
            XCTAssertEqual(right.status, .locked)
            let v1 = try await Fixtures.auditRows(app, action: .accountLocked).count
            XCTAssertEqual(v1, 1)
            let v2 = try await Fixtures.auditRows(app, action: .signInFailed).count
            XCTAssertEqual(v2, 6, "five wrong passwords and one attempt while locked")
            let metrics = try await HTTP.send(app, .GET, Site.metrics.path())
            XCTAssertTrue(metrics.body.string.contains("caresync_failed_sign_ins_total 6"), metrics.body.string)

            clock.advance(by: 15 * 60 + 1)
            let later = try await HTTP.send(
                app, .POST, Site.apiAuthToken.path(), json: ["username": desk.username, "password": desk.password])
            XCTAssertEqual(later.status, .ok)
        }
    }

    func test_aStrangerCannotLockAClinicianOut_norABusyClinicAddressItsStaff_butGuessingFromThereIsHeld() async throws {
        try await withTestApp(configure: { $0.lockout.maxAttemptsPerAddress = 8 }) { app, clock in
            let desk = try await Fixtures.user(app, .frontDesk)
            let clinic: HTTPHeaders = ["X-Forwarded-For": "198.51.100.20"]
            let elsewhere: HTTPHeaders = ["X-Forwarded-For": "203.0.113.66"]
            func signIn(_ password: String, from h: HTTPHeaders) async throws -> HTTPStatus {
                try await HTTP.send(
                    app, .POST, Site.apiAuthToken.path(), headers: h,
                    json: ["username": desk.username, "password": password]
                ).status
            }
            let first = try await signIn(desk.password, from: clinic)
            XCTAssertEqual(first, .ok, "the clinic's address becomes a known source")

            // A stranger types the name with wrong passwords until the account locks for strangers.
            for i in 1...5 {
                let s = try await signIn("wrong \(i)", from: elsewhere)
                XCTAssertEqual(s, i < 5 ? .unauthorized : .locked)
            }
            let strangerRight = try await signIn(desk.password, from: elsewhere)
            XCTAssertEqual(strangerRight, .locked, "the stranger's address stays locked out")
            let atTheDesk = try await signIn(desk.password, from: clinic)
            XCTAssertEqual(atTheDesk, .ok, "the clinician at the usual desk is not locked out")

            // The clinic's shared address fills up with failures for other names: its own staff still get in.
            for _ in 1...8 {
                _ = try await HTTP.send(
                    app, .POST, Site.apiAuthToken.path(), headers: clinic,
                    json: ["username": "nobody", "password": "whatever it is"])
            }
            let unknownThere = try await HTTP.send(
                app, .POST, Site.apiAuthToken.path(), headers: clinic,
                json: ["username": "someone.else", "password": "whatever it is"])
            XCTAssertEqual(unknownThere.status, .tooManyRequests, "strangers at the busy address are slowed")
            let staffThere = try await signIn(desk.password, from: clinic)
            XCTAssertEqual(staffThere, .ok)

            // Guessing from the known source is held after its own five failures, then frees with time.
            for i in 1...5 {
                let s = try await signIn("guess \(i)", from: clinic)
                XCTAssertEqual(s, i < 5 ? .unauthorized : .locked, "guess \(i)")
            }
            let heldHere = try await signIn(desk.password, from: clinic)
            XCTAssertEqual(heldHere, .locked)
            clock.advance(by: 15 * 60 + 1)
            let later = try await signIn(desk.password, from: clinic)
            XCTAssertEqual(later, .ok)
            let device = try await Fixtures.auditRows(app, action: .signIn).last?.device ?? ""
            XCTAssertTrue(
                device.hasPrefix("198.51.100.20 "), "the audit trail names the client, not the proxy: \(device)")
        }
    }

    func test_rateLimit_perAddress_returns429() async throws {
        try await withTestApp(configure: { $0.lockout.maxAttemptsPerAddress = 3 }) { app, _ in
            for _ in 1...3 {
                let r = try await HTTP.send(
                    app, .POST, Site.apiAuthToken.path(), json: ["username": "nobody", "password": "whatever it is"])
                XCTAssertEqual(r.status, .unauthorized)
            }
            let r = try await HTTP.send(
                app, .POST, Site.apiAuthToken.path(), json: ["username": "nobody", "password": "whatever it is"])
            XCTAssertEqual(r.status, .tooManyRequests)
        }
    }

    func test_idleTimeout_expiresToken_activityKeepsItAlive() async throws {
        try await withTestApp { app, clock in
            let desk = try await Fixtures.user(app, .frontDesk)
            let h = try await Fixtures.bearer(app, desk, clock: clock)
            clock.advance(by: 14 * 60)
            let v3 = try await HTTP.send(app, .GET, Site.apiMe.path(), headers: h).status
            XCTAssertEqual(v3, .ok)
            clock.advance(by: 14 * 60)
            let v4 = try await HTTP.send(app, .GET, Site.apiMe.path(), headers: h).status
            XCTAssertEqual(v4, .ok, "activity resets the idle timer")
            clock.advance(by: 15 * 60 + 1)
            let expired = try await HTTP.send(app, .GET, Site.apiMe.path(), headers: h)
            XCTAssertEqual(expired.status, .unauthorized)
            XCTAssertTrue(expired.body.string.contains("inactivity"))
        }
    }

    func test_revoke_endsToken_andIsAudited() async throws {
        try await withTestApp { app, clock in
            let desk = try await Fixtures.user(app, .frontDesk)
            let h = try await Fixtures.bearer(app, desk, clock: clock)
            let v5 = try await HTTP.send(app, .POST, Site.apiAuthRevoke.path(), headers: h).status
            XCTAssertEqual(v5, .noContent)
            let v6 = try await HTTP.send(app, .GET, Site.apiMe.path(), headers: h).status
            XCTAssertEqual(v6, .unauthorized)
            let v7 = try await Fixtures.auditRows(app, action: .signOut).count
            XCTAssertEqual(v7, 1)
        }
    }

    func test_web_clinicalRole_cannotReachPagesWithoutSecondFactor() async throws {
        try await withTestApp { app, clock in
            let dr = try await Fixtures.user(app, .provider)
            let web = PageClient(app)
            let login = try await web.post(Site.login.path(), ["username": dr.username, "password": dr.password])
            XCTAssertEqual(login.status, .seeOther)
            XCTAssertEqual(login.headers.first(name: .location), Site.loginSecondFactor.path())
            let cookie = login.headers.setCookie?[Cookies.session]
            XCTAssertEqual(cookie?.isHTTPOnly, true)
            XCTAssertEqual(cookie?.isSecure, true)
            XCTAssertEqual(cookie?.sameSite, .lax)

            let blocked = try await web.get(Site.patients.path())
            XCTAssertEqual(
                blocked.headers.first(name: .location), Site.loginSecondFactor.path(),
                "half-signed-in sessions only see the MFA step")
            let wrong = try await web.post(Site.loginSecondFactor.path(), ["code": "000000"])
            XCTAssertEqual(wrong.status, .unauthorized)
            let v8 = try await web.get(Site.patients.path()).status
            XCTAssertEqual(v8, .seeOther)

            let done = try await web.post(Site.loginSecondFactor.path(), ["code": dr.code(at: clock.now())!])
            XCTAssertEqual(done.headers.first(name: .location), "/")
            let v9 = try await web.get(Site.patients.path()).status
            XCTAssertEqual(v9, .ok)
        }
    }

    func test_enrolmentPage_drawsTheLinkAsAQRCode_onTheServer_orOffersTheLinkAlone() async throws {
        try XCTSkipUnless(
            FileManager.default.isExecutableFile(atPath: "/usr/bin/qrencode"), "qrencode is installed by the scripts")
        try await withTestApp { app, clock in
            let admin = try await Fixtures.user(app, .admin, enrolMFA: false)
            let web = PageClient(app)
            _ = try await web.post(Site.login.path(), ["username": admin.username, "password": admin.password])
            let html = try await web.get(Site.mfaEnrol.path()).body.string
            XCTAssertTrue(html.contains(#"id="enrol-qr""#) && html.contains("<svg"), html)
            XCTAssertTrue(html.contains(#"aria-label="QR code to scan with your authenticator app""#))
            XCTAssertFalse(html.contains("<script"), "drawn on the server, no script")
        }
        let none = await EnrolmentQRCode.svg("otpauth://totp/x?secret=AAAA", program: "/nonexistent/qrencode")
        XCTAssertNil(none, "without the program the page keeps the link and the key")
        let svg = await EnrolmentQRCode.svg("otpauth://totp/x?secret=AAAA")
        XCTAssertTrue(svg?.contains("<svg") == true)
    }

    func test_web_enrolment_showsSecret_confirms_andRecoveryCodeWorksOnce() async throws {
        try await withTestApp { app, clock in
            let admin = try await Fixtures.user(app, .admin, enrolMFA: false)
            let web = PageClient(app)
            let login = try await web.post(Site.login.path(), ["username": admin.username, "password": admin.password])
            XCTAssertEqual(login.headers.first(name: .location), Site.mfaEnrol.path())
            let page = try await web.get(Site.mfaEnrol.path())
            let html = page.body.string
            XCTAssertTrue(html.contains("otpauth://totp/"))
            let secret = try XCTUnwrap(
                html.range(of: #"id="totp-secret">([A-Z2-7]+)<"#, options: .regularExpression).map { String(html[$0]) }?
                    .replacingOccurrences(of: "id=\"totp-secret\">", with: "").replacingOccurrences(of: "<", with: ""))
            let totp = Domain.TOTP(secret: try XCTUnwrap(Base32.decode(secret)))
            let bad = try await web.post(Site.mfaEnrol.path(), ["code": "000000"])
            XCTAssertEqual(bad.status, .unprocessableEntity)
            XCTAssertTrue(bad.body.string.contains("aria-invalid=\"true\""))
            let ok = try await web.post(Site.mfaEnrol.path(), ["code": totp.code(at: clock.now())])
            XCTAssertEqual(ok.status, .ok)
            let codes = ok.body.string.matches(of: /<code>([a-z2-9]{5}-[a-z2-9]{5})<\/code>/).map { String($0.1) }
            XCTAssertEqual(codes.count, 10)
            let v10 = try await web.get(Site.adminUsers.path()).status
            XCTAssertEqual(v10, .ok)
            let v11 = try await Fixtures.auditRows(app, action: .mfaEnrolled).count
            XCTAssertEqual(v11, 1)

            // A recovery code stands in for the authenticator, once.
            clock.advance(by: 60)
            let again = PageClient(app)
            try await again.post(Site.login.path(), ["username": admin.username, "password": admin.password])
            let v12 = try await again.post(Site.loginSecondFactor.path(), ["code": codes[0]]).headers.first(
                name: .location)
            XCTAssertEqual(v12, "/")
            let third = PageClient(app)
            try await third.post(Site.login.path(), ["username": admin.username, "password": admin.password])
            let v13 = try await third.post(Site.loginSecondFactor.path(), ["code": codes[0]]).status
            XCTAssertEqual(v13, .unauthorized)
        }
    }

    func test_web_formsWithoutCSRFToken_areRefused() async throws {
        try await withTestApp { app, clock in
            let desk = try await Fixtures.user(app, .frontDesk)
            let web = PageClient(app)
            let noToken = try await web.post(
                Site.login.path(), ["username": desk.username, "password": desk.password], csrf: false)
            XCTAssertEqual(noToken.status, .forbidden)
            try await web.signIn(desk, clock: clock)
            let before = try await PatientRecord.query(on: app.db).count()
            let forged = try await web.post(
                Site.patients.path(),
                ["familyName": "Forged", "givenName": "X", "birthDate": "1980-01-01", "sex": "male"],
                csrf: false)
            XCTAssertEqual(forged.status, .forbidden)
            let v14 = try await PatientRecord.query(on: app.db).count()
            XCTAssertEqual(v14, before)
        }
    }

    func test_web_patientCannotUseStaffSignIn_andStaffCannotUsePortal() async throws {
        try await withTestApp { app, _ in
            let pat = try await Fixtures.patientUser(app)
            let desk = try await Fixtures.user(app, .frontDesk)
            let a = try await PageClient(app).post(
                Site.login.path(), ["username": pat.username, "password": pat.password])
            XCTAssertEqual(a.status, .unauthorized)
            let b = try await PageClient(app).post(
                Site.portalLogin.path(), ["username": desk.username, "password": desk.password])
            XCTAssertEqual(b.status, .unauthorized)
        }
    }
}
