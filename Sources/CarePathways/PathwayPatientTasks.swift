import Vapor
import Fluent
import Domain
import Accounts
import AppCore
import Jobs
import Locations
import Patients
import Scheduling

/// The patient's check-ins, photo prompts and follow-up offers, and the answers that raise care-team tasks.
extension PathwayStore {
    package func taskDTO(_ r: PathwayTaskRecord, _ t: PathwayTemplate?) throws -> TaskDTO {
        let s = t?.step(r.stepKey)
        let staff = scope.principal.role != .patient
        return TaskDTO(
            id: try r.requireID(), enrolmentId: r.enrolmentID, stepKey: r.stepKey, kind: r.kind,
            title: s?.title ?? r.stepKey,
            text: s?.text ?? "",
            status: r.status, openedAt: r.openedAt, completedAt: r.completedAt, questions: s?.questions ?? [],
            answers: r.answers == nil ? nil : r.answerMap, redFlags: staff ? r.flagList : nil,
            offers: r.status == .open ? r.offerList : [], photoId: r.photoID, appointmentId: r.appointmentID)
    }

    private func templates(for tasks: [PathwayTaskRecord], on db: any Database) async throws -> [UUID: PathwayTemplate]
    {
        var out: [UUID: PathwayTemplate] = [:]
        for eid in Set(tasks.map(\.enrolmentID)) {
            if let e = try await PathwayEnrolmentRecord.find(eid, on: db),
                let t = try await PathwayTemplateRecord.find(e.templateID, on: db)?.template
            {
                out[eid] = t
            }
        }
        return out
    }

    /// The patient's check-ins, prompts and offers, newest first.
    package func tasks(patientID: UUID) async throws -> [TaskDTO] {
        try await scope.authorize(.readPathway(patientID: patientID), patientID: patientID)
        let rows = try await PathwayTaskRecord.query(on: scope.db).filter(\.$patientID == patientID).sort(
            \.$openedAt, .descending
        ).all()
        let tpls = try await templates(for: rows, on: scope.db)
        try await scope.record([
            AuditDraft(
                action: .query, category: .pathways, patientID: patientID, entityType: "PathwayTask",
                detail: "\(rows.count) tasks listed")
        ])
        return try rows.map { try taskDTO($0, tpls[$0.enrolmentID]) }
    }

    package func task(_ id: UUID) async throws -> TaskDTO {
        guard let r = try await PathwayTaskRecord.find(id, on: scope.db) else {
            throw AppError.notFound("No such check-in.")
        }
        try await scope.authorize(.readPathway(patientID: r.patientID), patientID: r.patientID)
        let tpls = try await templates(for: [r], on: scope.db)
        try await scope.record([
            AuditDraft(
                action: .read, category: .pathways, patientID: r.patientID, entityType: "PathwayTask",
                entityID: id.uuidString)
        ])
        return try taskDTO(r, tpls[r.enrolmentID])
    }

    /// The patient answers a check-in. Red-flag answers raise an urgent task for the care team (and the chart banner)
    /// in the same transaction; the patient then reads the approved advice.
    package func answer(_ id: UUID, answers: [String: String]) async throws -> AnswerResult {
        guard let r = try await PathwayTaskRecord.find(id, on: scope.db) else {
            throw AppError.notFound("No such check-in.")
        }
        try await scope.authorize(.answerCheckIn(patientID: r.patientID), patientID: r.patientID)
        let tpls = try await templates(for: [r], on: scope.db)
        guard let t = tpls[r.enrolmentID], let step = t.step(r.stepKey), step.kind == .checkIn else {
            throw AppError.conflict(
                type: "not-a-check-in", detail: "This is not a check-in with questions.", extra: [:])
        }
        guard r.status.isAnswerable else {
            throw AppError.conflict(type: "already-answered", detail: "This check-in was already answered.", extra: [:])
        }
        let form = FormDefinition(
            code: "check-in", version: 1, title: step.title, intro: "", sections: [.init(step.title, step.questions)])
        let errors = form.validate(answers, submitting: true, today: "9999-12-31")
        if !errors.isEmpty { throw AppError.validation(errors) }
        var clean: [String: String] = [:]
        for q in step.questions { if let v = Text.clean(answers[q.id]) { clean[q.id] = v } }
        let previous = try await PathwayTaskRecord.query(on: scope.db).filter(\.$enrolmentID == r.enrolmentID).filter(
            \.$kind == PathwayStep.Kind.checkIn
        )
        .filter(\.$status == .done).sort(\.$completedAt, .descending).first()?.answerMap
        let flags = PathwayRules.redFlags(step, answers: clean, previous: previous)
        let now = scope.now, json = String(decoding: try JSONEncoder.sorted.encode(clean), as: UTF8.self),
            frozen = clean
        let saved = try await scope.run { tx in
            guard let r = try await PathwayTaskRecord.find(id, on: tx), r.status.isAnswerable
            else {
                throw AppError.conflict(
                    type: "already-answered", detail: "This check-in was already answered.", extra: [:])
            }
            r.status = .done
            r.completedAt = now
            r.answers = json
            r.redFlags = (r.flagList + flags).joined(separator: ",")
            try await r.save(on: tx)
            var drafts = [
                AuditDraft(
                    action: .update, category: .pathways, patientID: r.patientID, entityType: "PathwayTask",
                    entityID: id.uuidString,
                    detail: "answered \(frozen.count) questions"
                        + (flags.isEmpty ? "" : "; red flags: \(flags.joined(separator: ", "))"))
            ]
            if !flags.isEmpty {
                let c = try await Self.raise(
                    kind: .redFlag, urgent: true, team: .clinical,
                    summary: "\(step.title): \(flags.joined(separator: ", "))",
                    patientID: r.patientID, enrolmentID: r.enrolmentID, taskID: id, key: "red-flag:\(id.uuidString)",
                    now: now, on: tx)
                drafts.append(
                    AuditDraft(
                        action: .create, category: .pathways, patientID: r.patientID, entityType: "CareTask",
                        entityID: c.id?.uuidString, detail: "urgent red flag"))
            }
            return (r, drafts)
        }
        return AnswerResult(task: try taskDTO(saved, t), advice: flags.isEmpty ? nil : t.redFlagAdvice)
    }

