import Vapor
import AppCore

/// `POST /_slot/drain` and `/_slot/resume`: what `caresync deploy` and `caresync rollback` tell a slot directly
/// (the control token, never through the proxy). See `SlotControl`.
package enum SlotController {
    package struct DrainRequest: Content {
        /// How long the slot stays warm for a rollback before it stops by itself.
        package let stopAfterSeconds: Double
    }
    package struct SlotStatus: Content {
        package let slot: String?
        package let draining: Bool
    }

    @Sendable package static func drain(req: Request) async throws -> SlotStatus {
        try req.requireSlotControl()
        let body = try req.content.decode(DrainRequest.self)
        guard body.stopAfterSeconds >= 0, body.stopAfterSeconds <= 7 * 86400 else {
            throw AppError.malformed(field: "stopAfterSeconds", detail: "Between 0 and a week (604800).")
        }
        await req.application.slotControl.drain(req.application, stopAfter: body.stopAfterSeconds)
        return SlotStatus(slot: req.application.config.slot, draining: true)
    }

    @Sendable package static func resume(req: Request) async throws -> SlotStatus {
        try req.requireSlotControl()
        req.application.slotControl.resume()
        return SlotStatus(slot: req.application.config.slot, draining: false)
    }
}
