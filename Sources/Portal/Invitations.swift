import Vapor
import Fluent
import SQLKit
import Domain
import Accounts
import AppCore
import Notifications
import Patients

/// A single-use, expiring invitation to the patient portal. Only the SHA-256 of the link's token is stored.
package final class InvitationRecord: Model, @unchecked Sendable {
    package static let schema = "invitation"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "expires_at") package var expiresAt: Date
    @OptionalField(key: "used_at") package var usedAt: Date?
    @OptionalField(key: "revoked_at") package var revokedAt: Date?

    // data fields
    @Field(key: "token_hash") package var tokenHash: String
    /// email or sms.
    @Field(key: "channel") package var channel: NoticeChannel
    /// A label for adoption metrics (a mailing, a clinic day).
    @Field(key: "batch") package var batch: String
    @Field(key: "created_by") package var createdBy: String
    @OptionalField(key: "terms_version") package var termsVersion: String?

    // relationships
    @Field(key: "patient_id") package var patientID: UUID
    @OptionalField(key: "user_id") package var userID: UUID?

    package init() {}
}

package struct CreateInvitation: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("invitation")
            .id()
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .field("revoked_at", .datetime)
            .field("token_hash", .string, .required)
            .field("channel", .string, .required)
            .field("batch", .string, .required)
            .field("created_by", .string, .required)
            .field("terms_version", .string)
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .field("user_id", .uuid, .references("app_user", "id"))
            .unique(on: "token_hash")
            .create()
        try await db.sql.create(index: "invitation_batch_idx").on("invitation").column("batch").run()
    }
    package func revert(on db: any Database) async throws { try await db.schema("invitation").delete() }

    package init() {
    }
}

