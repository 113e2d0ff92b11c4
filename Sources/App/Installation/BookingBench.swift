import Vapor
import Fluent
import Domain
import Accounts
import AppCore
import Locations
import Patients
import Scheduling

/// `caresync bench booking`: a real server on loopback, concurrent bookings that fight over a small set of
/// provider slots, and the figures: throughput, p50/p99 latency, wins and conflicts; then the table is checked
/// for overlaps. Runs on a scratch SQLite database, or on an empty PostgreSQL database given by DATABASE_URL.
public enum BookingBench {
    public struct Options: Sendable {
        public var requests = 1000
        public var concurrency = 32
        public var providers = 10
        public var slotsPerProvider = 16
        public init() {}
    }

    public struct Result: Codable, Sendable {
        public let database: String
        public let requests: Int
        public let concurrency: Int
        public let created: Int
        public let conflicts: Int
        public let otherErrors: Int
        public let seconds: Double
        public let requestsPerSecond: Double
        public let p50Ms: Double
        public let p99Ms: Double
        public let maxMs: Double
        public let overlapsFound: Int
    }

    public static func run(_ baseConfig: AppConfig, options o: Options, progress: @escaping @Sendable (String) -> Void)
        async throws -> Result
    {
        let (app, config) = try await BenchSupport.scratchApp(baseConfig, label: "booking")
        do {
            progress("seeding \(o.providers) providers, \(o.requests) patients")
            let (desk, bookings) = try await seed(app, o)
            let base = try await BenchSupport.serve(app)
            let tokenRes = try await app.client.post(URI(string: base + Site.apiAuthToken.path())) { req in
                try req.content.encode(["username": desk, "password": benchPassword], as: .json)
            }
            let token = try tokenRes.content.get(String.self, at: "access_token")

            progress("firing \(o.requests) bookings, \(o.concurrency) at a time")
            let started = ContinuousClock.now
            var latencies: [Double] = []
            var created = 0, conflicts = 0, other = 0
            try await withThrowingTaskGroup(of: (Double, UInt).self) { g in
                var next = 0
                func launch() {
                    let body = bookings[next]
                    next += 1
                    g.addTask {
                        let t0 = ContinuousClock.now
                        let res = try await app.client.post(URI(string: base + Site.apiAppointments.path())) { req in
                            req.headers.bearerAuthorization = BearerAuthorization(token: token)
                            try req.content.encode(body, as: .json)
                        }
                        return ((ContinuousClock.now - t0).milliseconds, res.status.code)
                    }
                }
                for _ in 0..<min(o.concurrency, bookings.count) { launch() }
                while let (lat, status) = try await g.next() {
                    latencies.append(lat)
                    switch status {
                    case 201: created += 1;
                    case 409: conflicts += 1;
                    default: other += 1
                    }
                    if latencies.count % max(1, o.requests / 10) == 0 {
                        progress("  \(latencies.count)/\(o.requests) done")
                    }
                    if next < bookings.count { launch() }
                }
            }
            let seconds = (ContinuousClock.now - started).seconds
            await app.server.shutdown()
            let overlaps = try await countOverlaps(app)
            latencies.sort()
            func pct(_ p: Double) -> Double {
                latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
            }
            let r = Result(
                database: config.isPostgres ? "postgresql" : "sqlite", requests: latencies.count,
                concurrency: o.concurrency,
                created: created, conflicts: conflicts, otherErrors: other, seconds: (seconds * 100).rounded() / 100,
                requestsPerSecond: (Double(latencies.count) / seconds).rounded(), p50Ms: (pct(0.5) * 10).rounded() / 10,
                p99Ms: (pct(0.99) * 10).rounded() / 10, maxMs: ((latencies.last ?? 0) * 10).rounded() / 10,
                overlapsFound: overlaps)
            try await app.asyncShutdown()
            if !config.isPostgres { try? FileManager.default.removeItem(atPath: config.dataDir) }
            return r
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    package static let benchPassword = "bench-password-123"

    package static func tableExists(_ app: Application) async throws -> Bool {
        let row = try await app.db.sql.raw("SELECT to_regclass('public.app_user') IS NOT NULL AS present").first()
        return try row?.decode(column: "present", as: Bool.self) ?? false
    }

    package struct Body: Content {
        package let patientId: UUID
        package let providerId: UUID
        package let locationId: UUID
        package let typeId: UUID
        package let start: Date
    }

    /// Providers who work all day at one location, one patient per request, and requests aimed at a small set of slots.
    package static func seed(_ app: Application, _ o: Options) async throws -> (String, [Body]) {
        let db = app.db
        let scope = app.systemScope("bench")
        let loc = LocationRecord(
            code: "BENCH", name: "Bench Clinic", timeZone: "America/Chicago", address: "-", phone: "-")
        try await loc.create(on: db)
        let type = try await SchedulingSetup.addType(
            .init(
                code: "B20", name: "Bench visit", minutes: 20, telemedicine: true,
                patientBookable: true, needsRoom: false), on: db)
        let admin = UserAdmin(scope: scope)
        _ = try await admin.create(
            .init(username: "bench.desk", displayName: "Bench desk", role: "front-desk", password: benchPassword))
        var providers: [UUID] = []
        for i in 0..<o.providers {
            let u = try await admin.create(
                .init(username: "bench.dr\(i)", displayName: "Bench Dr \(i)", role: "provider", password: benchPassword)
            )
            try await SchedulingSetup.addHours(
                provider: u.id, location: try loc.requireID(), weekdays: [1, 2, 3, 4, 5, 6, 7], from: 0,
                to: 24 * 60 - 1, on: db)
            providers.append(u.id)
        }
        let store = PatientStore(scope: scope)
        let day = LocalDay.of(app.clock.now(), in: TimeZone(identifier: "America/Chicago")!).adding(days: 2)
        var bodies: [Body] = []
        for i in 0..<o.requests {
            let (p, _) = try await store.create(
                PatientInput(familyName: "Bench\(i)", givenName: "Load", birthDate: "1970-01-01", sex: "unknown"),
                acknowledgeDuplicate: true, synthetic: true)
            // Slots every 10 minutes for a 20-minute visit: neighbours overlap, so requests contend.
            let slot = Int.random(in: 0..<o.slotsPerProvider)
            let start = day.instant(minuteOfDay: 9 * 60 + slot * 10, in: TimeZone(identifier: "America/Chicago")!)!
            bodies.append(
                Body(
                    patientId: p.id, providerId: providers.randomElement()!,
                    locationId: try loc.requireID(), typeId: try type.requireID(),
                    start: start))
        }
        return ("bench.desk", bodies)
    }

    package static func countOverlaps(_ app: Application) async throws -> Int {
        let rows = try await AppointmentRecord.query(on: app.db).filter(\.$status !~ SchedulingStore.inactive).all()
        var n = 0
        for (prov, list) in Dictionary(grouping: rows, by: \.providerID) {
            _ = prov
            let sorted = list.sorted { $0.startAt < $1.startAt }
            for (a, b) in zip(sorted, sorted.dropFirst()) where a.span.overlaps(b.span) { n += 1 }
        }
        return n
    }
}
