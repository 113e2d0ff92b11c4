import XCTest
@testable import Domain

final class AccessPolicyTests: XCTestCase {
    let p1 = UUID(), p2 = UUID()

    func who(_ role: Role, patient: UUID? = nil) -> Principal {
        Principal(userID: UUID(), username: role.rawValue, role: role, patientID: patient)
    }

    func test_patient_ownsOwnRecordOnly() {
        let pat = who(.patient, patient: p1)
        XCTAssertTrue(AccessPolicy.decide(pat, .readPatient(p1)).isAllowed)
        XCTAssertTrue(AccessPolicy.decide(pat, .readPatientAccessLog(p1)).isAllowed)
        XCTAssertFalse(AccessPolicy.decide(pat, .readPatient(p2)).isAllowed)
        XCTAssertFalse(AccessPolicy.decide(pat, .readPatientAccessLog(p2)).isAllowed)
        XCTAssertFalse(AccessPolicy.decide(pat, .searchPatients).isAllowed)
        XCTAssertFalse(AccessPolicy.decide(pat, .updatePatient(p1)).isAllowed)
        XCTAssertFalse(AccessPolicy.decide(pat, .useStaffArea).isAllowed)
        XCTAssertTrue(AccessPolicy.decide(pat, .usePortal).isAllowed)
    }

    func test_roleMatrix() {
        let expectations: [(Role, Domain.Action, Bool)] = [
            (.frontDesk, .createPatient, true), (.frontDesk, .readPatient(p1), true),
            (.frontDesk, .readAuditReport, false),
            (.frontDesk, .manageUsers, false), (.frontDesk, .deletePatient(p1), false),
            (.frontDesk, .readPatientAccessLog(p1), false),
            (.medicalAssistant, .updatePatient(p1), true), (.provider, .readPatient(p1), true),
            (.medicalDirector, .searchPatients, true),
            (.admin, .readAuditReport, true), (.admin, .exportAuditReport, true), (.admin, .manageUsers, true),
            (.admin, .deletePatient(p1), true),
            (.support, .readPatient(p1), false), (.support, .searchPatients, false),
            (.operator, .readPatient(p1), false),
            (.operator, .verifyAuditChain, true), (.operator, .readOperations, true),
            (.provider, .verifyAuditChain, false),
            (.provider, .usePortal, false), (.support, .useStaffArea, true),
        ]
        for (role, action, allowed) in expectations {
            XCTAssertEqual(AccessPolicy.decide(who(role), action).isAllowed, allowed, "\(role) \(action)")
        }
    }

    /// Clinical content (intake answers, files patients send, video visit records) is not for the front desk, who
    /// still book, message and register.
    func test_clinicalContent_notForTheFrontDesk() {
        let expectations: [(Role, Domain.Action, Bool)] = [
            (.frontDesk, .readIntake(patientID: p1), false), (.frontDesk, .reviewIntakes, false),
            (.frontDesk, .readAttachment(patientID: p1), false), (.frontDesk, .readVisitRecord(patientID: p1), false),
            (.frontDesk, .readMessages(patientID: p1), true), (.frontDesk, .readStaffInbox, true),
            (.medicalAssistant, .readIntake(patientID: p1), true), (.medicalAssistant, .reviewIntakes, true),
            (.medicalAssistant, .readAttachment(patientID: p1), true),
            (.provider, .readVisitRecord(patientID: p1), true),
            (.support, .readAttachment(patientID: p1), false),
        ]
        for (role, action, allowed) in expectations {
            XCTAssertEqual(AccessPolicy.decide(who(role), action).isAllowed, allowed, "\(role) \(action)")
        }
        XCTAssertTrue(AccessPolicy.decide(who(.patient, patient: p1), .readAttachment(patientID: p1)).isAllowed)
        XCTAssertFalse(AccessPolicy.decide(who(.patient, patient: p1), .readAttachment(patientID: p2)).isAllowed)
        XCTAssertFalse(AccessPolicy.decide(who(.patient, patient: p1), .readVisitRecord(patientID: p1)).isAllowed)
    }

    func test_mfaRequiredForClinicalAndAdmin() {
        XCTAssertEqual(Set(Role.allCases.filter(\.requiresMFA)), [.admin, .medicalDirector, .provider])
    }
}
