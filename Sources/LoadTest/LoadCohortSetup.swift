import Vapor
import Fluent
import Domain
import AppCore
import Accounts
import Locations
import Patients
import Prescribing
import Scheduling

/// The synthetic practice a load test acts in, inside the target's database: `loadtest.*` accounts (a front desk,
/// providers at each location, patients with portal accounts), synthetic patients (flagged, as the demo's), two
/// appointment types patients can never book, and provider hours. Reused from run to run; every account gets a new
/// password each run and is switched off again afterwards, with its appointments cancelled and its hours removed.
package enum LoadCohortSetup {
    package static let prefix = "loadtest."
    static let visitCode = "LOADTEST-VISIT", videoCode = "LOADTEST-VIDEO"

    package struct Prepared: Sendable {
        package let password: String
        package let desk: String
        /// Username, TOTP secret, location.
        package let providers: [(String, [UInt8], UUID)]
        package let patients: [(UUID, String)]
        package let visitType: UUID
        package let videoType: UUID
    }

    package static func prepare(_ app: Application, providersPerLocation: Int, patients: Int) async throws -> Prepared {
        let scope = app.systemScope("loadtest")
        let db = app.db
        let password = Token.generate(bytes: 18)
        let hash = try await SignInService.hashPassword(password, cost: app.config.bcryptCost, on: app)
        let locations = try await LocationRecord.query(on: db).sort(\.$code).all()
        guard !locations.isEmpty else { throw LoadTestRefusal("The target has no locations: set up the practice.") }

        func account(_ username: String, _ name: String, _ role: Role, patient: UUID? = nil) async throws -> UserRecord
        {
            if let u = try await UserRecord.query(on: db).filter(\.$username == username).first() {
                _ = try await app.serializer.write(db) { tx in
                    try await UserRecord.query(on: tx).filter(\.$id == u.requireID()).set(\.$passwordHash, to: hash)
                        .set(\.$active, to: true).set(\.$lockedUntil, to: nil).set(\.$failedCount, to: 0).update()
                }
                return u
            }
            let dto = try await UserAdmin(scope: scope).create(
                .init(
                    username: username, displayName: name, role: role.rawValue, password: password,
                    patientId: patient))
            guard let u = try await UserRecord.find(dto.id, on: db) else { throw AppError.notFound("No account.") }
            return u
        }

        _ = try await account(prefix + "desk", "Load test front desk", .frontDesk)
        var providers: [(String, [UInt8], UUID)] = []
        for (li, loc) in locations.enumerated() {
            for i in 0..<providersPerLocation {
                let username = prefix + "dr\(li + 1)-\(i + 1)"
                let u = try await account(username, "Load Test Dr \(li + 1)-\(i + 1)", .provider)
                let id = try u.requireID(), secret = Domain.TOTP.generateSecret()
                _ = try await app.serializer.write(db) { tx in
                    try await UserRecord.query(on: tx).filter(\.$id == id).set(\.$mfaSecret, to: Base32.encode(secret))
                        .set(\.$mfaEnabledAt, to: app.clock.now()).update()
                    try await ProviderHoursRecord.query(on: tx).filter(\.$providerID == id).delete()
                }
                try await SchedulingSetup.addHours(
                    provider: id, location: try loc.requireID(), weekdays: Array(1...7), from: 0, to: 24 * 60 - 1,
                    on: db)
                if try await PrescriberCredentialRecord.query(on: db).filter(\.$userID == id).first() == nil {
                    try await EPCSStore(scope: scope).setCredentials(
                        userID: id, .init(npi: npi(seed: li * 100 + i), deaNumber: nil))
                }
                providers.append((username, secret, try loc.requireID()))
            }
        }
        var cohort: [(UUID, String)] = []
        let store = PatientStore(scope: scope)
        for i in 0..<patients {
            let username = prefix + "p\(i + 1)"
            let patientID: UUID
            if let u = try await UserRecord.query(on: db).filter(\.$username == username).first(),
                let pid = u.patientID
            {
                patientID = pid
            } else {
                var input = PatientInput()
                input.givenName = "Patient \(i + 1)"
                input.familyName = "Loadtest"
                input.birthDate = "1960-01-01"
                input.sex = "unknown"
                // What a prescription to the pharmacy carries (SCRIPT needs the address); a reserved phone number.
                input.addressLine1 = "\(100 + i) Synthetic Way"
                input.city = "Springfield"
                input.state = "IL"
                input.postalCode = "62701"
                input.phone = "555-010-\(String(format: "%04d", i % 10000))"
                patientID = try await store.create(input, acknowledgeDuplicate: true, synthetic: true).0.id
            }
            _ = try await account(username, "Load Test Patient \(i + 1)", .patient, patient: patientID)
            cohort.append((patientID, username))
        }
        return Prepared(
            password: password, desk: prefix + "desk", providers: providers, patients: cohort,
            visitType: try await type(db, visitCode, "Load test visit", telemedicine: false),
            videoType: try await type(db, videoCode, "Load test video visit", telemedicine: true))
    }

    static func type(_ db: any Database, _ code: String, _ name: String, telemedicine: Bool) async throws -> UUID {
        if let t = try await AppointmentTypeRecord.query(on: db).filter(\.$code == code).first() {
            return try t.requireID()
        }
        return try await SchedulingSetup.addType(
            .init(
                code: code, name: name, minutes: 20, telemedicine: telemedicine, patientBookable: false,
                needsRoom: false), on: db
        ).requireID()
    }

    /// A valid NPI (check digit) that is nobody's: the 9-digit base and the digit that makes it pass.
    static func npi(seed: Int) -> String {
        let base = String(format: "19%07d", 4_200_000 + seed)
        for d in 0...9 where PrescribingRules.npiValid(base + String(d)) { return base + String(d) }
        return base + "0"
    }

    package struct Cleanup: Codable, Sendable {
        package var accountsSwitchedOff: Int
        package var appointmentsCancelled: Int
        package var sessionsEnded: Int
        package var text: String {
            "\(appointmentsCancelled) synthetic appointments cancelled, \(accountsSwitchedOff) loadtest accounts "
                + "switched off, \(sessionsEnded) sessions ended, provider hours removed"
        }
    }

    /// After the run: cancel what is still booked with the synthetic providers, remove their hours, end the sessions
    /// and switch every `loadtest.*` account off. The synthetic patients stay (flagged synthetic), for the next run.
    package static func cleanUp(_ app: Application) async throws -> Cleanup {
        let db = app.db, now = app.clock.now()
        let users = try await UserRecord.query(on: db).filter(\.$username =~ prefix).all()
        let ids = users.compactMap(\.id)
        let providerIDs = users.filter { $0.role == .provider }.compactMap(\.id)
        let scope = app.systemScope("loadtest")
        let open = try await AppointmentRecord.query(on: db).filter(\.$providerID ~~ providerIDs)
            .filter(\.$status !~ SchedulingStore.inactive).all()
        for a in open {
            _ = try? await SchedulingStore(scope: scope).change(
                try a.requireID(), .init(status: AppointmentStatus.cancelled.rawValue, cancelReason: "load test ended"),
                expectedVersion: nil)
        }
        let ended = try await UserSessionRecord.query(on: db).filter(\.$userID ~~ ids).filter(\.$revokedAt == nil)
            .count()
        _ = try await app.serializer.write(db) { tx in
            try await ProviderHoursRecord.query(on: tx).filter(\.$providerID ~~ providerIDs).delete()
            try await UserSessionRecord.query(on: tx).filter(\.$userID ~~ ids).filter(\.$revokedAt == nil)
                .set(\.$revokedAt, to: now).update()
            try await UserRecord.query(on: tx).filter(\.$id ~~ ids).set(\.$active, to: false).update()
        }
        return Cleanup(accountsSwitchedOff: ids.count, appointmentsCancelled: open.count, sessionsEnded: ended)
    }
}
