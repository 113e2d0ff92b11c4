import Foundation

/// Secure messages: what a message may hold, and the words that make the care team look first.
public enum MessageRules {
    public static let maxBody = 4000

    public static func check(subject: String?, body: String?, needsSubject: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        if needsSubject {
            let s = Text.clean(subject) ?? ""
            if s.isEmpty {
                errors.append(FieldError("subject", "Give the message a subject."))
            } else if s.count > 120 {
                errors.append(FieldError("subject", "The subject may be at most 120 characters."))
            }
        }
        let b = Text.clean(body) ?? ""
        if b.isEmpty {
            errors.append(FieldError("body", "Write a message."))
        } else if b.count > maxBody {
            errors.append(FieldError("body", "A message may be at most \(maxBody) characters."))
        }
        return errors
    }

    /// Phrases that suggest a problem that cannot wait (infection, bleeding, emergencies). Matching is on whole words,
    /// case-insensitive; the flag puts the thread at the top of the inbox, it is not a diagnosis.
    public static let urgentPhrases = [
        "fever", "chills", "bleeding", "blood", "pus", "drainage", "oozing", "red streak", "red streaks",
        "spreading", "swollen", "swelling", "infection", "infected", "smell", "black", "numb",
        "chest pain", "can't breathe", "cannot breathe", "emergency", "severe pain", "worse", "suicide",
    ]

    public static func urgentWords(in text: String) -> [String] {
        let words = text.lowercased().map { $0.isLetter || $0 == "'" ? $0 : " " }
        let normalized = " " + String(words).split(separator: " ").joined(separator: " ") + " "
        return urgentPhrases.filter { normalized.contains(" \($0) ") }
    }
}

/// Who wrote a message: the patient, or the practice's staff.
public enum MessageSide: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case patient, staff

    public var description: String { rawValue }
}
