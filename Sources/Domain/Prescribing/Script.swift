import Foundation

/// NCPDP SCRIPT, the message standard for e-prescribing. 2017071 is built; the version is a switch so 2023011
/// (mandatory from 1 January 2028) can follow without touching the callers.
public enum ScriptVersion: String, Codable, Sendable, CaseIterable {
    case v2017071 = "2017071"
    case v2023011 = "2023011"

    /// The versions this build can write and read.
    public static let supported: [ScriptVersion] = [.v2017071]
}

/// DEA schedule as SCRIPT codes it (NCI thesaurus codes).
public enum DEASchedule: String, Codable, Sendable, CaseIterable, Comparable {
    case c1 = "C48672", c2 = "C48675", c3 = "C48676", c4 = "C48677", c5 = "C48679"

    public var roman: String {
        switch self {
        case .c1: return "I";
        case .c2: return "II";
        case .c3: return "III";
        case .c4: return "IV";
        case .c5: return "V"
        }
    }
    var rank: Int { DEASchedule.allCases.firstIndex(of: self)! }
    public static func < (a: DEASchedule, b: DEASchedule) -> Bool { a.rank < b.rank }
}

public struct ScriptParty: Equatable, Sendable, Codable {
    public var id: String
    /// P pharmacy (NCPDPID), D prescriber, C clinic, M mailbox.
    public var qualifier: String
    public init(_ id: String, _ qualifier: String) { self.id = id; self.qualifier = qualifier }
}

public struct ScriptHeader: Equatable, Sendable {
    public var to: ScriptParty
    public var from: ScriptParty
    public var messageID: String
    public var relatesToMessageID: String?
    public var sentTime: Date
    public var prescriberOrderNumber: String?
    public var rxReferenceNumber: String?
    /// EPCS: the prescription was digitally signed with the prescriber's two factors. SCRIPT 2017071's
    /// DigitalSignature holds either the signature with the signer's X.509 certificate or this indicator; CareSync
    /// signs with the practice's key and archives digest and signature with the prescription (21 CFR 1311.120(b)(17)),
    /// so it sends the indicator.
    public var digitallySigned: Bool

    public init(
        to: ScriptParty, from: ScriptParty, messageID: String, relatesToMessageID: String? = nil, sentTime: Date,
        prescriberOrderNumber: String? = nil, rxReferenceNumber: String? = nil, digitallySigned: Bool = false
    ) {
        self.to = to; self.from = from; self.messageID = messageID; self.relatesToMessageID = relatesToMessageID;
        self.sentTime = sentTime
        self.prescriberOrderNumber = prescriberOrderNumber; self.rxReferenceNumber = rxReferenceNumber
        self.digitallySigned = digitallySigned
    }
}

public struct ScriptPatient: Equatable, Sendable, Codable {
    public var lastName: String, firstName: String
    /// M, F or U.
    public var gender: String
    public var dateOfBirth: String
    public var addressLine1: String, city: String, state: String, postalCode: String
    public var countryCode = "US"

    public init(
        lastName: String, firstName: String, gender: String, dateOfBirth: String, addressLine1: String, city: String,
        state: String, postalCode: String
    ) {
        self.lastName = lastName; self.firstName = firstName; self.gender = gender; self.dateOfBirth = dateOfBirth
        self.addressLine1 = addressLine1; self.city = city; self.state = state; self.postalCode = postalCode
    }
}

/// A postal address as SCRIPT's AddressType holds it (line 1 at most 40 characters, city 35, country 2).
public struct ScriptAddress: Equatable, Sendable, Codable {
    public var line1: String, city: String, state: String, postalCode: String
    public var countryCode = "US"

    public init(line1: String, city: String, state: String, postalCode: String) {
        self.line1 = line1; self.city = city; self.state = state; self.postalCode = postalCode
    }

