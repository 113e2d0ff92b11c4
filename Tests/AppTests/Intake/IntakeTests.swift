import XCTest
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import Accounts
import AppCore
import ClinicalRecord
import Intake
import Patients

final class IntakeTests: XCTestCase {
    struct Intake: Decodable {
        let id: UUID; let status: String; let formVersion: Int; let answers: [String: String];
        let reviewComment: String?
    }

    func test_formsAreVersionedData_loadedOnce() async throws {
        try await withTestApp { app, clock in
            try await StandardFormsLoader.load(app.db, now: clock.now())  // a second start adds nothing
            let n = try await FormDefinitionRecord.query(on: app.db).count()
            XCTAssertEqual(n, StandardForms.all.count)
            for f in StandardForms.all { XCTAssertEqual(f.structureErrors(), [], f.code) }
            let patient = try await Fixtures.bearer(app, try await Fixtures.patientUser(app), clock: clock)
            let res = try await HTTP.send(app, .GET, Site.apiForms.path(), headers: patient)
            XCTAssertEqual(
                try res.content.decode([FormDefinition].self).map(\.code).sorted(),
                ["diabetic-foot", "new-patient", "orthotic-referral", "telehealth-consent"])
        }
    }

    func test_diabeticIntake_draftResumesElsewhere_submitReview_returnAndAccept() async throws {
        try await withTestApp { app, clock in
            let patient = try await Fixtures.patientUser(app, family: "Mendez")
            let pid = patient.patientID!
            // Session one (the phone): part of the form, saved as a draft.
            let phone = PageClient(app)
            try await phone.signIn(patient, clock: clock, portal: true)
            let start = try await phone.get("/portal/forms/diabetic-foot")
            XCTAssertTrue(start.body.string.contains("Type of diabetes"))
            let saved = try await phone.post(
                "/portal/forms/diabetic-foot",
                [
                    "diabetesType": "Type 2", "lastA1c": "7.9", "neuropathy__0": "Numbness",
                    "neuropathy__1": "Tingling", "_action": "save",
                ])
            XCTAssertEqual(saved.headers.first(name: .location), "/portal/forms/diabetic-foot?saved=1")
            // A bad value in a draft is still refused with a specific message; the draft keeps its last good state.
            let bad = try await phone.post(
                "/portal/forms/diabetic-foot", ["lastA1c": "79", "lastA1cDate": "2030-01-01", "_action": "save"])
            XCTAssertEqual(bad.status, .unprocessableEntity)
            XCTAssertTrue(bad.body.string.contains("Last A1c (%): at most 20."))
            XCTAssertTrue(bad.body.string.contains("the date cannot be in the future"))

            // Session two (a tablet): the draft is there; submitting without the required answers names them.
            let tablet = PageClient(app)
            try await tablet.signIn(patient, clock: clock, portal: true)
            let resumed = try await tablet.get("/portal/forms/diabetic-foot")
            XCTAssertTrue(resumed.body.string.contains("value=\"7.9\""))
            XCTAssertTrue(resumed.body.string.contains("value=\"Tingling\" checked"))
            let incomplete = try await tablet.post(
                "/portal/forms/diabetic-foot", ["diabetesType": "Type 2", "lastA1c": "7.9", "_action": "submit"])
            XCTAssertEqual(incomplete.status, .unprocessableEntity)
            XCTAssertTrue(
                incomplete.body.string.contains(
                    "Have you had a foot ulcer or sore that was slow to heal?: please answer this."))
            let sent = try await tablet.post(
                "/portal/forms/diabetic-foot",
                [
                    "diabetesType": "Type 2", "lastA1c": "7.9", "neuropathy__0": "Numbness",
                    "priorUlcer": "yes", "amputation": "no", "footwear": "Athletic shoes", "_action": "submit",
                ])
            XCTAssertEqual(sent.headers.first(name: .location), Site.portalForms.path() + "?submitted=diabetic-foot")
            let rows = try await IntakeSubmissionRecord.query(on: app.db).filter(\.$patientID == pid).all()
            XCTAssertEqual(rows.count, 1, "the draft became the submission")
            XCTAssertEqual(rows[0].status, .submitted)
            XCTAssertEqual(rows[0].answerMap["neuropathy"], "Numbness")

            // Staff: the queue, a return with a comment, the patient's fix, acceptance.
            let ma = try await Fixtures.user(app, .medicalAssistant)
            let staff = PageClient(app)
            try await staff.signIn(ma, clock: clock)
            let queue = try await staff.get(Site.intake.path())
            XCTAssertTrue(queue.body.string.contains("Mendez"))
            XCTAssertTrue(queue.body.string.contains("Diabetic foot intake"))
            let id = rows[0].id!.uuidString
            let noComment = try await staff.post(Site.intakeReturn.path(UUID(uuidString: id)!), ["comment": ""])
            XCTAssertEqual(noComment.status, .unprocessableEntity)
            let returned = try await staff.post(
                Site.intakeReturn.path(UUID(uuidString: id)!), ["comment": "Please add the date of your last A1c test."]
            )
            XCTAssertEqual(returned.headers.first(name: .location), Site.intake.path() + "?done=returned")
            let again = try await tablet.get("/portal/forms/diabetic-foot")
            XCTAssertTrue(again.body.string.contains("Please add the date of your last A1c test."))
            let fixed = try await tablet.post(
                "/portal/forms/diabetic-foot",
                [
                    "diabetesType": "Type 2", "lastA1c": "7.9", "lastA1cDate": "2026-08-01",
                    "priorUlcer": "yes", "amputation": "no", "footwear": "Athletic shoes", "_action": "submit",
                ])
            XCTAssertEqual(fixed.status, .seeOther)
            let review = try await staff.get(Site.intakeReview.path(UUID(uuidString: id)!))
            XCTAssertTrue(review.body.string.contains("2026-08-01"))
            let accepted = try await staff.post(Site.intakeAccept.path(UUID(uuidString: id)!), [:])
            XCTAssertEqual(accepted.headers.first(name: .location), Site.intake.path() + "?done=accepted")
            let final = try await IntakeSubmissionRecord.find(rows[0].id, on: app.db)
            XCTAssertEqual(final?.status, .accepted)
            // The answers that name conditions wait in the clinical summary for a provider, marked with the intake.
            let entries = try await ClinicalEntryRecord.query(on: app.db).filter(\.$patientID == pid).all()
            XCTAssertEqual(
                Set(entries.map { "\($0.code ?? "-") \($0.display)" }),
                ["E11.9 Type 2 diabetes", "- Past foot ulcer or slow-healing sore"])
            XCTAssertTrue(entries.allSatisfy { $0.verification == "unconfirmed" && $0.source == "intake:\(id)" })
            XCTAssertEqual(final?.reviewedBy, ma.username)
            // The A1c becomes an observation with the test's date, preliminary until a provider confirms it.
            let a1c = try await ObservationRecord.query(on: app.db).filter(\.$patientID == pid).all()
            XCTAssertEqual(
                a1c.map { "\($0.kind.rawValue) \($0.code) \($0.value ?? 0) \($0.effective) \($0.status.rawValue)" },
                ["a1c 4548-4 7.9 2026-08-01 preliminary"])
            XCTAssertEqual(a1c.first?.source, "intake:\(id)")
            let audit = try await Fixtures.auditRows(app, patientID: pid).filter { $0.category == "intake" }
            XCTAssertGreaterThanOrEqual(audit.count, 6, "drafts, reads, submission and review are audited")
        }
    }

