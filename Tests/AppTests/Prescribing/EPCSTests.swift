import XCTest
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import AppCore
import Patients
import Prescribing

/// Controlled substances: two-person EPCS permission with MFA, a fresh second factor at signing, the schedule rules,
/// and the daily EPCS audit report.
final class EPCSTests: XCTestCase {
    struct Rx: Decodable { let id: UUID; let status: String }
    struct Grant: Decodable { let id: UUID; let status: String }
    struct Report: Decodable {
        let signatures: Int; let refusedSignatures: Int; let accessControlChanges: Int; let deniedAccess: Int;
        let incidents: [Row]
    }
    struct Row: Decodable { let detail: String; let outcome: String }

    func body(_ drug: String, refills: Int, days: Int = 5, location: UUID) -> [String: AnyEncodable] {
        [
            "drugId": .init(drug), "sig": .init("Take 1 tablet every 6 hours as needed for severe pain"),
            "quantity": .init("20"), "daysSupply": .init(days),
            "refills": .init(refills), "pharmacyNcpdpid": .init("1234567"), "locationId": .init(location.uuidString),
            // Several opioids for one patient warn of duplicate therapy (a step-down, here).
            "overrideReason": .init("Stepping down from oxycodone."),
        ]
    }

    func test_twoPersonPermission_freshFactorAtSigning_scheduleRules_andDailyReport() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let pid = try await Fixtures.patient(app, family: "Controlled")
            _ = try await PatientStore(scope: app.systemScope("test")).update(
                pid, PatientInput(addressLine1: "1 A St", city: "Evansville", state: "IN", postalCode: "47708"),
                expectedVersion: nil)
            let md = try await Fixtures.user(app, .medicalDirector)
            let admin = try await Fixtures.user(app, .admin)
            // Will get a DEA number: a registrant who can approve.
            let colleague = try await Fixtures.user(app, .provider)
            let noDEA = try await Fixtures.user(app, .provider)  // NPI only
            let sys = EPCSStore(scope: app.systemScope("test"))
            try await sys.setCredentials(userID: colleague.id, .init(npi: "1987654328", deaNumber: "BK7654329"))
            try await sys.setCredentials(userID: noDEA.id, .init(npi: "1456789019", deaNumber: nil))
            let adminH = try await Fixtures.bearer(app, admin, clock: clock)

            // Credentials are checked.
            let badDEA = try await HTTP.send(
                app, .PUT, Site.apiUserPrescriberCredentials.path(w.provider.id), headers: adminH,
                json: ["npi": "1234567890", "deaNumber": "BP1234560"])
            XCTAssertEqual(badDEA.status, .unprocessableEntity)
            XCTAssertEqual(Set(try badDEA.problem().errors?.map(\.field) ?? []), ["npi", "deaNumber"])
            let creds = try await HTTP.send(
                app, .PUT, Site.apiUserPrescriberCredentials.path(w.provider.id), headers: adminH,
                json: ["npi": "1234567893", "deaNumber": "BP1234563"])
            XCTAssertEqual(creds.status, .noContent)

            // A prescriber with a DEA number but no EPCS permission cannot sign a controlled prescription.
            let prov = try await Fixtures.bearer(app, w.provider, clock: clock)
            let oxy = try JSONDecoder().decode(
                Rx.self,
                from: Data(
                    buffer: try await HTTP.send(
                        app, .POST, Site.apiPatientPrescriptions.path(pid), headers: prov,
                        json: body("oxycodone-apap-5-325", refills: 0, location: w.main)
                    ).body))
            var code = w.provider.code(at: clock.now())!
            let noGrant = try await HTTP.send(
                app, .POST, Site.apiPrescriptionSign.path(oxy.id), headers: prov, json: ["otp": code])
            XCTAssertEqual(noGrant.status, .forbidden)
            XCTAssertTrue(try noGrant.problem().detail.contains("No active EPCS permission"))
            // One without a DEA number: refused for that reason.
            let nd = try await Fixtures.bearer(app, noDEA, clock: clock)
            let ndRx = try JSONDecoder().decode(
                Rx.self,
                from: Data(
                    buffer: try await HTTP.send(
                        app, .POST, Site.apiPatientPrescriptions.path(pid), headers: nd,
                        json: body("tramadol-50", refills: 0, location: w.main)
                    ).body))
            let ndSign = try await HTTP.send(
                app, .POST, Site.apiPrescriptionSign.path(ndRx.id), headers: nd,
                json: ["otp": noDEA.code(at: clock.now())!])
            XCTAssertEqual(ndSign.status, .forbidden)
            XCTAssertTrue(try ndSign.problem().detail.contains("No DEA registration"))

