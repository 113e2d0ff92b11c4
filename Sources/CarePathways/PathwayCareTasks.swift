import Vapor
import Fluent
import Domain
import Accounts
import AppCore
import Jobs
import Locations
import Patients
import Scheduling

/// The care team's tasks and the chart's pathway summary.
extension PathwayStore {
    /// Open tasks (urgent first, then oldest); the front desk sees its own team's.
    package func careTasks(includeClosed: Bool = false, patientID: UUID? = nil) async throws -> [CareTaskDTO] {
        try await scope.authorize(.readCareTasks)
        let frontDesk = scope.principal.role == .frontDesk
        return try await scope.run { tx in
            let q = CareTaskRecord.query(on: tx)
            if !includeClosed { q.filter(\.$status == .open) }
            if frontDesk { q.filter(\.$team == CareTeam.frontDesk) }
            if let p = patientID { q.filter(\.$patientID == p) }
            let rows = try await q.sort(\.$urgent, .descending).sort(\.$createdAt).limit(500).all()
            var out: [CareTaskDTO] = []
            for c in rows {
                let p = try await PatientRecord.find(c.patientID, on: tx)
                out.append(
                    CareTaskDTO(
                        id: try c.requireID(), patientId: c.patientID,
                        patientName: p.map { "\($0.familyName), \($0.givenName)" },
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
            guard c.status == .open else {
                throw AppError.conflict(
                    type: "closed", detail: "This task was already closed by \(c.closedBy ?? "someone").", extra: [:])
            }
            c.status = .done
            c.closedAt = now
            c.closedBy = by
            c.closeNote = note.map { String($0.prefix(500)) }
            try await c.save(on: tx)
            return (
                CareTaskDTO(
                    id: try c.requireID(), patientId: c.patientID, patientName: nil, kind: c.kind, urgent: c.urgent,
                    team: c.team,
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
            \.$status == .open
        ).filter(\.$urgent == true).sort(\.$createdAt).all()
        var dtos: [EnrolmentDTO] = []
        var tpls: [UUID: PathwayTemplate] = [:]
        for e in enrolments {
            let (t, zone) = try await templateAndZone(e)
            tpls[try e.requireID()] = t
            dtos.append(try Self.dto(e, t, zone: zone, tasks: tasks.filter { $0.enrolmentID == e.id }))
        }
        if !enrolments.isEmpty || !urgent.isEmpty {
            try await scope.record([
                AuditDraft(
                    action: .read, category: .pathways, patientID: patientID, entityType: "PathwayEnrolment",
                    detail: "chart: \(tasks.count) tasks")
            ])
        }
        return ChartSummary(
            enrolments: dtos, tasks: try tasks.map { try taskDTO($0, tpls[$0.enrolmentID]) },
            urgent: try urgent.map {
                CareTaskDTO(
                    id: try $0.requireID(), patientId: $0.patientID, patientName: nil, kind: $0.kind, urgent: true,
                    team: $0.team,
                    summary: $0.summary, status: $0.status, createdAt: $0.createdAt, closedBy: nil)
            })
    }
}