/// Invitations: staff send them (through the outbox), patients redeem them once to create their portal account.
package struct InvitationStore {
    package let scope: AuditScope

    package static let validFor: TimeInterval = 7 * 86400
    package static let termsVersion = "2026-11"

    package struct Invite: Content {
        package var channel: String?
        package var batch: String?
    }

    package struct Sent: Content {
        package let id: UUID
        package let patientId: UUID
        package let channel: NoticeChannel
        package let batch: String
        package let expiresAt: Date
    }

    /// Sends an invitation; any earlier unused one for the patient stops working.
    package func invite(patientID: UUID, _ input: Invite) async throws -> Sent {
        try await scope.authorize(.invitePatient(patientID), patientID: patientID)
        var errors: [FieldError] = []
        let chosen = NoticeChannel(rawValue: Text.clean(input.channel) ?? "email")
        if chosen.map(NoticeChannel.outside.contains) != true {
            errors.append(FieldError("channel", "Channel must be email or sms."))
        }
        let batch = Text.clean(input.batch) ?? "default"
        if batch.count > 60 || !batch.allSatisfy({ $0.isLetter || $0.isNumber || "-_. ".contains($0) }) {
            errors.append(FieldError("batch", "Batch must be at most 60 letters, digits, spaces, '-', '_' or '.'."))
        }
        guard errors.isEmpty, let channel = chosen else { throw AppError.validation(errors) }
        let token = Token.generate()
        let now = scope.now
        let by = scope.principal.username
        let link = scope.app.config.publicURL + Site.portalInvite.path(token)
        let practiceName = scope.app.config.practiceName
        return try await scope.run { tx in
            guard let patient = try await PatientRecord.find(patientID, on: tx), patient.retiredAt == nil else {
                throw AppError.notFound("No such patient.")
            }
            if try await UserRecord.query(on: tx).filter(\.$patientID == patientID).first() != nil {
                throw AppError.conflict(
                    type: "patient-has-account", detail: "This patient already has a portal account.", extra: [:])
            }
            guard let recipient = channel == .email ? patient.email : patient.phone else {
                throw AppError.validation([
                    FieldError(
                        "channel",
                        channel == .email
                            ? "The patient has no email address on file." : "The patient has no phone number on file.")
                ])
            }
            try await InvitationRecord.query(on: tx).filter(\.$patientID == patientID).filter(\.$usedAt == nil).filter(
                \.$revokedAt == nil
            )
            .set(\.$revokedAt, to: now).update()
            let inv = InvitationRecord()
            inv.id = UUID()
            inv.createdAt = now
            inv.expiresAt = now.addingTimeInterval(Self.validFor)
            inv.tokenHash = Token.hash(token)
            inv.channel = channel
            inv.batch = batch
            inv.createdBy = by
            inv.patientID = patientID
            try await inv.create(on: tx)
            // The message says who invites and where to go; nothing about the patient's care.
            let t = patient.tr
            let v = ["practice": practiceName, "link": link]
            let body =
                channel == .email
                ? t("{practice} invites you to its secure patient portal.", v) + "\n\n"
                    + t("Open this link within 7 days to set up your account (it works once):", v) + "\n\(link)\n\n"
                    + t("If you did not expect this, ignore this message.")
                : t("{practice}: set up your patient portal account (link valid 7 days, works once): {link}", v)
            try await OutboxMessageRecord.pending(
                kind: "portal-invitation", channel: channel, recipient: recipient,
                subject: t("Your patient portal invitation"), body: body,
                dedupeKey: "invitation:\((try inv.requireID()).uuidString)", patientID: patientID, now: now
            ).create(on: tx)
            return (
                Sent(
                    id: try inv.requireID(), patientId: patientID, channel: channel, batch: batch,
                    expiresAt: inv.expiresAt),
                [
                    AuditDraft(
                        action: .create, category: .account, patientID: patientID, entityType: "Invitation",
                        entityID: inv.id?.uuidString, detail: "channel=\(channel) batch=\(batch)")
                ]
            )
        }
    }

    package struct BatchRate: Content {
        package let batch: String
        package let invited: Int
        package let registered: Int
        package let rate: Double
    }

    /// Registration rate per batch (patients who registered ÷ patients invited).
    package func batches() async throws -> [BatchRate] {
        try await scope.authorize(.readPortalAdoption)
        let rows = try await scope.db.sql.raw(
            """
            SELECT batch, COUNT(DISTINCT patient_id) AS invited,
                   COUNT(DISTINCT CASE WHEN used_at IS NOT NULL THEN patient_id END) AS registered
            FROM invitation GROUP BY batch ORDER BY batch
            """
        ).all()
        return try rows.map { r in
            let invited = try r.decode(column: "invited", as: Int.self),
                registered = try r.decode(column: "registered", as: Int.self)
            return BatchRate(
                batch: try r.decode(column: "batch", as: String.self), invited: invited, registered: registered,
                rate: invited == 0 ? 0 : (Double(registered) / Double(invited) * 1000).rounded() / 1000)
        }
    }

    // MARK: redeeming (anonymous: the token is the credential)

    package enum LinkState: Equatable { case usable(UUID), unknown, used, expired }

    package static func state(token: String, on db: any Database, now: Date) async throws -> LinkState {
        guard let inv = try await InvitationRecord.query(on: db).filter(\.$tokenHash == Token.hash(token)).first()
        else { return .unknown }
        if inv.usedAt != nil { return .used }
        if inv.revokedAt != nil || inv.expiresAt <= now { return .expired }
        return .usable(inv.patientID)
    }

    package struct Registration: Content {
        package var username: String?
        package var password: String?
        package var passwordConfirm: String?
        package var acceptTerms: String?
        package var setUpMFA: String?
    }

    /// Creates the patient's account and uses up the invitation, in one transaction: a link works exactly once.
    package static func redeem(token: String, _ r: Registration, app: Application) async throws -> UserRecord {
        var errors: [FieldError] = []
        if r.acceptTerms == nil {
            errors.append(FieldError("acceptTerms", "Please read and accept the terms of use to continue."))
        }
        if (r.password ?? "") != (r.passwordConfirm ?? "") {
            errors.append(FieldError("passwordConfirm", "The two passwords differ."))
        }
        let scope = app.systemScope("portal-registration")
        let now = scope.now
        let hash = Token.hash(token)
        guard let inv = try await InvitationRecord.query(on: app.db).filter(\.$tokenHash == hash).first() else {
            throw AppError.notFound("This invitation link is not valid.")
        }
        let given = try await PatientRecord.find(inv.patientID, on: app.db)?.givenName ?? "Patient"
        let prepared: UserAdmin.Prepared
        do {
            prepared = try await UserAdmin.prepare(
                .init(
                    username: r.username, displayName: given, role: Role.patient.rawValue,
                    password: r.password, patientId: inv.patientID), app: app)
        } catch AppError.validation(let more) {
            throw AppError.validation(errors + more)
        }
        if !errors.isEmpty { throw AppError.validation(errors) }
        return try await scope.run { tx in
            // Re-read inside the serialized write: two tabs submitting at once cannot both succeed.
            guard let inv = try await InvitationRecord.query(on: tx).filter(\.$tokenHash == hash).first() else {
                throw AppError.notFound("This invitation link is not valid.")
            }
            if inv.usedAt != nil {
                throw AppError.conflict(
                    type: "invitation-used", detail: "This invitation was already used. Sign in instead.", extra: [:])
            }
            if inv.revokedAt != nil || inv.expiresAt <= now {
                throw AppError.conflict(
                    type: "invitation-expired", detail: "This invitation has expired. Ask the practice for a new one.",
                    extra: [:])
            }
            let user = try await UserAdmin.insert(prepared, now: now, on: tx)
            inv.usedAt = now
            inv.userID = user.id
            inv.termsVersion = Self.termsVersion
            try await inv.save(on: tx)
            return (
                user,
                [
                    UserAdmin.createdEvent(user),
                    AuditDraft(
                        action: .update, category: .account, patientID: inv.patientID, entityType: "Invitation",
                        entityID: inv.id?.uuidString, detail: "redeemed; terms \(Self.termsVersion) accepted"),
                ]
            )
        }
    }
}

extension Request {
    package func invitations() throws -> InvitationStore { InvitationStore(scope: try scope()) }
}
