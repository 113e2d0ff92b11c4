import Vapor
import Fluent
import SQLKit
import Domain
import AppCore
import Operations

/// `caresync deploy`, `caresync rollback` and `caresync deploy --rehearse`: a release started in the idle slot,
/// checked, switched to behind nginx, the old slot drained and kept warm; a rollback back to it in seconds; a watch
/// that rolls back by itself. Every run is a `deployment_event` row and an audit event.
public enum BlueGreen {
    public struct Options: Sendable {
        public var deployDir: String
        public var actor: String
        public var watchMinutes: Double
        public var keepWarmMinutes: Double?
        public var progress: @Sendable (String) -> Void

        public init(
            deployDir: String, actor: String, watchMinutes: Double = 0, keepWarmMinutes: Double? = nil,
            progress: @escaping @Sendable (String) -> Void
        ) {
            self.deployDir = deployDir
            self.actor = actor
            self.watchMinutes = watchMinutes
            self.keepWarmMinutes = keepWarmMinutes
            self.progress = progress
        }
    }

    public struct Outcome: Codable, Sendable {
        public let id: UUID
        /// deploy, rollback or rehearsal.
        public let kind: String
        /// manual, or "automatic: <the criterion that was crossed>".
        public let trigger: String
        public let actor: String
        /// live (the release asked for serves), refused (nothing was switched), rolled-back, or failed.
        public let outcome: String
        public let fromRelease: String?
        public let toRelease: String
        public let fromSlot: String?
        public let toSlot: String
        public let switchMs: Int?
        public let rollbackMs: Int?
        public let steps: [Drill.Check]
        public let smoke: [Drill.Check]
        public let detail: String?
        public let startedAt: Date
        public let finishedAt: Date

        public var ok: Bool { outcome == "live" }

        package init(
            id: UUID, kind: String, trigger: String, actor: String, outcome: String, fromRelease: String?,
            toRelease: String, fromSlot: String?, toSlot: String, switchMs: Int?, rollbackMs: Int?,
            steps: [Drill.Check], smoke: [Drill.Check], detail: String?, startedAt: Date, finishedAt: Date
        ) {
            self.id = id
            self.kind = kind
            self.trigger = trigger
            self.actor = actor
            self.outcome = outcome
            self.fromRelease = fromRelease
            self.toRelease = toRelease
            self.fromSlot = fromSlot
            self.toSlot = toSlot
            self.switchMs = switchMs
            self.rollbackMs = rollbackMs
            self.steps = steps
            self.smoke = smoke
            self.detail = detail
            self.startedAt = startedAt
            self.finishedAt = finishedAt
        }
    }

    typealias Failed = Drill.Failed