    /// "100 Main St, Evansville, IN 47708" (how a location's address is kept) as its parts; nil when it is not in
    /// that shape.
    public static func parse(_ oneLine: String) -> ScriptAddress? {
        let parts = oneLine.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count >= 3 else { return nil }
        let stateZip = parts.last!.split(separator: " ").map(String.init)
        guard stateZip.count == 2, stateZip[0].count == 2, stateZip[0].allSatisfy(\.isLetter),
            stateZip[1].range(of: #"^[0-9]{5}(-?[0-9]{4})?$"#, options: .regularExpression) != nil
        else { return nil }
        return ScriptAddress(
            line1: parts.dropLast(2).joined(separator: ", "), city: parts[parts.count - 2],
            state: stateZip[0].uppercased(), postalCode: stateZip[1].replacingOccurrences(of: "-", with: ""))
    }

    /// What SCRIPT's limits refuse in it.
    public var problems: [String] {
        var out: [String] = []
        if line1.isEmpty || line1.count > 40 { out.append("the street line must be 1 to 40 characters") }
        if city.isEmpty || city.count > 35 { out.append("the city must be 1 to 35 characters") }
        if state.count != 2 { out.append("the state must be its two-letter code") }
        if postalCode.range(of: #"^[0-9]{5}([0-9]{4})?$"#, options: .regularExpression) == nil {
            out.append("the ZIP code must be 5 or 9 digits")
        }
        return out
    }
}

public enum ScriptPhone {
    /// A US phone number as SCRIPT's PhoneType holds it: 10 digits (a leading country code 1 dropped); nil otherwise.
    public static func number(_ text: String) -> String? {
        var digits = text.filter(\.isNumber)
        if digits.count == 11, digits.hasPrefix("1") { digits.removeFirst() }
        return digits.count == 10 ? digits : nil
    }
}

public struct ScriptPharmacy: Equatable, Sendable, Codable {
    public var ncpdpid: String, npi: String, businessName: String
    public var address: ScriptAddress?
    /// 10 digits (CommunicationNumbers/PrimaryTelephone is required).
    public var phone: String
    public init(ncpdpid: String, npi: String, businessName: String, address: ScriptAddress? = nil, phone: String = "") {
        self.ncpdpid = ncpdpid; self.npi = npi; self.businessName = businessName; self.address = address
        self.phone = phone
    }
}

public struct ScriptPrescriber: Equatable, Sendable, Codable {
    public var npi: String
    public var deaNumber: String?
    public var lastName: String, firstName: String
    /// The practice location's address and phone (both required for a non-veterinarian prescriber).
    public var address: ScriptAddress?
    public var phone: String
    public init(
        npi: String, deaNumber: String?, lastName: String, firstName: String, address: ScriptAddress? = nil,
        phone: String = ""
    ) {
        self.npi = npi; self.deaNumber = deaNumber; self.lastName = lastName; self.firstName = firstName
        self.address = address; self.phone = phone
    }
}

public struct ScriptMedication: Equatable, Sendable, Codable {
    public var description: String
    public var ndc: String?
    public var rxnorm: String?
    /// SCD, SBD, GPK or BPK.
    public var rxnormQualifier: String?
    public var schedule: DEASchedule?
    public var quantity: String
    /// 38 original quantity, QS quantity sufficient.
    public var quantityQualifier = "38"
    /// NCI code of the unit (C48542 tablet, C48480 capsule, C28254 mL, C48155 gram).
    public var unitCode: String
    public var daysSupply: Int
    public var writtenDate: String
    /// 0 none indicated, 1 substitution not allowed.
    public var substitutions: String
    public var refills: Int
    public var sig: String
    /// A renewal request's MedicationDispensed: when the pharmacy last filled it.
    public var lastFillDate: String?

