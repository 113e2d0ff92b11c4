import ArgumentParser
import App
import AppCore
import Prescribing
import Telehealth
import Logging
import Foundation

/// Options every command shares: where the data lives. DATABASE_URL in the environment selects PostgreSQL.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory for the SQLite database, blobs and keys (env CARESYNC_DATA_DIR; default ./caresync-data).")
    var dataDir: String?

    var config: AppConfig { AppConfig.fromEnvironment(dataDir: dataDir) }
}

@main
struct CareSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caresync",
        abstract: "CareSync: practice management and telemedicine.",
        subcommands: [Serve.self, Migrate.self, Demo.self, Users.self, Audit.self, Outbox.self, Jobs.self, TurnCheckCommand.self, PharmacySimCommand.self, EPCSCommand.self, Backup.self, Restore.self, DrillCommand.self, Pitr.self, Bench.self],
        defaultSubcommand: nil)

    static func bootstrapLogging() {
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
    }

    static func fail(_ error: any Error) -> Never {
        FileHandle.standardError.write(Data("error: \(CareSyncCLI.message(for: error))\n".utf8))
        Foundation.exit(1)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (migrates and, on first start, seeds the demo practice).")
    @OptionGroup var data: DataOptions
    @Option(help: "Port to listen on.") var port: Int = 8080
    @Option(help: "Address to bind.") var hostname: String = "127.0.0.1"
    @Flag(help: "Do not seed the demo practice on first start.") var noDemo = false

    func run() async throws {
        CareSync.bootstrapLogging()
        var c = data.config
        c.seedDemo = !noDemo
        do { try await CareSyncCLI.serve(c, hostname: hostname, port: port) } catch { CareSync.fail(error) }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply database migrations.")
    @OptionGroup var data: DataOptions

    func run() async throws {
        CareSync.bootstrapLogging()
        do { print(try await CareSyncCLI.migrate(data.config)) } catch { CareSync.fail(error) }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Seed the demo practice (only into a database with no accounts).")
    @OptionGroup var data: DataOptions

    func run() async throws {
        CareSync.bootstrapLogging()
        do { print(try await CareSyncCLI.demo(data.config)) } catch { CareSync.fail(error) }
    }
}

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage accounts.", subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an account (audited as a system action).")
        @OptionGroup var data: DataOptions
        @Option(help: "Username (3-64 characters).") var username: String
        @Option(help: "Name shown in the app.") var name: String
        @Option(help: "admin, medical-director, provider, medical-assistant, front-desk, support, operator or patient.") var role: String
        @Option(help: "Initial password (12+ characters); generated and printed once when left out.") var password: String?
        @Option(help: "For patient accounts: the patient's MRN.") var patientMrn: String?

        func run() async throws {
            CareSync.bootstrapLogging()
            do {
                print(try await CareSyncCLI.createUser(data.config, username: username, displayName: name, role: role,
                                                       password: password, patientMRN: patientMrn))
            } catch { CareSync.fail(error) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts.")
        @OptionGroup var data: DataOptions

        func run() async throws {
            CareSync.bootstrapLogging()
            do { print(try await CareSyncCLI.listUsers(data.config)) } catch { CareSync.fail(error) }
        }
    }
}

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The audit trail.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the audit hash chain; exit 1 naming the first bad event when anything was changed, deleted, inserted or reordered.")
        @OptionGroup var data: DataOptions
        @Flag(help: "Print the report as JSON.") var json = false
        @Flag(help: "Do not record a new checkpoint after a successful check.") var noCheckpoint = false

        func run() async throws {
            CareSync.bootstrapLogging()
            do {
                let r = try await CareSyncCLI.auditVerify(data.config, writeCheckpoint: !noCheckpoint, progress: !json)
                if !json { FileHandle.standardError.write(Data("\r".utf8)) }
                print(json ? CareSyncCLI.json(r) : CareSyncCLI.describe(r))
                if !r.ok { throw ExitCode(1) }
            } catch let e as ExitCode { throw e } catch { CareSync.fail(error) }
        }
    }
}

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Benchmarks that print figures.", subcommands: [Booking.self, BackupFigures.self, Signaling.self])

    struct Booking: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Booking throughput and latency under contention (scratch SQLite, or an empty PostgreSQL database via DATABASE_URL).")
        @Option(help: "Bookings to attempt.") var requests = 1000
        @Option(help: "Requests in flight at once.") var concurrency = 32
        @Option(help: "Providers the bookings are spread over.") var providers = 10
        @Option(help: "Candidate start times per provider (10 minutes apart, 20-minute visits).") var slots = 16
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: .error) }
            var o = BookingBench.Options()
            o.requests = requests
            o.concurrency = concurrency
            o.providers = providers
            o.slotsPerProvider = slots
            let quiet = json
            do {
                let r = try await BookingBench.run(AppConfig.fromEnvironment(dataDir: nil), options: o, progress: { line in
                    if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) }
                })
                if json { print(CareSyncCLI.json(r)) } else {
                    print("booking bench (\(r.database)): \(r.requests) requests, \(r.concurrency) concurrent → \(r.created) booked, \(r.conflicts) refused with 409, \(r.otherErrors) other errors in \(r.seconds) s; \(Int(r.requestsPerSecond)) req/s, p50 \(r.p50Ms) ms, p99 \(r.p99Ms) ms, max \(r.maxMs) ms; overlaps in the table: \(r.overlapsFound)")
                }
                if r.overlapsFound > 0 || r.otherErrors > 0 { throw ExitCode(1) }
            } catch let e as ExitCode { throw e } catch { CareSync.fail(error) }
        }
    }
}

