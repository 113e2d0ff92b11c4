import Domain
import Fluent
import TestSupport
import XCTVapor
import XCTest

import App
import AppCore
import CarePathways
import Intake
import Notifications
import Patients
import Portal
import Scheduling
import Telehealth

/// Spanish for patient-facing pages and messages: the locale file as data, the patient's own setting (the portal's
/// switch, staff's form), and what each page and notice then says.
final class SpanishTests: XCTestCase {
    let es = Locales.translator(.es)

    func test_localeFile_loads_andEveryTranslationKeepsItsPlaceholders() {
        let table = Locales.tables[.es] ?? [:]
        XCTAssertGreaterThan(table.count, 300)
        XCTAssertEqual(Translator.problems(in: table), [])
        XCTAssertEqual(es("Hello, {name}", ["name": "María"]), "Hola, María")
        XCTAssertEqual(Translator.english("Hello, {name}", ["name": "Maria"]), "Hello, Maria")
        XCTAssertEqual(es("A text nobody translated"), "A text nobody translated", "falls back to English")
    }

    /// Texts that live in data (forms, pathways, types, roles, the video page's script): each has its Spanish.
    func test_everyPatientFacingTextInData_hasSpanish() {
        var texts: [String] = []
        for f in StandardForms.all {
            texts += [f.title, f.intro] + f.sections.map(\.title)
            for field in f.fields { texts += [field.label] + [field.help].compactMap { $0 } + (field.options ?? []) }
        }
        for p in StandardPathways.all {
            texts += [p.title, p.redFlagAdvice]
            for s in p.steps {
                texts += [s.title, s.text]
                for q in s.questions ?? [] { texts += [q.label] + [q.help].compactMap { $0 } }
            }
        }
        texts += Layout.portalLinks.map(\.1) + Role.allCases.map(\.label) + VisitRoomPage.scriptWords
        texts += ["New patient visit", "Follow-up visit", "Wound check", "Video follow-up"]
        texts += ["Left", "Right", "Both", "Not applicable", RegisterPage.mfaOffer]
        texts += PortalAppointmentsPage.doneNotices.values
        texts += ["Sign-in required", "Not allowed", "Not found", "The input is not valid", "Too many attempts"]
        let missing = Set(texts).filter { !es.has($0) }.sorted()
        XCTAssertEqual(missing, [], "add these to Sources/AppCore/Resources/locales/es.json")
        for c in DataCategory.allCases {
            guard let en = AccessHistory.phrase(.read, c) else { continue }
            XCTAssertNotEqual(AccessHistory.phrase(.read, c, t: es), en, "\(c)")
        }
    }

    func test_browserLanguage_messages_andDates() {
        XCTAssertEqual(PatientLanguage.preferred(acceptLanguage: "es-MX,es;q=0.9,en;q=0.8"), .es)
        XCTAssertEqual(PatientLanguage.preferred(acceptLanguage: "en-US,en;q=0.9,es;q=0.8"), .en)
        XCTAssertEqual(PatientLanguage.preferred(acceptLanguage: "fr-FR, es;q=0.5"), .es)
        XCTAssertEqual(PatientLanguage.preferred(acceptLanguage: "es;q=0, fr"), nil)
        XCTAssertEqual(PatientLanguage.preferred(acceptLanguage: ""), nil)
        XCTAssertEqual(es.message("Mobile phone: please answer this."), "Teléfono celular: responda esta pregunta.")
        XCTAssertEqual(es.message("Notes: at most 1000 characters."), "Notes: como máximo 1000 caracteres.")
        XCTAssertEqual(
            es.message("Too many failed sign-ins: this account is now locked for 15 minutes."),
            "Demasiados intentos fallidos: esta cuenta queda bloqueada durante 15 minutos.")
        let zone = TimeZone(identifier: "America/Chicago")!
        let monday = LocalDay("2026-11-30")!.instant(minuteOfDay: 9 * 60, in: zone)!
        XCTAssertEqual(Format.day(monday, zone: zone, language: .es), "lun 30 de nov")
        XCTAssertEqual(Format.day(monday, zone: zone), "Mon, Nov 30")
        XCTAssertTrue(Format.time(monday, zone: zone, language: .es).hasPrefix("9:00"))
        XCTAssertTrue(Format.time(monday, zone: zone, language: .es).hasSuffix("CT"))
        let notice = NoticeText.body(
            .confirmation, start: monday, zone: zone, place: "Lake Clinic", address: "2 Lake Rd", phone: "555",
            t: es)
        XCTAssertEqual(
            notice,
            "Su cita está programada para el lunes 30 de noviembre de 2026 a las 09:00 en Lake Clinic, 2 Lake Rd. "
                + "Para cambiarla, llame al 555 o use el portal del paciente.")
    }

