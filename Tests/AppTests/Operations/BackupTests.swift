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
import Scheduling

final class BackupTests: XCTestCase {
    /// A target to restore into: a fresh data dir, and on PostgreSQL a fresh database on the same server.
    func freshTarget(_ app: Application) async throws -> AppConfig {
        var c = app.config
        c.dataDir = app.config.dataDir + "/restore-target-\(UUID().uuidString)"
        if let url = c.databaseURL {
            let name = "restore_\(UUID().uuidString.prefix(8).lowercased())"
            try await app.db.sql.raw("CREATE DATABASE \(ident: name)").run()
            var comps = URLComponents(string: url)!
            comps.path = "/" + name
            c.databaseURL = comps.string
        }
        return c
    }

    /// Everything that must come back the same: per-table counts, the audit chain, patients and appointments.
    func fingerprint(_ db: any Database) async throws -> [String] {
        var out: [String] = []
        for t in Backups.tables {
            let row = try await db.sql.raw("SELECT COUNT(*) AS n FROM \(ident: t)").first()!
            out.append("\(t)=\(try row.decode(column: "n", as: Int.self))")
        }
        out += try await AuditEventRecord.query(on: db).sort(\.$seq).all().map { "\($0.seq):\($0.hash)" }
        out += try await PatientRecord.query(on: db).sort(\.$mrn).all().map {
            "\($0.mrn):\($0.familyName):\($0.version)"
        }
        out += try await AppointmentRecord.query(on: db).sort(\.$startAt).all().map {
            "\($0.id!):\($0.status):\($0.startAt.timeIntervalSince1970)"
        }
        return out
    }

    func withTarget<T>(_ config: AppConfig, _ body: (Application) async throws -> T) async throws -> T {
        let app = try await Application.make(.testing)
        do {
            try await App.configure(app, config, migrate: false)
            let r = try await body(app)
            try await app.asyncShutdown()
            return r
        } catch { try? await app.asyncShutdown(); throw error }
    }

    /// The manifest counts rows of every table: a table a migration adds and the list forgets would go unchecked.
    func test_backupTables_areEveryTableTheMigrationsCreate() async throws {
        try await withTestApp { app, _ in
            let sql =
                app.config.isPostgres
                ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'"
                : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            let names = try await app.db.sql.raw(SQLQueryString(sql)).all().map {
                try $0.decode(column: "name", as: String.self)
            }
            XCTAssertEqual(Set(names).subtracting(["_fluent_migrations"]), Set(Backups.tables))
            XCTAssertEqual(Backups.tables.count, Set(Backups.tables).count, "no table twice")
        }
    }

    func test_backup_wipe_restore_givesIdenticalRowsBlobsAndChain() async throws {
        try await withTestApp { app, clock in
            try await populateBackupWorld(app, clock)
            let dir = app.config.dataDir + "/backups"
            let m = try await Backups.backup(app.config, to: dir, kind: "manual", keep: nil, progress: { _ in })
            XCTAssertEqual(m.rowCounts["patient"], 4)
            XCTAssertEqual(m.blobCount, 1)
            XCTAssertNotNil(m.auditHead)
            let before = try await fingerprint(app.db)
            let target = try await freshTarget(app)
            _ = try await Backups.restore(
                target, from: dir + "/" + m.id, keyFile: app.config.dataDir + "/secrets/backup.key", force: false,
                progress: { _ in })
            try await withTarget(target) { restored in
                let after = try await fingerprint(restored.db)
                XCTAssertEqual(
                    Array(after.prefix(Backups.tables.count + Int(m.auditHead!.seq))),
                    Array(before.prefix(Backups.tables.count + Int(m.auditHead!.seq))))
                XCTAssertEqual(after, before)
                XCTAssertEqual(try restored.blobs.get("images/ab/abcdef"), Data(repeating: 7, count: 5000))
                let v = try await AuditVerification.run(app: restored, writeCheckpoint: false)
                XCTAssertTrue(v.ok, v.problem ?? "")
                XCTAssertEqual(v.headHash, m.auditHead?.hash)
            }
            XCTAssertEqual(try Backups.list(dir).map(\.id), [m.id])
        }
    }

