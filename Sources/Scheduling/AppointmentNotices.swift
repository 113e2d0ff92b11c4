import Vapor
import Fluent
import Domain
import AppCore
import Locations
import Patients
import Notifications

/// Builds appointment notices and puts them in the outbox, inside the caller's transaction.
package enum AppointmentNotices {
    package static func enqueue(_ kind: NoticeText.Kind, for a: AppointmentRecord, now: Date, on tx: any Database)
        async throws
    {
        guard let patient = try await PatientRecord.find(a.patientID, on: tx),
            let loc = try await LocationRecord.find(a.locationID, on: tx),
            let zone = TimeZone(identifier: loc.timeZone), let aid = a.id
        else { return }
        // In the patient's own language (their setting; English when none).
        let t = patient.tr
        let body = NoticeText.body(
            kind, start: a.startAt, zone: zone, place: loc.name, address: loc.address, phone: loc.phone, t: t)
        let subject = NoticeText.subject(kind, t: t)
        let channels = NoticeChannel.recipients(
            portal: a.patientID.uuidString, email: patient.email, phone: patient.phone)
        for (channel, recipient) in channels {
            let key = "\(kind.rawValue):\(aid.uuidString):v\(a.version):\(channel)"
            if try await OutboxMessageRecord.query(on: tx).filter(\.$dedupeKey == key).first() != nil { continue }
            let m = OutboxMessageRecord.pending(
                kind: kind.rawValue, channel: channel, recipient: recipient, subject: subject, body: body,
                dedupeKey: key, patientID: a.patientID, now: now)
            m.appointmentID = aid
            if channel == .email && kind != .reminder {
                let event = ICalendar.Event(
                    uid: "\(aid.uuidString.lowercased())@caresync", stamp: now, start: a.startAt, end: a.endAt,
                    summary: t("Appointment at {place}", ["place": loc.name]), location: "\(loc.name), \(loc.address)",
                    cancelled: kind == .cancellation, sequence: a.version - 1)
                m.attachmentName = "appointment.ics"
                m.attachmentType =
                    "text/calendar; charset=utf-8; method=\(kind == .cancellation ? "CANCEL" : "REQUEST")"
                m.attachmentBody = ICalendar.document([event], method: kind == .cancellation ? "CANCEL" : "REQUEST")
            }
            try await m.create(on: tx)
        }
    }

    /// Booked appointments starting 23 to 25 hours from now get one reminder (the dedupe key makes it once).
    package static func queueReminders(_ app: Application, now: Date) async throws -> Int {
        let window = TimeSpan(start: now.addingTimeInterval(23 * 3600), end: now.addingTimeInterval(25 * 3600))
        let upcoming = try await AppointmentRecord.query(on: app.db).filter(
            \.$status == AppointmentStatus.booked
        )
        .filter(\.$startAt >= window.start).filter(\.$startAt < window.end).all()
        guard !upcoming.isEmpty else { return 0 }
        return try await app.serializer.write(app.db) { tx in
            let before = try await OutboxMessageRecord.query(on: tx).filter(\.$kind == "reminder").count()
            for a in upcoming { try await AppointmentNotices.enqueue(.reminder, for: a, now: now, on: tx) }
            return try await OutboxMessageRecord.query(on: tx).filter(\.$kind == "reminder").count() - before
        }
    }
}
