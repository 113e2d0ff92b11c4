import Vapor

/// Optimistic concurrency over HTTP: a record's version as a weak ETag, and If-Match read back as a version.
extension Response {
    /// This response with the record's version as its weak ETag (`W/"3"`).
    package func withETag(_ version: Int) -> Response {
        headers.replaceOrAdd(name: .eTag, value: "W/\"\(version)\"")
        return self
    }
}

extension Request {
    /// If-Match as a version number; nil when absent. `*` matches any version.
    package func ifMatchVersion() throws -> Int? {
        guard let raw = headers.first(name: .ifMatch) else { return nil }
        if raw.trimmingCharacters(in: .whitespaces) == "*" { return nil }
        let digits = raw.replacingOccurrences(of: "W/", with: "").trimmingCharacters(
            in: CharacterSet(charactersIn: "\" "))
        guard let v = Int(digits) else {
            throw AppError.malformed(field: "If-Match", detail: "If-Match must be an ETag from this API, like W/\"3\".")
        }
        return v
    }
}
