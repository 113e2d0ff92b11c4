import Foundation

/// The practice's first intake forms (version 1 of each). They are loaded into the database as data; a later version
/// is added beside them, and drafts and submissions keep the version they were started on.
public enum StandardForms {
    typealias F = FormDefinition.Field

    static let consentText = "Typed full name (your signature)"

    public static let newPatient = FormDefinition(
        code: "new-patient", version: 1, title: "New patient intake",
        intro:
            "Tell us about yourself and your health before your first visit. You can save and come back later, on "
            + "any device.",
        sections: [
            .init(
                "Contact",
                [
                    F("phone", "Mobile phone", .text, required: true, maxLength: 30, mapsTo: "phone"),
                    F("email", "Email", .text, maxLength: 120, mapsTo: "email"),
                    F("addressLine1", "Street address", .text, required: true, maxLength: 120, mapsTo: "addressLine1"),
                    F("city", "City", .text, required: true, maxLength: 80, mapsTo: "city"),
                    F("state", "State", .text, required: true, maxLength: 2, mapsTo: "state"),
                    F("postalCode", "ZIP code", .text, required: true, maxLength: 10, mapsTo: "postalCode"),
                ]),
            .init(
                "Health history",
                [
                    F(
                        "conditions", "Ongoing conditions", .multichoice,
                        options: [
                            "Diabetes", "High blood pressure", "Heart disease", "Kidney disease", "Poor circulation",
                            "Arthritis", "None of these",
                        ]),
                    F("surgeries", "Past operations (what and when)", .textarea),
                    F(
                        "medications", "Medicines you take (name, dose, how often)", .textarea, required: true,
                        help: "Write 'none' if you take none."),
                    F(
                        "allergies", "Allergies (medicines, latex, adhesives) and what happens", .textarea,
                        required: true, help: "Write 'none' if you have none."),
                    F("smoker", "Do you smoke?", .yesno, required: true),
                ]),
            .init(
                "Consent",
                [
                    F(
                        "consentSignature",
                        "I agree to be treated and to the practice's privacy notice. " + consentText, .signature,
                        required: true)
                ]),
        ])

    public static let diabeticFoot = FormDefinition(
        code: "diabetic-foot", version: 1, title: "Diabetic foot intake",
        intro:
            "Questions about your diabetes and your feet. They help us check for nerve, circulation and skin "
            + "problems early.",
        sections: [
            .init(
                "Diabetes",
                [
                    F(
                        "diabetesType", "Type of diabetes", .choice, required: true,
                        options: ["Type 1", "Type 2", "Gestational", "Other", "Not sure"]),
                    F(
                        "lastA1c", "Last A1c (%)", .number, min: 3, max: 20,
                        help: "From your most recent blood test, if you know it."),
                    F("lastA1cDate", "Date of that A1c test", .date),
                ]),
            .init(
                "Feet",
                [
                    F(
                        "neuropathy", "Symptoms in your feet", .multichoice,
                        options: ["Numbness", "Tingling", "Burning", "Sharp pain", "Cannot feel shoes", "None"]),
                    F("priorUlcer", "Have you had a foot ulcer or sore that was slow to heal?", .yesno, required: true),
                    F("amputation", "Have you had any part of a foot or leg amputated?", .yesno, required: true),
                    F("amputationDetail", "If yes: what and when", .textarea),
                    F(
                        "footwear", "Shoes you wear most days", .choice, required: true,
                        options: [
                            "Athletic shoes", "Diabetic or custom shoes", "Sandals", "Work boots", "Slippers",
                            "Barefoot at home",
                        ]),
                ]),
            .init(
                "Circulation",
                [
                    F(
                        "vascular", "Circulation problems", .multichoice,
                        options: [
                            "Leg pain when walking", "Cold feet", "Swelling", "Past vascular surgery or stent", "None",
                        ]),
                    F("vascularDetail", "Anything else about your circulation", .textarea),
                ]),
        ])

    public static let orthoticReferral = FormDefinition(
        code: "orthotic-referral", version: 1, title: "Orthotic intake (referral)",
        intro: "For a referring office: the orthotic prescription and who to send the report to.",
        sections: [
            .init(
                "Referring provider",
                [
                    F("referrerName", "Referring provider's name", .text, required: true, maxLength: 120),
                    F("referrerNPI", "NPI", .text, required: true, maxLength: 10, help: "10 digits"),
                    F("referrerPhone", "Phone", .text, required: true, maxLength: 30),
                    F("referrerFax", "Fax or secure email", .text, maxLength: 120),
                ]),
            .init(
                "Referral",
                [
                    F("diagnosis", "Diagnosis (ICD-10 code and description)", .text, required: true, maxLength: 200),
                    F(
                        "prescription", "Orthotic prescription", .textarea, required: true,
                        help: "Device, material, posting, accommodations, and whether for one or both feet."),
                    F(
                        "referralLetter", "Referral letter (PDF or photo)", .file,
                        help: "Upload it here, or say below how it comes."),
                    F(
                        "letterOnFile", "If not uploaded: how the referral letter comes", .choice,
                        options: ["Sent by fax", "Sent by secure email", "Patient will bring it"]),
                ]),
        ])

    public static let consent = FormDefinition(
        code: "telehealth-consent", version: 1, title: "Consent to telehealth visits",
        intro:
            "Video visits use a secure connection; no recording is made. You may ask for an in-person visit at any "
            + "time.",
        sections: [
            .init(
                "Consent",
                [
                    F(
                        "understands", "I understand a video visit may not replace an examination in person", .yesno,
                        required: true),
                    F("signature", consentText, .signature, required: true),
                ])
        ])

    public static let all = [newPatient, diabeticFoot, orthoticReferral, consent]
}