    public init(
        description: String, ndc: String?, rxnorm: String?, rxnormQualifier: String? = "SCD", schedule: DEASchedule?,
        quantity: String, unitCode: String,
        daysSupply: Int, writtenDate: String, substitutions: String, refills: Int, sig: String
    ) {
        self.description = description; self.ndc = ndc; self.rxnorm = rxnorm; self.rxnormQualifier = rxnormQualifier;
        self.schedule = schedule
        self.quantity = quantity; self.unitCode = unitCode; self.daysSupply = daysSupply; self.writtenDate = writtenDate
        self.substitutions = substitutions; self.refills = refills; self.sig = sig
    }
}

/// Who, where and what: the content NewRx, renewals, changes and cancellations share.
public struct RxDetails: Equatable, Sendable {
    public var patient: ScriptPatient
    public var pharmacy: ScriptPharmacy
    public var prescriber: ScriptPrescriber
    public var medication: ScriptMedication
    public init(
        patient: ScriptPatient, pharmacy: ScriptPharmacy, prescriber: ScriptPrescriber, medication: ScriptMedication
    ) {
        self.patient = patient; self.pharmacy = pharmacy; self.prescriber = prescriber; self.medication = medication
    }
}

public enum RenewalDecision: Equatable, Sendable {
    case approved
    case approvedWithChanges
    /// ReasonCode: AA patient unknown, AC no longer under care, AD too soon, AM needs appointment, AP answered by other
    /// means, DA discontinued …
    case denied(reasonCode: String, reason: String?)
    case deniedNewPrescriptionToFollow
    case replace
}

public enum CancelDecision: Equatable, Sendable {
    case approved
    /// AR: already transferred.
    case denied(reasonCode: String, reason: String?)
}

public enum ChangeDecision: Equatable, Sendable {
    case approved, approvedWithChanges, validated
    case denied(reasonCode: String, reason: String?)
}

public enum ScriptBody: Equatable, Sendable {
    case newRx(RxDetails)
    case rxRenewalRequest(RxDetails)
    case rxRenewalResponse(RenewalDecision, RxDetails)
    case cancelRx(RxDetails)
    case cancelRxResponse(CancelDecision)
    /// MessageRequestCode: G generic, T therapeutic, P prior auth, D DUE, S clarification, OS out of stock, U
    /// prescriber authorization.
    case rxChangeRequest(code: String, RxDetails, requested: ScriptMedication?)
    /// The change request's MessageRequestCode, the decision, and the prescription as decided.
    case rxChangeResponse(code: String, ChangeDecision, RxDetails)
    case status(code: String, description: String?)
    case verify(code: String)
    case error(code: String, descriptionCode: String?, description: String?)

    public var type: ScriptMessageType {
        switch self {
        case .newRx: .newRx
        case .rxRenewalRequest: .rxRenewalRequest
        case .rxRenewalResponse: .rxRenewalResponse
        case .cancelRx: .cancelRx
        case .cancelRxResponse: .cancelRxResponse
        case .rxChangeRequest: .rxChangeRequest
        case .rxChangeResponse: .rxChangeResponse
        case .status: .status
        case .verify: .verify
        case .error: .error
        }
    }

    /// The element name, as SCRIPT spells it.
    public var name: String { type.rawValue }
}

public struct ScriptMessage: Equatable, Sendable {
    public var header: ScriptHeader
    public var body: ScriptBody
    public init(header: ScriptHeader, body: ScriptBody) { self.header = header; self.body = body }
}

/// Why a received message was refused, as SCRIPT reports it back (Error/Code, DescriptionCode, and the XPath).
public struct ScriptProblem: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: String
    public var descriptionCode: String
    public var text: String
    public var xpath: String?
    public init(_ code: String, _ descriptionCode: String, _ text: String, xpath: String? = nil) {
        self.code = code; self.descriptionCode = descriptionCode; self.text = text; self.xpath = xpath
    }
    public var description: String { "\(code)/\(descriptionCode): \(text)" + (xpath.map { " at \($0)" } ?? "") }
}
