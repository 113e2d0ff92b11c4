/// Where a prescription stands: a draft until signed, then sending until the pharmacy answers; a cancellation is
/// requested, then confirmed or denied by the pharmacy. Stored as these words.
public enum PrescriptionStatus: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case draft, sending, accepted, error
    case cancelRequested = "cancel-requested"
    case cancelled
    case cancelDenied = "cancel-denied"

    public var description: String { rawValue }

    /// Signed and not cancelled or refused: the patient is (or soon will be) taking it.
    public var isActive: Bool { [.sending, .accepted, .cancelDenied, .cancelRequested].contains(self) }
    /// A CancelRx may be sent.
    public var isCancellable: Bool { [.sending, .accepted, .cancelDenied].contains(self) }
    /// A renewal may be requested.
    public var isRenewable: Bool { [.accepted, .cancelDenied].contains(self) }
}

/// A renewal request: pending until the prescriber approves, denies or replaces it.
public enum RefillStatus: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case pending, approved, denied, replaced

    public var description: String { rawValue }
}

/// A stored SCRIPT message: ours are queued, then sent (the receiver answered Status) or refused (Error); theirs
/// are received.
public enum ScriptMessageStatus: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case queued, sent, error, received

    public var description: String { rawValue }
}

/// Which way a SCRIPT message went.
public enum ScriptDirection: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case inbound = "in"
    case outbound = "out"

    public var description: String { rawValue }
}

/// The SCRIPT message types CareSync sends and receives, by their element names; `unreadable` for what could not
/// be parsed.
public enum ScriptMessageType: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case newRx = "NewRx"
    case rxRenewalRequest = "RxRenewalRequest"
    case rxRenewalResponse = "RxRenewalResponse"
    case cancelRx = "CancelRx"
    case cancelRxResponse = "CancelRxResponse"
    case rxChangeRequest = "RxChangeRequest"
    case rxChangeResponse = "RxChangeResponse"
    case status = "Status"
    case verify = "Verify"
    case error = "Error"
    case unreadable

    public var description: String { rawValue }
}

/// Who asked for a renewal: the pharmacy (RxRenewalRequest) or the patient in the portal.
public enum RefillSource: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case pharmacy, portal

    public var description: String { rawValue }
}

/// What the prescriber decides on a renewal request.
public enum RefillDecision: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case approve, deny, replace

    public var description: String { rawValue }
}
