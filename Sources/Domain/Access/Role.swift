/// Who a signed-in account is, for the access policy.
public enum Role: String, CaseIterable, Codable, Sendable {
    case admin
    case medicalDirector = "medical-director"
    case provider
    case medicalAssistant = "medical-assistant"
    case frontDesk = "front-desk"
    case support
    case `operator`
    case patient

    /// Roles that may not finish signing in without a second factor (HIPAA §164.312(d), DESIGN security baseline).
    public var requiresMFA: Bool {
        switch self {
        case .admin, .medicalDirector, .provider: return true
        default: return false
        }
    }

    public var isStaff: Bool { self != .patient }

    public static var staffRoles: [Role] { allCases.filter(\.isStaff) }

    public var label: String {
        switch self {
        case .admin: return "Admin"
        case .medicalDirector: return "Medical Director"
        case .provider: return "Provider"
        case .medicalAssistant: return "Medical assistant"
        case .frontDesk: return "Front desk"
        case .support: return "Support"
        case .operator: return "Operator"
        case .patient: return "Patient"
        }
    }
}
