import Foundation

/// A care pathway as data: what reaches a recovering patient, on which day and at what local time, what they are
/// asked, and which answers must alert the care team. Stored versioned; only a version the Medical Director has
/// approved enrols patients.
public struct PathwayTemplate: Codable, Equatable, Sendable {
    public var code: String
    public var title: String
    /// Procedure codes (CPT) whose recording enrols the patient automatically.
    public var triggerProcedures: [String]
    /// What the patient reads after an answer raised a red flag (approved with the rest).
    public var redFlagAdvice: String
    public var steps: [PathwayStep]

    public init(code: String, title: String, triggerProcedures: [String], redFlagAdvice: String, steps: [PathwayStep]) {
        self.code = code; self.title = title; self.triggerProcedures = triggerProcedures;
        self.redFlagAdvice = redFlagAdvice; self.steps = steps
    }

    public func step(_ key: String) -> PathwayStep? { steps.first { $0.key == key } }

    /// Problems with the template itself; a template with any cannot be saved.
    public func structureErrors() -> [String] {
        var out: [String] = []
        if code.isEmpty || !code.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" }) {
            out.append("code must be lowercase letters, digits and '-'")
        }
        if title.trimmingCharacters(in: .whitespaces).isEmpty { out.append("a template needs a title") }
        if steps.isEmpty { out.append("a template needs at least one step") }
        if redFlagAdvice.trimmingCharacters(in: .whitespaces).isEmpty {
            out.append("redFlagAdvice (what the patient reads after a red flag) is required")
        }
        var keys: Set<String> = []
        for s in steps {
            if !keys.insert(s.key).inserted { out.append("step key \(s.key) is used twice") }
            out += s.structureErrors().map { "step \(s.key): \($0)" }
        }
        return out
    }
}

public struct PathwayStep: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case checkIn = "check-in"
        case photoPrompt = "photo-prompt"
        case followUp = "follow-up"

        public var label: String {
            switch self {
            case .checkIn: return "Check-in questionnaire"
            case .photoPrompt: return "Wound photo prompt"
            case .followUp: return "Follow-up visit to schedule"
            }
        }
    }

    public var key: String
    public var kind: Kind
    /// Days after the procedure (day 0 = the day of the procedure).
    public var day: Int
    /// Local wall-clock time at the patient's location, "HH:MM".
    public var at: String
    /// How the patient is told something is waiting: portal always, plus email and/or sms.
    public var channels: [String]
    public var title: String
    /// The patient-facing text on the portal page.
    public var text: String
    public var questions: [FormDefinition.Field]
    public var redFlags: [RedFlagRule]
    /// An unanswered check-in or photo prompt escalates to the care team after this many hours.
    public var escalateAfterHours: Int?
    /// Follow-up: the appointment type's code, and how many days either side of `day` slots may be offered.
    public var appointmentTypeCode: String?
    public var windowDays: Int?

    public init(
        key: String, kind: Kind, day: Int, at: String, channels: [String] = ["portal", "email", "sms"], title: String,
        text: String,
        questions: [FormDefinition.Field] = [], redFlags: [RedFlagRule] = [], escalateAfterHours: Int? = nil,
        appointmentTypeCode: String? = nil, windowDays: Int? = nil
    ) {
        self.key = key; self.kind = kind; self.day = day; self.at = at; self.channels = channels; self.title = title;
        self.text = text
        self.questions = questions; self.redFlags = redFlags; self.escalateAfterHours = escalateAfterHours
        self.appointmentTypeCode = appointmentTypeCode; self.windowDays = windowDays
    }

    /// Minutes after local midnight, or nil when `at` is not HH:MM.
    public var minuteOfDay: Int? {
        let parts = at.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h),
            (0..<60).contains(m), parts[1].count == 2
        else { return nil }
        return h * 60 + m
    }

    func structureErrors() -> [String] {
        var out: [String] = []
        if key.isEmpty || !key.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" }) {
            out.append("key must be lowercase letters, digits and '-'")
        }
        if !(0...365).contains(day) { out.append("day must be 0–365") }
        if minuteOfDay == nil { out.append("at must be a local time HH:MM") }
        if !channels.contains("portal") {
            out.append("channels must include portal (email and SMS only say something is waiting)")
        }
        for c in channels where !["portal", "email", "sms"].contains(c) { out.append("unknown channel \(c)") }
        if title.trimmingCharacters(in: .whitespaces).isEmpty || text.trimmingCharacters(in: .whitespaces).isEmpty {
            out.append("title and text are required")
        }
        let ids = Set(questions.map(\.id))
        if ids.count != questions.count { out.append("question ids must be unique") }
        switch kind {
        case .checkIn:
            if questions.isEmpty { out.append("a check-in needs questions") }
        case .photoPrompt:
            if !questions.isEmpty { out.append("a photo prompt has no questions") }
        case .followUp:
            if appointmentTypeCode == nil { out.append("a follow-up names an appointmentTypeCode") }
        }
        for q in questions where [.file, .signature].contains(q.kind) {
            out.append("question \(q.id): \(q.kind.rawValue) is not used in check-ins")
        }
        for r in redFlags {
            switch r.condition {
            case .notReceived:
                if escalateAfterHours == nil {
                    out.append("red flag \(r.label): 'not received' needs escalateAfterHours")
                }
            case .atLeast, .answerIs, .increased:
                guard let q = r.question, let field = questions.first(where: { $0.id == q }) else {
                    out.append("red flag \(r.label) names no question of this step"); continue
                }
                if r.condition == .atLeast && (field.kind != .number || Double(r.value ?? "") == nil) {
                    out.append("red flag \(r.label): 'at least' needs a number question and a number")
                }
                if r.condition == .increased && field.kind != .number {
                    out.append("red flag \(r.label): 'increased' needs a number question")
                }
                if r.condition == .answerIs && r.value == nil {
                    out.append("red flag \(r.label): 'answer is' needs a value")
                }
            }
        }
        return out
    }
}

