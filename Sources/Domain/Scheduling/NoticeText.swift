import Foundation

/// Patient-facing appointment notices. They say only date, time and place: no provider, no visit type,
/// no reason, nothing clinical (notifications travel over channels we do not control).
public enum NoticeText {
    public enum Kind: String, Codable, CaseIterable, Sendable { case confirmation, reminder, cancellation, rescheduled }

    public static func body(
        _ kind: Kind, start: Date, zone: TimeZone, place: String, address: String, phone: String,
        t: Translator = .english
    ) -> String {
        let f = DateFormatter()
        f.timeZone = zone
        switch t.language {
        case .en:
            f.locale = Locale(identifier: "en_US_POSIX")
            f.dateFormat = "EEEE d MMMM yyyy 'at' HH:mm"
        case .es:
            f.locale = t.language.locale
            f.dateFormat = "EEEE d 'de' MMMM 'de' yyyy 'a las' HH:mm"
        }
        let v = ["when": f.string(from: start), "place": place, "address": address, "phone": phone]
        switch kind {
        case .confirmation:
            return t(
                "Your appointment is booked for {when} at {place}, {address}. To change it, call {phone} or use the "
                    + "patient portal.", v)
        case .rescheduled:
            return t(
                "Your appointment has moved to {when} at {place}, {address}. To change it, call {phone} or use the "
                    + "patient portal.", v)
        case .reminder:
            return t(
                "Reminder: you have an appointment on {when} at {place}, {address}. To change it, call {phone} or "
                    + "use the patient portal.", v)
        case .cancellation:
            return t(
                "Your appointment on {when} at {place} has been cancelled. To book again, call {phone} or use the "
                    + "patient portal.", v)
        }
    }

    public static func subject(_ kind: Kind, t: Translator = .english) -> String {
        switch kind {
        case .confirmation: return t("Your appointment is booked")
        case .rescheduled: return t("Your appointment has moved")
        case .reminder: return t("Appointment reminder")
        case .cancellation: return t("Your appointment is cancelled")
        }
    }

    /// Retry delays after a failed delivery: 1 min, 5 min, 15 min, 1 h, 4 h; then the message is marked failed.
    public static let backoff: [TimeInterval] = [60, 300, 900, 3600, 14400]
}
