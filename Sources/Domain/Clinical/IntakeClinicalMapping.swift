import Foundation

/// What an accepted intake adds to the clinical summary: each answer that names a condition, an allergy or a medicine
/// becomes an entry awaiting a clinician's confirmation, marked with the intake it came from. Only the standard forms'
/// fields are read; anything else stays in the intake itself.
public enum IntakeClinicalMapping {
    /// The new-patient form's conditions, coded where the words say enough (Diabetes of an unknown type is not).
    static let conditions: [String: String?] = [
        "Diabetes": nil, "High blood pressure": "I10", "Heart disease": "I51.9", "Kidney disease": "N18.9",
        "Poor circulation": "I73.9", "Arthritis": "M19.90",
    ]
    static let diabetesTypes: [String: (String?, String)] = [
        "Type 1": ("E10.9", "Type 1 diabetes"), "Type 2": ("E11.9", "Type 2 diabetes"),
        "Gestational": (nil, "Gestational diabetes"), "Other": (nil, "Diabetes (other type)"),
        "Not sure": (nil, "Diabetes (type not known)"),
    ]
    static let noneWords: Set<String> = ["none", "no", "n/a", "na", "nothing", "ninguno", "ninguna", "nada"]

    public static func entries(formCode: String, answers: [String: String]) -> [ClinicalEntryInput] {
        var out: [ClinicalEntryInput] = []
        func picked(_ id: String) -> [String] {
            (answers[id] ?? "").split(separator: "|").map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("None") }
        }
        switch formCode {
        case "new-patient":
            for c in picked("conditions") {
                out.append(.init(kind: "problem", code: conditions[c] ?? nil, display: c))
            }
            out += list(answers["medications"]).map { .init(kind: "medication", display: $0) }
            if let allergies = answers["allergies"] {
                let named = list(allergies)
                out +=
                    named.isEmpty && isNone(allergies)
                    ? [.init(kind: "allergy", code: ClinicalRules.noKnownAllergies)]
                    : named.map { .init(kind: "allergy", display: $0) }
            }
            if answers["smoker"] == "yes" { out.append(.init(kind: "problem", code: "Z72.0", display: "Tobacco use")) }
        case "diabetic-foot":
            if let t = answers["diabetesType"].flatMap({ diabetesTypes[$0] }) {
                out.append(.init(kind: "problem", code: t.0, display: t.1))
            }
            let feet = picked("neuropathy")
            if !feet.isEmpty {
                out.append(
                    .init(
                        kind: "problem",
                        display: "Foot symptoms: \(feet.joined(separator: ", ").lowercased()) (neuropathy to assess)"))
            }
            if answers["priorUlcer"] == "yes" {
                out.append(.init(kind: "problem", display: "Past foot ulcer or slow-healing sore"))
            }
            if answers["amputation"] == "yes" {
                let what = Text.clean(answers["amputationDetail"]).map { ": \($0)" } ?? ""
                out.append(.init(kind: "problem", display: String("Amputation\(what)".prefix(ClinicalRules.maxText))))
            }
            let vessels = picked("vascular")
            if !vessels.isEmpty {
                out.append(
                    .init(kind: "problem", display: "Circulation: \(vessels.joined(separator: ", ").lowercased())"))
            }
        default: break
        }
        return out
    }

    /// The observations an intake reports: smoking (new-patient) and the last A1c with its date (diabetic-foot; the
    /// intake's day when the patient did not know the date, which the clinician sees and can correct).
    public static func observations(formCode: String, answers: [String: String]) -> [ObservationInput] {
        switch formCode {
        case "new-patient":
            guard let smokes = answers["smoker"] else { return [] }
            return [.init(kind: "smoking", answer: smokes == "yes" ? "current" : "non-smoker")]
        case "diabetic-foot":
            guard let a1c = Text.clean(answers["lastA1c"]) else { return [] }
            return [.init(kind: "a1c", value: a1c, effective: Text.clean(answers["lastA1cDate"]))]
        default: return []
        }
    }

    static func isNone(_ text: String) -> Bool {
        noneWords.contains(
            text.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters)).lowercased())
    }

    /// One entry per line (or per ';'), "none" and blanks left out, each cut to the longest an entry may be.
    static func list(_ text: String?) -> [String] {
        guard let text, !isNone(text) else { return [] }
        return text.split(whereSeparator: { $0 == "\n" || $0 == ";" })
            .compactMap { Text.clean(String($0)) }
            .filter { !isNone($0) }
            .map { String($0.prefix(ClinicalRules.maxText)) }
    }
}
