import Domain
import Fluent
import TestSupport
import XCTVapor
import XCTest

import App
import AppCore
import ClinicalRecord

/// The chart's clinical summary: problems (ICD-10-CM), allergies with "no known allergies" as an entry of its own,
/// reported medicines; who records, who confirms, who reads; every read and change audited.
final class ClinicalSummaryTests: XCTestCase {
    struct Entry: Decodable {
        let id: UUID
        let kind: String
        let code: String?
        let display: String
        let status: String
        let verification: String
        let recordedBy: String
        let confirmedBy: String?
    }
    struct Summary: Decodable {
        let problems: [Entry]
        let allergies: [Entry]
        let medications: [Entry]
    }

    func test_rules() {
        for good in ["E11.42", "E11", "M20.12", "L97.511", "Z86.31"] {
            XCTAssertTrue(ClinicalRules.isICD10CM(good), good)
        }
        for bad in ["e11.42x", "U07.1", "E1", "E11.", "11.42", "E11.42345", "E11 42"] {
            XCTAssertFalse(ClinicalRules.isICD10CM(bad), bad)
        }
        let today = "2026-11-29"
        func errors(_ i: ClinicalEntryInput) -> [String] {
            if case .failure(let f) = ClinicalRules.validated(i, today: today) { return f.errors.map(\.field) }
            return []
        }
        XCTAssertEqual(errors(.init(kind: "diagnosis", display: "x")), ["kind"])
        XCTAssertEqual(errors(.init(kind: "problem", code: "bad", display: "")), ["display", "code"])
        XCTAssertEqual(errors(.init(kind: "problem", display: "Diabetes", onset: "2030-01-01")), ["onset"])
        XCTAssertEqual(errors(.init(kind: "allergy", display: "Penicillin", severity: "deadly")), ["severity"])
        XCTAssertEqual(errors(.init(kind: "allergy", display: "Latex\u{0}")), ["display"])
        XCTAssertEqual(errors(.init(kind: "allergy", code: "nka")), [], "no known allergies needs no substance")
        guard case .success(let nka) = ClinicalRules.validated(.init(kind: "allergy", code: "nka"), today: today),
            case .success(let latex) = ClinicalRules.validated(.init(kind: "allergy", display: "Latex"), today: today)
        else { return XCTFail("valid entries") }
        XCTAssertTrue(nka.isNoKnownAllergies)
        XCTAssertNotNil(ClinicalRules.allergyConflict(adding: nka, activeAllergies: [latex]))
        XCTAssertNil(ClinicalRules.allergyConflict(adding: latex, activeAllergies: [nka]))
    }

    func test_intakeAnswers_becomeEntries() {
        let newPatient = IntakeClinicalMapping.entries(
            formCode: "new-patient",
            answers: [
                "conditions": "High blood pressure|Diabetes|None of these", "medications": "Lisinopril 10 mg\n\nnone",
                "allergies": "Penicillin - hives; latex", "smoker": "yes",
            ])
        XCTAssertEqual(
            newPatient.map { "\($0.kind!):\($0.code ?? "-"):\($0.display ?? "")" },
            [
                "problem:I10:High blood pressure", "problem:-:Diabetes", "medication:-:Lisinopril 10 mg",
                "allergy:-:Penicillin - hives", "allergy:-:latex", "problem:Z72.0:Tobacco use",
            ])
        let none = IntakeClinicalMapping.entries(
            formCode: "new-patient", answers: ["allergies": "None.", "medications": "no"])
        XCTAssertEqual(none.map(\.code), [ClinicalRules.noKnownAllergies])
        let foot = IntakeClinicalMapping.entries(
            formCode: "diabetic-foot",
            answers: ["diabetesType": "Type 1", "neuropathy": "Numbness|Tingling", "amputation": "yes"])
        XCTAssertEqual(
            foot.map { $0.display ?? "" },
            ["Type 1 diabetes", "Foot symptoms: numbness, tingling (neuropathy to assess)", "Amputation"])
        XCTAssertEqual(
            IntakeClinicalMapping.entries(formCode: "telehealth-consent", answers: ["understands": "yes"]), [])
    }

