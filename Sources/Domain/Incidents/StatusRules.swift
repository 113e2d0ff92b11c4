import Foundation

/// A component's state on the public status page, best first.
public enum ComponentState: String, Codable, CaseIterable, Sendable, Comparable {
    case operational
    case maintenance
    case degraded
    case partialOutage = "partial-outage"
    case majorOutage = "major-outage"

    public var label: String {
        switch self {
        case .operational: return "Operational"
        case .maintenance: return "Under maintenance"
        case .degraded: return "Degraded performance"
        case .partialOutage: return "Partial outage"
        case .majorOutage: return "Major outage"
        }
    }

    private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    /// operational < maintenance < degraded < partial < major: `max` is the worst.
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}

/// The parts of CareSync that patients and staff rely on, as the status page names them. Scheduling is one component
/// per location (`scheduling:<location id>`).
public enum StatusComponentKind: String, Codable, CaseIterable, Sendable {
    case portal, video, eprescribing, scheduling, staff

    public var label: String {
        switch self {
        case .portal: return "Patient portal"
        case .video: return "Video visits"
        case .eprescribing: return "E-prescribing"
        case .scheduling: return "Scheduling"
        case .staff: return "Staff application"
        }
    }

    /// What an open incident raised by this alert does to the components it touches (nil: internal only).
    public static func impact(ofAlert name: String) -> (kinds: [StatusComponentKind], state: ComponentState)? {
        switch name {
        case "CareSyncDown": return (allCases, .majorOutage)
        case "CareSyncNotReady": return (allCases, .partialOutage)
        case "CareSyncErrorBurst", "CareSyncErrorRatioHigh", "CareSyncLatencyBudgetFastBurn":
            return (allCases, .degraded)
        case "CareSyncVideoJoinFailures": return ([.video], .degraded)
        case "CareSyncEPrescribingErrors": return ([.eprescribing], .degraded)
        default: return nil
        }
    }
}

/// One probe of one component from one node.
public struct ProbeReading: Sendable, Equatable {
    public let node: String
    public let at: Date
    public let ok: Bool
    /// Answered, but slower than the target or with some failures.
    public let degraded: Bool

    public init(node: String, at: Date, ok: Bool, degraded: Bool) {
        self.node = node
        self.at = at
        self.ok = ok
        self.degraded = degraded
    }
}

public enum StatusRules {
    /// A probe slower than this counts as degraded.
    public static let slowMilliseconds = 2000.0

    /// What the probes say: each node's newest reading within `window`; all failing is a major outage, some failing
    /// a partial one, any slow one degraded. Nil when no node probed within the window.
    public static func fromProbes(_ readings: [ProbeReading], now: Date, window: TimeInterval) -> ComponentState? {
        var newest: [String: ProbeReading] = [:]
        for r in readings where now.timeIntervalSince(r.at) <= window && r.at <= now.addingTimeInterval(60) {
            if let n = newest[r.node], n.at >= r.at { continue }
            newest[r.node] = r
        }
        guard !newest.isEmpty else { return nil }
        let failing = newest.values.filter { !$0.ok }.count
        if failing == newest.count { return .majorOutage }
        if failing > 0 { return .partialOutage }
        return newest.values.contains { $0.degraded } ? .degraded : .operational
    }

    /// The component's state: the worst of what the probes, the open incidents and the published posts say; during
    /// announced maintenance, the probes' failures are expected and the component shows as under maintenance unless
    /// an incident says worse.
    public static func state(probes: ComponentState?, incidents: [ComponentState], maintenance: Bool)
        -> ComponentState
    {
        let declared = incidents.max() ?? .operational
        if maintenance { return max(declared, .maintenance) }
        return max(declared, probes ?? .operational)
    }

    /// One day's bar: the share of probes that passed (nil: no probe that day).
    public static func uptime(ok: Int, total: Int) -> Double? {
        total == 0 ? nil : Double(ok) / Double(total)
    }

    /// The colour class of a day's bar.
    public static func barClass(_ uptime: Double?) -> String {
        guard let u = uptime else { return "none" }
        if u >= 0.999 { return "up" }
        if u >= 0.99 { return "minor" }
        if u >= 0.95 { return "partial" }
        return "major"
    }

    /// The share over many days, as people read it ("99.95 %"); nil without probes.
    public static func uptimeText(ok: Int, total: Int) -> String? {
        guard total > 0 else { return nil }
        let p = Double(ok) / Double(total) * 100
        return p >= 99.995 && ok < total ? "99.99 %" : String(format: "%.2f %%", p)
    }
}

/// What a public status post is: an incident told to patients, or maintenance announced in advance.
public enum StatusPostKind: String, Codable, CaseIterable, Sendable {
    case incident, maintenance
}

public enum StatusPostState: String, Codable, CaseIterable, Sendable {
    case investigating, identified, monitoring, resolved
    /// Maintenance: announced, under way, completed.
    case scheduled, inProgress = "in-progress", completed

    public var label: String {
        switch self {
        case .investigating: return "Investigating"
        case .identified: return "Identified"
        case .monitoring: return "Monitoring"
        case .resolved: return "Resolved"
        case .scheduled: return "Scheduled"
        case .inProgress: return "In progress"
        case .completed: return "Completed"
        }
    }

    public var isOver: Bool { self == .resolved || self == .completed }

    public static func allowed(for kind: StatusPostKind) -> [StatusPostState] {
        kind == .incident
            ? [.investigating, .identified, .monitoring, .resolved] : [.scheduled, .inProgress, .completed]
    }
}

public enum StatusPostRules {
    public static let maxTitle = 120
    public static let maxText = 2000

    /// Nil when the maintenance window can be announced, else why not.
    public static func maintenanceWindow(start: Date?, end: Date?, now: Date) -> String? {
        guard let start, let end else { return "Give the start and the end of the maintenance." }
        if end <= start { return "The maintenance must end after it starts." }
        if end <= now { return "That window is over already: announce maintenance before it happens." }
        if end.timeIntervalSince(start) > 7 * 86400 { return "A maintenance window is at most 7 days." }
        return nil
    }

    /// Whether maintenance is under way at `now` (by its window, unless it was marked completed).
    public static func maintenanceActive(start: Date?, end: Date?, state: StatusPostState, now: Date) -> Bool {
        guard let start, let end, state != .completed else { return false }
        return start <= now && now < end
    }
}

extension StatusPostRules {
    /// Where a subscriber is told: an email address or a mobile number (its digits, with a leading +).
    public static func subscriber(_ raw: String) -> (channel: NoticeChannel, address: String)? {
        let t = raw.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty, t.count <= 254, !Text.hasControlCharacters(t) else { return nil }
        if t.contains("@") { return PatientRules.isPlausibleEmail(t) ? (.email, t.lowercased()) : nil }
        guard PatientRules.isPlausiblePhone(t) else { return nil }
        return (.sms, (t.hasPrefix("+") ? "+" : "") + t.filter(\.isNumber))
    }
}
