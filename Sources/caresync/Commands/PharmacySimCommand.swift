import ArgumentParser
import App
import AppCore
import Prescribing
import Telehealth
import Logging
import Foundation

struct PharmacySimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pharmacy-sim",
        abstract:
            "A pharmacy test endpoint in its own process: answers NewRx/CancelRx by rule, sends renewal requests to "
            + "the clinic."
    )
    @Option(help: "Port to listen on (loopback).") var port = 9400
    @Option(help: "The CareSync server it answers to (its /script/inbound receives renewals and cancel responses).")
    var clinicURL = "http://127.0.0.1:8080"
    @Option(help: "Shared bearer token (the clinic's CARESYNC_CLEARINGHOUSE_TOKEN).") var token: String
    @Option(help: "NCPDPIDs this pharmacy answers for (repeat); others get Error 900.") var ncpdpid: [String] = []

    func run() async throws {
        try await CareSync.execute {
            try await PharmacySim.run(
                .init(
                    port: port, clinicURL: clinicURL, token: token,
                    ncpdpids: ncpdpid.isEmpty ? PharmacySim.defaultPharmacies : ncpdpid))
        }
    }
}
