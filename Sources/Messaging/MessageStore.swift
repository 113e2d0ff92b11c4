import Vapor
import Fluent
import Domain
import Accounts
import AppCore
import Locations
import Notifications
import Patients
import Photos

/// Secure messaging between a patient and a location's care team. Reading a thread marks it read for that side and
/// is audited (`messages`); a staff reply queues an email/SMS that says only that a message is waiting.
package struct MessageStore {
    package let scope: AuditScope

    package struct NewThread: Content {
        package var subject: String?
        package var locationId: UUID?
        package var body: String?
        package var attachmentId: UUID?
    }
    package struct Reply: Content {
        package var body: String?
        package var attachmentId: UUID?
    }
    package struct Assign: Content {
        package var assignedTo: UUID?
    }

    package struct ThreadSummary: Content {
        package let id: UUID
        package let patientId: UUID
        package let patientName: String?
        package let locationId: UUID
        package let subject: String
        package let updatedAt: Date
        package let urgent: Bool
        package let urgentWords: [String]?
        package let unread: Bool
        package let assignedTo: UUID?
    }

    package struct MessageDTO: Content {
        package let id: UUID
        package let sentAt: Date
        package let senderName: String
        package let senderSide: MessageSide
        package let body: String
        package let attachmentId: UUID?
    }

    package struct ThreadDTO: Content {
        package let summary: ThreadSummary
        package let messages: [MessageDTO]
    }

    package struct InboxFilter: Sendable {
        package var locationID: UUID?
        /// me, unassigned or nil (all).
        package var assigned: String?
        package var unreadOnly = false
        package var urgentOnly = false
    }

    package var side: MessageSide { scope.principal.role == .patient ? .patient : .staff }

    package func summary(_ t: MessageThreadRecord, patientName: String?) throws -> ThreadSummary {
        let staff = side == .staff
        return ThreadSummary(
            id: try t.requireID(), patientId: t.patientID, patientName: patientName, locationId: t.locationID,
            subject: t.subject,
            updatedAt: t.updatedAt, urgent: staff && t.urgent,
            urgentWords: staff ? t.urgentWords.split(separator: ",").map(String.init) : nil,
            unread: staff ? t.unreadByStaff : t.unreadByPatient, assignedTo: staff ? t.assignedTo : nil)
    }

    package func start(patientID: UUID, _ input: NewThread) async throws -> ThreadDTO {
        try await scope.authorize(.sendMessage(patientID: patientID), patientID: patientID)
        guard try await PatientRecord.find(patientID, on: scope.db) != nil else {
            throw AppError.notFound("No patient with that id.")
        }
        var errors = MessageRules.check(subject: input.subject, body: input.body, needsSubject: true)
        if input.locationId == nil {
            errors.append(FieldError("locationId", "Choose the clinic you want to write to."))
        }
        if !errors.isEmpty { throw AppError.validation(errors) }
        guard let loc = try await LocationRecord.find(input.locationId, on: scope.db) else {
            throw AppError.validation([FieldError("locationId", "No such clinic.")])
        }
        try await PhotoStore(scope: scope).checkAttachment(
            input.attachmentId, patientID: patientID, field: "attachmentId")
        let now = scope.now, p = scope.principal, side = self.side
        let subject = Text.clean(input.subject)!, body = Text.clean(input.body)!
        let urgent = MessageRules.urgentWords(in: subject + " " + body)
        let (thread, message) = try await scope.run { tx in
            let t = MessageThreadRecord()
            t.id = UUID()
            t.createdAt = now
            t.updatedAt = now
            t.lastFrom = side
            t.subject = subject
            t.urgent = !urgent.isEmpty && side == .patient
            t.urgentWords = side == .patient ? urgent.joined(separator: ",") : ""
            t.patientID = patientID
            t.locationID = try loc.requireID()
            if side == .patient { t.patientReadAt = now } else { t.staffReadAt = now; t.assignedTo = p.userID }
            try await t.create(on: tx)
            let m = try await Self.insertMessage(
                thread: t, body: body, attachment: input.attachmentId, principal: p, side: side, now: now, on: tx)
            if side == .staff {
                try await Self.notifyPatient(t, now: now, on: tx, practice: scope.app.config.practiceName)
            }
            return (
                (t, m),
                [
                    AuditDraft(
                        action: .create, category: .messages, patientID: patientID, entityType: "MessageThread",
                        entityID: t.id?.uuidString,
                        detail: t.urgent ? "urgent words: \(t.urgentWords)" : "")
                ]
            )
        }
        return ThreadDTO(summary: try summary(thread, patientName: nil), messages: [try Self.dto(message)])
    }

    package func reply(threadID: UUID, _ input: Reply) async throws -> MessageDTO {
        guard let t = try await MessageThreadRecord.find(threadID, on: scope.db) else {
            throw AppError.notFound("No such conversation.")
        }
        try await scope.authorize(.sendMessage(patientID: t.patientID), patientID: t.patientID)
        let errors = MessageRules.check(subject: nil, body: input.body, needsSubject: false)
        if !errors.isEmpty { throw AppError.validation(errors) }
        try await PhotoStore(scope: scope).checkAttachment(
            input.attachmentId, patientID: t.patientID, field: "attachmentId")
        let now = scope.now, p = scope.principal, side = self.side, body = Text.clean(input.body)!
        let urgent = side == .patient ? MessageRules.urgentWords(in: body) : []
        let practice = scope.app.config.practiceName
        return try await scope.run { tx in
            guard let t = try await MessageThreadRecord.find(threadID, on: tx) else {
                throw AppError.notFound("No such conversation.")
            }
            let m = try await Self.insertMessage(
                thread: t, body: body, attachment: input.attachmentId, principal: p, side: side, now: now, on: tx)
            t.updatedAt = now
            t.lastFrom = side
            if side == .patient {
                t.patientReadAt = now
                if !urgent.isEmpty {
                    t.urgent = true
                    t.urgentWords = Array(Set(t.urgentWords.split(separator: ",").map(String.init) + urgent)).sorted()
                        .joined(separator: ",")
                }
            } else {
                t.staffReadAt = now
                if t.assignedTo == nil { t.assignedTo = p.userID }
                try await Self.notifyPatient(t, now: now, on: tx, practice: practice)
            }
            try await t.save(on: tx)
            return (
                try Self.dto(m),
                [
                    AuditDraft(
                        action: .create, category: .messages, patientID: t.patientID, entityType: "Message",
                        entityID: m.id?.uuidString,
                        detail: urgent.isEmpty ? "" : "urgent words: \(urgent.joined(separator: ","))")
                ]
            )
        }
    }

    /// One conversation; reading it marks it read for this side.
    package func read(threadID: UUID) async throws -> ThreadDTO {
        guard let t = try await MessageThreadRecord.find(threadID, on: scope.db) else {
            throw AppError.notFound("No such conversation.")
        }
        try await scope.authorize(.readMessages(patientID: t.patientID), patientID: t.patientID)
        let now = scope.now, side = self.side
        let (thread, messages, name) = try await scope.run { tx in
            guard let t = try await MessageThreadRecord.find(threadID, on: tx) else {
                throw AppError.notFound("No such conversation.")
            }
            if side == .patient { t.patientReadAt = now } else { t.staffReadAt = now }
            try await t.save(on: tx)
            let ms = try await MessageRecord.query(on: tx).filter(\.$threadID == threadID).sort(\.$sentAt).all()
            let p = try await PatientRecord.find(t.patientID, on: tx)
            return (
                (t, ms, p.map { "\($0.familyName), \($0.givenName)" }),
                [
                    AuditDraft(
                        action: .read, category: .messages, patientID: t.patientID, entityType: "MessageThread",
                        entityID: threadID.uuidString,
                        detail: "\(ms.count) messages")
                ]
            )
        }
        return ThreadDTO(
            summary: try summary(thread, patientName: side == .staff ? name : nil),
            messages: try messages.map(Self.dto))
    }

    package func threads(patientID: UUID) async throws -> [ThreadSummary] {
        try await scope.authorize(.readMessages(patientID: patientID), patientID: patientID)
        let rows = try await MessageThreadRecord.query(on: scope.db).filter(\.$patientID == patientID).sort(
            \.$updatedAt, .descending
        ).all()
        try await scope.record([
            AuditDraft(
                action: .query, category: .messages, patientID: patientID, entityType: "MessageThread",
                detail: "\(rows.count) conversations listed")
        ])
        return try rows.map { try summary($0, patientName: nil) }
    }

    /// The staff inbox: urgent first, then newest; filters by location, assignment, unread and urgent.
    package func inbox(_ f: InboxFilter) async throws -> [ThreadSummary] {
        try await scope.authorize(.readStaffInbox)
        let me = scope.principal.userID
        return try await scope.run { tx in
            let q = MessageThreadRecord.query(on: tx)
            if let l = f.locationID { q.filter(\.$locationID == l) }
            if f.assigned == "me", let me { q.filter(\.$assignedTo == me) }
            if f.assigned == "unassigned" { q.filter(\.$assignedTo == nil) }
            if f.urgentOnly { q.filter(\.$urgent == true) }
            var rows = try await q.sort(\.$urgent, .descending).sort(\.$updatedAt, .descending).limit(300).all()
            if f.unreadOnly { rows = rows.filter(\.unreadByStaff) }
            var out: [ThreadSummary] = []
            var drafts: [AuditDraft] = []
            for t in rows {
                let p = try await PatientRecord.find(t.patientID, on: tx)
                out.append(try summary(t, patientName: p.map { "\($0.familyName), \($0.givenName)" }))
                drafts.append(
                    AuditDraft(
                        action: .query, category: .messages, patientID: t.patientID, entityType: "MessageThread",
                        entityID: t.id?.uuidString, detail: "inbox"))
            }
            return (out, drafts)
        }
    }

    package func assign(threadID: UUID, to user: UUID?) async throws -> ThreadSummary {
        try await scope.authorize(.readStaffInbox)
        if let u = user {
            guard let staff = try await UserRecord.find(u, on: scope.db), staff.role.isStaff, staff.active else {
                throw AppError.validation([FieldError("assignedTo", "Assign to an active staff member.")])
            }
        }
        return try await scope.run { tx in
            guard let t = try await MessageThreadRecord.find(threadID, on: tx) else {
                throw AppError.notFound("No such conversation.")
            }
            t.assignedTo = user
            try await t.save(on: tx)
            return (
                try summary(t, patientName: nil),
                [
                    AuditDraft(
                        action: .update, category: .messages, patientID: t.patientID, entityType: "MessageThread",
                        entityID: threadID.uuidString, detail: user == nil ? "unassigned" : "assigned")
                ]
            )
        }
    }

    package static func insertMessage(
        thread t: MessageThreadRecord, body: String, attachment: UUID?, principal p: Principal, side: MessageSide,
        now: Date,
        on tx: any Database
    ) async throws -> MessageRecord {
        let m = MessageRecord()
        m.id = UUID()
        m.sentAt = now
        m.senderName = try await UserRecord.find(p.userID, on: tx)?.displayName ?? p.username
        m.senderSide = side
        m.body = body
        m.threadID = try t.requireID()
        m.senderID = p.userID ?? UUID()
        m.attachmentID = attachment
        try await m.create(on: tx)
        return m
    }

    /// Email and SMS say only that a message is waiting; the portal notice likewise.
    package static func notifyPatient(_ t: MessageThreadRecord, now: Date, on tx: any Database, practice: String)
        async throws
    {
        guard let p = try await PatientRecord.find(t.patientID, on: tx) else { return }
        let text = p.tr(
            "You have a new secure message from {practice}. Sign in to the patient portal to read it.",
            ["practice": practice])
        let channels = NoticeChannel.recipients(portal: t.patientID.uuidString, email: p.email, phone: p.phone)
        // One notice per thread until the patient has read it.
        let round = Int((t.patientReadAt ?? t.createdAt).timeIntervalSince1970)
        for (channel, recipient) in channels {
            let key = "message:\((try t.requireID()).uuidString):\(round):\(channel)"
            if try await OutboxMessageRecord.query(on: tx).filter(\.$dedupeKey == key).first() != nil { continue }
            try await OutboxMessageRecord.pending(
                kind: "message-waiting", channel: channel, recipient: recipient, subject: p.tr("New secure message"),
                body: text, dedupeKey: key, patientID: t.patientID, now: now
            ).create(on: tx)
        }
    }

    package static func dto(_ m: MessageRecord) throws -> MessageDTO {
        MessageDTO(
            id: try m.requireID(), sentAt: m.sentAt, senderName: m.senderName, senderSide: m.senderSide, body: m.body,
            attachmentId: m.attachmentID)
    }
}

extension Request {
    package func messages() throws -> MessageStore { MessageStore(scope: try scope()) }
}