    /// Before sign-in the browser's language (or the switch) decides; staff pages stay in English.
    func test_signInPage_followsTheBrowser_andTheSwitch_butStaffPagesStayEnglish() async throws {
        try await withTestApp { app, _ in
            let spanish = try await HTTP.send(
                app, .GET, Site.portalLogin.path(), headers: ["Accept-Language": "es-US,es;q=0.9"])
            let page = spanish.body.string
            XCTAssertTrue(page.contains("<html lang=\"es\">"), String(page.prefix(200)))
            XCTAssertTrue(page.contains("Acceso al portal del paciente") && page.contains("Contraseña"))
            XCTAssertTrue(page.contains("id=\"lang-en\""), "the switch offers English")
            // The page's own address goes back into the switch's form: never as markup.
            let crafted = try await HTTP.send(
                app, .GET, Site.portalLogin.path() + #"?x="><b>hi</b>"#, headers: ["Accept-Language": "es"])
            XCTAssertFalse(crafted.body.string.contains("\"><b>hi</b>"), "the address is escaped in the form")
            XCTAssertTrue(crafted.body.string.contains("name=\"back\" value=\"/portal/login?x="), crafted.body.string)

            let web = PageClient(app)
            web.cookies["cs_lang"] = "es"
            let staff = try await web.get(Site.login.path())
            XCTAssertTrue(staff.body.string.contains("<html lang=\"en\">"))
            XCTAssertTrue(staff.body.string.contains("Staff sign-in"))
            XCTAssertFalse(staff.body.string.contains("lang-switch"), "staff pages have no switch")

            // The switch before sign-in: a cookie only, and back to the page it was pressed on.
            let anon = PageClient(app)
            let chosen = try await anon.post(
                Site.language.path(), ["language": "es", "back": Site.portalLogin.path()])
            XCTAssertEqual(chosen.headers.first(name: .location), Site.portalLogin.path())
            XCTAssertEqual(anon.cookies["cs_lang"], "es")
            let after = try await anon.get(Site.portalLogin.path())
            XCTAssertTrue(after.body.string.contains("Iniciar sesión"))

            // Only a path on this site; an unknown language changes nothing.
            for back in ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"] {
                let r = try await anon.post(Site.language.path(), ["language": "en", "back": back])
                XCTAssertEqual(r.headers.first(name: .location), Site.portal.path(), back)
            }
            let bad = try await anon.post(Site.language.path(), ["language": "fr"])
            XCTAssertEqual(bad.status, .unprocessableEntity)
        }
    }

    /// The patient's switch is kept on their record (versioned, audited as theirs) and reaches their notices; it
    /// comes back at the next sign-in on another browser.
    func test_patientSwitch_isKeptOnTheRecord_andPagesAndNoticesFollow() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let pat = try await Fixtures.patientUser(app)
            let pid = try XCTUnwrap(pat.patientID)
            let web = PageClient(app)
            try await web.signIn(pat, clock: clock, portal: true)
            let english = try await web.get(Site.portal.path())
            XCTAssertTrue(english.body.string.contains("Who has looked at my record"))

            let switched = try await web.post(
                Site.language.path(), ["language": "es", "back": Site.portalAppointments.path()])
            XCTAssertEqual(switched.headers.first(name: .location), Site.portalAppointments.path())
            let stored = try await PatientRecord.find(pid, on: app.db)
            XCTAssertEqual(stored?.preferredLanguage, "es")
            XCTAssertEqual(stored?.version, 2, "a change of the record like any other")
            let events = try await Fixtures.auditRows(app, action: .update, patientID: pid)
            XCTAssertEqual(events.last?.username, pat.username)
            XCTAssertTrue(events.last?.detail.contains("preferredLanguage") == true, events.last?.detail ?? "")

            let home = try await web.get(Site.portal.path())
            XCTAssertTrue(home.body.string.contains("<html lang=\"es\">"))
            XCTAssertTrue(home.body.string.contains("Quién ha consultado mi expediente"))
            XCTAssertTrue(home.body.string.contains(">Mis citas<"), "the menu too")
            XCTAssertTrue(home.body.string.contains("Cerrar sesión"))

            // Another browser, English by default: the sign-in brings the patient's Spanish back.
            let phone = PageClient(app)
            try await phone.signIn(pat, clock: clock, portal: true)
            XCTAssertEqual(phone.cookies["cs_lang"], "es")

