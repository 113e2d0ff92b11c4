import XCTest
@testable import Domain

final class ScriptCodecTests: XCTestCase {
    let codec = try! ScriptCodec.for(.v2017071)

    static let details = RxDetails(
        patient: ScriptPatient(
            lastName: "O'Brien & Sons", firstName: "Ann", gender: "F", dateOfBirth: "1961-04-12",
            addressLine1: "10 <Example> Ave",
            city: "Evansville", state: "IN", postalCode: "47708"),
        pharmacy: ScriptPharmacy(ncpdpid: "1234567", npi: "1234567893", businessName: "CareSync Test Pharmacy"),
        prescriber: ScriptPrescriber(
            npi: "1765432103", deaNumber: "BH2468139", lastName: "Hughes", firstName: "Morgan"),
        medication: ScriptMedication(
            description: "Tramadol Hydrochloride 50 MG Oral Tablet", ndc: "00093005801", rxnorm: "835603",
            schedule: .c4,
            quantity: "20", unitCode: "C48542", daysSupply: 5, writtenDate: "2026-11-23", substitutions: "0",
            refills: 1,
            sig: "Take 1 tablet by mouth every 6 hours as needed for pain"))

    func header(_ id: String = "CS1", relatesTo: String? = nil) -> ScriptHeader {
        ScriptHeader(
            to: ScriptParty("1234567", "P"), from: ScriptParty("1765432103", "D"), messageID: id,
            relatesToMessageID: relatesTo,
            sentTime: Date(timeIntervalSince1970: 1_795_000_000), prescriberOrderNumber: "RX-1", digestValue: "abc=",
            signatureValue: "def=")
    }

    func test_newRx_hasThe2017071EnvelopeAndStructure_andReadsBack() throws {
        let m = ScriptMessage(header: header(), body: .newRx(Self.details))
        let xml = codec.xml(m)
        for a in ["DatatypesVersion", "TransportVersion", "TransactionVersion", "StructuresVersion", "ECLVersion"] {
            XCTAssertTrue(xml.contains("\(a)=\"2017071\""), a)
        }
        XCTAssertTrue(xml.contains("TransactionDomain=\"SCRIPT\""))
        XCTAssertFalse(xml.contains("xmlns"), "2017071 has no target namespace")
        XCTAssertTrue(xml.contains("<To Qualifier=\"P\">1234567</To>"))
        XCTAssertTrue(xml.contains("<LastName>O'Brien &amp; Sons</LastName>"))
        XCTAssertTrue(xml.contains("<AddressLine1>10 &lt;Example&gt; Ave</AddressLine1>"))
        XCTAssertTrue(xml.contains("<DEASchedule>\n") || xml.contains("<DEASchedule>"), xml)
        let root = try XElement.parse(Data(xml.utf8))
        XCTAssertEqual(root.value("Body/NewRx/MedicationPrescribed/DrugCoded/DEASchedule/Code"), "C48677")
        XCTAssertEqual(root.value("Body/NewRx/MedicationPrescribed/DrugCoded/ProductCode/Qualifier"), "ND")
        XCTAssertEqual(root.value("Body/NewRx/MedicationPrescribed/DrugCoded/DrugDBCode/Qualifier"), "SCD")
        XCTAssertEqual(root.value("Body/NewRx/MedicationPrescribed/Quantity/CodeListQualifier"), "38")
        XCTAssertEqual(root.value("Body/NewRx/Prescriber/NonVeterinarian/Identification/DEANumber"), "BH2468139")
        XCTAssertEqual(root.value("Header/DigitalSignature/DigitalSignatureIndicator"), "true")
        XCTAssertEqual(try codec.parse(Data(xml.utf8)), m)
    }

    func test_everyTransaction_roundTrips() throws {
        let d = Self.details
        var changed = d.medication
        changed.description = "Ibuprofen 800 MG Oral Tablet"
        let bodies: [ScriptBody] = [
            .rxRenewalRequest(d), .rxRenewalResponse(.approved, d), .rxRenewalResponse(.approvedWithChanges, d),
            .rxRenewalResponse(.denied(reasonCode: "AM", reason: "Needs an appointment"), d),
            .rxRenewalResponse(.deniedNewPrescriptionToFollow, d),
            .rxRenewalResponse(.replace, d), .cancelRx(d), .cancelRxResponse(.approved),
            .cancelRxResponse(.denied(reasonCode: "AR", reason: nil)),
            .rxChangeRequest(code: "G", d, requested: changed), .rxChangeResponse(.approved, d),
            .rxChangeResponse(.validated, nil),
            .rxChangeResponse(.denied(reasonCode: "AA", reason: nil), d), .status(code: "000", description: nil),
            .verify(code: "010"),
            .error(code: "900", descriptionCode: "1000", description: "Cannot identify"),
        ]
        for b in bodies {
            let m = ScriptMessage(header: header("CS-\(b.name)", relatesTo: "CS0"), body: b)
            XCTAssertEqual(try codec.parse(Data(codec.xml(m).utf8)), m, b.name)
        }
    }

