/// An EPCS permission: entered (pending) until a second person approves (active) or rejects it; an active one can be
/// revoked.
public enum EPCSGrantStatus: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case pending, active, rejected, revoked

    public var description: String { rawValue }
}
