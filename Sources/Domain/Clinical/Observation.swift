import Foundation

/// What a clinician measures or asks and records with a date: vital signs, the A1c, smoking status. Each kind carries
/// its LOINC code, FHIR category and UCUM unit, so a FHIR R4 facade maps a row straight onto an Observation.
public enum ObservationKind: String, Codable, CaseIterable, Sendable {
    case bloodPressure = "blood-pressure"
    case pulse, weight, height, temperature, a1c, glucose, smoking

    public var label: String {
        switch self {
        case .bloodPressure: return "Blood pressure"
        case .pulse: return "Pulse"
        case .weight: return "Weight"
        case .height: return "Height"
        case .temperature: return "Temperature"
        case .a1c: return "A1c"
        case .glucose: return "Blood glucose"
        case .smoking: return "Smoking status"
        }
    }

    public var loinc: String {
        switch self {
        case .bloodPressure: return "85354-9"
        case .pulse: return "8867-4"
        case .weight: return "29463-7"
        case .height: return "8302-2"
        case .temperature: return "8310-5"
        case .a1c: return "4548-4"
        case .glucose: return "2339-0"
        case .smoking: return "72166-2"
        }
    }

    /// FHIR's observation-category code.
    public var category: String {
        switch self {
        case .a1c, .glucose: return "laboratory"
        case .smoking: return "social-history"
        default: return "vital-signs"
        }
    }

    /// The UCUM unit the value is stored in (US units, as the practice measures); nil for a coded answer.
    public var unit: String? {
        switch self {
        case .bloodPressure: return "mm[Hg]"
        case .pulse: return "/min"
        case .weight: return "[lb_av]"
        case .height: return "[in_i]"
        case .temperature: return "[degF]"
        case .a1c: return "%"
        case .glucose: return "mg/dL"
        case .smoking: return nil
        }
    }

    /// The unit as people write it.
    public var unitLabel: String {
        switch self {
        case .bloodPressure: return "mmHg"
        case .pulse: return "/min"
        case .weight: return "lb"
        case .height: return "in"
        case .temperature: return "°F"
        case .a1c: return "%"
        case .glucose: return "mg/dL"
        case .smoking: return ""
        }
    }

    /// The values a person can have (a typing slip outside them is refused, not stored).
    var range: ClosedRange<Double> {
        switch self {
        case .bloodPressure: return 40...300
        case .pulse: return 20...250
        case .weight: return 1...1000
        case .height: return 10...100
        case .temperature: return 85...110
        case .a1c: return 3...20
        case .glucose: return 10...1500
        case .smoking: return 0...0
        }
    }
}

/// Smoking status as US Core records it (SNOMED CT codes for the FHIR facade).
public enum SmokingStatus: String, Codable, CaseIterable, Sendable {
    case current, former, never
    /// What a yes/no question ("Do you smoke?") tells when the answer is no: not whether they used to.
    case nonSmoker = "non-smoker"

    public var label: String {
        switch self {
        case .current: return "Current smoker"
        case .former: return "Former smoker"
        case .never: return "Never smoker"
        case .nonSmoker: return "Does not smoke"
        }
    }

    public var snomed: String {
        switch self {
        case .current: return "77176002"
        case .former: return "8517006"
        case .never: return "266919005"
        case .nonSmoker: return "8392000"
        }
    }
}

/// preliminary (from the patient or an intake, awaiting a clinician) → final (confirmed), or entered-in-error.
public enum ObservationStatus: String, Codable, CaseIterable, Sendable {
    case preliminary, final
    case enteredInError = "entered-in-error"
}

/// What staff (or an intake) send: the kind, the value (systolic for blood pressure), the second value (diastolic),
/// the answer for a coded kind (smoking), and the date it was measured.
public struct ObservationInput: Codable, Equatable, Sendable {
    public var kind: String?
    public var value: String?
    public var value2: String?
    public var answer: String?
    public var effective: String?

    public init(
        kind: String? = nil, value: String? = nil, value2: String? = nil, answer: String? = nil,
        effective: String? = nil
    ) {
        self.kind = kind
        self.value = value
        self.value2 = value2
        self.answer = answer
        self.effective = effective
    }
}

