import Vapor
import FluentKit
import Domain

/// One place where errors become responses: problem+json under /api, an HTML page elsewhere.
/// Messages come from our own errors; anything unexpected is logged without request content and shown generically.
package struct ErrorMapping: AsyncMiddleware {
    package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: req)
        } catch {
            return Self.response(for: error, req: req)
        }
    }

    /// JSON problems for the API and for the portal's upload endpoint (a script reads those).
    package static func isAPI(_ req: Request) -> Bool {
        req.url.path.hasPrefix("/api/") || req.url.path.hasPrefix("/portal/uploads")
            || req.url.path.hasPrefix("/script/")
    }

    package static func response(for error: any Error, req: Request) -> Response {
        let appError: AppError
        switch error {
        case let e as AppError: appError = e
        case let e as ValidationFailure: appError = .validation(e.errors)
        case let e as DecodingError: appError = .from(decoding: e)
        case let e as any AbortError:
            switch e.status {
            case .notFound: appError = .notFound("No such page or resource.")
            case .payloadTooLarge:
                return plain(
                    req, status: .payloadTooLarge,
                    problem: Problem(
                        type: "/problems/too-large", title: "Body too large", status: 413,
                        detail: "The request body is larger than allowed."))
            case .unsupportedMediaType, .badRequest: appError = .malformed(field: nil, detail: e.reason)
            case .unauthorized: appError = .unauthorized(e.reason)
            case .forbidden: appError = .forbidden(e.reason)
            default:
                return plain(
                    req, status: e.status,
                    problem: Problem(
                        type: "about:blank", title: e.status.reasonPhrase, status: Int(e.status.code), detail: e.reason)
                )
            }
        case let e as any DatabaseError where e.isConstraintFailure:
            // Stores check references and overlaps first; a constraint that still fires is a conflict, never a 500.
            req.logger.warning(
                "database constraint refused a write",
                metadata: ["error_type": .string(String(describing: type(of: e)))])
            appError = .conflict(
                type: "constraint",
                detail: "The change conflicts with the stored records (a duplicate, or a "
                    + "reference to a record that does not exist). Nothing was changed.", extra: [:])
        default:
            req.logger.error("unhandled error", metadata: ["error_type": .string(String(describing: type(of: error)))])
            return plain(
                req, status: .internalServerError,
                problem: Problem(
                    type: "about:blank", title: "Internal error", status: 500,
                    detail: "Something went wrong on our side. The request id is \(req.id)."))
        }
        if !isAPI(req), case .unauthorized = appError {
            let target = req.url.path.hasPrefix(Site.portal.path()) ? Site.portalLogin.path() : Site.login.path()
            return req.redirect(to: target)
        }
        return plain(req, status: appError.status, problem: Problem.from(appError, instance: req.url.path))
    }

    private static func plain(_ req: Request, status: HTTPResponseStatus, problem: Problem) -> Response {
        let res = Response(status: status)
        if isAPI(req) {
            res.headers.contentType = HTTPMediaType(
                type: "application", subType: "problem+json", parameters: ["charset": "utf-8"])
            res.body = .init(data: (try? JSONEncoder().encode(problem)) ?? Data())
        } else {
            res.headers.contentType = .html
            res.body = .init(
                string: ErrorPage(status: problem.status, title: problem.title, detail: problem.detail).render(for: req)
            )
        }
        return res
    }

    package init() {
    }
}
