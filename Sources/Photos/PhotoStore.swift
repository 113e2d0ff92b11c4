import Vapor
import Fluent
import Domain
import Accounts
import AppCore
import CarePathways
import Patients
import Scheduling

/// Wounds, their photos and measurements, and the uploads that become photos. Every read and change is authorized
/// by the one policy and audited (category `photos`); photo bytes are only ever served through here.
package struct PhotoStore {
    package let scope: AuditScope

    package struct WoundInput: Content {
        /// One of `FootSites.all`'s names, "other" (then `bodySiteOther` says where), or the words themselves.
        package var bodySite: String?
        package var side: String?
        package var bodySiteOther: String?

        package init(bodySite: String? = nil, side: String? = nil, bodySiteOther: String? = nil) {
            self.bodySite = bodySite
            self.side = side
            self.bodySiteOther = bodySiteOther
        }

        /// Where the wound is, in words: the picked site, or what was written under "Other".
        package var site: String? { bodySite == "other" ? bodySiteOther : bodySite }
    }

    package struct Measurement: Content {
        package var lengthMm: Double?
        package var widthMm: Double?
        package var depthMm: Double?
    }

    package struct WoundDTO: Content {
        package let id: UUID
        package let patientId: UUID
        package let bodySite: String
        package let side: String
        package let createdAt: Date
        package let photos: [PhotoDTO]
    }

    /// Where a resumable upload stands, as its uploader may see it.
    package struct UploadState: Sendable {
        package let id: UUID
        package let purpose: UploadPurpose
        package let offset: Int
        package let length: Int
        package let expiresAt: Date
        package let isComplete: Bool
        /// The photo or attachment made of it, once it was.
        package var resultId: UUID?

        package init(_ u: UploadRecord) throws {
            id = try u.requireID(); purpose = u.purpose; offset = u.offset; length = u.length
            expiresAt = u.expiresAt; isComplete = u.completedAt != nil; resultId = u.resultID
        }
    }

    package struct PhotoDTO: Content {
        package let id: UUID
        package let patientId: UUID
        package let woundId: UUID
        package let appointmentId: UUID?
        package let uploadedAt: Date
        package let uploadedBy: String
        package let width: Int
        package let height: Int
        package let bytes: Int
        package let sha256: String
        package let lengthMm: Double?
        package let widthMm: Double?
        package let depthMm: Double?

        package init(_ p: PhotoRecord) throws {
            id = try p.requireID(); patientId = p.patientID; woundId = p.woundID; appointmentId = p.appointmentID
            uploadedAt = p.uploadedAt
            uploadedBy = p.uploadedBy
            width = p.width; height = p.height; bytes = p.bytes; sha256 = p.sha256
            lengthMm = p.lengthMM; widthMm = p.widthMM; depthMm = p.depthMM
        }
    }

    package func createWound(patientID: UUID, _ input: WoundInput) async throws -> WoundDTO {
        try await scope.authorize(.uploadPhoto(patientID: patientID), patientID: patientID)
        let errors = WoundRules.check(bodySite: input.site, side: input.side).map {
            $0.field == "bodySite" && input.bodySite == "other" ? FieldError("bodySiteOther", $0.message) : $0
        }
        if !errors.isEmpty { throw AppError.validation(errors) }
        let now = scope.now, by = scope.principal.username
        return try await scope.run { tx in
            guard try await PatientRecord.find(patientID, on: tx) != nil else {
                throw AppError.notFound("No such patient.")
            }
            let w = WoundRecord()
            w.id = UUID()
            w.createdAt = now
            w.createdBy = by
            w.bodySite = Text.clean(input.site)!
            w.side = input.side!
            w.patientID = patientID
            try await w.create(on: tx)
            return (
                WoundDTO(
                    id: try w.requireID(), patientId: patientID, bodySite: w.bodySite, side: w.side,
                    createdAt: now, photos: []),
                [
                    AuditDraft(
                        action: .create, category: .photos, patientID: patientID, entityType: "Wound",
                        entityID: w.id?.uuidString)
                ]
            )
        }
    }

    /// The patient's wounds with their photos, oldest photo first (a timeline).
    package func wounds(patientID: UUID) async throws -> [WoundDTO] {
        try await scope.authorize(.readPhotos(patientID: patientID), patientID: patientID)
        return try await scope.run { tx in
            let wounds = try await WoundRecord.query(on: tx).filter(\.$patientID == patientID).sort(\.$createdAt).all()
            let photos = try await PhotoRecord.query(on: tx).filter(\.$patientID == patientID).sort(\.$uploadedAt).all()
            let out = try wounds.map { w in
                WoundDTO(
                    id: try w.requireID(), patientId: patientID, bodySite: w.bodySite, side: w.side,
                    createdAt: w.createdAt,
                    photos: try photos.filter { $0.woundID == w.id }.map(PhotoDTO.init))
            }
            return (
                out,
                [
                    AuditDraft(
                        action: .read, category: .photos, patientID: patientID, entityType: "Wound",
                        detail: "\(wounds.count) wounds, \(photos.count) photos listed")
                ]
            )
        }
    }

    /// A photo's bytes (or its thumbnail), for the patient or authorised staff; each download is audited.
    package func download(_ id: UUID, thumbnail: Bool) async throws -> Data {
        guard let p = try await PhotoRecord.find(id, on: scope.db) else { throw AppError.notFound("No such photo.") }
        try await scope.authorize(.readPhotos(patientID: p.patientID), patientID: p.patientID)
        guard let data = try scope.app.blobs.get(thumbnail ? p.thumbKey : p.blobKey) else {
            throw AppError.notFound("The photo's file is missing.")
        }
        try await scope.record([
            AuditDraft(
                action: .read, category: .photos, patientID: p.patientID, entityType: "Photo",
                entityID: id.uuidString, detail: thumbnail ? "thumbnail" : "full image")
        ])
        return data
    }

    package func measure(_ id: UUID, _ m: Measurement) async throws -> PhotoDTO {
        guard let p = try await PhotoRecord.find(id, on: scope.db) else { throw AppError.notFound("No such photo.") }
        try await scope.authorize(.measureWound(patientID: p.patientID), patientID: p.patientID)
        let errors = [
            WoundRules.checkMeasurement("length", m.lengthMm), WoundRules.checkMeasurement("width", m.widthMm),
            WoundRules.checkMeasurement("depth", m.depthMm),
        ].compactMap { $0 }
        if !errors.isEmpty { throw AppError.validation(errors) }
        let now = scope.now, by = scope.principal.username
        return try await scope.run { tx in
            guard let p = try await PhotoRecord.find(id, on: tx) else { throw AppError.notFound("No such photo.") }
            p.lengthMM = m.lengthMm
            p.widthMM = m.widthMm
            p.depthMM = m.depthMm
            p.measuredBy = by
            p.measuredAt = now
            try await p.save(on: tx)
            return (
                try PhotoDTO(p),
                [
                    AuditDraft(
                        action: .update, category: .photos, patientID: p.patientID, entityType: "Photo",
                        entityID: id.uuidString,
                        detail: "measured length,width,depth")
                ]
            )
        }
    }

    // MARK: uploads (tus)

    package static let uploadLifetime: TimeInterval = 24 * 3600

    package func partFile(_ id: UUID) -> URL {
        URL(fileURLWithPath: scope.app.config.dataDir).appendingPathComponent("uploads/\(id.uuidString).part")
    }

    /// Starts an upload of `length` bytes for a wound. Only its uploader can continue or cancel it.
    package func startUpload(length: Int?, metadata: [String: String]) async throws -> UploadState {
        guard let owner = scope.principal.userID else { throw AppError.forbidden("Uploads need a signed-in account.") }
        guard let length else {
            throw AppError.malformed(
                field: "Upload-Length", detail: "Send Upload-Length (deferred lengths are not supported).")
        }
        let limits = ImageLimits()
        guard length > 0 else { throw AppError.validation([FieldError("Upload-Length", "The file is empty.")]) }
        guard length <= limits.maxBytes else {
            throw Abort(.payloadTooLarge, reason: "Photos may be at most \(limits.maxBytes / 1_048_576) MB.")
        }
        let now = scope.now
        let u = UploadRecord()
        u.id = UUID()
        if metadata["purpose"] == UploadPurpose.attachment.rawValue {
            // A document or photo for a message or an intake answer.
            guard let pid = metadata["patientId"].flatMap(UUID.init(uuidString:)),
                try await PatientRecord.find(pid, on: scope.db) != nil
            else {
                throw AppError.validation([
                    FieldError("patientId", "Name the patient the attachment belongs to (Upload-Metadata patientId).")
                ])
            }
            try await scope.authorize(.sendMessage(patientID: pid), patientID: pid)
            u.purpose = .attachment
            u.patientID = pid
            return try await create(u, length: length, owner: owner, now: now)
        }
        guard let w = metadata["woundId"].flatMap(UUID.init(uuidString:)),
            let wound = try await WoundRecord.find(w, on: scope.db)
        else {
            throw AppError.validation([
                FieldError("woundId", "Name the wound the photo belongs to (Upload-Metadata woundId).")
            ])
        }
        try await scope.authorize(.uploadPhoto(patientID: wound.patientID), patientID: wound.patientID)
        var visit: UUID?
        if let a = metadata["appointmentId"], !a.isEmpty {
            guard let aid = UUID(uuidString: a), let appt = try await AppointmentRecord.find(aid, on: scope.db),
                appt.patientID == wound.patientID
            else {
                throw AppError.validation([FieldError("appointmentId", "No visit of this patient with that id.")])
            }
            visit = aid
        }
        u.purpose = .woundPhoto
        u.patientID = wound.patientID
        u.woundID = wound.id
        u.appointmentID = visit
        return try await create(u, length: length, owner: owner, now: now)
    }

    private func create(_ u: UploadRecord, length: Int, owner: UUID, now: Date) async throws -> UploadState {
        u.createdAt = now
        u.expiresAt = now.addingTimeInterval(Self.uploadLifetime)
        u.offset = 0
        u.length = length
        u.ownerID = owner
        let file = partFile(try u.requireID())
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600])
        else {
            throw AppError.conflict(
                type: "storage", detail: "The upload could not be started on the server.", extra: [:])
        }
        try await scope.app.serializer.write(scope.db) { tx in try await u.create(on: tx) }
        return try UploadState(u)
    }

    /// The caller's own, unexpired upload (anyone else's is "not found").
    package func upload(_ id: UUID) async throws -> UploadState {
        guard let u = try await UploadRecord.find(id, on: scope.db), u.ownerID == scope.principal.userID else {
            throw AppError.notFound("No such upload.")
        }
        if u.completedAt == nil && u.expiresAt <= scope.now {
            try? FileManager.default.removeItem(at: partFile(id))
            throw AppError.notFound("This upload expired; start again.")
        }
        return try UploadState(u)
    }

    /// `complete` carries the new photo's or attachment's id and which it is ("photo" or "attachment").
    package enum AppendResult: Sendable { case partial(Int), complete(Int, UUID, UploadPurpose) }

    /// Appends a chunk at `offset` (which must be where the upload stands). Bytes are on disk (fsync) before the new
    /// offset is recorded, so an acknowledged offset is never lost. The chunk that completes the file makes the photo.
    package func append(_ id: UUID, offset: Int, chunk: Data, checksum: (algorithm: String, digest: Data)?) async throws
        -> AppendResult
    {
        let u = try await upload(id)
        if u.isComplete {
            throw AppError.conflict(type: "upload-complete", detail: "This upload is already complete.", extra: [:])
        }
        if let c = checksum {
            let actual: Data
            switch c.algorithm {
            case "sha1": actual = Data(Insecure.SHA1.hash(data: chunk))
            case "sha256": actual = Data(SHA256.hash(data: chunk))
            case "md5": actual = Data(Insecure.MD5.hash(data: chunk))
            default:
                throw AppError.malformed(
                    field: "Upload-Checksum", detail: "Checksum algorithm must be sha1, sha256 or md5.")
            }
            guard actual == c.digest else {
                throw Abort(
                    HTTPResponseStatus(statusCode: 460, reasonPhrase: "Checksum Mismatch"),
                    reason: "The chunk's checksum does not match; send it again.")
            }
        }
        let file = partFile(id)
        let newOffset: Int = try await scope.app.serializer.write(scope.db) { tx in
            guard let cur = try await UploadRecord.find(id, on: tx) else { throw AppError.notFound("No such upload.") }
            guard cur.offset == offset else {
                throw AppError.conflict(
                    type: "offset-mismatch",
                    detail: "The upload is at byte \(cur.offset), not \(offset): ask with HEAD and resume from there.",
                    extra: ["uploadOffset": String(cur.offset)])
            }
            guard offset + chunk.count <= cur.length else {
                throw AppError.malformed(
                    field: "Upload-Offset",
                    detail: "The chunk goes past the declared Upload-Length (\(cur.length) bytes).")
            }
            let h = try FileHandle(forWritingTo: file)
            try h.truncate(atOffset: UInt64(offset))
            try h.seek(toOffset: UInt64(offset))
            try h.write(contentsOf: chunk)
            try h.synchronize()
            try h.close()
            cur.offset = offset + chunk.count
            try await cur.save(on: tx)
            return cur.offset
        }
        guard newOffset == u.length else { return .partial(newOffset) }
        if u.purpose == .attachment {
            return .complete(newOffset, try await finishAttachment(id, file: file), .attachment)
        }
        return .complete(newOffset, try await finish(id).id, .woundPhoto)
    }

    /// An upload whose bytes all arrived but whose photo or attachment was never made (the server stopped between
    /// storing the last chunk and processing it): made now. A standard tus client that finds the offset complete
    /// stops asking, so this runs when the client asks (HEAD) and for every such upload when the server starts.
    package func finishIfStranded(_ u: UploadState) async throws -> UUID? {
        guard !u.isComplete, u.resultId == nil, u.offset == u.length,
            FileManager.default.fileExists(atPath: partFile(u.id).path)
        else { return nil }
        if u.purpose == .attachment { return try await finishAttachment(u.id, file: partFile(u.id)) }
        return try await finish(u.id).id
    }

    /// The start-up pass: each stranded upload is finished under its owner's name (audited as such).
    package static func finishStranded(_ app: Application) async -> Int {
        guard let stranded = try? await UploadRecord.query(on: app.db).filter(\.$completedAt == nil).all() else {
            return 0
        }
        var done = 0
        for u in stranded where u.offset == u.length {
            guard let owner = try? await UserRecord.find(u.ownerID, on: app.db) else { continue }
            let scope = AuditScope(
                app: app, db: app.db, context: AuditContext(actor: owner.actor, device: "upload-recovery"))
            do {
                if try await PhotoStore(scope: scope).finishIfStranded(try UploadState(u)) != nil { done += 1 }
            } catch {
                app.logger.warning(
                    "a stranded upload could not be finished", metadata: ["upload": .string(u.id?.uuidString ?? "")])
            }
        }
        return done
    }

    /// Processes a complete upload into a photo. A file that fails is removed with its upload: nothing is left behind.
    package func finish(_ id: UUID) async throws -> PhotoDTO {
        let file = partFile(id)
        let processed: ImagePipeline.Processed
        do {
            processed = try await ImagePipeline.process(file)
        } catch let refusal as ImagePipeline.Refused {
            try await discard(id)
            throw AppError.validation([FieldError("file", refusal.description)])
        }
        let blobKey = "photos/\(processed.sha256.prefix(2))/\(processed.sha256).jpg"
        let thumbKey = "photos/\(processed.sha256.prefix(2))/\(processed.sha256).thumb.jpg"
        try scope.app.blobs.put(blobKey, processed.photo)
        try scope.app.blobs.put(thumbKey, processed.thumbnail)
        let now = scope.now, by = scope.principal.username
        let photo = try await scope.run { tx in
            guard let u = try await UploadRecord.find(id, on: tx), let wound = u.woundID else {
                throw AppError.notFound("No such upload.")
            }
            let p = PhotoRecord()
            p.id = UUID()
            p.uploadedAt = now
            p.uploadedBy = by
            p.sha256 = processed.sha256
            p.blobKey = blobKey
            p.thumbKey = thumbKey
            p.width = processed.width
            p.height = processed.height
            p.bytes = processed.photo.count
            p.patientID = u.patientID
            p.woundID = wound
            p.appointmentID = u.appointmentID
            try await p.create(on: tx)
            u.completedAt = now
            u.resultID = p.id
            try await u.save(on: tx)
            let prompt = try await PathwayStore.photoReceived(
                patientID: u.patientID, photoID: try p.requireID(), now: now, on: tx)
            return (
                try PhotoDTO(p),
                [
                    AuditDraft(
                        action: .create, category: .photos, patientID: u.patientID, entityType: "Photo",
                        entityID: p.id?.uuidString,
                        detail: "uploaded \(processed.width)x\(processed.height), metadata removed")
                ] + (prompt.map { [$0] } ?? [])
            )
        }
        try? FileManager.default.removeItem(at: file)
        return photo
    }

    /// tus termination, and the clean-up after a refused file.
    package func discard(_ id: UUID) async throws {
        try? FileManager.default.removeItem(at: partFile(id))
        try await scope.app.serializer.write(scope.db) { tx in
            try await UploadRecord.query(on: tx).filter(\.$id == id).filter(\.$completedAt == nil).delete()
        }
    }

    package init(scope: AuditScope) {
        self.scope = scope
    }
}

extension Request {
    package func photos() throws -> PhotoStore { PhotoStore(scope: try scope()) }
}
