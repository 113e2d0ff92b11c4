import Foundation

/// One line of `caresync doctor`: what was checked, whether it passed, and what was seen.
public struct BaselineCheck: Codable, Equatable, Sendable {
    public enum Status: String, Codable, Sendable { case pass, fail, skip }
    public let name: String
    public let status: Status
    public let detail: String

    public init(_ name: String, _ status: Status, _ detail: String) {
        self.name = name
        self.status = status
        self.detail = detail
    }

    public static func pass(_ name: String, _ detail: String) -> BaselineCheck { .init(name, .pass, detail) }
    public static func fail(_ name: String, _ detail: String) -> BaselineCheck { .init(name, .fail, detail) }
    public static func skip(_ name: String, _ detail: String) -> BaselineCheck { .init(name, .skip, detail) }
}

/// The security baseline a deployment is held to, as pure rules over what `doctor` observed.
public enum SecurityBaseline {
    /// HSTS: over TLS, at least 180 days; over plain http, absent (it means nothing there).
    public static func hsts(_ header: String?, overTLS: Bool) -> BaselineCheck {
        guard overTLS else {
            return header == nil
                ? .pass("hsts", "not sent over plain http") : .fail("hsts", "sent over plain http: \(header!)")
        }
        guard let header else { return .fail("hsts", "no Strict-Transport-Security header over TLS") }
        let age =
            header.split(separator: ";").compactMap { part -> Int? in
                let kv = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                return kv.count == 2 && kv[0].lowercased() == "max-age" ? Int(kv[1]) : nil
            }.first ?? 0
        return age >= 180 * 86400
            ? .pass("hsts", header) : .fail("hsts", "max-age \(age) s is under 180 days: \(header)")
    }

    /// CSP: a default source, no inline or eval'd script, and base, objects and framing closed.
    public static func csp(_ header: String?) -> BaselineCheck {
        guard let header, !header.isEmpty else { return .fail("csp", "no Content-Security-Policy header") }
        var directives: [String: [String]] = [:]
        for d in header.split(separator: ";") {
            let words = d.split(separator: " ").map(String.init)
            if let name = words.first { directives[name.lowercased()] = Array(words.dropFirst()) }
        }
        var missing: [String] = []
        if directives["default-src"] == nil { missing.append("default-src") }
        if directives["base-uri"] == nil { missing.append("base-uri") }
        if directives["frame-ancestors"].map({ !$0.contains("'none'") && !$0.contains("'self'") }) ?? true {
            missing.append("frame-ancestors 'none'")
        }
        let objects =
            directives["object-src"] ?? (directives["default-src"]?.contains("'none'") == true ? ["'none'"] : [])
        if !objects.contains("'none'") { missing.append("object-src 'none'") }
        let script = directives["script-src"] ?? directives["default-src"] ?? []
        if script.contains("'unsafe-inline'") || script.contains("'unsafe-eval'") {
            missing.append("script without 'unsafe-inline'/'unsafe-eval'")
        }
        return missing.isEmpty
            ? .pass("csp", header) : .fail("csp", "lacks \(missing.joined(separator: ", ")): \(header)")
    }

    /// Cookies: every one HttpOnly and SameSite; Secure whenever the site is served over TLS.
    public static func cookies(_ setCookies: [String], overTLS: Bool) -> BaselineCheck {
        guard !setCookies.isEmpty else { return .skip("cookies", "the sign-in page set no cookie") }
        var problems: [String] = []
        for c in setCookies {
            let parts = c.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            let name = c.split(separator: "=").first.map(String.init) ?? c
            if !parts.contains("httponly") { problems.append("\(name) without HttpOnly") }
            if !parts.contains(where: { $0.hasPrefix("samesite=lax") || $0.hasPrefix("samesite=strict") }) {
                problems.append("\(name) without SameSite")
            }
            if overTLS && !parts.contains("secure") { problems.append("\(name) without Secure") }
        }
        return problems.isEmpty
            ? .pass("cookies", "\(setCookies.count) cookie(s): HttpOnly, SameSite\(overTLS ? ", Secure" : "")")
            : .fail("cookies", problems.joined(separator: "; "))
    }

    /// The certificate: valid for at least three more weeks (renewal runs well before that).
    public static func certificate(expires: Date?, now: Date) -> BaselineCheck {
        guard let expires else { return .fail("certificate", "no certificate could be read") }
        let days = Int(expires.timeIntervalSince(now) / 86400)
        return days >= 21
            ? .pass("certificate", "expires in \(days) days")
            : .fail("certificate", days < 0 ? "expired \(-days) days ago" : "expires in \(days) days: renew now")
    }

    /// The expiry `openssl x509 -noout -enddate` prints: `notAfter=Nov 29 00:00:00 2027 GMT`.
    public static func notAfter(_ text: String) -> Date? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("notAfter=") }) else { return nil }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "MMM d HH:mm:ss yyyy zzz"
        let value = line.dropFirst("notAfter=".count).split(separator: " ").joined(separator: " ")
        return f.date(from: value)
    }

    /// TLS versions: only 1.2 and 1.3 may be accepted.
    public static func tlsVersions(accepted: [String]) -> BaselineCheck {
        let old = accepted.filter { ["TLSv1", "TLSv1.1", "SSLv3"].contains($0) }
        if accepted.isEmpty { return .fail("tls-versions", "no TLS version was accepted") }
        return old.isEmpty
            ? .pass("tls-versions", "accepts \(accepted.joined(separator: ", "))")
            : .fail("tls-versions", "accepts outdated \(old.joined(separator: ", "))")
    }

    /// Listening sockets: only loopback, or the web ports, may face the network.
    public static func listeners(_ addresses: [String], allowedPorts: Set<Int> = [80, 443]) -> BaselineCheck {
        let exposed = addresses.filter { a in
            guard let colon = a.lastIndex(of: ":"), let port = Int(a[a.index(after: colon)...]) else { return false }
            let host = String(a[..<colon])
            let loopback = host.hasPrefix("127.") || host == "[::1]" || host == "::1" || host == "localhost"
            return !loopback && !allowedPorts.contains(port)
        }
        return exposed.isEmpty
            ? .pass("ports", "\(addresses.count) listening socket(s); none but the web ports faces the network")
            : .fail("ports", "listening beyond loopback: \(exposed.joined(separator: ", "))")
    }
}
