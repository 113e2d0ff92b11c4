import XCTest
@testable import Domain

final class AuthRulesTests: XCTestCase {
    /// RFC 6238 Appendix B, SHA-1 rows (8 digits).
    func test_totp_rfc6238Vectors() {
        let secret = Array("12345678901234567890".utf8)
        let totp = TOTP(secret: secret, digits: 8)
        let vectors: [(TimeInterval, String)] = [
            (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
        ]
        for (t, code) in vectors {
            XCTAssertEqual(totp.code(at: Date(timeIntervalSince1970: t)), code, "t=\(t)")
        }
    }

    func test_totp_acceptsAdjacentStep_refusesOldAndMalformed() {
        let totp = TOTP(secret: TOTP.generateSecret())
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let prev = totp.code(at: now.addingTimeInterval(-30))
        XCTAssertNotNil(totp.matchingCounter(prev, at: now))
        XCTAssertNil(totp.matchingCounter(totp.code(at: now.addingTimeInterval(-120)), at: now))
        XCTAssertNil(totp.matchingCounter("12345", at: now))
        XCTAssertNil(totp.matchingCounter("abcdef", at: now))
        XCTAssertEqual(totp.matchingCounter(totp.code(at: now), at: now), totp.counter(at: now))
    }

    func test_base32_roundTrip_andRFC4648Vector() {
        XCTAssertEqual(Base32.encode(Array("foobar".utf8)), "MZXW6YTBOI")
        XCTAssertEqual(Base32.decode("MZXW6YTBOI======").map { String(decoding: $0, as: UTF8.self) }, "foobar")
        let bytes = TOTP.generateSecret()
        XCTAssertEqual(Base32.decode(Base32.encode(bytes)), bytes)
        XCTAssertNil(Base32.decode("not base32!"))
    }

    func test_provisioningURI_hasSecretAndIssuer() {
        let uri = TOTP(secret: Array("12345678901234567890".utf8)).provisioningURI(
            issuer: "Demo Podiatry", account: "drpatel")
        XCTAssertTrue(uri.hasPrefix("otpauth://totp/Demo%20Podiatry:drpatel?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"))
        XCTAssertTrue(uri.contains("issuer=Demo%20Podiatry"))
    }

    func test_lockout_locksAtLimit_andExpires() {
        let p = LockoutPolicy(maxFailures: 5, lockDuration: 900)
        let now = Date(timeIntervalSince1970: 1_000)
        XCTAssertNil(p.lockUntil(failures: 4, now: now))
        let until = p.lockUntil(failures: 5, now: now)
        XCTAssertEqual(until, now.addingTimeInterval(900))
        XCTAssertTrue(p.isLocked(until: until, now: now.addingTimeInterval(899)))
        XCTAssertFalse(p.isLocked(until: until, now: now.addingTimeInterval(900)))
        XCTAssertFalse(p.addressAllowed(recentFailures: 20))
        XCTAssertTrue(p.addressAllowed(recentFailures: 19))
    }

    func test_gate_aKnownSourceIsHeldOnlyByItsOwnFailures_strangersByTheAddressAndTheAccountLock() {
        let p = LockoutPolicy(maxFailures: 5, lockDuration: 900, maxAttemptsPerAddress: 20)
        let now = Date(timeIntervalSince1970: 1_000)
        let lockedByStrangers = now.addingTimeInterval(600)
        // A stranger: the account's lock and the address's limit hold.
        XCTAssertEqual(
            p.gate(knownSource: false, sourceFailures: 0, addressFailures: 0, lockedUntil: lockedByStrangers, now: now),
            .locked)
        XCTAssertEqual(
            p.gate(knownSource: false, sourceFailures: 0, addressFailures: 20, lockedUntil: nil, now: now),
            .addressLimited)
        XCTAssertEqual(
            p.gate(knownSource: false, sourceFailures: 0, addressFailures: 19, lockedUntil: nil, now: now), .open)
        // The clinician at their usual desk: neither strangers' lock nor a busy address shuts them out.
        XCTAssertEqual(
            p.gate(knownSource: true, sourceFailures: 0, addressFailures: 50, lockedUntil: lockedByStrangers, now: now),
            .open)
        // But guessing from a known source is held after its own five failures.
        XCTAssertEqual(
            p.gate(knownSource: true, sourceFailures: 5, addressFailures: 5, lockedUntil: nil, now: now), .locked)
        XCTAssertEqual(
            p.gate(knownSource: true, sourceFailures: 4, addressFailures: 4, lockedUntil: nil, now: now), .open)
    }

    func test_recoveryCodes_normalizeAndHash() {
        let codes = RecoveryCodes.generate()
        XCTAssertEqual(codes.count, 10)
        XCTAssertEqual(Set(codes).count, 10)
        XCTAssertEqual(
            RecoveryCodes.hash(codes[0]),
            RecoveryCodes.hash(codes[0].uppercased().replacingOccurrences(of: "-", with: " ")))
        XCTAssertNotEqual(RecoveryCodes.hash(codes[0]), RecoveryCodes.hash(codes[1]))
    }

    func test_passwordAndUsernameRules() {
        XCTAssertNotNil(PasswordRules.check("short"))
        XCTAssertNil(PasswordRules.check("long enough passphrase"))
        XCTAssertNotNil(PasswordRules.check(String(repeating: "x", count: 129)))
        XCTAssertNil(Username.check("drpatel"))
        XCTAssertNotNil(Username.check("dr patel"))
        XCTAssertNotNil(Username.check("ab"))
    }
}
