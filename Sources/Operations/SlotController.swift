import Vapor
import AppCore
import Domain

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

    package struct FaultRequest: Content {
        /// errors, latency, down, stale-backup; or none to switch the fault off.
        package let fault: String
        /// How long the fault lasts unless switched off first (at most 30 minutes).
        package let seconds: Double
    }
    package struct FaultStatus: Content {
        package let fault: String?
        package let until: Date?
    }

    /// `POST /_slot/fault`: the runtime fault switch of `caresync incident simulate`. Production refuses it.
    @Sendable package static func fault(req: Request) async throws -> FaultStatus {
        try req.requireSlotControl()
        guard req.application.config.environment != .production else {
            throw AppError.forbidden("Fault injection is refused in production; simulate incidents on staging.")
        }
        let body = try req.content.decode(FaultRequest.self)
        guard body.seconds > 0, body.seconds <= 1800 else {
            throw AppError.malformed(field: "seconds", detail: "Between 1 and 1800 seconds.")
        }
        let now = req.application.clock.now()
        if body.fault == "none" {
            req.application.faultSwitch.set(nil, until: now)
            req.logger.notice("incident simulation: fault switched off")
            return FaultStatus(fault: nil, until: nil)
        }
        guard let fault = InjectedFault(rawValue: body.fault) else {
            throw AppError.malformed(field: "fault", detail: "One of errors, latency, down, stale-backup, none.")
        }
        let until = now.addingTimeInterval(body.seconds)
        req.application.faultSwitch.set(fault, until: until)
        req.logger.notice("incident simulation: fault \(fault.rawValue) on for \(Int(body.seconds)) s")
        return FaultStatus(fault: fault.rawValue, until: until)
    }
}
