import Vapor
import Fluent
import Domain
import AppCore

/// Runs due jobs: claim a batch, run each handler, record the outcome. `serve` runs a pass every few seconds
/// (CARESYNC_JOBS_INTERVAL); `caresync jobs run-once` runs one by hand. Every node may run it.
public enum JobWorker {
    public struct Pass: Codable, Sendable, Equatable {
        public var claimed = 0
        public var done = 0
        public var retried = 0
        public var failed = 0
        /// Jobs this node had claimed but another node finished after the lease ran out.
        public var lost = 0

        package init(claimed: Int = 0, done: Int = 0, retried: Int = 0, failed: Int = 0, lost: Int = 0) {
            self.claimed = claimed
            self.done = done
            self.retried = retried
            self.failed = failed
            self.lost = lost
        }
    }

    package static let batch = 20

    /// The node name recorded on claims.
    package static var defaultNode: String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// Claims and runs due jobs until none are due (at most `maxBatches` batches).
    package static func runOnce(_ app: Application, node: String = defaultNode, maxBatches: Int = 50) async throws
        -> Pass
    {
        var pass = Pass()
        for _ in 0..<maxBatches {
            let jobs = try await JobQueue.claim(app, node: node, limit: batch)
            if jobs.isEmpty { break }
            pass.claimed += jobs.count
            for j in jobs { await run(app, j, into: &pass) }
        }
        return pass
    }

    package static func run(_ app: Application, _ j: JobRecord, into pass: inout Pass) async {
        // A claimed job was read from the table, so it has its id.
        guard let ctx = try? JobContext(app: app, job: j) else { return }
        do {
            guard let handler = app.jobHandlers.handler(j.kind) else {
                throw UnknownKind(description: "no handler for job kind \(j.kind)")
            }
            try await handler(ctx)
            if !ctx.committed { try await ctx.commit { _ in [] } }
            pass.done += 1
        } catch is JobQueue.LeaseLost {
            pass.lost += 1
        } catch {
            let text = (error as? AppError).map { "\($0)" } ?? String(describing: error)
            app.logger.warning(
                "job failed",
                metadata: [
                    "job-id": .string(ctx.id.uuidString), "kind": .string(j.kind),
                    "attempt": .stringConvertible(j.attempts),
                ])
            switch try? await JobQueue.recordFailure(app, id: ctx.id, token: ctx.token, error: text) {
            case .failed:
                pass.failed += 1
                app.appMetrics.count(.jobFailure)
            case .pending: pass.retried += 1
            default: pass.lost += 1
            }
        }
    }

    package struct UnknownKind: Error, CustomStringConvertible {
        package let description: String
    }

    /// The loop `serve` runs (CARESYNC_JOBS_INTERVAL); every node may run it.
    package static var worker: PeriodicWorker {
        let node = defaultNode
        return PeriodicWorker(name: "job", interval: { $0.jobsInterval }) {
            _ = try await JobWorker.runOnce($0, node: node)
        }
    }
}
