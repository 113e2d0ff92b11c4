import Vapor
import Domain

/// Errors a handler or store raises; `ErrorMapping` turns them into problem details (API) or pages (HTML).
public enum AppError: Error, Sendable {
    /// Input broke a rule: every field problem.
    case validation([FieldError])
    /// The request body could not be read at all (malformed JSON, wrong types).
    case malformed(field: String?, detail: String)
    case unauthorized(String)
    /// Signed in, but this actor may not do this.
    case forbidden(String)
    case notFound(String)
    /// State conflict: a possible duplicate, an edit race. `type` is the problem type slug.
    case conflict(type: String, detail: String, extra: [String: String])
    case preconditionFailed(String)
    case locked(String)
    case tooManyRequests(String)

    package var status: HTTPResponseStatus {
        switch self {
        case .validation: return .unprocessableEntity
        case .malformed: return .badRequest
        case .unauthorized: return .unauthorized
        case .forbidden: return .forbidden
        case .notFound: return .notFound
        case .conflict: return .conflict
        case .preconditionFailed: return .preconditionFailed
        case .locked: return .locked
        case .tooManyRequests: return .tooManyRequests
        }
    }
}

/// RFC 9457 problem details, with `errors` naming each field.
public struct Problem: Content, Sendable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var instance: String?
    public var errors: [FieldError]?
    public var extra: [String: String]?

    package static func from(_ error: AppError, instance: String?) -> Problem {
        switch error {
        case .validation(let errs):
            let detail = errs.map { "\($0.field): \($0.message)" }.joined(separator: " ")
            return Problem(
                type: "/problems/validation", title: "The input is not valid", status: 422, detail: detail,
                instance: instance, errors: errs)
        case .malformed(let field, let detail):
            return Problem(
                type: "/problems/malformed-request", title: "The request body could not be read", status: 400,
                detail: detail,
                instance: instance, errors: field.map { [FieldError($0, detail)] })
        case .unauthorized(let d):
            return Problem(
                type: "/problems/unauthorized", title: "Sign-in required", status: 401, detail: d, instance: instance)
        case .forbidden(let d):
            return Problem(
                type: "/problems/forbidden", title: "Not allowed", status: 403, detail: d, instance: instance)
        case .notFound(let d):
            return Problem(type: "/problems/not-found", title: "Not found", status: 404, detail: d, instance: instance)
        case .conflict(let type, let d, let extra):
            return Problem(
                type: "/problems/\(type)", title: "Conflict", status: 409, detail: d, instance: instance,
                extra: extra.isEmpty ? nil : extra)
        case .preconditionFailed(let d):
            return Problem(
                type: "/problems/precondition-failed", title: "The record changed", status: 412, detail: d,
                instance: instance)
        case .locked(let d):
            return Problem(
                type: "/problems/account-locked", title: "Account locked", status: 423, detail: d, instance: instance)
        case .tooManyRequests(let d):
            return Problem(
                type: "/problems/rate-limited", title: "Too many attempts", status: 429, detail: d, instance: instance)
        }
    }
}

extension AppError {
    /// Turns a decoding failure into a field-specific message; never echoes the value.
    package static func from(decoding error: DecodingError) -> AppError {
        func path(_ ctx: DecodingError.Context) -> String? {
            let p = ctx.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? nil : p
        }
        switch error {
        case .typeMismatch(let type, let ctx):
            let field = path(ctx)
            return .malformed(field: field, detail: "\(field ?? "The body") must be \(describe(type)).")
        case .valueNotFound(let type, let ctx):
            let field = path(ctx)
            return .malformed(field: field, detail: "\(field ?? "The body") must be \(describe(type)), not null.")
        case .keyNotFound(let key, let ctx):
            let field = (path(ctx).map { $0 + "." } ?? "") + key.stringValue
            return .malformed(field: field, detail: "\(field) is required.")
        case .dataCorrupted(let ctx):
            if let field = path(ctx) {
                return .malformed(field: field, detail: "\(field) has a value that cannot be read.")
            }
            return .malformed(field: nil, detail: "The body is not valid JSON.")
        @unknown default:
            return .malformed(field: nil, detail: "The body could not be read.")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        let n = String(describing: type)
        if n.contains("String") { return "a string" }
        if n.contains("Int") || n.contains("Double") { return "a number" }
        if n.contains("Bool") { return "true or false" }
        if n.contains("UUID") { return "a UUID string" }
        if n.contains("Array") { return "an array" }
        if n.contains("Dictionary") { return "an object" }
        return "of type \(n)"
    }
}

extension Request {
    /// The `:id` route parameter as a UUID; anything else is a 404 naming what was looked for.
    package func idParameter(_ what: String) throws -> UUID {
        guard let s = parameters.get("id"), let id = UUID(uuidString: s) else {
            throw AppError.notFound("No \(what) with that id.")
        }
        return id
    }

    package static let maxJSONBody = 64 * 1024

    /// ISO 8601 instants, with or without fractional seconds, with Z or an offset.
    package static var jsonDecoder: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { dec in
            let s = try dec.singleValueContainer().decode(String.self)
            if let date = ISO8601.parse(s) { return date }
            throw DecodingError.dataCorruptedError(
                in: try dec.singleValueContainer(), debugDescription: "not an ISO 8601 instant")
        }
        return d
    }

    /// Decodes JSON content, mapping every failure to a field-specific 400.
    package func decodeJSON<T: Decodable>(_ type: T.Type) throws -> T {
        guard let ct = headers.contentType, ct.type == "application",
            ct.subType == "json" || ct.subType.hasSuffix("+json")
        else {
            throw AppError.malformed(field: nil, detail: "Send the body as application/json.")
        }
        guard let body = body.data, body.readableBytes > 0 else {
            throw AppError.malformed(field: nil, detail: "The request has no body.")
        }
        if body.readableBytes > Self.maxJSONBody { throw Abort(.payloadTooLarge) }
        do {
            return try Self.jsonDecoder.decode(T.self, from: Data(buffer: body))
        } catch let e as DecodingError {
            throw AppError.from(decoding: e)
        }
    }
}

package enum ISO8601 {
    package static func parse(_ s: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let d = plain.date(from: s) { return d }
        let frac = ISO8601DateFormatter()
        frac.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return frac.date(from: s)
    }
}

extension AppError {
    /// The fields a form's page marks for this error: a validation's own list, or else the whole problem on `field`
    /// (a conflict, a rule that refused). One place for every page that shows its form again.
    package func fieldErrors(otherwise field: String) -> [FieldError] {
        if case .validation(let list) = self { return list }
        return [FieldError(field, Problem.from(self, instance: nil).detail)]
    }
}
