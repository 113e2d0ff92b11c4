import Domain
import Fluent
import SQLKit
import TestSupport
import XCTVapor
import XCTest

import App
import AppCore
import Audit

/// What an attacker with access to the database and the data dir can do to the audit trail, kind by kind, and what
/// `audit verify` says afterwards. The server writes signed checkpoints on its own (here: the pass its schedule
/// runs), the key is kept outside the data dir, and a second copy of every checkpoint goes to another directory.
/// Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL).
final class AuditTamperTests: XCTestCase {
    /// A key file and an off-site directory outside the data dir, as production has them.
    func withGuardedApp(offsite: Bool = true, _ body: (Application, TestClock, String) async throws -> Void)
        async throws
    {
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent(
            "caresync-outside-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        let keyFile = outside + "/audit.key"
        FileManager.default.createFile(atPath: keyFile, contents: Data((0..<32).map { _ in UInt8.random(in: 0...255) }))
        try await withTestApp(configure: {
            $0.auditKeyFile = keyFile
            if offsite { $0.auditCheckpointDir = outside + "/worm" }
        }) { app, clock in try await body(app, clock, outside + "/worm") }
    }

    /// Some activity, then the server's checkpoint pass; returns the head at that checkpoint.
    func activityAndCheckpoint(_ app: Application, _ clock: TestClock) async throws -> AuditChain.Checkpoint {
        let desk = try await Fixtures.user(app, .frontDesk)
        let h = try await Fixtures.bearer(app, desk, clock: clock)
        let pid = try await Fixtures.patient(app)
        for _ in 0..<4 { _ = try await HTTP.send(app, .GET, Site.apiPatient.path(pid), headers: h) }
        let written = try await AuditCheckpoints.writeHead(app)
        return try XCTUnwrap(written)
    }

    func dropGuard(_ app: Application) async throws { try await CreateAuditEventAppendOnlyGuard().revert(on: app.db) }
    func restoreGuard(_ app: Application) async throws {
        try await CreateAuditEventAppendOnlyGuard().revert(on: app.db)
        try await CreateAuditEventAppendOnlyGuard().prepare(on: app.db)
    }

    func verify(_ app: Application) async throws -> AuditVerification.Report {
        try await AuditVerification.run(app: app, writeCheckpoint: false)
    }

    /// Recomputes every hash from `seq` on, as an attacker who knows the algorithm would after an edit.
    func rehashForward(_ app: Application, from seq: Int64) async throws {
        let rows = try await AuditEventRecord.query(on: app.db).sort(\.$seq).all()
        var prev = AuditChain.genesis
        for r in rows {
            if r.seq < seq {
                prev = r.hash
                continue
            }
            var e = r.entry
            e.prevHash = prev
            let h = AuditChain.hash(e)
            try await app.db.sql.raw(
                "UPDATE audit_event SET prev_hash = \(bind: prev), hash = \(bind: h) WHERE seq = \(bind: r.seq)"
            ).run()
            prev = h
        }
    }

    func assertCaught(
        _ r: AuditVerification.Report, _ words: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertFalse(r.ok, "not detected", file: file, line: line)
        XCTAssertTrue(
            r.problem?.contains(words) ?? false, "\(r.problem ?? "no problem named") — expected “\(words)”", file: file,
            line: line)
    }

    func test_theServersCheckpoints_areWrittenBySchedule_andAtShutdown_toBothPlaces() async throws {
        try await withGuardedApp { app, clock, worm in
            let first = try await activityAndCheckpoint(app, clock)
            let files = try FileManager.default.contentsOfDirectory(atPath: worm)
            XCTAssertEqual(files.count, 1)
            let again = try await AuditCheckpoints.writeHead(app)
            XCTAssertNil(again, "nothing new: no new checkpoint")
            _ = try await Fixtures.patient(app)
            await AuditCheckpoints.Worker().shutdownAsync(app)
            let later = try AuditCheckpoints.readLocal(app, key: try AuditCheckpoints.key(app)).checkpoint
            XCTAssertGreaterThan(later?.seq ?? 0, first.seq, "the shutdown pass wrote the newer head")
            XCTAssertEqual(
                try FileManager.default.contentsOfDirectory(atPath: worm).count, 2,
                "off-site files are never overwritten")
            let r = try await verify(app)
            XCTAssertTrue(r.ok, r.problem ?? "")
            XCTAssertFalse(
                FileManager.default.fileExists(atPath: app.config.dataDir + "/secrets/audit-checkpoint.key"),
                "with a key file configured, no key is kept beside the data")
        }
    }

    func test_everyKindOfTampering_isDetected() async throws {
        // Each kind on a fresh database: (name, what the attacker does, words the report must contain).
        typealias Attack = (Application, AuditChain.Checkpoint, String) async throws -> Void
        let kinds: [(String, Attack, String)] = [
            (
                "field changed",
                { app, _, _ in
                    try await app.db.sql.raw("UPDATE audit_event SET detail = 'nothing to see' WHERE seq = 3").run()
                }, "event was changed"
            ),
            (
                "user changed",
                { app, _, _ in
                    try await app.db.sql.raw("UPDATE audit_event SET username = 'someone-else' WHERE seq = 4").run()
                }, "event was changed"
            ),
            (
                "middle deleted",
                { app, _, _ in
                    try await app.db.sql.raw("DELETE FROM audit_event WHERE seq = 3").run()
                }, "sequence number"
            ),
            (
                "tail deleted after the checkpoint",
                { app, cp, _ in
                    try await app.db.sql.raw("DELETE FROM audit_event WHERE seq >= \(bind: cp.seq - 1)").run()
                }, "checkpoint"
            ),
            (
                "row inserted",
                { app, _, _ in
                    try await app.db.sql.raw("UPDATE audit_event SET seq = seq + 1000 WHERE seq >= 3").run()
                    try await app.db.sql.raw("UPDATE audit_event SET seq = seq - 999 WHERE seq >= 1003").run()
                    try await app.db.sql.raw(
                        """
                        INSERT INTO audit_event (id, seq, recorded_at, prev_hash, hash, user_id, username, role,
                        patient_id, action, category, entity_type, entity_id, device, outcome, detail)
                        SELECT \(bind: UUID()), 3, recorded_at, hash, hash, user_id, username, role, patient_id, action,
                        category,
                        entity_type, entity_id, device, outcome, 'forged' FROM audit_event WHERE seq = 2
                        """
                    ).run()
                }, "event"
            ),
            (
                "rows reordered",
                { app, _, _ in
                    try await app.db.sql.raw("UPDATE audit_event SET seq = -5 WHERE seq = 5").run()
                    try await app.db.sql.raw("UPDATE audit_event SET seq = 5 WHERE seq = 6").run()
                    try await app.db.sql.raw("UPDATE audit_event SET seq = 6 WHERE seq = -5").run()
                }, "event"
            ),
            (
                "edited and re-hashed forward",
                { app, _, _ in
                    try await app.db.sql.raw("UPDATE audit_event SET detail = 'nothing to see' WHERE seq = 3").run()
                    try await self.rehashForward(app, from: 3)
                }, "checkpoint"
            ),
            (
                "tail deleted, the rest re-hashed, the checkpoint re-signed with a key of the attacker's",
                { app, cp, _ in
                    try await app.db.sql.raw("DELETE FROM audit_event WHERE seq >= \(bind: cp.seq - 1)").run()
                    try await self.rehashForward(app, from: 1)
                    let head = try await AuditEventRecord.query(on: app.db).sort(\.$seq, .descending).first()!
                    let forged = AuditChain.Checkpoint(seq: head.seq, hash: head.hash, recordedAt: Date())
                    try app.blobs.put(
                        AuditCheckpoints.blobKey, try AuditCheckpoints.encode(forged, key: SymmetricKey(size: .bits256))
                    )
                }, "signature"
            ),
            (
                "the checkpoint beside the data deleted",
                { app, _, _ in
                    try app.blobs.delete(AuditCheckpoints.blobKey)
                }, "off-site copy"
            ),
            (
                "the checkpoint beside the data rolled back to an older one",
                { app, _, _ in
                    let key = try AuditCheckpoints.key(app)
                    let first = try await AuditEventRecord.query(on: app.db).filter(\.$seq == 2).first()!
                    try app.blobs.put(
                        AuditCheckpoints.blobKey,
                        try AuditCheckpoints.encode(.init(seq: 2, hash: first.hash, recordedAt: Date()), key: key))
                }, "off-site copy"
            ),
            ("append-only triggers dropped", { _, _, _ in }, "append-only guard is off"),
            (
                "edited, re-hashed and re-signed with a stolen key",
                { app, cp, worm in
                    // Edit and re-hash, then sign a fresh local checkpoint with the real key (a stolen key): the
                    // off-site
                    // copy, which the attacker cannot rewrite, still names the old head.
                    try await app.db.sql.raw("UPDATE audit_event SET detail = 'nothing to see' WHERE seq = 2").run()
                    try await self.rehashForward(app, from: 2)
                    let head = try await AuditEventRecord.query(on: app.db).sort(\.$seq, .descending).first()!
                    try app.blobs.put(
                        AuditCheckpoints.blobKey,
                        try AuditCheckpoints.encode(
                            .init(seq: head.seq, hash: head.hash, recordedAt: Date().addingTimeInterval(60)),
                            key: try AuditCheckpoints.key(app)))
                    _ = cp
                    _ = worm
                }, "off-site"
            ),
        ]
        var caught: [String] = []
        for (name, attack, words) in kinds {
            try await withGuardedApp { app, clock, worm in
                let cp = try await activityAndCheckpoint(app, clock)
                let clean = try await verify(app)
                XCTAssertTrue(clean.ok, "\(name): clean before the attack: \(clean.problem ?? "")")
                try await dropGuard(app)
                do {
                    try await attack(app, cp, worm)
                    // The attacker covers their tracks.
                    if name != "append-only triggers dropped" { try await restoreGuard(app) }
                } catch {
                    XCTFail("\(name): the attack itself failed: \(error)")
                    return
                }
                let r = try await verify(app)
                assertCaught(r, words)
                if !r.ok { caught.append(name) }
            }
        }
        XCTAssertEqual(caught.count, kinds.count, "caught: \(caught)")
    }

    /// Without a second place, deleting the only checkpoint still shows: the chain records that checkpoints exist.
    func test_deletedCheckpoint_withoutAnOffsiteCopy_isDetected() async throws {
        try await withGuardedApp(offsite: false) { app, clock, _ in
            _ = try await activityAndCheckpoint(app, clock)
            try app.blobs.delete(AuditCheckpoints.blobKey)
            let r = try await verify(app)
            assertCaught(r, "it was deleted")
        }
    }

    func test_readiness_failsWhileTheGuardIsOff() async throws {
        try await withTestApp { app, _ in
            let ok = try await HTTP.send(app, .GET, Site.healthReady.path())
            XCTAssertEqual(ok.status, .ok)
            try await dropGuard(app)
            let off = try await HTTP.send(app, .GET, Site.healthReady.path())
            XCTAssertEqual(off.status, .serviceUnavailable)
            XCTAssertEqual(try off.content.get(String.self, at: "checks", "auditGuard", "status"), "fail")
        }
    }
}
