import Domain
import Foundation

/// Free text a person typed into a form or an API field: trimmed, at most `max` characters, without control
/// characters (line breaks allowed). A refusal names the field.
package enum FieldText {
    /// Nil when blank.
    package static func optional(_ raw: String?, field: String, max: Int) throws -> String? {
        let t = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if t.isEmpty { return nil }
        guard t.count <= max else { throw AppError.validation([FieldError(field, "At most \(max) characters.")]) }
        guard !Text.hasControlCharacters(t) else {
            throw AppError.validation([FieldError(field, "Control characters are not allowed.")])
        }
        return t
    }

    package static func required(_ raw: String?, field: String, max: Int) throws -> String {
        guard let t = try optional(raw, field: field, max: max) else {
            throw AppError.validation([FieldError(field, "Write something here.")])
        }
        return t
    }
}
