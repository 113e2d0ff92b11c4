import Domain
import Vapor
import Fluent
import SQLKit
import AppCore

/// A wound being followed: where it is. Photos and measurements hang off it.
package final class WoundRecord: Model, @unchecked Sendable {
    package static let schema = "wound"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "created_by") package var createdBy: String

    // data fields
    @Field(key: "body_site") package var bodySite: String
    /// left, right, both or n/a.
    @Field(key: "side") package var side: String

    // relationships
    @Field(key: "patient_id") package var patientID: UUID

    package init() {}
}

/// One wound photo after processing: re-encoded without metadata, stored content-addressed with a thumbnail.
package final class PhotoRecord: Model, @unchecked Sendable {
    package static let schema = "photo"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "uploaded_at") package var uploadedAt: Date
    @Field(key: "uploaded_by") package var uploadedBy: String

    // data fields
    @Field(key: "sha256") package var sha256: String
    @Field(key: "blob_key") package var blobKey: String
    @Field(key: "thumb_key") package var thumbKey: String
    @Field(key: "width") package var width: Int
    @Field(key: "height") package var height: Int
    @Field(key: "bytes") package var bytes: Int
    @OptionalField(key: "length_mm") package var lengthMM: Double?
    @OptionalField(key: "width_mm") package var widthMM: Double?
    @OptionalField(key: "depth_mm") package var depthMM: Double?
    @OptionalField(key: "measured_by") package var measuredBy: String?
    @OptionalField(key: "measured_at") package var measuredAt: Date?

    // relationships
    @Field(key: "patient_id") package var patientID: UUID
    @Field(key: "wound_id") package var woundID: UUID
    @OptionalField(key: "appointment_id") package var appointmentID: UUID?

    package init() {}
}

/// A tus upload in progress. The bytes live in `<data-dir>/uploads/<id>.part` until the upload completes and is
/// processed; nothing is visible before that.
package final class UploadRecord: Model, @unchecked Sendable {
    package static let schema = "upload"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "expires_at") package var expiresAt: Date
    @Field(key: "upload_offset") package var offset: Int
    @OptionalField(key: "completed_at") package var completedAt: Date?

    // data fields
    @Field(key: "upload_length") package var length: Int
    /// wound-photo (the only purpose so far).
    @Field(key: "purpose") package var purpose: UploadPurpose
    @OptionalField(key: "result_id") package var resultID: UUID?

    // relationships
    @Field(key: "owner_id") package var ownerID: UUID
    @Field(key: "patient_id") package var patientID: UUID
    @OptionalField(key: "wound_id") package var woundID: UUID?
    @OptionalField(key: "appointment_id") package var appointmentID: UUID?

    package init() {}
}

package struct CreateWound: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("wound")
            .id()
            .field("created_at", .datetime, .required)
            .field("created_by", .string, .required)
            .field("body_site", .string, .required)
            .field("side", .string, .required)
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("wound").delete() }

    package init() {
    }
}

package struct CreatePhoto: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("photo")
            .id()
            .field("uploaded_at", .datetime, .required)
            .field("uploaded_by", .string, .required)
            .field("sha256", .string, .required)
            .field("blob_key", .string, .required)
            .field("thumb_key", .string, .required)
            .field("width", .int, .required)
            .field("height", .int, .required)
            .field("bytes", .int, .required)
            .field("length_mm", .double)
            .field("width_mm", .double)
            .field("depth_mm", .double)
            .field("measured_by", .string)
            .field("measured_at", .datetime)
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .field("wound_id", .uuid, .required, .references("wound", "id"))
            .field("appointment_id", .uuid, .references("appointment", "id"))
            .create()
        try await db.sql.create(index: "photo_wound_idx").on("photo").column("wound_id").column("uploaded_at").run()
    }
    package func revert(on db: any Database) async throws { try await db.schema("photo").delete() }

    package init() {
    }
}

package struct CreateUpload: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("upload")
            .id()
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("upload_offset", .int, .required)
            .field("completed_at", .datetime)
            .field("upload_length", .int, .required)
            .field("purpose", .string, .required)
            .field("result_id", .uuid)
            .field("owner_id", .uuid, .required, .references("app_user", "id"))
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .field("wound_id", .uuid, .references("wound", "id"))
            .field("appointment_id", .uuid, .references("appointment", "id"))
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("upload").delete() }

    package init() {
    }
}
