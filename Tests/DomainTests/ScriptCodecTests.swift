import XCTest
@testable import Domain

final class ScriptCodecTests: XCTestCase {
    let codec = try! ScriptCodec.for(.v2017071)

    static let details = RxDetails(
        patient: ScriptPatient(
            lastName: "O'Brien & Sons", firstName: "Ann", gender: "F", dateOfBirth: "1961-04-12",
            addressLine1: "10 <Example> Ave",
            city: "Evansville", state: "IN", postalCode: "47708"),
        pharmacy: ScriptPharmacy(
            ncpdpid: "1234567", npi: "1234567893", businessName: "CareSync Test Pharmacy",
            address: ScriptAddress(line1: "5 Market St", city: "Evansville", state: "IN", postalCode: "47708"),
            phone: "8125550300"),
        prescriber: ScriptPrescriber(
            npi: "1765432103", deaNumber: "BH2468139", lastName: "Hughes", firstName: "Morgan",
            address: ScriptAddress(line1: "100 Main St", city: "Evansville", state: "IN", postalCode: "47708"),
            phone: "8125550100"),
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
            sentTime: Date(timeIntervalSince1970: 1_795_000_000), prescriberOrderNumber: "RX-1", digitallySigned: true)
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
        XCTAssertNil(root.at("Header/DigitalSignature/DigestValue"), "the indicator, or the signature with X509Data")
        XCTAssertEqual(
            root.at("Body/NewRx/Prescriber/NonVeterinarian/Identification")?.children.map(\.name), ["DEANumber", "NPI"])
        XCTAssertEqual(root.value("Body/NewRx/Pharmacy/CommunicationNumbers/PrimaryTelephone/Number"), "8125550300")
        XCTAssertEqual(try codec.parse(Data(xml.utf8)), m)
    }

    func test_everyTransaction_roundTrips() throws {
        let d = Self.details
        var changed = d.medication
        changed.description = "Ibuprofen 800 MG Oral Tablet"
        var dispensed = d
        dispensed.medication.lastFillDate = "2026-11-20"
        let bodies: [ScriptBody] = [
            .rxRenewalRequest(dispensed), .rxRenewalResponse(.approved, d), .rxRenewalResponse(.approvedWithChanges, d),
            .rxRenewalResponse(.denied(reasonCode: "AM", reason: "Needs an appointment"), d),
            .rxRenewalResponse(.deniedNewPrescriptionToFollow, d),
            .rxRenewalResponse(.replace, d), .cancelRx(d), .cancelRxResponse(.approved),
            .cancelRxResponse(.denied(reasonCode: "AR", reason: nil)),
            .rxChangeRequest(code: "G", d, requested: changed), .rxChangeResponse(code: "G", .approved, d),
            .rxChangeResponse(code: "P", .validated, d),
            .rxChangeResponse(code: "G", .denied(reasonCode: "AA", reason: nil), d),
            .status(code: "000", description: nil),
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

    /// Every kind of message either side writes keeps the 2017071 schema's rules (the ones `ScriptConformance`
    /// encodes: order, required elements, lengths, code lists), and each rule a message once broke is caught.
    func test_everyMessageKind_keepsTheSchemaRules_andBrokenOnesAreNamedWithTheirXPath() throws {
        let d = Self.details
        var renewal = d
        renewal.medication.lastFillDate = "2026-11-01"
        let bodies: [ScriptBody] = [
            .newRx(d), .rxRenewalRequest(renewal), .rxRenewalResponse(.approved, d),
            .rxRenewalResponse(.approvedWithChanges, d),
            .rxRenewalResponse(.denied(reasonCode: "AM", reason: "Visit"), d),
            .rxRenewalResponse(.deniedNewPrescriptionToFollow, d), .rxRenewalResponse(.replace, d), .cancelRx(d),
            .cancelRxResponse(.approved), .cancelRxResponse(.denied(reasonCode: "AR", reason: nil)),
            .rxChangeRequest(code: "G", d, requested: d.medication), .rxChangeResponse(code: "G", .approved, d),
            .rxChangeResponse(code: "P", .validated, d), .status(code: "000", description: "Received"),
            .verify(code: "010"), .error(code: "900", descriptionCode: "3000", description: "x XPath: /Message"),
        ]
        for b in bodies {
            let m = ScriptMessage(header: header("CS-\(b.name)", relatesTo: "CS0"), body: b)
            let root = try XElement.parse(Data(codec.xml(m).utf8))
            XCTAssertNil(ScriptConformance.problem(root), "\(b.name): \(ScriptConformance.problem(root)!)")
        }
        /// The document on one line, so a test can cut and swap elements as text.
        func compact(_ s: String) -> String {
            s.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined()
        }
        let good = compact(codec.xml(ScriptMessage(header: header(), body: .newRx(d))))
        func problem(_ xml: String) -> ScriptProblem? { ScriptConformance.problem(try! XElement.parse(Data(xml.utf8))) }
        // What the schema found in earlier CareSync messages.
        let beforeFix = [
            (
                good.replacingOccurrences(
                    of: "<DEANumber>BH2468139</DEANumber><NPI>1765432103</NPI>",
                    with: "<NPI>1765432103</NPI><DEANumber>BH2468139</DEANumber>"),
                "/Message/Body/NewRx/Prescriber/NonVeterinarian/Identification/DEANumber"
            ),
            (
                good.replacingOccurrences(
                    of: "<PrescriberOrderNumber>RX-1</PrescriberOrderNumber>",
                    with: "<PrescriberOrderNumber>\(UUID().uuidString)</PrescriberOrderNumber>"),
                "/Message/Header/PrescriberOrderNumber"
            ),
            (
                good.replacingOccurrences(
                    of: "<DigitalSignatureIndicator>true</DigitalSignatureIndicator>",
                    with:
                        "<DigestMethod>SHA-256</DigestMethod>"
                        + "<DigitalSignatureIndicator>true</DigitalSignatureIndicator>"
                ),
                "/Message/Header/DigitalSignature/DigestMethod"
            ),
            (
                good.replacingOccurrences(
                    of: "<CommunicationNumbers><PrimaryTelephone><Number>8125550300</Number></PrimaryTelephone>"
                        + "</CommunicationNumbers>", with: ""),
                "/Message/Body/NewRx/Pharmacy/CommunicationNumbers"
            ),
            (
                good.replacingOccurrences(of: "<AddressLine1>100 Main St</AddressLine1>", with: ""),
                "/Message/Body/NewRx/Prescriber/NonVeterinarian/Address/AddressLine1"
            ),
        ]
        for (xml, xpath) in beforeFix {
            let p = problem(xml)
            XCTAssertEqual(p?.xpath, xpath, p?.text ?? "no problem found")
            XCTAssertEqual(p?.code, "900")
            XCTAssertEqual(p?.descriptionCode, "3000")
        }
        let response = compact(
            codec.xml(ScriptMessage(header: header("CS2", relatesTo: "P1"), body: .rxRenewalResponse(.approved, d))))
        XCTAssertEqual(
            problem(response.replacingOccurrences(of: "MedicationResponse>", with: "MedicationPrescribed>"))?.xpath,
            "/Message/Body/RxRenewalResponse/MedicationPrescribed")
        XCTAssertEqual(
            problem(good.replacingOccurrences(of: "<Gender>F</Gender>", with: "<Gender>female</Gender>"))?.xpath,
            "/Message/Body/NewRx/Patient/HumanPatient/Gender")
    }

    /// The official schemas are NCPDP's and are not shipped; with a copy at hand (NCPDP_XSD_DIR, the 2017071
    /// transport.xsd and what it includes) every kind of message is validated with xmllint too.
    func test_officialSchemas_acceptEveryMessageKind_whenACopyIsAtHand() throws {
        guard let dir = ProcessInfo.processInfo.environment["NCPDP_XSD_DIR"],
            FileManager.default.fileExists(atPath: dir + "/transport.xsd"),
            FileManager.default.fileExists(atPath: "/usr/bin/xmllint")
        else { throw XCTSkip("no copy of the NCPDP 2017071 schemas (NCPDP_XSD_DIR) or no xmllint") }
        let d = Self.details
        let bodies: [ScriptBody] = [
            .newRx(d), .rxRenewalRequest(d), .rxRenewalResponse(.approved, d),
            .rxRenewalResponse(.denied(reasonCode: "AM", reason: "Visit"), d), .rxRenewalResponse(.replace, d),
            .cancelRx(d), .cancelRxResponse(.approved), .cancelRxResponse(.denied(reasonCode: "AR", reason: nil)),
            .rxChangeRequest(code: "G", d, requested: d.medication), .rxChangeResponse(code: "G", .approved, d),
            .status(code: "000", description: "Received"), .verify(code: "010"),
            .error(code: "900", descriptionCode: "3000", description: "x"),
        ]
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("script-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        for b in bodies {
            let file = tmp.appendingPathComponent("\(b.name)-\(UUID().uuidString.prefix(4)).xml")
            try codec.xml(ScriptMessage(header: header("CS1", relatesTo: "P1"), body: b))
                .write(to: file, atomically: true, encoding: .utf8)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
            p.arguments = ["--noout", "--schema", dir + "/transport.xsd", file.path]
            let err = Pipe()
            p.standardError = err
            try p.run()
            p.waitUntilExit()
            let out = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            XCTAssertEqual(p.terminationStatus, 0, "\(b.name): \(out)")
        }
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

    func test_addressesAndPhones_asSCRIPTHoldsThem() {
        XCTAssertEqual(
            ScriptAddress.parse("100 Main St, Evansville, IN 47708"),
            ScriptAddress(line1: "100 Main St", city: "Evansville", state: "IN", postalCode: "47708"))
        XCTAssertEqual(
            ScriptAddress.parse("Suite 2, 100 Main St, Evansville, in 47708-1234")?.line1, "Suite 2, 100 Main St")
        XCTAssertEqual(ScriptAddress.parse("Suite 2, 100 Main St, Evansville, in 47708-1234")?.postalCode, "477081234")
        XCTAssertNil(ScriptAddress.parse("1 Main St"))
        XCTAssertNil(ScriptAddress.parse("1 Main St, Evansville, Indiana 47708"))
        XCTAssertEqual(ScriptPhone.number("+1 (812) 555-0100"), "8125550100")
        XCTAssertNil(ScriptPhone.number("555-0100"))
    }
}
