import Domain
import Fluent
import TestSupport
import XCTVapor
import XCTest

import App
import AppCore
import ClinicalRecord
import Encounters

/// Visit notes: templates as data, drafts by an MA or a provider, signing by a provider only, a signed note that never
/// changes (addenda instead), the patient reading their own signed notes; and observations (vitals, A1c, smoking).
final class VisitNoteTests: XCTestCase {
    struct Note: Decodable {
        let id: UUID
        let patientId: UUID
        let appointmentId: UUID?
        let date: String
        let templateCode: String
        let status: String
        let answers: [String: String]
        let signedBy: String?
        let signedName: String?
        let addenda: [Addendum]
        let version: Int
    }
    struct Addendum: Decodable { let author: String; let text: String }
    struct Observation: Decodable {
        let id: UUID
        let kind: String
        let code: String
        let value: Double?
        let value2: Double?
        let text: String
        let unit: String?
        let effective: String
        let status: String
    }

    /// A complete diabetic foot exam.
    static let footExam: [String: String] = [
        "chiefComplaint": "New patient, type 2 diabetes for 12 years; numb toes.",
        "monofilamentLeft": "Hallux|5th metatarsal head", "monofilamentRight": NoteTemplates.allFelt,
        "pulseDPLeft": "Palpable", "pulseDPRight": "Palpable", "pulsePTLeft": "Diminished", "pulsePTRight": "Palpable",
        "deformity": "Bunion", "ulcerHistory": "no", "riskCategory": NoteTemplates.riskCategories[2],
        "assessment": "Loss of protective sensation, left; reduced PT pulse.", "plan": "Diabetic shoes; recheck.",
    ]

    func test_rules() {
        let t = NoteTemplates.diabeticFoot
        XCTAssertEqual(t.structureErrors(), [])
        for template in NoteTemplates.all {
            XCTAssertEqual(template.structureErrors(), [], template.code)
            XCTAssertEqual(template.sections.map(\.title), ["Subjective", "Objective", "Assessment", "Plan"])
        }
        let today = "2026-11-29"
        XCTAssertEqual(NoteRules.check([:], template: t, signing: false, today: today), [], "an empty draft is fine")
        let unsigned = NoteRules.check(["chiefComplaint": "x"], template: t, signing: true, today: today)
        XCTAssertTrue(unsigned.map(\.field).contains("monofilamentLeft"), "signing needs every required answer")
        let both = NoteRules.check(
            ["monofilamentLeft": "\(NoteTemplates.allFelt)|Heel"], template: t, signing: false, today: today)
        XCTAssertEqual(both.map(\.field), ["monofilamentLeft"])
        XCTAssertEqual(
            NoteRules.check(["plan": "ok\u{7}"], template: t, signing: false, today: today).map(\.field), ["plan"])
        XCTAssertEqual(NoteRules.check(Self.footExam, template: t, signing: true, today: today), [])
        XCTAssertNotNil(NoteRules.editRefusal(.signed))
        XCTAssertNil(NoteRules.editRefusal(.draft))
        if case .success = NoteRules.addendum("  \n ") { XCTFail("an empty addendum") }

        // IWGDF: no LOPS/PAD 0; LOPS 1; LOPS with deformity or PAD 2; with an ulcer history 3.
        var exam = Self.footExam
        XCTAssertEqual(DiabeticFootRisk.suggested(exam), 2, "LOPS and a diminished pulse")
        exam["ulcerHistory"] = "yes"
        XCTAssertEqual(DiabeticFootRisk.suggested(exam), 3)
        exam = Self.footExam.merging(
            ["monofilamentLeft": NoteTemplates.allFelt, "pulsePTLeft": "Palpable", "deformity": "None"]
        ) { $1 }
        XCTAssertEqual(DiabeticFootRisk.suggested(exam), 0)
        exam["monofilamentRight"] = "Heel"
        XCTAssertEqual(DiabeticFootRisk.suggested(exam), 1)
        XCTAssertNil(DiabeticFootRisk.suggested([:]), "no exam, no suggestion")

        // Observations: units, ranges, blood pressure's two numbers, smoking's coded answer.
        func errors(_ i: ObservationInput) -> [String] {
            if case .failure(let f) = ObservationRules.validated(i, today: today) { return f.errors.map(\.field) }
            return []
        }
        XCTAssertEqual(errors(.init(kind: "bmi", value: "30")), ["kind"])
        XCTAssertEqual(errors(.init(kind: "a1c", value: "79")), ["value"], "A1c is a percentage up to 20")
        XCTAssertEqual(errors(.init(kind: "a1c", value: "7,9", effective: "2030-01-01")), ["effective"])
        XCTAssertEqual(errors(.init(kind: "blood-pressure", value: "80", value2: "120")), ["value2"])
        XCTAssertEqual(errors(.init(kind: "weight", value: "1e308")), ["value"])
        XCTAssertEqual(errors(.init(kind: "smoking", answer: "sometimes")), ["answer"])
        guard
            case .success(let bp) = ObservationRules.validated(
                .init(kind: "blood-pressure", value: "132", value2: "84"), today: today)
        else { return XCTFail("valid blood pressure") }
        XCTAssertEqual(bp.text, "132/84 mmHg")
        XCTAssertEqual(bp.effective, today, "today when no date is given")
        XCTAssertEqual(
            IntakeClinicalMapping.observations(formCode: "diabetic-foot", answers: ["lastA1c": "8.1"]).map(\.kind),
            ["a1c"])
    }

