/// A video visit's course: scheduled, the patient waiting, admitted by the provider, connected, ended.
public enum VisitStatus: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case scheduled, waiting, admitted
    case inProgress = "in-progress"
    case ended

    /// Admitted and possibly connected: the two sides may exchange signaling messages.
    public var isAdmitted: Bool { self == .admitted || self == .inProgress }

    /// The stored word (what pages and messages show).
    public var description: String { rawValue }
}
