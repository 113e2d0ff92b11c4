import Vapor
import Fluent
import Domain

/// The pharmacy directory (in production, downloaded from the network's directory, keyed by NCPDPID).
package enum PharmacyDirectory {
    package struct Entry: Content {
        package let ncpdpid: String; package let npi: String; package let name: String; package let address: String;
        package let city: String; package let state: String
        package let postalCode: String; let phone: String; let acceptsControlled: Bool; let acceptsCancel: Bool
    }

    /// Seeded at start-up when empty: test-network pharmacies the simulator answers for, and one it does not know.
    package static let seed: [Entry] = [
        Entry(
            ncpdpid: "1234567", npi: "1234567893", name: "CareSync Test Pharmacy", address: "1 Test Way",
            city: "Evansville", state: "IN", postalCode: "47708",
            phone: "+1 812 555 0300", acceptsControlled: true, acceptsCancel: true),
        Entry(
            ncpdpid: "2345678", npi: "1987654328", name: "Main Street Pharmacy", address: "120 Main St",
            city: "Evansville", state: "IN", postalCode: "47708",
            phone: "+1 812 555 0310", acceptsControlled: true, acceptsCancel: true),
        Entry(
            ncpdpid: "3456789", npi: "1456789019", name: "Lakeshore Drugs", address: "30 Lakeshore Dr",
            city: "Mount Vernon", state: "IN", postalCode: "47620",
            phone: "+1 812 555 0320", acceptsControlled: false, acceptsCancel: false),
    ]

    package static func load(_ db: any Database) async throws {
        guard try await PharmacyRecord.query(on: db).count() == 0 else { return }
        for e in seed {
            let p = PharmacyRecord()
            p.ncpdpid = e.ncpdpid; p.npi = e.npi; p.name = e.name; p.address = e.address; p.city = e.city;
            p.state = e.state
            p.postalCode = e.postalCode; p.phone = e.phone; p.acceptsControlled = e.acceptsControlled;
            p.acceptsCancel = e.acceptsCancel
            try await p.create(on: db)
        }
    }

    package static func entry(_ p: PharmacyRecord) -> Entry {
        Entry(
            ncpdpid: p.ncpdpid, npi: p.npi, name: p.name, address: p.address, city: p.city, state: p.state,
            postalCode: p.postalCode, phone: p.phone,
            acceptsControlled: p.acceptsControlled, acceptsCancel: p.acceptsCancel)
    }

    /// By name, city, postal code or NCPDPID (no PHI: the directory is public data).
    package static func search(_ q: String?, on db: any Database) async throws -> [Entry] {
        let all = try await PharmacyRecord.query(on: db).sort(\.$name).all()
        guard let q = Text.clean(q)?.lowercased() else { return all.map(entry) }
        return all.filter {
            [$0.name, $0.city, $0.postalCode, $0.ncpdpid, $0.address].contains { $0.lowercased().contains(q) }
        }.map(entry)
    }
}