/// A validated observation: what is stored.
public struct ObservationValues: Equatable, Sendable {
    public var kind: ObservationKind
    public var value: Double?
    public var value2: Double?
    public var answer: String?
    public var effective: String

    public init(kind: ObservationKind, value: Double?, value2: Double?, answer: String?, effective: String) {
        self.kind = kind
        self.value = value
        self.value2 = value2
        self.answer = answer
        self.effective = effective
    }

    /// "132/84 mmHg", "7.9 %", "Former smoker".
    public var text: String { ObservationRules.text(kind: kind, value: value, value2: value2, answer: answer) }
}

public enum ObservationRules {
    /// Checks an observation; every problem at once. The date defaults to today and cannot be in the future.
    public static func validated(_ input: ObservationInput, today: String) -> Result<
        ObservationValues, ValidationFailure
    > {
        guard let kind = Text.clean(input.kind).flatMap({ ObservationKind(rawValue: $0.lowercased()) }) else {
            let kinds = ObservationKind.allCases.map(\.rawValue).joined(separator: ", ")
            return .failure(ValidationFailure([FieldError("kind", "Kind must be one of: \(kinds).")]))
        }
        var errors: [FieldError] = []
        var effective = today
        if let raw = Text.clean(input.effective) {
            if let d = CalendarDate.parse(raw) {
                if d.iso > today { errors.append(FieldError("effective", "The date cannot be in the future.")) }
                effective = d.iso
            } else {
                errors.append(FieldError("effective", "Write the date as YYYY-MM-DD."))
            }
        }
        func number(_ field: String, _ raw: String?, _ name: String) -> Double? {
            guard let text = Text.clean(raw) else {
                errors.append(FieldError(field, "\(name) is required."))
                return nil
            }
            guard text.count <= 12, let n = Double(text.replacingOccurrences(of: ",", with: ".")), n.isFinite else {
                errors.append(FieldError(field, "\(name) must be a number."))
                return nil
            }
            guard kind.range.contains(n) else {
                let lo = FormDefinition.plain(kind.range.lowerBound), hi = FormDefinition.plain(kind.range.upperBound)
                errors.append(FieldError(field, "\(name) must be between \(lo) and \(hi) \(kind.unitLabel)."))
                return nil
            }
            return (n * 10).rounded() / 10
        }
        switch kind {
        case .smoking:
            guard let a = Text.clean(input.answer).flatMap({ SmokingStatus(rawValue: $0.lowercased()) }) else {
                errors.append(
                    FieldError("answer", "Smoking status must be one of: current, former, never, non-smoker."))
                return .failure(ValidationFailure(errors))
            }
            guard errors.isEmpty else { return .failure(ValidationFailure(errors)) }
            return .success(
                ObservationValues(kind: kind, value: nil, value2: nil, answer: a.rawValue, effective: effective))
        case .bloodPressure:
            let sys = number("value", input.value, "Systolic pressure")
            let dia = number("value2", input.value2, "Diastolic pressure")
            if let s = sys, let d = dia, d >= s {
                errors.append(FieldError("value2", "Diastolic pressure must be lower than systolic."))
            }
            guard errors.isEmpty else { return .failure(ValidationFailure(errors)) }
            return .success(ObservationValues(kind: kind, value: sys, value2: dia, answer: nil, effective: effective))
        default:
            let v = number("value", input.value, kind.label)
            guard errors.isEmpty else { return .failure(ValidationFailure(errors)) }
            return .success(ObservationValues(kind: kind, value: v, value2: nil, answer: nil, effective: effective))
        }
    }

    public static func text(kind: ObservationKind, value: Double?, value2: Double?, answer: String?) -> String {
        func n(_ d: Double?) -> String { d.map(FormDefinition.plain) ?? "?" }
        switch kind {
        case .smoking: return answer.flatMap(SmokingStatus.init(rawValue:))?.label ?? (answer ?? "")
        case .bloodPressure: return "\(n(value))/\(n(value2)) mmHg"
        case .pulse: return "\(n(value)) /min"
        default: return "\(n(value)) \(kind.unitLabel)"
        }
    }
}
