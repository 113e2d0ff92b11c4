import Foundation
import AppCore

/// PostgreSQL's own programs (pg_dump, pg_basebackup, pg_ctl, …) as CareSync runs them. The server programs
/// refuse to run as root; when CareSync itself runs as root they run as the `postgres` user.
package enum PostgresTools {
    package static func path(_ tool: String) throws -> String {
        let candidates =
            [ProcessInfo.processInfo.environment["PG_BINDIR"].map { "\($0)/\(tool)" }]
            + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).sorted {
                $0.compare($1, options: .numeric) == .orderedDescending
            }
            .map { "/usr/lib/postgresql/\($0)/bin/\(tool)" }
            + ["/usr/bin/\(tool)"]
        guard let p = candidates.compactMap({ $0 }).first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else {
            throw Backups.Failure.refused(
                "\(tool) is not installed (apt-get install postgresql-client, or postgresql for the server programs)")
        }
        return p
    }

    package static var isRoot: Bool { geteuid() == 0 }

    /// Runs a tool and returns its standard output; fails with its message. `asServerUser` runs it as `postgres` when
    /// we are root.
    @discardableResult
    package static func run(_ tool: String, _ args: [String], asServerUser: Bool = false) async throws -> String {
        let command =
            (asServerUser && isRoot ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []) + [try path(tool)] + args
        let out = try await ExternalProgram.run(command)
        guard out.status == 0 else { throw Backups.Failure.refused("\(tool) failed: \(out.errorText.prefix(800))") }
        return out.text
    }

    /// Hands a directory tree to the `postgres` user (when we are root), mode 0700 at the top as PostgreSQL requires.
    package static func giveToServerUser(_ dir: String) async throws {
        chmod(dir, 0o700)
        guard isRoot else { return }
        guard try await ExternalProgram.run(["/bin/chown", "-R", "postgres:postgres", dir]).status == 0 else {
            throw Backups.Failure.refused("could not hand \(dir) to the postgres user")
        }
    }
}