extension Bench {
    struct Signaling: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Video-visit signaling: N concurrent WebSocket pairs (waiting room, admit, offer/answer, candidates); time-to-admit and message latency p50/p99.")
        @Option(help: "Concurrent visits (pairs of WebSocket clients).") var pairs = 200
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: .error) }
            let quiet = json
            do {
                let r = try await SignalingBench.run(AppConfig.fromEnvironment(dataDir: nil), pairs: pairs, progress: { line in
                    if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) }
                })
                if json { print(CareSyncCLI.json(r)) } else {
                    print("signaling bench (\(r.database)): \(r.pairs) concurrent visits, \(r.messages) relayed messages, \(r.failures) failed pairs in \(r.seconds) s; time-to-admit p50 \(r.admitP50Ms) ms, p99 \(r.admitP99Ms) ms; message latency p50 \(r.latencyP50Ms) ms, p99 \(r.latencyP99Ms) ms, max \(r.latencyMaxMs) ms")
                }
                if r.failures > 0 { throw ExitCode(1) }
            } catch let e as ExitCode { throw e } catch { CareSync.fail(error) }
        }
    }

    struct BackupFigures: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backup",
            abstract: "Backup size and time, restore time and drill RTO on a generated practice-year (scratch SQLite, or an empty PostgreSQL database via DATABASE_URL).")
        @Option(help: "Patients to generate.") var patients = 10_000
        @Option(help: "Appointments to generate.") var appointments = 60_000
        @Option(help: "Wound photos to generate (each with a thumbnail).") var photos = 5_000
        @Option(help: "Size of one photo in KB.") var photoKb = 150
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: .error) }
            guard patients >= 1, appointments >= 0, photos >= 0, photoKb >= 1 else { throw ValidationError("counts must be positive") }
            var o = BackupBench.Options()
            o.patients = patients
            o.appointments = appointments
            o.photos = photos
            o.photoKB = photoKb
            let quiet = json
            let started = Date()
            do {
                let r = try await BackupBench.run(AppConfig.fromEnvironment(dataDir: nil), options: o, progress: { line in
                    if !quiet { FileHandle.standardError.write(Data(("[\(Int(Date().timeIntervalSince(started)))s] " + line + "\n").utf8)) }
                })
                if json { print(CareSyncCLI.json(r)) } else {
                    let mb = { (b: Int64) in String(format: "%.1f MB", Double(b) / 1_048_576) }
                    print("""
                    backup bench (\(r.database)): \(r.patients) patients, \(r.appointments) appointments, \(r.photos) photos (\(mb(r.blobBytes)) of blobs), \(r.auditEvents) audit events; generated in \(String(format: "%.1f", r.seedSeconds)) s
                      backup   \(String(format: "%7.1f", r.backupSeconds)) s   \(mb(r.backupBytes)) encrypted
                      restore  \(String(format: "%7.1f", r.restoreSeconds)) s   (verify + write into an empty target)
                      drill    \(String(format: "%7.1f", r.drillRTOSeconds)) s RTO  \(r.drillOk ? "passed" : "FAILED")  \(r.drillChecks.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value) ms" }.joined(separator: ", "))
                    """)
                }
                if !r.drillOk { throw ExitCode(1) }
            } catch let e as ExitCode { throw e } catch { CareSync.fail(error) }
        }
    }
}

