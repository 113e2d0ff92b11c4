import Vapor
import Fluent
import Domain
import Accounts
import AppCore
import Jobs
import Locations
import Patients
import Scheduling

/// Procedures and enrolment: recording a procedure enrols when it triggers an approved pathway; stopping.
extension PathwayStore {
    /// Records a procedure; when an approved pathway is triggered by its code, the patient is enrolled in the same
    /// transaction.
    package func recordProcedure(patientID: UUID, _ input: ProcedureInput) async throws -> ProcedureDTO {
        try await scope.authorize(.recordProcedure(patientID: patientID), patientID: patientID)
        var errors: [FieldError] = []
        let code = Text.clean(input.code), name = Text.clean(input.name)
        if code == nil || !(code!.count == 5 && code!.allSatisfy(\.isNumber)) {
            errors.append(FieldError("code", "Enter the five-digit CPT code of the procedure."))
        }
        if name == nil { errors.append(FieldError("name", "Name the procedure.")) }
        let place = try await placeAndProvider(
            day: input.performedOn, dayField: "performedOn", locationID: input.locationId, providerID: input.providerId,
            errors: &errors)
        if !errors.isEmpty { throw AppError.validation(errors) }
        let (zone, day) = place!
        if day > LocalDay.of(scope.now, in: zone) {
            throw AppError.validation([FieldError("performedOn", "The procedure date cannot be in the future.")])
        }
        let now = scope.now, by = scope.principal.username
        let approved = try await PathwayTemplateRecord.query(on: scope.db).filter(\.$status == .approved).all()
            .filter { $0.template?.triggerProcedures.contains(code!) == true }.sorted { $0.createdAt > $1.createdAt }
            .first
        let (proc, enrolment) = try await scope.run { tx in
            let p = ProcedureRecord()
            p.id = UUID()
            p.recordedAt = now
            p.recordedBy = by
            p.code = code!
            p.name = String(name!.prefix(200))
            p.performedOn = day.iso
            p.patientID = patientID
            p.locationID = input.locationId!
            p.providerID = input.providerId!
            try await p.create(on: tx)
            var drafts = [
                AuditDraft(
                    action: .create, category: .pathways, patientID: patientID, entityType: "Procedure",
                    entityID: p.id?.uuidString, detail: "CPT \(code!)")
            ]
            var e: (PathwayEnrolmentRecord, PathwayTemplate)?
            if let t = approved, let tpl = t.template {
                let made = try await Self.enrol(
                    patientID: patientID, template: t, tpl, day: day, zone: zone, locationID: p.locationID,
                    providerID: p.providerID, procedureID: p.id, by: by, now: now, on: tx)
                e = (made, tpl)
                drafts.append(
                    AuditDraft(
                        action: .create, category: .pathways, patientID: patientID, entityType: "PathwayEnrolment",
                        entityID: made.id?.uuidString,
                        detail: "\(t.code) v\(t.version), on procedure"))
            }
            return ((p, e), drafts)
        }
        return ProcedureDTO(
            id: try proc.requireID(), code: proc.code, name: proc.name, performedOn: proc.performedOn,
            enrolment: try enrolment.map { try Self.dto($0.0, $0.1, zone: zone, tasks: []) })
    }

    /// Enrols by hand in the approved version of a pathway.
    package func enrol(patientID: UUID, _ input: EnrolInput) async throws -> EnrolmentDTO {
        try await scope.authorize(.enrolInPathway(patientID: patientID), patientID: patientID)
        var errors: [FieldError] = []
        let code = Text.clean(input.templateCode)
        if code == nil { errors.append(FieldError("templateCode", "Choose a pathway.")) }
        let place = try await placeAndProvider(
            day: input.startDay, dayField: "startDay", locationID: input.locationId, providerID: input.providerId,
            errors: &errors)
        if !errors.isEmpty { throw AppError.validation(errors) }
        let (zone, day) = place!
        guard let t = try await Self.approvedVersion(code!, on: scope.db), let tpl = t.template else {
            if try await PathwayTemplateRecord.query(on: scope.db).filter(\.$code == code!).first() == nil {
                throw AppError.validation([FieldError("templateCode", "No pathway with that code.")])
            }
            throw AppError.conflict(
                type: "not-approved",
                detail:
                    "This pathway has no approved version: the Medical Director must approve it before patients are "
                    + "enrolled.",
                extra: [:])
        }
        let now = scope.now, by = scope.principal.username
        let e = try await scope.run { tx in
            let dup = try await PathwayEnrolmentRecord.query(on: tx).filter(\.$patientID == patientID).filter(
                \.$templateCode == t.code
            )
            .filter(\.$startDay == day.iso).filter(\.$status == .active).first()
            if dup != nil {
                throw AppError.conflict(
                    type: "already-enrolled", detail: "The patient is already on this pathway from \(day.iso).",
                    extra: [:])
            }
            let e = try await Self.enrol(
                patientID: patientID, template: t, tpl, day: day, zone: zone, locationID: input.locationId!,
                providerID: input.providerId!,
                procedureID: nil, by: by, now: now, on: tx)
            return (
                e,
                [
                    AuditDraft(
                        action: .create, category: .pathways, patientID: patientID, entityType: "PathwayEnrolment",
                        entityID: e.id?.uuidString,
                        detail: "\(t.code) v\(t.version), by hand")
                ]
            )
        }
        return try Self.dto(e, tpl, zone: zone, tasks: [])
    }

