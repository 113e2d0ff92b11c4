import Vapor
import Fluent
import NIOConcurrencyHelpers
import Domain
import Accounts
import AppCore
import LoadTest
import Locations
import Patients
import Scheduling
import Telehealth

/// `caresync bench signaling`: a real server on loopback and N visits at once, each a pair of WebSocket clients
/// (patient by visit pass, provider by bearer token): the patient waits, the provider admits over HTTP, then the
/// pair exchanges an offer, an answer and 10 ICE candidates each way. Figures: time-to-admit (admit request →
/// the patient's "admitted") and one-way message latency, p50/p99. Scratch SQLite, or an empty PostgreSQL database.
public enum SignalingBench {
    public struct Result: Codable, Sendable {
        public let database: String
        public let pairs: Int
        public let messages: Int
        public let failures: Int
        public let seconds: Double
        public let admitP50Ms: Double
        public let admitP99Ms: Double
        public let latencyP50Ms: Double
        public let latencyP99Ms: Double
        public let latencyMaxMs: Double
    }

    /// A WebSocket client whose text frames arrive on a stream, stamped with their arrival time.
    package typealias Client = SignalSocket

    package static func ms() -> Double { SignalSocket.ms() }

    package static func percentile(_ xs: [Double], _ p: Double) -> Double {
        guard !xs.isEmpty else { return 0 }
        let s = xs.sorted()
        return (s[min(s.count - 1, Int((Double(s.count) * p).rounded(.up)) - 1)] * 10).rounded() / 10
    }

