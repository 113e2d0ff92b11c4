import Foundation

/// What the safety checks need to know about drugs: the allergy groups a formulary drug belongs to (directly, and by
/// cross-reactivity), its therapeutic classes, and which groups or classes a free-text allergy or medicine names. The
/// bundled `SampleDrugKnowledge` covers the sample formulary; a licensed drug-knowledge source (First Databank,
/// Medi-Span, RxNorm's RxClass) fills the same interface in production.
public protocol DrugKnowledge: Sendable {
    /// Allergy groups that contain the drug, and groups that cross-react with it.
    func allergyGroups(drugID: String) -> (direct: Set<String>, crossReacting: Set<String>)
    /// Therapeutic classes (two drugs sharing one are duplicate therapy).
    func therapeuticClasses(drugID: String) -> Set<String>
    /// The allergy groups a recorded allergy's words name ("Penicillin - hives" → penicillin).
    func groups(namedIn text: String) -> Set<String>
    /// The therapeutic classes a medicine's words name ("Lyrica 75 mg" → gabapentinoid).
    func classes(namedIn text: String) -> Set<String>
}

/// A warning on the prescribe form: the patient is allergic to the drug (or a related one), or already takes a drug
/// of the same class.
public struct SafetyAlert: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case allergy
        case crossReactivity = "cross-reactivity"
        case duplicateTherapy = "duplicate-therapy"
    }
    public let kind: Kind
    public let message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }
}

public enum DrugSafety {
    public static let maxOverrideReason = 500

    /// What the patient has on record, as the checks read it.
    public struct Allergy: Sendable {
        public let substance: String
        public let reaction: String?
        public init(substance: String, reaction: String?) {
            self.substance = substance
            self.reaction = reaction
        }
    }

    /// The alerts for prescribing `drug` to a patient with these active allergies and current medicines (prescribed
    /// or reported), in the order a prescriber should read them.
    public static func alerts(
        drug: FormularyDrug, allergies: [Allergy], currentMedicines: [String], knowledge: any DrugKnowledge
    ) -> [SafetyAlert] {
        var out: [SafetyAlert] = []
        let groups = knowledge.allergyGroups(drugID: drug.id)
        for a in allergies {
            let named = knowledge.groups(namedIn: a.substance)
            let reaction = a.reaction.map { " (\($0))" } ?? ""
            if let g = named.intersection(groups.direct).sorted().first {
                out.append(
                    SafetyAlert(
                        kind: .allergy,
                        message: "Allergy to \(a.substance)\(reaction): \(drug.description) is \(article(g)) \(g)."))
            } else if let g = named.intersection(groups.crossReacting).sorted().first {
                out.append(
                    SafetyAlert(
                        kind: .crossReactivity,
                        message:
                            "Allergy to \(a.substance)\(reaction): \(drug.description) can cross-react with \(g)."))
            }
        }
        let classes = knowledge.therapeuticClasses(drugID: drug.id)
        for m in currentMedicines {
            if let c = knowledge.classes(namedIn: m).intersection(classes).sorted().first {
                out.append(
                    SafetyAlert(
                        kind: .duplicateTherapy,
                        message: "Duplicate therapy: the patient already takes \(m) (\(c))."))
            }
        }
        return out
    }

    static func article(_ word: String) -> String { "aeiou".contains(word.first ?? "x") ? "an" : "a" }

    /// An override needs a reason when there are alerts: what it says, or why it is refused.
    public static func overrideProblem(alerts: [SafetyAlert], reason: String?) -> String? {
        guard !alerts.isEmpty else { return nil }
        guard let r = Text.clean(reason) else {
            return "Review the warnings above; to prescribe anyway, give the reason for the override."
        }
        if r.count > maxOverrideReason { return "The override reason is at most \(maxOverrideReason) characters." }
        if Text.hasControlCharacters(r) { return "The override reason contains characters that are not allowed." }
        return nil
    }
}

/// The sample formulary's drugs and the words people write for them and their allergies.
public struct SampleDrugKnowledge: DrugKnowledge {
    public init() {}

