import Foundation

/// A visit note's course: a draft (an MA or a provider writes it) until a provider signs it; a signed note never
/// changes again, only addenda follow it (FHIR: a Composition `preliminary` → `final`, addenda `amended`).
public enum NoteStatus: String, Codable, CaseIterable, Sendable {
    case draft, signed
}

/// The note templates the practice starts with, as data (the same shape as intake forms: sections of typed fields).
/// Sections are the SOAP headings. The practice adds versions of these or new ones (`caresync note-templates add`).
public enum NoteTemplates {
    typealias F = FormDefinition.Field

    /// The 10-g monofilament's ten test sites on each foot.
    public static let monofilamentSites = [
        "Hallux", "3rd toe", "5th toe", "1st metatarsal head", "3rd metatarsal head", "5th metatarsal head",
        "Medial midfoot", "Lateral midfoot", "Heel", "Dorsum",
    ]
    public static let allFelt = "None (all sites felt)"
    static let pulse = ["Palpable", "Diminished", "Absent"]
    public static let riskCategories = [
        "0 - very low (annual exam)", "1 - low (exam every 6-12 months)", "2 - moderate (every 3-6 months)",
        "3 - high (every 1-3 months)",
    ]

    static func soap(_ s: [F], _ o: [F], _ a: [F], _ p: [F]) -> [FormDefinition.Section] {
        [.init("Subjective", s), .init("Objective", o), .init("Assessment", a), .init("Plan", p)]
    }

    static let complaint = F("chiefComplaint", "Chief complaint and history", .textarea, required: true)
    static let assessment = F("assessment", "Assessment", .textarea, required: true)
    static let plan = F("plan", "Plan", .textarea, required: true)
    static let followUp = F(
        "followUp", "Follow-up", .choice,
        options: ["1 week", "2 weeks", "1 month", "3 months", "6 months", "12 months"])

    public static let diabeticFoot = FormDefinition(
        code: "note-diabetic-foot", version: 1, title: "New diabetic foot evaluation",
        intro: "Comprehensive diabetic foot exam: sensation (10-g monofilament, 10 sites), pulses, skin, nails, "
            + "deformity, and the IWGDF risk category.",
        sections: soap(
            [complaint, F("diabetesHistory", "Diabetes history (type, years, control, last A1c)", .textarea)],
            [
                F(
                    "monofilamentLeft", "Left foot: sites NOT felt (10-g monofilament)", .multichoice,
                    required: true, options: [allFelt] + monofilamentSites),
                F(
                    "monofilamentRight", "Right foot: sites NOT felt (10-g monofilament)", .multichoice,
                    required: true, options: [allFelt] + monofilamentSites),
                F("pulseDPLeft", "Dorsalis pedis pulse, left", .choice, required: true, options: pulse),
                F("pulseDPRight", "Dorsalis pedis pulse, right", .choice, required: true, options: pulse),
                F("pulsePTLeft", "Posterior tibial pulse, left", .choice, required: true, options: pulse),
                F("pulsePTRight", "Posterior tibial pulse, right", .choice, required: true, options: pulse),
                F(
                    "skin", "Skin", .multichoice,
                    options: ["Normal", "Dry", "Callus", "Fissures", "Maceration", "Erythema", "Ulcer"]),
                F("nails", "Nails", .multichoice, options: ["Normal", "Thickened", "Onychomycosis", "Ingrown"]),
                F(
                    "deformity", "Deformity", .multichoice,
                    options: ["None", "Bunion", "Hammer or claw toes", "Prominent metatarsal heads", "Charcot foot"]),
                F("ulcerHistory", "History of foot ulcer or amputation", .yesno, required: true),
                F("examNotes", "Other findings", .textarea),
            ],
            [F("riskCategory", "IWGDF risk category", .choice, required: true, options: riskCategories), assessment],
            [plan, F("education", "Foot-care education given", .yesno), followUp]))

    public static let woundCheck = FormDefinition(
        code: "note-wound-check", version: 1, title: "Wound check",
        intro: "Follow-up of a wound: this visit's photos and measurements are shown with the note.",
        sections: soap(
            [complaint],
            [
                F("lengthCm", "Length (cm)", .number, required: true, min: 0, max: 50),
                F("widthCm", "Width (cm)", .number, required: true, min: 0, max: 50),
                F("depthCm", "Depth (cm)", .number, min: 0, max: 20),
                F(
                    "woundBed", "Wound bed", .multichoice,
                    options: ["Granulation", "Slough", "Eschar", "Epithelializing", "Bone or tendon visible"]),
                F("exudate", "Exudate", .choice, required: true, options: ["None", "Light", "Moderate", "Heavy"]),
                F(
                    "periwound", "Around the wound", .multichoice,
                    options: ["Intact", "Macerated", "Callus", "Erythema"]),
                F("infection", "Signs of infection", .yesno, required: true),
            ],
            [assessment],
            [plan, F("offloading", "Offloading", .text, maxLength: 200), followUp]))

