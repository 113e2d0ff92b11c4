import Vapor
import Fluent
import Crypto
import Domain
import AppCore

/// A document or photo attached to a message or an intake (a referral letter, say), uploaded through the same
/// pipeline as wound photos: recognised by content, photos re-encoded without metadata, stored content-addressed.
package final class AttachmentRecord: Model, @unchecked Sendable {
    package static let schema = "attachment"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Field(key: "uploaded_at") package var uploadedAt: Date
    @Field(key: "uploaded_by") package var uploadedBy: String

    // data fields
    /// pdf or image.
    @Field(key: "kind") package var kind: AttachmentRules.Kind
    @Field(key: "content_type") package var contentType: String
    @Field(key: "bytes") package var bytes: Int
    @Field(key: "sha256") package var sha256: String
    @Field(key: "blob_key") package var blobKey: String

    // relationships
    @Field(key: "patient_id") package var patientID: UUID

    package init() {}
}

package struct CreateAttachment: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("attachment")
            .id()
            .field("uploaded_at", .datetime, .required)
            .field("uploaded_by", .string, .required)
            .field("kind", .string, .required)
            .field("content_type", .string, .required)
            .field("bytes", .int, .required)
            .field("sha256", .string, .required)
            .field("blob_key", .string, .required)
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("attachment").delete() }

    package init() {
    }
}

package enum AttachmentPipeline {
    package struct Processed: Sendable {
        package let data: Data
        package let kind: AttachmentRules.Kind
        package let contentType: String
        package let sha256: String
    }

    package static func process(_ file: URL, limits: ImageLimits = ImageLimits()) async throws -> Processed {
        let (size, head, tail) = try ImagePipeline.edges(file, tail: 1024)
        guard size > 0 else { throw ImagePipeline.Refused("The file is empty.") }
        switch AttachmentRules.kind(head: head, tail: tail) {
        case .failure(let e): throw ImagePipeline.Refused(e.message)
        case .success(.image):
            let p = try await ImagePipeline.process(file, limits: limits)
            return Processed(data: p.photo, kind: .image, contentType: "image/jpeg", sha256: p.sha256)
        case .success(.pdf):
            let data = try Data(contentsOf: file)
            return Processed(
                data: data, kind: .pdf, contentType: "application/pdf", sha256: SHA256.hash(data: data).hexString)
        }
    }
}

extension PhotoStore {
    /// Stores a whole file (a form post) as an attachment of the patient, through the upload pipeline.
    package func storeAttachment(patientID: UUID, _ data: Data) async throws -> UUID {
        let u = try await startUpload(
            length: data.count,
            metadata: ["purpose": UploadPurpose.attachment.rawValue, "patientId": patientID.uuidString])
        guard case .complete(_, let id, _) = try await append(u.id, offset: 0, chunk: data, checksum: nil)
        else {
            throw AppError.conflict(type: "upload", detail: "The file did not arrive whole.", extra: [:])
        }
        return id
    }

    /// Checks an attachment belongs to the patient (for messages and intake answers).
    package func checkAttachment(_ id: UUID?, patientID: UUID, field: String) async throws {
        guard let id else { return }
        guard let a = try await AttachmentRecord.find(id, on: scope.db), a.patientID == patientID else {
            throw AppError.validation([FieldError(field, "Attach a file uploaded for this patient.")])
        }
    }

    /// An attachment's bytes and what they are.
    package struct AttachmentFile: Sendable {
        package let kind: AttachmentRules.Kind
        package let contentType: String
        package let data: Data
    }

    package func downloadAttachment(_ id: UUID) async throws -> AttachmentFile {
        guard let a = try await AttachmentRecord.find(id, on: scope.db) else {
            throw AppError.notFound("No such attachment.")
        }
        try await scope.authorize(.readAttachment(patientID: a.patientID), patientID: a.patientID)
        guard let data = try scope.app.blobs.get(a.blobKey) else {
            throw AppError.notFound("The attachment's file is missing.")
        }
        try await scope.record([
            AuditDraft(
                action: .read, category: .messages, patientID: a.patientID, entityType: "Attachment",
                entityID: id.uuidString, detail: a.kind.rawValue)
        ])
        return AttachmentFile(kind: a.kind, contentType: a.contentType, data: data)
    }

    /// Makes the attachment from a complete upload.
    package func finishAttachment(_ id: UUID, file: URL) async throws -> UUID {
        let processed: AttachmentPipeline.Processed
        do {
            processed = try await AttachmentPipeline.process(file)
        } catch let refusal as ImagePipeline.Refused {
            try await discard(id)
            throw AppError.validation([FieldError("file", refusal.description)])
        }
        let key =
            "attachments/\(processed.sha256.prefix(2))/\(processed.sha256).\(processed.kind == .pdf ? "pdf" : "jpg")"
        try scope.app.blobs.put(key, processed.data)
        let now = scope.now, by = scope.principal.username
        let result = try await scope.run { tx in
            guard let u = try await UploadRecord.find(id, on: tx) else { throw AppError.notFound("No such upload.") }
            let a = AttachmentRecord()
            a.id = UUID()
            a.uploadedAt = now
            a.uploadedBy = by
            a.kind = processed.kind
            a.contentType = processed.contentType
            a.bytes = processed.data.count
            a.sha256 = processed.sha256
            a.blobKey = key
            a.patientID = u.patientID
            try await a.create(on: tx)
            u.completedAt = now
            u.resultID = a.id
            try await u.save(on: tx)
            return (
                (try a.requireID()),
                [
                    AuditDraft(
                        action: .create, category: .messages, patientID: u.patientID, entityType: "Attachment",
                        entityID: a.id?.uuidString,
                        detail: processed.kind.rawValue)
                ]
            )
        }
        try? FileManager.default.removeItem(at: file)
        return result
    }
}
