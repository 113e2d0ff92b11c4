import Vapor
import Fluent
import Domain
import AppCore
import HelpDesk
import StatusPage

/// What `caresync probe`, `caresync status` and `caresync helpdesk list|metrics` do.
package enum StatusCLI {
    /// One probe pass against a node (its address), recorded as that node.
    package static func probe(_ config: AppConfig, node: String?) async throws -> StatusProbes.Pass {
        try await CareSyncCLI.withApp(config) { app in
            let base = (node ?? "http://127.0.0.1:8080").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
                throw AppError.validation([FieldError("node", "Give the node's address: http://host:port.")])
            }
            return try await StatusProbes.run(app, base: base, node: URI(string: base).host ?? base)
        }
    }

    package static func status(_ config: AppConfig) async throws -> StatusStore.Snapshot {
        try await CareSyncCLI.withApp(config) { app in
            try await StatusStore.snapshot(app, db: app.db, now: app.clock.now())
        }
    }

    package static func tickets(_ config: AppConfig, actor: String) async throws -> [HelpDeskStore.TicketDTO] {
        try await CareSyncCLI.withApp(config) { app in
            try await HelpDeskStore(scope: app.systemScope("helpdesk list by \(actor)")).list()
        }
    }

    package static func metrics(_ config: AppConfig, days: Int, actor: String) async throws -> HelpDeskMetrics {
        try await CareSyncCLI.withApp(config) { app in
            try await HelpDeskStore(scope: app.systemScope("helpdesk metrics by \(actor)")).metrics(days: days)
        }
    }
}
