import Foundation

/// What a prescriber writes, before it becomes a SCRIPT message.
public struct PrescriptionInput: Codable, Equatable, Sendable {
    public var drugId: String?
    public var sig: String?
    public var quantity: String?
    public var daysSupply: Int?
    public var refills: Int?
    /// true: substitution not allowed (Substitutions = 1).
    public var dispenseAsWritten: Bool?
    public var pharmacyNcpdpid: String?
    public var locationId: UUID?

    public init(
        drugId: String? = nil, sig: String? = nil, quantity: String? = nil, daysSupply: Int? = nil, refills: Int? = nil,
        dispenseAsWritten: Bool? = nil, pharmacyNcpdpid: String? = nil, locationId: UUID? = nil
    ) {
        self.drugId = drugId; self.sig = sig; self.quantity = quantity; self.daysSupply = daysSupply;
        self.refills = refills
        self.dispenseAsWritten = dispenseAsWritten; self.pharmacyNcpdpid = pharmacyNcpdpid; self.locationId = locationId
    }
}

public enum PrescribingRules {
    /// EPCS refill limits (21 CFR 1306.12, 1306.22): Schedule II none; III and IV at most 5 within 6 months; V as
    /// authorized.
    public static func refillProblem(schedule: DEASchedule?, refills: Int) -> String? {
        if refills < 0 { return "Refills cannot be negative." }
        switch schedule {
        case .c1?: return "Schedule I substances cannot be prescribed."
        case .c2?: return refills > 0 ? "Schedule II: no refills are allowed; write a new prescription instead." : nil
        case .c3?, .c4?:
            return refills > 5
                ? "Schedule \(schedule!.roman): at most 5 refills (within 6 months of the written date)." : nil
        default: return refills > 99 ? "At most 99 refills." : nil
        }
    }

    /// Schedule III–IV: the refills must fall within 6 months of the written date, so
    /// days supply × (refills + 1) ≤ 184 days.
    public static func sixMonthProblem(schedule: DEASchedule?, daysSupply: Int, refills: Int) -> String? {
        guard schedule == .c3 || schedule == .c4, refills > 0 else { return nil }
        return daysSupply * (refills + 1) > 184
            ? "Schedule \(schedule!.roman): all fills must fall within 6 months of the written date (\(daysSupply) "
                + "days × \(refills + 1) fills is longer)."
            : nil
    }

    /// Field problems with a prescription (the drug's schedule is known from the formulary).
    public static func validate(_ p: PrescriptionInput, schedule: DEASchedule?, drugKnown: Bool, pharmacyKnown: Bool)
        -> [FieldError]
    {
        var errors: [FieldError] = []
        if !drugKnown { errors.append(FieldError("drugId", "Choose a medication from the formulary.")) }
        let sig = Text.clean(p.sig)
        if sig == nil {
            errors.append(FieldError("sig", "Write the directions (sig)."))
        } else if sig!.count > 1000 {
            errors.append(FieldError("sig", "Directions can be at most 1000 characters."))
        }
        if let q = Text.clean(p.quantity), let d = Decimal(string: q), d > 0, d <= 10000 {
        } else {
            errors.append(FieldError("quantity", "Quantity must be a number above 0."))
        }
        if let d = p.daysSupply, (1...365).contains(d) {
        } else {
            errors.append(FieldError("daysSupply", "Days supply must be 1–365."))
        }
        if let r = p.refills {
            if let problem = refillProblem(schedule: schedule, refills: r) {
                errors.append(FieldError("refills", problem))
            } else if let d = p.daysSupply, let problem = sixMonthProblem(schedule: schedule, daysSupply: d, refills: r)
            {
                errors.append(FieldError("refills", problem))
            }
        } else {
            errors.append(FieldError("refills", "Number of refills is required (0 for none)."))
        }
        if !pharmacyKnown { errors.append(FieldError("pharmacyNcpdpid", "Choose a pharmacy from the directory.")) }
        return errors
    }

    /// A DEA registration number: two letters and seven digits whose last is the check digit
    /// ((d1 + d3 + d5) + 2 × (d2 + d4 + d6)) mod 10.
    public static func deaNumberValid(_ s: String) -> Bool {
        let chars = Array(s.uppercased())
        guard chars.count == 9, chars[0].isLetter, chars[1].isLetter || chars[1] == "9" else { return false }
        let digits = chars[2...].compactMap { $0.wholeNumberValue }
        guard digits.count == 7 else { return false }
        let sum = (digits[0] + digits[2] + digits[4]) + 2 * (digits[1] + digits[3] + digits[5])
        return sum % 10 == digits[6]
    }

    /// NPI: 10 digits with a Luhn check digit over "80840" + the first nine.
    public static func npiValid(_ s: String) -> Bool {
        guard s.count == 10, s.allSatisfy(\.isNumber) else { return false }
        let digits = ("80840" + s).compactMap { $0.wholeNumberValue }
        var sum = 0
        for (i, d) in digits.reversed().enumerated() {
            if i % 2 == 1 { let x = d * 2; sum += x > 9 ? x - 9 : x } else { sum += d }
        }
        return sum % 10 == 0
    }

    /// Who gets a renewal request: the provider of record, unless they are away now and the location names a covering
    /// provider who is not away.
    public static func routeRenewal(prescriber: UUID, prescriberAway: Bool, covering: UUID?, coveringAway: Bool) -> (
        UUID, String
    ) {
        if prescriberAway, let c = covering, c != prescriber, !coveringAway {
            return (c, "covering provider (the prescriber is away)")
        }
        return (
            prescriber,
            prescriberAway ? "prescriber of record (away; no covering provider available)" : "prescriber of record"
        )
    }

    /// The statement a prescriber attests to when signing a controlled-substance prescription (21 CFR 1311.140(a)(3)).
    public static let deaAttestation =
        "By completing the two-factor authentication protocol at this time, you are legally signing the "
        + "prescription(s) and authorizing the transmission of the above information to the pharmacy for "
        + "dispensing. The two-factor authentication protocol may only be completed by the practitioner "
        + "whose name and DEA registration number appear above."
}
