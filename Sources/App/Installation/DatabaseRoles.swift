import Vapor
import Fluent
import SQLKit
import AppCore

/// The two PostgreSQL roles of a production installation: the owner, who migrates (`caresync migrate --app-role NAME`),
/// and the app role the server runs as. The app role reads and writes every table but may only read and append to
/// `audit_event` and only read the migration log, and it cannot create tables, so it cannot drop or disable the
/// append-only triggers (`DatabaseRoleFacts`).
public enum DatabaseRoles {
    public struct Refused: Error, CustomStringConvertible {
        public let description: String
    }

    /// Grants `role` the app role's privileges on every table now in the schema; returns how many tables. Run again
    /// after each upgrade's migrations (new tables). Refuses a missing role, a superuser, and the owner itself.
    package static func grantAppRole(_ db: any Database, role: String) async throws -> Int {
        guard db.isPostgres else { throw Refused(description: "--app-role is for PostgreSQL (DATABASE_URL).") }
        let found = try await db.sql.raw(
            """
            SELECT r.rolsuper AS superuser, r.rolname = current_user AS is_me,
                   pg_has_role(r.rolname, (SELECT relowner FROM pg_class WHERE oid = 'audit_event'::regclass),
                               'MEMBER') AS owns
            FROM pg_roles r WHERE r.rolname = \(bind: role)
            """
        ).first()
        guard let found else {
            throw Refused(
                description:
                    "There is no database role named \(role): create it first (createuser --pwprompt \(role)), "
                    + "then run this again.")
        }
        if try found.decode(column: "superuser", as: Bool.self) {
            throw Refused(description: "\(role) is a superuser; the app role must be an ordinary login role.")
        }
        if try found.decode(column: "is_me", as: Bool.self) || found.decode(column: "owns", as: Bool.self) {
            throw Refused(description: "\(role) owns the tables; the app role must be a different role from the owner.")
        }
        let schema =
            try await db.sql.raw("SELECT current_schema() AS s").first()?.decode(column: "s", as: String.self)
            ?? "public"
        for statement: SQLQueryString in [
            "GRANT USAGE ON SCHEMA \(ident: schema) TO \(ident: role)",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA \(ident: schema) TO \(ident: role)",
            "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA \(ident: schema) TO \(ident: role)",
            "REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM \(ident: role)",
            "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON _fluent_migrations FROM \(ident: role)",
        ] {
            try await db.sql.raw(statement).run()
        }
        return try await db.sql.raw(
            "SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname = \(bind: schema)"
        ).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Whether the connected role may create tables (the owner may; the app role may not, and so does not migrate).
    package static func canCreateTables(_ db: any Database) async throws -> Bool {
        guard db.isPostgres else { return true }
        return try await db.sql.raw("SELECT has_schema_privilege(current_schema(), 'CREATE') AS ok").first()?.decode(
            column: "ok", as: Bool.self) ?? false
    }

    /// For the app role, which cannot migrate: refuses to start on a database the owner has not migrated to this
    /// version, naming what to run.
    package static func checkMigrated(_ app: Application) async throws {
        let log = try await app.db.sql.raw("SELECT to_regclass('_fluent_migrations') IS NOT NULL AS ok").first()?
            .decode(column: "ok", as: Bool.self)
        guard log == true else {
            throw Refused(
                description:
                    "The database has not been set up and this role may not create tables: run "
                    + "`caresync migrate --app-role NAME` with the owner's DATABASE_URL first.")
        }
        let pending = try await app.migrator.previewPrepareBatch().get()
        if !pending.isEmpty {
            throw Refused(
                description:
                    "\(pending.count) migration(s) of this version are not applied and this role may not apply them: "
                    + "run `caresync migrate --app-role NAME` with the owner's DATABASE_URL, then start again.")
        }
    }
}