    func test_corruptTruncatedOrAlteredBackups_areRefused_beforeAnythingIsWritten() async throws {
        try await withTestApp { app, clock in
            try await populateBackupWorld(app, clock)
            let dir = app.config.dataDir + "/backups"
            let m = try await Backups.backup(app.config, to: dir, kind: "manual", keep: nil, progress: { _ in })
            let path = dir + "/" + m.id
            let pristine = try Data(contentsOf: URL(fileURLWithPath: path + "/database.enc"))
            func expectRefusal(_ fragment: String, file: StaticString = #filePath, line: UInt = #line) async throws {
                let target = try await freshTarget(app)
                do {
                    _ = try await Backups.restore(
                        target, from: path, keyFile: app.config.dataDir + "/secrets/backup.key", force: false,
                        progress: { _ in })
                    XCTFail("restore accepted a damaged backup", file: file, line: line)
                } catch {
                    XCTAssertTrue(String(describing: error).contains(fragment), "\(error)", file: file, line: line)
                }
                XCTAssertFalse(
                    FileManager.default.fileExists(atPath: target.sqlitePath), "nothing written", file: file, line: line
                )
                if target.isPostgres {
                    let tables = try await withTarget(target) { t in
                        try await t.db.sql.raw(
                            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public'"
                        ).first()!.decode(column: "n", as: Int.self)
                    }
                    XCTAssertEqual(tables, 0, "nothing written", file: file, line: line)
                }
            }
            var flipped = pristine
            flipped[flipped.count / 2] ^= 0xFF
            try flipped.write(to: URL(fileURLWithPath: path + "/database.enc"))
            try await expectRefusal("corrupted")
            try pristine.prefix(pristine.count - 100).write(to: URL(fileURLWithPath: path + "/database.enc"))
            try await expectRefusal("truncated")
            try pristine.write(to: URL(fileURLWithPath: path + "/database.enc"))

            let manifestURL = URL(fileURLWithPath: path + "/manifest.json")
            let original = try String(contentsOf: manifestURL, encoding: .utf8)
            try original.replacingOccurrences(of: "\"patient\" : 4", with: "\"patient\" : 5").write(
                to: manifestURL, atomically: true, encoding: .utf8)
            try await expectRefusal("signature")

            // A backup from a newer CareSync is refused, even correctly signed.
            var newer = m
            newer.schemaVersion = Migrations.all.count + 1
            newer.mac = try Backups.sign(newer, key: try Backups.key(app.config))
            try Backups.manifestEncoder(pretty: true).encode(newer).write(to: manifestURL)
            try await expectRefusal("newer CareSync")
            try original.write(to: manifestURL, atomically: true, encoding: .utf8)

            // A target that already holds data is refused without --force.
            do {
                _ = try await Backups.restore(app.config, from: path, force: false, progress: { _ in })
                XCTFail("restored over a live database")
            } catch {
                XCTAssertTrue(
                    String(describing: error).contains("not empty")
                        || String(describing: error).contains("already exists"), "\(error)")
            }
        }
    }

    func test_backupTakenWhileWritesRun_restoresToAConsistentState() async throws {
        try await withTestApp { app, clock in
            try await populateBackupWorld(app, clock)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let dir = app.config.dataDir + "/backups"
            let config = app.config
            let writer = Task {
                var n = 0
                while !Task.isCancelled && n < 200 {
                    _ = try await HTTP.send(
                        app, .POST, Site.apiPatients.path(), headers: desk,
                        json: [
                            "familyName": "Concurrent\(n)", "givenName": "W", "birthDate": "1990-01-01", "sex": "male",
                        ])
                    n += 1
                }
                return n
            }
            try await Task.sleep(for: .milliseconds(50))
            let m = try await Backups.backup(config, to: dir, kind: "hourly", keep: 1, progress: { _ in })
            let written = try await writer.value
            XCTAssertGreaterThan(written, 0)
            let target = try await freshTarget(app)
            _ = try await Backups.restore(
                target, from: dir + "/" + m.id, keyFile: app.config.dataDir + "/secrets/backup.key", force: false,
                progress: { _ in })
            try await withTarget(target) { restored in
                for t in Backups.tables {
                    let n = try await restored.db.sql.raw("SELECT COUNT(*) AS n FROM \(ident: t)").first()!.decode(
                        column: "n", as: Int.self)
                    XCTAssertEqual(n, m.rowCounts[t], "\(t) matches the manifest")
                }
                let v = try await AuditVerification.run(app: restored, writeCheckpoint: false)
                XCTAssertTrue(v.ok, v.problem ?? "")
                XCTAssertEqual(v.headSeq, m.auditHead?.seq)
            }
            // Retention: a second hourly backup with keep 1 removes the first.
            let m2 = try await Backups.backup(config, to: dir, kind: "hourly", keep: 1, progress: { _ in })
            XCTAssertEqual(try Backups.list(dir).map(\.id), [m2.id])
        }
    }
}

/// Four patients with appointments and one blob: something worth backing up.
func populateBackupWorld(_ app: Application, _ clock: TestClock) async throws {
    let w = try await Fixtures.schedulingWorld(app)
    let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
    for i in 0..<4 {
        let pid = try await Fixtures.patient(app, family: "Backup\(i)")
        _ = try await HTTP.send(
            app, .POST, Site.apiAppointments.path(), headers: desk,
            json: Booking(
                patientId: pid, providerId: w.provider.id, locationId: w.main, typeId: w.video,
                start: w.atMain("2026-11-03", 8 + i)))
    }
    try app.blobs.put("images/ab/abcdef", Data(repeating: 7, count: 5000))
}
