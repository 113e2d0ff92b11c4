/// A pathway template version: a draft until the Medical Director approves it; the version approved before it is
/// retired (its enrolments carry on).
public enum PathwayTemplateStatus: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case draft, approved, retired

    public var description: String { rawValue }
}

/// A patient's enrolment in a pathway: running, or stopped by the care team.
public enum EnrolmentStatus: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case active, stopped

    public var description: String { rawValue }
}

/// One of the patient's pathway steps: open for an answer, done, missed (still answerable), or closed when the
/// enrolment stopped.
public enum PathwayTaskStatus: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case open, done, missed, closed

    /// The patient may still answer it.
    public var isAnswerable: Bool { self == .open || self == .missed }
    public var description: String { rawValue }
}

/// Work for the care team: open until someone closes it.
public enum CareTaskStatus: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case open, done

    public var description: String { rawValue }
}

/// Which team a care-team task is for: clinical staff, or the front desk (scheduling follow-ups).
public enum CareTeam: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case clinical
    case frontDesk = "front-desk"

    public var description: String { rawValue }
}

/// Why a care-team task was raised.
public enum CareTaskKind: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case redFlag = "red-flag"
    case missedCheckIn = "missed-check-in"
    case missedPhoto = "missed-photo"
    case scheduleFollowUp = "schedule-follow-up"

    public var description: String { rawValue }
}