    /// Inside a transaction: a care-team task (once per purpose).
    package static func raise(
        kind: CareTaskKind, urgent: Bool, team: CareTeam, summary: String, patientID: UUID, enrolmentID: UUID?,
        taskID: UUID?,
        key: String,
        now: Date, on tx: any Database
    ) async throws -> CareTaskRecord {
        if let existing = try await CareTaskRecord.query(on: tx).filter(\.$dedupeKey == key).first() { return existing }
        let c = CareTaskRecord()
        c.id = UUID()
        c.createdAt = now
        c.status = .open
        c.dedupeKey = key
        c.kind = kind
        c.urgent = urgent
        c.team = team
        c.summary = String(summary.prefix(300))
        c.patientID = patientID
        c.enrolmentID = enrolmentID
        c.pathwayTaskID = taskID
        try await c.create(on: tx)
        return c
    }

    /// Inside the photo's transaction: the photo answers the patient's oldest open photo prompt, or else the latest
    /// missed one.
    package static func photoReceived(patientID: UUID, photoID: UUID, now: Date, on tx: any Database) async throws
        -> AuditDraft?
    {
        func prompts(_ status: PathwayTaskStatus) -> QueryBuilder<PathwayTaskRecord> {
            PathwayTaskRecord.query(on: tx).filter(\.$patientID == patientID).filter(
                \.$kind == PathwayStep.Kind.photoPrompt
            ).filter(\.$status == status)
        }
        let open = try await prompts(.open).sort(\.$openedAt).first()
        let missed = open == nil ? try await prompts(.missed).sort(\.$openedAt, .descending).first() : nil
        guard let t = open ?? missed else { return nil }
        t.status = .done
        t.completedAt = now
        t.photoID = photoID
        try await t.save(on: tx)
        return AuditDraft(
            action: .update, category: .pathways, patientID: patientID, entityType: "PathwayTask",
            entityID: t.id?.uuidString, detail: "photo received")
    }

    /// The patient books one of the offered follow-up times. A time taken meanwhile gets fresh offers and a 409.
    package func chooseFollowUp(_ id: UUID, offer index: Int) async throws -> TaskDTO {
        guard let r = try await PathwayTaskRecord.find(id, on: scope.db) else {
            throw AppError.notFound("No such follow-up.")
        }
        try await scope.authorize(.bookAppointment(patientID: r.patientID), patientID: r.patientID)
        try await scope.authorize(.readPathway(patientID: r.patientID), patientID: r.patientID)
        guard r.kind == PathwayStep.Kind.followUp, r.status == .open else {
            throw AppError.conflict(
                type: "not-open", detail: "This follow-up is not waiting for a time any more.", extra: [:])
        }
        let offers = r.offerList
        guard offers.indices.contains(index) else {
            throw AppError.validation([FieldError("offer", "Choose one of the offered times.")])
        }
        guard let e = try await PathwayEnrolmentRecord.find(r.enrolmentID, on: scope.db) else {
            throw AppError.notFound("No such enrolment.")
        }
        let (t, zone) = try await templateAndZone(e)
        guard let step = t.step(r.stepKey), let code = step.appointmentTypeCode,
            let type = try await AppointmentTypeRecord.query(on: scope.db).filter(\.$code == code).first()
        else {
            throw AppError.notFound("The follow-up's appointment type is missing.")
        }
        let o = offers[index]
        let appt: AppointmentDTO
        do {
            appt = try await SchedulingStore(scope: scope).book(
                .init(
                    patientId: r.patientID, providerId: o.providerId, locationId: o.locationId, typeId: type.id,
                    start: o.start))
        } catch AppError.conflict {
            let fresh = try await PathwayJobs.offers(scope.app, e, step, zone: zone)
            let json = String(decoding: try JSONEncoder.sorted.encode(fresh), as: UTF8.self)
            try await scope.run { tx in
                guard let r = try await PathwayTaskRecord.find(id, on: tx) else { return ((), []) }
                r.offers = json
                try await r.save(on: tx)
                return ((), [])
            }
            throw AppError.conflict(
                type: "slot-taken",
                detail: "That time was just taken. The times offered have been updated: please choose again.",
                extra: [:])
        }
        let now = scope.now
        let saved = try await scope.run { tx in
            guard let r = try await PathwayTaskRecord.find(id, on: tx) else {
                throw AppError.notFound("No such follow-up.")
            }
            r.status = .done
            r.completedAt = now
            r.appointmentID = appt.id
            try await r.save(on: tx)
            return (
                r,
                [
                    AuditDraft(
                        action: .update, category: .pathways, patientID: r.patientID, entityType: "PathwayTask",
                        entityID: id.uuidString, detail: "follow-up booked")
                ]
            )
        }
        return try taskDTO(saved, t)
    }
}
