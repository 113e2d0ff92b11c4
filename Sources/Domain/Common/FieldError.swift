import Foundation

/// One problem with one input field: the field's name as the client sent it and a message a person can act on.
/// Messages never echo the submitted value (it may be PHI).
public struct FieldError: Error, Equatable, Sendable, Codable {
    public let field: String
    public let message: String
    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
}

/// A rule failure carrying every field problem at once, so a form can mark them all.
public struct ValidationFailure: Error, Equatable, Sendable {
    public let errors: [FieldError]
    public init(_ errors: [FieldError]) { self.errors = errors }
}

/// Small text helpers shared by the validators.
public enum Text {
    /// Trims white space; nil when nothing is left.
    public static func clean(_ s: String?) -> String? {
        guard let t = s?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else { return nil }
        return t
    }

    /// Lower-cased, diacritics folded, white space collapsed: the form names are compared in.
    public static func normalizedName(_ s: String) -> String {
        s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "en_US_POSIX"))
            .split(whereSeparator: { $0 == " " || $0 == "\t" })
            .joined(separator: " ")
            .lowercased()
    }

    /// A character that has no place in a name: line breaks and tabs, bidirectional overrides, embeddings and isolates
    /// (U+202A–202E, U+2066–2069, which make "Smith" display as something else), zero-width space and no-break (U+200B,
    /// U+2060, U+FEFF), soft hyphen. The joiners U+200C/U+200D stay allowed: Persian and Indic names need them.
    /// Returns the first one as "U+XXXX".
    public static func invisibleOrReordering(_ s: String) -> String? {
        let banned: Set<UInt32> = [0x0A, 0x0D, 0x09, 0x00AD, 0x200B, 0x200E, 0x200F, 0x2060, 0xFEFF, 0x061C]
        for u in s.unicodeScalars {
            if banned.contains(u.value) || (0x202A...0x202E).contains(u.value) || (0x2066...0x2069).contains(u.value) {
                return "U+" + String(format: "%04X", u.value)
            }
        }
        return nil
    }

    public static func hasControlCharacters(_ s: String) -> Bool {
        s.unicodeScalars.contains {
            $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\r" && $0 != "\t"
        }
    }
}
