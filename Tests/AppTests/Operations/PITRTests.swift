import XCTest
import XCTVapor
import Fluent
import SQLKit
import App
import Domain
import TestSupport
import AppCore
import Audit
import Patients

/// Point-in-time recovery on a PostgreSQL cluster of its own that archives WAL. Runs in the PostgreSQL pass.
final class PITRTests: XCTestCase {
    func test_pointInTimeRecovery_recoversExactlyToTheTargetTime_andTheDrillVariantPasses() async throws {
        guard TestDatabase.isPostgres else { throw XCTSkip("PostgreSQL only (set TEST_DATABASE_URL)") }
        guard ArchivingPostgres.available else { throw XCTSkip("PostgreSQL server programs are not installed") }
        let cluster = try await ArchivingPostgres()
        do {
            try await recover(cluster)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    private func recover(_ cluster: ArchivingPostgres) async throws {
        try await withTestApp(configure: { $0.databaseURL = cluster.url }) { app, clock in
            try await populateBackupWorld(app, clock)
            let dir = app.config.dataDir + "/backups"
            let base = try await Backups.backup(
                app.config, to: dir, kind: "daily", keep: nil, base: true, progress: { _ in })
            XCTAssertEqual(base.method, "base")
            XCTAssertEqual(base.rowCounts["patient"], 4)

            // A plain restore refuses a base backup with a pointer to the right command.
            do {
                var target = app.config
                target.dataDir = app.config.dataDir + "/elsewhere"
                _ = try await Backups.restore(
                    target, from: dir + "/" + base.id, keyFile: app.config.dataDir + "/secrets/backup.key",
                    force: false, progress: { _ in })
                XCTFail("restore accepted a base backup")
            } catch { XCTAssertTrue("\(error)".contains("pitr restore"), "\(error)") }

            for i in 0..<3 { _ = try await Fixtures.patient(app, family: "Before\(i)") }
            try await Task.sleep(for: .milliseconds(1100))
            let target = Date()
            try await Task.sleep(for: .milliseconds(1100))
            for i in 0..<2 { _ = try await Fixtures.patient(app, family: "After\(i)") }
            try await cluster.switchAndArchive()

            // Recover to the target: the patients registered before it are there, the later ones are not.
            let work = app.config.dataDir + "/pitr"
            var o = PITR.Options(walDir: cluster.walDir, pgdata: work + "/pgdata")
            o.backupsDir = dir
            o.targetTime = target
            o.blobDir = work + "/blobs"
            let restored = try await PITR.restore(app.config, options: o, progress: { _ in })
            do {
                var c = app.config
                c.databaseURL = restored.databaseURL
                c.dataDir = work
                let recovered = try await Application.make(.testing)
                do {
                    try await App.configure(recovered, c, migrate: false)
                    let names = try await PatientRecord.query(on: recovered.db).all().map(\.familyName).sorted()
                    XCTAssertEqual(
                        names, ["Backup0", "Backup1", "Backup2", "Backup3", "Before0", "Before1", "Before2"])
                    let v = try await AuditVerification.run(app: recovered, writeCheckpoint: false)
                    XCTAssertTrue(v.ok, v.problem ?? "")
                    XCTAssertEqual(try recovered.blobs.get("images/ab/abcdef"), Data(repeating: 7, count: 5000))
                } catch { XCTFail("\(error)") }
                try await recovered.asyncShutdown()
            }
            await restored.stop()

            // Recovering into a directory that is not empty is refused.
            do {
                _ = try await PITR.restore(app.config, options: o, progress: { _ in })
                XCTFail("recovered over an existing directory")
            } catch { XCTAssertTrue("\(error)".contains("not empty"), "\(error)") }

            // The drill variant: recover to the target time, serve, verify; stored with its target.
            let r = try await Drill.runPITR(
                app.config, walDir: cluster.walDir, targetTime: target, options: .init(), progress: { _ in })
            XCTAssertTrue(r.ok, Drill.describe(r))
            XCTAssertEqual(r.variant, "pitr")
            XCTAssertEqual(r.backupId, base.id)
            XCTAssertEqual(
                r.checks.map(\.name),
                [
                    "recover to point in time", "start CareSync", "recovered data", "audit chain", "sign-in",
                    "chart read",
                ])
            XCTAssertTrue(r.checks[2].detail.contains("rows"), r.checks[2].detail)
            let stored = try await Drill.history(app.db)
            XCTAssertEqual(
                stored.first?.targetTime.map { Int($0.timeIntervalSince1970) }, Int(target.timeIntervalSince1970))

            // A target before the only base backup is refused with a clear message, and recorded as a failed drill.
            let early = try await Drill.runPITR(
                app.config, walDir: cluster.walDir, targetTime: base.createdAt.addingTimeInterval(-3600),
                options: .init(), progress: { _ in })
            XCTAssertFalse(early.ok)
            XCTAssertTrue(early.checks[0].detail.contains("No base backup"), early.checks[0].detail)
        }
    }
}
