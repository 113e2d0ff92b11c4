import Foundation
import NIOConcurrencyHelpers

/// The injected clock: tests move time (token expiry, lockouts, session time-outs).
extension Duration {
    /// Elapsed time as fractional seconds / milliseconds (for metrics, health checks and benchmarks).
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Double { seconds * 1000 }
}

public protocol AppClock: Sendable {
    func now() -> Date
}

public struct SystemClock: AppClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock tests set and advance.
public final class TestClock: AppClock {
    private let current: NIOLockedValueBox<Date>
    public init(_ start: Date = Date(timeIntervalSince1970: 1_790_000_000)) { current = NIOLockedValueBox(start) }
    public func now() -> Date { current.withLockedValue { $0 } }
    public func advance(by seconds: TimeInterval) { current.withLockedValue { $0 = $0.addingTimeInterval(seconds) } }
    public func set(_ date: Date) { current.withLockedValue { $0 = date } }
}
