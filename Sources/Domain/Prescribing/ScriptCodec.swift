import Foundation

/// Writes and reads SCRIPT messages of one version. `ScriptCodec.for(version)` is the switch.
public struct ScriptCodec: Sendable {
    public let version: ScriptVersion

    /// Prefer `ScriptCodec.for(_:)`, which refuses versions this build does not support.
    public init(version: ScriptVersion) { self.version = version }
    public static let software = (developer: "CareSync", product: "CareSync", version: "1.0")

    public static func `for`(_ v: ScriptVersion) throws -> ScriptCodec {
        guard ScriptVersion.supported.contains(v) else {
            throw ScriptProblem(
                "700", "4040",
                "SCRIPT \(v.rawValue) is not supported by this build yet (supported: "
                    + "\(ScriptVersion.supported.map(\.rawValue).joined(separator: ", ")))."
            )
        }
        return ScriptCodec(version: v)
    }

    static func timeFormatter() -> ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }

    // MARK: writing

    public func xml(_ m: ScriptMessage) -> String { element(m).document }

    public func element(_ m: ScriptMessage) -> XElement {
        let v = version.rawValue
        let attrs = [
            ("DatatypesVersion", v), ("TransportVersion", v), ("TransactionDomain", "SCRIPT"),
            ("TransactionVersion", v),
            ("StructuresVersion", v), ("ECLVersion", v),
        ]
        return XElement("Message", attrs, [header(m.header), XElement("Body", [body(m.body)])])
    }

    func header(_ h: ScriptHeader) -> XElement {
        var kids: [XElement] = [
            XElement("To", [("Qualifier", h.to.qualifier)], text: h.to.id),
            XElement("From", [("Qualifier", h.from.qualifier)], text: h.from.id),
            XElement("MessageID", text: h.messageID),
        ]
        if let r = h.relatesToMessageID { kids.append(XElement("RelatesToMessageID", text: r)) }
        kids.append(XElement("SentTime", text: Self.timeFormatter().string(from: h.sentTime)))
        kids.append(
            XElement(
                "SenderSoftware",
                [
                    XElement("SenderSoftwareDeveloper", text: Self.software.developer),
                    XElement("SenderSoftwareProduct", text: Self.software.product),
                    XElement("SenderSoftwareVersionRelease", text: Self.software.version),
                ]))
        if let r = h.rxReferenceNumber { kids.append(XElement("RxReferenceNumber", text: r)) }
        if let p = h.prescriberOrderNumber { kids.append(XElement("PrescriberOrderNumber", text: p)) }
        if h.digitallySigned {
            kids.append(
                XElement(
                    "DigitalSignature", [("Version", "1.0")], [XElement("DigitalSignatureIndicator", text: "true")]))
        }
        return XElement("Header", kids)
    }

    func address(_ a: ScriptAddress) -> XElement {
        XElement(
            "Address",
            [
                XElement("AddressLine1", text: a.line1), XElement("City", text: a.city),
                XElement("StateProvince", text: a.state), XElement("PostalCode", text: a.postalCode),
                XElement("CountryCode", text: a.countryCode),
            ])
    }

    func phone(_ number: String) -> XElement {
        XElement("CommunicationNumbers", [XElement("PrimaryTelephone", [XElement("Number", text: number)])])
    }

    func details(_ d: RxDetails, medicationTag: String = "MedicationPrescribed") -> [XElement] {
        let p = d.patient
        return [
            XElement(
                "Patient",
                [
                    XElement(
                        "HumanPatient",
                        [
                            XElement(
                                "Name",
                                [XElement("LastName", text: p.lastName), XElement("FirstName", text: p.firstName)]),
                            XElement("Gender", text: p.gender),
                            XElement("DateOfBirth", [XElement("Date", text: p.dateOfBirth)]),
                            XElement(
                                "Address",
                                [
                                    XElement("AddressLine1", text: p.addressLine1), XElement("City", text: p.city),
                                    XElement("StateProvince", text: p.state),
                                    XElement("PostalCode", text: p.postalCode),
                                    XElement("CountryCode", text: p.countryCode),
                                ]),
                        ])
                ]),
            XElement(
                "Pharmacy",
                [
                    XElement(
                        "Identification",
                        [XElement("NCPDPID", text: d.pharmacy.ncpdpid), XElement("NPI", text: d.pharmacy.npi)]),
                    XElement("BusinessName", text: d.pharmacy.businessName),
                ] + [d.pharmacy.address.map(address)].compactMap { $0 } + [phone(d.pharmacy.phone)]),
            XElement(
                "Prescriber",
                [
                    XElement(
                        "NonVeterinarian",
                        [
                            // The schema's order: DEANumber comes before NPI.
                            XElement(
                                "Identification",
                                [XElement.leaf("DEANumber", d.prescriber.deaNumber)].compactMap { $0 }
                                    + [XElement("NPI", text: d.prescriber.npi)]),
                            XElement(
                                "Name",
                                [
                                    XElement("LastName", text: d.prescriber.lastName),
                                    XElement("FirstName", text: d.prescriber.firstName),
                                ]),
                        ] + [d.prescriber.address.map(address)].compactMap { $0 } + [phone(d.prescriber.phone)])
                ]),
            medication(d.medication, tag: medicationTag),
        ]
    }

    func medication(_ m: ScriptMedication, tag: String) -> XElement {
        let dispensed = tag == "MedicationDispensed"
        var coded: [XElement] = []
        if let ndc = m.ndc {
            coded.append(XElement("ProductCode", [XElement("Code", text: ndc), XElement("Qualifier", text: "ND")]))
        }
        if let rx = m.rxnorm {
            coded.append(
                XElement(
                    "DrugDBCode", [XElement("Code", text: rx), XElement("Qualifier", text: m.rxnormQualifier ?? "SCD")])
            )
        }
        if let s = m.schedule { coded.append(XElement("DEASchedule", [XElement("Code", text: s.rawValue)])) }
        return XElement(
            tag,
            [
                XElement("DrugDescription", text: m.description),
                XElement("DrugCoded", coded),
                XElement(
                    "Quantity",
                    [
                        XElement("Value", text: m.quantity), XElement("CodeListQualifier", text: m.quantityQualifier),
                        XElement("QuantityUnitOfMeasure", [XElement("Code", text: m.unitCode)]),
                    ]),
                XElement("DaysSupply", text: String(m.daysSupply)),
                XElement("WrittenDate", [XElement("Date", text: m.writtenDate)]),
            ] + (dispensed ? [lastFill(m)] : []) + [XElement("Substitutions", text: m.substitutions)]
                // What was dispensed has a last fill date and no refill count (the schema forbids one there).
                + (dispensed ? [] : [XElement("NumberOfRefills", text: String(m.refills))])
                + [XElement("Sig", [XElement("SigText", text: m.sig)])])
    }

    func lastFill(_ m: ScriptMedication) -> XElement {
        XElement("LastFillDate", [XElement("Date", text: m.lastFillDate ?? m.writtenDate)])
    }

    func denial(_ code: String, _ reason: String?) -> XElement {
        XElement(
            "Denied", [XElement("ReasonCode", text: code)] + [XElement.leaf("DenialReason", reason)].compactMap { $0 })
    }

    func body(_ b: ScriptBody) -> XElement {
        switch b {
        case .newRx(let d), .cancelRx(let d):
            return XElement(b.name, details(d))
        case .rxRenewalRequest(let d):
            // What the pharmacy dispensed (with its last fill) is required; the prescription as written follows.
            return XElement(
                b.name,
                details(d, medicationTag: "MedicationDispensed") + [
                    medication(d.medication, tag: "MedicationPrescribed")
                ])
        case .rxRenewalResponse(let decision, let d):
            let r: XElement =
                switch decision {
                case .approved: XElement("Approved")
                case .approvedWithChanges: XElement("ApprovedWithChanges")
                case .denied(let code, let reason): denial(code, reason)
                case .deniedNewPrescriptionToFollow: XElement("DeniedNewPrescriptionToFollow")
                case .replace: XElement("Replace")
                }
            return XElement(b.name, [XElement("Response", [r])] + details(d, medicationTag: "MedicationResponse"))
        case .cancelRxResponse(let decision):
            let r: XElement =
                switch decision {
                case .approved: XElement("Approved")
                case .denied(let code, let reason): denial(code, reason)
                }
            return XElement(b.name, [XElement("Response", [r])])
        case .rxChangeRequest(let code, let d, let requested):
            return XElement(
                b.name,
                [XElement("MessageRequestCode", text: code)] + details(d)
                    + [requested.map { medication($0, tag: "MedicationRequested") }].compactMap { $0 })
        case .rxChangeResponse(let code, let decision, let d):
            let r: XElement =
                switch decision {
                case .approved: XElement("Approved")
                case .approvedWithChanges: XElement("ApprovedWithChanges")
                case .validated: XElement("Validated")
                case .denied(let code, let reason): denial(code, reason)
                }
            return XElement(
                b.name, [XElement("MessageRequestCode", text: code), XElement("Response", [r])] + details(d))
        case .status(let code, let description):
            return XElement(
                "Status", [XElement("Code", text: code)] + [XElement.leaf("Description", description)].compactMap { $0 }
            )
        case .verify(let code):
            return XElement("Verify", [XElement("VerifyStatus", [XElement("Code", text: code)])])
        case .error(let code, let dc, let description):
            return XElement(
                "Error",
                [XElement("Code", text: code)]
                    + [XElement.leaf("DescriptionCode", dc), XElement.leaf("Description", description)].compactMap {
                        $0
                    })
        }
    }

    // MARK: reading

    /// Reads a message; anything wrong is a `ScriptProblem` with the code and XPath to send back in an Error.
    public func parse(_ data: Data) throws -> ScriptMessage {
        let root: XElement
        do { root = try XElement.parse(data) } catch let e as XElement.ParseError {
            throw ScriptProblem("900", "500", "XML parse error: \(e.description)")
        }
        guard root.name == "Message" else {
            throw ScriptProblem("900", "3000", "The root element must be Message.", xpath: "/\(root.name)")
        }
        // SCRIPT has no target namespace: a Message in another namespace is another vocabulary, not a SCRIPT message.
        if let ns = root.attribute("xmlns"), !ns.isEmpty {
            throw ScriptProblem(
                "900", "3000", "Message must not be in a namespace (found \(ns.prefix(100))).", xpath: "/Message/@xmlns"
            )
        }
        for a in ["TransactionVersion", "StructuresVersion", "ECLVersion", "DatatypesVersion", "TransportVersion"] {
            guard let v = root.attribute(a) else {
                throw ScriptProblem("900", "3000", "Message/@\(a) is required.", xpath: "/Message/@\(a)")
            }
            guard v == version.rawValue else {
                throw ScriptProblem(
                    "900", "3000", "Message/@\(a) is \(v); this endpoint reads SCRIPT \(version.rawValue).",
                    xpath: "/Message/@\(a)")
            }
        }
        guard let h = root.child("Header") else {
            throw ScriptProblem("900", "3000", "Header is required.", xpath: "/Message/Header")
        }
        func need(_ e: XElement, _ path: String, base: String, max: Int? = nil) throws -> String {
            guard let v = e.value(path) else {
                throw ScriptProblem(
                    "900", "3000", "\(path.split(separator: "/").last!) is required.", xpath: "\(base)/\(path)")
            }
            if let max, v.count > max {
                throw ScriptProblem(
                    "900", "3000", "\(path) is longer than \(max) characters.", xpath: "\(base)/\(path)")
            }
            return v
        }
        let hb = "/Message/Header"
        let to = ScriptParty(try need(h, "To", base: hb), h.child("To")?.attribute("Qualifier") ?? "")
        let from = ScriptParty(try need(h, "From", base: hb), h.child("From")?.attribute("Qualifier") ?? "")
        let messageID = try need(h, "MessageID", base: hb, max: 35)
        let sentText = try need(h, "SentTime", base: hb)
        guard let sent = Self.timeFormatter().date(from: sentText) ?? ISO8601DateFormatter().date(from: sentText) else {
            throw ScriptProblem("900", "3000", "SentTime must be a UTC date-time.", xpath: "\(hb)/SentTime")
        }
        let header = ScriptHeader(
            to: to, from: from, messageID: messageID, relatesToMessageID: h.value("RelatesToMessageID"), sentTime: sent,
            prescriberOrderNumber: h.value("PrescriberOrderNumber"), rxReferenceNumber: h.value("RxReferenceNumber"),
            digitallySigned: h.value("DigitalSignature/DigitalSignatureIndicator") == "true")
        guard let bodyEl = root.child("Body"), let tx = bodyEl.children.first else {
            throw ScriptProblem("900", "3000", "Body must hold one transaction.", xpath: "/Message/Body")
        }
        let bb = "/Message/Body/\(tx.name)"
        let responses = ["RxRenewalResponse", "CancelRxResponse", "RxChangeResponse", "Status", "Verify", "Error"]
        if responses.contains(tx.name) && header.relatesToMessageID == nil {
            throw ScriptProblem(
                "900", "3000", "RelatesToMessageID is required on a \(tx.name).", xpath: "\(hb)/RelatesToMessageID")
        }
        func decision(_ e: XElement) throws -> (String, String?, String?) {
            guard let r = e.child("Response")?.children.first else {
                throw ScriptProblem("900", "3000", "Response is required.", xpath: "\(bb)/Response")
            }
            return (r.name, r.value("ReasonCode"), r.value("DenialReason"))
        }
        let body: ScriptBody
        switch tx.name {
        case "NewRx": body = .newRx(try details(tx, base: bb, needAddress: true))
        case "RxRenewalRequest": body = .rxRenewalRequest(try details(tx, base: bb, needAddress: false))
        case "CancelRx": body = .cancelRx(try details(tx, base: bb, needAddress: false))
        case "RxRenewalResponse":
            let (kind, code, reason) = try decision(tx)
            let d: RenewalDecision
            switch kind {
            case "Approved": d = .approved
            case "ApprovedWithChanges": d = .approvedWithChanges
            case "Denied": d = .denied(reasonCode: code ?? "", reason: reason)
            case "DeniedNewPrescriptionToFollow": d = .deniedNewPrescriptionToFollow
            case "Replace": d = .replace
            default:
                throw ScriptProblem("900", "3000", "Unknown renewal response \(kind).", xpath: "\(bb)/Response/\(kind)")
            }
            body = .rxRenewalResponse(d, try details(tx, base: bb, needAddress: false))
        case "CancelRxResponse":
            let (kind, code, reason) = try decision(tx)
            switch kind {
            case "Approved": body = .cancelRxResponse(.approved)
            case "Denied": body = .cancelRxResponse(.denied(reasonCode: code ?? "", reason: reason))
            default:
                throw ScriptProblem("900", "3000", "Unknown cancel response \(kind).", xpath: "\(bb)/Response/\(kind)")
            }
        case "RxChangeRequest":
            let code = try need(tx, "MessageRequestCode", base: bb)
            body = .rxChangeRequest(
                code: code, try details(tx, base: bb, needAddress: false),
                requested: try tx.child("MedicationRequested").map {
                    try medication($0, base: "\(bb)/MedicationRequested")
                })
        case "RxChangeResponse":
            let (kind, code, reason) = try decision(tx)
            let d: ChangeDecision
            switch kind {
            case "Approved": d = .approved
            case "ApprovedWithChanges": d = .approvedWithChanges
            case "Validated": d = .validated
            case "Denied": d = .denied(reasonCode: code ?? "", reason: reason)
            default:
                throw ScriptProblem("900", "3000", "Unknown change response \(kind).", xpath: "\(bb)/Response/\(kind)")
            }
            body = .rxChangeResponse(
                code: try need(tx, "MessageRequestCode", base: bb), d, try details(tx, base: bb, needAddress: false))
        case "Status": body = .status(code: try need(tx, "Code", base: bb), description: tx.value("Description"))
        case "Verify": body = .verify(code: try need(tx, "VerifyStatus/Code", base: bb))
        case "Error":
            body = .error(
                code: try need(tx, "Code", base: bb), descriptionCode: tx.value("DescriptionCode"),
                description: tx.value("Description"))
        default:
            throw ScriptProblem("900", "4040", "This receiver does not support \(tx.name).", xpath: bb)
        }
        return ScriptMessage(header: header, body: body)
    }

    func details(_ e: XElement, base: String, needAddress: Bool) throws -> RxDetails {
        func need(_ path: String, max: Int? = nil) throws -> String {
            guard let v = e.value(path) else {
                throw ScriptProblem(
                    "900", "3000", "\(path.split(separator: "/").last!) is required.", xpath: "\(base)/\(path)")
            }
            if let max, v.count > max {
                throw ScriptProblem(
                    "900", "3000", "\(path) is longer than \(max) characters.", xpath: "\(base)/\(path)")
            }
            return v
        }
        let hp = "Patient/HumanPatient"
        let gender = try need("\(hp)/Gender")
        guard ["M", "F", "U"].contains(gender) else {
            throw ScriptProblem("900", "3000", "Gender must be M, F or U.", xpath: "\(base)/\(hp)/Gender")
        }
        let addr = { (p: String) -> String in (try? need("\(hp)/Address/\(p)")) ?? "" }
        if needAddress {
            for p in ["AddressLine1", "City", "StateProvince", "PostalCode"] { _ = try need("\(hp)/Address/\(p)") }
        }
        let patient = ScriptPatient(
            lastName: try need("\(hp)/Name/LastName", max: 35), firstName: try need("\(hp)/Name/FirstName", max: 35),
            gender: gender,
            dateOfBirth: try need("\(hp)/DateOfBirth/Date"), addressLine1: addr("AddressLine1"), city: addr("City"),
            state: addr("StateProvince"), postalCode: addr("PostalCode"))
        func address(_ path: String) -> ScriptAddress? {
            guard let line1 = e.value("\(path)/AddressLine1") else { return nil }
            return ScriptAddress(
                line1: line1, city: e.value("\(path)/City") ?? "", state: e.value("\(path)/StateProvince") ?? "",
                postalCode: e.value("\(path)/PostalCode") ?? "")
        }
        let pharmacy = ScriptPharmacy(
            ncpdpid: try need("Pharmacy/Identification/NCPDPID"), npi: e.value("Pharmacy/Identification/NPI") ?? "",
            businessName: e.value("Pharmacy/BusinessName") ?? "", address: address("Pharmacy/Address"),
            phone: e.value("Pharmacy/CommunicationNumbers/PrimaryTelephone/Number") ?? "")
        let pre = "Prescriber/NonVeterinarian"
        let prescriber = ScriptPrescriber(
            npi: try need("\(pre)/Identification/NPI"), deaNumber: e.value("\(pre)/Identification/DEANumber"),
            lastName: e.value("\(pre)/Name/LastName") ?? "", firstName: e.value("\(pre)/Name/FirstName") ?? "",
            address: address("\(pre)/Address"),
            phone: e.value("\(pre)/CommunicationNumbers/PrimaryTelephone/Number") ?? "")
        // The prescription as written; a renewal request may carry only what was dispensed, a response what answers.
        let tag =
            ["MedicationPrescribed", "MedicationResponse", "MedicationDispensed"].first { e.child($0) != nil }
            ?? "MedicationPrescribed"
        guard let m = e.child(tag) else {
            throw ScriptProblem(
                "900", "3000", "MedicationPrescribed is required.", xpath: "\(base)/MedicationPrescribed")
        }
        var med = try medication(m, base: "\(base)/\(tag)")
        if med.lastFillDate == nil { med.lastFillDate = e.value("MedicationDispensed/LastFillDate/Date") }
        return RxDetails(patient: patient, pharmacy: pharmacy, prescriber: prescriber, medication: med)
    }

    func medication(_ m: XElement, base: String) throws -> ScriptMedication {
        func need(_ path: String, max: Int? = nil) throws -> String {
            guard let v = m.value(path) else {
                throw ScriptProblem(
                    "900", "3000", "\(path.split(separator: "/").last!) is required.", xpath: "\(base)/\(path)")
            }
            if let max, v.count > max {
                throw ScriptProblem(
                    "900", "3000", "\(path) is longer than \(max) characters.", xpath: "\(base)/\(path)")
            }
            return v
        }
        let schedule: DEASchedule?
        if let code = m.value("DrugCoded/DEASchedule/Code") {
            guard let s = DEASchedule(rawValue: code) else {
                throw ScriptProblem(
                    "900", "2000", "Unknown DEA schedule code \(code).", xpath: "\(base)/DrugCoded/DEASchedule/Code")
            }
            schedule = s
        } else {
            schedule = nil
        }
        // A dispensed medication carries no refill count; the prescription's comes with it as MedicationPrescribed.
        let refillText =
            base.hasSuffix("MedicationDispensed") ? (m.value("NumberOfRefills") ?? "0") : try need("NumberOfRefills")
        guard let refills = Int(refillText), refills >= 0 else {
            throw ScriptProblem(
                "900", "144", "NumberOfRefills must be a whole number, 0 or more.", xpath: "\(base)/NumberOfRefills")
        }
        let days = m.value("DaysSupply").flatMap(Int.init) ?? 0
        var out = ScriptMedication(
            description: try need("DrugDescription", max: 105), ndc: m.value("DrugCoded/ProductCode/Code"),
            rxnorm: m.value("DrugCoded/DrugDBCode/Code"),
            rxnormQualifier: m.value("DrugCoded/DrugDBCode/Qualifier"), schedule: schedule,
            quantity: try need("Quantity/Value"),
            unitCode: m.value("Quantity/QuantityUnitOfMeasure/Code") ?? "", daysSupply: days,
            writtenDate: try need("WrittenDate/Date"),
            substitutions: m.value("Substitutions") ?? "0", refills: refills, sig: try need("Sig/SigText", max: 1000))
        out.lastFillDate = m.value("LastFillDate/Date")
        return out
    }
}
