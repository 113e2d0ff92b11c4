import Vapor
import Fluent
import Domain
import Accounts
import AppCore
import Locations

/// A provider's iCalendar subscription: a secret URL (only its hash is stored) that can be revoked.
package final class CalendarFeedRecord: Model, @unchecked Sendable {
    package static let schema = "calendar_feed"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @OptionalField(key: "revoked_at") package var revokedAt: Date?

    // data fields
    @Field(key: "token_hash") package var tokenHash: String

    // relationships
    @Field(key: "provider_id") package var providerID: UUID

    package init() {}
}

package struct CreateCalendarFeed: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("calendar_feed")
            .id()
            .field("created_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .field("token_hash", .string, .required)
            .field("provider_id", .uuid, .required, .references("app_user", "id"))
            .unique(on: "token_hash")
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("calendar_feed").delete() }

    package init() {
    }
}

package enum CalendarFeedController {
    package struct NewFeed: Content {
        package var providerId: UUID?
    }
    package struct FeedDTO: Content {
        package let id: UUID
        package let providerId: UUID
        package let url: String
    }

    @Sendable package static func create(req: Request) async throws -> Response {
        let scope = try req.scope()
        let input = (try? req.decodeJSON(NewFeed.self)) ?? NewFeed()
        guard let provider = input.providerId ?? scope.principal.userID else {
            throw AppError.validation([FieldError("providerId", "Name the provider.")])
        }
        try await scope.authorize(.manageCalendarFeed(providerID: provider))
        guard let u = try await UserRecord.find(provider, on: req.db),
            [.provider, .medicalDirector].contains(u.role)
        else {
            throw AppError.validation([FieldError("providerId", "That account is not a provider.")])
        }
        let token = Token.generate()
        let now = req.now
        let feed: CalendarFeedRecord = try await scope.run { tx in
            let f = CalendarFeedRecord()
            f.id = UUID()
            f.providerID = provider
            f.tokenHash = Token.hash(token)
            f.createdAt = now
            try await f.create(on: tx)
            return (
                f,
                [
                    AuditDraft(
                        action: .create, category: .appointments, entityType: "CalendarFeed",
                        entityID: f.id?.uuidString,
                        detail: "feed issued for provider \(provider.uuidString)")
                ]
            )
        }
        return try await FeedDTO(
            id: try feed.requireID(), providerId: provider, url: Site.calendarFeedFile.path("\(token).ics")
        )
        .encodeResponse(
            status: .created, for: req)
    }

    @Sendable package static func revoke(req: Request) async throws -> HTTPStatus {
        let scope = try req.scope()
        let id = try req.idParameter("calendar feed")
        guard let feed = try await CalendarFeedRecord.find(id, on: req.db) else {
            throw AppError.notFound("No calendar feed with that id.")
        }
        try await scope.authorize(.manageCalendarFeed(providerID: feed.providerID))
        let now = req.now
        try await scope.run { tx in
            try await CalendarFeedRecord.query(on: tx).filter(\.$id == id).set(\.$revokedAt, to: now).update()
            return (
                (),
                [
                    AuditDraft(
                        action: .delete, category: .appointments, entityType: "CalendarFeed", entityID: id.uuidString,
                        detail: "feed revoked")
                ]
            )
        }
        return .noContent
    }

    /// `GET /calendar/{token}.ics`: the provider's appointments from 30 days back to 180 ahead, cancelled ones marked
    /// so.
    @Sendable package static func feed(req: Request) async throws -> Response {
        guard let file = req.parameters.get("file"), file.hasSuffix(".ics") else {
            throw AppError.notFound("No such calendar.")
        }
        let token = String(file.dropLast(4))
        guard
            let feed = try await CalendarFeedRecord.query(on: req.db).filter(\.$tokenHash == Token.hash(token)).filter(
                \.$revokedAt == nil
            ).first(),
            let provider = try await UserRecord.find(feed.providerID, on: req.db)
        else {
            throw AppError.notFound("No such calendar (the link may have been revoked).")
        }
        let now = req.now
        let scope = AuditScope(
            app: req.application, db: req.db,
            context: AuditContext(actor: .system("calendar-feed"), device: req.auditDevice))
        let rows: [AppointmentRecord] = try await scope.run { tx in
            let rows = try await AppointmentRecord.query(on: tx).filter(\.$providerID == feed.providerID)
                .filter(\.$startAt >= now.addingTimeInterval(-30 * 86400)).filter(
                    \.$startAt < now.addingTimeInterval(180 * 86400)
                )
                .sort(\.$startAt).all()
            return (
                rows,
                [
                    AuditDraft(
                        action: .read, category: .appointments, entityType: "CalendarFeed",
                        entityID: feed.id?.uuidString,
                        detail: "\(rows.count) events (times and places only)")
                ]
            )
        }
        let types = Dictionary(
            uniqueKeysWithValues: try await AppointmentTypeRecord.query(on: req.db).all().map {
                (try $0.requireID(), $0.name)
            })
        let locs = Dictionary(
            uniqueKeysWithValues: try await LocationRecord.query(on: req.db).all().map { (try $0.requireID(), $0) })
        let events = try rows.map { a in
            ICalendar.Event(
                uid: "\((try a.requireID()).uuidString.lowercased())@caresync", stamp: a.updatedAt, start: a.startAt,
                end: a.endAt,
                summary: types[a.typeID] ?? "Appointment",
                location: locs[a.locationID].map { "\($0.name), \($0.address)" } ?? "",
                cancelled: !a.status.holdsTime, sequence: a.version - 1)
        }
        let res = Response(
            status: .ok, body: .init(string: ICalendar.document(events, name: "CareSync – \(provider.displayName)")))
        res.headers.contentType = HTTPMediaType(type: "text", subType: "calendar", parameters: ["charset": "utf-8"])
        res.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return res
    }
}
