import XCTest
import XCTVapor
import Fluent
import SQLKit
import App
import Domain
import TestSupport
import Accounts
import AppCore
import Audit
import Operations
import Patients
import Photos

final class DrillTests: XCTestCase {
    func scratchDatabases(_ app: Application) async throws -> [String] {
        guard app.config.isPostgres else { return [] }
        return try await app.db.sql.raw("SELECT datname FROM pg_database WHERE datname LIKE 'caresync_drill_%'").all()
            .map { try $0.decode(column: "datname", as: String.self) }
    }

    func test_drill_restoresTheLatestBackup_servesIt_andStoresRTOandRPO() async throws {
        let worm = FileManager.default.temporaryDirectory.appendingPathComponent("caresync-worm-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: worm) }
        try await withTestApp(configure: { $0.auditCheckpointDir = worm }) { app, clock in
            try await populateBackupWorld(app, clock)
            // The server signs checkpoints as it runs (the key in the data dir, a copy off-site): the backup carries
            // one, and the off-site copy moves on after it. The restored copy must still verify.
            try await AuditCheckpoints.writeHead(app)
            let dir = app.config.dataDir + "/backups"
            _ = try await Backups.backup(app.config, to: dir, kind: "daily", keep: nil, progress: { _ in })
            let m = try await Backups.backup(app.config, to: dir, kind: "hourly", keep: nil, progress: { _ in })
            _ = try await Fixtures.patient(app, family: "Afterbackup")
            try await AuditCheckpoints.writeHead(app)
            let databasesBefore = try await scratchDatabases(app)
            let lines = LockedLines()

            let r = try await Drill.run(app.config, options: .init(), progress: { lines.append($0) })

            XCTAssertTrue(r.ok, Drill.describe(r))
            XCTAssertEqual(r.backupId, m.id, "the newest backup is drilled")
            XCTAssertEqual(
                r.checks.map(\.name),
                [
                    "restore", "start CareSync", "row counts", "blob hashes", "audit head", "audit chain", "sign-in",
                    "chart read",
                ])
            XCTAssertTrue(r.checks.allSatisfy(\.ok))
            XCTAssertEqual(
                r.checks.first { $0.name == "blob hashes" }?.detail, "2 blobs match their SHA-256",
                "the photo and the checkpoint")
            XCTAssertEqual(r.checks.first { $0.name == "chart read" }?.detail, "a chart was read over HTTP")
            XCTAssertGreaterThan(r.rtoSeconds, 0)
            // RPO: the age of the newest data in the backup when the drill started.
            XCTAssertEqual(
                Double(try XCTUnwrap(r.rpoSeconds)), r.startedAt.timeIntervalSince(try XCTUnwrap(m.newestDataAt)),
                accuracy: 1)
            XCTAssertTrue(lines.all.contains("chart read"), "progress is reported")

            // Stored for the readiness report, and the scratch copy is gone.
            let stored = try await Drill.history(app.db)
            XCTAssertEqual(stored.first?.id, r.id)
            XCTAssertEqual(stored.first?.ok, true)
            XCTAssertEqual(stored.first?.checks.count, 8)
            let databasesAfter = try await scratchDatabases(app)
            XCTAssertEqual(databasesAfter, databasesBefore)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter {
                $0.hasPrefix("caresync-drill-")
            }
            XCTAssertTrue(leftovers.isEmpty, "\(leftovers)")
            // The live database did not change apart from the stored result.
            let patients = try await PatientRecord.query(on: app.db).count()
            XCTAssertEqual(patients, 5, "the four of the world and the one added after the backup")
        }
    }

    func test_drill_ofACorruptBackup_failsAtRestore_andTheFailureIsStored() async throws {
        try await withTestApp { app, clock in
            try await populateBackupWorld(app, clock)
            let dir = app.config.dataDir + "/backups"
            let m = try await Backups.backup(app.config, to: dir, kind: "manual", keep: nil, progress: { _ in })
            let part = URL(fileURLWithPath: dir + "/" + m.id + "/blobs.enc")
            var bytes = try Data(contentsOf: part)
            bytes[bytes.count / 3] ^= 0x01
            try bytes.write(to: part)

            var o = Drill.Options()
            o.backup = dir + "/" + m.id
            let r = try await Drill.run(app.config, options: o, progress: { _ in })

            XCTAssertFalse(r.ok)
            XCTAssertEqual(r.checks.map(\.name), ["restore"], "nothing runs after a failed restore")
            XCTAssertTrue(r.checks[0].detail.contains("blobs"), r.checks[0].detail)
            let stored = try await Drill.history(app.db)
            XCTAssertEqual(stored.first?.id, r.id)
            XCTAssertEqual(stored.first?.ok, false)
            XCTAssertTrue(Drill.describe(r).contains("Drill FAILED"))
        }
    }

    func test_drill_withNoBackups_failsWithAClearMessage() async throws {
        try await withTestApp { app, _ in
            var o = Drill.Options()
            o.backupsDir = app.config.dataDir + "/no-backups-here"
            let r = try await Drill.run(app.config, options: o, progress: { _ in })
            XCTAssertFalse(r.ok)
            XCTAssertEqual(r.checks.first?.detail, "No backups in \(o.backupsDir!).")
        }
    }

    func test_drillResults_apiAndPage_areForOperatorsAndAdminsOnly() async throws {
        try await withTestApp { app, clock in
            let dir = app.config.dataDir + "/backups"
            _ = try await Backups.backup(app.config, to: dir, kind: "manual", keep: nil, progress: { _ in })
            let r = try await Drill.run(app.config, options: .init(), progress: { _ in })
            XCTAssertTrue(r.ok, Drill.describe(r))

            let ops = try await Fixtures.user(app, .operator)
            let opsAuth = try await Fixtures.bearer(app, ops, clock: clock)
            let res = try await HTTP.send(app, .GET, Site.apiOperationsDrills.path(), headers: opsAuth)
            XCTAssertEqual(res.status, .ok)
            let list = try res.content.decode(OperationsController.DrillList.self)
            XCTAssertEqual(list.drills.first?.id, r.id)
            let backups = try await HTTP.send(app, .GET, Site.apiOperationsBackups.path(), headers: opsAuth)
            XCTAssertEqual(backups.status, .ok)
            XCTAssertEqual(try backups.content.decode(OperationsController.BackupList.self).backups.count, 1)
            let admin = try await Fixtures.bearer(app, try await Fixtures.user(app, .admin), clock: clock)
            let adminRes = try await HTTP.send(app, .GET, Site.apiOperationsDrills.path(), headers: admin)
            XCTAssertEqual(adminRes.status, .ok)

            for role in [Role.frontDesk, .provider, .medicalAssistant] {
                let h = try await Fixtures.bearer(app, try await Fixtures.user(app, role), clock: clock)
                let denied = try await HTTP.send(app, .GET, Site.apiOperationsDrills.path(), headers: h)
                XCTAssertEqual(denied.status, .forbidden, role.rawValue)
            }
            let patient = try await Fixtures.bearer(app, try await Fixtures.patientUser(app), clock: clock)
            let patientRes = try await HTTP.send(app, .GET, Site.apiOperationsBackups.path(), headers: patient)
            XCTAssertEqual(patientRes.status, .forbidden)
            let anonymous = try await HTTP.send(app, .GET, Site.apiOperationsDrills.path())
            XCTAssertEqual(anonymous.status, .unauthorized)
            let denials = try await Fixtures.auditRows(app, action: .accessDenied)
            XCTAssertGreaterThanOrEqual(denials.count, 4, "denials are audited")

            let web = PageClient(app)
            try await web.signIn(ops, clock: clock)
            let page = try await web.get(Site.ops.path())
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.body.string.contains("Latest drill: passed"), page.body.string)
            XCTAssertTrue(page.body.string.contains("RTO "))
            XCTAssertTrue(page.body.string.contains(r.backupId))
            let desk = PageClient(app)
            try await desk.signIn(try await Fixtures.user(app, .frontDesk), clock: clock)
            let deskPage = try await desk.get(Site.ops.path())
            XCTAssertEqual(deskPage.status, .forbidden)
        }
    }
}

