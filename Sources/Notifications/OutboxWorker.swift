import Vapor
import Fluent
import Domain
import AppCore

/// Delivers the outbox. Each pass: queue 24-hour reminders that are due, claim due messages (in the serialized
/// write, so two nodes never claim the same one), deliver them outside the transaction, then record the outcome.
/// A claim expires after two minutes: a node that dies mid-delivery leaves its messages to the next pass.
public enum OutboxWorker {
    public struct Pass: Codable, Sendable {
        public var remindersQueued = 0
        public var sent = 0
        public var retried = 0
        public var failed = 0

        package init(remindersQueued: Int = 0, sent: Int = 0, retried: Int = 0, failed: Int = 0) {
            self.remindersQueued = remindersQueued
            self.sent = sent
            self.retried = retried
            self.failed = failed
        }
    }

    package static let claimFor: TimeInterval = 120
    package static let batch = 50

    package static func runOnce(_ app: Application, transport: any NotificationTransport = LiveTransport()) async throws
        -> Pass
    {
        var pass = Pass()
        let now = app.clock.now()
        pass.remindersQueued = try await app.reminderQueue?(app, now) ?? 0
        let claimed: [OutboxMessageRecord] = try await app.serializer.write(app.db) { tx in
            let due = try await OutboxMessageRecord.query(on: tx).group(.or) { g in
                g.group(.and) { $0.filter(\.$status == OutboxStatus.pending).filter(\.$nextAttemptAt <= now) }
                g.group(.and) { $0.filter(\.$status == OutboxStatus.sending).filter(\.$claimedUntil < now) }
            }.sort(\.$nextAttemptAt).limit(batch).all()
            for m in due {
                m.status = .sending
                m.claimedUntil = now.addingTimeInterval(claimFor)
                m.attempts += 1
                try await m.save(on: tx)
            }
            return due
        }
        for m in claimed {
            do {
                try await transport.deliver(m, app: app)
                m.status = .sent
                m.sentAt = app.clock.now()
                m.lastError = nil
                pass.sent += 1
            } catch {
                let done = m.attempts > NoticeText.backoff.count
                m.status = done ? .failed : .pending
                m.nextAttemptAt = app.clock.now().addingTimeInterval(
                    NoticeText.backoff[min(m.attempts - 1, NoticeText.backoff.count - 1)])
                m.lastError = String(String(describing: error).prefix(300))
                if done { pass.failed += 1 } else { pass.retried += 1 }
                if done { app.appMetrics.count(.outboxFailure) }
                app.logger.warning(
                    "outbox delivery failed",
                    metadata: [
                        "message-id": .string(m.id?.uuidString ?? ""), "channel": .string(m.channel.rawValue),
                        "attempt": .stringConvertible(m.attempts),
                    ])
            }
            m.claimedUntil = nil
            let snapshot = m
            _ = try await app.serializer.write(app.db) { tx in try await snapshot.save(on: tx) }
        }
        return pass
    }

    /// The loop `serve` runs (CARESYNC_OUTBOX_INTERVAL).
    package static var worker: PeriodicWorker {
        PeriodicWorker(name: "outbox", interval: { $0.outboxInterval }) { _ = try await OutboxWorker.runOnce($0) }
    }
}

/// Queues notices that are due before a pass (Scheduling's 24-hour reminders) and says how many it queued.
package typealias ReminderQueue = @Sendable (Application, Date) async throws -> Int

extension Application {
    private struct ReminderQueueKey: StorageKey { typealias Value = ReminderQueue }

    /// Set when the application is assembled, so the outbox does not depend on the capabilities that fill it.
    package var reminderQueue: ReminderQueue? {
        get { storage[ReminderQueueKey.self] }
        set { storage[ReminderQueueKey.self] = newValue }
    }
}
