import Vapor
import Fluent
import Domain
import Accounts
import AppCore
import Locations
import Patients
import Prescribing
import Scheduling

/// The demo practice: two locations, one account per role, synthetic patients. Runs through the same
/// audited stores as everything else, under an explicit system principal. Does nothing when accounts exist.
public enum DemoSeed {
    public static let password = "caresync-demo"

    public struct Account: Sendable, Codable {
        public let username: String
        public let role: String
        public let displayName: String
    }

    public static let accounts: [Account] = [
        Account(username: "admin", role: "admin", displayName: "Avery Admin"),
        Account(username: "drhughes", role: "medical-director", displayName: "Dr. Morgan Hughes"),
        Account(username: "drpatel", role: "provider", displayName: "Dr. Priya Patel"),
        Account(username: "drkim", role: "provider", displayName: "Dr. Daniel Kim"),
        Account(username: "ma.rivera", role: "medical-assistant", displayName: "Sam Rivera"),
        Account(username: "desk.jones", role: "front-desk", displayName: "Casey Jones"),
        Account(username: "support.lee", role: "support", displayName: "Jordan Lee"),
        Account(username: "ops.chen", role: "operator", displayName: "Alex Chen"),
        Account(username: "patient.garcia", role: "patient", displayName: "Maria Garcia (synthetic)"),
    ]

    /// Seeds once. Returns false when the database already had accounts.
    @discardableResult
    public static func seed(_ app: Application) async throws -> Bool {
        if try await UserRecord.query(on: app.db).count() > 0 { return false }
        let scope = app.systemScope("demo-seed")
        let locs = [
            LocationRecord(
                code: "MAIN", name: "Main Street Clinic", timeZone: "America/Indiana/Indianapolis",
                address: "100 Main St, Evansville, IN 47708", phone: "+1 812 555 0100"),
            LocationRecord(
                code: "LAKE", name: "Lakeshore Clinic", timeZone: "America/Chicago",
                address: "20 Lakeshore Dr, Mount Vernon, IN 47620", phone: "+1 812 555 0200"),
        ]
        for l in locs { try await l.create(on: app.db) }

        let store = PatientStore(scope: scope)
        let people: [(String, String, String, String, String)] = [
            ("Garcia", "Maria", "1961-04-12", "female", "Diabetic foot follow-up"),
            ("Okafor", "James", "1958-09-30", "male", ""),
            ("Nguyen", "Linh", "1975-01-22", "female", ""),
            ("Schmidt", "Robert", "1949-11-05", "male", ""),
            ("Haddad", "Leila", "1988-07-17", "female", ""),
            ("Brown", "Tyrone", "1969-03-08", "male", ""),
        ]
        var firstPatient: UUID?
        for (i, p) in people.enumerated() {
            let input = PatientInput(
                familyName: p.0, givenName: p.1, birthDate: p.2, sex: p.3,
                email: "\(p.1.lowercased()).\(p.0.lowercased())@example.org",
                phone: "+1 812 555 01\(String(format: "%02d", 10 + i))", addressLine1: "\(10 + i) Example Ave",
                city: "Evansville", state: "IN", postalCode: "47708",
                preferredLocationID: locs[i % 2].id, insurancePayer: i % 3 == 0 ? "Medicare" : "Acme Health",
                insuranceMemberID: "SYN\(100_000 + i)", insuranceGroup: nil)
            let (rec, _) = try await store.create(input, acknowledgeDuplicate: false, synthetic: true)
            if i == 0 { firstPatient = rec.id }
        }
        let admin = UserAdmin(scope: scope)
        for a in accounts {
            _ = try await admin.create(
                .init(
                    username: a.username, displayName: a.displayName, role: a.role, password: password,
                    patientId: a.role == "patient" ? firstPatient : nil))
        }
        try await SchedulingSetup.seedDemo(app, locations: locs)
        try await seedPrescribers(app, locations: locs)
        return true
    }

    /// Demo NPIs and DEA numbers (valid check digits, not real registrations) and covering providers per location.
    /// EPCS permissions are not seeded: they need two people, as they would at go-live.
    package static func seedPrescribers(_ app: Application, locations: [LocationRecord]) async throws {
        let ids: [(String, String, String?)] = [
            ("drpatel", "1234567893", "BP1234563"), ("drkim", "1987654328", "BK7654329"),
            ("drhughes", "1765432103", "BH2468139"),
        ]
        let scope = app.systemScope("demo-seed")
        for (name, npi, dea) in ids {
            guard let u = try await UserRecord.query(on: app.db).filter(\.$username == name).first()?.id else {
                continue
            }
            try await EPCSStore(scope: scope).setCredentials(userID: u, .init(npi: npi, deaNumber: dea))
        }
        if let hughes = try await UserRecord.query(on: app.db).filter(\.$username == "drhughes").first()?.id,
            let kim = try await UserRecord.query(on: app.db).filter(\.$username == "drkim").first()?.id
        {
            try await RefillStore(scope: scope).setCovering(
                locationID: try locations[0].requireID(), providerID: hughes)
            try await RefillStore(scope: scope).setCovering(locationID: try locations[1].requireID(), providerID: kim)
        }
    }
}