    func test_whoRecordsConfirmsAndReads_andEveryStepIsAudited() async throws {
        try await withTestApp { app, clock in
            let patient = try await Fixtures.patientUser(app, family: "Clinical")
            let pid = try XCTUnwrap(patient.patientID)
            let other = try await Fixtures.patient(app, family: "Otherperson")
            let ma = try await Fixtures.bearer(app, try await Fixtures.user(app, .medicalAssistant), clock: clock)
            let doctor = try await Fixtures.user(app, .provider)
            let dr = try await Fixtures.bearer(app, doctor, clock: clock)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let own = try await Fixtures.bearer(app, patient, clock: clock)
            let path = Site.apiPatientClinical.path(pid)

            let byMA = try await HTTP.send(
                app, .POST, path, headers: ma,
                json: ClinicalEntryInput(
                    kind: "problem", code: "e11.42",
                    display: "Type 2 diabetes with polyneuropathy", onset: "2019-05-01"))
            XCTAssertEqual(byMA.status, .created)
            let maEntry = try byMA.content.decode(Entry.self)
            XCTAssertEqual(maEntry.code, "E11.42")
            XCTAssertEqual(maEntry.verification, "unconfirmed", "an MA's entry waits for a provider")
            let byDr = try await HTTP.send(
                app, .POST, path, headers: dr,
                json: ClinicalEntryInput(
                    kind: "medication", display: "Metformin",
                    dose: "500 mg twice a day"))
            XCTAssertEqual(try byDr.content.decode(Entry.self).verification, "confirmed")

            // The patient sees confirmed entries only; nobody outside the clinical roles reads them.
            var mine = try await HTTP.send(app, .GET, path, headers: own).content.decode(Summary.self)
            XCTAssertEqual(mine.problems.count, 0)
            XCTAssertEqual(mine.medications.map(\.display), ["Metformin"])
            let v1 = try await HTTP.send(app, .GET, path, headers: desk).status
            XCTAssertEqual(v1, .forbidden, "clinical content is not for the front desk")
            let v2 = try await HTTP.send(app, .GET, Site.apiPatientClinical.path(other), headers: own).status
            XCTAssertEqual(v2, .forbidden, "another patient's summary")
            let v3 = try await HTTP.send(
                app, .POST, path, headers: own, json: ClinicalEntryInput(kind: "allergy", display: "Latex")
            ).status
            XCTAssertEqual(v3, .forbidden, "patients do not write their own chart")

            // Only a provider confirms.
            let entry = Site.apiClinicalEntry.path(maEntry.id)
            let v4 = try await HTTP.send(app, .PATCH, entry, headers: ma, json: ["verification": "confirmed"]).status
            XCTAssertEqual(v4, .forbidden)
            let confirmed = try await HTTP.send(app, .PATCH, entry, headers: dr, json: ["verification": "confirmed"])
            XCTAssertEqual(try confirmed.content.decode(Entry.self).confirmedBy, doctor.username)
            mine = try await HTTP.send(app, .GET, path, headers: own).content.decode(Summary.self)
            XCTAssertEqual(mine.problems.map(\.code), ["E11.42"])
            let bad = try await HTTP.send(app, .PATCH, entry, headers: dr, json: ["status": "deleted"])
            XCTAssertEqual(bad.status, .unprocessableEntity)
            let resolved = try await HTTP.send(app, .PATCH, entry, headers: ma, json: ["status": "inactive"])
            XCTAssertEqual(try resolved.content.decode(Entry.self).status, "inactive")

            // "No known allergies" is an entry; a recorded allergy ends it; it cannot be recorded over allergies.
            let nka = try await HTTP.send(
                app, .POST, path, headers: dr, json: ClinicalEntryInput(kind: "allergy", code: "NKA"))
            XCTAssertEqual(try nka.content.decode(Entry.self).display, "No known allergies")
            _ = try await HTTP.send(
                app, .POST, path, headers: dr,
                json: ClinicalEntryInput(
                    kind: "allergy", display: "Penicillin", reaction: "hives", severity: "moderate"))
            let allergies = try await HTTP.send(app, .GET, path, headers: dr).content.decode(Summary.self).allergies
            XCTAssertEqual(
                allergies.map { "\($0.display):\($0.status)" }, ["Penicillin:active", "No known allergies:inactive"])
            let again = try await HTTP.send(
                app, .POST, path, headers: dr, json: ClinicalEntryInput(kind: "allergy", code: "NKA"))
            XCTAssertEqual(again.status, .conflict)

            let events = try await Fixtures.auditRows(app, patientID: pid).filter { $0.category == "clinical" }
            XCTAssertGreaterThanOrEqual(events.filter { $0.action == AuditAction.create.rawValue }.count, 4)
            XCTAssertGreaterThanOrEqual(events.filter { $0.action == AuditAction.update.rawValue }.count, 3)
            XCTAssertGreaterThanOrEqual(events.filter { $0.action == AuditAction.read.rawValue }.count, 3)
            let denied = try await Fixtures.auditRows(app, action: .accessDenied)
            XCTAssertGreaterThanOrEqual(denied.count, 4, "refusals are audited")
        }
    }