    public static let postOpBunionectomy = FormDefinition(
        code: "note-post-op-bunionectomy", version: 1, title: "Post-op check (bunionectomy)",
        intro: "Post-operative review after a bunionectomy; by video or in person.",
        sections: soap(
            [complaint, F("pain", "Pain today (0-10)", .number, required: true, min: 0, max: 10)],
            [
                F("postOpDay", "Days since surgery", .number, required: true, min: 0, max: 365),
                F(
                    "incision", "Incision", .choice, required: true,
                    options: ["Healing well", "Erythema", "Drainage", "Dehiscence"]),
                F("swelling", "Swelling", .choice, options: ["None", "Mild", "Moderate", "Severe"]),
                F("neurovascular", "Neurovascular status intact", .yesno, required: true),
                F(
                    "weightBearing", "Weight bearing", .choice,
                    options: [
                        "Non-weight-bearing", "Heel weight-bearing in surgical shoe", "Full in surgical shoe",
                        "Full in own shoe",
                    ]),
            ],
            [assessment],
            [plan, followUp]))

    public static let orthoticFitting = FormDefinition(
        code: "note-orthotic-fitting", version: 1, title: "Orthotic fitting",
        intro: "Dispensing and fitting custom foot orthoses.",
        sections: soap(
            [complaint],
            [
                F("device", "Device dispensed", .text, required: true, maxLength: 200),
                F("fit", "Fit", .choice, required: true, options: ["Good", "Adjusted in clinic", "Needs remake"]),
                F("gait", "Gait with the devices", .textarea),
            ],
            [assessment],
            [plan, F("breakIn", "Break-in instructions given", .yesno, required: true), followUp]))

    public static let all = [diabeticFoot, woundCheck, postOpBunionectomy, orthoticFitting]
}

public enum NoteRules {
    public static let maxAddendum = 4000

    /// Answers checked against the template: a draft only what is filled in, signing every required field too; and
    /// the rules a template cannot say (a monofilament answer cannot be both "all felt" and a site not felt).
    public static func check(_ answers: [String: String], template: FormDefinition, signing: Bool, today: String)
        -> [FieldError]
    {
        var errors = template.validate(answers, submitting: signing, today: today)
        for f in template.fields where answers[f.id].map(Text.hasControlCharacters) == true {
            errors.append(FieldError(f.id, "\(f.label): contains characters that are not allowed."))
        }
        for f in template.fields where f.kind == .multichoice && (f.options ?? []).contains(NoteTemplates.allFelt) {
            let picked = (answers[f.id] ?? "").split(separator: "|").map(String.init)
            if picked.contains(NoteTemplates.allFelt) && picked.count > 1 {
                errors.append(FieldError(f.id, "\(f.label): either all sites were felt, or name the ones not felt."))
            }
        }
        return errors
    }

    /// Why a note cannot be edited, or nil.
    public static func editRefusal(_ status: NoteStatus) -> String? {
        status == .signed ? "A signed note cannot be changed; add an addendum instead." : nil
    }

    public static func addendum(_ text: String?) -> Result<String, ValidationFailure> {
        guard let t = Text.clean(text) else {
            return .failure(ValidationFailure([FieldError("text", "Write the addendum.")]))
        }
        if t.count > maxAddendum {
            return .failure(
                ValidationFailure([FieldError("text", "An addendum is at most \(maxAddendum) characters.")]))
        }
        if Text.hasControlCharacters(t) {
            return .failure(
                ValidationFailure([FieldError("text", "The addendum contains characters that are not allowed.")]))
        }
        return .success(t)
    }
}

/// The IWGDF 2019 risk stratification of a diabetic foot, from the exam: 0 no loss of protective sensation (LOPS) and
/// no peripheral artery disease (PAD); 1 LOPS or PAD; 2 LOPS or PAD with a deformity, or both; 3 either with a history
/// of ulcer or amputation. The clinician chooses; the note shows this as the suggestion.
public enum DiabeticFootRisk {
    public static func suggested(_ answers: [String: String]) -> Int? {
        func sites(_ id: String) -> [String]? {
            guard let v = answers[id] else { return nil }
            return v.split(separator: "|").map(String.init).filter { $0 != NoteTemplates.allFelt }
        }
        guard let left = sites("monofilamentLeft"), let right = sites("monofilamentRight") else { return nil }
        // Loss of protective sensation: any site not felt (a common screening threshold is 1 of 10 sites).
        let lops = !left.isEmpty || !right.isEmpty
        let pulses = ["pulseDPLeft", "pulseDPRight", "pulsePTLeft", "pulsePTRight"].compactMap { answers[$0] }
        let pad = pulses.contains { $0 != "Palpable" }
        let deformity = (answers["deformity"] ?? "").split(separator: "|").contains { $0 != "None" }
        let history = answers["ulcerHistory"] == "yes"
        switch (lops || pad, history, lops && pad, deformity) {
        case (false, _, _, _): return 0
        case (true, true, _, _): return 3
        case (true, false, true, _), (true, false, _, true): return 2
        default: return 1
        }
    }
}