            // Booking: the page, the confirmation and the notices are in Spanish.
            let form = try await web.get(Site.portalAppointmentsBook.path() + "?type=\(w.followUp)&date=2026-11-03")
            XCTAssertTrue(form.body.string.contains("Horarios libres el mar 3 de nov"), "day in Spanish")
            let booked = try await web.post(
                Site.portalAppointmentsBook.path(),
                [
                    "providerId": w.provider.id.uuidString, "locationId": w.main.uuidString,
                    "typeId": w.followUp.uuidString, "start": Fixtures.iso(w.atMain("2026-11-03", 10)),
                ])
            XCTAssertEqual(booked.headers.first(name: .location), Site.portalAppointments.path() + "?done=booked")
            let list = try await web.get(Site.portalAppointments.path() + "?done=booked")
            XCTAssertTrue(list.body.string.contains("Su cita está programada."))
            // A type the practice named itself has no translation: its name stays as written.
            XCTAssertTrue(list.body.string.contains("Follow-up con "), list.body.string)
            // A time taken meanwhile: the reschedule form says so, in Spanish.
            let appt = try await AppointmentRecord.query(on: app.db).filter(\.$patientID == pid).first()
            let taken = try await web.get(Site.portalAppointmentReschedule.path(try XCTUnwrap(appt?.id)) + "?taken=1")
            XCTAssertTrue(taken.body.string.contains("Ese horario ya no está disponible. Elija otro."))
            let notices = try await OutboxMessageRecord.query(on: app.db).filter(\.$kind == "confirmation").all()
            XCTAssertFalse(notices.isEmpty)
            for n in notices {
                XCTAssertTrue(n.body.hasPrefix("Su cita está programada para el martes 3 de noviembre"), n.body)
                XCTAssertEqual(n.subject, "Su cita está programada")
            }

            // A form in Spanish, and its errors; the stored answers keep the form's own values.
            let intake = try await web.get(Site.portalForm.path("diabetic-foot"))
            XCTAssertTrue(intake.body.string.contains("Registro de pie diabético"))
            XCTAssertTrue(intake.body.string.contains("value=\"Type 2\">Tipo 2</option>"))
            let refused = try await web.post(Site.portalForm.path("diabetic-foot"), ["_action": "submit"])
            XCTAssertEqual(refused.status, .unprocessableEntity)
            XCTAssertTrue(refused.body.string.contains("Tipo de diabetes: responda esta pregunta."))
            XCTAssertTrue(refused.body.string.contains("Corrija los campos marcados:"))

            // Staff still read the chart in English, and see the setting.
            let desk = PageClient(app)
            try await desk.signIn(try await Fixtures.user(app, .frontDesk), clock: clock)
            desk.cookies["cs_lang"] = "es"
            let edit = try await desk.get(Site.patientEdit.path(pid))
            XCTAssertTrue(edit.body.string.contains("Language for the portal and messages"))
            XCTAssertTrue(edit.body.string.contains("<option value=\"es\" selected"))
            XCTAssertTrue(edit.body.string.contains("<html lang=\"en\">"))
        }
    }

    func test_whoMayChooseAPatientsLanguage() {
        let own = UUID()
        let other = UUID()
        func decide(_ role: Role, patient: UUID? = nil, for id: UUID) -> Bool {
            AccessPolicy.decide(
                Principal(userID: UUID(), username: "u", role: role, patientID: patient), .chooseLanguage(patientID: id)
            ).isAllowed
        }
        XCTAssertTrue(decide(.patient, patient: own, for: own))
        XCTAssertFalse(decide(.patient, patient: own, for: other))
        XCTAssertTrue(decide(.frontDesk, for: other))
        XCTAssertFalse(decide(.support, for: other))
        XCTAssertFalse(decide(.operator, for: other))
    }

    func test_patientAPI_takesAndShowsTheLanguage() async throws {
        try await withTestApp { app, clock in
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let pid = try await Fixtures.patient(app)
            let bad = try await HTTP.send(
                app, .PATCH, Site.apiPatient.path(pid), headers: desk, json: ["preferredLanguage": "fr"])
            XCTAssertEqual(bad.status, .unprocessableEntity)
            XCTAssertEqual(try bad.problem().errors?.first?.field, "preferredLanguage")
            let ok = try await HTTP.send(
                app, .PATCH, Site.apiPatient.path(pid), headers: desk, json: ["preferredLanguage": "es"])
            XCTAssertEqual(ok.status, .ok)
            XCTAssertEqual(try ok.content.get(String.self, at: "preferredLanguage"), "es")
        }
    }
}