    func test_chartShowsTheSummaryToClinicians_formsMarkTheirErrors_andThePortalShowsConfirmedOnly() async throws {
        try await withTestApp { app, clock in
            let patient = try await Fixtures.patientUser(app, family: "Chartsummary")
            let pid = try XCTUnwrap(patient.patientID)
            let dr = PageClient(app)
            try await dr.signIn(try await Fixtures.user(app, .provider), clock: clock)
            let chart = try await dr.get(Site.patient.path(pid)).body.string
            XCTAssertTrue(chart.contains(#"id="clinical""#) && chart.contains("Allergies not recorded yet"))
            let refused = try await dr.post(
                Site.patientClinical.path(pid), ["kind": "problem", "display": "Bunion", "code": "bunion!"])
            XCTAssertEqual(refused.status, .unprocessableEntity)
            XCTAssertTrue(refused.body.string.contains("Code must be an ICD-10-CM code such as E11.42."))
            let added = try await dr.post(
                Site.patientClinical.path(pid),
                ["kind": "problem", "display": "Hallux valgus, right", "code": "M20.11"])
            XCTAssertEqual(added.headers.first(name: .location), Site.patient.path(pid) + "#clinical")
            _ = try await dr.post(Site.patientClinical.path(pid), ["kind": "allergy", "code": "NKA"])
            _ = try await dr.post(
                Site.patientClinical.path(pid),
                ["kind": "medication", "display": #"<img src=x onerror=alert(1)> "Ibuprofen""#, "dose": "<b>2</b>"])
            let after = try await dr.get(Site.patient.path(pid)).body.string
            XCTAssertTrue(after.contains("M20.11 Hallux valgus, right") && after.contains("No known allergies"))
            XCTAssertTrue(after.contains("&lt;img src=x onerror=alert(1)&gt;"), "typed HTML is shown as text")
            XCTAssertFalse(after.contains("<img src=x") || after.contains("<b>2</b>"))

            let desk = PageClient(app)
            try await desk.signIn(try await Fixtures.user(app, .frontDesk), clock: clock)
            let deskChart = try await desk.get(Site.patient.path(pid)).body.string
            XCTAssertFalse(deskChart.contains(#"id="clinical""#), "the front desk does not see clinical content")
            let v1 = try await desk.post(Site.patientClinical.path(pid), ["kind": "problem", "display": "x"]).status
            XCTAssertEqual(v1, .forbidden)

            let portal = PageClient(app)
            try await portal.signIn(patient, clock: clock, portal: true)
            let home = try await portal.get(Site.portal.path()).body.string
            XCTAssertTrue(home.contains(#"id="health-summary""#) && home.contains("Hallux valgus, right"))
            XCTAssertTrue(home.contains("No known allergies"))
        }
    }

    func test_orthoticReferralIntake_becomesAReferralOnTheChart_forTheCareTeamOnly() async throws {
        struct SaveBody: Content {
            let answers: [String: String]
            let submit: Bool
        }
        struct Intake: Decodable { let id: UUID }
        try await withTestApp { app, clock in
            let patient = try await Fixtures.patientUser(app, family: "Orthotic")
            let pid = try XCTUnwrap(patient.patientID)
            let own = try await Fixtures.bearer(app, patient, clock: clock)
            let ma = try await Fixtures.bearer(app, try await Fixtures.user(app, .medicalAssistant), clock: clock)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            var answers = [
                "referrerName": "Dr. Lee <Family Practice>", "referrerNPI": "1234567890",
                "referrerPhone": "812 555 0100",
                "diagnosis": "M21.6X1 Flat foot, right", "prescription": "Custom functional orthoses, both feet.",
                "letterOnFile": "Sent by fax",
            ]
            let path = "/api/v1/patients/\(pid.uuidString)/intake/orthotic-referral"
            let typo = try await HTTP.send(
                app, .PUT, path, headers: own, json: SaveBody(answers: answers, submit: true))
            XCTAssertEqual(typo.status, .unprocessableEntity, "an NPI with a wrong check digit")
            XCTAssertEqual(try typo.problem().errors?.first?.field, "referrerNPI")
            answers["referrerNPI"] = "1234567893"
            let sent = try await HTTP.send(
                app, .PUT, path, headers: own, json: SaveBody(answers: answers, submit: true))
            XCTAssertEqual(sent.status, .ok, sent.body.string)
            let intake = try sent.content.decode(Intake.self)
            let accepted = try await HTTP.send(app, .POST, Site.apiIntakeAccept.path(intake.id), headers: ma)
            XCTAssertEqual(accepted.status, .ok, accepted.body.string)

            let list = try await HTTP.send(app, .GET, Site.apiPatientReferrals.path(pid), headers: ma)
            let referrals = try list.content.decode([ClinicalStore.ReferralDTO].self)
            XCTAssertEqual(referrals.map(\.referrerNPI), ["1234567893"])
            XCTAssertEqual(referrals.first?.letterNote, "Sent by fax")
            XCTAssertEqual(referrals.first?.source, "intake:\(intake.id.uuidString)")
            let v1 = try await HTTP.send(app, .GET, Site.apiPatientReferrals.path(pid), headers: own).status
            XCTAssertEqual(v1, .forbidden, "the referral letter is for the care team")
            let v2 = try await HTTP.send(app, .GET, Site.apiPatientReferrals.path(pid), headers: desk).status
            XCTAssertEqual(v2, .forbidden)

            let page = PageClient(app)
            try await page.signIn(try await Fixtures.user(app, .provider), clock: clock)
            let chart = try await page.get(Site.patient.path(pid)).body.string
            XCTAssertTrue(chart.contains(#"id="clinical-referrals""#))
            XCTAssertTrue(chart.contains("from Dr. Lee &lt;Family Practice&gt;"), "escaped")
            XCTAssertTrue(chart.contains("Letter: Sent by fax"))
            let audit = try await Fixtures.auditRows(app, patientID: pid).filter { $0.entityType == "Referral" }
            XCTAssertGreaterThanOrEqual(audit.count, 2, "recorded and listed")
        }
    }
}
