import Foundation

/// An intake form as data: sections of typed fields. Stored versioned in the database; pages are drawn from it.
public struct FormDefinition: Codable, Equatable, Sendable {
    public var code: String
    public var version: Int
    public var title: String
    public var intro: String
    public var sections: [Section]

    public struct Section: Codable, Equatable, Sendable {
        public var title: String
        public var fields: [Field]
        public init(_ title: String, _ fields: [Field]) { self.title = title; self.fields = fields }
    }

    public enum Kind: String, Codable, CaseIterable, Sendable {
        case text, textarea, date, number, choice, multichoice, yesno
        /// A typed full name that signs the form; the time is recorded on submission.
        case signature
        /// An uploaded document (PDF or photo); the answer is the attachment's id.
        case file
    }

    public struct Field: Codable, Equatable, Sendable {
        public var id: String
        public var label: String
        public var kind: Kind
        public var required: Bool
        public var options: [String]?
        public var min: Double?
        public var max: Double?
        public var maxLength: Int?
        public var help: String?
        /// A chart field this answer updates when staff accept the intake (email, phone, addressLine1, city, state,
        /// postalCode, …).
        public var mapsTo: String?

        public init(
            _ id: String, _ label: String, _ kind: Kind, required: Bool = false, options: [String]? = nil,
            min: Double? = nil,
            max: Double? = nil, maxLength: Int? = nil, help: String? = nil, mapsTo: String? = nil
        ) {
            self.id = id; self.label = label; self.kind = kind; self.required = required; self.options = options
            self.min = min; self.max = max; self.maxLength = maxLength; self.help = help; self.mapsTo = mapsTo
        }
    }

    public init(code: String, version: Int, title: String, intro: String, sections: [Section]) {
        self.code = code; self.version = version; self.title = title; self.intro = intro; self.sections = sections
    }

    public var fields: [Field] { sections.flatMap(\.fields) }

    /// The chart fields an accepted intake may change.
    public static let mappableChartFields: Set<String> = [
        "email", "phone", "addressLine1", "addressLine2", "city", "state", "postalCode",
        "insurancePayer", "insuranceMemberID", "insuranceGroup",
    ]

    /// Problems with the definition itself (for new versions).
    public func structureErrors() -> [String] {
        var out: [String] = []
        if !code.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" }) || code.isEmpty {
            out.append("code must be lowercase letters, digits and '-'")
        }
        var seen: Set<String> = []
        for f in fields {
            if !seen.insert(f.id).inserted { out.append("field id \(f.id) is used twice") }
            if (f.kind == .choice || f.kind == .multichoice) && (f.options ?? []).isEmpty {
                out.append("field \(f.id) needs options")
            }
            if let m = f.mapsTo, !Self.mappableChartFields.contains(m) {
                out.append("field \(f.id) maps to unknown chart field \(m)")
            }
        }
        if fields.isEmpty { out.append("a form needs at least one field") }
        return out
    }

    /// Checks answers. Drafts check only what is filled in; a submission also needs every required field.
    public func validate(_ answers: [String: String], submitting: Bool, today: String) -> [FieldError] {
        var errors: [FieldError] = []
        for f in fields {
            let v = Text.clean(answers[f.id])
            guard let value = v else {
                if submitting && f.required { errors.append(FieldError(f.id, "\(f.label): please answer this.")) }
                continue
            }
            if value.count > (f.maxLength ?? (f.kind == .textarea ? 4000 : 200)) {
                errors.append(
                    FieldError(
                        f.id, "\(f.label): at most \(f.maxLength ?? (f.kind == .textarea ? 4000 : 200)) characters."));
                continue
            }
            switch f.kind {
            case .text, .textarea, .signature: break
            case .file:
                if UUID(uuidString: value) == nil {
                    errors.append(FieldError(f.id, "\(f.label): upload the file again."))
                }
            case .date:
                guard let d = CalendarDate.parse(value) else {
                    errors.append(FieldError(f.id, "\(f.label): write the date as YYYY-MM-DD.")); continue
                }
                if d.iso > today { errors.append(FieldError(f.id, "\(f.label): the date cannot be in the future.")) }
            case .number:
                guard let n = Double(value.replacingOccurrences(of: ",", with: ".")) else {
                    errors.append(FieldError(f.id, "\(f.label): enter a number.")); continue
                }
                if let lo = f.min, n < lo { errors.append(FieldError(f.id, "\(f.label): at least \(Self.plain(lo)).")) }
                if let hi = f.max, n > hi { errors.append(FieldError(f.id, "\(f.label): at most \(Self.plain(hi)).")) }
            case .choice:
                if !(f.options ?? []).contains(value) {
                    errors.append(FieldError(f.id, "\(f.label): choose one of the options."))
                }
            case .multichoice:
                let picked = value.split(separator: "|").map(String.init)
                if picked.contains(where: { !(f.options ?? []).contains($0) }) {
                    errors.append(FieldError(f.id, "\(f.label): choose from the options."))
                }
            case .yesno:
                if value != "yes" && value != "no" { errors.append(FieldError(f.id, "\(f.label): answer yes or no.")) }
            }
        }
        return errors
    }

    /// A signature must be the patient's name as registered (case and spacing aside).
    public static func signatureMatches(_ typed: String, givenName: String, familyName: String) -> Bool {
        func norm(_ s: String) -> String {
            s.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        }
        return norm(typed) == norm("\(givenName) \(familyName)")
    }

    public static func plain(_ d: Double) -> String { d == d.rounded() ? String(Int(d)) : String(d) }
}
