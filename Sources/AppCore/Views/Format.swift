import Foundation

package enum Format {
    /// A time in UTC with a fixed pattern (not the user's locale).
    package static func utc(_ d: Date, _ pattern: String = "yyyy-MM-dd HH:mm:ss") -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = pattern
        return f.string(from: d)
    }
}
