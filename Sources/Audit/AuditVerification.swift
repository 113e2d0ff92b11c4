import Vapor
import Fluent
import Domain
import AppCore

/// Recomputes the hash chain from the first event and checks it still reaches the last signed checkpoint.
/// Checkpoints (head sequence and hash, HMAC-signed) live in the blob store, outside the database.
public enum AuditVerification {
    public struct Report: Content, Sendable {
        public let ok: Bool
        public let checked: Int
        public let headSeq: Int64
        public let headHash: String
        public let firstBadSeq: Int64?
        public let problem: String?
        public let checkpointSeq: Int64?
        /// What is not broken but weakens the guard outside production (a server role that could drop the triggers).
        public var warnings: [String] = []
    }

    package static let checkpointKey = AuditCheckpoints.blobKey

    /// Verifies the whole chain in pages of 1000. On success (and when asked) records a new checkpoint at the head,
    /// and appends an `audit-verified` event.
    public static func run(app: Application, writeCheckpoint: Bool, progress: (@Sendable (Int) -> Void)? = nil)
        async throws -> Report
    {
        try await run(
            app: app, scope: app.systemScope("audit-verify"), writeCheckpoint: writeCheckpoint, progress: progress)
    }

    package static func run(
        app: Application, scope: AuditScope, writeCheckpoint: Bool, progress: (@Sendable (Int) -> Void)? = nil
    ) async throws -> Report {
        let key = try AuditCheckpoints.key(app)
        let local = try AuditCheckpoints.readLocal(app, key: key)
        let offsite = try AuditCheckpoints.readOffsite(app, key: key)
        // The newest checkpoint either place holds is the one the chain must still reach.
        let checkpoint = [local.checkpoint, offsite?.checkpoint].compactMap { $0 }.max {
            ($0.seq, $0.recordedAt) < ($1.seq, $1.recordedAt)
        }
        var verifier = AuditChain.Verifier(checkpoint: checkpoint)
        var after: Int64 = 0
        while true {
            let page = try await AuditEventRecord.query(on: app.db).filter(\.$seq > after).sort(\.$seq, .ascending)
                .limit(1000).all()
            if page.isEmpty { break }
            for r in page { verifier.feed(r.entry) }
            after = page.last!.seq
            progress?(verifier.checked)
            if verifier.firstBad != nil { break }
        }
        let verdict = verifier.finish()
        // Beyond the chain itself: checkpoints that were removed, rolled back or forged, and a switched-off guard.
        var problems: [String] = verdict.firstBad.map { [$0.problem.description] } ?? []
        if local == .forged || offsite == .forged {
            problems.append(
                "the checkpoint file's signature does not verify (the checkpoint was altered or the key changed)")
        }
        if let off = offsite?.checkpoint, (local.checkpoint?.seq ?? -1) < off.seq {
            problems.append(
                "the checkpoint beside the data is missing or older than the off-site copy (#\(off.seq)): "
                    + "it was removed or rolled back")
        }
        if local == .none, offsite?.checkpoint == nil,
            let started = try await AuditEventRecord.query(on: app.db).filter(
                \.$action == AuditAction.auditCheckpoint.rawValue
            ).first()
        {
            problems.append(
                "no checkpoint is found, though checkpoints have been written since event #\(started.seq): it was "
                    + "deleted"
            )
        }
        // The chain must still pass through every checkpoint taken, not only the newest: a checkpoint re-signed with a
        // stolen key does not hide an edit that the off-site copy (which cannot be rewritten) still sees.
        if verdict.firstBad == nil, let off = offsite?.checkpoint, off != checkpoint {
            let stored = try await AuditEventRecord.query(on: app.db).filter(\.$seq == off.seq).first()
            if stored?.hash != off.hash {
                problems.append(
                    "the chain no longer matches the off-site checkpoint #\(off.seq): events were changed and "
                        + "re-hashed, or removed")
            }
        }
        problems += try await AuditCheckpoints.guardProblems(app.db).map { "the append-only guard is off: \($0)" }
        var warnings: [String] = []
        if let role = try await AuditCheckpoints.roleFacts(app.db), !role.problems.isEmpty {
            let said = role.problems.joined(separator: "; ") + " (\(DatabaseRoleFacts.remedy))"
            if app.config.environment == .production { problems.append(said) } else { warnings.append(said) }
        }
        let ok = problems.isEmpty
        var report = Report(
            ok: ok, checked: verdict.checked, headSeq: verdict.headSeq, headHash: verdict.headHash,
            firstBadSeq: verdict.firstBad?.seq, problem: ok ? nil : problems.joined(separator: "; "),
            checkpointSeq: checkpoint?.seq)
        report.warnings = warnings
        try await scope.record([
            AuditDraft(
                action: .auditVerified, category: .auditLog, entityType: "AuditChain",
                entityID: String(verdict.headSeq),
                outcome: ok ? .success : .failure,
                detail: ok
                    ? "\(verdict.checked) events verified"
                    : String(
                        ("first problem at event \(verdict.firstBad?.seq ?? verdict.headSeq): "
                            + problems.joined(separator: "; ")).prefix(1000)))
        ])
        if ok && writeCheckpoint && verdict.headSeq > 0 {
            try AuditCheckpoints.write(
                app, AuditChain.Checkpoint(seq: verdict.headSeq, hash: verdict.headHash, recordedAt: app.clock.now()),
                key: key)
        }
        return report
    }
}