    func test_newPatientIntake_signedAndAccepted_updatesTheChart() async throws {
        try await withTestApp { app, clock in
            let patient = try await Fixtures.patientUser(app, family: "Signer")
            let auth = try await Fixtures.bearer(app, patient, clock: clock)
            var answers = [
                "phone": "+1 812 555 0142", "addressLine1": "12 Elm St", "city": "Evansville", "state": "IN",
                "postalCode": "47708",
                "medications": "metformin 500 mg twice daily", "allergies": "none", "smoker": "no",
                "consentSignature": "Someone Else",
            ]
            let path = "/api/v1/patients/\(patient.patientID!.uuidString)/intake/new-patient"
            let wrongName = try await HTTP.send(
                app, .PUT, path, headers: auth, json: SaveBody(answers: answers, submit: true))
            XCTAssertEqual(wrongName.status, .unprocessableEntity)
            XCTAssertTrue(wrongName.body.string.contains("Type your full name as the practice has it (Pat Signer)"))
            answers["consentSignature"] = "pat  SIGNER"
            let ok = try await HTTP.send(app, .PUT, path, headers: auth, json: SaveBody(answers: answers, submit: true))
            XCTAssertEqual(ok.status, .ok, ok.body.string)
            let intake = try ok.content.decode(Intake.self)
            XCTAssertEqual(intake.status, "submitted")

            let provider = try await Fixtures.bearer(app, try await Fixtures.user(app, .provider), clock: clock)
            let res = try await HTTP.send(
                app, .POST, Site.apiIntakeAccept.path(intake.id), headers: provider)
            XCTAssertEqual(res.status, .ok, res.body.string)
            let chart = try await PatientRecord.find(patient.patientID, on: app.db)
            XCTAssertEqual(chart?.phone, "+1 812 555 0142")
            XCTAssertEqual(chart?.city, "Evansville")
            XCTAssertEqual(chart?.version, 2, "a new chart version")
            let twice = try await HTTP.send(
                app, .POST, Site.apiIntakeAccept.path(intake.id), headers: provider)
            XCTAssertEqual(twice.status, .conflict)
            // Even a provider's acceptance leaves the entries to confirm one by one; "none" is no known allergies.
            let entries = try await ClinicalEntryRecord.query(on: app.db).filter(\.$patientID == patient.patientID!)
                .sort(\.$kind).all()
            XCTAssertEqual(
                entries.map { "\($0.kind):\($0.display):\($0.verification)" },
                ["allergy:No known allergies:unconfirmed", "medication:metformin 500 mg twice daily:unconfirmed"])
            let row = try await IntakeSubmissionRecord.find(intake.id, on: app.db)
            XCTAssertNotNil(row?.signedAt)
            let smoking = try await ObservationRecord.query(on: app.db).filter(\.$patientID == patient.patientID!).all()
            XCTAssertEqual(
                smoking.map { "\($0.kind.rawValue) \($0.answer ?? "") \($0.status.rawValue)" },
                ["smoking non-smoker preliminary"])
        }
    }
    struct SaveBody: Content { let answers: [String: String]; let submit: Bool }