struct Outbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The notification outbox (email, SMS, portal).",
                                                    subcommands: [List.self, Retry.self, RunOnce.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List messages (newest first) without recipients or text.")
        @OptionGroup var data: DataOptions
        @Option(help: "pending, sending, sent or failed.") var status: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            CareSync.bootstrapLogging()
            do {
                let rows = try await CareSyncCLI.outboxList(data.config, status: status)
                if json { print(CareSyncCLI.json(rows)); return }
                for r in rows {
                    print("\(r.id.uuidString)  \(r.kind.padding(toLength: 12, withPad: " ", startingAt: 0)) \(r.channel.padding(toLength: 6, withPad: " ", startingAt: 0)) \(r.status.padding(toLength: 8, withPad: " ", startingAt: 0)) attempts \(r.attempts)\(r.lastError.map { "  last error: " + $0 } ?? "")")
                }
                let counts = Dictionary(grouping: rows, by: \.status).mapValues(\.count).sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
                print("\(rows.count) messages" + (counts.isEmpty ? "." : ": " + counts.joined(separator: ", ") + "."))
            } catch { CareSync.fail(error) }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue failed messages again (all, or one by id).")
        @OptionGroup var data: DataOptions
        @Argument(help: "A message id; leave out to retry every failed message.") var id: String?

        func run() async throws {
            CareSync.bootstrapLogging()
            do {
                var uuid: UUID?
                if let id { guard let u = UUID(uuidString: id) else { throw ValidationError("Not a message id: \(id)") }; uuid = u }
                print("\(try await CareSyncCLI.outboxRetry(data.config, id: uuid)) message(s) queued again.")
            } catch let e as ValidationError { throw e } catch { CareSync.fail(error) }
        }
    }

    struct RunOnce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run-once", abstract: "Deliver what is due now (one worker pass).")
        @OptionGroup var data: DataOptions

        func run() async throws {
            CareSync.bootstrapLogging()
            do {
                let p = try await CareSyncCLI.outboxRunOnce(data.config)
                print("Outbox pass: \(p.remindersQueued) reminders queued, \(p.sent) sent, \(p.retried) to retry, \(p.failed) failed.")
            } catch { CareSync.fail(error) }
        }
    }
}

struct TurnCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "turn-check",
        abstract: "Mints TURN credentials as a visit does and checks the configured TURN server allocates a relay with them.")
    @OptionGroup var data: DataOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let c = data.config
        let r = TurnCheck.run(urls: c.turnURLs, secret: c.turnSecret)
        if json { print(CareSyncCLI.json(r)) }
        else if r.ok { print("TURN OK: \(r.server) allocated relay \(r.relayedAddress ?? "?") for \(r.lifetimeSeconds ?? 0) s with minted credentials (realm \(r.realm ?? "?")) in \(r.milliseconds) ms; released.") }
        else { print("TURN check FAILED for \(r.server): \(r.problem ?? "unknown problem")") }
        if !r.ok { throw ExitCode(1) }
    }
}

