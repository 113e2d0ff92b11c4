import ArgumentParser
import App
import AppCore
import Prescribing
import Telehealth
import Logging
import Foundation

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server (migrates and, on first start, seeds the demo practice).")
    @OptionGroup var data: DataOptions
    @Option(help: "Port to listen on.") var port: Int = 8080
    @Option(help: "Address to bind.") var hostname: String = "127.0.0.1"
    @Flag(help: "Do not seed the demo practice on first start.") var noDemo = false

    func run() async throws {
        var c = data.config
        c.seedDemo = !noDemo
        try await CareSync.execute { try await CareSyncCLI.serve(c, hostname: hostname, port: port) }
    }
}
