import Vapor
import Fluent
import SQLKit
import Domain
import Accounts
import AppCore
import Demo
import Locations
import Operations
import Patients
import Photos
import Scheduling

/// `caresync bench backup`: generates a practice-year (about 10,000 patients, 60,000 appointments, 5,000 wound photos
/// with thumbnails) in a scratch data dir — SQLite, or an empty PostgreSQL database from DATABASE_URL — then times a
/// backup, a restore into an empty target and a full drill, and prints the figures.
public enum BackupBench {
    public struct Options: Sendable {
        public var patients = 10_000
        public var appointments = 60_000
        public var photos = 5_000
        /// Size of each photo after re-encoding; phone photos of a wound are typically 100–400 KB as JPEG.
        public var photoKB = 150
        public init() {}
    }

    public struct Result: Codable, Sendable {
        public let database: String
        public let patients: Int
        public let appointments: Int
        public let photos: Int
        public let auditEvents: Int
        public let blobBytes: Int64
        public let seedSeconds: Double
        public let backupSeconds: Double
        public let backupBytes: Int64
        public let restoreSeconds: Double
        public let drillOk: Bool
        public let drillRTOSeconds: Double
        public let drillChecks: [String: Int]
        /// Rows per table in the backup.
        public let rowCounts: [String: Int]
    }

