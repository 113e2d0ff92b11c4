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
    /// EPCS: the digest of the signed content and its signature.
    public var digestValue: String?
    public var signatureValue: String?

    public init(
        to: ScriptParty, from: ScriptParty, messageID: String, relatesToMessageID: String? = nil, sentTime: Date,
        prescriberOrderNumber: String? = nil, rxReferenceNumber: String? = nil, digestValue: String? = nil,
        signatureValue: String? = nil
    ) {
        self.to = to; self.from = from; self.messageID = messageID; self.relatesToMessageID = relatesToMessageID;
        self.sentTime = sentTime
        self.prescriberOrderNumber = prescriberOrderNumber; self.rxReferenceNumber = rxReferenceNumber
        self.digestValue = digestValue; self.signatureValue = signatureValue
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

public struct ScriptPharmacy: Equatable, Sendable, Codable {
    public var ncpdpid: String, npi: String, businessName: String
    public init(ncpdpid: String, npi: String, businessName: String) {
        self.ncpdpid = ncpdpid; self.npi = npi; self.businessName = businessName
    }
}

public struct ScriptPrescriber: Equatable, Sendable, Codable {
    public var npi: String
    public var deaNumber: String?
    public var lastName: String, firstName: String
    public init(npi: String, deaNumber: String?, lastName: String, firstName: String) {
        self.npi = npi; self.deaNumber = deaNumber; self.lastName = lastName; self.firstName = firstName
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
    case rxChangeResponse(ChangeDecision, RxDetails?)
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
