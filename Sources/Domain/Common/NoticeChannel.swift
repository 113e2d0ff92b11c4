/// How a notice reaches a patient: the portal's notice list, email or SMS. Stored as these words.
public enum NoticeChannel: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case portal, email, sms

    public var description: String { rawValue }

    /// The channels that reach a patient outside the portal (invitations and visit links go by one of these).
    public static let outside: [NoticeChannel] = [.email, .sms]
}

extension NoticeChannel {
    /// Where a patient's notices go: always the portal (`portal` names the patient), then email and SMS when the
    /// patient has an address or number and the notice may use that channel.
    public static func recipients(
        portal: String, email: String?, phone: String?, allowing: Set<NoticeChannel> = Set(allCases)
    ) -> [(NoticeChannel, String)] {
        var out: [(NoticeChannel, String)] = [(.portal, portal)]
        if allowing.contains(.email), let email { out.append((.email, email)) }
        if allowing.contains(.sms), let phone { out.append((.sms, phone)) }
        return out
    }
}
