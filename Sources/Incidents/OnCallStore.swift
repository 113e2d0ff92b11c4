import Vapor
import Fluent
import Domain
import AppCore
import Accounts

/// The on-call roster and how to reach people: operators and admins keep them; every change is audited.
package enum OnCallStore {
    package static func addShift(
        _ scope: AuditScope, starts: Date?, ends: Date?, primary: String, secondary: String, manager: String
    ) async throws {
        try await scope.authorize(.manageOnCall)
        guard let starts, let ends else {
            throw invalid("starts", "Give the shift's start and end (date and time).")
        }
        guard ends > starts, ends.timeIntervalSince(starts) <= 31 * 86400 else {
            throw invalid("ends", "The shift must end after it starts, within 31 days.")
        }
        let names = [primary, secondary, manager]
        let known = try await UserRecord.query(on: scope.db).filter(\.$username ~~ names).filter(\.$active == true)
            .filter(\.$role != .patient).all().map(\.username)
        guard names.allSatisfy(known.contains) else {
            throw invalid("primary", "Choose an active staff account for the primary, the secondary and the manager.")
        }
        // The manager may also be the secondary in a small practice; the first two steps are two people.
        guard primary != secondary else {
            throw invalid("secondary", "The secondary must be someone other than the primary.")
        }
        try await scope.run { tx in
            let s = OnCallShiftRecord()
            s.startsAt = starts
            s.endsAt = ends
            s.primary = primary
            s.secondary = secondary
            s.manager = manager
            try await s.create(on: tx)
            return (
                (),
                [
                    AuditDraft(
                        action: .create, category: .operations, entityType: "OnCallShift", entityID: s.id?.uuidString,
                        detail: "primary \(primary), secondary \(secondary), manager \(manager)")
                ]
            )
        }
    }

    package static func setContact(_ scope: AuditScope, username: String, email: String, phone: String) async throws {
        try await scope.authorize(.manageOnCall)
        let email = email.trimmingCharacters(in: .whitespaces), phone = phone.trimmingCharacters(in: .whitespaces)
        guard
            try await UserRecord.query(on: scope.db).filter(\.$username == username).filter(\.$role != .patient)
                .first() != nil
        else { throw invalid("username", "Choose a staff account.") }
        if !email.isEmpty, email.count > 200 || !email.contains("@") || email.contains(where: \.isWhitespace) {
            throw invalid("email", "An email address like name@practice.org.")
        }
        let digits = phone.filter(\.isNumber)
        if !phone.isEmpty,
            digits.count < 7 || digits.count > 15 || phone.contains(where: { !"+0123456789 ()-.".contains($0) })
        {
            throw invalid("phone", "A phone number for text messages, like +1 555 010 2000.")
        }
        guard !email.isEmpty || !phone.isEmpty else {
            throw invalid("email", "Give an email address, a mobile number, or both.")
        }
        try await scope.run { tx in
            let c =
                try await StaffContactRecord.query(on: tx).filter(\.$username == username).first()
                ?? StaffContactRecord()
            c.username = username
            c.email = email.isEmpty ? nil : email
            c.phone = phone.isEmpty ? nil : "+" + digits
            try await c.save(on: tx)
            return (
                (),
                [
                    AuditDraft(
                        action: .update, category: .operations, entityType: "StaffContact", entityID: username,
                        detail: "paging contact set")
                ]
            )
        }
    }

    /// `2026-12-01T08:00` (a datetime-local field) in the practice's zone.
    package static func localTime(_ s: String, zone: TimeZone) -> Date? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        for pattern in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"] {
            f.dateFormat = pattern
            if let d = f.date(from: s) { return d }
        }
        return nil
    }
}
