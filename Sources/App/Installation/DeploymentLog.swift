import Vapor
import Fluent
import Domain
import AppCore
import Operations

/// The kept history of deploys, rollbacks and rehearsals (`deployment_event`), each also an audit event.
package enum DeploymentLog {
    package static func store(_ o: BlueGreen.Outcome, _ app: Application) async throws {
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        let row = DeploymentEventRecord()
        row.id = o.id
        row.startedAt = o.startedAt
        row.finishedAt = o.finishedAt
        row.kind = o.kind
        row.trigger = o.trigger
        row.actor = o.actor
        row.fromRelease = o.fromRelease
        row.toRelease = o.toRelease
        row.fromSlot = o.fromSlot
        row.toSlot = o.toSlot
        row.outcome = o.outcome
        row.detail = o.detail.map { String($0.prefix(2000)) }
        row.switchMs = o.switchMs
        row.rollbackMs = o.rollbackMs
        row.steps = String(decoding: try enc.encode(o.steps), as: UTF8.self)
        row.smoke = String(decoding: try enc.encode(o.smoke), as: UTF8.self)
        let scope = app.systemScope("\(o.kind) by \(o.actor)")
        try await app.serializer.write(app.db) { tx in try await row.create(on: tx) }
        try await scope.record([
            AuditDraft(
                action: o.kind == "rollback" ? .rollback : .deploy, category: .operations,
                entityType: "Deployment", entityID: o.id.uuidString,
                outcome: o.outcome == "live" || o.outcome == "rolled-back" ? .success : .failure,
                detail: "\(o.kind) \(o.fromRelease ?? "-") → \(o.toRelease): \(o.outcome) (\(o.trigger))")
        ])
    }

    /// Newest first.
    package static func history(_ db: any Database, limit: Int = 20) async throws -> [BlueGreen.Outcome] {
        let dec = JSONDecoder()
        return try await DeploymentEventRecord.query(on: db).sort(\.$startedAt, .descending).limit(limit).all().map {
            r in
            BlueGreen.Outcome(
                id: try r.requireID(), kind: r.kind, trigger: r.trigger, actor: r.actor, outcome: r.outcome,
                fromRelease: r.fromRelease, toRelease: r.toRelease, fromSlot: r.fromSlot, toSlot: r.toSlot,
                switchMs: r.switchMs, rollbackMs: r.rollbackMs,
                steps: (try? dec.decode([Drill.Check].self, from: Data(r.steps.utf8))) ?? [],
                smoke: (try? dec.decode([Drill.Check].self, from: Data(r.smoke.utf8))) ?? [],
                detail: r.detail, startedAt: r.startedAt, finishedAt: r.finishedAt)
        }
    }

    /// The summary a command prints at the end.
    public static func describe(_ o: BlueGreen.Outcome) -> String {
        var lines = o.steps.map {
            "  \($0.ok ? "ok  " : "FAIL") \($0.name.padding(toLength: 28, withPad: " ", startingAt: 0)) "
                + "\(String(format: "%6d", $0.ms)) ms  \($0.detail)"
        }
        if !o.smoke.isEmpty {
            lines.append(
                "  smoke checks: "
                    + o.smoke.map { "\($0.name) \($0.ok ? "ok" : "FAILED") \($0.ms) ms" }
                    .joined(separator: ", "))
        }
        var head =
            "\(o.kind.capitalized) \(o.outcome.uppercased()): \(o.fromRelease ?? "nothing") (\(o.fromSlot ?? "-"))"
            + " → \(o.toRelease) (\(o.toSlot))"
        if let ms = o.switchMs { head += ", switch \(ms) ms" }
        if let ms = o.rollbackMs { head += ", rollback \(ms) ms" }
        if o.trigger != "manual" { head += " [\(o.trigger)]" }
        lines.append(head)
        if let d = o.detail, o.outcome != "live" { lines.append("  \(d)") }
        return lines.joined(separator: "\n")
    }
}

extension BlueGreen {
    /// One installed release and where it runs (`caresync releases list`).
    public struct InstalledRelease: Codable, Sendable {
        public let version: String
        public let commit: String
        public let builtAt: String?
        public let dir: String
        /// live, warm (the previous release, kept for a rollback), or installed.
        public let status: String
        public let slot: String?
    }

    /// The releases under `releasesDir` (default: the deploy configuration's), newest build first, with the deploy
    /// directory's record of which one is live.
    public static func releases(deployDir: String, releasesDir: String?) throws -> [InstalledRelease] {
        let slots = try? DeploySlots(dir: deployDir, app: AppConfig(dataDir: "."), progress: { _ in })
        guard let root = releasesDir ?? slots?.config.releasesDir else {
            throw Drill.Failed("Name the releases folder: --releases-dir DIR, or releasesDir in deploy.json.")
        }
        let state = slots?.loadState() ?? DeployState()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        let found = names.compactMap { try? DeploySlots.Release((root as NSString).appendingPathComponent($0)) }
        return found.map { r in
            let slot = Slot.allCases.first { state[$0]?.release == r.dir }
            let status =
                slot == nil
                ? "installed"
                : slot == state.live
                    ? "live"
                    : slots?.isAlive(state[slot!]?.pid) == true
                        ? "warm" : "installed"
            return InstalledRelease(
                version: r.info.version, commit: r.info.commit, builtAt: r.info.builtAt, dir: r.dir, status: status,
                slot: status == "installed" ? nil : slot?.rawValue)
        }.sorted { ($0.builtAt ?? "") > ($1.builtAt ?? "") }
    }
}

extension CareSyncCLI {
    /// `caresync deploy smoke-accounts --json`, run by a deploy with the new release's own binary.
    package static func smokeAccounts(_ config: AppConfig) async throws -> SmokeAccounts.Credentials {
        try await withApp(config, migrate: false) { app in try await SmokeAccounts.prepare(app) }
    }

    package static func disableSmokeAccount(_ config: AppConfig) async throws {
        try await withApp(config, migrate: false) { app in try await SmokeAccounts.disable(app) }
    }

    public static func manifest() -> ReleaseManifest { Migrations.manifest }

    public static func deploymentHistory(_ config: AppConfig, limit: Int) async throws -> [BlueGreen.Outcome] {
        try await withApp(config, migrate: false) { app in try await DeploymentLog.history(app.db, limit: limit) }
    }
}