struct PharmacySimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pharmacy-sim",
        abstract: "A pharmacy test endpoint in its own process: answers NewRx/CancelRx by rule, sends renewal requests to the clinic.")
    @Option(help: "Port to listen on (loopback).") var port = 9400
    @Option(help: "The CareSync server it answers to (its /script/inbound receives renewals and cancel responses).") var clinicURL = "http://127.0.0.1:8080"
    @Option(help: "Shared bearer token (the clinic's CARESYNC_CLEARINGHOUSE_TOKEN).") var token: String
    @Option(help: "NCPDPIDs this pharmacy answers for (repeat); others get Error 900.") var ncpdpid: [String] = []

    func run() async throws {
        CareSync.bootstrapLogging()
        do {
            try await PharmacySim.run(.init(port: port, clinicURL: clinicURL, token: token, ncpdpids: ncpdpid.isEmpty ? PharmacySim.defaultPharmacies : ncpdpid))
        } catch { CareSync.fail(error) }
    }
}

struct EPCSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "epcs", abstract: "Controlled-substance prescribing.", subcommands: [Report.self])

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The daily EPCS audit report (UTC day): signatures, refusals, access-control changes, incidents.")
        @OptionGroup var data: DataOptions
        @Option(help: "The day, YYYY-MM-DD (default: yesterday, UTC).") var date: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            CareSync.bootstrapLogging()
            do {
                let r = try await CareSyncCLI.epcsReport(data.config, date: date)
                if json { print(CareSyncCLI.json(r)); return }
                for e in r.events { print("#\(e.seq)  \(e.username)  \(e.entity)  \(e.outcome)  \(e.detail)") }
                print("EPCS report \(r.day): \(r.signatures) signatures, \(r.refusedSignatures) refused signing attempts, \(r.accessControlChanges) access-control changes, \(r.deniedAccess) denied access attempts; \(r.incidents.count) incidents to review.")
                if !r.incidents.isEmpty { throw ExitCode(2) }
            } catch let e as ExitCode { throw e } catch { CareSync.fail(error) }
        }
    }
}

struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The durable job queue (care-pathway steps and escalations).",
                                                    subcommands: [List.self, RunOnce.self, Retry.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Counts by state and the newest jobs (ids and kinds; no PHI).")
        @OptionGroup var data: DataOptions
        @Option(help: "pending, running, done, failed or cancelled.") var status: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            CareSync.bootstrapLogging()
            do {
                let (counts, rows) = try await CareSyncCLI.jobsList(data.config, status: status)
                if json { print(CareSyncCLI.json(rows)); return }
                let f = ISO8601DateFormatter()
                for r in rows {
                    print("\(r.id.uuidString)  \(r.kind.padding(toLength: 17, withPad: " ", startingAt: 0)) \(r.status.padding(toLength: 9, withPad: " ", startingAt: 0)) due \(f.string(from: r.runAt))  attempts \(r.attempts)\(r.claimedBy.map { "  node " + $0 } ?? "")\(r.lastError.map { "  last error: " + $0 } ?? "")")
                }
                print("Jobs: " + ["pending", "running", "done", "failed", "cancelled"].map { "\(counts[$0] ?? 0) \($0)" }.joined(separator: ", ") + ".")
            } catch { CareSync.fail(error) }
        }
    }

    struct RunOnce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run-once", abstract: "Run the jobs that are due now (one worker pass on this node).")
        @OptionGroup var data: DataOptions

        func run() async throws {
            CareSync.bootstrapLogging()
            do {
                let p = try await CareSyncCLI.jobsRunOnce(data.config)
                print("Job pass: \(p.claimed) claimed, \(p.done) done, \(p.retried) to retry, \(p.failed) failed, \(p.lost) taken over by another node.")
            } catch { CareSync.fail(error) }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue failed jobs again (all, or one by id).")
        @OptionGroup var data: DataOptions
        @Argument(help: "A job id; leave out to retry every failed job.") var id: String?

        func run() async throws {
            CareSync.bootstrapLogging()
            do {
                var uuid: UUID?
                if let id { guard let u = UUID(uuidString: id) else { throw ValidationError("Not a job id: \(id)") }; uuid = u }
                print("\(try await CareSyncCLI.jobsRetry(data.config, id: uuid)) job(s) queued again.")
            } catch let e as ValidationError { throw e } catch { CareSync.fail(error) }
        }
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Encrypted, verifiable backups of the database and blob store.",
                                                    subcommands: [Create.self, List.self, Scheduled.self], defaultSubcommand: Create.self)

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Take a backup now (the default when you run `caresync backup`).")
        @OptionGroup var data: DataOptions
        @Option(help: "Folder for backups (default <data-dir>/backups).") var to: String?
        @Option(help: "manual, hourly or daily (retention counts per kind).") var kind = "manual"
        @Option(help: "Keep this many backups of this kind, removing older ones.") var keep: Int?
        @Flag(help: "PostgreSQL: a base backup (pg_basebackup) for point-in-time recovery with the WAL archive, instead of a pg_dump snapshot.") var base = false
        @Flag(help: "Print the manifest as JSON.") var json = false

        func run() async throws {
            CareSync.bootstrapLogging()
            guard ["manual", "hourly", "daily"].contains(kind) else { throw ValidationError("--kind must be manual, hourly or daily") }
            let quiet = json
            let start = Date()
            do {
                let m = try await Backups.backup(data.config, to: to, kind: kind, keep: keep, base: base, progress: { line in
                    if !quiet { FileHandle.standardError.write(Data(("  " + line + "\n").utf8)) }
                })
                if json { print(CareSyncCLI.json(m)); return }
                let rows = m.rowCounts.values.reduce(0, +)
                print("Backup \(m.id): \(rows) rows in \(m.rowCounts.count) tables, \(m.blobCount) blobs, \(m.totalBytes) bytes encrypted, audit head #\(m.auditHead?.seq ?? 0), in \(String(format: "%.2f", Date().timeIntervalSince(start))) s.")
            } catch { CareSync.fail(error) }
        }
    }

    struct Scheduled: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every hour from cron or a systemd timer: an hourly backup, plus a daily one when the last is a day old; keep-N each.")
        @OptionGroup var data: DataOptions
        @Option(help: "Folder for backups (default <data-dir>/backups).") var to: String?
        @Option(help: "Hourly backups to keep.") var hourlyKeep = 24
        @Option(help: "Daily backups to keep.") var dailyKeep = 14
        @Flag(help: "Print the crontab line for this schedule instead of running it.") var printCron = false
        @Flag(help: "Print the manifests as JSON.") var json = false

        func run() async throws {
            guard hourlyKeep >= 1, dailyKeep >= 1 else { throw ValidationError("--hourly-keep and --daily-keep must be at least 1") }
            let config = data.config
            if printCron {
                let bin = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
                print(Backups.cronLine(binary: bin, dataDir: URL(fileURLWithPath: config.dataDir).standardizedFileURL.path, hourlyKeep: hourlyKeep, dailyKeep: dailyKeep))
                return
            }
            CareSync.bootstrapLogging()
            let quiet = json
            do {
                let made = try await Backups.scheduled(config, to: to, hourlyKeep: hourlyKeep, dailyKeep: dailyKeep, progress: { line in
                    if !quiet { FileHandle.standardError.write(Data(("  " + line + "\n").utf8)) }
                })
                if json { print(CareSyncCLI.json(made)); return }
                for m in made { print("Backup \(m.id) (\(m.kind)): \(m.rowCounts.values.reduce(0, +)) rows, \(m.blobCount) blobs, \(m.totalBytes) bytes.") }
            } catch { CareSync.fail(error) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List backups, newest first.")
        @OptionGroup var data: DataOptions
        @Option(help: "Folder with backups (default <data-dir>/backups).") var from: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let dir = from ?? (data.config.dataDir as NSString).appendingPathComponent("backups")
            do {
                let all = try Backups.list(dir)
                if json { print(CareSyncCLI.json(all)); return }
                for m in all { print("\(m.id)  \(m.kind.padding(toLength: 7, withPad: " ", startingAt: 0)) \(m.database.padding(toLength: 10, withPad: " ", startingAt: 0)) schema \(m.schemaVersion)  \(m.rowCounts.values.reduce(0, +)) rows  \(m.blobCount) blobs  \(m.totalBytes) bytes") }
                print("\(all.count) backups in \(dir).")
            } catch { CareSync.fail(error) }
        }
    }
}

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Restore a backup into an empty data dir or database (verifies everything first).")
    @OptionGroup var data: DataOptions
    @Argument(help: "The backup's folder.") var backup: String
    @Option(help: "The backup key file (the source's <data-dir>/secrets/backup.key) when CARESYNC_BACKUP_KEY is not set.") var keyFile: String?
    @Flag(help: "Restore over a database that is not empty (the old SQLite file is kept aside).") var force = false

    func run() async throws {
        CareSync.bootstrapLogging()
        do {
            let m = try await Backups.restore(data.config, from: backup, keyFile: keyFile, force: force, progress: { line in
                FileHandle.standardError.write(Data(("  " + line + "\n").utf8))
            })
            print("Restored \(m.id): \(m.rowCounts.values.reduce(0, +)) rows, \(m.blobCount) blobs, audit head #\(m.auditHead?.seq ?? 0). Run `caresync audit verify` next.")
        } catch { CareSync.fail(error) }
    }
}

