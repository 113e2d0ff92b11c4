import Vapor
import Fluent
import Domain
import Accounts
import AppCore
import Jobs
import Locations
import Patients
import Scheduling

/// Care pathways through one scoped, audited path: templates and their approval, procedures and enrolment,
/// the patient's check-ins, photo prompts and follow-up offers, and the care team's tasks.
package struct PathwayStore {
    package let scope: AuditScope

    // MARK: DTOs

    package struct TemplateSummary: Content {
        package let id: UUID
        package let code: String
        package let version: Int
        package let status: String
        package let title: String
        package let createdAt: Date
        package let createdBy: String
        package let approvedAt: Date?
        package let approvedBy: String?
    }

    /// A step exactly as the patient will receive it (the approval page shows these).
    package struct StepPreview: Content {
        package let key: String
        package let kind: String
        package let kindLabel: String
        package let day: Int
        package let at: String
        package let channels: [String]
        package let notificationSubject: String
        package let notificationText: String
        package let title: String
        package let text: String
        package let questions: [FormDefinition.Field]
        package let redFlags: [String]
        package let escalateAfterHours: Int?
    }

    package struct TemplateDTO: Content {
        package let summary: TemplateSummary
        package let template: PathwayTemplate
        package let preview: [StepPreview]
    }

    package struct ProcedureInput: Content {
        package var code: String?
        package var name: String?
        package var performedOn: String?
        package var locationId: UUID?
        package var providerId: UUID?
    }
    package struct EnrolInput: Content {
        package var templateCode: String?
        package var startDay: String?
        package var locationId: UUID?
        package var providerId: UUID?

        package init(
            templateCode: String? = nil, startDay: String? = nil, locationId: UUID? = nil, providerId: UUID? = nil
        ) {
            self.templateCode = templateCode
            self.startDay = startDay
            self.locationId = locationId
            self.providerId = providerId
        }
    }

    package struct ScheduledStep: Content {
        package let key: String
        package let kind: String
        package let title: String
        package let fireAt: Date
        package let status: String
    }

    package struct EnrolmentDTO: Content {
        package let id: UUID
        package let patientId: UUID
        package let templateCode: String
        package let templateVersion: Int
        package let title: String
        package let startDay: String
        package let status: String
        package let steps: [ScheduledStep]
    }

    package struct ProcedureDTO: Content {
        package let id: UUID
        package let code: String
        package let name: String
        package let performedOn: String
        package let enrolment: EnrolmentDTO?
    }

    package struct TaskDTO: Content {
        package let id: UUID
        package let enrolmentId: UUID
        package let stepKey: String
        package let kind: String
        package let title: String
        package let text: String
        package let status: String
        package let openedAt: Date
        package let completedAt: Date?
        package let questions: [FormDefinition.Field]
        package let answers: [String: String]?
        /// Staff only.
        package let redFlags: [String]?
        package let offers: [SchedulingStore.Slot]
        package let photoId: UUID?
        package let appointmentId: UUID?
    }

    package struct AnswerResult: Content {
        package let task: TaskDTO
        /// What the patient reads when a red flag was raised (the approved advice), else nil.
        package let advice: String?
    }

    package struct CareTaskDTO: Content {
        package let id: UUID
        package let patientId: UUID
        package let patientName: String?
        package let kind: String
        package let urgent: Bool
        package let team: String
        package let summary: String
        package let status: String
        package let createdAt: Date
        package let closedBy: String?
    }

    package struct ChartSummary: Sendable {
        package let enrolments: [EnrolmentDTO]
        package let tasks: [TaskDTO]
        package let urgent: [CareTaskDTO]
    }

    package var practice: String { scope.app.config.practiceName }

    // MARK: templates

    package static func summary(_ r: PathwayTemplateRecord) -> TemplateSummary {
        TemplateSummary(
            id: r.id!, code: r.code, version: r.version, status: r.status, title: r.template?.title ?? r.code,
            createdAt: r.createdAt,
            createdBy: r.createdBy, approvedAt: r.approvedAt, approvedBy: r.approvedBy)
    }

    package static func preview(_ t: PathwayTemplate, practice: String) -> [StepPreview] {
        t.steps.sorted { ($0.day, $0.at) < ($1.day, $1.at) }.map { s in
            StepPreview(
                key: s.key, kind: s.kind.rawValue, kindLabel: s.kind.label, day: s.day, at: s.at, channels: s.channels,
                notificationSubject: PathwayRules.notificationSubject(s),
                notificationText: PathwayRules.notificationText(s, practice: practice),
                title: s.title, text: s.text, questions: s.questions,
                redFlags: s.redFlags.map { $0.describe(questions: s.questions) },
                escalateAfterHours: s.escalateAfterHours)
        }
    }

    package func templates() async throws -> [TemplateSummary] {
        try await scope.authorize(.readPathwayTemplates)
        return try await PathwayTemplateRecord.query(on: scope.db).sort(\.$code).sort(\.$version, .descending).all()
            .map(Self.summary)
    }

    package func template(_ id: UUID) async throws -> TemplateDTO {
        try await scope.authorize(.readPathwayTemplates)
        guard let r = try await PathwayTemplateRecord.find(id, on: scope.db), let t = r.template else {
            throw AppError.notFound("No such pathway template.")
        }
        return TemplateDTO(summary: Self.summary(r), template: t, preview: Self.preview(t, practice: practice))
    }

    /// A new or changed template becomes the next version of its code, as a draft.
    package func draft(_ t: PathwayTemplate) async throws -> TemplateSummary {
        try await scope.authorize(.draftPathwayTemplate)
        let problems = t.structureErrors()
        if !problems.isEmpty { throw AppError.validation(problems.map { FieldError("template", $0) }) }
        let now = scope.now, by = scope.principal.username
        let json = String(decoding: try JSONEncoder.sorted.encode(t), as: UTF8.self)
        return try await scope.run { tx in
            let latest = try await PathwayTemplateRecord.query(on: tx).filter(\.$code == t.code).sort(
                \.$version, .descending
            ).first()
            let r = Self.newVersion(code: t.code, version: (latest?.version ?? 0) + 1, json: json, by: by, now: now)
            try await r.create(on: tx)
            return (
                Self.summary(r),
                [
                    AuditDraft(
                        action: .create, category: .pathways, entityType: "PathwayTemplate", entityID: r.id?.uuidString,
                        detail: "\(t.code) v\(r.version) drafted")
                ]
            )
        }
    }

    package static func newVersion(code: String, version: Int, json: String, by: String, now: Date)
        -> PathwayTemplateRecord
    {
        let r = PathwayTemplateRecord()
        r.id = UUID()
        r.createdAt = now
        r.createdBy = by
        r.status = "draft"
        r.code = code
        r.version = version
        r.definition = json
        return r
    }

    /// The Medical Director approves a draft; the version approved before it is retired (its enrolments carry on).
    package func approve(_ id: UUID, note: String?) async throws -> TemplateSummary {
        try await scope.authorize(.approvePathwayTemplate)
        let now = scope.now, by = scope.principal.username, note = Text.clean(note)
        return try await scope.run { tx in
            guard let r = try await PathwayTemplateRecord.find(id, on: tx), let t = r.template else {
                throw AppError.notFound("No such pathway template.")
            }
            guard r.status == "draft" else {
                throw AppError.conflict(
                    type: "not-a-draft",
                    detail: "Version \(r.version) of \(r.code) is \(r.status); only a draft can be approved.",
                    extra: [:])
            }
            let problems = t.structureErrors()
            if !problems.isEmpty { throw AppError.validation(problems.map { FieldError("template", $0) }) }
            let older = try await PathwayTemplateRecord.query(on: tx).filter(\.$code == r.code).filter(
                \.$status == "approved"
            ).all()
            for o in older { o.status = "retired"; try await o.save(on: tx) }
            r.status = "approved"
            r.approvedAt = now
            r.approvedBy = by
            r.approvalNote = note.map { String($0.prefix(500)) }
            try await r.save(on: tx)
            let retired = older.map { "v\($0.version)" }.joined(separator: ",")
            return (
                Self.summary(r),
                [
                    AuditDraft(
                        action: .approve, category: .pathways, entityType: "PathwayTemplate",
                        entityID: r.id?.uuidString,
                        detail: "\(r.code) v\(r.version) approved for patients"
                            + (retired.isEmpty ? "" : "; retired \(retired)"))
                ]
            )
        }
    }

    /// The standard templates are added as drafts at start-up when their code is new.
    package static func loadStandard(_ db: any Database, now: Date) async throws {
        for t in StandardPathways.all {
            if try await PathwayTemplateRecord.query(on: db).filter(\.$code == t.code).first() != nil { continue }
            try await newVersion(
                code: t.code, version: 1, json: String(decoding: try JSONEncoder.sorted.encode(t), as: UTF8.self),
                by: "system:standard-pathways", now: now
            ).create(on: db)
        }
    }

    /// (code, title) of every pathway with an approved version.
    package static func approvedTemplates(_ db: any Database) async throws -> [(String, String)] {
        try await PathwayTemplateRecord.query(on: db).filter(\.$status == "approved").sort(\.$code).all().map {
            ($0.code, $0.template?.title ?? $0.code)
        }
    }

    package static func approvedVersion(_ code: String, on db: any Database) async throws -> PathwayTemplateRecord? {
        try await PathwayTemplateRecord.query(on: db).filter(\.$code == code).filter(\.$status == "approved").sort(
            \.$version, .descending
        ).first()
    }

    // MARK: procedures and enrolment

    /// Records a procedure; when an approved pathway is triggered by its code, the patient is enrolled in the same transaction.
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
        let approved = try await PathwayTemplateRecord.query(on: scope.db).filter(\.$status == "approved").all()
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
            id: proc.id!, code: proc.code, name: proc.name, performedOn: proc.performedOn,
            enrolment: enrolment.map { Self.dto($0.0, $0.1, zone: zone, tasks: []) })
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
                    "This pathway has no approved version: the Medical Director must approve it before patients are enrolled.",
                extra: [:])
        }
        let now = scope.now, by = scope.principal.username
        let e = try await scope.run { tx in
            let dup = try await PathwayEnrolmentRecord.query(on: tx).filter(\.$patientID == patientID).filter(
                \.$templateCode == t.code
            )
            .filter(\.$startDay == day.iso).filter(\.$status == "active").first()
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
        return Self.dto(e, tpl, zone: zone, tasks: [])
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
            [Role.provider, .medicalDirector].contains(u.roleValue), u.active
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
        e.status = "active"
        e.templateCode = r.code
        e.templateVersion = r.version
        e.startDay = day.iso
        e.templateID = r.id!
        e.patientID = patientID
        e.locationID = locationID
        e.providerID = providerID
        e.procedureID = procedureID
        try await e.create(on: tx)
        for s in t.steps {
            guard let at = PathwayRules.fireTime(procedureDay: day, step: s, zone: zone) else { continue }
            try await JobQueue.enqueue(
                JobSpec(
                    kind: PathwayJobs.stepKind, payload: ["enrolment": e.id!.uuidString, "step": s.key],
                    runAt: max(at, now),
                    dedupeKey: "pathway:\(e.id!.uuidString):step:\(s.key)"), now: now, on: tx)
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
            e.status = "stopped"
            e.stoppedAt = now
            try await e.save(on: tx)
            let cancelled = try await JobQueue.cancel(
                dedupePrefix: "pathway:\(enrolmentID.uuidString):", now: now, on: tx)
            let open = try await PathwayTaskRecord.query(on: tx).filter(\.$enrolmentID == enrolmentID).filter(
                \.$status == "open"
            ).all()
            for t in open { t.status = "closed"; t.completedAt = now; try await t.save(on: tx) }
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
        return Self.dto(rec, tpl, zone: zone, tasks: tasks)
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
    ) -> EnrolmentDTO {
        let day = LocalDay(e.startDay)!
        let steps = t.steps.compactMap { s -> ScheduledStep? in
            guard let at = PathwayRules.fireTime(procedureDay: day, step: s, zone: zone) else { return nil }
            let status =
                tasks.first { $0.stepKey == s.key }?.status ?? (e.status == "active" ? "scheduled" : "cancelled")
            return ScheduledStep(key: s.key, kind: s.kind.rawValue, title: s.title, fireAt: at, status: status)
        }.sorted { $0.fireAt < $1.fireAt }
        return EnrolmentDTO(
            id: e.id!, patientId: e.patientID, templateCode: e.templateCode, templateVersion: e.templateVersion,
            title: t.title,
            startDay: e.startDay, status: e.status, steps: steps)
    }

    // MARK: the patient's tasks

    package func taskDTO(_ r: PathwayTaskRecord, _ t: PathwayTemplate?) -> TaskDTO {
        let s = t?.step(r.stepKey)
        let staff = scope.principal.role != .patient
        return TaskDTO(
            id: r.id!, enrolmentId: r.enrolmentID, stepKey: r.stepKey, kind: r.kind, title: s?.title ?? r.stepKey,
            text: s?.text ?? "",
            status: r.status, openedAt: r.openedAt, completedAt: r.completedAt, questions: s?.questions ?? [],
            answers: r.answers == nil ? nil : r.answerMap, redFlags: staff ? r.flagList : nil,
            offers: r.status == "open" ? r.offerList : [], photoId: r.photoID, appointmentId: r.appointmentID)
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
        return rows.map { taskDTO($0, tpls[$0.enrolmentID]) }
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
        return taskDTO(r, tpls[r.enrolmentID])
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
        guard r.status == "open" || r.status == "missed" else {
            throw AppError.conflict(type: "already-answered", detail: "This check-in was already answered.", extra: [:])
        }
        let form = FormDefinition(
            code: "check-in", version: 1, title: step.title, intro: "", sections: [.init(step.title, step.questions)])
        let errors = form.validate(answers, submitting: true, today: "9999-12-31")
        if !errors.isEmpty { throw AppError.validation(errors) }
        var clean: [String: String] = [:]
        for q in step.questions { if let v = Text.clean(answers[q.id]) { clean[q.id] = v } }
        let previous = try await PathwayTaskRecord.query(on: scope.db).filter(\.$enrolmentID == r.enrolmentID).filter(
            \.$kind == PathwayStep.Kind.checkIn.rawValue
        )
        .filter(\.$status == "done").sort(\.$completedAt, .descending).first()?.answerMap
        let flags = PathwayRules.redFlags(step, answers: clean, previous: previous)
        let now = scope.now, json = String(decoding: try JSONEncoder.sorted.encode(clean), as: UTF8.self),
            frozen = clean
        let saved = try await scope.run { tx in
            guard let r = try await PathwayTaskRecord.find(id, on: tx), r.status == "open" || r.status == "missed"
            else {
                throw AppError.conflict(
                    type: "already-answered", detail: "This check-in was already answered.", extra: [:])
            }
            r.status = "done"
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
                    kind: "red-flag", urgent: true, team: "clinical",
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
        return AnswerResult(task: taskDTO(saved, t), advice: flags.isEmpty ? nil : t.redFlagAdvice)
    }

    /// Inside a transaction: a care-team task (once per purpose).
    package static func raise(
        kind: String, urgent: Bool, team: String, summary: String, patientID: UUID, enrolmentID: UUID?, taskID: UUID?,
        key: String,
        now: Date, on tx: any Database
    ) async throws -> CareTaskRecord {
        if let existing = try await CareTaskRecord.query(on: tx).filter(\.$dedupeKey == key).first() { return existing }
        let c = CareTaskRecord()
        c.id = UUID()
        c.createdAt = now
        c.status = "open"
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

    /// Inside the photo's transaction: the photo answers the patient's oldest open photo prompt, or else the latest missed one.
    package static func photoReceived(patientID: UUID, photoID: UUID, now: Date, on tx: any Database) async throws
        -> AuditDraft?
    {
        func prompts(_ status: String) -> QueryBuilder<PathwayTaskRecord> {
            PathwayTaskRecord.query(on: tx).filter(\.$patientID == patientID).filter(
                \.$kind == PathwayStep.Kind.photoPrompt.rawValue
            ).filter(\.$status == status)
        }
        let open = try await prompts("open").sort(\.$openedAt).first()
        let missed = open == nil ? try await prompts("missed").sort(\.$openedAt, .descending).first() : nil
        guard let t = open ?? missed else { return nil }
        t.status = "done"
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
        guard r.kind == PathwayStep.Kind.followUp.rawValue, r.status == "open" else {
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
        let appt: AppointmentRecord
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
            r.status = "done"
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
        return taskDTO(saved, t)
    }

    // MARK: care-team tasks

    /// Open tasks (urgent first, then oldest); the front desk sees its own team's.
    package func careTasks(includeClosed: Bool = false, patientID: UUID? = nil) async throws -> [CareTaskDTO] {
        try await scope.authorize(.readCareTasks)
        let frontDesk = scope.principal.role == .frontDesk
        return try await scope.run { tx in
            let q = CareTaskRecord.query(on: tx)
            if !includeClosed { q.filter(\.$status == "open") }
            if frontDesk { q.filter(\.$team == "front-desk") }
            if let p = patientID { q.filter(\.$patientID == p) }
            let rows = try await q.sort(\.$urgent, .descending).sort(\.$createdAt).limit(500).all()
            var out: [CareTaskDTO] = []
            for c in rows {
                let p = try await PatientRecord.find(c.patientID, on: tx)
                out.append(
                    CareTaskDTO(
                        id: c.id!, patientId: c.patientID, patientName: p.map { "\($0.familyName), \($0.givenName)" },
                        kind: c.kind, urgent: c.urgent,
                        team: c.team, summary: c.summary, status: c.status, createdAt: c.createdAt, closedBy: c.closedBy
                    ))
            }
            return (
                out,
                Set(rows.map(\.patientID)).map {
                    AuditDraft(
                        action: .query, category: .pathways, patientID: $0, entityType: "CareTask", detail: "task list")
                }
            )
        }
    }

    package func closeCareTask(_ id: UUID, note: String?) async throws -> CareTaskDTO {
        guard let c = try await CareTaskRecord.find(id, on: scope.db) else { throw AppError.notFound("No such task.") }
        try await scope.authorize(.closeCareTask(team: c.team), patientID: c.patientID)
        let now = scope.now, by = scope.principal.username, note = Text.clean(note)
        return try await scope.run { tx in
            guard let c = try await CareTaskRecord.find(id, on: tx) else { throw AppError.notFound("No such task.") }
            guard c.status == "open" else {
                throw AppError.conflict(
                    type: "closed", detail: "This task was already closed by \(c.closedBy ?? "someone").", extra: [:])
            }
            c.status = "done"
            c.closedAt = now
            c.closedBy = by
            c.closeNote = note.map { String($0.prefix(500)) }
            try await c.save(on: tx)
            return (
                CareTaskDTO(
                    id: c.id!, patientId: c.patientID, patientName: nil, kind: c.kind, urgent: c.urgent, team: c.team,
                    summary: c.summary,
                    status: c.status, createdAt: c.createdAt, closedBy: by),
                [
                    AuditDraft(
                        action: .update, category: .pathways, patientID: c.patientID, entityType: "CareTask",
                        entityID: id.uuidString, detail: "closed")
                ]
            )
        }
    }

    /// For the chart: enrolments with their schedule, the tasks with answers, and open urgent tasks (the banner).
    package func chart(patientID: UUID) async throws -> ChartSummary {
        try await scope.authorize(.readPathway(patientID: patientID), patientID: patientID)
        let db = scope.db
        let enrolments = try await PathwayEnrolmentRecord.query(on: db).filter(\.$patientID == patientID).sort(
            \.$createdAt, .descending
        ).all()
        let tasks = try await PathwayTaskRecord.query(on: db).filter(\.$patientID == patientID).sort(
            \.$openedAt, .descending
        ).all()
        let urgent = try await CareTaskRecord.query(on: db).filter(\.$patientID == patientID).filter(
            \.$status == "open"
        ).filter(\.$urgent == true).sort(\.$createdAt).all()
        var dtos: [EnrolmentDTO] = []
        var tpls: [UUID: PathwayTemplate] = [:]
        for e in enrolments {
            let (t, zone) = try await templateAndZone(e)
            tpls[e.id!] = t
            dtos.append(Self.dto(e, t, zone: zone, tasks: tasks.filter { $0.enrolmentID == e.id }))
        }
        if !enrolments.isEmpty || !urgent.isEmpty {
            try await scope.record([
                AuditDraft(
                    action: .read, category: .pathways, patientID: patientID, entityType: "PathwayEnrolment",
                    detail: "chart: \(tasks.count) tasks")
            ])
        }
        return ChartSummary(
            enrolments: dtos, tasks: tasks.map { taskDTO($0, tpls[$0.enrolmentID]) },
            urgent: urgent.map {
                CareTaskDTO(
                    id: $0.id!, patientId: $0.patientID, patientName: nil, kind: $0.kind, urgent: true, team: $0.team,
                    summary: $0.summary, status: $0.status, createdAt: $0.createdAt, closedBy: nil)
            })
    }

    package init(scope: AuditScope) {
        self.scope = scope
    }
}

extension Request {
    package func pathways() throws -> PathwayStore { PathwayStore(scope: try scope()) }
}
