import Foundation

/// PostgreSQL's own programs (pg_dump, pg_basebackup, pg_ctl, …) as CareSync runs them. The server programs
/// refuse to run as root; when CareSync itself runs as root they run as the `postgres` user.
enum PostgresTools {
    static func path(_ tool: String) throws -> String {
        let candidates = [ProcessInfo.processInfo.environment["PG_BINDIR"].map { "\($0)/\(tool)" }]
            + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).sorted { $0.compare($1, options: .numeric) == .orderedDescending }
                .map { "/usr/lib/postgresql/\($0)/bin/\(tool)" }
            + ["/usr/bin/\(tool)"]
        guard let p = candidates.compactMap({ $0 }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Backups.Failure.refused("\(tool) is not installed (apt-get install postgresql-client, or postgresql for the server programs)")
        }
        return p
    }

    static var isRoot: Bool { geteuid() == 0 }

    /// Runs a tool and returns its standard output; fails with its message. `asServerUser` runs it as `postgres` when we are root.
    @discardableResult
    static func run(_ tool: String, _ args: [String], asServerUser: Bool = false) throws -> String {
        let p = Process()
        let command = (asServerUser && isRoot ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []) + [try path(tool)] + args
        // Close every inherited descriptor above stderr first: a server started by pg_ctl would otherwise keep
        // Foundation's child-monitoring socket open, and the wait for pg_ctl would never end.
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", #"for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done 2>/dev/null; exec "$@""#, "bash"] + command
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes while the tool runs so neither fills up.
        let errData = LockedData()
        let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while !errData.done { usleep(1000) }
        guard p.terminationStatus == 0 else {
            throw Backups.Failure.refused("\(tool) failed: \(String(decoding: errData.value, as: UTF8.self).prefix(800))")
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Hands a directory tree to the `postgres` user (when we are root), mode 0700 at the top as PostgreSQL requires.
    static func giveToServerUser(_ dir: String) throws {
        chmod(dir, 0o700)
        guard isRoot else { return }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/chown")
        p.arguments = ["-R", "postgres:postgres", dir]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw Backups.Failure.refused("could not hand \(dir) to the postgres user") }
    }

    final class LockedData: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        private var finished = false
        func set(_ d: Data) { lock.lock(); data = d; finished = true; lock.unlock() }
        var done: Bool { lock.lock(); defer { lock.unlock() }; return finished }
        var value: Data { lock.lock(); defer { lock.unlock() }; return data }
    }
}
