import Vapor
import Fluent
import Domain
import AppCore
import Jobs
import Operations
import Telehealth

/// The scrape-time gauges the alert rules read, gathered from where each fact lives: the backups folder, the drill
/// results, the latest audit-chain verification, the job queue, the video visits. No PHI: counts and times.
package enum OperationsMetrics {
    package static func register(_ app: Application) {
        app.metricsCollectors.add { app in
            let m = app.appMetrics
            let now = app.clock.now()
            let backups = (try? Backups.list((app.config.dataDir as NSString).appendingPathComponent("backups"))) ?? []
            // A synthetic stale-backup incident (never in production) makes the newest backup look 27 hours old.
            let stale = app.faultSwitch.active(at: now) == .staleBackup
            m.set(
                "caresync_last_backup_timestamp_seconds", "When the newest backup was taken (0: never).",
                stale
                    ? now.addingTimeInterval(-InjectedFault.staleBackupAge).timeIntervalSince1970
                    : backups.map(\.createdAt.timeIntervalSince1970).max() ?? 0)
            let drill = try? await DrillResultRecord.query(on: app.db).sort(\.$startedAt, .descending).first()
            m.set(
                "caresync_last_drill_timestamp_seconds", "When the latest recovery drill ran (0: never).",
                drill?.startedAt.timeIntervalSince1970 ?? 0)
            m.set(
                "caresync_last_drill_success", "1 when the latest recovery drill passed (also 1 before any).",
                drill.map { $0.ok ? 1.0 : 0.0 } ?? 1.0)
            let verified = try? await AuditEventRecord.latestVerification(app.db)
            m.set(
                "caresync_audit_verification_ok", "1 unless the latest audit-chain verification failed.",
                verified.map { $0.outcome == AuditOutcome.failure.rawValue ? 0.0 : 1.0 } ?? 1.0)
            m.set(
                "caresync_audit_verification_timestamp_seconds", "When the audit chain was last verified.",
                verified?.recordedAt.timeIntervalSince1970 ?? 0)
            let due = try? await JobRecord.query(on: app.db).filter(\.$status == .pending)
                .filter(\.$runAt <= now).sort(\.$runAt).first()
            m.set(
                "caresync_job_queue_lag_seconds", "How long the oldest due job has waited (0: none waiting).",
                due.map { max(0, now.timeIntervalSince($0.runAt)) } ?? 0)
            for (state, statuses) in [("waiting", [VisitStatus.waiting]), ("connected", [.admitted, .inProgress])] {
                let n = (try? await VirtualVisitRecord.query(on: app.db).filter(\.$status ~~ statuses).count()) ?? 0
                m.set(
                    "caresync_video_visits", "Video visits now waiting for the provider, or admitted and connected.",
                    Double(n), labels: [("state", state)])
            }
        }
    }
}