    /// Puts `releaseDir` live. Refused (nothing switched, the live slot untouched) when its migrations are not
    /// additive, it does not start, or a smoke check fails.
    public static func deploy(_ config: AppConfig, release releaseDir: String, options: Options) async throws
        -> Outcome
    {
        let slots = try DeploySlots(dir: options.deployDir, app: config, progress: options.progress)
        let run = Run(kind: "deploy", options: options)
        var state = slots.loadState()
        let live = state.live
        let target = state.idle
        let client = HTTPClient.shared
        var release: DeploySlots.Release?
        var pid: Int32?
        var credentials: SmokeAccounts.Credentials?
        await run.steps.step("release") {
            let r = try DeploySlots.Release(releaseDir)
            release = r
            return "\(r.info.version) (commit \(r.info.commit)) from \(r.dir) into \(target.rawValue)"
        }
        await run.steps.step("migrations are additive") {
            guard let release else { return "" }
            let new = try await slots.manifest(release)
            var running: [ReleaseManifest] = []
            for s in Slot.allCases {
                guard let st = state[s], s == live || slots.isAlive(st.pid) || slots.config.supervisor == .systemd,
                    let r = try? DeploySlots.Release(st.release)
                else { continue }
                running.append(try await slots.manifest(r))
            }
            let applied = try await appliedMigrations(config)
            let problems = MigrationPolicy.problems(new: new, applied: applied, running: running)
            guard problems.isEmpty else { throw Failed(problems.joined(separator: " ")) }
            let pending = new.migrations.filter { !applied.contains($0.name) }.count
            return "\(pending) new migration\(pending == 1 ? "" : "s"), all additive"
        }
        await run.steps.step("stop what was left in \(target.rawValue)") {
            guard let old = state[target] else { return "nothing there" }
            try await slots.stop(target, pid: old.pid)
            state[target] = nil
            try slots.save(state)
            return "stopped \(old.version)"
        }
        await run.steps.step("migrate") {
            guard let release else { return "" }
            return try await slots.run(release, ["migrate"]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        await run.steps.step("start \(target.rawValue)") {
            guard let release else { return "" }
            pid = try await slots.start(target, release)
            state[target] = SlotState(release: release.dir, version: release.info.version, pid: pid, startedAt: Date())
            try slots.save(state)
            return pid.map { "pid \($0), port \(slots.config.port(target))" } ?? "systemd caresync@\(target.rawValue)"
        }
        await run.steps.step("ready") {
            guard let release else { return "" }
            return try await slots.waitReady(target, version: release.info.version, pid: pid, client: client)
        }
        await run.steps.step("smoke checks") {
            guard let release else { return "" }
            let text = try await slots.run(release, ["smoke-accounts"])
            credentials = try JSONDecoder().decode(SmokeAccounts.Credentials.self, from: Data(text.utf8))
            run.smoke = await slots.smoke(target, credentials!, client: client)
            guard let bad = run.smoke.first(where: { !$0.ok }) else { return "\(run.smoke.count) passed" }
            throw Failed("\(bad.name): \(bad.detail)")
        }
        // However the deploy ends, the smoke account is switched off again.
        func closeSmoke() async {
            guard credentials != nil, let release else { return }
            _ = try? await slots.run(release, ["smoke-accounts", "--disable"])
        }
        guard run.steps.ok, let release else {
            await closeSmoke()
            // Nothing was switched: the new slot (if it started) is stopped; the live one never noticed.
            if state[target]?.pid == pid, pid != nil || slots.config.supervisor == .systemd {
                try? await slots.stop(target, pid: pid)
                state[target] = nil
                try? slots.save(state)
            }
            return try await run.finish(
                config, outcome: "refused", from: live.flatMap { state[$0] }, fromSlot: live,
                to: release?.info.version ?? releaseDir, toSlot: target)
        }
        let keepWarm = options.keepWarmMinutes ?? slots.config.keepWarmMinutes
        await switchOver(slots, run, &state, to: target, from: live, keepWarm: keepWarm)
        let trigger: String? =
            run.steps.ok && options.watchMinutes > 0 && credentials != nil
            ? await watch(slots, target, credentials!, minutes: options.watchMinutes, progress: run.say) : nil
        await closeSmoke()
        guard run.steps.ok else {
            return try await run.finish(
                config, outcome: "failed", from: live.flatMap { state[$0] }, fromSlot: live,
                to: release.info.version, toSlot: target)
        }
        if let trigger {
            run.say("rolling back: \(trigger)")
            let rollbackStart = ContinuousClock.now
            await rollBack(slots, run, &state, keepWarm: keepWarm)
            run.rollbackMs = Int((ContinuousClock.now - rollbackStart).milliseconds)
            run.trigger = "automatic: \(trigger)"
            return try await run.finish(
                config, outcome: run.steps.ok ? "rolled-back" : "failed", from: live.flatMap { state[$0] },
                fromSlot: live, to: release.info.version, toSlot: target)
        }
        return try await run.finish(
            config, outcome: "live", from: live.flatMap { state[$0] }, fromSlot: live, to: release.info.version,
            toSlot: target)
    }

    /// Back to the previous slot: resumed if it is still warm, started again on its release if it stopped.
    public static func rollback(_ config: AppConfig, options: Options, trigger: String = "manual") async throws
        -> Outcome
    {
        let slots = try DeploySlots(dir: options.deployDir, app: config, progress: options.progress)
        let run = Run(kind: "rollback", options: options)
        run.trigger = trigger
        var state = slots.loadState()
        guard let live = state.live, let previous = state[live.other] else {
            throw Failed("There is nothing to roll back to: no previous release is recorded in \(options.deployDir).")
        }
        let from = state[live]
        let start = ContinuousClock.now
        await rollBack(slots, run, &state, keepWarm: options.keepWarmMinutes ?? slots.config.keepWarmMinutes)
        run.rollbackMs = Int((ContinuousClock.now - start).milliseconds)
        return try await run.finish(
            config, outcome: run.steps.ok ? "live" : "failed", from: from, fromSlot: live, to: previous.version,
            toSlot: live.other)
    }

    /// blue→green→blue on a staging set-up: the release deployed (smoke checks and all), then rolled back; the
    /// switch and rollback times are kept for the readiness report.
    public static func rehearse(_ config: AppConfig, release: String, options: Options) async throws -> Outcome {
        var quiet = options
        quiet.watchMinutes = 0
        let there = try await deploy(config, release: release, options: quiet)
        guard there.ok else { return there }
        let back = try await rollback(config, options: quiet, trigger: "rehearsal")
        let run = Run(kind: "rehearsal", options: options)
        run.steps.append(
            there.steps.map { Drill.Check(name: "there: \($0.name)", ok: $0.ok, ms: $0.ms, detail: $0.detail) })
        run.steps.append(
            back.steps.map { Drill.Check(name: "back: \($0.name)", ok: $0.ok, ms: $0.ms, detail: $0.detail) })
        run.smoke = there.smoke
        run.switchMs = there.switchMs
        run.rollbackMs = back.rollbackMs
        run.startedAt = there.startedAt
        return try await run.finish(
            config, outcome: back.ok ? "live" : "failed", fromRelease: there.fromRelease, fromSlot: there.fromSlot,
            to: there.toRelease, toSlot: there.toSlot)
    }

    // MARK: steps shared by deploy and rollback

    /// The proxy switched to `target`, then the slot it left drained and kept warm.
    private static func switchOver(
        _ slots: DeploySlots, _ run: Run, _ state: inout DeployState, to target: Slot, from old: Slot?,
        keepWarm: Double
    ) async {
        let version = state[target]?.version ?? ""
        await run.steps.step("switch to \(target.rawValue)") {
            let ms = try await slots.switchProxy(to: target, version: version, client: .shared)
            run.switchMs = ms
            return "the proxy answers from \(target.rawValue) (\(version)) after \(ms) ms"
        }
        guard run.steps.ok else {
            // nginx must not be left on (or, at its next reload, switch to) a slot the state does not call live.
            if let old, let back = state[old] {
                run.steps.record(
                    await Drill.Check.timed("switch back to \(old.rawValue)") {
                        let ms = try await slots.switchProxy(to: old, version: back.version, client: .shared)
                        return "the proxy answers from \(old.rawValue) (\(back.version)) again after \(ms) ms"
                    })
            }
            return
        }
        state.live = target
        if let live = state[target] { slots.pointCurrent(at: live.release) }
        if let old, state[old] != nil {
            await run.steps.step("drain \(old.rawValue)") {
                try await slots.control(old, Site.slotDrain.path(), stopAfter: keepWarm * 60, client: .shared)
                return "sockets closed (pages reconnect); warm for \(Int(keepWarm)) min for a rollback"
            }
            state[old]?.warmUntil = Date().addingTimeInterval(keepWarm * 60)
        }
        state[target]?.warmUntil = nil
        try? slots.save(state)
    }

    private static func rollBack(_ slots: DeploySlots, _ run: Run, _ state: inout DeployState, keepWarm: Double) async {
        guard let live = state.live, let previous = state[live.other] else {
            await run.steps.step("roll back") { throw Failed("no previous release is recorded") }
            return
        }
        let target = live.other
        let client = HTTPClient.shared
        await run.steps.step("resume \(target.rawValue)") {
            if let r = await slots.readiness(slots.base(target), client: client), r.slot == target.rawValue,
                r.version.version == previous.version
            {
                try await slots.control(target, Site.slotResume.path(), client: client)
                return "\(previous.version) was still warm"
            }
            // Gone (the keep-warm time passed, or the machine restarted): start it again on today's schema.
            let release = try DeploySlots.Release(previous.release)
            try await slots.stop(target, pid: previous.pid)
            let pid = try await slots.start(target, release)
            state[target] = SlotState(release: release.dir, version: release.info.version, pid: pid, startedAt: Date())
            _ = try await slots.waitReady(target, version: release.info.version, pid: pid, client: client)
            return "\(previous.version) had stopped: started again"
        }
        guard run.steps.ok else { return }
        // The release rolled away from drains quickly: a minute for what is in flight, then it stops.
        await switchOver(slots, run, &state, to: target, from: live, keepWarm: min(keepWarm, 1))
    }

    /// Watches the new slot for `minutes`: its traffic against the criteria every few seconds, the smoke checks every
    /// so often. Returns the first criterion crossed (nil: the watch ended healthy).
    private static func watch(
        _ slots: DeploySlots, _ slot: Slot, _ credentials: SmokeAccounts.Credentials, minutes: Double,
        progress: @Sendable (String) -> Void
    ) async -> String? {
        let c = slots.config.rollback
        let end = ContinuousClock.now + .seconds(minutes * 60)
        var window: [(at: ContinuousClock.Instant, sample: TrafficSample)] = []
        var lastSmoke = ContinuousClock.now
        // The baseline: what the slot had answered by the switch (its smoke checks included).
        if let s0 = try? await slots.sample(slot, client: .shared) { window.append((lastSmoke, s0)) }
        progress("watching \(slot.rawValue) for \(minutes) min (criteria: caresync rollback --plan)")
        while ContinuousClock.now < end {
            try? await Task.sleep(for: .seconds(c.sampleSeconds))
            let now = ContinuousClock.now
            guard let s = try? await slots.sample(slot, client: .shared) else {
                return "the new slot stopped answering /metrics"
            }
            window.append((now, s))
            window.removeAll { now - $0.at > .seconds(c.windowSeconds) && $0.at != now }
            if let first = window.first, let why = c.breach(from: first.sample, to: s) { return why }
            if now - lastSmoke >= .seconds(c.smokeEverySeconds) {
                lastSmoke = now
                if let bad = await slots.smoke(slot, credentials, client: .shared).first(where: { !$0.ok }) {
                    return "smoke check \(bad.name) failed: \(bad.detail)"
                }
            }
        }
        progress("the watch ended: no criterion crossed")
        return nil
    }

    /// Recorded names of the migrations the shared database has applied.
    static func appliedMigrations(_ config: AppConfig) async throws -> Set<String> {
        try await CareSyncCLI.withApp(config, migrate: false) { app in
            let exists =
                config.isPostgres
                ? "SELECT to_regclass('public._fluent_migrations') IS NOT NULL AS present"
                : "SELECT COUNT(*) > 0 AS present FROM sqlite_master WHERE name = '_fluent_migrations'"
            let present = try await app.db.sql.raw(SQLQueryString(exists)).first()?.decode(
                column: "present", as: Bool.self)
            guard present == true else { return [] }  // a new database: every migration is still to come
            let rows = try await app.db.sql.raw("SELECT name FROM _fluent_migrations").all()
            return Set(try rows.map { try $0.decode(column: "name", as: String.self) })
        }
    }

    // MARK: the record

    /// One run's steps and timings, then its row and audit event.
    final class Run: @unchecked Sendable {
        let kind: String
        let options: Options
        let steps: Drill.Steps
        var smoke: [Drill.Check] = []
        var trigger = "manual"
        var switchMs: Int?
        var rollbackMs: Int?
        var startedAt = Date()

        init(kind: String, options: Options) {
            self.kind = kind
            self.options = options
            steps = Drill.Steps(progress: options.progress)
        }

        func say(_ line: String) { options.progress(line) }

        func finish(
            _ config: AppConfig, outcome: String, from: SlotState?, fromSlot: Slot?, to: String, toSlot: Slot
        ) async throws -> Outcome {
            try await finish(
                config, outcome: outcome, fromRelease: from?.version, fromSlot: fromSlot?.rawValue, to: to,
                toSlot: toSlot.rawValue)
        }

        func finish(
            _ config: AppConfig, outcome: String, fromRelease: String?, fromSlot: String?, to: String, toSlot: String
        ) async throws -> Outcome {
            let failed = steps.checks.first { !$0.ok }
            let o = Outcome(
                id: UUID(), kind: kind, trigger: trigger, actor: options.actor, outcome: outcome,
                fromRelease: fromRelease, toRelease: to, fromSlot: fromSlot, toSlot: toSlot, switchMs: switchMs,
                rollbackMs: rollbackMs, steps: steps.checks, smoke: smoke,
                detail: failed.map { "\($0.name): \($0.detail)" }, startedAt: startedAt, finishedAt: Date())
            do {
                try await CareSyncCLI.withApp(config, migrate: false) { app in try await DeploymentLog.store(o, app) }
            } catch {
                say("warning: the deployment record was not written: \(CareSyncCLI.message(for: error))")
            }
            return o
        }
    }
}

extension Drill.Steps {
    /// Steps run elsewhere (a rehearsal's two legs), kept as they were.
    package func append(_ more: [Drill.Check]) { for c in more { record(c) } }
}

extension BlueGreen {
    /// The rollback plan for this installation's criteria.
    public static func plan(deployDir: String) throws -> RollbackPlan {
        RollbackPlan(config: try DeploySlots(dir: deployDir, app: AppConfig(dataDir: "."), progress: { _ in }).config)
    }
}