    func test_maDrafts_providerSigns_signedNoteIsFixed_addendaFollow_patientReadsSignedOnly() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let patient = try await Fixtures.patientUser(app, family: "Notepatient")
            let pid = try XCTUnwrap(patient.patientID)
            let other = try await Fixtures.patientUser(app, family: "Otherpatient")
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let maUser = try await Fixtures.user(app, .medicalAssistant)
            let ma = try await Fixtures.bearer(app, maUser, clock: clock)
            let dr = try await Fixtures.bearer(app, w.provider, clock: clock)
            let own = try await Fixtures.bearer(app, patient, clock: clock)
            let theirs = try await Fixtures.bearer(app, other, clock: clock)
            let booked = try await HTTP.send(
                app, .POST, Site.apiAppointments.path(), headers: desk,
                json: Booking(
                    patientId: pid, providerId: w.provider.id, locationId: w.main, typeId: w.newPatient,
                    start: w.atMain("2026-09-22", 9)))
            XCTAssertEqual(booked.status, .created, booked.body.string)
            let appointment = try booked.content.get(UUID.self, at: "id")

            let templates = try await HTTP.send(app, .GET, Site.apiNoteTemplates.path(), headers: ma)
            XCTAssertEqual(
                try templates.content.decode([FormDefinition].self).map(\.code).sorted(),
                NoteTemplates.all.map(\.code).sorted())
            let v0 = try await HTTP.send(app, .GET, Site.apiNoteTemplates.path(), headers: desk).status
            XCTAssertEqual(v0, .forbidden)

            // Start: the appointment must be this patient's; the front desk and patients do not write notes.
            let path = Site.apiPatientEncounters.path(pid)
            let start = NoteStore.StartInput(templateCode: "note-diabetic-foot", appointmentId: appointment.uuidString)
            let v1 = try await HTTP.send(app, .POST, path, headers: desk, json: start).status
            XCTAssertEqual(v1, .forbidden)
            let v2 = try await HTTP.send(app, .POST, path, headers: own, json: start).status
            XCTAssertEqual(v2, .forbidden)
            let wrongAppt = try await HTTP.send(
                app, .POST, Site.apiPatientEncounters.path(other.patientID!), headers: ma, json: start)
            XCTAssertEqual(wrongAppt.status, .unprocessableEntity)
            XCTAssertEqual(try wrongAppt.problem().errors?.first?.field, "appointmentId")
            let noTemplate = try await HTTP.send(
                app, .POST, path, headers: ma, json: NoteStore.StartInput(templateCode: "note-nothing"))
            XCTAssertEqual(noTemplate.status, .unprocessableEntity)
            let started = try await HTTP.send(app, .POST, path, headers: ma, json: start)
            XCTAssertEqual(started.status, .created, started.body.string)
            let draft = try started.content.decode(Note.self)
            XCTAssertEqual(draft.status, "draft")
            XCTAssertEqual(draft.date, "2026-09-22", "the appointment's day at its location")
            let twice = try await HTTP.send(app, .POST, path, headers: ma, json: start)
            XCTAssertEqual(twice.status, .conflict, "one note per appointment")

