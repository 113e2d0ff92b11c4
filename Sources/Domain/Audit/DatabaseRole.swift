/// What the server's PostgreSQL role may do to the audit table, read from the catalogue. The append-only triggers keep
/// the server from rewriting history only when the server cannot drop or disable them: it must not be a superuser,
/// must not own `audit_event`, and may only read and append to it. Migrations run as the owner
/// (`caresync migrate --app-role NAME`); the server runs as NAME.
public struct DatabaseRoleFacts: Equatable, Sendable {
    public var role: String
    public var isSuperuser: Bool
    public var ownsAuditTable: Bool
    /// Of UPDATE, DELETE and TRUNCATE, those the role holds on `audit_event`.
    public var auditWrites: Set<String>

    public init(role: String, isSuperuser: Bool, ownsAuditTable: Bool, auditWrites: Set<String>) {
        self.role = role
        self.isSuperuser = isSuperuser
        self.ownsAuditTable = ownsAuditTable
        self.auditWrites = auditWrites
    }

    public static let remedy =
        "run `caresync migrate --app-role NAME` as the database owner, then serve with a DATABASE_URL naming NAME"

    /// Each way the role could get round the append-only guard, in words (empty: it cannot).
    public var problems: [String] {
        var out: [String] = []
        if isSuperuser {
            out.append("the server's database role \(role) is a superuser: it can switch the append-only triggers off")
        } else if ownsAuditTable {
            out.append("the server's database role \(role) owns audit_event: it can drop the append-only triggers")
        }
        let writes = auditWrites.intersection(["UPDATE", "DELETE", "TRUNCATE"])
        if !isSuperuser, !ownsAuditTable, !writes.isEmpty {
            out.append(
                "the server's database role \(role) may \(writes.sorted().joined(separator: ", ")) audit_event")
        }
        return out
    }
}
