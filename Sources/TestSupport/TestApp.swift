import Foundation
import Logging
import NIOConcurrencyHelpers
import XCTVapor
import Fluent
import SQLKit
import App
import Domain
import AppCore
import Demo
import Operations

/// Log lines captured from every test app (the real JSON handler), so tests can check what is logged.
package enum LogCapture {
    private static let box = NIOLockedValueBox<[String]>([])
    private static let once: Void = {
        LoggingSystem.bootstrap { label in
            JSONLogHandler(
                label: label, level: .info, sink: { line in LogCapture.box.withLockedValue { $0.append(line) } })
        }
    }()

    package static func start() { _ = once }
    package static var lines: [String] { box.withLockedValue { $0 } }
    package static func clear() { box.withLockedValue { $0.removeAll() } }
}

/// Which database the suite runs on: SQLite unless TEST_DATABASE_URL names a PostgreSQL server.
package enum TestDatabase {
    package static var postgresURL: String? {
        ProcessInfo.processInfo.environment["TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }
    package static var isPostgres: Bool { postgresURL != nil }
}

/// A fresh application on a fresh database (a new SQLite file, or an emptied PostgreSQL schema),
/// with a test clock and cheap bcrypt. Shut down afterwards whatever happens.
package func withTestApp(
    seedDemo: Bool = false, configure adjust: (inout AppConfig) -> Void = { _ in },
    _ body: (Application, TestClock) async throws -> Void
) async throws {
    LogCapture.start()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("caresync-test-\(UUID().uuidString)").path
    var config = AppConfig(dataDir: dir, databaseURL: TestDatabase.postgresURL, bcryptCost: 4, seedDemo: false)
    adjust(&config)
    let clock = TestClock()
    let app = try await Application.make(.testing)
    let contract = OpenAPIContractMiddleware()
    do {
        try await App.configure(app, config, clock: clock, migrate: false)
        app.middleware.use(contract, at: .beginning)
        if config.isPostgres {
            try await app.db.sql.raw("DROP SCHEMA IF EXISTS public CASCADE").run()
            try await app.db.sql.raw("CREATE SCHEMA public").run()
        }
        try await prepareDatabase(app)
        if seedDemo { try await DemoSeed.seed(app) }
        try await body(app, clock)
        XCTAssertEqual(contract.violations, [], "API responses that the OpenAPI document does not describe")
    } catch {
        try? await app.asyncShutdown()
        try? FileManager.default.removeItem(atPath: dir)
        throw error
    }
    try await app.asyncShutdown()
    try? FileManager.default.removeItem(atPath: dir)
}

/// A throwaway PostgreSQL cluster that archives its WAL, for point-in-time recovery tests. Needs the server programs
/// (run as the `postgres` user when the tests run as root).
package final class ArchivingPostgres: @unchecked Sendable {
    package let dir: String
    package let walDir: String
    package let port: Int
    package var url: String { "postgres://postgres@127.0.0.1:\(port)/caresync?sslmode=disable" }

    package static var available: Bool { (try? PostgresTools.path("initdb")) != nil }

    package init() async throws {
        dir =
            FileManager.default.temporaryDirectory.appendingPathComponent("caresync-pg-\(UUID().uuidString.prefix(8))")
            .path
        walDir = dir + "/wal"
        port = PITR.freeLoopbackPort()
        try FileManager.default.createDirectory(atPath: walDir, withIntermediateDirectories: true)
        try await PostgresTools.giveToServerUser(dir)
        try await PostgresTools.run(
            "initdb", ["-D", dir + "/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"],
            asServerUser: true)
        let conf = """

            listen_addresses = '127.0.0.1'
            port = \(port)
            unix_socket_directories = '\(dir)'
            fsync = off
            wal_level = replica
            archive_mode = on
            archive_command = 'cp "%p" "\(walDir)/%f"'
            """
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/data/postgresql.conf"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(conf.utf8))
        try handle.close()
        try await PostgresTools.giveToServerUser(dir)
        try await PostgresTools.run(
            "pg_ctl", ["-D", dir + "/data", "-l", dir + "/pg.log", "-w", "start"], asServerUser: true)
        try await PostgresTools.run(
            "psql", ["--dbname=postgres://postgres@127.0.0.1:\(port)/postgres", "-qc", "CREATE DATABASE caresync"])
    }

    /// Closes the current WAL segment and waits until the archiver has copied it.
    package func switchAndArchive() async throws {
        let name = try await PostgresTools.run(
            "psql", ["--dbname=\(url)", "-Atc", "SELECT pg_walfile_name(pg_switch_wal())"]
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        for _ in 0..<300 {
            if FileManager.default.fileExists(atPath: walDir + "/" + name) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PITRTestError("WAL segment \(name) was not archived within 30 s")
    }

    package func stop() async {
        _ = try? await PostgresTools.run(
            "pg_ctl", ["-D", dir + "/data", "-m", "fast", "-w", "stop"], asServerUser: true)
        try? FileManager.default.removeItem(atPath: dir)
    }
}

package struct PITRTestError: Error, CustomStringConvertible {
    package let description: String
    package init(_ s: String) { description = s }
}

/// Another node on the same database (or a restarted process): a new application with its own in-memory state,
/// sharing the first one's configuration and clock. The caller shuts it down.
package func anotherNode(of app: Application, clock: TestClock) async throws -> Application {
    let node = try await Application.make(.testing)
    do {
        try await App.configure(node, app.config, clock: clock, migrate: false)
    } catch {
        try? await node.asyncShutdown()
        throw error
    }
    return node
}

/// A coturn server of its own on a loopback port, with the TURN REST secret (needs the Debian coturn package).
package final class Coturn: @unchecked Sendable {
    package let port: Int
    package let secret: String
    package let process: Process

    package static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/turnserver") }

    package init(secret: String = "test-turn-secret") throws {
        self.secret = secret
        port = PITR.freeLoopbackPort()
        let relayBase = 50000 + Int.random(in: 0..<500) * 20
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/turnserver")
        process.arguments = [
            "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--listening-port=\(port)", "--use-auth-secret",
            "--static-auth-secret=\(secret)", "--realm=caresync.test", "--fingerprint", "--no-tls", "--no-dtls",
            "--no-cli",
            "--allow-loopback-peers", "--min-port=\(relayBase)", "--max-port=\(relayBase + 19)", "--log-file=stdout",
            "--simple-log",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 0.5)
    }

    package var url: String { "turn:127.0.0.1:\(port)?transport=udp" }

    package func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