            // The MA drafts; only a provider signs; signing needs every required answer.
            let note = Site.apiEncounter.path(draft.id)
            var answers = Self.footExam
            answers.removeValue(forKey: "riskCategory")
            let saved = try await HTTP.send(
                app, .PATCH, note, headers: ma, json: NoteStore.SaveInput(answers: answers, version: 1))
            XCTAssertEqual(saved.status, .ok, saved.body.string)
            XCTAssertEqual(try saved.content.decode(Note.self).version, 2)
            let stale = try await HTTP.send(
                app, .PATCH, note, headers: ma, json: NoteStore.SaveInput(answers: answers, version: 1))
            XCTAssertEqual(stale.status, .conflict, "a stale version is refused, not overwritten")
            let maSigns = try await HTTP.send(
                app, .POST, Site.apiEncounterSign.path(draft.id), headers: ma, json: NoteStore.SaveInput())
            XCTAssertEqual(maSigns.status, .forbidden, "an MA cannot sign")
            let incomplete = try await HTTP.send(
                app, .POST, Site.apiEncounterSign.path(draft.id), headers: dr, json: NoteStore.SaveInput())
            XCTAssertEqual(incomplete.status, .unprocessableEntity)
            XCTAssertEqual(try incomplete.problem().errors?.map(\.field), ["riskCategory"])
            let unchanged = try await EncounterRecord.find(draft.id, on: app.db)
            XCTAssertEqual(unchanged?.status, .draft, "nothing changed")

            // The patient does not see drafts.
            let notYet = try await HTTP.send(app, .GET, path, headers: own).content.decode([Note].self)
            XCTAssertEqual(notYet.count, 0)
            let v3 = try await HTTP.send(app, .GET, note, headers: own).status
            XCTAssertEqual(v3, .notFound)

            let signed = try await HTTP.send(
                app, .POST, Site.apiEncounterSign.path(draft.id), headers: dr,
                json: NoteStore.SaveInput(answers: Self.footExam))
            XCTAssertEqual(signed.status, .ok, signed.body.string)
            let s = try signed.content.decode(Note.self)
            XCTAssertEqual(s.status, "signed")
            XCTAssertEqual(s.signedBy, w.provider.username)
            XCTAssertNotNil(s.signedName)

            // Signed is final: no save, no re-sign; an addendum is added, with its author.
            let edit = try await HTTP.send(
                app, .PATCH, note, headers: dr, json: NoteStore.SaveInput(answers: ["plan": "changed"]))
            XCTAssertEqual(edit.status, .conflict)
            XCTAssertEqual(try edit.problem().type.hasSuffix("note-signed"), true)
            let resign = try await HTTP.send(
                app, .POST, Site.apiEncounterSign.path(draft.id), headers: dr, json: NoteStore.SaveInput())
            XCTAssertEqual(resign.status, .conflict)
            let stored = try await EncounterRecord.find(draft.id, on: app.db)
            XCTAssertEqual(stored?.answerMap["plan"], Self.footExam["plan"], "the signed text is as signed")
            let empty = try await HTTP.send(
                app, .POST, Site.apiEncounterAddenda.path(draft.id), headers: ma, json: NoteStore.AddendumInput())
            XCTAssertEqual(empty.status, .unprocessableEntity)
            let addendum = try await HTTP.send(
                app, .POST, Site.apiEncounterAddenda.path(draft.id), headers: ma,
                json: NoteStore.AddendumInput(text: "Patient called: shoes ordered."))
            XCTAssertEqual(addendum.status, .created)
            XCTAssertEqual(try addendum.content.decode(Note.self).addenda.map(\.author), [maUser.username])
            let v4 = try await HTTP.send(
                app, .POST, Site.apiEncounterAddenda.path(draft.id), headers: own,
                json: NoteStore.AddendumInput(text: "x")
            ).status
            XCTAssertEqual(v4, .forbidden)

            // The patient reads their signed note; nobody else's patient does; the front desk does not.
            let mine = try await HTTP.send(app, .GET, path, headers: own).content.decode([Note].self)
            XCTAssertEqual(mine.map(\.id), [draft.id])
            let v5 = try await HTTP.send(app, .GET, note, headers: own).status
            XCTAssertEqual(v5, .ok)
            let v6 = try await HTTP.send(app, .GET, note, headers: theirs).status
            XCTAssertEqual(v6, .forbidden, "another patient's note")
            let v7 = try await HTTP.send(app, .GET, path, headers: theirs).status
            XCTAssertEqual(v7, .forbidden)
            let v8 = try await HTTP.send(app, .GET, note, headers: desk).status
            XCTAssertEqual(v8, .forbidden)