struct DrillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "Recovery drill: restore the latest backup into scratch, start CareSync on it, verify it, and measure RTO and RPO.",
        subcommands: [Run.self, List.self], defaultSubcommand: Run.self)

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a drill now (the default). Exits 1 when it fails.")
        @OptionGroup var data: DataOptions
        @Option(help: "Folder with backups (default <data-dir>/backups); the newest is drilled.") var from: String?
        @Option(help: "Drill this backup folder instead of the newest.") var backup: String?
        @Option(help: "The backup key file when CARESYNC_BACKUP_KEY is not set (default <data-dir>/secrets/backup.key).") var keyFile: String?
        @Option(help: "PostgreSQL: an empty database to restore into (default: a new database on the same server, dropped afterwards).") var scratchDatabaseUrl: String?
        @Flag(help: "Keep the scratch copy afterwards.") var keepScratch = false
        @Flag(help: "PostgreSQL: drill point-in-time recovery (newest base backup before --target-time + archived WAL).") var pitr = false
        @Option(help: "With --pitr: the WAL archive directory.") var walDir: String?
        @Option(help: "With --pitr: recover to this time (ISO 8601 with zone, e.g. 2026-11-23T14:05:00Z); default the end of the archive.") var targetTime: String?
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            CareSync.bootstrapLogging()
            var o = Drill.Options()
            o.backupsDir = from
            o.backup = backup
            o.keyFile = keyFile
            o.scratchDatabaseURL = scratchDatabaseUrl
            o.keepScratch = keepScratch
            let quiet = json
            let target: Date?
            if let t = targetTime {
                guard let d = PITR.parseTargetTime(t) else { throw ValidationError("--target-time must be ISO 8601 with a zone, e.g. 2026-11-23T14:05:00Z") }
                target = d
            } else { target = nil }
            if pitr && walDir == nil { throw ValidationError("--pitr needs --wal-dir (the WAL archive directory)") }
            if !pitr && (walDir != nil || targetTime != nil) { throw ValidationError("--wal-dir and --target-time go with --pitr") }
            do {
                let progress: @Sendable (String) -> Void = { line in
                    if !quiet { FileHandle.standardError.write(Data(("  " + line + "\n").utf8)) }
                }
                let r = pitr ? try await Drill.runPITR(data.config, walDir: walDir!, targetTime: target, options: o, progress: progress)
                             : try await Drill.run(data.config, options: o, progress: progress)
                print(json ? CareSyncCLI.json(r) : Drill.describe(r))
                if !r.ok { Foundation.exit(1) }
            } catch { CareSync.fail(error) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stored drill results, newest first.")
        @OptionGroup var data: DataOptions
        @Option(help: "How many.") var limit = 10
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            do {
                let all = try await Drill.history(data.config, limit: limit)
                if json { print(CareSyncCLI.json(all)); return }
                for r in all {
                    print("\(CareSyncCLI.json(r.startedAt).trimmingCharacters(in: CharacterSet(charactersIn: "\""))) \(r.ok ? "passed" : "FAILED") \(r.variant) \(r.database) RTO \(String(format: "%.2f", r.rtoSeconds)) s RPO \(r.rpoSeconds.map { "\($0) s" } ?? "?") backup \(r.backupId)")
                }
                print("\(all.count) drills.")
            } catch { CareSync.fail(error) }
        }
    }
}

