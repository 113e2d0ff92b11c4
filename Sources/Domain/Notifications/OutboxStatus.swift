/// Where an outbox message is: waiting to be sent, claimed by a delivering node, sent, or given up on.
public enum OutboxStatus: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case pending, sending, sent, failed

    /// The stored word (what pages and messages show).
    public var description: String { rawValue }
}
