import XCTest
import XCTVapor
import Fluent
import SQLKit
import App
import Domain
import TestSupport
import AppCore
import Audit

final class AuditTrailTests: XCTestCase {
    /// Produces a few dozen events through real requests.
    func activity(_ app: Application, _ clock: TestClock) async throws -> UUID {
        let desk = try await Fixtures.user(app, .frontDesk)
        let h = try await Fixtures.bearer(app, desk, clock: clock)
        let pid = try await Fixtures.patient(app)
        for _ in 0..<3 { _ = try await HTTP.send(app, .GET, Site.apiPatient.path(pid), headers: h) }
        _ = try await HTTP.send(app, .PATCH, Site.apiPatient.path(pid), headers: h, json: ["phone": "812 555 0123"])
        return pid
    }

    /// What an intruder with database owner rights would do first: switch the append-only guard off.
    func dropGuard(_ app: Application) async throws {
        try await CreateAuditEventAppendOnlyGuard().revert(on: app.db)
    }

    func verify(_ app: Application) async throws -> AuditVerification.Report {
        try await AuditVerification.run(app: app, writeCheckpoint: true)
    }

    func test_intactChain_verifies_andEveryEventLinks() async throws {
        try await withTestApp { app, clock in
            _ = try await activity(app, clock)
            let r = try await verify(app)
            XCTAssertTrue(r.ok, r.problem ?? "")
            let rows = try await Fixtures.auditRows(app)
            XCTAssertEqual(r.checked + 1, rows.count, "all events, then the verification event itself")
            XCTAssertEqual(rows.first?.prevHash, AuditChain.genesis)
            for (a, b) in zip(rows, rows.dropFirst()) { XCTAssertEqual(b.prevHash, a.hash) }
            XCTAssertEqual(Set(rows.map(\.seq)).count, rows.count)
        }
    }

    func test_databaseRefusesUpdateAndDelete() async throws {
        try await withTestApp { app, clock in
            _ = try await activity(app, clock)
            do {
                try await app.db.sql.raw("UPDATE audit_event SET detail = 'x' WHERE seq = 1").run()
                XCTFail("update allowed")
            } catch {}
            do {
                try await app.db.sql.raw("DELETE FROM audit_event WHERE seq = 1").run()
                XCTFail("delete allowed")
            } catch {}
            let r = try await verify(app)
            XCTAssertTrue(r.ok)
        }
    }

    func test_changedRow_isDetected_andNamed() async throws {
        try await withTestApp { app, clock in
            _ = try await activity(app, clock)
            try await dropGuard(app)
            try await app.db.sql.raw("UPDATE audit_event SET username = 'someone-else' WHERE seq = 4").run()
            let r = try await verify(app)
            XCTAssertFalse(r.ok)
            XCTAssertEqual(r.firstBadSeq, 4)
            XCTAssertTrue(r.problem?.contains("changed") ?? false)
            let recorded = try await Fixtures.auditRows(app, action: .auditVerified)
            XCTAssertEqual(recorded.last?.outcome, "failure")
        }
    }

    func test_deletedRow_isDetected() async throws {
        try await withTestApp { app, clock in
            _ = try await activity(app, clock)
            try await dropGuard(app)
            try await app.db.sql.raw("DELETE FROM audit_event WHERE seq = 3").run()
            let r = try await verify(app)
            XCTAssertFalse(r.ok)
            XCTAssertEqual(r.firstBadSeq, 4)
        }
    }

