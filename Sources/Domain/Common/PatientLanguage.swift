import Foundation

/// The languages patient-facing pages and messages are written in. English is the source; each other language is a
/// locale file of translations (`Sources/AppCore/Resources/locales/<code>.json`).
public enum PatientLanguage: String, CaseIterable, Codable, Sendable {
    case en, es

    /// The language's own name, as a switch shows it.
    public var name: String {
        switch self {
        case .en: return "English"
        case .es: return "Español"
        }
    }

    public var locale: Locale { Locale(identifier: self == .en ? "en_US" : "es_US") }

    /// The best of ours for an `Accept-Language` header ("es-MX,es;q=0.9,en;q=0.8" → es); nil when none fits.
    public static func preferred(acceptLanguage header: String) -> PatientLanguage? {
        let ranked = header.split(separator: ",").enumerated().compactMap {
            index, part -> (Double, Int, PatientLanguage)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { return nil }
            let q = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            let primary = String(tag.split(separator: "-").first ?? "")
            guard q > 0, let language = PatientLanguage(rawValue: primary) else { return nil }
            return (q, index, language)
        }
        return ranked.sorted { ($0.0, -$0.1) > ($1.0, -$1.1) }.first?.2
    }
}

/// Translations keyed by the English text (the model gettext uses): English needs no file, and a text with no
/// translation yet stays in English rather than showing a key. `{name}` marks a value put in at the time.
public struct Translator: Sendable {
    public let language: PatientLanguage
    let table: [String: String]

    public init(_ language: PatientLanguage, table: [String: String] = [:]) {
        self.language = language
        self.table = language == .en ? [:] : table
    }

    public static let english = Translator(.en)

    /// The text in this language, with each `{name}` replaced by its value.
    public func callAsFunction(_ english: String, _ values: [String: String] = [:]) -> String {
        var out = table[english] ?? english
        for (name, value) in values { out = out.replacingOccurrences(of: "{\(name)}", with: value) }
        return out
    }

    /// A rule's message (a field error, a refusal) in this language. The message may be "<label>: <rest>" (each part
    /// translated), and a number in it matches `{n}` in the locale file ("at most {n} characters.").
    public func message(_ english: String) -> String {
        if language == .en || table[english] != nil { return self(english) }
        if let r = english.range(of: ": ") {
            let label = String(english[..<r.lowerBound]), rest = String(english[r.upperBound...])
            let translated = (has(label) ? self(label) : label) + ": " + message(rest)
            if translated != english { return translated }
        }
        if let r = english.range(of: #"[0-9]+(\.[0-9]+)?"#, options: .regularExpression) {
            let key = english.replacingCharacters(in: r, with: "{n}")
            if table[key] != nil { return self(key, ["n": String(english[r])]) }
        }
        return english
    }

    /// Field errors with their messages in this language.
    public func errors(_ list: [FieldError]) -> [FieldError] {
        language == .en ? list : list.map { FieldError($0.field, message($0.message)) }
    }

    /// Whether this text has a translation (always, for English).
    public func has(_ english: String) -> Bool { language == .en || table[english] != nil }

    /// The `{name}` markers in a text.
    public static func placeholders(_ text: String) -> Set<String> {
        var out: Set<String> = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            let name = rest[rest.index(after: open)..<close]
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber }) { out.insert(String(name)) }
            rest = rest[rest.index(after: close)...]
        }
        return out
    }

    /// What is wrong with a locale file: translations whose `{name}` markers differ from the English text's.
    public static func problems(in table: [String: String]) -> [String] {
        table.keys.sorted().compactMap { english in
            let theirs = placeholders(table[english] ?? "")
            let ours = placeholders(english)
            return theirs == ours
                ? nil : "\"\(english)\": the translation has {\(theirs.sorted().joined(separator: "}, {"))}"
        }
    }
}
