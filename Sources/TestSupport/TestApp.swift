import Foundation
import Logging
import NIOConcurrencyHelpers
import XCTVapor
import Fluent
import SQLKit
@testable import App
import Domain

/// Log lines captured from every test app (the real JSON handler), so tests can check what is logged.
public enum LogCapture {
    private static let box = NIOLockedValueBox<[String]>([])
    private static let once: Void = {
        LoggingSystem.bootstrap { label in
            JSONLogHandler(label: label, level: .info, sink: { line in LogCapture.box.withLockedValue { $0.append(line) } })
        }
    }()

    public static func start() { _ = once }
    public static var lines: [String] { box.withLockedValue { $0 } }
    public static func clear() { box.withLockedValue { $0.removeAll() } }
}

/// Which database the suite runs on: SQLite unless TEST_DATABASE_URL names a PostgreSQL server.
public enum TestDatabase {
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }
    public static var isPostgres: Bool { postgresURL != nil }
}

/// A fresh application on a fresh database (a new SQLite file, or an emptied PostgreSQL schema),
/// with a test clock and cheap bcrypt. Shut down afterwards whatever happens.
public func withTestApp(seedDemo: Bool = false, configure adjust: (inout AppConfig) -> Void = { _ in },
                        _ body: (Application, TestClock) async throws -> Void) async throws {
    LogCapture.start()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("caresync-test-\(UUID().uuidString)").path
    var config = AppConfig(dataDir: dir, databaseURL: TestDatabase.postgresURL, bcryptCost: 4, seedDemo: false)
    adjust(&config)
    let clock = TestClock()
    let app = try await Application.make(.testing)
    do {
        try await App.configure(app, config, clock: clock, migrate: false)
        if config.isPostgres {
            try await app.db.sql.raw("DROP SCHEMA IF EXISTS public CASCADE").run()
            try await app.db.sql.raw("CREATE SCHEMA public").run()
        }
        try await prepareDatabase(app)
        if seedDemo { try await DemoSeed.seed(app) }
        try await body(app, clock)
    } catch {
        try? await app.asyncShutdown()
        try? FileManager.default.removeItem(atPath: dir)
        throw error
    }
    try await app.asyncShutdown()
    try? FileManager.default.removeItem(atPath: dir)
}
