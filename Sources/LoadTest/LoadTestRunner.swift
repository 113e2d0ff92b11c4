import Vapor
import Fluent
import Domain
import AppCore

/// `caresync loadtest`: prepares the synthetic cohort in the target's database, signs it in over HTTP, offers each
/// flow at its scheduled rate (an open model: an iteration starts when it is due, however slow the earlier ones are,
/// and one that cannot start on time is counted as missed), judges the thresholds, cleans up and keeps the run.
package enum LoadTestRunner {
    package struct Options: Sendable {
        package var target: String
        package var scenario: LoadScenario
        package var scale: Double = 1
        package var seconds: Double
        package var thresholds: LoadThresholds = .slo
        package var findKnee = false
        package var maxScale: Double = 64
        package var production = false
        package var actor: String

        package init(target: String, scenario: LoadScenario, seconds: Double, actor: String) {
            self.target = target
            self.scenario = scenario
            self.seconds = seconds
            self.actor = actor
        }
    }

    /// At most this many iterations of one flow run at once: past it, arrivals are missed (the failure mode shows as
    /// missed starts, not as an unbounded pile of connections on the generator).
    static let inFlightCap = 2000

    /// Refusals before anything is created: a production target needs `--production` and the operator setting, and
    /// then a capped rate.
    package static func refusal(_ config: AppConfig, _ o: Options) -> String? {
        if let p = o.scenario.problems.first { return "The scenario cannot run: \(p)." }
        guard o.target.hasPrefix("http://") || o.target.hasPrefix("https://") else {
            return "Give the target's address: --target http://host:port."
        }
        guard o.scale > 0, o.scale <= 1000 else { return "--scale must be above 0 and at most 1000." }
        guard o.seconds >= 5, o.seconds <= 4 * 3600 else { return "--duration must be between 5 s and 4 h." }
        if config.environment == .production {
            guard o.production else {
                return "This is a production installation: a load test needs --production, and "
                    + "CARESYNC_ALLOW_LOADTEST=1 set by the operator."
            }
            guard config.allowLoadTest else {
                return "This production installation does not allow load tests (CARESYNC_ALLOW_LOADTEST is not 1)."
            }
            let peak = peakRate(o.scenario, scale: o.findKnee ? o.maxScale : o.scale)
            if peak > config.loadTestMaxRate {
                return "The scenario peaks at \(Int(peak.rounded())) iterations/s; this installation allows "
                    + "\(Int(config.loadTestMaxRate)) (CARESYNC_LOADTEST_MAX_RATE)."
            }
        }
        return nil
    }

    /// The highest total arrival rate over the run, iterations per second.
    package static func peakRate(_ s: LoadScenario, scale: Double) -> Double {
        stride(from: 0.0, to: 1.0, by: 0.01).map { f in
            LoadFlow.allCases.reduce(0) { $0 + s.rate($1, at: f, scale: scale) }
        }.max() ?? 0
    }

    package static func run(_ app: Application, _ o: Options, progress: @escaping @Sendable (String) -> Void)
        async throws -> LoadTestRun
    {
        if let why = refusal(app.config, o) { throw LoadTestRefusal(why) }
        var o = o
        if app.config.environment == .production {
            // A signed prescription reaches the pharmacy network: never from a load test on a live installation.
            o.scenario.rates.removeAll { $0.flow == .prescription }
            progress("production: the prescription flow is left out (it would reach real pharmacies)")
        }
        let startedAt = app.clock.now()
        let base = o.target.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let top = o.findKnee ? o.maxScale : o.scale
        let patients = min(o.scenario.patients * Int(max(1, top.rounded(.up))), 150)
        let providers = min(o.scenario.providersPerLocation * Int(max(1, min(top, 4).rounded(.up))), 20)
        progress("preparing the synthetic cohort: \(patients) patients, \(providers) providers per location")
        app.http.client.configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
        app.http.client.configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        app.http.client.configuration.redirectConfiguration = .disallow
        let prepared = try await LoadCohortSetup.prepare(app, providersPerLocation: providers, patients: patients)
        var body = LoadTestRun.Body(
            thresholds: o.thresholds, results: [], breaches: [], series: [], knee: [], cleanup: "")
        do {
            progress("signing the cohort in over HTTP and making the wound photo")
            let cohort = try await signIn(app, base: base, prepared)
            let photo = try await WoundPhoto.jpeg(bytes: o.scenario.uploadBytes)
            var scale = o.findKnee ? 1 : o.scale
            while true {
                progress(
                    "\(o.scenario.name) at scale \(LoadTestRun.scaleText(scale)) for \(Int(o.seconds)) s "
                        + "(peak \(String(format: "%.1f", peakRate(o.scenario, scale: scale))) iterations/s)")
                let recorder = LoadRecorder()
                let flows = LoadFlows(
                    client: app.client, group: app.eventLoopGroup, base: base, cohort: cohort, recorder: recorder,
                    scenario: o.scenario, photo: photo)
                await offer(flows, o.scenario, scale: scale, seconds: o.seconds, recorder: recorder, progress: progress)
                let results = recorder.results()
                let breaches = LoadJudgement.breaches(results, thresholds: o.thresholds)
                if !o.findKnee || body.results.isEmpty || breaches.isEmpty {
                    body.results = results
                    body.series = recorder.series()
                    body.breaches = breaches
                }
                guard o.findKnee else { break }
                body.knee.append(.init(scale: scale, held: breaches.isEmpty, breaches: breaches))
                progress(
                    breaches.isEmpty
                        ? "scale \(LoadTestRun.scaleText(scale)) held"
                        : "scale \(LoadTestRun.scaleText(scale)) broke: "
                            + breaches.prefix(3).map(\.text).joined(separator: "; "))
                guard let next = LoadJudgement.nextScale(after: scale, held: breaches.isEmpty, maxScale: o.maxScale)
                else { break }
                scale = next
            }
        } catch {
            _ = try? await LoadCohortSetup.cleanUp(app)
            throw error
        }
        let cleanup = try await LoadCohortSetup.cleanUp(app)
        body.cleanup = cleanup.text
        progress("cleaned up: \(cleanup.text)")
        let passed: Bool, code: Int32
        if o.findKnee {
            // A knee search passes when the scenario's own scale held.
            passed = body.knee.first?.held ?? false
            code = body.knee.first.map { LoadJudgement.exitCode($0.breaches) } ?? 1
        } else {
            code = LoadJudgement.exitCode(body.breaches)
            passed = code == 0
        }
        let run = LoadTestRun(
            id: UUID(), startedAt: startedAt, finishedAt: app.clock.now(), actor: o.actor, target: base,
            scenario: o.scenario.name, scale: o.findKnee ? (body.knee.last(where: \.held)?.scale ?? 0) : o.scale,
            seconds: o.seconds, passed: passed, exitCode: Int(code), body: body)
        try await LoadTestStore.save(run, app)
        return run
    }

    /// Every flow's arrivals, each started when due (or counted missed), with a progress line every 5 s.
    static func offer(
        _ flows: LoadFlows, _ s: LoadScenario, scale: Double, seconds: Double, recorder: LoadRecorder,
        progress: @escaping @Sendable (String) -> Void
    ) async {
        let start = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for flow in LoadFlow.allCases {
                let times = s.arrivals(flow, seconds: seconds, scale: scale)
                guard !times.isEmpty else { continue }
                recorder.due(flow, times.count)
                group.addTask {
                    await withTaskGroup(of: Void.self) { iterations in
                        for t in times {
                            let due = start + .seconds(t)
                            try? await Task.sleep(until: due, clock: .continuous)
                            if ContinuousClock.now - due > .seconds(1) {
                                recorder.missed(flow)
                                continue
                            }
                            guard recorder.begin(flow, cap: inFlightCap) else { continue }
                            iterations.addTask {
                                await flows.run(flow)
                                recorder.end(flow)
                            }
                        }
                    }
                }
            }
            group.addTask {
                while (ContinuousClock.now - start).seconds < seconds {
                    try? await Task.sleep(for: .seconds(5))
                    progress("  \(Int((ContinuousClock.now - start).seconds)) s: \(recorder.progressLine())")
                }
            }
        }
    }

    /// Signs every synthetic account in through the API (providers with their authenticator code), eight at once,
    /// and gives each patient a wound to photograph.
    static func signIn(_ app: Application, base: String, _ p: LoadCohortSetup.Prepared) async throws -> LoadCohort {
        func token(_ username: String, otp: String? = nil) async throws -> String {
            var body: [String: String] = ["username": username, "password": p.password]
            body["otp"] = otp
            let res = try await app.client.post(URI(string: base + Site.apiAuthToken.path())) {
                try $0.content.encode(body, as: .json)
            }
            guard res.status == .ok, let t = try? res.content.get(String.self, at: "access_token") else {
                throw LoadTestRefusal("\(username) could not sign in to the target (HTTP \(res.status.code)).")
            }
            return t
        }
        let desk = try await token(p.desk)
        var providers: [LoadCohort.Provider] = []
        for (username, secret, location) in p.providers {
            let t = try await token(username, otp: Domain.TOTP(secret: secret).code(at: Date()))
            let me = try await app.client.get(URI(string: base + Site.apiMe.path())) {
                $0.headers.bearerAuthorization = .init(token: t)
            }
            providers.append(.init(id: try me.content.get(UUID.self, at: "userId"), locationID: location, token: t))
        }
        let patients = try await withThrowingTaskGroup(of: LoadCohort.Patient.self) { group in
            var out: [LoadCohort.Patient] = []
            for (i, (id, username)) in p.patients.enumerated() {
                if i >= 8 { out.append(try await group.next()!) }
                group.addTask {
                    let t = try await token(username)
                    let w = try await app.client.post(URI(string: base + Site.apiPatientWounds.path(id))) {
                        $0.headers.bearerAuthorization = .init(token: t)
                        try $0.content.encode(["bodySite": "heel", "side": "right"], as: .json)
                    }
                    guard let wound = try? w.content.get(UUID.self, at: "id") else {
                        throw LoadTestRefusal("The target refused a synthetic wound (HTTP \(w.status.code)).")
                    }
                    return .init(id: id, username: username, token: t, woundID: wound)
                }
            }
            for try await x in group { out.append(x) }
            return out
        }
        let clinician = providers.first?.token ?? desk
        func list(_ path: String) async -> [[String: Any]] {
            guard
                let res = try? await app.client.get(
                    URI(string: base + path), headers: ["Authorization": "Bearer \(clinician)"]),
                let b = res.body, let a = try? JSONSerialization.jsonObject(with: Data(buffer: b)) as? [[String: Any]]
            else { return [] }
            return a
        }
        let pharmacy = await list(Site.apiPharmacies.path()).first?["ncpdpid"] as? String
        // A medicine that is not a controlled substance: signing needs no second factor.
        let drug = await list(Site.apiFormulary.path()).first { $0["schedule"] == nil || $0["schedule"] is NSNull }?[
            "id"]
        return LoadCohort(
            password: p.password, deskToken: desk, providers: providers, patients: patients,
            visitType: p.visitType, videoType: p.videoType, pharmacy: pharmacy, drugID: drug as? String)
    }
}
