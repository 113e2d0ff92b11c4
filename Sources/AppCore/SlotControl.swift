import Vapor
import NIOConcurrencyHelpers
import Domain

/// This node as a blue-green slot. After the proxy has switched away from it, `caresync deploy` drains it: open
/// WebSockets are closed with 1001 (going away; pages reconnect through the proxy to the new slot) and it stops by
/// itself after the keep-warm time, unless a rollback resumes it first. In-flight requests finish either way.
package final class SlotControl: Sendable {
    private struct State {
        var draining = false
        var stop: Task<Void, Never>?
    }
    private let state = NIOLockedValueBox(State())
    private let hooks = NIOLockedValueBox<[@Sendable () async -> Void]>([])

    package init() {}

    package var draining: Bool { state.withLockedValue { $0.draining } }

    /// What a capability does when its node is drained (the signaling hub closes its sockets).
    package func onDrain(_ hook: @escaping @Sendable () async -> Void) { hooks.withLockedValue { $0.append(hook) } }

    package func drain(_ app: Application, stopAfter: TimeInterval) async {
        let stop = Task {
            try? await Task.sleep(for: .seconds(stopAfter))
            guard !Task.isCancelled else { return }
            app.logger.notice("the keep-warm time is over: this slot stops")
            app.running?.stop()
        }
        state.withLockedValue {
            $0.stop?.cancel()
            $0.stop = stop
            $0.draining = true
        }
        for hook in hooks.withLockedValue({ $0 }) { await hook() }
    }

    package func resume() {
        state.withLockedValue {
            $0.stop?.cancel()
            $0.stop = nil
            $0.draining = false
        }
    }
}

extension Application {
    private struct SlotControlKey: StorageKey { typealias Value = SlotControl }
    package var slotControl: SlotControl {
        if let s = storage[SlotControlKey.self] { return s }
        let s = SlotControl()
        storage[SlotControlKey.self] = s
        return s
    }
}

extension Request {
    /// The deploy's own requests to this slot: the control token (constant-time compared), sent straight to the slot
    /// from a loopback address (never through the proxy, which adds X-Forwarded-For). Without a configured token the
    /// control routes answer 404, as if they did not exist.
    package func requireSlotControl() throws {
        guard let token = application.config.controlToken else { throw Abort(.notFound) }
        let sent = headers.first(name: "X-CareSync-Control") ?? ""
        let direct =
            headers.first(name: "X-Forwarded-For") == nil
            && ["127.0.0.1", "::1"].contains(remoteAddress?.ipAddress ?? "")
        guard direct, constantTimeEquals(sent, token) else { throw Abort(.notFound) }
    }
}

/// CARESYNC_FAULT=/path/prefix (never in production): requests under it answer 500, so a rehearsal can prove that
/// the deploy's watch rolls a broken release back by itself. CARESYNC_FAULT_SLOW=/path/prefix: requests under it
/// wait 2.5 s first, so a load test can prove it fails and names the slow flow.
package struct FaultInjection: AsyncMiddleware {
    package let prefix: String?
    package let slowPrefix: String?

    package init(prefix: String?, slowPrefix: String? = nil) {
        self.prefix = prefix
        self.slowPrefix = slowPrefix
    }

    package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = req.url.path
        if let slowPrefix, path.hasPrefix(slowPrefix) {
            try await Task.sleep(for: .seconds(InjectedFault.delaySeconds))
        }
        guard let prefix, path.hasPrefix(prefix) else { return try await next.respond(to: req) }
        throw Abort(.internalServerError, reason: "Injected fault (CARESYNC_FAULT).")
    }
}

/// The runtime fault switch `caresync incident simulate` turns (through `POST /_slot/fault`, never in production):
/// one fault at a time, off by itself when its time is up, so a simulation that dies leaves no broken node behind.
package final class FaultSwitch: Sendable {
    package struct Active: Sendable, Codable {
        package let fault: InjectedFault
        package let until: Date
    }
    private let state = NIOLockedValueBox<Active?>(nil)

    package init() {}

    package func set(_ fault: InjectedFault?, until: Date) {
        state.withLockedValue { $0 = fault.map { Active(fault: $0, until: until) } }
    }

    package func active(at now: Date) -> InjectedFault? {
        state.withLockedValue { s in
            guard let a = s, a.until > now else { return nil }
            return a.fault
        }
    }

    package func current(at now: Date) -> Active? {
        state.withLockedValue { s in s.flatMap { $0.until > now ? $0 : nil } }
    }
}

extension Application {
    private struct FaultSwitchKey: StorageKey { typealias Value = FaultSwitch }
    package var faultSwitch: FaultSwitch {
        if let s = storage[FaultSwitchKey.self] { return s }
        let s = FaultSwitch()
        storage[FaultSwitchKey.self] = s
        return s
    }
}

/// Applies the runtime fault switch; inside the metrics middleware, so what it does is counted as real traffic is.
/// Not installed in production.
package struct RuntimeFaults: AsyncMiddleware {
    package init() {}

    package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let now = req.application.clock.now()
        guard let fault = req.application.faultSwitch.active(at: now), fault.applies(to: req.url.path) else {
            return try await next.respond(to: req)
        }
        switch fault {
        case .errors: throw Abort(.internalServerError, reason: "Injected fault (incident simulation).")
        case .down: throw Abort(.serviceUnavailable, reason: "Injected fault: this node is down (incident simulation).")
        case .latency:
            try await Task.sleep(for: .seconds(InjectedFault.delaySeconds))
            return try await next.respond(to: req)
        case .staleBackup: return try await next.respond(to: req)
        }
    }
}
