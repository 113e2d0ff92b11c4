import Foundation

/// What a release is: its version, the git commit it was built from and when, as `scripts/release.sh` writes them in
/// `release.json` beside the binary. A binary run from a build directory has no such file: it is a development build.
public struct ReleaseInfo: Codable, Equatable, Sendable {
    public var version: String
    public var commit: String
    public var builtAt: String?

    public init(version: String, commit: String, builtAt: String?) {
        self.version = version
        self.commit = commit
        self.builtAt = builtAt
    }

    public static let development = ReleaseInfo(version: "0.0.0-dev", commit: "unknown", builtAt: nil)

    /// A release file's content, or nil when it is not one (a version and a commit of safe characters are needed).
    public static func parse(_ data: Data) -> ReleaseInfo? {
        guard let r = try? JSONDecoder().decode(ReleaseInfo.self, from: data) else { return nil }
        let safe = { (s: String) in
            !s.isEmpty && s.count <= 64 && s.allSatisfy { $0.isLetter || $0.isNumber || "._-+".contains($0) }
        }
        return safe(r.version) && safe(r.commit) ? r : nil
    }
}

/// What `caresync version` prints and `/health/ready` and `/metrics` carry: the release and the schema it expects.
public struct VersionReport: Codable, Equatable, Sendable {
    public let version: String
    public let commit: String
    public let builtAt: String?
    /// How many migrations this build knows, and the newest one's name.
    public let schemaVersion: Int
    public let newestMigration: String

    public init(release: ReleaseInfo, schemaVersion: Int, newestMigration: String) {
        version = release.version
        commit = release.commit
        builtAt = release.builtAt
        self.schemaVersion = schemaVersion
        self.newestMigration = newestMigration
    }
}
