import ArgumentParser
import App
import Foundation

/// `caresync version`: the release (version, git commit, build time) and the schema version this binary expects.
struct VersionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "The release and the schema version this binary expects.")
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Print the release manifest (JSON): the migrations and whether each is additive.") var manifest = false

    func run() async throws {
        if manifest { print(CareSyncCLI.json(CareSyncCLI.manifest())); return }
        let v = CareSyncCLI.version()
        if json { print(CareSyncCLI.json(v)); return }
        print("CareSync \(v.version) (commit \(v.commit)\(v.builtAt.map { ", built \($0)" } ?? ""))")
        print("schema version \(v.schemaVersion) (newest migration \(v.newestMigration))")
    }
}
