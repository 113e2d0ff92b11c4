import Vapor
import Domain
import AppCore

/// tus 1.0.0 (creation, checksum, termination, expiration) for photo uploads, mounted at /api/v1/uploads (bearer
/// tokens) and /portal/uploads (the portal's session, CSRF token in X-CSRF-Token). Handlers stay thin: the rules
/// live in `PhotoStore` and `Tus`.
package enum TusController {
    /// Checks `Tus-Resumable` and puts it on every response, errors included.
    package struct ProtocolMiddleware: AsyncMiddleware {
        package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
            let res: Response
            if req.method != .OPTIONS && req.headers.first(name: "Tus-Resumable") != Tus.version {
                res = ErrorMapping.response(
                    for: AppError.preconditionFailed("Send Tus-Resumable: \(Tus.version)."), req: req)
                res.headers.replaceOrAdd(name: "Tus-Version", value: Tus.version)
            } else {
                do { res = try await next.respond(to: req) } catch { res = ErrorMapping.response(for: error, req: req) }
            }
            res.headers.replaceOrAdd(name: "Tus-Resumable", value: Tus.version)
            res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            return res
        }
    }

    package static func register(_ routes: any RoutesBuilder) {
        let tus = routes.grouped(ProtocolMiddleware())
        tus.on(.OPTIONS, use: options)
        tus.post(use: create)
        tus.on(.HEAD, ":id", use: head)
        tus.on(.PATCH, ":id", body: .collect(maxSize: UploadLimits.maxBody), use: patch)
        tus.delete(":id", use: terminate)
    }

    @Sendable package static func options(req: Request) async throws -> Response {
        let res = Response(status: .noContent)
        res.headers.replaceOrAdd(name: "Tus-Version", value: Tus.version)
        res.headers.replaceOrAdd(name: "Tus-Extension", value: Tus.extensions)
        res.headers.replaceOrAdd(name: "Tus-Max-Size", value: String(ImageLimits().maxBytes))
        res.headers.replaceOrAdd(name: "Tus-Checksum-Algorithm", value: "sha1,sha256,md5")
        return res
    }

    @Sendable package static func create(req: Request) async throws -> Response {
        guard let metadata = Tus.parseMetadata(req.headers.first(name: "Upload-Metadata")) else {
            throw AppError.malformed(
                field: "Upload-Metadata", detail: "Upload-Metadata must be comma-separated 'key base64value' pairs.")
        }
        if req.headers.first(name: "Upload-Defer-Length") != nil {
            throw AppError.malformed(
                field: "Upload-Defer-Length", detail: "Deferred lengths are not supported: send Upload-Length.")
        }
        let length = req.headers.first(name: "Upload-Length").flatMap(Int.init)
        let u = try await req.photos().startUpload(length: length, metadata: metadata)
        let res = Response(status: .created)
        let base = req.url.path.hasSuffix("/") ? String(req.url.path.dropLast()) : req.url.path
        res.headers.replaceOrAdd(name: .location, value: "\(base)/\(u.id.uuidString)")
        res.headers.replaceOrAdd(name: "Upload-Offset", value: "0")
        res.headers.replaceOrAdd(name: "Upload-Expires", value: httpDate(u.expiresAt))
        return res
    }

    @Sendable package static func head(req: Request) async throws -> Response {
        let store = try req.photos()
        var u = try await store.upload(try req.idParameter("upload"))
        // All bytes here but nothing made of them (the server stopped in between): finish it now.
        if let made = try await store.finishIfStranded(u) { u.resultId = made }
        let res = Response(status: .ok)
        res.headers.replaceOrAdd(name: "Upload-Offset", value: String(u.offset))
        res.headers.replaceOrAdd(name: "Upload-Length", value: String(u.length))
        res.headers.replaceOrAdd(name: "Upload-Expires", value: httpDate(u.expiresAt))
        if let result = u.resultId {
            res.headers.replaceOrAdd(
                name: u.purpose == .attachment ? "CareSync-Attachment-Id" : "CareSync-Photo-Id",
                value: result.uuidString)
        }
        return res
    }

    @Sendable package static func patch(req: Request) async throws -> Response {
        guard req.headers.contentType == HTTPMediaType(type: "application", subType: "offset+octet-stream") else {
            throw Abort(
                .unsupportedMediaType, reason: "PATCH bodies must be Content-Type: application/offset+octet-stream.")
        }
        guard let offset = req.headers.first(name: "Upload-Offset").flatMap(Int.init), offset >= 0 else {
            throw AppError.malformed(
                field: "Upload-Offset", detail: "Send Upload-Offset: the byte this chunk starts at.")
        }
        var checksum: (String, Data)?
        if let h = req.headers.first(name: "Upload-Checksum") {
            guard let c = Tus.parseChecksum(h) else {
                throw AppError.malformed(
                    field: "Upload-Checksum", detail: "Upload-Checksum must be '<algorithm> <base64 digest>'.")
            }
            checksum = c
        }
        let chunk = req.body.data.map { Data(buffer: $0) } ?? Data()
        let result: PhotoStore.AppendResult
        do {
            result = try await req.photos().append(
                try req.idParameter("upload"), offset: offset, chunk: chunk,
                checksum: checksum.map { (algorithm: $0.0, digest: $0.1) })
        } catch {
            // An offset that moved on (a resumed client asks again) is not a failure; anything else is.
            if case AppError.conflict = error {} else { req.application.appMetrics.count(.uploadFailure) }
            throw error
        }
        let res = Response(status: .noContent)
        switch result {
        case .partial(let o):
            res.headers.replaceOrAdd(name: "Upload-Offset", value: String(o))
        case .complete(let o, let id, let kind):
            res.headers.replaceOrAdd(name: "Upload-Offset", value: String(o))
            res.headers.replaceOrAdd(
                name: kind == .attachment ? "CareSync-Attachment-Id" : "CareSync-Photo-Id", value: id.uuidString)
        }
        return res
    }

    @Sendable package static func terminate(req: Request) async throws -> Response {
        let store = try req.photos()
        let u = try await store.upload(try req.idParameter("upload"))
        if u.isComplete {
            throw AppError.conflict(
                type: "upload-complete", detail: "A completed upload cannot be cancelled.", extra: [:])
        }
        try await store.discard(u.id)
        return Response(status: .noContent)
    }

    package static func httpDate(_ d: Date) -> String { Format.utc(d, "EEE, dd MMM yyyy HH:mm:ss 'GMT'") }
}