    func test_badMessages_areNamedWithCodeAndXPath() {
        func problem(_ xml: String) -> ScriptProblem? {
            do { _ = try codec.parse(Data(xml.utf8)); return nil } catch { return error as? ScriptProblem }
        }
        XCTAssertEqual(problem("<Message><Header>")?.descriptionCode, "500", "not well-formed")
        XCTAssertEqual(
            problem(
                "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM "
                    + "\"file:///etc/passwd\">]><Message>&e;</Message>")?
                .descriptionCode, "500", "no DTDs/entities")
        let good = codec.xml(ScriptMessage(header: header(), body: .newRx(Self.details)))
        let noID = good.replacingOccurrences(of: "<MessageID>CS1</MessageID>", with: "")
        XCTAssertEqual(
            problem(noID), ScriptProblem("900", "3000", "MessageID is required.", xpath: "/Message/Header/MessageID"))
        let longID = good.replacingOccurrences(
            of: "<MessageID>CS1</MessageID>", with: "<MessageID>\(String(repeating: "X", count: 36))</MessageID>")
        XCTAssertEqual(problem(longID)?.xpath, "/Message/Header/MessageID")
        XCTAssertEqual(
            problem(
                good.replacingOccurrences(
                    of: #"TransactionVersion="2017071""#, with: #"TransactionVersion="2023011""#))?
                .xpath, "/Message/@TransactionVersion")
        XCTAssertEqual(
            problem(good.replacingOccurrences(of: "<City>Evansville</City>", with: ""))?.xpath,
            "/Message/Body/NewRx/Patient/HumanPatient/Address/City",
            "NewRx needs the patient's address")
        XCTAssertEqual(
            problem(
                good.replacingOccurrences(
                    of: "<NumberOfRefills>1</NumberOfRefills>", with: "<NumberOfRefills>many</NumberOfRefills>"))?
                .descriptionCode, "144")
        XCTAssertEqual(problem(good.replacingOccurrences(of: "NewRx>", with: "Resupply>"))?.descriptionCode, "4040")
        let status = codec.xml(ScriptMessage(header: header(), body: .status(code: "000", description: nil)))
        XCTAssertEqual(problem(status)?.xpath, "/Message/Header/RelatesToMessageID", "responses relate to a message")
    }

    func test_versionSwitch_refusesWhatThisBuildCannotWrite() {
        XCTAssertThrowsError(try ScriptCodec.for(.v2023011)) { XCTAssertEqual(($0 as? ScriptProblem)?.code, "700") }
        XCTAssertEqual(ScriptVersion.supported, [.v2017071])
    }

    func test_epcsRefillRules() {
        XCTAssertNotNil(PrescribingRules.refillProblem(schedule: .c2, refills: 1))
        XCTAssertNil(PrescribingRules.refillProblem(schedule: .c2, refills: 0))
        XCTAssertNil(PrescribingRules.refillProblem(schedule: .c3, refills: 5))
        XCTAssertNotNil(PrescribingRules.refillProblem(schedule: .c4, refills: 6))
        XCTAssertNil(PrescribingRules.refillProblem(schedule: .c5, refills: 11))
        XCTAssertNil(PrescribingRules.refillProblem(schedule: nil, refills: 11))
        XCTAssertNil(
            PrescribingRules.sixMonthProblem(schedule: .c4, daysSupply: 30, refills: 5),
            "6 × 30 days fits in six months")
        XCTAssertNotNil(PrescribingRules.sixMonthProblem(schedule: .c4, daysSupply: 90, refills: 2))
        XCTAssertNil(PrescribingRules.sixMonthProblem(schedule: nil, daysSupply: 90, refills: 5))
    }

    func test_identifiersAndRouting() {
        XCTAssertTrue(PrescribingRules.deaNumberValid("BH2468139"))
        XCTAssertFalse(PrescribingRules.deaNumberValid("BH2468138"), "check digit")
        XCTAssertFalse(PrescribingRules.deaNumberValid("B12468139"))
        XCTAssertTrue(PrescribingRules.npiValid("1234567893"))
        XCTAssertFalse(PrescribingRules.npiValid("1234567890"))
        let a = UUID(), b = UUID()
        XCTAssertEqual(
            PrescribingRules.routeRenewal(prescriber: a, prescriberAway: false, covering: b, coveringAway: false).0, a)
        XCTAssertEqual(
            PrescribingRules.routeRenewal(prescriber: a, prescriberAway: true, covering: b, coveringAway: false).0, b)
        XCTAssertEqual(
            PrescribingRules.routeRenewal(prescriber: a, prescriberAway: true, covering: b, coveringAway: true).0, a,
            "nobody better to send it to")
        XCTAssertEqual(
            PrescribingRules.routeRenewal(prescriber: a, prescriberAway: true, covering: nil, coveringAway: false).0, a)
    }
}