struct Pitr: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Point-in-time recovery on PostgreSQL: WAL archive settings, a check of the live server, and recovery to a time.",
        subcommands: [Settings.self, Check.self, RestoreToTime.self])

    struct Settings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the postgresql.conf lines that archive WAL into a directory.")
        @Option(help: "The WAL archive directory.") var walDir: String

        func run() async throws { print(PITR.settings(walDir: walDir)) }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show whether the server in DATABASE_URL archives WAL, and how far. Exits 1 when archiving is off or failing.")
        @OptionGroup var data: DataOptions

        func run() async throws {
            CareSync.bootstrapLogging()
            do {
                let s = try await PITR.check(data.config)
                for k in s.keys.sorted() { print("\(k.padding(toLength: 18, withPad: " ", startingAt: 0)) \(s[k]!)") }
                let ok = s["archive_mode"] == "on" && s["wal_level"] != "minimal" && s["failed_count"] == "0"
                print(ok ? "WAL archiving is on." : "WAL archiving is NOT working: see `caresync pitr settings --wal-dir DIR`.")
                if !ok { Foundation.exit(1) }
            } catch { CareSync.fail(error) }
        }
    }

    struct RestoreToTime: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore",
            abstract: "Build a new PostgreSQL cluster from a base backup plus archived WAL, recovered to a time, and leave it running.")
        @OptionGroup var data: DataOptions
        @Option(help: "Folder with backups; the newest base backup before the target is used.") var from: String?
        @Option(help: "A specific base backup folder.") var backup: String?
        @Option(help: "The WAL archive directory.") var walDir: String
        @Option(help: "Recover to this time (ISO 8601 with zone); default the end of the archive.") var targetTime: String?
        @Option(help: "The new cluster's data directory (must not exist or be empty).") var pgdata: String
        @Option(help: "Port for the new cluster (default: a free one).") var port: Int?
        @Option(help: "The backup key file when CARESYNC_BACKUP_KEY is not set.") var keyFile: String?
        @Option(help: "Where to put the backup's blobs (a data dir for the recovered CareSync).") var blobsTo: String?

        func run() async throws {
            CareSync.bootstrapLogging()
            var o = PITR.Options(walDir: walDir, pgdata: pgdata)
            if let t = targetTime {
                guard let d = PITR.parseTargetTime(t) else { throw ValidationError("--target-time must be ISO 8601 with a zone, e.g. 2026-11-23T14:05:00Z") }
                o.targetTime = d
            }
            o.backup = backup
            o.backupsDir = from ?? (data.config.dataDir as NSString).appendingPathComponent("backups")
            o.port = port
            o.keyFile = keyFile
            o.blobDir = blobsTo.map { ($0 as NSString).appendingPathComponent("blobs") }
            let start = Date()
            do {
                let r = try await PITR.restore(data.config, options: o, progress: { line in
                    FileHandle.standardError.write(Data(("  " + line + "\n").utf8))
                })
                print("Recovered from \(r.manifest.id)\(r.targetTime.map { " to \(PITR.postgresTimestamp($0))" } ?? "") in \(String(format: "%.1f", Date().timeIntervalSince(start))) s.")
                let db = URLComponents(string: r.databaseURL)?.path.dropFirst() ?? ""
                print("The recovered server is running on 127.0.0.1:\(r.port), database \(db), with the source's roles: point DATABASE_URL there to serve it.")
                print("Stop it with: pg_ctl -D \(r.pgdata) -m fast stop (as the postgres user)")
            } catch { CareSync.fail(error) }
        }
    }
}