    public static func run(_ baseConfig: AppConfig, options o: Options, progress: @escaping @Sendable (String) -> Void)
        async throws -> Result
    {
        var config = baseConfig
        config.seedDemo = false
        config.bcryptCost = 4
        config.dataDir =
            FileManager.default.temporaryDirectory.appendingPathComponent("caresync-bench-backup-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: config.dataDir) }

        let seedStart = ContinuousClock.now
        let (auditEvents, blobBytes) = try await CareSyncCLI.withApp(config, migrate: false) { app in
            if config.isPostgres, try await BookingBench.tableExists(app),
                try await UserRecord.query(on: app.db).count() > 0
            {
                throw AppError.conflict(
                    type: "not-empty", detail: "The bench needs an empty scratch database; this one has accounts.",
                    extra: [:])
            }
            try await prepareDatabase(app)
            _ = try await DemoSeed.seed(app)
            return try await seed(app, o, progress: progress)
        }
        let seedSeconds = (ContinuousClock.now - seedStart).seconds

        progress("backup")
        let b0 = ContinuousClock.now
        let m = try await Backups.backup(config, to: nil, kind: "manual", keep: nil, progress: { progress("  " + $0) })
        let backupSeconds = (ContinuousClock.now - b0).seconds

        progress("restore into an empty target")
        var target = config
        target.dataDir = config.dataDir + "/restore-target"
        var restoreDB: String?
        if let url = config.databaseURL {
            let name = "caresync_bench_restore_\(UUID().uuidString.prefix(8).lowercased())"
            try await CareSyncCLI.withApp(config, migrate: false) { app in
                try await app.db.sql.raw("CREATE DATABASE \(ident: name)").run()
            }
            var comps = URLComponents(string: url)!
            comps.path = "/" + name
            target.databaseURL = comps.string
            restoreDB = name
        }
        let r0 = ContinuousClock.now
        _ = try await Backups.restore(
            target, from: config.dataDir + "/backups/" + m.id, keyFile: config.dataDir + "/secrets/backup.key",
            force: false, progress: { progress("  " + $0) })
        let restoreSeconds = (ContinuousClock.now - r0).seconds
        if let name = restoreDB {
            try await CareSyncCLI.withApp(config, migrate: false) { app in
                try await app.db.sql.raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run()
            }
        }
        try? FileManager.default.removeItem(atPath: target.dataDir)

        progress("drill")
        let drill = try await Drill.run(config, options: .init(), progress: { progress("  " + $0) })
        return Result(
            database: config.isPostgres ? "postgresql" : "sqlite", patients: o.patients, appointments: o.appointments,
            photos: o.photos,
            auditEvents: auditEvents, blobBytes: blobBytes, seedSeconds: seedSeconds, backupSeconds: backupSeconds,
            backupBytes: m.totalBytes, restoreSeconds: restoreSeconds, drillOk: drill.ok,
            drillRTOSeconds: drill.rtoSeconds,
            drillChecks: Dictionary(uniqueKeysWithValues: drill.checks.map { ($0.name, $0.ms) }), rowCounts: m.rowCounts
        )
    }

    /// Patients through the audited store (as registration does); appointments in audited batches (the booking rules
    /// are not the point here); photos as the upload pipeline leaves them (wounds, photo rows, content-addressed
    /// blobs).
    package static func seed(_ app: Application, _ o: Options, progress: @escaping @Sendable (String) -> Void)
        async throws -> (Int, Int64)
    {
        let scope = app.systemScope("bench-backup")
        let store = PatientStore(scope: scope)
        var patientIDs: [UUID] = []
        patientIDs.reserveCapacity(o.patients)
        for i in 0..<o.patients {
            let input = PatientInput(
                familyName: "Bench\(i)", givenName: ["Ana", "Ben", "Cruz", "Dee"][i % 4],
                birthDate: String(format: "19%02d-%02d-%02d", 30 + i % 70, 1 + i % 12, 1 + i % 28), sex: "unknown")
            patientIDs.append(try await store.create(input, acknowledgeDuplicate: true, synthetic: true).0.id)
            if (i + 1) % 1000 == 0 { progress("patients \(i + 1)/\(o.patients)") }
        }

        let admin = UserAdmin(scope: scope)
        var providers: [UUID] = []
        for i in 0..<10 {
            providers.append(
                try await admin.create(
                    .init(
                        username: "bench.pod\(i)", displayName: "Bench Podiatrist \(i)", role: "provider",
                        password: Token.generate())
                ).id)
        }
        let locations = try await LocationRecord.query(on: app.db).all().map { (try $0.requireID()) }
        guard let type = try await AppointmentTypeRecord.query(on: app.db).filter(\.$needsRoom == false).first()?.id
        else {
            throw AppError.notFound("No appointment type without a room: the demo seed changed.")
        }
        // Ten providers, 24 twenty-minute visits a day each: appointment k is provider k % 10 in slot k / 10; the ten
        // patients in one slot are different people, so the overlap constraints hold.
        let firstDay = Date(timeIntervalSince1970: 1_767_621_600)  // 2026-01-05 14:00 UTC, a Monday morning in Indiana
        let statuses = Array(repeating: AppointmentStatus.fulfilled, count: 8) + [.cancelled, .noshow]
        let now = app.clock.now()
        let batch = 1000
        for startIndex in stride(from: 0, to: o.appointments, by: batch) {
            let range = startIndex..<min(startIndex + batch, o.appointments)
            let rows: [AppointmentRecord] = range.map { k in
                let slot = k / 10, day = slot / 24
                let a = AppointmentRecord()
                a.id = UUID()
                a.createdAt = now
                a.updatedAt = now
                a.version = 1
                a.startAt = firstDay.addingTimeInterval(Double(day * 86400 + (slot % 24) * 1200))
                a.endAt = a.startAt.addingTimeInterval(1200)
                a.status = statuses[k % statuses.count]
                a.cancelReason = a.status == .cancelled ? "Patient request" : nil
                a.patientID = patientIDs[k % patientIDs.count]
                a.providerID = providers[k % 10]
                a.locationID = locations[(k / 10) % locations.count]
                a.typeID = type
                return a
            }
            try await scope.run { tx in
                try await rows.create(on: tx)
                return (
                    (),
                    rows.map {
                        AuditDraft(
                            action: .create, category: .appointments, patientID: $0.patientID,
                            entityType: "Appointment",
                            entityID: $0.id?.uuidString, detail: "bench")
                    }
                )
            }
            if range.upperBound % 10_000 == 0 || range.upperBound == o.appointments {
                progress("appointments \(range.upperBound)/\(o.appointments)")
            }
        }

        var photo = [UInt8](repeating: 0, count: o.photoKB * 1024)
        var thumb = [UInt8](repeating: 0, count: 8 * 1024)
        var g = SystemRandomNumberGenerator()
        for i in photo.indices { photo[i] = UInt8.random(in: 0...255, using: &g) }
        for i in thumb.indices { thumb[i] = UInt8.random(in: 0...255, using: &g) }
        var bytes: Int64 = 0
        var rows: [PhotoRecord] = []
        var wounds: [UUID: UUID] = [:]
        for i in 0..<o.photos {
            withUnsafeBytes(of: UInt64(i).bigEndian) { for (j, b) in $0.enumerated() { photo[j] = b; thumb[j] = b } }
            let body = Data(photo)
            let hash = BackupCrypto.hex(SHA256.hash(data: body))
            // Stored as the upload pipeline stores them: content-addressed photo and thumbnail, a row per photo on a
            // wound.
            let key = "photos/\(hash.prefix(2))/\(hash).jpg", thumbKey = "photos/\(hash.prefix(2))/\(hash).thumb.jpg"
            try app.blobs.put(key, body)
            try app.blobs.put(thumbKey, Data(thumb))
            bytes += Int64(photo.count + thumb.count)
            let patient = patientIDs[(i * 7) % patientIDs.count]
            if wounds[patient] == nil {
                let w = try await PhotoStore(scope: scope).createWound(
                    patientID: patient, .init(bodySite: "plantar first metatarsal head", side: "left"))
                wounds[patient] = w.id
            }
            let p = PhotoRecord()
            p.id = UUID()
            p.uploadedAt = now
            p.uploadedBy = "bench"
            p.sha256 = hash
            p.blobKey = key
            p.thumbKey = thumbKey
            p.width = 1600
            p.height = 1200
            p.bytes = body.count
            p.patientID = patient
            p.woundID = wounds[patient]!
            rows.append(p)
            if rows.count == 500 || i == o.photos - 1 {
                let batchRows = rows
                try await scope.run { tx in
                    try await batchRows.create(on: tx)
                    return (
                        (),
                        batchRows.map {
                            AuditDraft(
                                action: .create, category: .photos, patientID: $0.patientID, entityType: "Photo",
                                entityID: $0.id?.uuidString, detail: "bench")
                        }
                    )
                }
                rows = []
            }
            if (i + 1) % 1000 == 0 { progress("photos \(i + 1)/\(o.photos)") }
        }
        let events = try await AuditEventRecord.query(on: app.db).count()
        return (events, bytes)
    }
}
