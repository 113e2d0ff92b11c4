import Vapor
import Fluent
import Domain
import AppCore
import Patients

/// Referrals into the practice, through the audited scope (`clinical`): clinical staff record and read them; an
/// accepted orthotic-referral intake records one, its letter linked.
extension ClinicalStore {
    package struct ReferralDTO: Content {
        package let id: UUID
        package let patientId: UUID
        package let referrerName: String
        package let referrerNPI: String
        package let referrerPhone: String?
        package let referrerFax: String?
        package let diagnosis: String
        package let request: String
        package let letterAttachmentId: UUID?
        package let letterNote: String?
        package let source: String
        package let receivedAt: Date
        package let recordedBy: String

        init(_ r: ReferralRecord) throws {
            id = try r.requireID()
            patientId = r.patientID
            referrerName = r.referrerName
            referrerNPI = r.referrerNPI
            referrerPhone = r.referrerPhone
            referrerFax = r.referrerFax
            diagnosis = r.diagnosis
            request = r.request
            letterAttachmentId = r.letterAttachmentID
            letterNote = r.letterNote
            source = r.source
            receivedAt = r.receivedAt
            recordedBy = r.recordedBy
        }
    }

    package func referrals(patientID: UUID) async throws -> [ReferralDTO] {
        try await scope.authorize(.readClinical(patientID: patientID), patientID: patientID)
        guard scope.principal.role != .patient else {
            throw AppError.forbidden("Referral letters are for the care team.")
        }
        return try await scope.run { tx in
            let rows = try await ReferralRecord.query(on: tx).filter(\.$patientID == patientID)
                .sort(\.$receivedAt, .descending).all()
            return (
                try rows.map(ReferralDTO.init),
                [
                    AuditDraft(
                        action: .query, category: .clinical, patientID: patientID, entityType: "Referral",
                        detail: "\(rows.count) referrals listed")
                ]
            )
        }
    }

    /// Records a referral. The letter, when there is one, must be an attachment of this patient's (checked by the
    /// caller that stored it: the intake).
    @discardableResult
    package func addReferral(patientID: UUID, _ input: ReferralInput, fromIntake: UUID? = nil) async throws
        -> ReferralDTO
    {
        try await scope.authorize(.recordClinical(patientID: patientID), patientID: patientID)
        let errors = ReferralRules.check(input)
        if !errors.isEmpty { throw AppError.validation(errors) }
        let by = scope.principal.username, now = scope.now
        let source = provenance(patientID, fromIntake: fromIntake).source
        return try await scope.run { tx in
            guard try await PatientRecord.find(patientID, on: tx) != nil else {
                throw AppError.notFound("No patient with that id.")
            }
            let r = ReferralRecord()
            r.id = UUID()
            r.receivedAt = now
            r.recordedBy = by
            r.referrerName = Text.clean(input.referrerName)!
            r.referrerNPI = Text.clean(input.referrerNPI)!
            r.referrerPhone = Text.clean(input.referrerPhone)
            r.referrerFax = Text.clean(input.referrerFax)
            r.diagnosis = Text.clean(input.diagnosis)!
            r.request = Text.clean(input.request)!
            r.letterNote = Text.clean(input.letterNote)
            r.letterAttachmentID = input.letterAttachmentId
            r.source = source
            r.patientID = patientID
            try await r.create(on: tx)
            return (
                try ReferralDTO(r),
                [
                    AuditDraft(
                        action: .create, category: .clinical, patientID: patientID, entityType: "Referral",
                        entityID: r.id?.uuidString, detail: "referral from NPI \(r.referrerNPI)")
                ]
            )
        }
    }
}
