import Vapor
import Fluent
import Domain
import AppCore
import Jobs
import Locations
import Notifications
import Patients
import Scheduling

/// The pathway's background work, run by the durable job queue:
/// - `pathway.step`: a step reaches the patient (a task in the portal and a notice without PHI); check-ins and photo
///   prompts schedule their escalation; a follow-up gets slot offers, or a front-desk task when none fit.
/// - `pathway.escalate`: a check-in or photo prompt still unanswered becomes a care-team task (urgent for "not
/// received").
package enum PathwayJobs {
    package static let stepKind = "pathway.step"
    package static let escalateKind = "pathway.escalate"

    package static func register(_ app: Application) {
        app.jobHandlers.register(stepKind, step)
        app.jobHandlers.register(escalateKind, escalate)
    }

    package struct BadPayload: Error, CustomStringConvertible {
        package let description: String
    }

    @Sendable package static func step(_ ctx: JobContext) async throws {
        let db = ctx.app.db
        guard let eid = ctx.uuid("enrolment"), let key = ctx.payload["step"] else {
            throw BadPayload(description: "payload needs enrolment and step")
        }
        guard let e = try await PathwayEnrolmentRecord.find(eid, on: db), e.status == .active else { return }
        guard let t = try await PathwayTemplateRecord.find(e.templateID, on: db)?.template, let s = t.step(key),
            let loc = try await LocationRecord.find(e.locationID, on: db), let zone = TimeZone(identifier: loc.timeZone)
        else {
            throw BadPayload(description: "template step or location missing")
        }
        let offers = s.kind == .followUp ? try await Self.offers(ctx.app, e, s, zone: zone) : []
        let offersJSON = String(decoding: try JSONEncoder.sorted.encode(offers), as: UTF8.self)
        let practice = ctx.app.config.practiceName, now = ctx.now
        try await ctx.commit { tx in
            let task = PathwayTaskRecord()
            task.id = UUID()
            task.openedAt = now
            task.status = .open
            task.stepKey = s.key
            task.kind = s.kind
            task.redFlags = ""
            task.enrolmentID = eid
            task.patientID = e.patientID
            if s.kind == .followUp { task.offers = offersJSON }
            try await task.create(on: tx)
            var drafts = [
                AuditDraft(
                    action: .create, category: .pathways, patientID: e.patientID, entityType: "PathwayTask",
                    entityID: task.id?.uuidString,
                    detail: "\(e.templateCode) v\(e.templateVersion) step \(s.key) sent")
            ]
            try await notify(
                patientID: e.patientID, step: s, taskID: try task.requireID(), practice: practice, now: now, on: tx)
            if let h = s.escalateAfterHours {
                try await JobQueue.enqueue(
                    JobSpec(
                        kind: escalateKind, payload: ["task": (try task.requireID()).uuidString],
                        runAt: now.addingTimeInterval(TimeInterval(h) * 3600),
                        dedupeKey: "pathway:\(eid.uuidString):escalate:\(s.key)"), now: now, on: tx)
            }
            if s.kind == .followUp && offers.isEmpty {
                let c = try await PathwayStore.raise(
                    kind: .scheduleFollowUp, urgent: false, team: .frontDesk,
                    summary: "\(s.title): no free time fits around day \(s.day); please call the patient to book.",
                    patientID: e.patientID, enrolmentID: eid, taskID: task.id,
                    key: "follow-up:\((try task.requireID()).uuidString)",
                    now: now, on: tx)
                drafts.append(
                    AuditDraft(
                        action: .create, category: .pathways, patientID: e.patientID, entityType: "CareTask",
                        entityID: c.id?.uuidString, detail: "front desk: schedule follow-up"))
            }
            return drafts
        }
    }

    @Sendable package static func escalate(_ ctx: JobContext) async throws {
        let db = ctx.app.db
        guard let tid = ctx.uuid("task") else { throw BadPayload(description: "payload needs task") }
        guard let task = try await PathwayTaskRecord.find(tid, on: db), task.status == .open,
            let e = try await PathwayEnrolmentRecord.find(task.enrolmentID, on: db), e.status == .active,
            let t = try await PathwayTemplateRecord.find(e.templateID, on: db)?.template, let s = t.step(task.stepKey)
        else { return }
        let flags = PathwayRules.missedFlags(s)
        let now = ctx.now
        try await ctx.commit { tx in
            guard let task = try await PathwayTaskRecord.find(tid, on: tx), task.status == .open else { return [] }
            task.status = .missed
            task.redFlags = flags.joined(separator: ",")
            try await task.save(on: tx)
            let what = s.kind == .photoPrompt ? "no photo received" : "not answered"
            let c = try await PathwayStore.raise(
                kind: s.kind == .photoPrompt ? .missedPhoto : .missedCheckIn, urgent: !flags.isEmpty,
                team: .clinical,
                summary: "\(s.title): \(what) within \(s.escalateAfterHours ?? 0) h"
                    + (flags.isEmpty ? "" : " (\(flags.joined(separator: ", ")))"),
                patientID: task.patientID, enrolmentID: task.enrolmentID, taskID: tid, key: "missed:\(tid.uuidString)",
                now: now, on: tx)
            return [
                AuditDraft(
                    action: .update, category: .pathways, patientID: task.patientID, entityType: "PathwayTask",
                    entityID: tid.uuidString, detail: "missed; escalated"),
                AuditDraft(
                    action: .create, category: .pathways, patientID: task.patientID, entityType: "CareTask",
                    entityID: c.id?.uuidString,
                    detail: flags.isEmpty ? "missed check-in" : "urgent: \(flags.joined(separator: ", "))"),
            ]
        }
    }

    /// The portal notice, and email/SMS when the step uses them and the patient has them: text without PHI.
    package static func notify(
        patientID: UUID, step s: PathwayStep, taskID: UUID, practice: String, now: Date, on tx: any Database
    ) async throws {
        guard let p = try await PatientRecord.find(patientID, on: tx) else { return }
        let channels = NoticeChannel.recipients(
            portal: patientID.uuidString, email: p.email, phone: p.phone,
            allowing: Set(s.channels.compactMap(NoticeChannel.init(rawValue:))))
        for (channel, recipient) in channels {
            try await OutboxMessageRecord.pending(
                kind: "pathway-\(s.kind.rawValue)", channel: channel, recipient: recipient,
                subject: PathwayRules.notificationSubject(s, t: p.tr),
                body: PathwayRules.notificationText(s, practice: practice, t: p.tr),
                dedupeKey: "pathway:\(taskID.uuidString):\(channel)",
                patientID: patientID, now: now
            ).create(on: tx)
        }
    }

    /// Up to three free times with the provider of record at the enrolment's location, around the step's day.
    package static func offers(_ app: Application, _ e: PathwayEnrolmentRecord, _ s: PathwayStep, zone: TimeZone)
        async throws -> [SchedulingStore.Slot]
    {
        guard let code = s.appointmentTypeCode,
            let type = try await AppointmentTypeRecord.query(on: app.db).filter(\.$code == code).first(),
            let day = LocalDay(e.startDay)
        else { return [] }
        let window = PathwayRules.followUpWindow(procedureDay: day, step: s)
        let slots = try await SchedulingStore(scope: app.systemScope("job:\(stepKind)")).slots(
            typeID: try type.requireID(), locationIDs: [e.locationID], providerIDs: [e.providerID],
            fromDay: window.from,
            toDay: window.to)
        return PathwayRules.pickOffers(slots, start: \.start, zone: zone)
    }
}
