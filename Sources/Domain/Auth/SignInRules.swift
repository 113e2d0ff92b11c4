import Foundation
import Crypto

/// Account lockout after repeated failures, and the per-address rate limit on sign-in attempts.
public struct LockoutPolicy: Sendable {
    public var maxFailures: Int
    public var lockDuration: TimeInterval
    public var addressWindow: TimeInterval
    public var maxAttemptsPerAddress: Int
    /// An address the account signed in from within this time is a known source for it.
    public var knownSourceWindow: TimeInterval

    public init(
        maxFailures: Int = 5, lockDuration: TimeInterval = 15 * 60,
        addressWindow: TimeInterval = 5 * 60, maxAttemptsPerAddress: Int = 20,
        knownSourceWindow: TimeInterval = 90 * 86400
    ) {
        self.maxFailures = maxFailures
        self.lockDuration = lockDuration
        self.addressWindow = addressWindow
        self.maxAttemptsPerAddress = maxAttemptsPerAddress
        self.knownSourceWindow = knownSourceWindow
    }

    public enum Gate: Equatable, Sendable {
        case open
        /// Too many failures from this address (to any account); 429.
        case addressLimited
        /// The account is locked for this source; 423.
        case locked
    }

    /// Whether a sign-in may be tried. Someone signing in from an address their account signed in from before (a
    /// known source) is held only by their own failures from there (`sourceFailures` within the lock duration): the
    /// account's lock and the address's limit, which strangers' failures set off, do not shut them out. So nobody can
    /// lock a clinician out by typing their name elsewhere, and one clinic address full of failures does not stop its
    /// own staff. Every other source meets the address limit and the account's lock.
    public func gate(
        knownSource: Bool, sourceFailures: Int, addressFailures: Int, lockedUntil: Date?, now: Date
    ) -> Gate {
        if knownSource { return sourceFailures >= maxFailures ? .locked : .open }
        if !addressAllowed(recentFailures: addressFailures) { return .addressLimited }
        return isLocked(until: lockedUntil, now: now) ? .locked : .open
    }

    /// After a failure that brings the consecutive count to `failures`: until when the account is locked, if at all.
    public func lockUntil(failures: Int, now: Date) -> Date? {
        failures >= maxFailures ? now.addingTimeInterval(lockDuration) : nil
    }

    public func isLocked(until: Date?, now: Date) -> Bool {
        guard let u = until else { return false }
        return u > now
    }

    /// Whether an address that failed `recentFailures` times within the window may try again.
    public func addressAllowed(recentFailures: Int) -> Bool { recentFailures < maxAttemptsPerAddress }
}

/// One-time recovery codes: shown once, stored only as SHA-256 hashes.
public enum RecoveryCodes {
    static let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")

    public static func generate(count: Int = 10) -> [String] {
        var g = SystemRandomNumberGenerator()
        return (0..<count).map { _ in
            let chars = (0..<10).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &g)] }
            return String(chars[0..<5]) + "-" + String(chars[5..<10])
        }
    }

    public static func normalize(_ code: String) -> String {
        code.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    public static func hash(_ code: String) -> String {
        SHA256.hash(data: Data(normalize(code).utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

public enum PasswordRules {
    public static let minLength = 12
    public static let maxLength = 128

    public static func check(_ password: String, field: String = "password") -> FieldError? {
        if password.count < minLength { return FieldError(field, "Password must be at least \(minLength) characters.") }
        if password.count > maxLength { return FieldError(field, "Password must be at most \(maxLength) characters.") }
        return nil
    }
}

public enum Username {
    public static func check(_ s: String) -> FieldError? {
        let ok =
            (3...64).contains(s.count)
            && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-@".contains($0)) }
        return ok
            ? nil
            : FieldError("username", "Username must be 3 to 64 characters: letters, digits, '.', '_', '-' or '@'.")
    }
}

/// Opaque secrets (session and API tokens): random, URL-safe; stored only as SHA-256.
public enum Token {
    public static func generate(bytes: Int = 32) -> String {
        var g = SystemRandomNumberGenerator()
        let raw = (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &g) }
        return Data(raw).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
                of: "=", with: "")
    }

    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
