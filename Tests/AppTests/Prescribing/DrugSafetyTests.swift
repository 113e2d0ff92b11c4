import XCTest
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import AppCore
import ClinicalRecord
import Prescribing

/// The drug–allergy and duplicate-therapy checks: what warns, that a warning must be overridden with a reason (the
/// prescriber's), and that the reason is kept with the prescription and in the audit trail.
final class DrugSafetyTests: XCTestCase {
    struct Rx: Decodable {
        let id: UUID
        let status: String
        let safetyAlerts: [SafetyAlert]
        let overrideReason: String?
        let overrideBy: String?
    }

    func test_rules() {
        let k = SampleDrugKnowledge()
        func alerts(_ drug: String, allergies: [String] = [], medicines: [String] = []) -> [SafetyAlert.Kind] {
            DrugSafety.alerts(
                drug: Formulary.drug(drug)!, allergies: allergies.map { .init(substance: $0, reaction: nil) },
                currentMedicines: medicines, knowledge: k
            ).map(\.kind)
        }
        XCTAssertEqual(alerts("cephalexin-500", allergies: ["Penicillin - hives"]), [.crossReactivity])
        XCTAssertEqual(alerts("cephalexin-500", allergies: ["Keflex"]), [.allergy])
        XCTAssertEqual(alerts("ibuprofen-800", allergies: ["motrin", "latex"]), [.allergy])
        XCTAssertEqual(alerts("ibuprofen-800", allergies: ["Aspirin (asthma)"]), [.crossReactivity])
        XCTAssertEqual(alerts("doxycycline-100", allergies: ["Penicillin", "Sulfa"]), [], "unrelated allergies")
        XCTAssertEqual(alerts("tramadol-50", allergies: ["Codeine"]), [.allergy], "an opioid allergy")
        XCTAssertEqual(alerts("pregabalin-75", medicines: ["Gabapentin 300 MG Oral Capsule"]), [.duplicateTherapy])
        XCTAssertEqual(
            alerts("oxycodone-apap-5-325", medicines: ["Tylenol 500 mg as needed", "Metformin"]), [.duplicateTherapy],
            "acetaminophen twice")
        XCTAssertEqual(alerts("terbinafine-250", medicines: ["Lisinopril 10 mg"]), [])
        let one = [SafetyAlert(kind: .allergy, message: "x")]
        XCTAssertNotNil(DrugSafety.overrideProblem(alerts: one, reason: "  "))
        XCTAssertNotNil(DrugSafety.overrideProblem(alerts: one, reason: "ok\u{0}"))
        XCTAssertNotNil(DrugSafety.overrideProblem(alerts: one, reason: String(repeating: "x", count: 501)))
        XCTAssertNil(DrugSafety.overrideProblem(alerts: one, reason: "Tolerated it in 2024."))
        XCTAssertNil(DrugSafety.overrideProblem(alerts: [], reason: nil))
    }

