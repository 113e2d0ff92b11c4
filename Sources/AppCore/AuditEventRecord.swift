import Vapor
import Fluent
import Domain

/// One row of the append-only, hash-chained audit trail. Database triggers refuse UPDATE and DELETE.
package final class AuditEventRecord: Model, @unchecked Sendable {
    package static let schema = "audit_event"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "seq") package var seq: Int64
    @Field(key: "recorded_at") package var recordedAt: Date
    @Field(key: "prev_hash") package var prevHash: String
    @Field(key: "hash") package var hash: String

    // data fields
    @OptionalField(key: "user_id") package var userID: UUID?
    @Field(key: "username") package var username: String
    @Field(key: "role") package var role: String
    @OptionalField(key: "patient_id") package var patientID: UUID?
    @Field(key: "action") package var action: String
    @Field(key: "category") package var category: String
    @Field(key: "entity_type") package var entityType: String
    @OptionalField(key: "entity_id") package var entityID: String?
    @Field(key: "device") package var device: String
    @Field(key: "outcome") package var outcome: String
    @Field(key: "detail") package var detail: String

    package init() {}

    package init(_ e: AuditEntry) {
        seq = e.seq
        recordedAt = e.recordedAt
        prevHash = e.prevHash
        hash = e.hash
        userID = e.userID
        username = e.username
        role = e.role
        patientID = e.patientID
        action = e.action.rawValue
        category = e.category.rawValue
        entityType = e.entityType
        entityID = e.entityID
        device = e.device
        outcome = e.outcome.rawValue
        detail = e.detail
    }

    /// Values read back as stored. Unknown enum strings map to a sentinel so the hash check fails, not the reader.
    package var entry: AuditEntry {
        AuditEntry(
            seq: seq, recordedAt: recordedAt, userID: userID, username: username, role: role, patientID: patientID,
            action: AuditAction(rawValue: action) ?? .accessDenied,
            category: DataCategory(rawValue: category) ?? .auditLog,
            entityType: entityType, entityID: entityID, device: device,
            outcome: AuditOutcome(rawValue: outcome) ?? .failure,
            detail: detail
                + (AuditAction(rawValue: action) == nil || DataCategory(rawValue: category) == nil
                    || AuditOutcome(rawValue: outcome) == nil ? "\u{0}unreadable" : ""),
            prevHash: prevHash, hash: hash)
    }
}

extension AuditEventRecord {
    /// The newest audit-chain verification (`caresync audit verify`, the server's checkpoints), if any.
    package static func latestVerification(_ db: any Database) async throws -> AuditEventRecord? {
        try await query(on: db).filter(\.$action == AuditAction.auditVerified.rawValue).sort(\.$seq, .descending)
            .first()
    }
}
