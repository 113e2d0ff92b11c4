import Foundation

/// Administrative sex, as FHIR's AdministrativeGender.
public enum Sex: String, Codable, CaseIterable, Sendable {
    case female, male, other, unknown
}

/// Demographics, contact and insurance basics as entered by staff. Every field optional here;
/// `validated` says which are required and how long each may be.
public struct PatientInput: Codable, Equatable, Sendable {
    public var familyName: String?
    public var givenName: String?
    public var birthDate: String?
    public var sex: String?
    public var email: String?
    public var phone: String?
    public var addressLine1: String?
    public var addressLine2: String?
    public var city: String?
    public var state: String?
    public var postalCode: String?
    public var preferredLocationID: UUID?
    public var insurancePayer: String?
    public var insuranceMemberID: String?
    public var insuranceGroup: String?
    /// The language of the patient's pages and messages: "en" or "es".
    public var preferredLanguage: String?

    public init(
        familyName: String? = nil, givenName: String? = nil, birthDate: String? = nil, sex: String? = nil,
        email: String? = nil, phone: String? = nil, addressLine1: String? = nil, addressLine2: String? = nil,
        city: String? = nil, state: String? = nil, postalCode: String? = nil, preferredLocationID: UUID? = nil,
        insurancePayer: String? = nil, insuranceMemberID: String? = nil, insuranceGroup: String? = nil,
        preferredLanguage: String? = nil
    ) {
        self.preferredLanguage = preferredLanguage
        self.familyName = familyName
        self.givenName = givenName
        self.birthDate = birthDate
        self.sex = sex
        self.email = email
        self.phone = phone
        self.addressLine1 = addressLine1
        self.addressLine2 = addressLine2
        self.city = city
        self.state = state
        self.postalCode = postalCode
        self.preferredLocationID = preferredLocationID
        self.insurancePayer = insurancePayer
        self.insuranceMemberID = insuranceMemberID
        self.insuranceGroup = insuranceGroup
    }
}

/// A patient's demographics after validation: what is stored and compared.
public struct PatientDemographics: Codable, Equatable, Sendable {
    public var familyName: String
    public var givenName: String
    public var birthDate: String  // YYYY-MM-DD, a calendar date with no time zone
    public var sex: Sex
    public var email: String?
    public var phone: String?
    public var addressLine1: String?
    public var addressLine2: String?
    public var city: String?
    public var state: String?
    public var postalCode: String?
    public var preferredLocationID: UUID?
    public var insurancePayer: String?
    public var insuranceMemberID: String?
    public var insuranceGroup: String?
    /// Unset means English.
    public var preferredLanguage: PatientLanguage?

    public init(
        familyName: String, givenName: String, birthDate: String, sex: Sex, email: String? = nil,
        phone: String? = nil, addressLine1: String? = nil, addressLine2: String? = nil, city: String? = nil,
        state: String? = nil, postalCode: String? = nil, preferredLocationID: UUID? = nil,
        insurancePayer: String? = nil, insuranceMemberID: String? = nil, insuranceGroup: String? = nil,
        preferredLanguage: PatientLanguage? = nil
    ) {
        self.preferredLanguage = preferredLanguage
        self.familyName = familyName
        self.givenName = givenName
        self.birthDate = birthDate
        self.sex = sex
        self.email = email
        self.phone = phone
        self.addressLine1 = addressLine1
        self.addressLine2 = addressLine2
        self.city = city
        self.state = state
        self.postalCode = postalCode
        self.preferredLocationID = preferredLocationID
        self.insurancePayer = insurancePayer
        self.insuranceMemberID = insuranceMemberID
        self.insuranceGroup = insuranceGroup
    }

    /// Names of the fields that differ, for the audit trail and the history view.
    public func changedFields(from old: PatientDemographics) -> [String] {
        var out: [String] = []
        func cmp<T: Equatable>(_ name: String, _ a: T, _ b: T) { if a != b { out.append(name) } }
        cmp("familyName", familyName, old.familyName)
        cmp("givenName", givenName, old.givenName)
        cmp("birthDate", birthDate, old.birthDate)
        cmp("sex", sex, old.sex)
        cmp("email", email, old.email)
        cmp("phone", phone, old.phone)
        cmp("addressLine1", addressLine1, old.addressLine1)
        cmp("addressLine2", addressLine2, old.addressLine2)
        cmp("city", city, old.city)
        cmp("state", state, old.state)
        cmp("postalCode", postalCode, old.postalCode)
        cmp("preferredLocationID", preferredLocationID, old.preferredLocationID)
        cmp("insurancePayer", insurancePayer, old.insurancePayer)
        cmp("insuranceMemberID", insuranceMemberID, old.insuranceMemberID)
        cmp("insuranceGroup", insuranceGroup, old.insuranceGroup)
        cmp("preferredLanguage", preferredLanguage, old.preferredLanguage)
        return out
    }