    public static func run(_ baseConfig: AppConfig, pairs: Int, progress: @escaping @Sendable (String) -> Void)
        async throws -> Result
    {
        let (app, config) = try await BenchSupport.scratchApp(baseConfig, label: "signaling") {
            $0.outboxInterval = 0
            $0.jobsInterval = 0
            $0.cookieSecure = false
        }
        do {
            progress("seeding \(pairs) video visits")
            let (provider, secret, visits) = try await seed(app, pairs: pairs)
            // Every pair's admit request is in flight at once: a pool that size, and patience for the serialized
            // writes.
            app.http.client.configuration.connectionPool = .init(
                idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: pairs + 8)
            app.http.client.configuration.timeout = .init(connect: .seconds(30), read: .seconds(120))
            let base = try await BenchSupport.serve(app)
            let port = app.http.server.configuration.port
            let code = Domain.TOTP(secret: secret).code(at: Date())
            let tokenRes = try await app.client.post(URI(string: base + Site.apiAuthToken.path())) { req in
                try req.content.encode(
                    ["username": provider, "password": BookingBench.benchPassword, "otp": code], as: .json)
            }
            let token = try tokenRes.content.get(String.self, at: "access_token")
            var headers = HTTPHeaders()
            headers.bearerAuthorization = .init(token: token)
            let bearer = headers

            progress("running \(pairs) pairs at once: waiting room, admit, offer/answer, 10 candidates each way")
            let admits = NIOLockedValueBox<[Double]>([]), latencies = NIOLockedValueBox<[Double]>([]),
                failures = NIOLockedValueBox(0)
            let sdp = String(repeating: "a=candidate-free-sdp-line-for-size\r\n", count: 90)  // ~3 KB, a typical offer
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (visit, pass) in visits {
                    group.addTask {
                        let open = NIOLockedValueBox<[Client]>([])
                        do {
                            var ph = HTTPHeaders()
                            ph.add(name: .cookie, value: "cs_visit=\(pass)")
                            let patient = try await Client.open(
                                "ws://127.0.0.1:\(port)/visits/\(visit.uuidString)/signal", headers: ph,
                                group: app.eventLoopGroup)
                            open.withLockedValue { $0.append(patient) }
                            guard await patient.next("waiting") != nil else {
                                throw AppError.malformed(field: nil, detail: "no waiting room")
                            }
                            let t0 = ms()
                            let res = try await app.client.post(
                                URI(string: base + Site.apiVisitAdmit.path(visit)), headers: bearer)
                            guard res.status == .ok, let (_, at) = await patient.next("admitted") else {
                                throw AppError.malformed(field: nil, detail: "not admitted")
                            }
                            admits.withLockedValue { $0.append(at - t0) }
                            let doctor = try await Client.open(
                                "ws://127.0.0.1:\(port)/visits/\(visit.uuidString)/signal", headers: bearer,
                                group: app.eventLoopGroup)
                            open.withLockedValue { $0.append(doctor) }
                            _ = await doctor.next("admitted")
                            func hop(_ from: Client, _ to: Client, _ type: String, _ extra: [String: Any]) async throws
                            {
                                var m = extra
                                m["type"] = type
                                m["t"] = ms()
                                try await from.send(m)
                                guard let (got, at) = await to.next(type), let t = got["t"] as? Double else {
                                    throw AppError.malformed(field: nil, detail: "\(type) lost")
                                }
                                latencies.withLockedValue { $0.append(at - t) }
                            }
                            try await hop(patient, doctor, "offer", ["description": ["type": "offer", "sdp": sdp]])
                            try await hop(doctor, patient, "answer", ["description": ["type": "answer", "sdp": sdp]])
                            for i in 0..<10 {
                                let cand: [String: Any] = [
                                    "candidate": [
                                        "candidate": "candidate:\(i) 1 udp 2122260223 192.0.2.\(i) 5\(i)000 typ host",
                                        "sdpMid": "0", "sdpMLineIndex": 0,
                                    ]
                                ]
                                try await hop(patient, doctor, "candidate", cand)
                                try await hop(doctor, patient, "candidate", cand)
                            }
                            for c in open.withLockedValue({ $0 }) { await c.close() }
                        } catch {
                            for c in open.withLockedValue({ $0 }) { await c.close() }
                            let n = failures.withLockedValue {
                                $0 += 1; return $0
                            }
                            if n <= 3 { progress("pair failed: \(String(describing: error).prefix(200))") }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let seconds = (ContinuousClock.now - started).seconds
            await app.signalHub.shutdown()
            await app.server.shutdown()
            try await app.asyncShutdown()
            let a = admits.withLockedValue { $0 }, l = latencies.withLockedValue { $0 }
            return Result(
                database: config.isPostgres ? "PostgreSQL" : "SQLite", pairs: pairs, messages: l.count,
                failures: failures.withLockedValue { $0 },
                seconds: (seconds * 100).rounded() / 100, admitP50Ms: percentile(a, 0.5),
                admitP99Ms: percentile(a, 0.99),
                latencyP50Ms: percentile(l, 0.5), latencyP99Ms: percentile(l, 0.99), latencyMaxMs: percentile(l, 1.0))
        } catch {
            await app.server.shutdown()
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// One provider with MFA, a telemedicine type, and per pair a patient, an appointment, a visit and a visit pass.
    package static func seed(_ app: Application, pairs: Int) async throws -> (String, [UInt8], [(UUID, String)]) {
        let db = app.db, now = app.clock.now()
        let loc = LocationRecord(
            code: "BENCH", name: "Bench Clinic", timeZone: "America/Chicago", address: "1 Bench St", phone: "1")
        try await loc.create(on: db)
        let type = try await SchedulingSetup.addType(
            .init(
                code: "VIDEO", name: "Video", minutes: 20, telemedicine: true, patientBookable: true, needsRoom: false),
            on: db)
        let scope = app.systemScope("bench")
        let created = try await UserAdmin(scope: scope).create(
            .init(
                username: "bench.video", displayName: "Bench Video Dr", role: "provider",
                password: BookingBench.benchPassword))
        guard let u = try await UserRecord.find(created.id, on: db) else { throw AppError.notFound("No bench user.") }
        let secret = Domain.TOTP.generateSecret()
        u.mfaSecret = Base32.encode(secret)
        u.mfaEnabledAt = now
        try await u.save(on: db)
        var out: [(UUID, String)] = []
        for i in 0..<pairs {
            let (p, _) = try await PatientStore(scope: scope).create(
                PatientInput(familyName: "Bench\(i)", givenName: "Pat", birthDate: "1970-01-01", sex: "female"),
                acknowledgeDuplicate: true, synthetic: true)
            let a = AppointmentRecord()
            a.id = UUID(); a.patientID = p.id; a.providerID = try u.requireID();
            a.locationID = try loc.requireID(); a.typeID = try type.requireID()
            a.startAt = now.addingTimeInterval(Double(i) * 1800 + 3600); a.endAt = a.startAt.addingTimeInterval(1200)
            a.status = AppointmentStatus.booked; a.version = 1; a.createdAt = now; a.updatedAt = now
            try await a.create(on: db)
            let v = VirtualVisitRecord()
            v.id = UUID(); v.createdAt = now; v.status = .scheduled; v.appointmentID = try a.requireID();
            v.patientID = p.id;
            v.providerID = try u.requireID(); v.locationID = try loc.requireID()
            try await v.create(on: db)
            let pass = Token.generate()
            let vp = VisitPassRecord()
            vp.expiresAt = now.addingTimeInterval(4 * 3600); vp.tokenHash = Token.hash(pass);
            vp.visitID = try v.requireID()
            try await vp.create(on: db)
            out.append((try v.requireID(), pass))
        }
        return (u.username, secret, out)
    }
}
