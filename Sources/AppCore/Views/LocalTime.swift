import Domain
import Foundation

/// Times as people read them on a page: the location's local time in 12-hour form with the zone's short name
/// ("8:00 AM CT"), dates as "Mon, Nov 30". Never an offset ("UTC-6") or an ISO string.
extension Format {
    /// "CT", "ET", "MT", "PT" for the US zones a practice uses; the zone's generic short name elsewhere.
    package static func zoneName(_ zone: TimeZone) -> String {
        let id = zone.identifier
        let us: [(prefixes: [String], name: String)] = [
            (
                [
                    "America/New_York", "America/Detroit", "America/Indiana", "America/Kentucky", "America/Toronto",
                    "US/Eastern",
                ],
                "ET"
            ),
            (["America/Chicago", "America/Menominee", "America/North_Dakota", "America/Winnipeg", "US/Central"], "CT"),
            (["America/Denver", "America/Boise", "America/Phoenix", "America/Edmonton", "US/Mountain"], "MT"),
            (["America/Los_Angeles", "America/Vancouver", "US/Pacific"], "PT"),
            (["America/Anchorage", "America/Juneau", "America/Sitka", "America/Nome", "US/Alaska"], "AKT"),
            (["Pacific/Honolulu", "US/Hawaii"], "HT"),
            (["America/Puerto_Rico"], "AT"),
        ]
        if let hit = us.first(where: { $0.prefixes.contains { id == $0 || id.hasPrefix($0 + "/") } }) {
            return hit.name
        }
        if id == "UTC" || id == "GMT" { return "UTC" }
        if let generic = zone.localizedName(for: .shortGeneric, locale: Locale(identifier: "en_US")),
            !generic.hasPrefix("GMT"), !generic.hasPrefix("UTC")
        {
            return generic
        }
        // A city is clearer than an offset.
        return id.split(separator: "/").last.map { $0.replacingOccurrences(of: "_", with: " ") + " time" } ?? id
    }

    private static func formatter(_ pattern: String, _ zone: TimeZone, _ language: PatientLanguage = .en)
        -> DateFormatter
    {
        let f = DateFormatter()
        f.locale = language == .en ? Locale(identifier: "en_US_POSIX") : language.locale
        f.timeZone = zone
        f.dateFormat = pattern
        return f
    }

    /// The day pattern: "Mon, Nov 30" in English, "lun 30 de nov" in Spanish.
    private static func dayPattern(_ language: PatientLanguage, year: Bool) -> String {
        switch language {
        case .en: return year ? "EEE, MMM d, yyyy" : "EEE, MMM d"
        case .es: return year ? "EEE d 'de' MMM 'de' yyyy" : "EEE d 'de' MMM"
        }
    }

    /// "Mon, Nov 30" for a calendar day.
    package static func day(_ d: LocalDay, language: PatientLanguage = .en) -> String {
        let utc = TimeZone(identifier: "UTC")!
        return d.instant(minuteOfDay: 12 * 60, in: utc).map {
            formatter(dayPattern(language, year: false), utc, language).string(from: $0)
        } ?? d.iso
    }

    /// "8:00 AM CT"
    package static func time(_ d: Date, zone: TimeZone, withZone: Bool = true, language: PatientLanguage = .en)
        -> String
    {
        let t = formatter("h:mm a", zone, language).string(from: d)
        return withZone ? "\(t) \(zoneName(zone))" : t
    }

    /// "Mon, Nov 30" (the year is added when it is not the current one).
    package static func day(_ d: Date, zone: TimeZone, now: Date? = nil, language: PatientLanguage = .en) -> String {
        let sameYear =
            now.map { formatter("yyyy", zone).string(from: $0) == formatter("yyyy", zone).string(from: d) } ?? true
        return formatter(dayPattern(language, year: !sameYear), zone, language).string(from: d)
    }

    /// "Mon, Nov 30, 8:00 AM CT"
    package static func local(_ d: Date, zone: TimeZone, now: Date? = nil, language: PatientLanguage = .en) -> String {
        "\(day(d, zone: zone, now: now, language: language)), \(time(d, zone: zone, language: language))"
    }

    /// "8:00 – 8:30 AM CT", or "11:30 AM – 12:15 PM CT" across noon.
    package static func timeRange(_ start: Date, _ end: Date, zone: TimeZone, language: PatientLanguage = .en) -> String
    {
        let a = formatter("a", zone, language)
        let h = formatter("h:mm", zone, language)
        let sameHalf = a.string(from: start) == a.string(from: end)
        let from = sameHalf ? h.string(from: start) : time(start, zone: zone, withZone: false, language: language)
        return "\(from) – \(time(end, zone: zone, language: language))"
    }
}