            // Two people: the admin enters; the admin cannot approve, nor the prescriber, nor a non-registrant; a
            // registrant can, with a code.
            let entered = try await HTTP.send(
                app, .POST, Site.apiEPCSGrants.path(), headers: adminH, json: ["prescriberId": w.provider.id.uuidString]
            )
            XCTAssertEqual(entered.status, .created, entered.body.string)
            let grant = try JSONDecoder().decode(Grant.self, from: Data(buffer: entered.body))
            XCTAssertEqual(grant.status, "pending")
            let byAdmin = try await HTTP.send(
                app, .POST, Site.apiEPCSGrantDecision.path(grant.id), headers: adminH,
                json: ["approve": AnyEncodable(true), "otp": AnyEncodable("000000")])
            XCTAssertEqual(byAdmin.status, .forbidden)
            let prov2 = try await Fixtures.bearer(app, w.provider, clock: clock)
            let bySelf = try await HTTP.send(
                app, .POST, Site.apiEPCSGrantDecision.path(grant.id), headers: prov2,
                json: ["approve": AnyEncodable(true), "otp": AnyEncodable(w.provider.code(at: clock.now())!)])
            XCTAssertEqual(bySelf.status, .forbidden)
            XCTAssertTrue(try bySelf.problem().detail.contains("own EPCS permission"))
            let nd2 = try await Fixtures.bearer(app, noDEA, clock: clock)
            let byNonRegistrant = try await HTTP.send(
                app, .POST, Site.apiEPCSGrantDecision.path(grant.id), headers: nd2,
                json: ["approve": AnyEncodable(true), "otp": AnyEncodable(noDEA.code(at: clock.now())!)])
            XCTAssertEqual(byNonRegistrant.status, .forbidden)
            XCTAssertTrue(try byNonRegistrant.problem().detail.contains("DEA registrant"))
            let col = try await Fixtures.bearer(app, colleague, clock: clock)
            let wrongCode = try await HTTP.send(
                app, .POST, Site.apiEPCSGrantDecision.path(grant.id), headers: col,
                json: ["approve": AnyEncodable(true), "otp": AnyEncodable("123456")])
            XCTAssertEqual(wrongCode.status, .forbidden)
            clock.advance(by: 31)
            let approved = try await HTTP.send(
                app, .POST, Site.apiEPCSGrantDecision.path(grant.id), headers: col,
                json: ["approve": AnyEncodable(true), "otp": AnyEncodable(colleague.code(at: clock.now())!)])
            XCTAssertEqual(approved.status, .ok, approved.body.string)
            XCTAssertEqual(try JSONDecoder().decode(Grant.self, from: Data(buffer: approved.body)).status, "active")

            // Signing needs the code now: missing, wrong, then right; the same code twice is refused.
            clock.advance(by: 31)
            let prov3 = try await Fixtures.bearer(app, w.provider, clock: clock)
            let missing = try await HTTP.send(
                app, .POST, Site.apiPrescriptionSign.path(oxy.id), headers: prov3, json: [String: String]())
            XCTAssertEqual(missing.status, .forbidden)
            let wrong = try await HTTP.send(
                app, .POST, Site.apiPrescriptionSign.path(oxy.id), headers: prov3, json: ["otp": "000001"])
            XCTAssertEqual(wrong.status, .forbidden)
            code = w.provider.code(at: clock.now())!
            let signed = try await HTTP.send(
                app, .POST, Site.apiPrescriptionSign.path(oxy.id), headers: prov3, json: ["otp": code])
            XCTAssertEqual(signed.status, .ok, signed.body.string)
            let rec = try await PrescriptionRecord.find(oxy.id, on: app.db)!
            XCTAssertNotNil(rec.digest)
            XCTAssertNotNil(rec.signature)
            let newRx = try await ScriptMessageRecord.query(on: app.db).filter(\.$prescriptionID == oxy.id).first()!
            let parsed = try ScriptCodec.for(.v2017071).parse(Data(newRx.xml.utf8))
            guard case .newRx(let d) = parsed.body else { return XCTFail("not a NewRx") }
            XCTAssertEqual(d.prescriber.deaNumber, "BP1234563")
            XCTAssertEqual(d.medication.schedule, .c2)
            XCTAssertTrue(parsed.header.digitallySigned, "the EPCS indicator; digest and signature stay in the archive")
            let tram = try JSONDecoder().decode(
                Rx.self,
                from: Data(
                    buffer: try await HTTP.send(
                        app, .POST, Site.apiPatientPrescriptions.path(pid), headers: prov3,
                        json: body("tramadol-50", refills: 5, days: 30, location: w.main)
                    ).body))
            let replay = try await HTTP.send(
                app, .POST, Site.apiPrescriptionSign.path(tram.id), headers: prov3, json: ["otp": code])
            XCTAssertEqual(replay.status, .forbidden, "a code signs once")
            clock.advance(by: 31)
            let prov4 = try await Fixtures.bearer(app, w.provider, clock: clock)
            let c4 = try await HTTP.send(
                app, .POST, Site.apiPrescriptionSign.path(tram.id), headers: prov4,
                json: ["otp": w.provider.code(at: clock.now())!])
            XCTAssertEqual(c4.status, .ok, "Schedule IV with 5 refills of 30 days fits in six months")

