/// An intake submission's course: a draft the patient is filling in, submitted for review, returned to the patient
/// with a comment, or accepted into the chart.
public enum IntakeStatus: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case draft, submitted, returned, accepted

    /// The stored word (what pages and messages show).
    public var description: String { rawValue }
}
