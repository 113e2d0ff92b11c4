import Foundation

/// "Who has looked at my record", in words a patient reads: one line per person and day ("Dr. Priya Patel, provider,
/// viewed your contact details and looked at your appointments"), not one row per list query.
public enum AccessHistory {
    public struct Event: Equatable, Sendable {
        public let at: Date
        public let username: String
        public let role: String
        public let action: AuditAction
        public let category: DataCategory
        public init(at: Date, username: String, role: String, action: AuditAction, category: DataCategory) {
            self.at = at
            self.username = username
            self.role = role
            self.action = action
            self.category = category
        }
    }

    public struct Line: Equatable, Sendable {
        public let who: String
        public let role: String
        public let what: [String]
        public let first: Date
        public let last: Date
    }

    public struct Day: Equatable, Sendable {
        /// The local calendar day ("2026-11-30").
        public let day: String
        public let lines: [Line]
    }

    /// What was done, in words; nil for events that are not someone looking at or changing the record.
    public static func phrase(_ action: AuditAction, _ category: DataCategory, t: Translator = .english) -> String? {
        var object: String
        switch category {
        case .demographics: object = "your details"
        case .contact: object = "your contact details"
        case .insurance: object = "your insurance details"
        case .appointments: object = "your appointments"
        case .photos: object = "your wound photos"
        case .messages: object = "your messages"
        case .intake: object = "your forms"
        case .pathways: object = "your check-ins"
        case .prescriptions: object = "your prescriptions"
        case .visits: object = "your video visit"
        case .clinical: object = "your health summary"
        case .notes: object = "your visit notes"
        case .accessLog: object = "who has looked at your record"
        case .auditLog, .account, .operations: return nil
        }
        object = t(object)
        let o = ["object": object]
        switch action {
        case .create where category == .demographics: return t("created your record")
        case .read: return t("viewed {object}", o)
        case .query:
            return category == .appointments ? t("saw {object} in the schedule", o) : t("saw {object} in a list", o)
        case .create: return t("added to {object}", o)
        case .update: return t("updated {object}", o)
        case .delete: return t("removed from {object}", o)
        case .print: return t("printed {object}", o)
        case .export: return t("exported {object}", o)
        case .approve: return t("approved {object}", o)
        default: return nil
        }
    }

    /// Groups events by local day (newest first) and person, keeping each person's phrases in first-seen order.
    /// `names` turns a username into a display name; `roles` a role code into words.
    public static func days(
        _ events: [Event], zone: TimeZone, names: [String: String], roles: (String) -> String,
        t: Translator = .english
    ) -> [Day] {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        func dayKey(_ d: Date) -> String {
            let c = cal.dateComponents([.year, .month, .day], from: d)
            return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
        }
        struct Acc {
            let key: String
            let who: String
            let role: String
            var did: [(AuditAction, DataCategory)]
            let first: Date
            var last: Date
        }
        var order: [String] = []
        var byDay: [String: [Acc]] = [:]
        for e in events.sorted(by: { $0.at < $1.at }) where phrase(e.action, e.category) != nil {
            let day = dayKey(e.at)
            if byDay[day] == nil {
                order.append(day)
                byDay[day] = []
            }
            if let i = byDay[day]!.firstIndex(where: { $0.key == e.username }) {
                byDay[day]![i].did.append((e.action, e.category))
                byDay[day]![i].last = e.at
            } else {
                let system = e.username.hasPrefix("system:")
                byDay[day]!.append(
                    Acc(
                        key: e.username, who: system ? t("The practice's system") : names[e.username] ?? e.username,
                        role: system ? "" : roles(e.role), did: [(e.action, e.category)], first: e.at, last: e.at))
            }
        }
        // Seeing a record in a list says nothing more once the same person opened it.
        func words(_ did: [(AuditAction, DataCategory)]) -> [String] {
            var out: [String] = []
            for (a, c) in did {
                if a == .query, did.contains(where: { $0.1 == c && $0.0 != .query }) { continue }
                if let w = phrase(a, c, t: t), !out.contains(w) { out.append(w) }
            }
            return out
        }
        return order.reversed().map { day in
            Day(
                day: day,
                lines: byDay[day]!.map {
                    Line(who: $0.who, role: $0.role, what: words($0.did), first: $0.first, last: $0.last)
                })
        }
    }

    /// "viewed your details, your contact details and saw your appointments in the schedule"
    public static func sentence(_ what: [String], t: Translator = .english) -> String {
        switch what.count {
        case 0: return ""
        case 1: return what[0]
        default: return what.dropLast().joined(separator: ", ") + " " + t("and") + " " + what.last!
        }
    }
}
