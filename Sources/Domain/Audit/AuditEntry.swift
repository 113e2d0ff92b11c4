import Foundation
import Crypto

/// Type of action, after ASTM E2147 §7.1.6 plus the security events ONC (d)(2) asks for.
public enum AuditAction: String, Codable, CaseIterable, Sendable {
    case create, read, update, delete, query, export, print
    case signIn = "sign-in"
    case signOut = "sign-out"
    case signInFailed = "sign-in-failed"
    case mfaEnrolled = "mfa-enrolled"
    case mfaFailed = "mfa-failed"
    case accountLocked = "account-locked"
    case permissionChange = "permission-change"
    case userCreated = "user-created"
    case accessDenied = "access-denied"
    case auditVerified = "audit-verified"
    /// The server started writing signed checkpoints of the chain's head (recorded once).
    case auditCheckpoint = "audit-checkpoint"
    /// A Medical Director approved patient-facing content (a care pathway version).
    case approve
    /// A release was put live (or refused), rolled back, or a rehearsal run (`caresync deploy`, `caresync rollback`).
    case deploy, rollback
    /// A synthetic incident was run against a test or staging node (`caresync incident simulate`).
    case incidentSimulated = "incident-simulated"
    /// A synthetic load test was run against a node (`caresync loadtest`).
    case loadTest = "load-test"
}

/// Which kind of data was touched (ASTM E2147 §7.1.9: at least by category).
public enum DataCategory: String, Codable, CaseIterable, Sendable {
    case demographics, insurance, contact
    case accessLog = "access-log"
    case auditLog = "audit-log"
    case account
    case appointments
    case photos, messages, intake
    /// Care pathways: procedures, enrolments, check-in answers, care-team tasks.
    case pathways
    /// Prescriptions, SCRIPT messages, renewals, and EPCS events.
    case prescriptions
    /// Video visits: admit, join, leave, connection outcome, the visit note.
    case visits
    /// The clinical summary: problems, allergies, reported medications, observations.
    case clinical
    /// Encounters and their notes (drafts, signatures, addenda).
    case notes
    /// The installation itself: deploys, rollbacks, rehearsals (no patient data).
    case operations
}

public enum AuditOutcome: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case success, denied, failure

    public var description: String { rawValue }
}

/// One audit event's content: what gets hashed. Storage adds the sequence number and hashes.
public struct AuditEntry: Equatable, Sendable {
    public var seq: Int64
    public var recordedAt: Date
    public var userID: UUID?
    public var username: String
    public var role: String
    public var patientID: UUID?
    public var action: AuditAction
    public var category: DataCategory
    public var entityType: String
    public var entityID: String?
    public var device: String
    public var outcome: AuditOutcome
    public var detail: String
    public var prevHash: String
    public var hash: String

    public init(
        seq: Int64, recordedAt: Date, userID: UUID?, username: String, role: String, patientID: UUID?,
        action: AuditAction, category: DataCategory, entityType: String, entityID: String?,
        device: String, outcome: AuditOutcome, detail: String, prevHash: String, hash: String = ""
    ) {
        self.seq = seq
        self.recordedAt = recordedAt
        self.userID = userID
        self.username = username
        self.role = role
        self.patientID = patientID
        self.action = action
        self.category = category
        self.entityType = entityType
        self.entityID = entityID
        self.device = device
        self.outcome = outcome
        self.detail = detail
        self.prevHash = prevHash
        self.hash = hash
    }
}

/// The hash chain: hash = SHA-256(canonical(row) ‖ prev_hash). Pure functions, tested without a database.
public enum AuditChain {
    /// The hash the first event chains to.
    public static let genesis = String(repeating: "0", count: 64)