/// Progress lines collected from a @Sendable callback.
final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}

final class BackupScheduleTests: XCTestCase {
    func test_scheduledRun_takesHourly_andDailyOnlyWhenTheLastDailyIsADayOld_keepingNOfEach() async throws {
        try await withTestApp { app, clock in
            try await populateBackupWorld(app, clock)
            let dir = app.config.dataDir + "/backups"
            let first = try await Backups.scheduled(
                app.config, to: dir, hourlyKeep: 2, dailyKeep: 1, progress: { _ in })
            XCTAssertEqual(first.map(\.kind), ["hourly", "daily"], "no daily yet: one is taken")
            let second = try await Backups.scheduled(
                app.config, to: dir, hourlyKeep: 2, dailyKeep: 1, progress: { _ in })
            XCTAssertEqual(second.map(\.kind), ["hourly"], "the daily is fresh")
            let third = try await Backups.scheduled(
                app.config, to: dir, hourlyKeep: 2, dailyKeep: 1, progress: { _ in })
            XCTAssertEqual(third.map(\.kind), ["hourly"])
            let nextDay = try await Backups.scheduled(
                app.config, to: dir, hourlyKeep: 2, dailyKeep: 1, now: Date().addingTimeInterval(86400),
                progress: { _ in })
            XCTAssertEqual(nextDay.map(\.kind), ["hourly", "daily"], "a day later another daily")
            let kept = try Backups.list(dir)
            XCTAssertEqual(
                kept.filter { $0.kind == "hourly" }.map(\.id), [nextDay[0].id, third[0].id],
                "the newest two hourlies are kept")
            XCTAssertEqual(kept.filter { $0.kind == "daily" }.map(\.id), [nextDay[1].id], "one daily is kept")
            XCTAssertTrue(
                Backups.cronLine(
                    binary: "/usr/local/bin/caresync", dataDir: "/var/lib/caresync", hourlyKeep: 24, dailyKeep: 14
                )
                .hasPrefix(
                    "7 * * * *  /usr/local/bin/caresync backup scheduled --data-dir /var/lib/caresync --hourly-keep "
                        + "24 --daily-keep 14"
                ))
        }
    }
}

