import Foundation
import Crypto
import Domain
#if canImport(Glibc)
    import Glibc
#endif

/// `caresync turn-check`: mints credentials the way a visit does and asks the TURN server for an allocation over UDP
/// (RFC 8656: Allocate → 401 with realm and nonce → Allocate with long-term credentials → success with a relayed
/// address), then releases it (Refresh, lifetime 0). A wrong secret shows as the server's 401.
public enum TurnCheck {
    public struct Result: Codable, Sendable {
        public let server: String
        public let ok: Bool
        public let relayedAddress: String?
        public let lifetimeSeconds: Int?
        public let realm: String?
        public let milliseconds: Int
        public let problem: String?
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// host and port of the first UDP TURN URL ("turn:host:port?transport=udp" or "turn:host:port").
    package static func target(_ urls: [String]) -> (String, Int)? {
        for u in urls where u.hasPrefix("turn:") && !u.contains("transport=tcp") {
            let rest = u.dropFirst(5).split(separator: "?").first.map(String.init) ?? ""
            let parts = rest.split(separator: ":")
            guard let host = parts.first else { continue }
            return (String(host), parts.count > 1 ? Int(parts[1]) ?? 3478 : 3478)
        }
        return nil
    }

    public static func run(urls: [String], secret: String?, timeout: TimeInterval = 3) -> Result {
        let start = Date()
        func done(
            _ ok: Bool, _ server: String, relayed: String? = nil, lifetime: Int? = nil, realm: String? = nil,
            problem: String? = nil
        ) -> Result {
            Result(
                server: server, ok: ok, relayedAddress: relayed, lifetimeSeconds: lifetime, realm: realm,
                milliseconds: Int(Date().timeIntervalSince(start) * 1000), problem: problem)
        }
        guard let (host, port) = target(urls) else {
            return done(
                false, "-", problem: "no UDP TURN URL configured (CARESYNC_TURN_URLS, e.g. turn:turn.example.org:3478)")
        }
        let server = "\(host):\(port)"
        guard let secret else {
            return done(false, server, problem: "no TURN secret configured (CARESYNC_TURN_SECRET)")
        }
        let creds = TurnCredentials.mint(secret: secret, userID: "turn-check", ttl: 600, now: Date())
        do {
            let sock = try UDPSocket(host: host, port: port, timeout: timeout)
            defer { sock.close() }
            // 1. Unauthenticated Allocate: the server answers 401 with its realm and a nonce.
            let first = try sock.exchange(Stun.message(type: 0x0003, attributes: [(0x0019, [17, 0, 0, 0])]))
            guard first.type == 0x0113, first.errorCode == 401, let realm = first.string(0x0014),
                let nonce = first.attr(0x0015)
            else {
                return done(
                    false, server,
                    problem:
                        "unexpected first answer (type 0x\(String(first.type, radix: 16)), error "
                        + "\(first.errorCode ?? 0))"
                )
            }
            let key = Array(Insecure.MD5.hash(data: Data("\(creds.username):\(realm):\(creds.password)".utf8)))
            let auth: [(UInt16, [UInt8])] = [
                (0x0006, Array(creds.username.utf8)), (0x0014, Array(realm.utf8)), (0x0015, nonce),
            ]
            // 2. Allocate with the minted credentials.
            let second = try sock.exchange(
                Stun.message(type: 0x0003, attributes: [(0x0019, [17, 0, 0, 0])] + auth, integrityKey: key))
            guard second.type == 0x0103, let relayed = second.xorAddress(0x0016) else {
                return done(
                    false, server, realm: realm,
                    problem:
                        "allocation refused: error \(second.errorCode ?? 0) "
                        + "\(second.string(0x0009).map { String($0.dropFirst(4)) } ?? "")"
                        + (second.errorCode == 401
                            ? " (the TURN secret does not match the server's static-auth-secret)" : ""))
            }
            let lifetime = second.attr(0x000D).map {
                Int($0[0]) << 24 | Int($0[1]) << 16 | Int($0[2]) << 8 | Int($0[3])
            }
            // 3. Release it.
            _ = try? sock.exchange(
                Stun.message(type: 0x0004, attributes: [(0x000D, [0, 0, 0, 0])] + auth, integrityKey: key))
            return done(true, server, relayed: relayed, lifetime: lifetime, realm: realm)
        } catch {
            return done(false, server, problem: "\(error)")
        }
    }
}

/// Just enough STUN (RFC 8489) for the check.
package enum Stun {
    package static let cookie: [UInt8] = [0x21, 0x12, 0xA4, 0x42]

    package static func message(type: UInt16, attributes: [(UInt16, [UInt8])], integrityKey: [UInt8]? = nil) -> [UInt8]
    {
        var body: [UInt8] = []
        for (t, v) in attributes {
            body += be16(t) + be16(UInt16(v.count)) + v
            body += [UInt8](repeating: 0, count: (4 - v.count % 4) % 4)
        }
        let tid = (0..<12).map { _ in UInt8.random(in: 0...255) }
        var msg = be16(type) + be16(UInt16(body.count + (integrityKey == nil ? 0 : 24))) + cookie + tid + body
        if let key = integrityKey {
            let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(msg), using: SymmetricKey(data: Data(key)))
            msg += be16(0x0008) + be16(20) + Array(mac)
        }
        return msg
    }

