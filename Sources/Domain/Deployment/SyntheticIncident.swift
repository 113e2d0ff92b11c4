import Foundation

/// A synthetic incident: a fault injected into a test or staging node so that the real Prometheus evaluates the real
/// rule, the real Alertmanager routes it and CareSync receives it and tells the person on duty.
public enum IncidentKind: String, Codable, CaseIterable, Sendable {
    case errorBurst = "error-burst"
    case latency
    case signInSpike = "sign-in-spike"
    case nodeDown = "node-down"
    case staleBackup = "stale-backup"

    /// The shipped alert rule this incident must set off.
    public var alertname: String {
        switch self {
        case .errorBurst: return "CareSyncErrorBurst"
        case .latency: return "CareSyncLatencyBudgetFastBurn"
        case .signInSpike: return "CareSyncSignInFailureSpike"
        case .nodeDown: return "CareSyncDown"
        case .staleBackup: return "CareSyncBackupStale"
        }
    }

    /// What is done to the node, in words.
    public var fault: String {
        switch self {
        case .errorBurst: return "requests answer 500 while the simulation sends a trickle of them"
        case .latency: return "requests wait 2.5 s before they are answered, while the simulation sends them"
        case .signInSpike: return "failed sign-ins for a non-existent account from a documentation address (192.0.2.x)"
        case .nodeDown: return "the node answers 503 to everything, its /metrics and /health included"
        case .staleBackup: return "the node reports its newest backup as 27 hours old"
        }
    }

    /// The switch the node's fault middleware reads; a sign-in spike needs none (its traffic is the fault).
    public var switchedFault: InjectedFault? {
        switch self {
        case .errorBurst: return .errors
        case .latency: return .latency
        case .signInSpike: return nil
        case .nodeDown: return .down
        case .staleBackup: return .staleBackup
        }
    }

    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// What a node's runtime fault switch can do (never in production).
public enum InjectedFault: String, Codable, Sendable {
    case errors, latency, down, staleBackup = "stale-backup"

    /// How long a request waits under the latency fault: past the 2 s goal the latency rules measure.
    public static let delaySeconds = 2.5
    /// How old the newest backup looks under the stale-backup fault (the rule's limit is 26 h).
    public static let staleBackupAge: TimeInterval = 27 * 3600

    /// Paths a fault leaves alone: the control routes and the alert webhook always (the simulation proves the path
    /// from a fault in the practice's flows to a person; a real outage of the only node also stops its webhook, which
    /// is why Alertmanager can mail P0 alerts directly); health and metrics unless the node is "down", so that
    /// Prometheus keeps scraping what the fault does.
    public func applies(to path: String) -> Bool {
        if path.hasPrefix("/_slot/") || path.hasPrefix("/api/v1/alerts/") { return false }
        switch self {
        case .down: return true
        case .errors, .latency: return !(path.hasPrefix("/health") || path.hasPrefix("/metrics"))
        case .staleBackup: return false
        }
    }
}

/// One simulation's stored result: fault on → alert received → person notified.
public struct IncidentTiming: Codable, Sendable, Equatable {
    public var kind: IncidentKind
    public var faultAt: Date
    public var alertReceivedAt: Date?
    public var notifiedAt: Date?

    public init(kind: IncidentKind, faultAt: Date, alertReceivedAt: Date? = nil, notifiedAt: Date? = nil) {
        self.kind = kind
        self.faultAt = faultAt
        self.alertReceivedAt = alertReceivedAt
        self.notifiedAt = notifiedAt
    }

    public var passed: Bool { alertReceivedAt != nil && notifiedAt != nil }
    public var secondsToAlert: Double? { alertReceivedAt.map { $0.timeIntervalSince(faultAt) } }
    /// Fault to the notice queued for the person on duty: the figure the readiness report cites.
    public var secondsToPage: Double? { notifiedAt.map { $0.timeIntervalSince(faultAt) } }
}

/// "Alert routing tested on <date>, N kinds, worst time to page T": the latest passed run of each kind.
public struct AlertRoutingEvidence: Codable, Sendable, Equatable {
    public let testedOn: Date?
    public let kindsPassed: [IncidentKind]
    public let kindsMissing: [IncidentKind]
    public let worstSecondsToPage: Double?

    public init(_ runs: [IncidentTiming]) {
        var latest: [IncidentKind: IncidentTiming] = [:]
        for r in runs where r.passed {
            if let seen = latest[r.kind], seen.faultAt >= r.faultAt { continue }
            latest[r.kind] = r
        }
        kindsPassed = IncidentKind.allCases.filter { latest[$0] != nil }
        kindsMissing = IncidentKind.allCases.filter { latest[$0] == nil }
        testedOn = latest.values.map(\.faultAt).max()
        worstSecondsToPage = latest.values.compactMap(\.secondsToPage).max()
    }

    public var complete: Bool { kindsMissing.isEmpty }

    public func sentence(formatDate: (Date) -> String) -> String {
        guard let testedOn, let worst = worstSecondsToPage else {
            return "Alert routing has not been tested with a synthetic incident."
        }
        let missing = kindsMissing.isEmpty ? "" : "; not yet: \(kindsMissing.map(\.rawValue).joined(separator: ", "))"
        return "Alert routing tested on \(formatDate(testedOn)), \(kindsPassed.count) kinds, worst time to page "
            + "\(Int(worst.rounded())) s\(missing)."
    }
}
