import Foundation

/// How bad an incident is, by its effect on patients' care (P0 the worst).
public enum IncidentSeverity: String, Codable, CaseIterable, Sendable, Comparable {
    case p0 = "P0", p1 = "P1", p2 = "P2", p3 = "P3"

    public var definition: String {
        switch self {
        case .p0: return "Patient safety is at risk, or CareSync is down for everyone."
        case .p1:
            return "A core flow is down: video visits, e-prescribing, scheduling at a location, or the patient portal."
        case .p2: return "Degraded: slower or partly failing, with a way around it."
        case .p3: return "Minor: an annoyance, no effect on care."
        }
    }

    /// For a choice list: the severity and a few words.
    public var short: String {
        switch self {
        case .p0: return "P0 — patient safety, or all down"
        case .p1: return "P1 — a core flow down"
        case .p2: return "P2 — degraded"
        case .p3: return "P3 — minor"
        }
    }

    /// P0 < P1 < P2 < P3: a larger value is less severe.
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// An alert's severity label (P0–P3; anything else is P3).
    public init(label: String?) { self = label.flatMap { Self(rawValue: $0.uppercased()) } ?? .p3 }
}

public enum IncidentState: String, Codable, CaseIterable, Sendable {
    case investigating, identified, monitoring, resolved

    public var meaning: String {
        switch self {
        case .investigating: return "Looking for the cause."
        case .identified: return "The cause is known; a fix is under way."
        case .monitoring: return "A fix is in; watching that it holds."
        case .resolved: return "Over."
        }
    }
}

/// Time to acknowledge and to resolve, per severity.
public struct IncidentSLA: Codable, Sendable, Equatable {
    public var ack: [IncidentSeverity: TimeInterval]
    public var resolve: [IncidentSeverity: TimeInterval]

    public static let standard = IncidentSLA(
        ack: [.p0: 5 * 60, .p1: 15 * 60, .p2: 4 * 3600, .p3: 86400],
        resolve: [.p0: 4 * 3600, .p1: 8 * 3600, .p2: 3 * 86400, .p3: 10 * 86400])

    public init(ack: [IncidentSeverity: TimeInterval], resolve: [IncidentSeverity: TimeInterval]) {
        self.ack = ack
        self.resolve = resolve
    }

    /// `P0=5m/4h,P1=15m/8h,…` (CARESYNC_INCIDENT_SLA): the severities named are changed, the rest keep the standard.
    /// Nil with a message for anything it cannot read.
    public static func parse(_ text: String) -> Result<IncidentSLA, SLAParseError> {
        var sla = standard
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=")
            guard kv.count == 2, let sev = IncidentSeverity(rawValue: kv[0].trimmingCharacters(in: .whitespaces)),
                case let times = kv[1].split(separator: "/"), times.count == 2,
                let ack = duration(String(times[0])), let resolve = duration(String(times[1])), ack <= resolve
            else { return .failure(SLAParseError(part: String(part))) }
            sla.ack[sev] = ack
            sla.resolve[sev] = resolve
        }
        return .success(sla)
    }

    public struct SLAParseError: Error, Equatable {
        public let part: String
    }

    /// `90s`, `15m`, `8h`, `3d`.
    static func duration(_ s: String) -> TimeInterval? {
        let t = s.trimmingCharacters(in: .whitespaces)
        guard let unit = t.last, let n = Double(t.dropLast()), n > 0 else { return nil }
        switch unit {
        case "s": return n
        case "m": return n * 60
        case "h": return n * 3600
        case "d": return n * 86400
        default: return nil
        }
    }

    public func clock(severity: IncidentSeverity, openedAt: Date) -> SLAClock {
        SLAClock(
            ackDue: openedAt.addingTimeInterval(ack[severity] ?? 3600),
            resolveDue: openedAt.addingTimeInterval(resolve[severity] ?? 86400))
    }
}

/// When an incident must be acknowledged and resolved, and how much time is left.
public struct SLAClock: Codable, Sendable, Equatable {
    public let ackDue: Date
    public let resolveDue: Date

    /// "12 min left", "overdue by 3 min", "met" once done.
    public static func left(_ due: Date, done: Date?, now: Date) -> String {
        if let done { return done <= due ? "met" : "missed by \(span(done.timeIntervalSince(due)))" }
        let s = due.timeIntervalSince(now)
        return s >= 0 ? "\(span(s)) left" : "overdue by \(span(-s))"
    }

    public static func span(_ seconds: TimeInterval) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min" }
        if s < 2 * 86400 { return s % 3600 >= 60 ? "\(s / 3600) h \(s % 3600 / 60) min" : "\(s / 3600) h" }
        return "\(s / 86400) days"
    }
}

/// The rules an incident's changes follow.
public enum IncidentRules {
    public static let maxTitle = 200
    public static let maxText = 4000

    /// Nil when allowed, else why not. Resolving needs a resolution note; a resolved incident opens again as
    /// investigating.
    public static func transition(from: IncidentState, to: IncidentState, note: String?) -> String? {
        if from == to { return "The incident is \(to.rawValue) already." }
        if to == .resolved, (note ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return "Say how it was resolved: a resolution note is required."
        }
        if from == .resolved, to != .investigating { return "A resolved incident opens again as investigating." }
        return nil
    }

    /// Making an incident less severe needs a reason (it is audited); more severe needs none.
    public static func severityChange(from: IncidentSeverity, to: IncidentSeverity, reason: String?) -> String? {
        if from == to { return "The incident is \(to.rawValue) already." }
        if to > from, (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return "Say why it is less severe than \(from.rawValue): a reason is required to downgrade."
        }
        return nil
    }

    /// P0 and P1 incidents (the worst they reached) need a postmortem.
    public static func postmortemRequired(worst: IncidentSeverity) -> Bool { worst <= .p1 }

    /// What a postmortem must hold before it counts as written.
    public static func postmortemProblems(impact: String, rootCause: String, wentWell: String, actionItems: Int)
        -> [String]
    {
        var out: [String] = []
        if impact.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { out.append("Describe the impact.") }
        if rootCause.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { out.append("Name the root cause.") }
        if wentWell.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { out.append("Say what went well.") }
        if actionItems == 0 { out.append("Add at least one action item with an owner and a due date.") }
        return out
    }
}

/// Who is paged, in order: the shift's primary, then its secondary, then the practice's manager.
public enum EscalationStep: Int, Codable, CaseIterable, Sendable {
    case primary = 0, secondary, manager

    public var label: String {
        switch self {
        case .primary: return "primary on-call"
        case .secondary: return "secondary on-call"
        case .manager: return "practice manager"
        }
    }
}

/// Paging until someone acknowledges: the current step is paged at once and again every `repage`; each time the
/// acknowledgement window runs out without an ack, the next step is paged.
public enum Escalation {
    public enum Due: Equatable, Sendable {
        case page(EscalationStep)
        case escalate(to: EscalationStep)
    }

    public static func due(
        openedAt: Date, ackWindow: TimeInterval, step: EscalationStep, lastPagedAt: Date?, repage: TimeInterval,
        now: Date
    ) -> Due? {
        let windows = Int(max(now.timeIntervalSince(openedAt), 0) / max(ackWindow, 1))
        let target = EscalationStep(rawValue: min(windows, EscalationStep.manager.rawValue)) ?? .manager
        if target.rawValue > step.rawValue { return .escalate(to: target) }
        guard let last = lastPagedAt else { return .page(step) }
        return now.timeIntervalSince(last) >= repage ? .page(step) : nil
    }
}
