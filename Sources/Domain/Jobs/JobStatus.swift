/// Where a durable job is: waiting for its time, claimed by a worker, finished, given up on, or cancelled.
public enum JobStatus: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case pending, running, done, failed, cancelled

    /// The stored word (what pages and messages show).
    public var description: String { rawValue }
}