/// An answer (or a missing answer) that must reach the care team at once.
public struct RedFlagRule: Codable, Equatable, Sendable {
    public enum Condition: String, Codable, CaseIterable, Sendable {
        /// A number answer at or above `value` (temperature ≥ 38.0 °C).
        case atLeast = "at-least"
        /// A choice or yes/no answer equal to `value`.
        case answerIs = "answer-is"
        /// A number answer higher than the same question's answer at the previous check-in (increasing pain).
        case increased
        /// Nothing came back before the step's escalation time (photo not received).
        case notReceived = "not-received"
    }

    public var label: String
    public var condition: Condition
    public var question: String?
    public var value: String?

    public init(_ label: String, _ condition: Condition, question: String? = nil, value: String? = nil) {
        self.label = label; self.condition = condition; self.question = question; self.value = value
    }

    /// The rule in words, for the approval page.
    public func describe(questions: [FormDefinition.Field]) -> String {
        let q = questions.first { $0.id == question }?.label ?? question ?? ""
        switch condition {
        case .atLeast: return "\(label): “\(q)” is \(value ?? "?") or more"
        case .answerIs: return "\(label): “\(q)” is answered “\(value ?? "?")”"
        case .increased: return "\(label): “\(q)” is higher than at the previous check-in"
        case .notReceived: return "\(label): nothing received before the escalation time"
        }
    }
}

/// The pure rules of running a pathway.
public enum PathwayRules {
    /// When a step fires: its day after the procedure, at its local time in the location's zone (right across DST
    /// changes; a time inside the spring-forward gap moves to the first minute after it).
    public static func fireTime(procedureDay: LocalDay, step: PathwayStep, zone: TimeZone) -> Date? {
        guard let m = step.minuteOfDay else { return nil }
        let day = procedureDay.adding(days: step.day)
        for shift in stride(from: 0, through: 120, by: 1) {
            if let d = day.instant(minuteOfDay: m + shift, in: zone) { return d }
        }
        return nil
    }

    /// The red flags an answered check-in raises. `previous` is the same pathway's last answered check-in.
    public static func redFlags(_ step: PathwayStep, answers: [String: String], previous: [String: String]?) -> [String]
    {
        func number(_ s: String?) -> Double? { s.flatMap { Double($0.replacingOccurrences(of: ",", with: ".")) } }
        var out: [String] = []
        for r in step.redFlags {
            guard let q = r.question, let answer = Text.clean(answers[q]) else { continue }
            switch r.condition {
            case .atLeast:
                if let a = number(answer), let limit = number(r.value), a >= limit { out.append(r.label) }
            case .answerIs:
                if answer.caseInsensitiveCompare(r.value ?? "") == .orderedSame { out.append(r.label) }
            case .increased:
                if let a = number(answer), let before = number(previous?[q]), a > before { out.append(r.label) }
            case .notReceived:
                break
            }
        }
        return out
    }

    /// The red flags a step raises when it was not answered in time.
    public static func missedFlags(_ step: PathwayStep) -> [String] {
        step.redFlags.filter { $0.condition == .notReceived }.map(\.label)
    }

    /// What email and SMS say: that something is waiting, never what or why (no PHI). The approval page shows this
    /// text.
    public static func notificationText(_ step: PathwayStep, practice: String, t: Translator = .english) -> String {
        let v = ["practice": practice]
        switch step.kind {
        case .checkIn:
            return t("{practice} has a short check-in for you. Sign in to the patient portal to answer it.", v)
        case .photoPrompt: return t("{practice} has asked for a photo. Sign in to the patient portal to send it.", v)
        case .followUp:
            return t("{practice} has a visit for you to schedule. Sign in to the patient portal to choose a time.", v)
        }
    }

    public static func notificationSubject(_ step: PathwayStep, t: Translator = .english) -> String {
        switch step.kind {
        case .checkIn: return t("A check-in is waiting")
        case .photoPrompt: return t("A photo request is waiting")
        case .followUp: return t("Please schedule your visit")
        }
    }

    /// Local days in which a follow-up may be offered.
    public static func followUpWindow(procedureDay: LocalDay, step: PathwayStep) -> (from: LocalDay, to: LocalDay) {
        let w = step.windowDays ?? 2
        return (procedureDay.adding(days: max(step.day - w, 1)), procedureDay.adding(days: step.day + w))
    }

    /// Offers for the patient: the earliest free slots, at most one per day, up to `count`.
    public static func pickOffers<S>(_ slots: [S], start: (S) -> Date, zone: TimeZone, count: Int = 3) -> [S] {
        var days: Set<LocalDay> = []
        var out: [S] = []
        for s in slots.sorted(by: { start($0) < start($1) }) where out.count < count {
            if days.insert(LocalDay.of(start(s), in: zone)).inserted { out.append(s) }
        }
        return out
    }
}