final class BackupBenchTests: XCTestCase {
    func test_backupBench_generatesThePractice_andReportsBackupRestoreAndDrillFigures() async throws {
        try await withTestApp { app, _ in
            var o = BackupBench.Options()
            o.patients = 30
            o.appointments = 200
            o.photos = 6
            o.photoKB = 4
            let r = try await BackupBench.run(app.config, options: o, progress: { _ in })
            XCTAssertTrue(r.drillOk)
            XCTAssertEqual(r.patients, 30)
            XCTAssertEqual(r.photos, 6)
            XCTAssertEqual(r.blobBytes, 6 * (4 + 8) * 1024)
            // Demo seed + 30 registrations + 200 appointments + 10 providers, each audited.
            XCTAssertGreaterThanOrEqual(r.auditEvents, 246)
            XCTAssertEqual(r.rowCounts["photo"], 6, "photo rows as the upload pipeline writes them")
            XCTAssertEqual(r.rowCounts["patient"].map { $0 >= 30 }, true, "30 generated + the demo practice")
            XCTAssertEqual(r.rowCounts["appointment"].map { $0 >= 200 }, true)
            XCTAssertGreaterThan(r.backupBytes, r.blobBytes)
            XCTAssertGreaterThan(r.backupSeconds, 0)
            XCTAssertGreaterThan(r.restoreSeconds, 0)
            XCTAssertEqual(r.drillChecks.count, 8)
        }
    }
}
