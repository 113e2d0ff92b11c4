import Foundation
import Crypto

/// RFC 4648 Base32 (no padding on output; padding and case ignored on input), as authenticator apps use.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    public static func encode(_ data: [UInt8]) -> String {
        var out = ""
        var buffer = 0, bits = 0
        for byte in data {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return out
    }

    public static func decode(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer = 0, bits = 0
        for ch in s.uppercased() where ch != "=" && ch != " " {
            guard let v = alphabet.firstIndex(of: ch) else { return nil }
            buffer = (buffer << 5) | v
            bits += 5
            if bits >= 8 {
                out.append(UInt8((buffer >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return out
    }
}

/// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP), HMAC-SHA1, 6 digits, 30-second steps.
public struct TOTP: Sendable {
    public let secret: [UInt8]
    public let digits: Int
    public let period: TimeInterval

    public init(secret: [UInt8], digits: Int = 6, period: TimeInterval = 30) {
        self.secret = secret
        self.digits = digits
        self.period = period
    }

    public static func generateSecret() -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<20).map { _ in UInt8.random(in: 0...255, using: &g) }
    }

    public func counter(at date: Date) -> UInt64 { UInt64(floor(date.timeIntervalSince1970 / period)) }

    public func code(counter: UInt64) -> String {
        var be = counter.bigEndian
        let msg = withUnsafeBytes(of: &be) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: msg, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let bin =
            (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var mod: UInt32 = 1
        for _ in 0..<digits { mod *= 10 }
        let value = bin % mod
        return String(repeating: "0", count: digits - String(value).count) + String(value)
    }

    public func code(at date: Date) -> String { code(counter: counter(at: date)) }

    /// The matching counter within ±`window` steps, or nil. The caller refuses a counter it has already accepted (no
    /// replay).
    public func matchingCounter(_ candidate: String, at date: Date, window: Int = 1) -> UInt64? {
        let c = candidate.filter { !$0.isWhitespace }
        guard c.count == digits, c.allSatisfy(\.isNumber) else { return nil }
        let now = Int64(counter(at: date))
        for delta in -window...window {
            let ctr = now + Int64(delta)
            if ctr >= 0, constantTimeEquals(code(counter: UInt64(ctr)), c) { return UInt64(ctr) }
        }
        return nil
    }

    /// otpauth URI for enrolment in an authenticator app (Key URI Format).
    public func provisioningURI(issuer: String, account: String) -> String {
        func enc(_ s: String) -> String {
            s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
                ?? s
        }
        let label = "\(enc(issuer)):\(enc(account))"
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secret))&issuer=\(enc(issuer))"
            + "&algorithm=SHA1&digits=\(digits)&period=\(Int(period))"
    }
}

public func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<x.count { diff |= x[i] ^ y[i] }
    return diff == 0
}