    /// Milliseconds since 1970: the precision every database keeps.
    public static func millis(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1000).rounded()) }

    /// A date rounded to what is hashed, so a stored-and-read date hashes the same.
    public static func rounded(_ d: Date) -> Date { Date(timeIntervalSince1970: Double(millis(d)) / 1000) }

    /// Fields in a fixed order, each length-prefixed so no field can bleed into the next.
    public static func canonical(_ e: AuditEntry) -> String {
        let fields: [String] = [
            String(e.seq), String(millis(e.recordedAt)), e.userID?.uuidString.lowercased() ?? "", e.username, e.role,
            e.patientID?.uuidString.lowercased() ?? "", e.action.rawValue, e.category.rawValue, e.entityType,
            e.entityID ?? "", e.device, e.outcome.rawValue, e.detail,
        ]
        return fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
    }

    public static func hash(_ e: AuditEntry) -> String {
        var h = SHA256()
        h.update(data: Data(canonical(e).utf8))
        h.update(data: Data(e.prevHash.utf8))
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Text as every database stores and returns it: control characters (a NUL ends a C string in SQLite and is
    /// refused by PostgreSQL) are written out as `\u{…}`, so what is hashed is exactly what is stored and read back.
    public static func storable(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if u.properties.generalCategory == .control {
                out.append(contentsOf: "\\u{\(String(u.value, radix: 16))}".unicodeScalars)
            } else {
                out.append(u)
            }
        }
        return String(out)
    }

    /// Links a new entry after `previous` (nil for the first).
    public static func seal(_ entry: AuditEntry, after previous: (seq: Int64, hash: String)?) -> AuditEntry {
        var e = entry
        e.username = storable(e.username)
        e.role = storable(e.role)
        e.entityType = storable(e.entityType)
        e.entityID = e.entityID.map(storable)
        e.device = storable(e.device)
        e.detail = storable(e.detail)
        e.seq = (previous?.seq ?? 0) + 1
        e.prevHash = previous?.hash ?? genesis
        e.recordedAt = rounded(e.recordedAt)
        e.hash = hash(e)
        return e
    }

    public enum Problem: Equatable, Sendable {
        /// The stored hash is not the hash of the stored content: a field was changed.
        case contentChanged
        /// The event does not chain to the one before it: events were deleted, inserted or reordered.
        case brokenLink
        /// Sequence numbers skip or repeat.
        case sequenceGap(expected: Int64)
        /// The chain no longer reaches a checkpoint written earlier: events at the end were removed or rewritten.
        case checkpointMismatch

        public var description: String {
            switch self {
            case .contentChanged: return "stored hash does not match the event's content (the event was changed)"
            case .brokenLink:
                return "prev_hash does not match the previous event (events deleted, inserted or reordered)"
            case .sequenceGap(let expected):
                return "sequence number out of order (expected \(expected): events deleted, inserted or reordered)"
            case .checkpointMismatch:
                return "the chain no longer matches the last checkpoint (events at the end removed or rewritten)"
            }
        }
    }

    public struct Verdict: Equatable, Sendable {
        public let checked: Int
        public let firstBad: (seq: Int64, problem: Problem)?
        public let headSeq: Int64
        public let headHash: String
        public var ok: Bool { firstBad == nil }

        public static func == (a: Verdict, b: Verdict) -> Bool {
            a.checked == b.checked && a.firstBad?.seq == b.firstBad?.seq && a.firstBad?.problem == b.firstBad?.problem
                && a.headSeq == b.headSeq && a.headHash == b.headHash
        }
    }

    /// An incremental verifier so a long chain can be read in pages, in ascending sequence order.
    public struct Verifier: Sendable {
        private let checkpoint: Checkpoint?
        private var expectedSeq: Int64 = 1
        private var prevHash: String = AuditChain.genesis
        private var hashAtCheckpoint: String?
        private(set) public var checked = 0
        private(set) public var firstBad: (seq: Int64, problem: Problem)?

        /// A checkpoint (seq, hash) taken earlier must still be part of the chain.
        public init(checkpoint: Checkpoint? = nil) { self.checkpoint = checkpoint }

        public mutating func feed(_ e: AuditEntry) {
            guard firstBad == nil else { return }
            if e.seq != expectedSeq {
                firstBad = (e.seq, .sequenceGap(expected: expectedSeq))
                return
            }
            if AuditChain.hash(e) != e.hash {
                firstBad = (e.seq, .contentChanged)
                return
            }
            if e.prevHash != prevHash {
                firstBad = (e.seq, .brokenLink)
                return
            }
            if e.seq == checkpoint?.seq { hashAtCheckpoint = e.hash }
            checked += 1
            expectedSeq += 1
            prevHash = e.hash
        }

        public func finish() -> Verdict {
            var bad = firstBad
            if bad == nil, let cp = checkpoint, hashAtCheckpoint != cp.hash {
                bad = (min(cp.seq, expectedSeq), .checkpointMismatch)
            }
            return Verdict(checked: checked, firstBad: bad, headSeq: expectedSeq - 1, headHash: prevHash)
        }
    }

    /// A head (sequence number and hash) recorded outside the database, so removing events at the end shows.
    public struct Checkpoint: Codable, Equatable, Sendable {
        public let seq: Int64
        public let hash: String
        public let recordedAt: Date
        public init(seq: Int64, hash: String, recordedAt: Date) {
            self.seq = seq
            self.hash = hash
            self.recordedAt = recordedAt
        }
    }

    /// Whole-chain verification of entries in storage order.
    public static func verify(_ entries: [AuditEntry], checkpoint: Checkpoint? = nil) -> Verdict {
        var v = Verifier(checkpoint: checkpoint)
        for e in entries { v.feed(e) }
        return v.finish()
    }
}
