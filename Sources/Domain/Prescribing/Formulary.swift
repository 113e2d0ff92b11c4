import Foundation

/// A drug the prescribe form offers: description, codes, schedule, and the unit its quantity is counted in.
public struct FormularyDrug: Codable, Equatable, Sendable {
    public let id: String
    public let description: String
    public let ndc: String
    public let rxnorm: String
    public let schedule: DEASchedule?
    /// NCI unit code and its label.
    public let unitCode: String
    public let unitLabel: String

    public init(
        id: String, description: String, ndc: String, rxnorm: String, schedule: DEASchedule?, unitCode: String,
        unitLabel: String
    ) {
        self.id = id
        self.description = description
        self.ndc = ndc
        self.rxnorm = rxnorm
        self.schedule = schedule
        self.unitCode = unitCode
        self.unitLabel = unitLabel
    }
}

/// The bundled sample formulary (a small podiatry set). Production swaps in a licensed, monthly-updated drug database.
public enum Formulary {
    public static let drugs: [FormularyDrug] = [
        .init(
            id: "cephalexin-500", description: "Cephalexin 500 MG Oral Capsule", ndc: "00093314705", rxnorm: "309114",
            schedule: nil, unitCode: "C48480", unitLabel: "capsule"),
        .init(
            id: "doxycycline-100", description: "Doxycycline Hyclate 100 MG Oral Tablet", ndc: "00143214201",
            rxnorm: "1650142", schedule: nil, unitCode: "C48542", unitLabel: "tablet"),
        .init(
            id: "ibuprofen-800", description: "Ibuprofen 800 MG Oral Tablet", ndc: "00904585461", rxnorm: "197807",
            schedule: nil, unitCode: "C48542", unitLabel: "tablet"),
        .init(
            id: "terbinafine-250", description: "Terbinafine 250 MG Oral Tablet", ndc: "00378603077", rxnorm: "199177",
            schedule: nil, unitCode: "C48542", unitLabel: "tablet"),
        .init(
            id: "mupirocin-2", description: "Mupirocin 20 MG/GM Topical Ointment", ndc: "00168031822", rxnorm: "106346",
            schedule: nil, unitCode: "C48155", unitLabel: "gram"),
        .init(
            id: "gabapentin-300", description: "Gabapentin 300 MG Oral Capsule", ndc: "00228263650", rxnorm: "310431",
            schedule: nil, unitCode: "C48480", unitLabel: "capsule"),
        .init(
            id: "oxycodone-apap-5-325", description: "Oxycodone Hydrochloride 5 MG / Acetaminophen 325 MG Oral Tablet",
            ndc: "00406052301",
            rxnorm: "1049621", schedule: .c2, unitCode: "C48542", unitLabel: "tablet"),
        .init(
            id: "hydrocodone-apap-5-325", description: "Hydrocodone Bitartrate 5 MG / Acetaminophen 325 MG Oral Tablet",
            ndc: "00406012301",
            rxnorm: "856999", schedule: .c2, unitCode: "C48542", unitLabel: "tablet"),
        .init(
            id: "apap-codeine-300-30", description: "Acetaminophen 300 MG / Codeine Phosphate 30 MG Oral Tablet",
            ndc: "00093005001",
            rxnorm: "993781", schedule: .c3, unitCode: "C48542", unitLabel: "tablet"),
        .init(
            id: "tramadol-50", description: "Tramadol Hydrochloride 50 MG Oral Tablet", ndc: "00093005801",
            rxnorm: "835603", schedule: .c4, unitCode: "C48542", unitLabel: "tablet"),
        .init(
            id: "pregabalin-75", description: "Pregabalin 75 MG Oral Capsule", ndc: "00071101468", rxnorm: "607048",
            schedule: .c5, unitCode: "C48480", unitLabel: "capsule"),
    ]

    public static func drug(_ id: String?) -> FormularyDrug? { drugs.first { $0.id == id } }
}
