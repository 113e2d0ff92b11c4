import Vapor

/// A background loop `serve` runs every few seconds until shutdown (the outbox, the job queue). All their state is in
/// the database, so stopping between passes loses nothing; an interval of 0 turns the loop off on this node.
package struct PeriodicWorker: LifecycleHandler {
    package final class Box: @unchecked Sendable { package var task: Task<Void, Never>? }
    package let name: String
    package let interval: @Sendable (AppConfig) -> TimeInterval
    package let pass: @Sendable (Application) async throws -> Void
    /// Seconds to wait before the first pass: a worker that calls this node over HTTP waits until it listens.
    package let firstPassAfter: TimeInterval
    package let box = Box()

    package init(
        name: String,
        interval: @escaping @Sendable (AppConfig) -> TimeInterval,
        firstPassAfter: TimeInterval = 0,
        pass: @escaping @Sendable (Application) async throws -> Void
    ) {
        self.name = name
        self.interval = interval
        self.firstPassAfter = firstPassAfter
        self.pass = pass
    }

    package func didBootAsync(_ app: Application) async throws {
        let seconds = interval(app.config)
        guard seconds > 0 else { return }
        let name = self.name, pass = self.pass, delay = firstPassAfter
        box.task = Task {
            if delay > 0 { try? await Task.sleep(for: .seconds(delay)) }
            while !Task.isCancelled {
                do { try await pass(app) } catch {
                    app.logger.error(
                        "\(name) pass failed", metadata: ["error_type": .string(String(describing: type(of: error)))])
                }
                try? await Task.sleep(for: .seconds(seconds))
            }
        }
    }

    package func shutdownAsync(_ app: Application) async {
        box.task?.cancel()
        _ = await box.task?.value
    }
}
