import Vapor
import Fluent
import Domain

/// Delivers the outbox. Each pass: queue 24-hour reminders that are due, claim due messages (in the serialized
/// write, so two nodes never claim the same one), deliver them outside the transaction, then record the outcome.
/// A claim expires after two minutes: a node that dies mid-delivery leaves its messages to the next pass.
public enum OutboxWorker {
    public struct Pass: Codable, Sendable {
        public var remindersQueued = 0
        public var sent = 0
        public var retried = 0
        public var failed = 0
    }

    package static let claimFor: TimeInterval = 120
    package static let batch = 50

    package static func runOnce(_ app: Application, transport: any NotificationTransport = LiveTransport()) async throws -> Pass {
        var pass = Pass()
        let now = app.clock.now()
        pass.remindersQueued = try await queueReminders(app, now: now)
        let claimed: [OutboxMessageRecord] = try await app.serializer.write(app.db) { tx in
            let due = try await OutboxMessageRecord.query(on: tx).group(.or) { g in
                g.group(.and) { $0.filter(\.$status == "pending").filter(\.$nextAttemptAt <= now) }
                g.group(.and) { $0.filter(\.$status == "sending").filter(\.$claimedUntil < now) }
            }.sort(\.$nextAttemptAt).limit(batch).all()
            for m in due {
                m.status = "sending"
                m.claimedUntil = now.addingTimeInterval(claimFor)
                m.attempts += 1
                try await m.save(on: tx)
            }
            return due
        }
        for m in claimed {
            do {
                try await transport.deliver(m, app: app)
                m.status = "sent"
                m.sentAt = app.clock.now()
                m.lastError = nil
                pass.sent += 1
            } catch {
                let done = m.attempts > NoticeText.backoff.count
                m.status = done ? "failed" : "pending"
                m.nextAttemptAt = app.clock.now().addingTimeInterval(NoticeText.backoff[min(m.attempts - 1, NoticeText.backoff.count - 1)])
                m.lastError = String(String(describing: error).prefix(300))
                if done { pass.failed += 1 } else { pass.retried += 1 }
                app.logger.warning("outbox delivery failed", metadata: ["message-id": .string(m.id?.uuidString ?? ""), "channel": .string(m.channel),
                                                                        "attempt": .stringConvertible(m.attempts)])
            }
            m.claimedUntil = nil
            let snapshot = m
            _ = try await app.serializer.write(app.db) { tx in try await snapshot.save(on: tx) }
        }
        return pass
    }

    /// Booked appointments starting 23 to 25 hours from now get one reminder (the dedupe key makes it once).
    package static func queueReminders(_ app: Application, now: Date) async throws -> Int {
        let window = TimeSpan(start: now.addingTimeInterval(23 * 3600), end: now.addingTimeInterval(25 * 3600))
        let upcoming = try await AppointmentRecord.query(on: app.db).filter(\.$status == AppointmentStatus.booked.rawValue)
            .filter(\.$startAt >= window.start).filter(\.$startAt < window.end).all()
        guard !upcoming.isEmpty else { return 0 }
        return try await app.serializer.write(app.db) { tx in
            let before = try await OutboxMessageRecord.query(on: tx).filter(\.$kind == "reminder").count()
            for a in upcoming { try await AppointmentNotices.enqueue(.reminder, for: a, now: now, on: tx) }
            return try await OutboxMessageRecord.query(on: tx).filter(\.$kind == "reminder").count() - before
        }
    }

    /// The loop `serve` runs (CARESYNC_OUTBOX_INTERVAL).
    package static var worker: PeriodicWorker { PeriodicWorker(name: "outbox", interval: { $0.outboxInterval }) { _ = try await OutboxWorker.runOnce($0) } }
}
