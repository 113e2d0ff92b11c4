import Domain
import Fluent
import TestSupport
import XCTVapor
import XCTest

import App
import Accounts
import AppCore
import Audit
import Patients
import Scheduling

/// Regressions for an outside probe's findings: each of these failed before its fix.
final class SecurityFindingsTests: XCTestCase {
    /// Critical: an unauthenticated sign-in with a NUL in the username broke `audit verify` (the NUL did not survive
    /// the database round trip of the hashed fields). Now such bodies are refused, and what is hashed is what is
    /// stored.
    func test_controlCharacterInSignIn_isRefused_andTheChainStillVerifies() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.user(app, .frontDesk, username: "desk.jones")
            let nul = try await HTTP.send(
                app, .POST, Site.apiAuthToken.path(),
                raw: #"{"username":"desk.jones\u0000x","password":"x"}"#)
            XCTAssertEqual(nul.status, .badRequest, nul.body.string)
            XCTAssertTrue(nul.body.string.contains("U+0000"), nul.body.string)
            let form = try await app.sendRequest(
                .POST, Site.login.path(), headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "username=desk.jones%00x&password=x"))
            XCTAssertEqual(form.status, .badRequest)
            // An escaped backslash followed by text is not a control character.
            let literal = try await HTTP.send(
                app, .POST, Site.apiAuthToken.path(),
                raw: #"{"username":"desk.jones\\u0000x","password":"x"}"#)
            XCTAssertEqual(literal.status, .unauthorized)

            // Whatever reaches the audit trail with a control character is stored so that it verifies.
            try await app.systemScope("test").record([
                AuditDraft(
                    action: .signInFailed, category: .account, entityType: "User", entityID: "desk.jones\u{0}x",
                    detail: "reason ends in NUL\u{0}, bell \u{7}, C1 \u{85}")
            ])
            let r = try await AuditVerification.run(app: app, writeCheckpoint: false)
            XCTAssertTrue(r.ok, r.problem ?? "")
            let stored = try await Fixtures.auditRows(app, action: .signInFailed).last
            XCTAssertEqual(stored?.entityID, "desk.jones\\u{0}x")
        }
    }

    /// High: titles went into og:/twitter: meta attributes unescaped, so a message subject or a family name could
    /// redirect the staff member who opened it. Attributes are escaped; names and subjects stay out of titles.
    func test_htmlInSubjectsAndNames_isShownAsText_neverAsMarkup() async throws {
        try await withTestApp { app, clock in
            let hostile = #"Hi"><meta http-equiv="refresh" content="0;url=https://evil.example/">"#
            let pid = try await Fixtures.patient(app, family: hostile, given: "Ann")
            let ma = PageClient(app)
            try await ma.signIn(try await Fixtures.user(app, .medicalAssistant), clock: clock)
            let chart = try await ma.get(Site.patient.path(pid))
            XCTAssertEqual(chart.status, .ok)
            XCTAssertFalse(chart.body.string.contains(#"<meta http-equiv="refresh""#))
            XCTAssertFalse(chart.body.string.contains("og:title"))
            let title = chart.body.string.components(separatedBy: "<title>").dropFirst().first?.components(
                separatedBy: "</title>"
            ).first
            XCTAssertEqual(title, "Patient chart · CareSync", "no patient name in the title (browser history)")
            let edit = try await ma.get(Site.patientEdit.path(pid))
            XCTAssertTrue(
                edit.body.string.contains("value=\"Hi&quot;&gt;&lt;meta http-equiv=&quot;refresh&quot;"),
                "escaped in the field")
            XCTAssertFalse(edit.body.string.contains(#"<meta http-equiv="refresh""#))

            let admin = PageClient(app)
            try await admin.signIn(try await Fixtures.user(app, .admin), clock: clock)
            let audit = try await admin.get(Site.adminAudit.path() + "?sort=%22%3E%3Cscript%3Ealert(1)%3C/script%3E")
            XCTAssertFalse(
                audit.body.string.contains("<script>alert(1)"), "a reflected query value stays inside its attribute")
        }
    }

    /// Medium: an unknown username answered 20 times faster than a wrong password, because the stand-in hash was
    /// made at a lower bcrypt cost. It is made at the configured cost now.
    func test_unknownUser_isCheckedAgainstAHashOfTheRealCost() async throws {
        try await withTestApp(configure: { $0.bcryptCost = 6 }) { app, _ in
            XCTAssertTrue(SignInService.dummyHash(cost: app.config.bcryptCost).hasPrefix("$2b$06$"))
            let u = try await Fixtures.user(app, .frontDesk)
            let real = try await UserRecord.find(u.id, on: app.db)!.passwordHash
            XCTAssertEqual(real.prefix(7), SignInService.dummyHash(cost: app.config.bcryptCost).prefix(7))
        }
    }

    /// 500s on references to records that do not exist: now a field error or a 404 problem.
    func test_referencesToMissingRecords_areProblems_notServerErrors() async throws {
        try await withTestApp { app, clock in
            let admin = try await Fixtures.bearer(app, try await Fixtures.user(app, .admin), clock: clock)
            struct X: Encodable {
                let providerId: UUID
                let start: String
                let end: String
                let kind: String
            }
            let leave = try await HTTP.send(
                app, .POST, Site.apiAvailabilityExceptions.path(), headers: admin,
                json: X(
                    providerId: UUID(), start: "2026-12-01T14:00:00Z", end: "2026-12-01T15:00:00Z",
                    kind: "leave"))
            XCTAssertEqual(leave.status, .unprocessableEntity, leave.body.string)
            XCTAssertEqual(try leave.problem().errors?.map(\.field), ["providerId"])
            let ma = try await Fixtures.bearer(app, try await Fixtures.user(app, .medicalAssistant), clock: clock)
            let w = try await Fixtures.schedulingWorld(app)
            let conv = try await HTTP.send(
                app, .POST, Site.apiPatientConversations.path(UUID()), headers: ma,
                json: ["subject": "Hello", "body": "Text", "locationId": w.main.uuidString])
            XCTAssertEqual(conv.status, .notFound, conv.body.string)
        }
    }

    /// Provider hours in two zones were compared as local clock times: 16:00–20:00 Eastern and 08:00–16:00 Central
    /// were both accepted, though they overlap from 15:00 to 16:00 Central. Compared as instants now.
    func test_providerHoursInTwoZones_areComparedAsInstants() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let dr = try await Fixtures.user(app, .provider)
            let admin = try await Fixtures.bearer(app, try await Fixtures.user(app, .admin), clock: clock)
            struct H: Encodable {
                let providerId: UUID
                let locationId: UUID
                let weekday: Int
                let start: String
                let end: String
            }
            let eastern = try await HTTP.send(
                app, .POST, Site.apiProviderHours.path(), headers: admin,
                json: H(providerId: dr.id, locationId: w.main, weekday: 2, start: "16:00", end: "20:00"))
            XCTAssertEqual(eastern.status, .created, eastern.body.string)
            let central = try await HTTP.send(
                app, .POST, Site.apiProviderHours.path(), headers: admin,
                json: H(providerId: dr.id, locationId: w.lake, weekday: 2, start: "08:00", end: "16:00"))
            XCTAssertEqual(central.status, .conflict, central.body.string)
            let adjacent = try await HTTP.send(
                app, .POST, Site.apiProviderHours.path(), headers: admin,
                json: H(providerId: dr.id, locationId: w.lake, weekday: 2, start: "08:00", end: "15:00"))
            XCTAssertEqual(adjacent.status, .created, "15:00 Central is 16:00 Eastern: back to back, not overlapping")
        }
    }

    /// Pure rule: the first overlapping instant is found across zones and days.
    func test_weeklyHoursOverlap_rule() {
        let a = UUID()
        let b = UUID()
        let zones = [a: TimeZone(identifier: "America/New_York")!, b: TimeZone(identifier: "America/Chicago")!]
        let from = Date(timeIntervalSince1970: 1_790_000_000)
        let existing = [WeeklyHours(weekday: 2, startMinute: 16 * 60, endMinute: 20 * 60, locationID: a)]
        let hit = WeeklyHours.firstOverlap(
            WeeklyHours(weekday: 2, startMinute: 8 * 60, endMinute: 16 * 60, locationID: b),
            existing: existing, zones: zones, from: from)
        XCTAssertNotNil(hit)
        XCTAssertNil(
            WeeklyHours.firstOverlap(
                WeeklyHours(weekday: 3, startMinute: 8 * 60, endMinute: 16 * 60, locationID: b),
                existing: existing, zones: zones, from: from))
    }
}

/// Medium: at LOG_LEVEL=debug the database layer logged whole queries with names, birth dates, emails, phones and
/// MRNs. No log level may print PHI.
final class LogPHITests: XCTestCase {
    func test_debugLogging_ofQueries_carriesNoPatientData() async throws {
        try await withTestApp { app, clock in
            final class Box: @unchecked Sendable {
                var lines: [String] = []
                let lock = NSLock()
            }
            let box = Box()
            app.logger = Logger(label: "test-debug") { label in
                JSONLogHandler(
                    label: label, level: .trace,
                    sink: { line in
                        box.lock.lock()
                        box.lines.append(line)
                        box.lock.unlock()
                    })
            }
            let pid = try await Fixtures.patient(
                app, family: "Quillfeather", given: "Ottoline", birthDate: "1944-02-29",
                email: "ottoline@example.org")
            let h = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            _ = try await HTTP.send(app, .GET, Site.apiPatients.path() + "?q=quillfeather", headers: h)
            _ = try await HTTP.send(app, .GET, Site.apiPatient.path(pid), headers: h)
            let lines = box.lock.withLock { box.lines }
            XCTAssertTrue(lines.contains { $0.contains("query") }, "queries were logged at debug level")
            for secret in ["Quillfeather", "quillfeather", "Ottoline", "1944-02-29", "ottoline@example.org"] {
                XCTAssertFalse(
                    lines.contains { $0.contains(secret) },
                    "\(secret) in a log line: \(lines.first { $0.contains(secret) } ?? "")")
            }
        }
    }
}

/// Low findings: bookings off the slot grid, and the same JSON key twice.
final class InputStrictnessTests: XCTestCase {
    func test_staffBookingOffTheGrid_isRefused_onTheGridIsBooked() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let pid = try await Fixtures.patient(app)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let odd = w.atMain("2026-12-01", 9, 3).addingTimeInterval(7)
            let refused = try await HTTP.send(
                app, .POST, Site.apiAppointments.path(), headers: desk,
                json: Booking(
                    patientId: pid, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                    start: odd))
            XCTAssertEqual(refused.status, .unprocessableEntity)
            XCTAssertEqual(try refused.problem().errors?.map(\.field), ["start"])
            let count = try await AppointmentRecord.query(on: app.db).count()
            XCTAssertEqual(count, 0, "nothing was booked")
            let ok = try await HTTP.send(
                app, .POST, Site.apiAppointments.path(), headers: desk,
                json: Booking(
                    patientId: pid, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                    start: w.atMain("2026-12-01", 9, 5)))
            XCTAssertEqual(ok.status, .created, ok.body.string)
        }
    }

    func test_duplicateJSONKeys_areRefused() async throws {
        try await withTestApp { app, clock in
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let dup = try await HTTP.send(
                app, .POST, Site.apiPatients.path(), headers: desk,
                raw: """
                    {"familyName":"Doe","familyName":"Roe","givenName":"Jo","birthDate":"1970-01-01","sex":"female"}
                    """)
            XCTAssertEqual(dup.status, .badRequest, dup.body.string)
            XCTAssertTrue(dup.body.string.contains("familyName"), dup.body.string)
            let nested = try await HTTP.send(
                app, .POST, Site.apiAuthToken.path(), raw: #"{"username":"a","password":"b","password":"c"}"#)
            XCTAssertEqual(nested.status, .badRequest)
            let count = try await PatientRecord.query(on: app.db).count()
            XCTAssertEqual(count, 0)
        }
    }
}