    /// Which data categories a set of changed fields falls in.
    public static func categories(of fields: [String]) -> Set<DataCategory> {
        Set(
            fields.map { f -> DataCategory in
                if f.hasPrefix("insurance") { return .insurance }
                if ["email", "phone", "addressLine1", "addressLine2", "city", "state", "postalCode"].contains(f) {
                    return .contact
                }
                return .demographics
            })
    }
}

public enum PatientRules {
    public static let maxNameLength = 100
    public static let maxTextLength = 200
    public static let earliestBirthYear = 1900

    /// Applies `input` over `base` (nil base: a new registration) and checks every field.
    /// Returns every field problem at once, or the validated demographics.
    public static func validated(
        _ input: PatientInput, over base: PatientDemographics? = nil,
        today: String
    ) -> Result<PatientDemographics, ValidationFailure> {
        var errors: [FieldError] = []

        func text(
            _ field: String, _ value: String?, _ current: String?, max: Int, required: Bool = false, name: Bool = false
        ) -> String? {
            let provided = value != nil
            let cleaned = Text.clean(value)
            let result = provided ? cleaned : current
            if required && result == nil {
                errors.append(FieldError(field, "\(label(field)) is required."))
                return nil
            }
            if let r = result {
                if r.count > max {
                    errors.append(FieldError(field, "\(label(field)) must be at most \(max) characters."))
                } else if Text.hasControlCharacters(r) {
                    errors.append(FieldError(field, "\(label(field)) contains characters that are not allowed."))
                } else if name, let bad = Text.invisibleOrReordering(r) {
                    errors.append(
                        FieldError(
                            field,
                            "\(label(field)) contains an invisible or text-reordering character (\(bad)); "
                                + "type the name as it is written."))
                }
            }
            return result
        }

        let family = text(
            "familyName", input.familyName, base?.familyName, max: maxNameLength, required: true, name: true)
        let given = text("givenName", input.givenName, base?.givenName, max: maxNameLength, required: true, name: true)

        var birth: String? = base?.birthDate
        if input.birthDate != nil || base == nil {
            if let raw = Text.clean(input.birthDate) {
                switch CalendarDate.parse(raw) {
                case .none:
                    errors.append(FieldError("birthDate", "Date of birth must be a real date written YYYY-MM-DD."))
                case .some(let d):
                    if d.iso > today {
                        errors.append(FieldError("birthDate", "Date of birth cannot be in the future."))
                    } else if d.year < earliestBirthYear {
                        errors.append(
                            FieldError("birthDate", "Date of birth must be in \(earliestBirthYear) or later."))
                    } else {
                        birth = d.iso
                    }
                }
            } else {
                errors.append(FieldError("birthDate", "Date of birth is required."))
            }
        }

        var sex: Sex? = base?.sex
        if input.sex != nil || base == nil {
            if let raw = Text.clean(input.sex) {
                if let s = Sex(rawValue: raw.lowercased()) {
                    sex = s
                } else {
                    errors.append(FieldError("sex", "Sex must be one of: female, male, other, unknown."))
                }
            } else {
                errors.append(FieldError("sex", "Sex is required."))
            }
        }

        let email = text("email", input.email, base?.email, max: 254)
        if let e = email, !isPlausibleEmail(e) {
            errors.append(FieldError("email", "Email must look like name@example.org."))
        }
        let phone = text("phone", input.phone, base?.phone, max: 32)
        if let p = phone, !isPlausiblePhone(p) {
            errors.append(FieldError("phone", "Phone may hold digits, spaces, +, -, ( and ), with 7 to 15 digits."))
        }
        let line1 = text("addressLine1", input.addressLine1, base?.addressLine1, max: maxTextLength)
        let line2 = text("addressLine2", input.addressLine2, base?.addressLine2, max: maxTextLength)
        let city = text("city", input.city, base?.city, max: maxNameLength)
        let state = text("state", input.state, base?.state, max: 50)
        let postal = text("postalCode", input.postalCode, base?.postalCode, max: 16)
        if let pc = postal, !pc.allSatisfy({ $0.isLetter || $0.isNumber || $0 == " " || $0 == "-" }) {
            errors.append(FieldError("postalCode", "Postal code may hold letters, digits, spaces and hyphens."))
        }
        let payer = text("insurancePayer", input.insurancePayer, base?.insurancePayer, max: maxTextLength)
        let member = text("insuranceMemberID", input.insuranceMemberID, base?.insuranceMemberID, max: 64)
        let group = text("insuranceGroup", input.insuranceGroup, base?.insuranceGroup, max: 64)
        var language = base?.preferredLanguage
        if let raw = Text.clean(input.preferredLanguage) {
            if let l = PatientLanguage(rawValue: raw.lowercased()) {
                language = l
            } else {
                errors.append(FieldError("preferredLanguage", "Preferred language must be one of: en, es."))
            }
        }
        if member != nil && payer == nil {
            errors.append(FieldError("insurancePayer", "Insurance payer is required when a member ID is given."))
        }

        guard errors.isEmpty, let f = family, let g = given, let b = birth, let s = sex else {
            return .failure(ValidationFailure(errors))
        }
        return .success(
            PatientDemographics(
                familyName: f, givenName: g, birthDate: b, sex: s, email: email, phone: phone,
                addressLine1: line1, addressLine2: line2, city: city, state: state, postalCode: postal,
                preferredLocationID: input.preferredLocationID ?? base?.preferredLocationID,
                insurancePayer: payer, insuranceMemberID: member, insuranceGroup: group,
                preferredLanguage: language))
    }