    func test_insertedRow_isDetected() async throws {
        try await withTestApp { app, clock in
            _ = try await activity(app, clock)
            try await dropGuard(app)
            // Make room after seq 2 and slip a forged event in, re-linking nothing else.
            try await app.db.sql.raw("UPDATE audit_event SET seq = seq + 1000 WHERE seq > 2").run()
            try await app.db.sql.raw("UPDATE audit_event SET seq = seq - 999 WHERE seq > 1000").run()
            let second = try await AuditEventRecord.query(on: app.db).filter(\.$seq == 2).first()!
            let forged = AuditChain.seal(
                AuditEntry(
                    seq: 0, recordedAt: app.clock.now(), userID: nil, username: "ghost", role: "admin",
                    patientID: nil, action: .read, category: .demographics, entityType: "Patient", entityID: nil,
                    device: "x", outcome: .success, detail: "forged", prevHash: ""), after: (second.seq, second.hash))
            try await AuditEventRecord(forged).create(on: app.db)
            let r = try await verify(app)
            XCTAssertFalse(r.ok)
            XCTAssertEqual(r.firstBadSeq, 4, "the event after the forged one no longer links")
        }
    }

    func test_reorderedRows_areDetected() async throws {
        try await withTestApp { app, clock in
            _ = try await activity(app, clock)
            try await dropGuard(app)
            try await app.db.sql.raw("UPDATE audit_event SET seq = -5 WHERE seq = 5").run()
            try await app.db.sql.raw("UPDATE audit_event SET seq = 5 WHERE seq = 6").run()
            try await app.db.sql.raw("UPDATE audit_event SET seq = 6 WHERE seq = -5").run()
            let r = try await verify(app)
            XCTAssertFalse(r.ok)
            XCTAssertEqual(r.firstBadSeq, 5)
        }
    }

    func test_truncatedTail_isCaughtByTheSignedCheckpoint_andAForgedCheckpointToo() async throws {
        try await withTestApp { app, clock in
            _ = try await activity(app, clock)
            let first = try await verify(app)
            XCTAssertTrue(first.ok)
            try await dropGuard(app)
            try await app.db.sql.raw("DELETE FROM audit_event WHERE seq >= \(literal: first.headSeq - 2)").run()
            let r = try await verify(app)
            XCTAssertFalse(r.ok)
            XCTAssertTrue(r.problem?.contains("checkpoint") ?? false, r.problem ?? "")

            var data = try XCTUnwrap(try app.blobs.get(AuditVerification.checkpointKey))
            data = Data(
                String(decoding: data, as: UTF8.self).replacingOccurrences(
                    of: "\"seq\":\(first.headSeq)", with: "\"seq\":1"
                ).utf8)
            try app.blobs.put(AuditVerification.checkpointKey, data)
            let forged = try await verify(app)
            XCTAssertFalse(forged.ok)
            XCTAssertTrue(forged.problem?.contains("signature") ?? false)
        }
    }

    func test_concurrentWrites_keepOneUnbrokenChain() async throws {
        try await withTestApp { app, clock in
            let desk = try await Fixtures.user(app, .frontDesk)
            let h = try await Fixtures.bearer(app, desk, clock: clock)
            let pid = try await Fixtures.patient(app)
            try await withThrowingTaskGroup(of: Void.self) { g in
                for _ in 0..<24 {
                    g.addTask { _ = try await HTTP.send(app, .GET, Site.apiPatient.path(pid), headers: h) }
                }
                try await g.waitForAll()
            }
            let r = try await verify(app)
            XCTAssertTrue(r.ok, r.problem ?? "")
            let v1 = try await Fixtures.auditRows(app, action: .read, patientID: pid).count
            XCTAssertEqual(v1, 24)
        }
    }

    func test_cliVerify_onTheDataDir_reportsBrokenChain() async throws {
        guard !TestDatabase.isPostgres else { return }  // the CLI opens its own connection to the same SQLite file
        try await withTestApp { app, clock in
            _ = try await activity(app, clock)
            let ok = try await CareSyncCLI.auditVerify(app.config, writeCheckpoint: false, progress: false)
            XCTAssertTrue(ok.ok)
            try await dropGuard(app)
            try await app.db.sql.raw("UPDATE audit_event SET detail = 'tampered' WHERE seq = 2").run()
            let bad = try await CareSyncCLI.auditVerify(app.config, writeCheckpoint: false, progress: false)
            XCTAssertEqual(bad.firstBadSeq, 2)
            XCTAssertTrue(CareSyncCLI.describe(bad).contains("BROKEN at event #2"))
        }
    }
}
