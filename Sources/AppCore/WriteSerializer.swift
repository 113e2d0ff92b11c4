import Vapor
import Fluent
import SQLKit

/// Runs a write transaction that must not interleave with another (the audit hash chain, MRN numbering).
/// PostgreSQL: a transaction-scoped advisory lock, so it holds across every node sharing the database.
/// SQLite (one node, but two processes for a moment during a blue-green deploy): an in-process lock around the
/// transaction, which also keeps SQLite's single writer from ever seeing two write transactions at once, and the
/// write lock taken first (as BEGIN IMMEDIATE would), so another process's commit between this transaction's read
/// and its write makes it wait instead of failing (SQLite refuses a write on a stale snapshot outright).
package final class WriteSerializer: Sendable {
    private let isPostgres: Bool
    private let local = AsyncLock()
    package static let advisoryKey: Int64 = 0x4341_5245_5359_4e43 & 0x7fff_ffff_ffff_ffff  // "CARESYNC"

    package init(isPostgres: Bool) { self.isPostgres = isPostgres }

    package func write<T: Sendable>(_ db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T)
        async throws -> T
    {
        if isPostgres {
            return try await db.transaction { tx in
                try await (tx as! any SQLDatabase).raw("SELECT pg_advisory_xact_lock(\(literal: Self.advisoryKey))")
                    .run()
                return try await body(tx)
            }
        }
        return try await local.withLock {
            try await db.transaction { tx in
                try await (tx as! any SQLDatabase).raw("UPDATE practice SET id = id WHERE 0").run()
                return try await body(tx)
            }
        }
    }
}

/// A fair async mutex: waiters queue without blocking a thread.
package actor AsyncLock {
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    package func lock() async {
        if !locked { locked = true; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    package func unlock() {
        if waiters.isEmpty { locked = false } else { waiters.removeFirst().resume() }
    }

    package nonisolated func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await lock()
        do {
            let r = try await body()
            await unlock()
            return r
        } catch {
            await unlock()
            throw error
        }
    }
}
