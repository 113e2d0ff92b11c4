/// The two sides of a video visit.
public enum VisitSide: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case patient, provider

    public var description: String { rawValue }
    /// The side a message from this one goes to.
    public var other: VisitSide { self == .patient ? .provider : .patient }
}

/// What happened on a visit, as kept on its timeline: what the server records (joined, admitted, …) and what the
/// browser reports (`reportedByBrowser`).
public enum VisitEventKind: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case joined, left, admitted, credentials, ended, connected, failed, reconnecting
    case deviceCheck = "device-check"
    case iceRestart = "ice-restart"
    case audioOnly = "audio-only"
    case handedOver = "handed-over"

    public var description: String { rawValue }

    /// The events a participant's browser may report.
    public static let reportedByBrowser: Set<VisitEventKind> = [
        .deviceCheck, .connected, .failed, .reconnecting, .iceRestart, .audioOnly, .left,
    ]
}

/// How a visit went, once known: media connected, or it failed before it ever connected.
public enum VisitOutcome: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case connected, failed

    public var description: String { rawValue }
}