    func test_alertsMustBeOverriddenWithAReason_byThePrescriber_recordedAndAudited() async throws {
        try await PrescribingTests.withRxWorld { x in
            let app = x.app
            let provider = try await Fixtures.bearer(app, x.w.provider, clock: x.clock)
            let ma = try await Fixtures.bearer(app, try await Fixtures.user(app, .medicalAssistant), clock: x.clock)
            let clinical = Site.apiPatientClinical.path(x.patient)
            _ = try await HTTP.send(
                app, .POST, clinical, headers: provider,
                json: ClinicalEntryInput(kind: "allergy", display: "Penicillin", reaction: "hives"))
            _ = try await HTTP.send(
                app, .POST, clinical, headers: provider,
                json: ClinicalEntryInput(kind: "medication", display: "Lyrica 75 mg", dose: "twice a day"))
            let path = Site.apiPatientPrescriptions.path(x.patient)

            // The prescriber's own draft: refused until they give a reason; the refusal lists the alerts.
            let refused = try await HTTP.send(
                app, .POST, path, headers: provider, json: PrescribingTests.draft("cephalexin-500", location: x.w.main))
            XCTAssertEqual(refused.status, .unprocessableEntity)
            let errors = try refused.problem().errors ?? []
            XCTAssertEqual(errors.map(\.field), ["safety", "overrideReason"])
            XCTAssertTrue(errors[0].message.contains("Allergy to Penicillin (hives)"), errors[0].message)
            let none = try await PrescriptionRecord.query(on: app.db).count()
            XCTAssertEqual(none, 0, "nothing was written")
            var body = PrescribingTests.draft("cephalexin-500", location: x.w.main)
            body["overrideReason"] = .init("Took cephalexin in 2024 without a reaction.")
            let made = try await HTTP.send(app, .POST, path, headers: provider, json: body)
            XCTAssertEqual(made.status, .created, made.body.string)
            let rx = try made.content.decode(Rx.self)
            XCTAssertEqual(rx.safetyAlerts.map(\.kind), [.crossReactivity])
            XCTAssertEqual(rx.overrideReason, "Took cephalexin in 2024 without a reaction.")
            XCTAssertEqual(rx.overrideBy, x.w.provider.username)
            let signed = try await HTTP.send(
                app, .POST, Site.apiPrescriptionSign.path(rx.id), headers: provider, json: [String: String]())
            XCTAssertEqual(signed.status, .ok, "the reason given for the same alerts stands")

            // An MA prepares without deciding; the prescriber decides when signing.
            var forDr = PrescribingTests.draft("gabapentin-300", location: x.w.main)
            forDr["prescriberId"] = .init(x.w.provider.id.uuidString)
            let prepared = try await HTTP.send(app, .POST, path, headers: ma, json: forDr)
            XCTAssertEqual(prepared.status, .created, prepared.body.string)
            let draft = try prepared.content.decode(Rx.self)
            XCTAssertEqual(draft.safetyAlerts.map(\.kind), [.duplicateTherapy])
            XCTAssertNil(draft.overrideReason)
            let unsigned = try await HTTP.send(
                app, .POST, Site.apiPrescriptionSign.path(draft.id), headers: provider, json: [String: String]())
            XCTAssertEqual(unsigned.status, .unprocessableEntity)
            let stillDraft = try await PrescriptionRecord.find(draft.id, on: app.db)
            XCTAssertEqual(stillDraft?.status, .draft)
            let decided = try await HTTP.send(
                app, .POST, Site.apiPrescriptionSign.path(draft.id), headers: provider,
                json: PrescriptionStore.SignInput(overrideReason: "Switching from Lyrica; patient told to stop it."))
            XCTAssertEqual(decided.status, .ok, decided.body.string)
            let row = try await PrescriptionRecord.find(draft.id, on: app.db)
            XCTAssertEqual(row?.overrideBy, x.w.provider.username)
            XCTAssertEqual(row?.alerts.map(\.kind), [.duplicateTherapy])

            let overrides = try await Fixtures.auditRows(app, patientID: x.patient).filter {
                $0.entityType == "SafetyOverride"
            }
            XCTAssertEqual(overrides.count, 3, "the override, the MA's alerts for the prescriber, their override")
            XCTAssertTrue(overrides.contains { $0.detail.contains("Switching from Lyrica") })
        }
    }

    func test_prescribeForm_showsAllergiesAndAlerts_andTakesTheReason() async throws {
        try await PrescribingTests.withRxWorld { x in
            let app = x.app
            _ = try await ClinicalStore(scope: app.systemScope("test")).add(
                patientID: x.patient, ClinicalEntryInput(kind: "allergy", display: "Codeine", reaction: "vomiting"))
            let page = PageClient(app)
            try await page.signIn(x.w.provider, clock: x.clock)
            let form = try await page.get(Site.patientPrescribe.path(x.patient)).body.string
            XCTAssertTrue(form.contains("Codeine (vomiting)"), "the allergies are in view while prescribing")
            var fields = [
                "drugId": "apap-codeine-300-30", "sig": "1 tablet every 6 hours as needed", "quantity": "12",
                "daysSupply": "3", "refills": "0", "pharmacyNcpdpid": "1234567", "locationId": x.w.main.uuidString,
            ]
            let warned = try await page.post(Site.patientPrescribe.path(x.patient), fields)
            XCTAssertEqual(warned.status, .unprocessableEntity)
            let html = warned.body.string
            XCTAssertTrue(html.contains(#"id="safety-alerts""#) && html.contains("Allergy to Codeine (vomiting)"))
            XCTAssertTrue(html.contains(#"id="override-reason""#))
            fields["overrideReason"] = "<b>Intolerance</b>, not allergy; antiemetic given."
            let made = try await page.post(Site.patientPrescribe.path(x.patient), fields)
            XCTAssertEqual(made.status, .seeOther, made.body.string)
            let rx = try await page.get(made.headers.first(name: .location)!).body.string
            XCTAssertTrue(rx.contains("Prescribed anyway by"))
            XCTAssertTrue(rx.contains("&lt;b&gt;Intolerance&lt;/b&gt;"), "the reason is shown as text")
        }
    }
}
