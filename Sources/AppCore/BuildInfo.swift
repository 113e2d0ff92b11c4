import Foundation
import Vapor
import Domain

/// The running binary's release (from `release.json` beside it, or `CARESYNC_RELEASE_FILE`) and, once the assembly
/// has listed its migrations, the schema it expects.
package enum BuildInfo {
    package static let release: ReleaseInfo = {
        let env = ProcessInfo.processInfo.environment["CARESYNC_RELEASE_FILE"]
        // The binary itself (/proc/self/exe on Linux), wherever it was started from: by a path, a symlink or $PATH.
        let binary = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        let beside = binary.resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("release.json").path
        for path in [env, beside].compactMap({ $0 }) {
            if let data = FileManager.default.contents(atPath: path), let r = ReleaseInfo.parse(data) { return r }
        }
        return .development
    }()
}

extension Application {
    private struct VersionKey: StorageKey { typealias Value = VersionReport }

    /// Set by the assembly when it registers the migrations.
    package var version: VersionReport {
        get {
            storage[VersionKey.self] ?? VersionReport(release: BuildInfo.release, schemaVersion: 0, newestMigration: "")
        }
        set { storage[VersionKey.self] = newValue }
    }
}
