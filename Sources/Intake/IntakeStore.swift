import Vapor
import Fluent
import Domain
import AppCore
import ClinicalRecord
import Patients
import Photos

/// Intake forms: definitions (versioned data), the patient's drafts and submissions, and the staff review that
/// accepts answers into the chart or returns the form with a comment. Every read and change is audited (`intake`).
package struct IntakeStore {
    package let scope: AuditScope

    package struct SubmissionDTO: Content {
        package let id: UUID
        package let patientId: UUID
        package let formCode: String
        package let formVersion: Int
        package let status: IntakeStatus
        package let answers: [String: String]
        package let updatedAt: Date
        package let submittedAt: Date?
        package let reviewComment: String?
        package let signedName: String?
        package let signedAt: Date?

        package init(_ r: IntakeSubmissionRecord) throws {
            id = try r.requireID(); patientId = r.patientID; formCode = r.formCode; formVersion = r.formVersion;
            status = r.status
            answers = r.answerMap; updatedAt = r.updatedAt; submittedAt = r.submittedAt; reviewComment = r.reviewComment
            signedName = r.signedName; signedAt = r.signedAt
        }
    }

    package struct QueueItem: Content {
        package let id: UUID
        package let patientId: UUID
        package let patientName: String
        package let mrn: String
        package let formCode: String
        package let formTitle: String
        package let submittedAt: Date
    }

    /// The newest version of every form.
    package static func latestForms(_ db: any Database) async throws -> [FormDefinition] {
        let all = try await FormDefinitionRecord.query(on: db).sort(\.$code).sort(\.$version, .descending).all()
        var seen: Set<String> = []
        return all.compactMap { r in seen.insert(r.code).inserted ? r.form : nil }
    }

    package static func definition(_ code: String, version: Int? = nil, on db: any Database) async throws
        -> FormDefinition
    {
        let q = FormDefinitionRecord.query(on: db).filter(\.$code == code)
        if let v = version { q.filter(\.$version == v) }
        guard let f = try await q.sort(\.$version, .descending).first()?.form else {
            throw AppError.notFound("No form called \(code).")
        }
        return f
    }

    /// The patient's open (draft or returned) intake of this form, if any.
    package func open(patientID: UUID, code: String) async throws -> SubmissionDTO? {
        try await scope.authorize(.readIntake(patientID: patientID), patientID: patientID)
        return try await scope.run { tx in
            let r = try await IntakeSubmissionRecord.query(on: tx).filter(\.$patientID == patientID).filter(
                \.$formCode == code
            )
            .filter(\.$status ~~ [IntakeStatus.draft, IntakeStatus.returned]).sort(\.$updatedAt, .descending).first()
            return (
                try r.map(SubmissionDTO.init),
                r.map {
                    [
                        AuditDraft(
                            action: .read, category: .intake, patientID: patientID, entityType: "Intake",
                            entityID: $0.id?.uuidString, detail: "draft opened")
                    ]
                } ?? []
            )
        }
    }

    /// The patient's intakes, newest first.
    package func list(patientID: UUID) async throws -> [SubmissionDTO] {
        try await scope.authorize(.readIntake(patientID: patientID), patientID: patientID)
        return try await scope.run { tx in
            let rows = try await IntakeSubmissionRecord.query(on: tx).filter(\.$patientID == patientID).sort(
                \.$updatedAt, .descending
            ).all()
            return (
                try rows.map(SubmissionDTO.init),
                [
                    AuditDraft(
                        action: .read, category: .intake, patientID: patientID, entityType: "Intake",
                        detail: "\(rows.count) intakes listed")
                ]
            )
        }
    }

    /// Saves the patient's answers as a draft, or submits them for review. A draft checks only what is filled in;
    /// a submission needs every required answer and a signature that matches the patient's name.
    package func save(patientID: UUID, code: String, answers raw: [String: String], submit: Bool) async throws
        -> SubmissionDTO
    {
        try await scope.authorize(.fillIntake(patientID: patientID), patientID: patientID)
        let now = scope.now
        let today = CalendarDate.today(now)
        let db = scope.db
        let existing = try await IntakeSubmissionRecord.query(on: db).filter(\.$patientID == patientID).filter(
            \.$formCode == code
        )
        .filter(\.$status ~~ [IntakeStatus.draft, IntakeStatus.returned]).sort(\.$updatedAt, .descending).first()
        let form = try await Self.definition(code, version: existing?.formVersion, on: db)
        // Keep only this form's fields, trimmed.
        var answers: [String: String] = [:]
        for f in form.fields { if let v = Text.clean(raw[f.id]) { answers[f.id] = v } }
        var errors = form.validate(answers, submitting: submit, today: today)
        for f in form.fields where f.kind == .file {
            if let v = answers[f.id], let id = UUID(uuidString: v) {
                do {
                    try await PhotoStore(scope: scope).checkAttachment(id, patientID: patientID, field: f.id)
                } catch AppError.validation(let e) { errors += e }
            }
        }
        if submit, let npi = answers["referrerNPI"], !PrescribingRules.npiValid(npi) {
            errors.append(FieldError("referrerNPI", "NPI: 10 digits with a valid check digit (check it for a typo)."))
        }
        var signature: String?
        if submit, let sigField = form.fields.first(where: { $0.kind == .signature }), let typed = answers[sigField.id],
            let patient = try await PatientRecord.find(patientID, on: db)
        {
            if FormDefinition.signatureMatches(typed, givenName: patient.givenName, familyName: patient.familyName) {
                signature = typed
            } else {
                errors.append(
                    FieldError(
                        sigField.id,
                        "Type your full name as the practice has it (\(patient.givenName) \(patient.familyName)) to "
                            + "sign."
                    ))
            }
        }
        if !errors.isEmpty { throw AppError.validation(errors) }
        let json = String(decoding: try JSONEncoder().encode(answers), as: UTF8.self)
        let existingID = existing?.id
        let (signed, answerCount) = (signature, answers.count)
        return try await scope.run { tx in
            let r: IntakeSubmissionRecord
            if let id = existingID, let cur = try await IntakeSubmissionRecord.find(id, on: tx),
                [IntakeStatus.draft, .returned].contains(cur.status)
            {
                r = cur
            } else {
                r = IntakeSubmissionRecord()
                r.id = UUID()
                r.createdAt = now
                r.status = .draft
                r.formCode = form.code
                r.formVersion = form.version
                r.patientID = patientID
            }
            let isNew = r.status == .draft && existingID == nil
            r.answers = json
            r.updatedAt = now
            if submit {
                r.status = .submitted
                r.submittedAt = now
                r.signedName = signed
                r.signedAt = signed == nil ? nil : now
            }
            try await r.save(on: tx)
            return (
                try SubmissionDTO(r),
                [
                    AuditDraft(
                        action: isNew ? .create : .update, category: .intake, patientID: patientID,
                        entityType: "Intake",
                        entityID: r.id?.uuidString,
                        detail:
                            "\(form.code) v\(form.version) \(submit ? "submitted" : "draft saved"); \(answerCount) "
                            + "answers"
                    )
                ]
            )
        }
    }

    /// Submitted intakes waiting for review, oldest first.
    package func queue() async throws -> [QueueItem] {
        try await scope.authorize(.reviewIntakes)
        let forms = Dictionary(uniqueKeysWithValues: try await Self.latestForms(scope.db).map { ($0.code, $0.title) })
        return try await scope.run { tx in
            let rows = try await IntakeSubmissionRecord.query(on: tx).filter(\.$status == IntakeStatus.submitted).sort(
                \.$submittedAt
            ).limit(200).all()
            var items: [QueueItem] = []
            var drafts: [AuditDraft] = []
            for r in rows {
                guard let p = try await PatientRecord.find(r.patientID, on: tx) else { continue }
                items.append(
                    QueueItem(
                        id: try r.requireID(), patientId: r.patientID, patientName: "\(p.familyName), \(p.givenName)",
                        mrn: p.mrn,
                        formCode: r.formCode, formTitle: forms[r.formCode] ?? r.formCode,
                        submittedAt: r.submittedAt ?? r.updatedAt))
                drafts.append(
                    AuditDraft(
                        action: .query, category: .intake, patientID: r.patientID, entityType: "Intake",
                        entityID: r.id?.uuidString, detail: "review queue"))
            }
            return (items, drafts)
        }
    }

    package func find(_ id: UUID) async throws -> (SubmissionDTO, FormDefinition) {
        guard let r = try await IntakeSubmissionRecord.find(id, on: scope.db) else {
            throw AppError.notFound("No such intake.")
        }
        try await scope.authorize(.readIntake(patientID: r.patientID), patientID: r.patientID)
        let form = try await Self.definition(r.formCode, version: r.formVersion, on: scope.db)
        try await scope.record([
            AuditDraft(
                action: .read, category: .intake, patientID: r.patientID, entityType: "Intake", entityID: id.uuidString)
        ])
        return (try SubmissionDTO(r), form)
    }

    /// Accepts a submitted intake: answers that map to chart fields update the record (a new chart version).
    package func accept(_ id: UUID) async throws -> (SubmissionDTO, [String]) {
        try await scope.authorize(.reviewIntakes)
        let (r, form) = try await find(id)
        guard r.status == .submitted else {
            throw AppError.conflict(
                type: "not-submitted", detail: "Only a submitted intake can be accepted (this one is \(r.status)).",
                extra: [:])
        }
        let answers = r.answers
        var input = PatientInput()
        var changed: [String] = []
        for f in form.fields {
            guard let target = f.mapsTo, let v = answers[f.id] else { continue }
            changed.append(target)
            switch target {
            case "email": input.email = v
            case "phone": input.phone = v
            case "addressLine1": input.addressLine1 = v
            case "addressLine2": input.addressLine2 = v
            case "city": input.city = v
            case "state": input.state = v
            case "postalCode": input.postalCode = v
            case "insurancePayer": input.insurancePayer = v
            case "insuranceMemberID": input.insuranceMemberID = v
            case "insuranceGroup": input.insuranceGroup = v
            default: changed.removeLast()
            }
        }
        if !changed.isEmpty {
            do {
                _ = try await PatientStore(scope: scope).update(r.patientId, input, expectedVersion: nil)
            } catch AppError.validation(let errors) {
                throw AppError.validation(
                    errors.map {
                        FieldError(
                            $0.field,
                            "The intake's answer cannot go into the chart: \($0.message) Return it to the patient.")
                    })
            }
        }
        let now = scope.now, by = scope.principal.username
        let changedFields = changed
        let done = try await scope.run { tx in
            guard let cur = try await IntakeSubmissionRecord.find(id, on: tx), cur.status == .submitted else {
                throw AppError.conflict(
                    type: "not-submitted", detail: "Someone else reviewed this intake meanwhile.", extra: [:])
            }
            cur.status = .accepted
            cur.reviewedAt = now
            cur.reviewedBy = by
            try await cur.save(on: tx)
            return (
                try SubmissionDTO(cur),
                [
                    AuditDraft(
                        action: .update, category: .intake, patientID: cur.patientID, entityType: "Intake",
                        entityID: id.uuidString,
                        detail: "accepted; chart fields updated: \(changedFields.joined(separator: ","))")
                ]
            )
        }
        // The answers that name conditions, allergies and medicines wait in the clinical summary for a provider.
        let clinical = ClinicalStore(scope: scope)
        for entry in IntakeClinicalMapping.entries(formCode: r.formCode, answers: answers) {
            do {
                try await clinical.add(patientID: r.patientId, entry, fromIntake: id)
            } catch AppError.conflict {
                continue  // "no known allergies" beside allergies already recorded: the recorded ones stand
            } catch AppError.validation {
                continue  // an answer that is not a valid entry stays in the intake for the clinician to read
            }
        }
        // An orthotic referral becomes a referral record (its letter already checked as this patient's upload).
        if let referral = ReferralRules.fromIntake(formCode: r.formCode, answers: answers) {
            do {
                try await clinical.addReferral(patientID: r.patientId, referral, fromIntake: id)
            } catch AppError.validation {
                // An answer a referral cannot hold (an NPI that fails its check) stays in the intake to read.
            }
        }
        for observation in IntakeClinicalMapping.observations(formCode: r.formCode, answers: answers) {
            do {
                try await clinical.recordObservation(patientID: r.patientId, observation, fromIntake: id)
            } catch AppError.validation {
                continue
            }
        }
        return (done, changed)
    }

    /// Returns a submitted intake to the patient with a comment; they edit and submit it again.
    package func returnToPatient(_ id: UUID, comment: String?) async throws -> SubmissionDTO {
        try await scope.authorize(.reviewIntakes)
        guard let text = Text.clean(comment), text.count <= 1000 else {
            throw AppError.validation([
                FieldError("comment", "Say what the patient should change (at most 1000 characters).")
            ])
        }
        let now = scope.now, by = scope.principal.username
        let outcome = try await scope.run { tx in
            guard let cur = try await IntakeSubmissionRecord.find(id, on: tx) else {
                throw AppError.notFound("No such intake.")
            }
            guard cur.status == .submitted else {
                throw AppError.conflict(
                    type: "not-submitted", detail: "Only a submitted intake can be returned.", extra: [:])
            }
            cur.status = .returned
            cur.reviewComment = text
            cur.reviewedAt = now
            cur.reviewedBy = by
            try await cur.save(on: tx)
            return (
                try SubmissionDTO(cur),
                [
                    AuditDraft(
                        action: .update, category: .intake, patientID: cur.patientID, entityType: "Intake",
                        entityID: id.uuidString, detail: "returned to patient")
                ]
            )
        }
        return outcome
    }
}

extension Request {
    package func intake() throws -> IntakeStore { IntakeStore(scope: try scope()) }
}
