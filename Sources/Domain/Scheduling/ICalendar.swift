import Foundation

/// RFC 5545 text: CRLF line ends, lines folded at 75 octets, TEXT values escaped. Nothing clinical goes in:
/// callers pass a neutral summary (no diagnosis, no reason for the visit, no patient name).
public enum ICalendar {
    public struct Event: Sendable {
        public let uid: String
        public let stamp: Date
        public let start: Date
        public let end: Date
        public let summary: String
        public let location: String
        public let cancelled: Bool
        public let sequence: Int

        public init(
            uid: String, stamp: Date, start: Date, end: Date, summary: String, location: String, cancelled: Bool,
            sequence: Int
        ) {
            self.uid = uid
            self.stamp = stamp
            self.start = start
            self.end = end
            self.summary = summary
            self.location = location
            self.cancelled = cancelled
            self.sequence = sequence
        }
    }

    public static func document(_ events: [Event], name: String? = nil, method: String? = nil) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//CareSync//Scheduling//EN", "CALSCALE:GREGORIAN"]
        if let m = method { lines.append("METHOD:\(m)") }
        if let n = name { lines.append("X-WR-CALNAME:\(escape(n))") }
        for e in events {
            lines += [
                "BEGIN:VEVENT",
                "UID:\(escape(e.uid))",
                "DTSTAMP:\(utc(e.stamp))",
                "DTSTART:\(utc(e.start))",
                "DTEND:\(utc(e.end))",
                "SUMMARY:\(escape(e.summary))",
                "LOCATION:\(escape(e.location))",
                "STATUS:\(e.cancelled ? "CANCELLED" : "CONFIRMED")",
                "SEQUENCE:\(e.sequence)",
                "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    public static func utc(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: d)
    }

    public static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ";", with: "\\;")
            .replacingOccurrences(of: ",", with: "\\,").replacingOccurrences(of: "\r\n", with: "\\n")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\n")
    }

    /// Splits a content line into ≤75-octet pieces, continuation lines starting with one space, never inside a UTF-8
    /// character.
    public static func fold(_ line: String) -> String {
        var out: [String] = []
        var current = ""
        var octets = 0
        for ch in line {
            let n = String(ch).utf8.count
            let limit = out.isEmpty ? 75 : 74
            if octets + n > limit {
                out.append(current)
                current = ""
                octets = 0
            }
            current.append(ch)
            octets += n
        }
        out.append(current)
        return out.enumerated().map { $0.offset == 0 ? $0.element : " " + $0.element }.joined(separator: "\r\n")
    }
}