    private func placeAndProvider(
        day: String?, dayField: String, locationID: UUID?, providerID: UUID?, errors: inout [FieldError]
    ) async throws -> (TimeZone, LocalDay)? {
        let d = Text.clean(day).flatMap(LocalDay.init)
        if d == nil { errors.append(FieldError(dayField, "Write the date as YYYY-MM-DD.")) }
        var zone: TimeZone?
        if let l = locationID, let loc = try await LocationRecord.find(l, on: scope.db) {
            zone = TimeZone(identifier: loc.timeZone)
        } else {
            errors.append(FieldError("locationId", "Choose the location."))
        }
        if let p = providerID, let u = try await UserRecord.find(p, on: scope.db),
            [Role.provider, .medicalDirector].contains(u.role), u.active
        {
        } else {
            errors.append(FieldError("providerId", "Choose the provider of record."))
        }
        guard let d, let zone else { return nil }
        return (zone, d)
    }

    /// Inside a transaction: the enrolment and one job per step at its local time.
    package static func enrol(
        patientID: UUID, template r: PathwayTemplateRecord, _ t: PathwayTemplate, day: LocalDay, zone: TimeZone,
        locationID: UUID,
        providerID: UUID, procedureID: UUID?, by: String, now: Date, on tx: any Database
    ) async throws -> PathwayEnrolmentRecord {
        let e = PathwayEnrolmentRecord()
        e.id = UUID()
        e.createdAt = now
        e.createdBy = by
        e.status = .active
        e.templateCode = r.code
        e.templateVersion = r.version
        e.startDay = day.iso
        e.templateID = try r.requireID()
        e.patientID = patientID
        e.locationID = locationID
        e.providerID = providerID
        e.procedureID = procedureID
        try await e.create(on: tx)
        for s in t.steps {
            guard let at = PathwayRules.fireTime(procedureDay: day, step: s, zone: zone) else { continue }
            try await JobQueue.enqueue(
                JobSpec(
                    kind: PathwayJobs.stepKind, payload: ["enrolment": (try e.requireID()).uuidString, "step": s.key],
                    runAt: max(at, now),
                    dedupeKey: "pathway:\((try e.requireID()).uuidString):step:\(s.key)"), now: now, on: tx)
        }
        return e
    }

    /// Stops an enrolment: pending steps are cancelled, open tasks closed.
    package func stop(_ enrolmentID: UUID) async throws -> EnrolmentDTO {
        guard let e = try await PathwayEnrolmentRecord.find(enrolmentID, on: scope.db) else {
            throw AppError.notFound("No such enrolment.")
        }
        try await scope.authorize(.enrolInPathway(patientID: e.patientID), patientID: e.patientID)
        let now = scope.now
        let (rec, tasks) = try await scope.run { tx in
            guard let e = try await PathwayEnrolmentRecord.find(enrolmentID, on: tx) else {
                throw AppError.notFound("No such enrolment.")
            }
            e.status = .stopped
            e.stoppedAt = now
            try await e.save(on: tx)
            let cancelled = try await JobQueue.cancel(
                dedupePrefix: "pathway:\(enrolmentID.uuidString):", now: now, on: tx)
            let open = try await PathwayTaskRecord.query(on: tx).filter(\.$enrolmentID == enrolmentID).filter(
                \.$status == .open
            ).all()
            for t in open { t.status = .closed; t.completedAt = now; try await t.save(on: tx) }
            let tasks = try await PathwayTaskRecord.query(on: tx).filter(\.$enrolmentID == enrolmentID).all()
            return (
                (e, tasks),
                [
                    AuditDraft(
                        action: .update, category: .pathways, patientID: e.patientID, entityType: "PathwayEnrolment",
                        entityID: enrolmentID.uuidString,
                        detail: "stopped; \(cancelled) pending steps cancelled")
                ]
            )
        }
        let (tpl, zone) = try await templateAndZone(rec)
        return try Self.dto(rec, tpl, zone: zone, tasks: tasks)
    }

    package func templateAndZone(_ e: PathwayEnrolmentRecord) async throws -> (PathwayTemplate, TimeZone) {
        guard let t = try await PathwayTemplateRecord.find(e.templateID, on: scope.db)?.template,
            let loc = try await LocationRecord.find(e.locationID, on: scope.db),
            let zone = TimeZone(identifier: loc.timeZone)
        else {
            throw AppError.notFound("The enrolment's template or location is missing.")
        }
        return (t, zone)
    }

    package static func dto(
        _ e: PathwayEnrolmentRecord, _ t: PathwayTemplate, zone: TimeZone, tasks: [PathwayTaskRecord]
    ) throws -> EnrolmentDTO {
        let day = LocalDay(e.startDay)!
        let steps = t.steps.compactMap { s -> ScheduledStep? in
            guard let at = PathwayRules.fireTime(procedureDay: day, step: s, zone: zone) else { return nil }
            let status =
                tasks.first { $0.stepKey == s.key }?.status.rawValue
                ?? (e.status == .active ? "scheduled" : "cancelled")
            return ScheduledStep(key: s.key, kind: s.kind, title: s.title, fireAt: at, status: status)
        }.sorted { $0.fireAt < $1.fireAt }
        return EnrolmentDTO(
            id: try e.requireID(), patientId: e.patientID, templateCode: e.templateCode,
            templateVersion: e.templateVersion,
            title: t.title,
            startDay: e.startDay, status: e.status, steps: steps)
    }
}