    /// Two registrations are possible duplicates when the normalized full name and the date of birth match.
    public static func duplicateKey(familyName: String, givenName: String, birthDate: String) -> String {
        "\(Text.normalizedName(familyName))|\(Text.normalizedName(givenName))|\(birthDate)"
    }

    static func isPlausibleEmail(_ e: String) -> Bool {
        let parts = e.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix(".")
        else { return false }
        return !e.contains(where: { $0.isWhitespace })
    }

    static func isPlausiblePhone(_ p: String) -> Bool {
        guard p.allSatisfy({ $0.isNumber || " +-().".contains($0) }) else { return false }
        let digits = p.filter(\.isNumber).count
        return (7...15).contains(digits)
    }

    static func label(_ field: String) -> String {
        switch field {
        case "familyName": return "Family name"
        case "givenName": return "Given name"
        case "addressLine1": return "Address line 1"
        case "addressLine2": return "Address line 2"
        case "postalCode": return "Postal code"
        case "insurancePayer": return "Insurance payer"
        case "insuranceMemberID": return "Insurance member ID"
        case "insuranceGroup": return "Insurance group"
        default: return field.prefix(1).uppercased() + field.dropFirst()
        }
    }
}

/// A calendar date (no time, no zone), validated for real (no 31 February).
public struct CalendarDate: Equatable, Sendable {
    public let year: Int, month: Int, day: Int
    public var iso: String { String(format: "%04d-%02d-%02d", year, month, day) }

    public static func parse(_ s: String) -> CalendarDate? {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            (1...12).contains(m), d >= 1
        else { return nil }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        guard d <= days else { return nil }
        return CalendarDate(year: y, month: m, day: d)
    }

    /// Today's date in a time zone, as YYYY-MM-DD.
    public static func today(_ now: Date, in zone: TimeZone = TimeZone(identifier: "UTC")!) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let c = cal.dateComponents([.year, .month, .day], from: now)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }
}

/// Medical record numbers: prefix, six-digit sequence, Luhn check digit (catches one-digit typos and most swaps).
public enum MRN {
    public static func make(prefix: String, sequence: Int) -> String {
        let body = String(format: "%06d", sequence)
        return prefix + body + String(luhnDigit(body))
    }

    public static func isValid(_ mrn: String, prefix: String) -> Bool {
        guard mrn.hasPrefix(prefix) else { return false }
        let digits = mrn.dropFirst(prefix.count)
        guard digits.count >= 2, digits.allSatisfy(\.isNumber) else { return false }
        return luhnDigit(String(digits.dropLast())) == Int(String(digits.last!))
    }

    static func luhnDigit(_ body: String) -> Int {
        var sum = 0
        for (i, ch) in body.reversed().enumerated() {
            var d = ch.wholeNumberValue ?? 0
            if i % 2 == 0 { d *= 2; if d > 9 { d -= 9 } }
            sum += d
        }
        return (10 - sum % 10) % 10
    }
}
