import Foundation

/// The clinical summary's entries, shaped so a FHIR R4 facade maps them directly: a problem is a Condition (ICD-10-CM
/// coded), an allergy an AllergyIntolerance, a reported medicine a MedicationStatement.
public enum ClinicalKind: String, Codable, CaseIterable, Sendable {
    case problem, allergy, medication

    public var label: String {
        switch self {
        case .problem: return "Problem"
        case .allergy: return "Allergy"
        case .medication: return "Medication"
        }
    }
}

/// Active, or no longer (a resolved problem, an allergy refuted or outgrown, a stopped medicine).
public enum ClinicalStatus: String, Codable, CaseIterable, Sendable {
    case active, inactive

    public func label(for kind: ClinicalKind) -> String {
        switch (self, kind) {
        case (.active, _): return "active"
        case (.inactive, .problem): return "resolved"
        case (.inactive, .allergy): return "inactive"
        case (.inactive, .medication): return "stopped"
        }
    }
}

/// An entry from the patient or an intake form waits for a clinician to confirm it (FHIR's verificationStatus).
public enum ClinicalVerification: String, Codable, CaseIterable, Sendable {
    case confirmed, unconfirmed
}

public enum AllergySeverity: String, Codable, CaseIterable, Sendable {
    case mild, moderate, severe
}

/// What staff (or an intake form) send for a new entry; every field optional here, `ClinicalRules.validated` says
/// which each kind needs.
public struct ClinicalEntryInput: Codable, Equatable, Sendable {
    public var kind: String?
    /// ICD-10-CM for a problem ("E11.42"); "NKA" with an allergy entry means no known allergies.
    public var code: String?
    /// The words: the problem, the substance, the medicine.
    public var display: String?
    /// A problem's onset, a medicine's start: YYYY-MM-DD.
    public var onset: String?
    public var reaction: String?
    public var severity: String?
    /// A medicine's dose and how often.
    public var dose: String?

    public init(
        kind: String? = nil, code: String? = nil, display: String? = nil, onset: String? = nil,
        reaction: String? = nil, severity: String? = nil, dose: String? = nil
    ) {
        self.kind = kind
        self.code = code
        self.display = display
        self.onset = onset
        self.reaction = reaction
        self.severity = severity
        self.dose = dose
    }
}

/// A validated entry: what is stored.
public struct ClinicalEntryValues: Equatable, Sendable {
    public var kind: ClinicalKind
    public var code: String?
    public var display: String
    public var onset: String?
    public var reaction: String?
    public var severity: AllergySeverity?
    public var dose: String?

    public init(
        kind: ClinicalKind, code: String?, display: String, onset: String?, reaction: String?,
        severity: AllergySeverity?, dose: String?
    ) {
        self.kind = kind
        self.code = code
        self.display = display
        self.onset = onset
        self.reaction = reaction
        self.severity = severity
        self.dose = dose
    }

    public var isNoKnownAllergies: Bool { kind == .allergy && code == ClinicalRules.noKnownAllergies }
}

public enum ClinicalRules {
    /// The allergy entry that says the patient has none (FHIR: SNOMED 716186003, "No known allergy").
    public static let noKnownAllergies = "NKA"
    public static let maxText = 200

    /// ICD-10-CM: a letter (not U), a digit, a digit or A/B, then optionally a dot and one to four characters.
    public static func isICD10CM(_ code: String) -> Bool {
        code.range(of: #"^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$"#, options: .regularExpression) != nil
    }

    /// Checks a new entry; every problem at once.
    public static func validated(_ input: ClinicalEntryInput, today: String) -> Result<
        ClinicalEntryValues, ValidationFailure
    > {
        var errors: [FieldError] = []
        func text(_ field: String, _ value: String?, _ name: String, required: Bool = false) -> String? {
            let v = Text.clean(value)
            if required && v == nil { errors.append(FieldError(field, "\(name) is required.")) }
            if let v {
                if v.count > maxText {
                    errors.append(FieldError(field, "\(name) must be at most \(maxText) characters."))
                }
                if Text.hasControlCharacters(v) {
                    errors.append(FieldError(field, "\(name) contains characters that are not allowed."))
                }
            }
            return v
        }
        guard let kind = Text.clean(input.kind).flatMap({ ClinicalKind(rawValue: $0.lowercased()) }) else {
            return .failure(
                ValidationFailure([FieldError("kind", "Kind must be one of: problem, allergy, medication.")]))
        }
        var code = Text.clean(input.code)?.uppercased()
        let noneKnown = kind == .allergy && code == noKnownAllergies
        var display = text(
            "display", input.display, kind == .allergy ? "Substance" : kind == .problem ? "Problem" : "Medicine",
            required: !noneKnown)
        if noneKnown { display = "No known allergies" }
        switch kind {
        case .problem:
            if let c = code, !isICD10CM(c) {
                errors.append(FieldError("code", "Code must be an ICD-10-CM code such as E11.42."))
            }
        case .allergy:
            if !noneKnown { code = nil }
        case .medication:
            code = nil
        }
        var onset: String?
        if let raw = Text.clean(input.onset) {
            if let d = CalendarDate.parse(raw) {
                if d.iso > today { errors.append(FieldError("onset", "The date cannot be in the future.")) }
                onset = d.iso
            } else {
                errors.append(FieldError("onset", "Write the date as YYYY-MM-DD."))
            }
        }
        let reaction = kind == .allergy && !noneKnown ? text("reaction", input.reaction, "Reaction") : nil
        var severity: AllergySeverity?
        if kind == .allergy, !noneKnown, let raw = Text.clean(input.severity) {
            severity = AllergySeverity(rawValue: raw.lowercased())
            if severity == nil {
                errors.append(FieldError("severity", "Severity must be one of: mild, moderate, severe."))
            }
        }
        let dose = kind == .medication ? text("dose", input.dose, "Dose") : nil
        guard errors.isEmpty, let display else { return .failure(ValidationFailure(errors)) }
        return .success(
            ClinicalEntryValues(
                kind: kind, code: code, display: display, onset: onset, reaction: reaction, severity: severity,
                dose: dose))
    }

    /// "No known allergies" and a recorded allergy cannot both be active: recording an allergy ends the NKA entry;
    /// recording NKA while allergies are active is refused (they are inactivated first, by a clinician).
    public static func allergyConflict(adding new: ClinicalEntryValues, activeAllergies: [ClinicalEntryValues])
        -> String?
    {
        guard new.isNoKnownAllergies else { return nil }
        let real = activeAllergies.filter { !$0.isNoKnownAllergies }.map(\.display)
        return real.isEmpty
            ? nil
            : "The patient has active allergies recorded (\(real.joined(separator: ", "))): mark them inactive "
                + "before recording no known allergies."
    }
}