    package static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }

    package struct Parsed {
        package let type: UInt16
        package let attrs: [UInt16: [UInt8]]
        package func attr(_ t: UInt16) -> [UInt8]? { attrs[t] }
        package func string(_ t: UInt16) -> String? { attrs[t].map { String(decoding: $0, as: UTF8.self) } }
        package var errorCode: Int? {
            attrs[0x0009].flatMap { $0.count >= 4 ? Int($0[2] & 0x7) * 100 + Int($0[3]) : nil }
        }
        package func xorAddress(_ t: UInt16) -> String? {
            guard let v = attrs[t], v.count >= 8, v[1] == 0x01 else { return nil }
            let port = (UInt16(v[2]) << 8 | UInt16(v[3])) ^ 0x2112
            let ip = (0..<4).map { String(v[4 + $0] ^ Stun.cookie[$0]) }.joined(separator: ".")
            return "\(ip):\(port)"
        }
    }

    package static func parse(_ b: [UInt8]) -> Parsed? {
        guard b.count >= 20, Array(b[4..<8]) == cookie else { return nil }
        let type = UInt16(b[0]) << 8 | UInt16(b[1])
        let len = Int(UInt16(b[2]) << 8 | UInt16(b[3]))
        var attrs: [UInt16: [UInt8]] = [:]
        var i = 20
        while i + 4 <= min(b.count, 20 + len) {
            let t = UInt16(b[i]) << 8 | UInt16(b[i + 1]), l = Int(UInt16(b[i + 2]) << 8 | UInt16(b[i + 3]))
            guard i + 4 + l <= b.count else { break }
            if attrs[t] == nil { attrs[t] = Array(b[(i + 4)..<(i + 4 + l)]) }
            i += 4 + l + (4 - l % 4) % 4
        }
        return Parsed(type: type, attrs: attrs)
    }
}

/// A connected UDP socket with a receive timeout.
package final class UDPSocket {
    package let fd: Int32

    package init(host: String, port: Int, timeout: TimeInterval) throws {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &res) == 0, let ai = res else {
            throw TurnCheck.Failure(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(res) }
        fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
        guard fd >= 0 else { throw TurnCheck.Failure(description: "cannot open a UDP socket") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 else {
            Glibc.close(fd); throw TurnCheck.Failure(description: "cannot reach \(host):\(port)")
        }
    }

    package func exchange(_ msg: [UInt8]) throws -> Stun.Parsed {
        for _ in 0..<3 {
            _ = msg.withUnsafeBytes { send(fd, $0.baseAddress, msg.count, 0) }
            var buf = [UInt8](repeating: 0, count: 2048)
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 2048, 0) }
            if n > 0, let p = Stun.parse(Array(buf[0..<n])) { return p }
        }
        throw TurnCheck.Failure(description: "no answer from the TURN server (UDP blocked, or nothing listening)")
    }

    package func close() { Glibc.close(fd) }
}
