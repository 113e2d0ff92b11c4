import XCTest
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import Accounts
import AppCore
import Jobs
import Prescribing

/// The pages: prescribe, the EPCS signing screen, pharmacy search, the refill queue, the chart's history, and the
/// portal's refill request — with who may and who may not.
final class PrescribingPagesTests: XCTestCase {
    func test_pages_prescribeSignPortalRefillQueueApproval_andAccess() async throws {
        try await PrescribingTests.withRxWorld { x in
            let app = x.app, clock = x.clock
            // The patient has a portal account on the world's patient.
            let patient = try await Fixtures.user(app, .patient, patientID: x.patient)
            let other = try await Fixtures.patientUser(app, family: "Elsewhere")

            // Prescribe on the page: a refused form names the field; a good one leads to signing.
            let page = PageClient(app)
            try await page.signIn(x.w.provider, clock: clock)
            let form = try await page.get(Site.patientPrescribe.path(x.patient))
            XCTAssertEqual(form.status, .ok)
            XCTAssertTrue(form.body.string.contains("Tramadol Hydrochloride 50 MG Oral Tablet (CIV)"))
            let bad = try await page.post(
                Site.patientPrescribe.path(x.patient),
                [
                    "drugId": "cephalexin-500", "sig": "", "quantity": "0", "daysSupply": "7", "refills": "0",
                    "pharmacyNcpdpid": "1234567", "locationId": x.w.main.uuidString,
                ])
            XCTAssertEqual(bad.status, .unprocessableEntity)
            XCTAssertTrue(bad.body.string.contains("Write the directions (sig)."))
            XCTAssertTrue(bad.body.string.contains("Quantity must be a number above 0."))
            let made = try await page.post(
                Site.patientPrescribe.path(x.patient),
                [
                    "drugId": "cephalexin-500", "sig": "Take 1 capsule four times a day", "quantity": "28",
                    "daysSupply": "7", "refills": "1", "pharmacyNcpdpid": "1234567", "locationId": x.w.main.uuidString,
                ])
            XCTAssertEqual(made.status, .seeOther)
            let rxPath = made.headers.first(name: .location)!
            let rxPage = try await page.get(rxPath)
            XCTAssertTrue(rxPage.body.string.contains("id=\"signing\""))
            let signed = try await page.post(rxPath + "/sign", [:])
            XCTAssertEqual(signed.headers.first(name: .location), rxPath + "?signed=1")
            _ = try await JobWorker.runOnce(app, node: "t")
            let after = try await page.get(rxPath)
            XCTAssertTrue(after.body.string.contains("Accepted by the pharmacy (Status 000)"))
            XCTAssertTrue(after.body.string.contains("NewRx CS"), "the message history is on the page")

            // The EPCS signing screen shows the DEA attestation and asks for the code.
            let controlled = try await page.post(
                Site.patientPrescribe.path(x.patient),
                [
                    "drugId": "tramadol-50", "sig": "1 tablet every 6 hours as needed", "quantity": "20",
                    "daysSupply": "5", "refills": "0", "pharmacyNcpdpid": "1234567", "locationId": x.w.main.uuidString,
                ])
            let screen = try await page.get(controlled.headers.first(name: .location)! + "/sign")
            XCTAssertTrue(screen.body.string.contains("id=\"epcs-signing\""))
            XCTAssertTrue(screen.body.string.contains("you are legally signing the prescription"))
            XCTAssertTrue(screen.body.string.contains("DEA BP1234563"))
            let refusedSign = try await page.post(
                controlled.headers.first(name: .location)! + "/sign", ["otp": "000000"])
            XCTAssertEqual(refusedSign.status, .forbidden)
            XCTAssertTrue(refusedSign.body.string.contains("No active EPCS permission"))

            // Pharmacy search and the chart's prescription card.
            let search = try await page.get(Site.pharmacies.path() + "?q=lakeshore&patient=\(x.patient.uuidString)")
            XCTAssertTrue(search.body.string.contains("Lakeshore Drugs"))
            XCTAssertFalse(search.body.string.contains("Main Street Pharmacy"))
            XCTAssertTrue(search.body.string.contains("no controlled substances"))
            let chart = try await page.get(Site.patient.path(x.patient))
            XCTAssertTrue(chart.body.string.contains("id=\"prescriptions\""))
            XCTAssertTrue(chart.body.string.contains("Cephalexin 500 MG Oral Capsule"))

            // The patient asks for a refill in the portal; another patient cannot ask for it.
            let portal = PageClient(app)
            try await portal.signIn(patient, clock: clock, portal: true)
            let meds = try await portal.get(Site.portalRefills.path())
            XCTAssertTrue(meds.body.string.contains("Cephalexin 500 MG Oral Capsule"))
            let rxID = UUID(uuidString: String(rxPath.split(separator: "/").last!))!
            let asked = try await portal.post(Site.portalRefill.path(rxID), [:])
            XCTAssertEqual(asked.headers.first(name: .location), Site.portalRefills.path() + "?requested=1")
            let twice = try await portal.post(Site.portalRefill.path(rxID), [:])
            XCTAssertEqual(twice.status, .conflict)
            let stranger = PageClient(app)
            try await stranger.signIn(other, clock: clock, portal: true)
            let notTheirs = try await stranger.post(Site.portalRefill.path(rxID), [:])
            XCTAssertEqual(notTheirs.status, .forbidden)

            // The provider approves it in the queue: a new prescription goes out as NewRx.
            let queue = try await page.get(Site.refills.path())
            XCTAssertTrue(queue.body.string.contains("From the portal"))
            let request = try await RefillRequestRecord.query(on: app.db).first()!
            let decided = try await page.post(
                Site.refillDecide.path(request.id!), ["decision": "approve", "refills": "1"])
            XCTAssertEqual(decided.headers.first(name: .location), Site.refills.path() + "?done=approved")
            let renewal = try await PrescriptionRecord.query(on: app.db).filter(\.$renewalOf != nil).first()
            XCTAssertEqual(renewal?.renewalOf?.uuidString, rxID.uuidString)
            XCTAssertEqual(renewal?.status, .sending)
            _ = try await JobWorker.runOnce(app, node: "t")
            let sent = try await x.simMessages().filter { $0.type == "NewRx" }
            XCTAssertEqual(sent.count, 2)

            // Who may not: the front desk reads no prescriptions; a patient cannot read another's.
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let deskRead = try await HTTP.send(
                app, .GET, Site.apiPatientPrescriptions.path(x.patient), headers: desk)
            XCTAssertEqual(deskRead.status, .forbidden)
            let otherH = try await Fixtures.bearer(app, other, clock: clock)
            let otherRead = try await HTTP.send(app, .GET, Site.apiPrescription.path(rxID), headers: otherH)
            XCTAssertEqual(otherRead.status, .forbidden)
            let ownRead = try await HTTP.send(
                app, .GET, Site.apiPatientPrescriptions.path(x.patient),
                headers: try await Fixtures.bearer(app, patient, clock: clock))
            XCTAssertEqual(ownRead.status, .ok)
            let deskPage = PageClient(app)
            try await deskPage.signIn(try await Fixtures.user(app, .frontDesk), clock: clock)
            let deskPrescribe = try await deskPage.get(Site.patientPrescribe.path(x.patient))
            XCTAssertEqual(deskPrescribe.status, .forbidden)
            let deskEPCS = try await deskPage.get(Site.epcs.path())
            XCTAssertEqual(deskEPCS.status, .forbidden)
            let audit = try await Fixtures.auditRows(app, patientID: x.patient).filter {
                $0.category == "prescriptions" && $0.action == "read"
            }
            XCTAssertFalse(audit.isEmpty, "prescription reads are audited")
        }
    }
}