    func test_anotherPatient_andNonClinicalRoles_cannotReachAnIntake() async throws {
        try await withTestApp { app, clock in
            let owner = try await Fixtures.patientUser(app, family: "Owner")
            let other = try await Fixtures.patientUser(app, family: "Other")
            let ownerAuth = try await Fixtures.bearer(app, owner, clock: clock)
            let otherAuth = try await Fixtures.bearer(app, other, clock: clock)
            let saved = try await HTTP.send(
                app, .PUT, "/api/v1/patients/\(owner.patientID!.uuidString)/intake/diabetic-foot", headers: ownerAuth,
                json: SaveBody(answers: ["diabetesType": "Type 1"], submit: false))
            XCTAssertEqual(saved.status, .ok)
            let id = try saved.content.decode(Intake.self).id

            let read = try await HTTP.send(app, .GET, Site.apiIntakeSubmission.path(id), headers: otherAuth)
            XCTAssertEqual(read.status, .forbidden)
            let list = try await HTTP.send(
                app, .GET, Site.apiPatientIntake.path(owner.patientID!), headers: otherAuth)
            XCTAssertEqual(list.status, .forbidden)
            let write = try await HTTP.send(
                app, .PUT, "/api/v1/patients/\(owner.patientID!.uuidString)/intake/diabetic-foot", headers: otherAuth,
                json: SaveBody(answers: ["diabetesType": "Type 2"], submit: false))
            XCTAssertEqual(write.status, .forbidden)
            let staffWrite = try await HTTP.send(
                app, .PUT, "/api/v1/patients/\(owner.patientID!.uuidString)/intake/diabetic-foot",
                headers: try await Fixtures.bearer(app, try await Fixtures.user(app, .provider), clock: clock),
                json: SaveBody(answers: ["diabetesType": "Type 2"], submit: false))
            XCTAssertEqual(staffWrite.status, .forbidden, "only the patient fills in their intake")
            let queue = try await HTTP.send(app, .GET, Site.apiIntake.path(), headers: ownerAuth)
            XCTAssertEqual(queue.status, .forbidden)
            let ops = try await HTTP.send(
                app, .GET, Site.apiIntakeSubmission.path(id),
                headers: try await Fixtures.bearer(app, try await Fixtures.user(app, .operator), clock: clock))
            XCTAssertEqual(ops.status, .forbidden)
            let anon = try await HTTP.send(app, .GET, Site.apiIntakeSubmission.path(id))
            XCTAssertEqual(anon.status, .unauthorized)
            let unknownForm = try await HTTP.send(
                app, .PUT, "/api/v1/patients/\(owner.patientID!.uuidString)/intake/no-such-form", headers: ownerAuth,
                json: SaveBody(answers: [:], submit: false))
            XCTAssertEqual(unknownForm.status, .notFound)
            let row = try await IntakeSubmissionRecord.find(id, on: app.db)
            XCTAssertEqual(row?.answerMap["diabetesType"], "Type 1", "nothing changed")
        }
    }
}
