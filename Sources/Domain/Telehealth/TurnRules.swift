import Foundation
import Crypto

/// Time-limited TURN credentials, the TURN REST scheme coturn checks with `use-auth-secret`:
/// username = "<unix expiry>:<user id>", password = base64(HMAC-SHA1(secret, username)).
public enum TurnCredentials {
    public static func mint(secret: String, userID: String, ttl: TimeInterval, now: Date) -> (
        username: String, password: String, expires: Date
    ) {
        let expires = now.addingTimeInterval(ttl)
        let username = "\(Int(expires.timeIntervalSince1970)):\(userID)"
        let mac = HMAC<Insecure.SHA1>.authenticationCode(
            for: Data(username.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return (username, Data(mac).base64EncodedString(), expires)
    }
}

/// What a browser gets as `RTCConfiguration.iceServers`, and whether it must relay.
public struct IceConfig: Codable, Equatable, Sendable {
    public struct Server: Codable, Equatable, Sendable {
        public let urls: [String]
        public let username: String?
        public let credential: String?
        public init(urls: [String], username: String? = nil, credential: String? = nil) {
            self.urls = urls; self.username = username; self.credential = credential
        }
    }
    public let iceServers: [Server]
    /// "relay" hides each side's address from the other; "all" lets direct paths win.
    public let iceTransportPolicy: String
    public let expires: Date?

    public init(iceServers: [Server], iceTransportPolicy: String, expires: Date?) {
        self.iceServers = iceServers; self.iceTransportPolicy = iceTransportPolicy; self.expires = expires
    }

    public static func build(
        stun: [String], turn: [String], secret: String?, userID: String, ttl: TimeInterval, forceRelay: Bool, now: Date
    ) -> IceConfig {
        var servers: [Server] = []
        if !stun.isEmpty { servers.append(Server(urls: stun)) }
        var expires: Date?
        if !turn.isEmpty, let secret {
            let c = TurnCredentials.mint(secret: secret, userID: userID, ttl: ttl, now: now)
            servers.append(Server(urls: turn, username: c.username, credential: c.password))
            expires = c.expires
        }
        return IceConfig(
            iceServers: servers, iceTransportPolicy: forceRelay && expires != nil ? "relay" : "all", expires: expires)
    }
}
