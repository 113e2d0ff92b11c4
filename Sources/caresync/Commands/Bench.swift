import ArgumentParser
import App
import AppCore
import Prescribing
import Telehealth
import Logging
import Foundation

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print figures.", subcommands: [Booking.self, BackupFigures.self, Signaling.self])

    struct Booking: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Booking throughput and latency under contention (scratch SQLite, or an empty PostgreSQL database "
                + "via DATABASE_URL)."
        )
        @Option(help: "Bookings to attempt.") var requests = 1000
        @Option(help: "Requests in flight at once.") var concurrency = 32
        @Option(help: "Providers the bookings are spread over.") var providers = 10
        @Option(help: "Candidate start times per provider (10 minutes apart, 20-minute visits).") var slots = 16
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            var o = BookingBench.Options()
            o.requests = requests
            o.concurrency = concurrency
            o.providers = providers
            o.slotsPerProvider = slots
            let quiet = json
            try await CareSync.execute(logs: .errorsOnly) {
                let r = try await BookingBench.run(
                    AppConfig.fromEnvironment(dataDir: nil), options: o,
                    progress: { line in
                        if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) }
                    })
                if json {
                    print(CareSyncCLI.json(r))
                } else {
                    print(
                        "booking bench (\(r.database)): \(r.requests) requests, \(r.concurrency) concurrent → "
                            + "\(r.created) booked, \(r.conflicts) refused with 409, \(r.otherErrors) other errors "
                            + "in \(r.seconds) s; \(Int(r.requestsPerSecond)) req/s, p50 \(r.p50Ms) ms, p99 "
                            + "\(r.p99Ms) ms, max \(r.maxMs) ms; overlaps in the table: \(r.overlapsFound)"
                    )
                }
                if r.overlapsFound > 0 || r.otherErrors > 0 { throw ExitCode(1) }
            }
        }
    }
}

extension Bench {
    struct Signaling: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Video-visit signaling: N concurrent WebSocket pairs (waiting room, admit, offer/answer, "
                + "candidates); time-to-admit and message latency p50/p99."
        )
        @Option(help: "Concurrent visits (pairs of WebSocket clients).") var pairs = 200
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            let quiet = json
            try await CareSync.execute(logs: .errorsOnly) {
                let r = try await SignalingBench.run(
                    AppConfig.fromEnvironment(dataDir: nil), pairs: pairs,
                    progress: { line in
                        if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) }
                    })
                if json {
                    print(CareSyncCLI.json(r))
                } else {
                    print(
                        "signaling bench (\(r.database)): \(r.pairs) concurrent visits, \(r.messages) relayed "
                            + "messages, \(r.failures) failed pairs in \(r.seconds) s; time-to-admit p50 "
                            + "\(r.admitP50Ms) ms, p99 \(r.admitP99Ms) ms; message latency p50 "
                            + "\(r.latencyP50Ms) ms, p99 \(r.latencyP99Ms) ms, max \(r.latencyMaxMs) ms"
                    )
                }
                if r.failures > 0 { throw ExitCode(1) }
            }
        }
    }

    struct BackupFigures: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backup",
            abstract:
                "Backup size and time, restore time and drill RTO on a generated practice-year (scratch SQLite, or "
                + "an empty PostgreSQL database via DATABASE_URL)."
        )
        @Option(help: "Patients to generate.") var patients = 10_000
        @Option(help: "Appointments to generate.") var appointments = 60_000
        @Option(help: "Wound photos to generate (each with a thumbnail).") var photos = 5_000
        @Option(help: "Size of one photo in KB.") var photoKb = 150
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            guard patients >= 1, appointments >= 0, photos >= 0, photoKb >= 1 else {
                throw ValidationError("counts must be positive")
            }
            var o = BackupBench.Options()
            o.patients = patients
            o.appointments = appointments
            o.photos = photos
            o.photoKB = photoKb
            let quiet = json
            let started = Date()
            try await CareSync.execute(logs: .errorsOnly) {
                let r = try await BackupBench.run(
                    AppConfig.fromEnvironment(dataDir: nil), options: o,
                    progress: { line in
                        if !quiet {
                            FileHandle.standardError.write(
                                Data(("[\(Int(Date().timeIntervalSince(started)))s] " + line + "\n").utf8))
                        }
                    })
                if json {
                    print(CareSyncCLI.json(r))
                } else {
                    let mb = { (b: Int64) in String(format: "%.1f MB", Double(b) / 1_048_576) }
                    let seconds = { (s: Double) in String(format: "%7.1f", s) }
                    let checks = r.drillChecks.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value) ms" }
                    print(
                        """
                        backup bench (\(r.database)): \(r.patients) patients, \(r.appointments) appointments, \
                        \(r.photos) photos (\(mb(r.blobBytes)) of blobs), \(r.auditEvents) audit events; \
                        generated in \(String(format: "%.1f", r.seedSeconds)) s
                          backup   \(seconds(r.backupSeconds)) s   \(mb(r.backupBytes)) encrypted
                          restore  \(seconds(r.restoreSeconds)) s   (verify + write into an empty target)
                          drill    \(seconds(r.drillRTOSeconds)) s RTO  \(r.drillOk ? "passed" : "FAILED")  \
                        \(checks.joined(separator: ", "))
                        """)
                }
                if !r.drillOk { throw ExitCode(1) }
            }
        }
    }
}
