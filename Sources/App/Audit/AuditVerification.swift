import Vapor
import Fluent
import Domain

/// Recomputes the hash chain from the first event and checks it still reaches the last signed checkpoint.
/// Checkpoints (head sequence and hash, HMAC-signed) live in the blob store, outside the database.
public enum AuditVerification {
    public struct Report: Content, Sendable {
        public let ok: Bool
        public let checked: Int
        public let headSeq: Int64
        public let headHash: String
        public let firstBadSeq: Int64?
        public let problem: String?
        public let checkpointSeq: Int64?
    }

    static let checkpointKey = "audit/checkpoint.json"

    struct SignedCheckpoint: Codable {
        let checkpoint: AuditChain.Checkpoint
        let mac: String
    }

    /// The checkpoint signing key: CARESYNC_AUDIT_KEY, or a random key kept in the data dir (created once, mode 0600).
    static func key(_ app: Application) throws -> SymmetricKey {
        if let k = ProcessInfo.processInfo.environment["CARESYNC_AUDIT_KEY"], !k.isEmpty { return SymmetricKey(data: Data(SHA256.hash(data: Data(k.utf8)))) }
        let dir = (app.config.dataDir as NSString).appendingPathComponent("secrets")
        let path = (dir as NSString).appendingPathComponent("audit-checkpoint.key")
        if let d = FileManager.default.contents(atPath: path), d.count == 32 { return SymmetricKey(data: d) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let k = SymmetricKey(size: .bits256)
        let data = k.withUnsafeBytes { Data($0) }
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission)
        }
        return k
    }

    static func mac(_ c: AuditChain.Checkpoint, key: SymmetricKey) -> String {
        let msg = "\(c.seq)|\(c.hash)|\(AuditChain.millis(c.recordedAt))"
        return Data(HMAC<SHA256>.authenticationCode(for: Data(msg.utf8), using: key)).base64EncodedString()
    }

    /// Verifies the whole chain in pages of 1000. On success (and when asked) records a new checkpoint at the head,
    /// and appends an `audit-verified` event.
    public static func run(app: Application, writeCheckpoint: Bool, progress: (@Sendable (Int) -> Void)? = nil) async throws -> Report {
        try await run(app: app, scope: app.systemScope("audit-verify"), writeCheckpoint: writeCheckpoint, progress: progress)
    }

    static func run(app: Application, scope: AuditScope, writeCheckpoint: Bool, progress: (@Sendable (Int) -> Void)? = nil) async throws -> Report {
        let key = try key(app)
        var checkpoint: AuditChain.Checkpoint?
        var checkpointForged = false
        if let data = try app.blobs.get(checkpointKey) {
            if let signed = try? JSONDecoder().decode(SignedCheckpoint.self, from: data), mac(signed.checkpoint, key: key) == signed.mac {
                checkpoint = signed.checkpoint
            } else {
                checkpointForged = true
            }
        }
        var verifier = AuditChain.Verifier(checkpoint: checkpoint)
        var after: Int64 = 0
        while true {
            let page = try await AuditEventRecord.query(on: app.db).filter(\.$seq > after).sort(\.$seq, .ascending).limit(1000).all()
            if page.isEmpty { break }
            for r in page { verifier.feed(r.entry) }
            after = page.last!.seq
            progress?(verifier.checked)
            if verifier.firstBad != nil { break }
        }
        let verdict = verifier.finish()
        if checkpointForged {
            return Report(ok: false, checked: verdict.checked, headSeq: verdict.headSeq, headHash: verdict.headHash, firstBadSeq: nil,
                          problem: "the checkpoint file's signature does not verify (the checkpoint was altered or the key changed)", checkpointSeq: nil)
        }
        let report = Report(ok: verdict.ok, checked: verdict.checked, headSeq: verdict.headSeq, headHash: verdict.headHash,
                            firstBadSeq: verdict.firstBad?.seq, problem: verdict.firstBad?.problem.description, checkpointSeq: checkpoint?.seq)
        try await scope.record([AuditDraft(action: .auditVerified, category: .auditLog, entityType: "AuditChain", entityID: String(verdict.headSeq),
                                           outcome: verdict.ok ? .success : .failure,
                                           detail: verdict.ok ? "\(verdict.checked) events verified" : "first bad event \(verdict.firstBad!.seq): \(verdict.firstBad!.problem.description)")])
        if verdict.ok && writeCheckpoint && verdict.headSeq > 0 {
            let cp = AuditChain.Checkpoint(seq: verdict.headSeq, hash: verdict.headHash, recordedAt: app.clock.now())
            let enc = JSONEncoder()
            enc.outputFormatting = .sortedKeys
            try app.blobs.put(checkpointKey, try enc.encode(SignedCheckpoint(checkpoint: cp, mac: mac(cp, key: key))))
        }
        return report
    }
}
