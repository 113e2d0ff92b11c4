import Foundation

/// What a help request is about (the requester picks one; staff may change it).
public enum TicketCategory: String, Codable, CaseIterable, Sendable {
    case signIn = "sign-in"
    case appointments
    case video
    case messages
    case photos
    case prescriptions
    case forms
    case other

    public var label: String {
        switch self {
        case .signIn: return "Signing in or my account"
        case .appointments: return "Appointments"
        case .video: return "Video visits"
        case .messages: return "Messages"
        case .photos: return "Photos and uploads"
        case .prescriptions: return "Prescriptions and refills"
        case .forms: return "Forms"
        case .other: return "Something else"
        }
    }
}

/// How soon the help desk must answer and finish (staff set it; patients never see it).
public enum TicketPriority: String, Codable, CaseIterable, Sendable, Comparable {
    case urgent, high, normal, low

    public var label: String {
        switch self {
        case .urgent: return "Urgent — care cannot go ahead"
        case .high: return "High — a flow is blocked, with a way around it"
        case .normal: return "Normal"
        case .low: return "Low — a question or a wish"
        }
    }

    private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    /// urgent < high < normal < low: a larger value is less pressing.
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}

public enum TicketStatus: String, Codable, CaseIterable, Sendable {
    /// Waiting for the help desk.
    case open
    /// The help desk answered and waits for the requester.
    case waiting
    case resolved

    public var label: String {
        switch self {
        case .open: return "Open"
        case .waiting: return "Waiting for your answer"
        case .resolved: return "Resolved"
        }
    }

    /// The same, as the help desk says it (the label above is the requester's).
    public var deskLabel: String { self == .waiting ? "Waiting for the requester" : label }
}

/// The help desk's targets per priority: time to the first answer and time to resolve.
public struct TicketSLA: Sendable, Equatable {
    public var firstResponse: [TicketPriority: TimeInterval]
    public var resolve: [TicketPriority: TimeInterval]

    public static let standard = TicketSLA(
        firstResponse: [.urgent: 30 * 60, .high: 2 * 3600, .normal: 8 * 3600, .low: 86400],
        resolve: [.urgent: 4 * 3600, .high: 86400, .normal: 3 * 86400, .low: 10 * 86400])

    public init(firstResponse: [TicketPriority: TimeInterval], resolve: [TicketPriority: TimeInterval]) {
        self.firstResponse = firstResponse
        self.resolve = resolve
    }

    public func clock(priority: TicketPriority, openedAt: Date) -> SLAClock {
        SLAClock(
            ackDue: openedAt.addingTimeInterval(firstResponse[priority] ?? 8 * 3600),
            resolveDue: openedAt.addingTimeInterval(resolve[priority] ?? 3 * 86400))
    }
}

public enum HelpDeskRules {
    public static let maxDescription = 4000
    public static let maxSubject = 120
    /// The page a request came from: a local path, kept short, without its query (which may name a record).
    public static func page(from raw: String?) -> String? {
        guard let raw, raw.hasPrefix("/"), !raw.hasPrefix("//") else { return nil }
        let path = String(raw.prefix { $0 != "?" && $0 != "#" }.prefix(200))
        guard path.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "<" && $0 != ">" && $0 != "\"" }) else {
            return nil
        }
        return path
    }
}

/// One ticket as the metrics see it.
public struct TicketFacts: Sendable {
    public let category: TicketCategory
    public let priority: TicketPriority
    public let openedAt: Date
    public let firstResponseAt: Date?
    public let resolvedAt: Date?

    public init(
        category: TicketCategory, priority: TicketPriority, openedAt: Date, firstResponseAt: Date?, resolvedAt: Date?
    ) {
        self.category = category
        self.priority = priority
        self.openedAt = openedAt
        self.firstResponseAt = firstResponseAt
        self.resolvedAt = resolvedAt
    }
}

/// The help desk's figures over a period: tickets by category, time to the first answer, and the share resolved
/// within the target (the go-live goal is 95 %). A ticket still open past its target counts as missed; one still open
/// inside it is not counted yet.
public struct HelpDeskMetrics: Codable, Sendable, Equatable {
    public let tickets: Int
    public let open: Int
    public let byCategory: [String: Int]
    /// Median and 90th percentile of the time to the first answer, in minutes (answered tickets only).
    public let firstResponseMedianMinutes: Double?
    public let firstResponseP90Minutes: Double?
    public let firstResponseWithinTarget: Int
    public let firstResponseMissed: Int
    /// Resolved in time, resolved late or still open past the target.
    public let resolvedWithinSLA: Int
    public let missedSLA: Int
    /// resolvedWithinSLA / (resolvedWithinSLA + missedSLA), in per cent; nil before any ticket is decided.
    public let percentWithinSLA: Double?
    public let goalPercent: Double

    public static let goal = 95.0

    public static func compute(_ facts: [TicketFacts], sla: TicketSLA, now: Date) -> HelpDeskMetrics {
        var byCategory: [String: Int] = [:]
        var waits: [Double] = []
        var frIn = 0, frMissed = 0, within = 0, missed = 0, open = 0
        for f in facts {
            byCategory[f.category.rawValue, default: 0] += 1
            let clock = sla.clock(priority: f.priority, openedAt: f.openedAt)
            if let r = f.firstResponseAt {
                waits.append(r.timeIntervalSince(f.openedAt) / 60)
                if r <= clock.ackDue { frIn += 1 } else { frMissed += 1 }
            } else if now > clock.ackDue {
                frMissed += 1
            }
            if let done = f.resolvedAt {
                if done <= clock.resolveDue { within += 1 } else { missed += 1 }
            } else {
                open += 1
                if now > clock.resolveDue { missed += 1 }
            }
        }
        waits.sort()
        func quantile(_ q: Double) -> Double? {
            guard !waits.isEmpty else { return nil }
            let i = min(waits.count - 1, Int((Double(waits.count - 1) * q).rounded()))
            return (waits[i] * 10).rounded() / 10
        }
        let decided = within + missed
        return HelpDeskMetrics(
            tickets: facts.count, open: open, byCategory: byCategory,
            firstResponseMedianMinutes: quantile(0.5), firstResponseP90Minutes: quantile(0.9),
            firstResponseWithinTarget: frIn, firstResponseMissed: frMissed, resolvedWithinSLA: within,
            missedSLA: missed,
            percentWithinSLA: decided == 0 ? nil : (Double(within) / Double(decided) * 1000).rounded() / 10,
            goalPercent: goal)
    }
}
