import Foundation

/// A referral into the practice (FHIR ServiceRequest, with the letter a DocumentReference): who referred, their NPI,
/// the diagnosis, what they ask for (an orthotic prescription), and the letter or how it comes.
public struct ReferralInput: Codable, Equatable, Sendable {
    public var referrerName: String?
    public var referrerNPI: String?
    public var referrerPhone: String?
    public var referrerFax: String?
    public var diagnosis: String?
    public var request: String?
    /// The uploaded letter (an attachment of this patient's).
    public var letterAttachmentId: UUID?
    /// When there is no upload: how the letter comes ("Sent by fax" …).
    public var letterNote: String?

    public init(
        referrerName: String? = nil, referrerNPI: String? = nil, referrerPhone: String? = nil,
        referrerFax: String? = nil, diagnosis: String? = nil, request: String? = nil, letterAttachmentId: UUID? = nil,
        letterNote: String? = nil
    ) {
        self.referrerName = referrerName
        self.referrerNPI = referrerNPI
        self.referrerPhone = referrerPhone
        self.referrerFax = referrerFax
        self.diagnosis = diagnosis
        self.request = request
        self.letterAttachmentId = letterAttachmentId
        self.letterNote = letterNote
    }
}

public enum ReferralRules {
    /// What an accepted orthotic-referral intake says, as a referral.
    public static func fromIntake(formCode: String, answers: [String: String]) -> ReferralInput? {
        guard formCode == "orthotic-referral" else { return nil }
        return ReferralInput(
            referrerName: answers["referrerName"], referrerNPI: answers["referrerNPI"],
            referrerPhone: answers["referrerPhone"], referrerFax: answers["referrerFax"],
            diagnosis: answers["diagnosis"], request: answers["prescription"],
            letterAttachmentId: answers["referralLetter"].flatMap(UUID.init(uuidString:)),
            letterNote: answers["letterOnFile"])
    }

    /// Every problem at once: the referrer's name and a valid NPI, a diagnosis and what is asked for are required.
    public static func check(_ r: ReferralInput) -> [FieldError] {
        var errors: [FieldError] = []
        func text(_ field: String, _ v: String?, _ name: String, max: Int, required: Bool = false) {
            guard let v = Text.clean(v) else {
                if required { errors.append(FieldError(field, "\(name) is required.")) }
                return
            }
            if v.count > max { errors.append(FieldError(field, "\(name) must be at most \(max) characters.")) }
            if Text.hasControlCharacters(v) {
                errors.append(FieldError(field, "\(name) contains characters that are not allowed."))
            }
        }
        text("referrerName", r.referrerName, "The referring provider's name", max: 120, required: true)
        if let npi = Text.clean(r.referrerNPI) {
            if !PrescribingRules.npiValid(npi) {
                errors.append(FieldError("referrerNPI", "The NPI must be 10 digits with a valid check digit."))
            }
        } else {
            errors.append(FieldError("referrerNPI", "The referring provider's NPI is required."))
        }
        text("referrerPhone", r.referrerPhone, "Phone", max: 30)
        text("referrerFax", r.referrerFax, "Fax or secure email", max: 120)
        text("diagnosis", r.diagnosis, "The diagnosis", max: 200, required: true)
        text("request", r.request, "What is asked for", max: 4000, required: true)
        text("letterNote", r.letterNote, "How the letter comes", max: 120)
        return errors
    }
}
