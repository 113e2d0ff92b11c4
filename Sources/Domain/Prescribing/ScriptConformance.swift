import Foundation

/// The rules of the official SCRIPT 2017071 schemas (transport.xsd, script.xsd, structures.xsd, datatypes.xsd,
/// ecl.xsd) for every element CareSync and `pharmacy-sim` write: which children an element may have, in which order,
/// which are required, and the lengths, patterns and code lists of the values. A real intermediary validates
/// against the schemas and answers a message that breaks them with Error 900 / DescriptionCode 3000 and the XPath;
/// `pharmacy-sim` does the same with these rules, and the tests check every message CareSync writes against them.
/// (The schemas themselves are NCPDP's and are not shipped; `scripts/script-xsd-check` validates against a local copy
/// with xmllint.)
public enum ScriptConformance {
    /// A child in a content model: its name, whether it must be there, and the model that applies to it (nil: a leaf).
    struct Child {
        let name: String
        let required: Bool
        let model: String?
        init(_ name: String, _ required: Bool = true, _ model: String? = nil) {
            self.name = name
            self.required = required
            self.model = model
        }
    }

    /// Content models by name: the children in schema order. `choice:` models allow exactly one of their children.
    static let models: [String: [Child]] = [
        "Message": [Child("Header", true, "Header"), Child("Body", true, "choice:Body")],
        "Header": [
            Child("To"), Child("From"), Child("MessageID"), Child("RelatesToMessageID", false), Child("SentTime"),
            Child("SenderSoftware", true, "SenderSoftware"), Child("RxReferenceNumber", false),
            Child("PrescriberOrderNumber", false), Child("DigitalSignature", false, "DigitalSignature"),
        ],
        "SenderSoftware": [
            Child("SenderSoftwareDeveloper"), Child("SenderSoftwareProduct"), Child("SenderSoftwareVersionRelease"),
        ],
        "DigitalSignature": [Child("DigitalSignatureIndicator")],
        "choice:Body": [
            Child("NewRx", true, "NewRx"), Child("RxRenewalRequest", true, "RxRenewalRequest"),
            Child("RxRenewalResponse", true, "RxRenewalResponse"), Child("CancelRx", true, "CancelRx"),
            Child("CancelRxResponse", true, "CancelRxResponse"), Child("RxChangeRequest", true, "RxChangeRequest"),
            Child("RxChangeResponse", true, "RxChangeResponse"), Child("Status", true, "Status"),
            Child("Verify", true, "Verify"), Child("Error", true, "Error"),
        ],
        "NewRx": [
            Child("Patient", true, "PatientWithAddress"), Child("Pharmacy", false, "Pharmacy"),
            Child("Prescriber", true, "Prescriber"), Child("MedicationPrescribed", true, "Medication"),
        ],
        "RxRenewalRequest": [
            Child("Patient", true, "Patient"), Child("Pharmacy", true, "PharmacyWithAddress"),
            Child("Prescriber", true, "Prescriber"), Child("MedicationDispensed", true, "MedicationDispensed"),
            Child("MedicationPrescribed", false, "Medication"),
        ],
        "RxRenewalResponse": [
            Child("Response", true, "choice:RenewalResponse"), Child("Patient", true, "Patient"),
            Child("Pharmacy", true, "Pharmacy"), Child("Prescriber", true, "Prescriber"),
            Child("MedicationResponse", true, "Medication"),
        ],
        "CancelRx": [
            Child("Patient", true, "Patient"), Child("Pharmacy", false, "Pharmacy"),
            Child("Prescriber", true, "Prescriber"), Child("MedicationPrescribed", true, "Medication"),
        ],
        "CancelRxResponse": [Child("Response", true, "choice:CancelResponse")],
        "RxChangeRequest": [
            Child("MessageRequestCode"), Child("Patient", true, "Patient"), Child("Pharmacy", true, "Pharmacy"),
            Child("Prescriber", true, "Prescriber"), Child("MedicationPrescribed", true, "Medication"),
            Child("MedicationRequested", false, "Medication"),
        ],
        "RxChangeResponse": [
            Child("MessageRequestCode"), Child("Response", true, "choice:ChangeResponse"),
            Child("Patient", true, "Patient"), Child("Pharmacy", true, "Pharmacy"),
            Child("Prescriber", true, "Prescriber"), Child("MedicationPrescribed", false, "Medication"),
        ],
        "Status": [Child("Code"), Child("DescriptionCode", false), Child("Description", false)],
        "Error": [Child("Code"), Child("DescriptionCode", false), Child("Description", false)],
        "Verify": [Child("VerifyStatus", true, "Coded")],
        "choice:RenewalResponse": [
            Child("Approved", true, "Empty"), Child("ApprovedWithChanges", true, "Empty"),
            Child("Denied", true, "Denied"), Child("DeniedNewPrescriptionToFollow", true, "Empty"),
            Child("Replace", true, "Empty"),
        ],
        "choice:CancelResponse": [Child("Approved", true, "Empty"), Child("Denied", true, "Denied")],
        "choice:ChangeResponse": [
            Child("Approved", true, "Empty"), Child("ApprovedWithChanges", true, "Empty"),
            Child("Validated", true, "Empty"), Child("Denied", true, "Denied"),
        ],
        "Empty": [],
        "Denied": [Child("ReasonCode"), Child("DenialReason", false)],
        "Patient": [Child("HumanPatient", true, "HumanPatient")],
        "PatientWithAddress": [Child("HumanPatient", true, "HumanPatientWithAddress")],
        "HumanPatient": [
            Child("Name", true, "Name"), Child("Gender"), Child("DateOfBirth", true, "Date"),
            Child("Address", false, "Address"),
        ],
        "HumanPatientWithAddress": [
            Child("Name", true, "Name"), Child("Gender"), Child("DateOfBirth", true, "Date"),
            Child("Address", true, "Address"),
        ],
        "Name": [Child("LastName"), Child("FirstName")],
        "Address": [
            Child("AddressLine1"), Child("AddressLine2", false), Child("City"), Child("StateProvince"),
            Child("PostalCode"), Child("CountryCode"),
        ],
        "Pharmacy": [
            Child("Identification", true, "PharmacyID"), Child("BusinessName"), Child("Address", false, "Address"),
            Child("CommunicationNumbers", true, "CommunicationNumbers"),
        ],
        "PharmacyWithAddress": [
            Child("Identification", true, "PharmacyID"), Child("BusinessName"), Child("Address", true, "Address"),
            Child("CommunicationNumbers", true, "CommunicationNumbers"),
        ],
        "PharmacyID": [Child("NCPDPID"), Child("NPI")],
        "Prescriber": [Child("NonVeterinarian", true, "NonVeterinarian")],
        "NonVeterinarian": [
            Child("Identification", true, "PrescriberID"), Child("Name", true, "Name"),
            Child("Address", true, "Address"), Child("CommunicationNumbers", true, "CommunicationNumbers"),
        ],
        "PrescriberID": [Child("DEANumber", false), Child("NPI")],
        "CommunicationNumbers": [Child("PrimaryTelephone", true, "Phone")],
        "Phone": [Child("Number")],
        "Medication": [
            Child("DrugDescription"), Child("DrugCoded", false, "DrugCoded"), Child("Quantity", true, "Quantity"),
            Child("DaysSupply", false), Child("WrittenDate", true, "Date"), Child("LastFillDate", false, "Date"),
            Child("Substitutions"), Child("NumberOfRefills"), Child("Sig", true, "Sig"),
        ],
        "MedicationDispensed": [
            Child("DrugDescription"), Child("DrugCoded", false, "DrugCoded"), Child("Quantity", true, "Quantity"),
            Child("DaysSupply", false), Child("WrittenDate", false, "Date"), Child("LastFillDate", true, "Date"),
            Child("Substitutions"), Child("Sig", true, "Sig"),
        ],
        "DrugCoded": [
            Child("ProductCode", false, "ProductCode"), Child("DrugDBCode", false, "DrugDBCode"),
            Child("DEASchedule", false, "Coded"),
        ],
        "ProductCode": [Child("Code"), Child("Qualifier")],
        "DrugDBCode": [Child("Code"), Child("Qualifier")],
        "Coded": [Child("Code")],
        "Quantity": [Child("Value"), Child("CodeListQualifier"), Child("QuantityUnitOfMeasure", true, "Coded")],
        "Date": [Child("Date")],
        "Sig": [Child("SigText")],
    ]

