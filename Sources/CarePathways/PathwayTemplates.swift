import Vapor
import Fluent
import Domain
import Accounts
import AppCore
import Jobs
import Locations
import Patients
import Scheduling

/// Templates: drafts, the Medical Director's approval, the standard set, the approved versions.
extension PathwayStore {
    package static func summary(_ r: PathwayTemplateRecord) throws -> TemplateSummary {
        TemplateSummary(
            id: try r.requireID(), code: r.code, version: r.version, status: r.status,
            title: r.template?.title ?? r.code,
            createdAt: r.createdAt,
            createdBy: r.createdBy, approvedAt: r.approvedAt, approvedBy: r.approvedBy)
    }

    package static func preview(_ t: PathwayTemplate, practice: String) -> [StepPreview] {
        t.steps.sorted { ($0.day, $0.at) < ($1.day, $1.at) }.map { s in
            StepPreview(
                key: s.key, kind: s.kind, kindLabel: s.kind.label, day: s.day, at: s.at, channels: s.channels,
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
        return TemplateDTO(summary: try Self.summary(r), template: t, preview: Self.preview(t, practice: practice))
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
                try Self.summary(r),
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
        r.status = .draft
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
            guard r.status == .draft else {
                throw AppError.conflict(
                    type: "not-a-draft",
                    detail: "Version \(r.version) of \(r.code) is \(r.status); only a draft can be approved.",
                    extra: [:])
            }
            let problems = t.structureErrors()
            if !problems.isEmpty { throw AppError.validation(problems.map { FieldError("template", $0) }) }
            let older = try await PathwayTemplateRecord.query(on: tx).filter(\.$code == r.code).filter(
                \.$status == .approved
            ).all()
            for o in older { o.status = .retired; try await o.save(on: tx) }
            r.status = .approved
            r.approvedAt = now
            r.approvedBy = by
            r.approvalNote = note.map { String($0.prefix(500)) }
            try await r.save(on: tx)
            let retired = older.map { "v\($0.version)" }.joined(separator: ",")
            return (
                try Self.summary(r),
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
        try await PathwayTemplateRecord.query(on: db).filter(\.$status == .approved).sort(\.$code).all().map {
            ($0.code, $0.template?.title ?? $0.code)
        }
    }

    package static func approvedVersion(_ code: String, on db: any Database) async throws -> PathwayTemplateRecord? {
        try await PathwayTemplateRecord.query(on: db).filter(\.$code == code).filter(\.$status == .approved).sort(
            \.$version, .descending
        ).first()
    }
}
