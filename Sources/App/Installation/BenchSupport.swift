import Vapor
import Fluent
import Accounts
import AppCore

/// What the benchmarks share: a scratch application (a new SQLite data dir, or an empty PostgreSQL database named by
/// DATABASE_URL — refused if it already has accounts), migrated, with cheap bcrypt and no demo data.
package enum BenchSupport {
    package static func scratchApp(_ baseConfig: AppConfig, label: String, adjust: (inout AppConfig) -> Void = { _ in })
        async throws -> (Application, AppConfig)
    {
        var config = baseConfig
        config.seedDemo = false
        config.bcryptCost = 4
        if !config.isPostgres {
            config.dataDir =
                FileManager.default.temporaryDirectory.appendingPathComponent(
                    "caresync-bench-\(label)-\(UUID().uuidString)"
                ).path
        }
        adjust(&config)
        let app = try await Application.make(Environment(name: "production", arguments: ["caresync"]))
        app.logger.logLevel = .warning
        do {
            try await configure(app, config, migrate: false)
            if config.isPostgres, try await BookingBench.tableExists(app),
                try await UserRecord.query(on: app.db).count() > 0
            {
                throw AppError.conflict(
                    type: "not-empty", detail: "The bench needs an empty scratch database; this one has accounts.",
                    extra: [:])
            }
            try await prepareDatabase(app)
            return (app, config)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// Serves the app on a loopback port; returns its base URL.
    package static func serve(_ app: Application) async throws -> String {
        let port = Int.random(in: 20000...60000)
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = port
        try await app.server.start()
        return "http://127.0.0.1:\(port)"
    }
}