            let events = try await Fixtures.auditRows(app, patientID: pid).filter { $0.category == "notes" }
            XCTAssertEqual(events.filter { $0.action == AuditAction.create.rawValue }.count, 2, "start, addendum")
            XCTAssertGreaterThanOrEqual(events.filter { $0.action == AuditAction.update.rawValue }.count, 2)
            XCTAssertGreaterThanOrEqual(events.filter { $0.action == AuditAction.read.rawValue }.count, 1)
        }
    }

    func test_observations_recordConfirmAndCorrect_patientSeesFinalOnly() async throws {
        try await withTestApp { app, clock in
            let patient = try await Fixtures.patientUser(app, family: "Vitals")
            let pid = try XCTUnwrap(patient.patientID)
            let other = try await Fixtures.patientUser(app, family: "Notvitals")
            let ma = try await Fixtures.bearer(app, try await Fixtures.user(app, .medicalAssistant), clock: clock)
            let dr = try await Fixtures.bearer(app, try await Fixtures.user(app, .provider), clock: clock)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let own = try await Fixtures.bearer(app, patient, clock: clock)
            let path = Site.apiPatientObservations.path(pid)

            let bad = try await HTTP.send(
                app, .POST, path, headers: ma, json: ObservationInput(kind: "blood-pressure", value: "999"))
            XCTAssertEqual(bad.status, .unprocessableEntity)
            XCTAssertEqual(try bad.problem().errors?.map(\.field), ["value", "value2"])
            let bp = try await HTTP.send(
                app, .POST, path, headers: ma,
                json: ObservationInput(kind: "blood-pressure", value: "132", value2: "84"))
            XCTAssertEqual(bp.status, .created, bp.body.string)
            let b = try bp.content.decode(Observation.self)
            XCTAssertEqual([b.code, b.unit, b.text, b.status], ["85354-9", "mm[Hg]", "132/84 mmHg", "preliminary"])
            let a1c = try await HTTP.send(
                app, .POST, path, headers: dr,
                json: ObservationInput(kind: "a1c", value: "7.9", effective: "2026-08-01"))
            XCTAssertEqual(try a1c.content.decode(Observation.self).status, "final")
            let v1 = try await HTTP.send(
                app, .POST, path, headers: desk, json: ObservationInput(kind: "pulse", value: "70")
            )
            .status
            XCTAssertEqual(v1, .forbidden)
            let v2 = try await HTTP.send(app, .GET, Site.apiPatientObservations.path(other.patientID!), headers: own)
                .status
            XCTAssertEqual(v2, .forbidden)

            var mine = try await HTTP.send(app, .GET, path, headers: own).content.decode([Observation].self)
            XCTAssertEqual(mine.map(\.kind), ["a1c"], "the patient sees final results only")
            let change = Site.apiObservation.path(b.id)
            let v3 = try await HTTP.send(app, .PATCH, change, headers: ma, json: ["status": "final"]).status
            XCTAssertEqual(v3, .forbidden, "only a provider confirms")
            let confirmed = try await HTTP.send(app, .PATCH, change, headers: dr, json: ["status": "final"])
            XCTAssertEqual(try confirmed.content.decode(Observation.self).status, "final")
            mine = try await HTTP.send(app, .GET, path, headers: own).content.decode([Observation].self)
            XCTAssertEqual(Set(mine.map(\.kind)), ["a1c", "blood-pressure"])
            let wrong = try await HTTP.send(app, .PATCH, change, headers: ma, json: ["status": "entered-in-error"])
            XCTAssertEqual(try wrong.content.decode(Observation.self).status, "entered-in-error")
            let back = try await HTTP.send(app, .PATCH, change, headers: dr, json: ["status": "final"])
            XCTAssertEqual(back.status, .conflict, "an error is corrected by a new measurement, not revived")

            let events = try await Fixtures.auditRows(app, patientID: pid).filter {
                $0.category == "clinical" && $0.entityType == "Observation"
            }
            XCTAssertEqual(events.count, 4, "two recorded, one confirmed, one marked in error")
        }
    }

    func test_pages_startSignAndAddend_escapeWhatWasTyped_portalShowsTheSignedNote() async throws {
        try await withTestApp { app, clock in
            let patient = try await Fixtures.patientUser(app, family: "Notepages")
            let pid = try XCTUnwrap(patient.patientID)
            let ma = PageClient(app)
            try await ma.signIn(try await Fixtures.user(app, .medicalAssistant), clock: clock)
            let chart = try await ma.get(Site.patient.path(pid)).body.string
            XCTAssertTrue(chart.contains(#"id="visits""#) && chart.contains("Start a visit note"))
            XCTAssertTrue(chart.contains(#"id="vitals""#))
            let refused = try await ma.post(Site.patientEncounters.path(pid), ["templateCode": ""])
            XCTAssertEqual(refused.status, .unprocessableEntity)
            XCTAssertTrue(refused.body.string.contains("Choose a note template."))
            let vitals = try await ma.post(
                Site.patientObservations.path(pid), ["kind": "weight", "value": "2000", "effective": ""])
            XCTAssertEqual(vitals.status, .unprocessableEntity)
            XCTAssertTrue(vitals.body.string.contains("Weight must be between 1 and 1000 lb."))

            let started = try await ma.post(
                Site.patientEncounters.path(pid), ["templateCode": "note-wound-check", "date": "2026-09-20"])
            let location = try XCTUnwrap(started.headers.first(name: .location))
            let id = try XCTUnwrap(UUID(uuidString: String(location.split(separator: "/").last!)))
            let form = try await ma.get(location).body.string
            XCTAssertTrue(form.contains("Wound check") && form.contains("A provider reviews and signs this note."))
            XCTAssertFalse(form.contains(#"id="sign-note""#), "no Sign button for an MA")
            let typed = #"<script>alert(1)</script> "deep""#
            let save = try await ma.post(
                Site.encounter.path(id),
                ["chiefComplaint": typed, "lengthCm": "2.5", "widthCm": "abc", "version": "1", "_action": "save"])
            XCTAssertEqual(save.status, .unprocessableEntity)
            XCTAssertTrue(save.body.string.contains("Width (cm): enter a number."))
            XCTAssertTrue(save.body.string.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "kept as typed, escaped")
            XCTAssertFalse(save.body.string.contains("<script>alert(1)"))
            let ok = try await ma.post(
                Site.encounter.path(id),
                [
                    "chiefComplaint": typed, "lengthCm": "2.5", "widthCm": "1.5", "exudate": "Light", "infection": "no",
                    "assessment": "Improving.", "plan": "Continue offloading.", "version": "1", "_action": "save",
                ])
            XCTAssertEqual(ok.headers.first(name: .location), Site.encounter.path(id) + "?saved=1")
            let maSign = try await ma.post(Site.encounter.path(id), ["version": "2", "_action": "sign"])
            XCTAssertEqual(maSign.status, .forbidden)

            let dr = PageClient(app)
            try await dr.signIn(try await Fixtures.user(app, .provider), clock: clock)
            let drForm = try await dr.get(Site.encounter.path(id)).body.string
            XCTAssertTrue(drForm.contains(#"id="sign-note""#))
            let signed = try await dr.post(
                Site.encounter.path(id),
                [
                    "chiefComplaint": typed, "lengthCm": "2.5", "widthCm": "1.5", "exudate": "Light", "infection": "no",
                    "assessment": "Improving.", "plan": "Continue offloading.", "version": "2", "_action": "sign",
                ])
            XCTAssertEqual(signed.headers.first(name: .location), Site.encounter.path(id) + "?signed=1")
            let view = try await dr.get(Site.encounter.path(id)).body.string
            XCTAssertTrue(view.contains("Electronically signed by") && !view.contains(#"id="note-form""#))
            let addend = try await dr.post(Site.encounterAddenda.path(id), ["text": "<b>Culture</b> negative."])
            XCTAssertEqual(addend.status, .seeOther)
            let after = try await dr.get(Site.encounter.path(id)).body.string
            XCTAssertTrue(after.contains("&lt;b&gt;Culture&lt;/b&gt; negative."))
            let editSigned = try await dr.post(
                Site.encounter.path(id), ["chiefComplaint": "rewritten", "version": "3", "_action": "save"])
            XCTAssertEqual(editSigned.status, .conflict)
            XCTAssertTrue(editSigned.body.string.contains("A signed note cannot be changed; add an addendum instead."))

            let portal = PageClient(app)
            try await portal.signIn(patient, clock: clock, portal: true)
            let list = try await portal.get(Site.portalNotes.path()).body.string
            XCTAssertTrue(list.contains("2026-09-20 · Wound check"))
            let page = try await portal.get(Site.portalNote.path(id)).body.string
            XCTAssertTrue(
                page.contains("Continue offloading.") && page.contains("&lt;b&gt;Culture&lt;/b&gt; negative."))
            let home = try await portal.get(Site.portal.path()).body.string
            XCTAssertTrue(home.contains(#"id="go-notes""#))
        }
    }
}
