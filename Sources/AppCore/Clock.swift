import Foundation
import NIOConcurrencyHelpers

/// The injected clock: tests move time (token expiry, lockouts, session time-outs).
extension Duration {
    /// Elapsed time as fractional seconds / milliseconds (for metrics, health checks and benchmarks).
    package var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    package var milliseconds: Double { seconds * 1000 }
}

public protocol AppClock: Sendable {
    func now() -> Date
}

public struct SystemClock: AppClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock tests set and advance. `startTicking` makes every read a little later than the one before, as the
/// real clock is: code that reads the time twice where it means one instant then fails in tests too.
public final class TestClock: AppClock {
    private let current: NIOLockedValueBox<Date>
    private let tick = NIOLockedValueBox<TimeInterval>(0)
    public init(_ start: Date = Date(timeIntervalSince1970: 1_790_000_000)) { current = NIOLockedValueBox(start) }
    public func now() -> Date {
        let step = tick.withLockedValue { $0 }
        return current.withLockedValue { d in
            d = d.addingTimeInterval(step)
            return d
        }
    }
    public func startTicking(every step: TimeInterval = 0.000_01) { tick.withLockedValue { $0 = step } }
    public func advance(by seconds: TimeInterval) { current.withLockedValue { $0 = $0.addingTimeInterval(seconds) } }
    public func set(_ date: Date) { current.withLockedValue { $0 = date } }
}
