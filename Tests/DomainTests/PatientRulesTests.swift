import XCTest
@testable import Domain

final class PatientRulesTests: XCTestCase {
    let today = "2026-11-22"

    func errors(_ input: PatientInput) -> [String] {
        if case .failure(let f) = PatientRules.validated(input, today: today) { return f.errors.map(\.field) }
        return []
    }

    func test_validInput_isNormalised() throws {
        let r = PatientRules.validated(
            PatientInput(
                familyName: "  Garcia ", givenName: "Maria", birthDate: "1961-04-12", sex: "Female",
                email: "m@example.org", phone: "+1 (812) 555-0100"), today: today)
        let d = try r.get()
        XCTAssertEqual(d.familyName, "Garcia")
        XCTAssertEqual(d.sex, .female)
        XCTAssertEqual(d.phone, "+1 (812) 555-0100")
    }

    func test_missingAndImpossible_eachFieldNamed() {
        XCTAssertEqual(errors(PatientInput()), ["familyName", "givenName", "birthDate", "sex"])
        XCTAssertEqual(
            errors(PatientInput(familyName: "A", givenName: "B", birthDate: "2023-02-29", sex: "male")), ["birthDate"])
        XCTAssertEqual(
            errors(PatientInput(familyName: "A", givenName: "B", birthDate: "2024-02-30", sex: "male")), ["birthDate"])
        XCTAssertEqual(
            errors(PatientInput(familyName: "A", givenName: "B", birthDate: "2030-01-01", sex: "male")), ["birthDate"])
        XCTAssertEqual(
            errors(PatientInput(familyName: "A", givenName: "B", birthDate: "1850-01-01", sex: "male")), ["birthDate"])
        XCTAssertEqual(
            errors(PatientInput(familyName: "A", givenName: "B", birthDate: "12/05/1970", sex: "male")), ["birthDate"])
        XCTAssertEqual(
            errors(PatientInput(familyName: "A", givenName: "B", birthDate: "1970-01-01", sex: "yes")), ["sex"])
        XCTAssertTrue(
            errors(PatientInput(familyName: "A", givenName: "B", birthDate: "2024-02-29", sex: "male")).isEmpty,
            "leap day is real")
    }

    func test_oversizedAndMalformedContact() {
        let long = String(repeating: "x", count: 101)
        XCTAssertEqual(
            errors(PatientInput(familyName: long, givenName: "B", birthDate: "1970-01-01", sex: "male")), ["familyName"]
        )
        XCTAssertEqual(
            errors(PatientInput(familyName: "A", givenName: "B", birthDate: "1970-01-01", sex: "male", email: "nope")),
            ["email"])
        XCTAssertEqual(
            errors(PatientInput(familyName: "A", givenName: "B", birthDate: "1970-01-01", sex: "male", phone: "12")),
            ["phone"])
        XCTAssertEqual(
            errors(PatientInput(familyName: "A\u{0007}", givenName: "B", birthDate: "1970-01-01", sex: "male")),
            ["familyName"])
        // Names that display as something else, or hide characters: refused with the character named.
        for bad in ["Smi\u{202E}htims", "Sm\u{200B}ith", "Smith\nJones", "\u{2066}Smith\u{2069}", "Smi\u{00AD}th"] {
            XCTAssertEqual(
                errors(PatientInput(familyName: bad, givenName: "B", birthDate: "1970-01-01", sex: "male")),
                ["familyName"], bad)
        }
        // Joiners that real names need stay allowed (Persian: Mohammad\u200CReza).
        XCTAssertEqual(
            errors(
                PatientInput(
                    familyName: "Karimi", givenName: "Mohammad\u{200C}reza", birthDate: "1970-01-01", sex: "male")), [])
        XCTAssertEqual(
            errors(
                PatientInput(
                    familyName: "A", givenName: "B", birthDate: "1970-01-01", sex: "male", insuranceMemberID: "M1")),
            ["insurancePayer"])
    }

    func test_partialUpdate_keepsUnsentFields_andListsChanges() throws {
        let base = try PatientRules.validated(
            PatientInput(
                familyName: "Garcia", givenName: "Maria", birthDate: "1961-04-12", sex: "female",
                phone: "8125550100"), today: today
        ).get()
        let updated = try PatientRules.validated(
            PatientInput(phone: "8125550199", insurancePayer: "Medicare"), over: base, today: today
        ).get()
        XCTAssertEqual(updated.familyName, "Garcia")
        XCTAssertEqual(updated.changedFields(from: base), ["phone", "insurancePayer"])
        XCTAssertEqual(PatientDemographics.categories(of: ["phone", "insurancePayer"]), [.contact, .insurance])
        // Sending an empty required field clears nothing: it is refused.
        if case .success = PatientRules.validated(PatientInput(familyName: ""), over: base, today: today) {
            XCTFail("empty family name accepted")
        }
    }

    func test_duplicateKey_ignoresCaseSpacingAndAccents() {
        XCTAssertEqual(
            PatientRules.duplicateKey(familyName: "García", givenName: " maria ", birthDate: "1961-04-12"),
            PatientRules.duplicateKey(familyName: "garcia", givenName: "MARIA", birthDate: "1961-04-12"))
        XCTAssertNotEqual(
            PatientRules.duplicateKey(familyName: "Garcia", givenName: "Maria", birthDate: "1961-04-13"),
            PatientRules.duplicateKey(familyName: "Garcia", givenName: "Maria", birthDate: "1961-04-12"))
    }

    func test_mrn_checkDigitCatchesTypos() {
        let mrn = MRN.make(prefix: "CS", sequence: 1234)
        XCTAssertEqual(mrn.count, 2 + 6 + 1)
        XCTAssertTrue(MRN.isValid(mrn, prefix: "CS"))
        var digits = Array(mrn)
        digits[5] = digits[5] == "9" ? "8" : Character(String((digits[5].wholeNumberValue ?? 0) + 1))
        XCTAssertFalse(MRN.isValid(String(digits), prefix: "CS"))
        XCTAssertNotEqual(MRN.make(prefix: "CS", sequence: 1), MRN.make(prefix: "CS", sequence: 2))
    }
}
