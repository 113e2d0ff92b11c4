import Vapor
import Fluent
import SQLKit
import NIOConcurrencyHelpers
import Domain
import AppCore

/// What to run, when, and its purpose key (enqueuing a purpose twice is a no-op).
package struct JobSpec: Sendable {
    package var kind: String
    package var payload: [String: String]
    package var runAt: Date
    package var dedupeKey: String
    package var maxAttempts = 6

    package init(kind: String, payload: [String: String], runAt: Date, dedupeKey: String, maxAttempts: Int = 6) {
        self.kind = kind
        self.payload = payload
        self.runAt = runAt
        self.dedupeKey = dedupeKey
        self.maxAttempts = maxAttempts
    }
}

/// A job as its handler sees it, with the one way to make its effect permanent: `commit`, which writes the effect
/// and marks the job done in one transaction, after checking that this node still holds the claim. A node that
/// lost its lease (it stalled and another node took the job over) commits nothing, so each effect happens once.
package final class JobContext: @unchecked Sendable {
    package let app: Application
    package let id: UUID
    package let kind: String
    package let payload: [String: String]
    package let attempt: Int
    package let token: UUID
    private let done = NIOLockedValueBox(false)

    package init(app: Application, job: JobRecord) throws {
        self.app = app
        id = try job.requireID()
        kind = job.kind
        payload = job.payloadMap
        attempt = job.attempts
        token = job.claimToken!
    }

    /// A payload value that is an id.
    package func uuid(_ key: String) -> UUID? { payload[key].flatMap { UUID(uuidString: $0) } }

    package var committed: Bool { done.withLockedValue { $0 } }
    package var now: Date { app.clock.now() }

    /// The job's system principal, audited as `system:job:<kind>`.
    package var scope: AuditScope { app.systemScope("job:\(kind)") }

    /// Writes the effect (and its audit events) and marks the job done, atomically.
    package func commit(_ body: @escaping @Sendable (any Database) async throws -> [AuditDraft]) async throws {
        let id = self.id, token = self.token, now = self.now
        try await scope.run { tx in
            try await JobQueue.holdClaim(id: id, token: token, on: tx)
            let drafts = try await body(tx)
            try await JobQueue.markDone(id: id, now: now, on: tx)
            return ((), drafts)
        }
        done.withLockedValue { $0 = true }
    }
}

/// Handlers by job kind, registered in `configure` (and by tests for their own kinds).
package final class JobHandlers: @unchecked Sendable {
    package typealias Handler = @Sendable (JobContext) async throws -> Void
    private let box = NIOLockedValueBox<[String: Handler]>([:])

    package func register(_ kind: String, _ handler: @escaping Handler) { box.withLockedValue { $0[kind] = handler } }
    package func handler(_ kind: String) -> Handler? { box.withLockedValue { $0[kind] } }
}

extension Application {
    private struct JobHandlersKey: StorageKey { typealias Value = JobHandlers }
    package var jobHandlers: JobHandlers {
        if let h = storage[JobHandlersKey.self] { return h }
        let h = JobHandlers()
        storage[JobHandlersKey.self] = h
        return h
    }
}