    static let drugs: [String: (direct: Set<String>, cross: Set<String>, classes: Set<String>)] = [
        "cephalexin-500": (["cephalosporin"], ["penicillin"], ["cephalosporin antibiotic"]),
        "doxycycline-100": (["tetracycline"], [], ["tetracycline antibiotic"]),
        "ibuprofen-800": (["NSAID"], ["aspirin"], ["NSAID"]),
        "terbinafine-250": (["allylamine antifungal"], [], ["oral antifungal"]),
        "mupirocin-2": (["mupirocin"], [], ["topical antibiotic"]),
        "gabapentin-300": (["gabapentinoid"], [], ["gabapentinoid"]),
        "pregabalin-75": (["gabapentinoid"], [], ["gabapentinoid"]),
        "oxycodone-apap-5-325": (["opioid", "acetaminophen"], [], ["opioid", "acetaminophen"]),
        "hydrocodone-apap-5-325": (["opioid", "acetaminophen"], [], ["opioid", "acetaminophen"]),
        "apap-codeine-300-30": (["opioid", "codeine", "acetaminophen"], [], ["opioid", "acetaminophen"]),
        "tramadol-50": (["opioid"], [], ["opioid"]),
    ]

    /// Words (lowercased, matched as whole words or prefixes of brand names) and the groups they name.
    static let words: [(String, Set<String>)] = [
        ("beta-lactam", ["penicillin", "cephalosporin"]), ("penicillin", ["penicillin"]),
        ("amoxicillin", ["penicillin"]),
        ("ampicillin", ["penicillin"]), ("augmentin", ["penicillin"]),
        ("cephalexin", ["cephalosporin"]), ("keflex", ["cephalosporin"]),
        ("cephalosporin", ["cephalosporin"]), ("cefazolin", ["cephalosporin"]),
        ("doxycycline", ["tetracycline"]), ("tetracycline", ["tetracycline"]), ("minocycline", ["tetracycline"]),
        ("ibuprofen", ["NSAID"]), ("motrin", ["NSAID"]), ("advil", ["NSAID"]), ("naproxen", ["NSAID"]),
        ("aleve", ["NSAID"]), ("nsaid", ["NSAID"]), ("meloxicam", ["NSAID"]), ("aspirin", ["aspirin"]),
        ("terbinafine", ["allylamine antifungal"]), ("lamisil", ["allylamine antifungal"]),
        ("mupirocin", ["mupirocin"]), ("bactroban", ["mupirocin"]),
        ("gabapentin", ["gabapentinoid"]), ("neurontin", ["gabapentinoid"]), ("pregabalin", ["gabapentinoid"]),
        ("lyrica", ["gabapentinoid"]),
        ("codeine", ["opioid", "codeine"]), ("morphine", ["opioid"]), ("oxycodone", ["opioid"]),
        ("percocet", ["opioid", "acetaminophen"]), ("hydrocodone", ["opioid"]), ("norco", ["opioid", "acetaminophen"]),
        ("vicodin", ["opioid", "acetaminophen"]), ("tramadol", ["opioid"]), ("ultram", ["opioid"]),
        ("opioid", ["opioid"]), ("opiate", ["opioid"]),
        ("acetaminophen", ["acetaminophen"]), ("tylenol", ["acetaminophen"]), ("paracetamol", ["acetaminophen"]),
        ("apap", ["acetaminophen"]),
    ]

    static let classOf: [String: String] = [
        "cephalosporin": "cephalosporin antibiotic", "tetracycline": "tetracycline antibiotic", "NSAID": "NSAID",
        "allylamine antifungal": "oral antifungal", "mupirocin": "topical antibiotic",
        "gabapentinoid": "gabapentinoid", "opioid": "opioid", "acetaminophen": "acetaminophen",
    ]

    public func allergyGroups(drugID: String) -> (direct: Set<String>, crossReacting: Set<String>) {
        guard let d = Self.drugs[drugID] else { return ([], []) }
        return (d.direct, d.cross)
    }

    public func therapeuticClasses(drugID: String) -> Set<String> { Self.drugs[drugID]?.classes ?? [] }

    public func groups(namedIn text: String) -> Set<String> {
        let tokens = Set(
            text.lowercased().split(whereSeparator: { !$0.isLetter && $0 != "-" }).map(String.init))
        var out: Set<String> = []
        for (word, groups) in Self.words where tokens.contains(word) || tokens.contains(word + "s") {
            out.formUnion(groups)
        }
        return out
    }

    public func classes(namedIn text: String) -> Set<String> {
        Set(groups(namedIn: text).compactMap { Self.classOf[$0] })
    }
}
