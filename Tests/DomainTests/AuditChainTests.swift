import XCTest
@testable import Domain

final class AuditChainTests: XCTestCase {
    func chain(_ n: Int) -> [AuditEntry] {
        var out: [AuditEntry] = []
        for i in 0..<n {
            let e = AuditEntry(
                seq: 0, recordedAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(i)), userID: UUID(),
                username: "u\(i)",
                role: "provider", patientID: UUID(), action: .read, category: .demographics, entityType: "Patient",
                entityID: "p\(i)", device: "127.0.0.1", outcome: .success, detail: "d\(i)", prevHash: "")
            out.append(AuditChain.seal(e, after: out.last.map { ($0.seq, $0.hash) }))
        }
        return out
    }

    func test_intactChain_verifies() {
        let c = chain(5)
        XCTAssertEqual(c.map(\.seq), [1, 2, 3, 4, 5])
        XCTAssertEqual(c[0].prevHash, AuditChain.genesis)
        let v = AuditChain.verify(c)
        XCTAssertTrue(v.ok)
        XCTAssertEqual(v.checked, 5)
        XCTAssertEqual(v.headHash, c[4].hash)
    }

    func test_changedField_isNamed() {
        var c = chain(5)
        c[2].detail = "edited"
        let v = AuditChain.verify(c)
        XCTAssertEqual(v.firstBad?.seq, 3)
        XCTAssertEqual(v.firstBad?.problem, .contentChanged)
    }

    func test_changedFieldWithRecomputedHash_breaksTheNextLink() {
        var c = chain(5)
        c[2].detail = "edited"
        c[2].hash = AuditChain.hash(c[2])
        XCTAssertEqual(AuditChain.verify(c).firstBad?.seq, 4)
        XCTAssertEqual(AuditChain.verify(c).firstBad?.problem, .brokenLink)
    }

    func test_deleted_inserted_reordered_areDetected() {
        var deleted = chain(5)
        deleted.remove(at: 1)
        XCTAssertEqual(AuditChain.verify(deleted).firstBad?.seq, 3)

        var inserted = chain(5)
        var forged = inserted[1]
        forged.detail = "forged"
        inserted.insert(forged, at: 2)
        XCTAssertFalse(AuditChain.verify(inserted).ok)

        var reordered = chain(5)
        reordered.swapAt(1, 2)
        XCTAssertEqual(AuditChain.verify(reordered).firstBad?.seq, 3)
        // Swapping the sequence numbers too (so rows read back in seq order) changes the hashed content.
        var renumbered = chain(5)
        let s1 = renumbered[1].seq
        renumbered[1].seq = renumbered[2].seq
        renumbered[2].seq = s1
        renumbered.swapAt(1, 2)
        XCTAssertFalse(AuditChain.verify(renumbered).ok)
    }

    func test_truncatedTail_isCaughtByCheckpoint() {
        let c = chain(5)
        let cp = AuditChain.Checkpoint(seq: 5, hash: c[4].hash, recordedAt: Date())
        XCTAssertTrue(AuditChain.verify(c, checkpoint: cp).ok)
        let truncated = Array(c.prefix(3))
        XCTAssertTrue(AuditChain.verify(truncated).ok, "without a checkpoint a clean cut is invisible")
        let v = AuditChain.verify(truncated, checkpoint: cp)
        XCTAssertEqual(v.firstBad?.problem, .checkpointMismatch)
    }

    func test_canonicalForm_fieldsCannotBleed() {
        var a = chain(1)[0]
        var b = a
        a.username = "ab"; a.role = "c"
        b.username = "a"; b.role = "bc"
        XCTAssertNotEqual(AuditChain.canonical(a), AuditChain.canonical(b))
    }
}