/// The durable queue. Claiming on PostgreSQL takes row locks with `FOR UPDATE SKIP LOCKED`, so nodes polling at the
/// same moment each get different jobs without waiting on one another; on SQLite (one node) the in-process write
/// lock does the same. A claim is a lease: a node that dies leaves its jobs to be claimed again when it runs out.
package enum JobQueue {
    package struct LeaseLost: Error, CustomStringConvertible {
        package let description = "another node took this job over (lease expired)"
    }

    package static let lease: TimeInterval = 120
    /// Wait before attempt n+1: 1 min, 5 min, 15 min, 1 h, 4 h.
    package static let backoff: [TimeInterval] = [60, 300, 900, 3600, 14400]

    /// Adds a job inside the caller's transaction; false when a job with the same purpose exists.
    @discardableResult
    package static func enqueue(_ spec: JobSpec, now: Date, on tx: any Database) async throws -> Bool {
        if try await JobRecord.query(on: tx).filter(\.$dedupeKey == spec.dedupeKey).first() != nil { return false }
        let j = JobRecord()
        j.id = UUID()
        j.createdAt = now
        j.updatedAt = now
        j.status = .pending
        j.runAt = spec.runAt
        j.attempts = 0
        j.maxAttempts = spec.maxAttempts
        j.dedupeKey = spec.dedupeKey
        j.kind = spec.kind
        j.payload = String(decoding: try JSONEncoder.sorted.encode(spec.payload), as: UTF8.self)
        try await j.create(on: tx)
        return true
    }

    /// Claims up to `limit` due jobs (and jobs whose lease ran out) for `node`.
    package static func claim(_ app: Application, node: String, limit: Int) async throws -> [JobRecord] {
        let now = app.clock.now()
        let body: @Sendable (any Database) async throws -> [JobRecord] = { tx in
            let ids: [UUID]
            if tx.isPostgres {
                ids = try await tx.sql.raw(
                    """
                    SELECT id FROM job
                    WHERE (status = 'pending' AND run_at <= \(bind: now))
                       OR (status = 'running' AND lease_until < \(bind: now))
                    ORDER BY run_at LIMIT \(literal: limit)
                    FOR UPDATE SKIP LOCKED
                    """
                ).all().map { try $0.decode(column: "id", as: UUID.self) }
            } else {
                ids = try await JobRecord.query(on: tx).group(.or) { g in
                    g.group(.and) { $0.filter(\.$status == JobStatus.pending).filter(\.$runAt <= now) }
                    g.group(.and) { $0.filter(\.$status == JobStatus.running).filter(\.$leaseUntil < now) }
                }.sort(\.$runAt).limit(limit).all().compactMap(\.id)
            }
            guard !ids.isEmpty else { return [] }
            let jobs = try await JobRecord.query(on: tx).filter(\.$id ~~ ids).sort(\.$runAt).all()
            for j in jobs {
                j.status = .running
                j.attempts += 1
                j.leaseUntil = now.addingTimeInterval(lease)
                j.claimedBy = node
                j.claimToken = UUID()
                j.updatedAt = now
                try await j.save(on: tx)
            }
            return jobs
        }
        if app.config.isPostgres { return try await app.db.transaction(body) }
        return try await app.serializer.write(app.db, body)
    }

    /// Inside a transaction: locks the job row and checks this claim still holds it.
    package static func holdClaim(id: UUID, token: UUID, on tx: any Database) async throws {
        if tx.isPostgres {
            let row = try await tx.sql.raw("SELECT status, claim_token FROM job WHERE id = \(bind: id) FOR UPDATE")
                .first()
            guard let row, try row.decode(column: "status", as: String.self) == JobStatus.running.rawValue,
                try row.decode(column: "claim_token", as: UUID?.self) == token
            else { throw LeaseLost() }
        } else {
            guard let j = try await JobRecord.find(id, on: tx), j.status == .running, j.claimToken == token else {
                throw LeaseLost()
            }
        }
    }

    package static func markDone(id: UUID, now: Date, on tx: any Database) async throws {
        guard let j = try await JobRecord.find(id, on: tx) else { return }
        j.status = .done
        j.finishedAt = now
        j.leaseUntil = nil
        j.lastError = nil
        j.updatedAt = now
        try await j.save(on: tx)
    }

    /// A failed attempt: again after the backoff, or failed for good after the last attempt. Returns the new status.
    package static func recordFailure(_ app: Application, id: UUID, token: UUID, error: String) async throws
        -> JobStatus?
    {
        let now = app.clock.now()
        return try await app.serializer.write(app.db) { tx in
            do { try await holdClaim(id: id, token: token, on: tx) } catch is LeaseLost { return nil }
            guard let j = try await JobRecord.find(id, on: tx) else { return nil }
            let last = j.attempts >= j.maxAttempts
            j.status = last ? .failed : .pending
            j.runAt = now.addingTimeInterval(backoff[min(max(j.attempts - 1, 0), backoff.count - 1)])
            j.leaseUntil = nil
            j.lastError = String(error.prefix(300))
            j.finishedAt = last ? now : nil
            j.updatedAt = now
            try await j.save(on: tx)
            return j.status
        }
    }

    /// Failed jobs (all, or one) go back to pending, due now, with a fresh set of attempts.
    package static func retry(_ app: Application, id: UUID?) async throws -> Int {
        let now = app.clock.now()
        return try await app.serializer.write(app.db) { tx in
            let q = JobRecord.query(on: tx).filter(\.$status == JobStatus.failed)
            if let id { q.filter(\.$id == id) }
            let rows = try await q.all()
            for j in rows {
                j.status = .pending
                j.runAt = now
                j.attempts = 0
                j.finishedAt = nil
                j.updatedAt = now
                try await j.save(on: tx)
            }
            return rows.count
        }
    }

    /// Pending jobs of a purpose prefix are cancelled (an enrolment stopped, say).
    package static func cancel(dedupePrefix: String, now: Date, on tx: any Database) async throws -> Int {
        let rows = try await JobRecord.query(on: tx).filter(\.$status == JobStatus.pending).all().filter {
            $0.dedupeKey.hasPrefix(dedupePrefix)
        }
        for j in rows {
            j.status = .cancelled
            j.finishedAt = now
            j.updatedAt = now
            try await j.save(on: tx)
        }
        return rows.count
    }
}

extension JSONEncoder {
    /// Stable JSON (sorted keys) for stored payloads and definitions.
    package static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