            // Schedule rules at the draft.
            let c2Refill = try await HTTP.send(
                app, .POST, Site.apiPatientPrescriptions.path(pid), headers: prov4,
                json: body("hydrocodone-apap-5-325", refills: 1, location: w.main))
            XCTAssertEqual(c2Refill.status, .unprocessableEntity)
            XCTAssertTrue(c2Refill.body.string.contains("Schedule II: no refills"))
            let c4Six = try await HTTP.send(
                app, .POST, Site.apiPatientPrescriptions.path(pid), headers: prov4,
                json: body("tramadol-50", refills: 6, days: 10, location: w.main))
            XCTAssertEqual(c4Six.status, .unprocessableEntity)
            XCTAssertTrue(c4Six.body.string.contains("at most 5 refills"))
            let c3Long = try await HTTP.send(
                app, .POST, Site.apiPatientPrescriptions.path(pid), headers: prov4,
                json: body("apap-codeine-300-30", refills: 2, days: 90, location: w.main))
            XCTAssertEqual(c3Long.status, .unprocessableEntity)
            XCTAssertTrue(c3Long.body.string.contains("within 6 months"))
            let noControlled = try await HTTP.send(
                app, .POST, Site.apiPatientPrescriptions.path(pid), headers: prov4,
                json: body("oxycodone-apap-5-325", refills: 0, location: w.main).merging([
                    "pharmacyNcpdpid": .init("3456789")
                ]) { $1 })
            XCTAssertEqual(noControlled.status, .unprocessableEntity)
            XCTAssertTrue(
                noControlled.body.string.contains("does not accept electronic controlled-substance prescriptions"))

            // A medical assistant prepares; only the named prescriber signs.
            let ma = try await Fixtures.bearer(app, try await Fixtures.user(app, .medicalAssistant), clock: clock)
            let prepared = try await HTTP.send(
                app, .POST, Site.apiPatientPrescriptions.path(pid), headers: ma,
                json: body("cephalexin-500", refills: 0, location: w.main).merging([
                    "prescriberId": .init(w.provider.id.uuidString)
                ]) { $1 })
            XCTAssertEqual(prepared.status, .created, prepared.body.string)
            let preparedID = try JSONDecoder().decode(Rx.self, from: Data(buffer: prepared.body)).id
            let maSign = try await HTTP.send(
                app, .POST, Site.apiPrescriptionSign.path(preparedID), headers: ma, json: [String: String]()
            )
            XCTAssertEqual(maSign.status, .forbidden)
            let otherSign = try await HTTP.send(
                app, .POST, Site.apiPrescriptionSign.path(preparedID), headers: col,
                json: [String: String]())
            XCTAssertEqual(otherSign.status, .forbidden, "only the named prescriber")

            // The daily report: every EPCS event of the day, refusals as incidents.
            let mdH = try await Fixtures.bearer(app, md, clock: clock)
            let day = LocalDay.of(clock.now(), in: TimeZone(identifier: "UTC")!).iso
            let report = try JSONDecoder().decode(
                Report.self,
                from: Data(
                    buffer: try await HTTP.send(app, .GET, Site.apiEPCSReport.path() + "?date=\(day)", headers: mdH)
                        .body)
            )
            XCTAssertEqual(report.signatures, 2)
            XCTAssertEqual(report.refusedSignatures, 5, "no grant, no DEA, missing code, wrong code, replayed code")
            XCTAssertGreaterThanOrEqual(
                report.accessControlChanges, 5, "credentials ×4 (one via API), entered, approved")
            XCTAssertTrue(
                report.incidents.contains {
                    $0.detail.contains("approval refused: Prescribers cannot approve their own")
                })
            XCTAssertTrue(report.incidents.contains { $0.detail.contains("Only a DEA registrant") })
            let provReport = try await HTTP.send(app, .GET, Site.apiEPCSReport.path() + "?date=\(day)", headers: prov4)
            XCTAssertEqual(provReport.status, .forbidden)
            let cli = try await CareSyncCLI.epcsReport(app.config, date: day)
            XCTAssertEqual(cli.signatures, 2)
        }
    }
}
