import Vapor
import Fluent
import Domain

/// Read-side queries over the audit trail (the report and the patient's access log).
package enum AuditQueries {
    /// Actions that count as someone seeing or handling a patient's data.
    package static let accessActions: [String] = [AuditAction.read, .query, .print, .export, .update, .create, .delete]
        .map(\.rawValue)

    package static func accessLog(patientID: UUID, excludingUser: UUID?, on db: any Database) async throws
        -> [AuditEventRecord]
    {
        let q = AuditEventRecord.query(on: db).filter(\.$patientID == patientID).filter(\.$action ~~ accessActions)
            .filter(\.$outcome == AuditOutcome.success.rawValue)
        if let u = excludingUser { q.group(.or) { $0.filter(\.$userID != u).filter(\.$userID == nil) } }
        return try await q.sort(\.$seq, .descending).limit(500).all()
    }
}