    /// Leaf values by element name (and, where a name means different things, by its parent's name).
    static func valueProblem(_ name: String, parent: String, _ v: String) -> String? {
        func length(_ lo: Int, _ hi: Int) -> String? {
            (lo...hi).contains(v.count) ? nil : "must be \(lo) to \(hi) characters"
        }
        func matches(_ pattern: String, _ what: String) -> String? {
            v.range(of: pattern, options: .regularExpression) == nil ? "must be \(what)" : nil
        }
        switch (parent, name) {
        case (_, "MessageID"), (_, "RelatesToMessageID"), (_, "PrescriberOrderNumber"), (_, "RxReferenceNumber"):
            return length(1, 35)
        case (_, "To"), (_, "From"): return length(1, 80)
        case (_, "SentTime"):
            return matches(#"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#, "a date-time")
        case ("SenderSoftware", _): return length(1, 35)
        case ("DigitalSignature", "DigitalSignatureIndicator"):
            return ["true", "false"].contains(v) ? nil : "must be true or false"
        case ("Name", "LastName"), ("Name", "FirstName"): return length(1, 35)
        case (_, "Gender"): return ["M", "F", "U"].contains(v) ? nil : "must be M, F or U"
        case ("Date", "Date"), (_, "Date"): return matches(#"^\d{4}-\d{2}-\d{2}$"#, "a date YYYY-MM-DD")
        case ("Address", "AddressLine1"), ("Address", "AddressLine2"): return length(1, 40)
        case ("Address", "City"): return length(1, 35)
        case ("Address", "StateProvince"): return matches(#"^[A-Z]{2}$"#, "a two-letter state code")
        case ("Address", "PostalCode"): return matches(#"^\d{5}(\d{4})?$"#, "5 or 9 digits")
        case ("Address", "CountryCode"): return matches(#"^[A-Z]{2}$"#, "a two-letter country code")
        case (_, "NCPDPID"): return matches(#"^\d{7}$"#, "7 digits")
        case (_, "NPI"): return matches(#"^\d{10}$"#, "10 digits")
        case (_, "DEANumber"): return matches(#"^[A-Z]{2}\d{7}$"#, "two letters and 7 digits")
        case (_, "BusinessName"): return length(1, 70)
        case ("PrimaryTelephone", "Number"): return matches(#"^\d{1,10}$"#, "1 to 10 digits")
        case (_, "DrugDescription"): return length(1, 105)
        case ("ProductCode", "Code"): return length(1, 35)
        case ("ProductCode", "Qualifier"):
            return ["ND", "UP", "HI", "NH", "UN"].contains(v) ? nil : "must be a product code qualifier (ND, UP …)"
        case ("DrugDBCode", "Qualifier"):
            return ["SCD", "SBD", "GPK", "BPK", "SGP", "SBP", "MIN", "PIN"].contains(v) ? nil : "must be an RxNorm TTY"
        case ("DEASchedule", "Code"):
            return DEASchedule(rawValue: v) == nil ? "must be an NCI DEA schedule code" : nil
        case ("Quantity", "Value"): return matches(#"^\d{1,11}(\.\d{1,5})?$"#, "a number")
        case ("Quantity", "CodeListQualifier"):
            return ["38", "40", "87", "QS", "CF"].contains(v) ? nil : "must be a quantity qualifier (38, 87, QS …)"
        case ("QuantityUnitOfMeasure", "Code"): return matches(#"^C\d{5,6}$"#, "an NCI unit code")
        case (_, "DaysSupply"): return matches(#"^\d{1,3}$"#, "1 to 3 digits")
        case (_, "Substitutions"): return matches(#"^\d$"#, "one digit (0 to 8)")
        case (_, "NumberOfRefills"): return matches(#"^\d{1,2}$"#, "1 or 2 digits")
        case (_, "SigText"): return length(1, 1000)
        case ("Denied", "ReasonCode"): return length(1, 2)
        case ("Denied", "DenialReason"): return length(1, 260)
        case ("Status", "Code"), ("Error", "Code"), ("VerifyStatus", "Code"): return matches(#"^\d{3}$"#, "3 digits")
        case ("Status", "DescriptionCode"), ("Error", "DescriptionCode"): return matches(#"^\d{1,4}$"#, "a number")
        case ("Status", "Description"), ("VerifyStatus", "Description"): return length(1, 70)
        case (_, "MessageRequestCode"): return length(1, 3)
        default: return length(1, 10_000)
        }
    }

    /// The first way `root` breaks the rules, as the Error to answer with; nil when it keeps them.
    public static func problem(_ root: XElement) -> ScriptProblem? {
        guard root.name == "Message" else {
            return ScriptProblem("900", "3000", "The root element must be Message.", xpath: "/\(root.name)")
        }
        return check(root, model: "Message", path: "/Message")
    }

    static func check(_ e: XElement, model name: String, path: String) -> ScriptProblem? {
        func fail(_ text: String, _ at: String) -> ScriptProblem { ScriptProblem("900", "3000", text, xpath: at) }
        guard let model = models[name] else { return nil }
        if name.hasPrefix("choice:") {
            guard e.children.count == 1, let only = e.children.first,
                let c = model.first(where: { $0.name == only.name })
            else {
                return fail(
                    "\(e.name) must hold exactly one of: \(model.map(\.name).joined(separator: ", ")).", path)
            }
            return visit(only, c, parent: e.name, path: "\(path)/\(only.name)")
        }
        var position = 0
        var seen: Set<String> = []
        for child in e.children {
            let at = "\(path)/\(child.name)"
            guard let index = model.firstIndex(where: { $0.name == child.name }) else {
                return fail("\(child.name) is not expected in \(e.name).", at)
            }
            if index < position || seen.contains(child.name) {
                return fail(
                    "\(child.name) is out of order or repeated in \(e.name) (the schema's order: "
                        + "\(model.map(\.name).joined(separator: ", "))).", at)
            }
            position = index
            seen.insert(child.name)
            if let p = visit(child, model[index], parent: e.name, path: at) { return p }
        }
        if let missing = model.first(where: { $0.required && !seen.contains($0.name) }) {
            return fail("\(missing.name) is required in \(e.name).", "\(path)/\(missing.name)")
        }
        return nil
    }

    static func visit(_ e: XElement, _ c: Child, parent: String, path: String) -> ScriptProblem? {
        if let m = c.model { return check(e, model: m, path: path) }
        guard e.children.isEmpty else {
            return ScriptProblem("900", "3000", "\(e.name) holds a value, not elements.", xpath: path)
        }
        if let why = valueProblem(e.name, parent: parent, e.text) {
            return ScriptProblem("900", "3000", "\(e.name) \(why).", xpath: path)
        }
        return nil
    }
}
