import Foundation

/// The two places a release runs: one is live behind the proxy, the other is idle (or warm after a switch).
public enum Slot: String, Codable, CaseIterable, Sendable {
    case blue, green
    public var other: Slot { self == .blue ? .green : .blue }
}

/// How a slot's process is run: started by `caresync deploy` itself (a detached process, logs in the deploy
/// directory), or by systemd (`caresync@blue`, `caresync@green`; the slot's release is a symlink the unit runs).
public enum SlotSupervisor: String, Codable, Sendable { case process, systemd }

/// `deploy.json` in the deploy directory: where the slots listen, how the proxy is switched, and when a deploy rolls
/// itself back. Written once per installation (deploy/deploy.example.json).
public struct DeployConfig: Codable, Equatable, Sendable {
    public var bluePort: Int
    public var greenPort: Int
    /// The file nginx includes inside `upstream caresync { … }`; rewritten atomically on every switch.
    public var upstreamFile: String
    /// The graceful reload, e.g. ["nginx", "-s", "reload"] (run after the upstream file is replaced).
    public var proxyReload: [String]
    /// The address the proxy serves (checked after a switch: it must answer from the new slot). Nil: not checked.
    public var proxyURL: String?
    public var supervisor: SlotSupervisor
    /// Where releases are installed (`caresync releases list`), each a directory with the binary and release.json.
    public var releasesDir: String?
    /// Extra arguments for `caresync serve` in a slot (default ["--no-demo"]).
    public var serveArguments: [String]
    public var keepWarmMinutes: Double
    public var rollback: RollbackCriteria

    public init(
        bluePort: Int = 8081, greenPort: Int = 8082, upstreamFile: String,
        proxyReload: [String] = ["nginx", "-s", "reload"],
        proxyURL: String? = nil, supervisor: SlotSupervisor = .process, releasesDir: String? = nil,
        serveArguments: [String] = ["--no-demo"], keepWarmMinutes: Double = 30, rollback: RollbackCriteria = .init()
    ) {
        self.bluePort = bluePort
        self.greenPort = greenPort
        self.upstreamFile = upstreamFile
        self.proxyReload = proxyReload
        self.proxyURL = proxyURL
        self.supervisor = supervisor
        self.releasesDir = releasesDir
        self.serveArguments = serveArguments
        self.keepWarmMinutes = keepWarmMinutes
        self.rollback = rollback
    }

    public func port(_ s: Slot) -> Int { s == .blue ? bluePort : greenPort }

    enum CodingKeys: String, CodingKey {
        case bluePort, greenPort, upstreamFile, proxyReload, proxyURL, supervisor, releasesDir, serveArguments
        case keepWarmMinutes, rollback
    }

    /// Missing keys take their defaults, so a short file is enough.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(upstreamFile: try c.decode(String.self, forKey: .upstreamFile))
        bluePort = try c.decodeIfPresent(Int.self, forKey: .bluePort) ?? bluePort
        greenPort = try c.decodeIfPresent(Int.self, forKey: .greenPort) ?? greenPort
        proxyReload = try c.decodeIfPresent([String].self, forKey: .proxyReload) ?? proxyReload
        proxyURL = try c.decodeIfPresent(String.self, forKey: .proxyURL)
        supervisor = try c.decodeIfPresent(SlotSupervisor.self, forKey: .supervisor) ?? supervisor
        releasesDir = try c.decodeIfPresent(String.self, forKey: .releasesDir)
        serveArguments = try c.decodeIfPresent([String].self, forKey: .serveArguments) ?? serveArguments
        keepWarmMinutes = try c.decodeIfPresent(Double.self, forKey: .keepWarmMinutes) ?? keepWarmMinutes
        rollback = try c.decodeIfPresent(RollbackCriteria.self, forKey: .rollback) ?? rollback
    }

    /// What is wrong with the file, in words (empty: usable).
    public var problems: [String] {
        var out: [String] = []
        for (name, p) in [("bluePort", bluePort), ("greenPort", greenPort)] where !(1...65535).contains(p) {
            out.append("\(name) must be a port number (1–65535), not \(p).")
        }
        if bluePort == greenPort { out.append("bluePort and greenPort must differ (both are \(bluePort)).") }
        if upstreamFile.isEmpty { out.append("upstreamFile must name the file nginx includes.") }
        if proxyReload.isEmpty { out.append("proxyReload must be the command that reloads the proxy.") }
        if keepWarmMinutes < 0 { out.append("keepWarmMinutes cannot be negative.") }
        return out + rollback.problems
    }
}

/// One slot as the deploy directory's `state.json` remembers it.
public struct SlotState: Codable, Equatable, Sendable {
    public var release: String
    public var version: String
    public var pid: Int32?
    public var startedAt: Date
    /// Set when the slot was drained after a switch: it stops by itself then unless a rollback resumes it.
    public var warmUntil: Date?

    public init(release: String, version: String, pid: Int32?, startedAt: Date, warmUntil: Date? = nil) {
        self.release = release
        self.version = version
        self.pid = pid
        self.startedAt = startedAt
        self.warmUntil = warmUntil
    }
}

/// Which slot is live and what each slot runs.
public struct DeployState: Codable, Equatable, Sendable {
    public var live: Slot?
    public var blue: SlotState?
    public var green: SlotState?

    public init(live: Slot? = nil, blue: SlotState? = nil, green: SlotState? = nil) {
        self.live = live
        self.blue = blue
        self.green = green
    }

    public subscript(_ s: Slot) -> SlotState? {
        get { s == .blue ? blue : green }
        set { if s == .blue { blue = newValue } else { green = newValue } }
    }

    /// The slot a deploy starts the new release in.
    public var idle: Slot { live?.other ?? .blue }
}

/// Whether a migration only adds (a table, a column, an index, a constraint new rows must meet) or changes what the
/// running release relies on (drops or renames a table or column, changes a type).
public enum MigrationChange: String, Codable, Sendable { case expand, contract }

public struct MigrationInfo: Codable, Equatable, Sendable {
    public let name: String
    public let change: MigrationChange

    public init(name: String, change: MigrationChange) {
        self.name = name
        self.change = change
    }
}

/// What `caresync version --manifest` prints: the release, its migrations in order, and the contract steps this
/// release has made safe (its code no longer uses the shape they remove).
public struct ReleaseManifest: Codable, Equatable, Sendable {
    public let release: VersionReport
    public let migrations: [MigrationInfo]
    public let plannedContracts: [String]

    public init(release: VersionReport, migrations: [MigrationInfo], plannedContracts: [String]) {
        self.release = release
        self.migrations = migrations
        self.plannedContracts = plannedContracts
    }
}

/// The expand/contract rule, checked before anything is started or switched.
public enum MigrationPolicy {
    public static let rule = """
        A release may only add to the schema (tables, columns, indexes, constraints that new rows meet): the release \
        still live, and the one kept warm for a rollback, keep working on the new schema. A migration that drops or \
        renames a table or a column, or changes a type, is a contract step. It ships in a later release than the \
        code that stopped using the old shape, and only once every running release names it in its planned \
        contracts (Migrations.plannedContracts); `caresync deploy` refuses it otherwise.
        """

    /// Why `new` may not go live beside the `running` releases on a database that has `applied` migrations (empty:
    /// it may).
    public static func problems(new: ReleaseManifest, applied: Set<String>, running: [ReleaseManifest]) -> [String] {
        let pending = new.migrations.filter { !applied.contains($0.name) }
        return pending.filter { $0.change == .contract }.compactMap { m in
            let unready = running.filter { !$0.plannedContracts.contains(m.name) }.map(\.release.version)
            guard !unready.isEmpty else { return nil }
            return "\(m.name) is a contract migration (it removes or changes what running code uses), and release "
                + "\(unready.joined(separator: ", ")) still relies on the old shape: ship it in a later release, "
                + "after one that lists it in Migrations.plannedContracts is live."
        }
    }
}

/// The nginx upstream a switch writes (included inside `upstream caresync { … }`).
public enum UpstreamFile {
    public static func render(slot: Slot, port: Int, version: String) -> String {
        """
        # Written by `caresync deploy` (do not edit): the live slot.
        # live: \(slot.rawValue) \(version)
        server 127.0.0.1:\(port) max_fails=0;

        """
    }
}

/// When a deploy under `--watch` rolls itself back. The same numbers are the Medical Director's trigger criteria for
/// a manual rollback (`caresync rollback --plan`).
public struct RollbackCriteria: Codable, Equatable, Sendable {
    /// 5xx answers over all answers within the window, once at least `min5xx` of them were seen (a small practice
    /// has little traffic: three failures in a minute matter even when the ratio is noisy).
    public var max5xxRatio: Double
    public var min5xx: Int
    public var maxP95Seconds: Double
    /// p95 is judged once the window holds at least this many requests.
    public var minRequestsForLatency: Int
    public var maxFailedSignIns: Int
    public var windowSeconds: Double
    public var sampleSeconds: Double
    public var smokeEverySeconds: Double

    public init(
        max5xxRatio: Double = 0.05, min5xx: Int = 3, maxP95Seconds: Double = 2, minRequestsForLatency: Int = 20,
        maxFailedSignIns: Int = 20, windowSeconds: Double = 60, sampleSeconds: Double = 5,
        smokeEverySeconds: Double = 60
    ) {
        self.max5xxRatio = max5xxRatio
        self.min5xx = min5xx
        self.maxP95Seconds = maxP95Seconds
        self.minRequestsForLatency = minRequestsForLatency
        self.maxFailedSignIns = maxFailedSignIns
        self.windowSeconds = windowSeconds
        self.sampleSeconds = sampleSeconds
        self.smokeEverySeconds = smokeEverySeconds
    }

    enum CodingKeys: String, CodingKey {
        case max5xxRatio, min5xx, maxP95Seconds, minRequestsForLatency, maxFailedSignIns, windowSeconds
        case sampleSeconds, smokeEverySeconds
    }

    /// Missing keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        max5xxRatio = try c.decodeIfPresent(Double.self, forKey: .max5xxRatio) ?? max5xxRatio
        min5xx = try c.decodeIfPresent(Int.self, forKey: .min5xx) ?? min5xx
        maxP95Seconds = try c.decodeIfPresent(Double.self, forKey: .maxP95Seconds) ?? maxP95Seconds
        minRequestsForLatency =
            try c.decodeIfPresent(Int.self, forKey: .minRequestsForLatency) ?? minRequestsForLatency
        maxFailedSignIns = try c.decodeIfPresent(Int.self, forKey: .maxFailedSignIns) ?? maxFailedSignIns
        windowSeconds = try c.decodeIfPresent(Double.self, forKey: .windowSeconds) ?? windowSeconds
        sampleSeconds = try c.decodeIfPresent(Double.self, forKey: .sampleSeconds) ?? sampleSeconds
        smokeEverySeconds = try c.decodeIfPresent(Double.self, forKey: .smokeEverySeconds) ?? smokeEverySeconds
    }

    public var problems: [String] {
        var out: [String] = []
        if !(0...1).contains(max5xxRatio) { out.append("rollback.max5xxRatio must be between 0 and 1.") }
        if min5xx < 1 { out.append("rollback.min5xx must be at least 1.") }
        if maxP95Seconds <= 0 { out.append("rollback.maxP95Seconds must be above 0.") }
        if maxFailedSignIns < 1 { out.append("rollback.maxFailedSignIns must be at least 1.") }
        if sampleSeconds <= 0 || windowSeconds < sampleSeconds {
            out.append("rollback.sampleSeconds must be above 0 and no longer than windowSeconds.")
        }
        if smokeEverySeconds <= 0 { out.append("rollback.smokeEverySeconds must be above 0.") }
        return out
    }

    /// The first criterion the traffic between two samples crosses, in words (nil: healthy).
    public func breach(from a: TrafficSample, to b: TrafficSample) -> String? {
        let d = b.minus(a)
        if d.errors5xx >= min5xx, d.requests > 0, Double(d.errors5xx) / Double(d.requests) >= max5xxRatio {
            let pct = Double(d.errors5xx) / Double(d.requests) * 100
            return "5xx answers: \(d.errors5xx) of \(d.requests) (\(String(format: "%.0f", pct)) %) "
                + "within \(Int(windowSeconds)) s (limit \(String(format: "%.0f", max5xxRatio * 100)) %, at least "
                + "\(min5xx))"
        }
        if d.requests >= minRequestsForLatency, let p95 = d.quantile(0.95), p95 > maxP95Seconds {
            return "p95 latency \(String(format: "%.2f", p95)) s over \(d.requests) requests (limit "
                + "\(String(format: "%.2f", maxP95Seconds)) s)"
        }
        if d.failedSignIns >= maxFailedSignIns {
            return "failed sign-ins: \(d.failedSignIns) within \(Int(windowSeconds)) s (limit \(maxFailedSignIns))"
        }
        return nil
    }
}

/// Counters read from a node's `/metrics` (health and metrics scrapes left out): answers, 5xx answers, the latency
/// histogram's cumulative buckets, failed sign-ins.
public struct TrafficSample: Equatable, Sendable {
    public var requests: Int
    public var errors5xx: Int
    public var failedSignIns: Int
    /// Upper bound (seconds) → cumulative count, summed over routes.
    public var buckets: [Double: Int]
    /// Every other CareSync series, summed by name (and `state`, for the video visits gauge): `name` or
    /// `name{state=waiting}`.
    public var values: [String: Double]

    public init(
        requests: Int = 0, errors5xx: Int = 0, failedSignIns: Int = 0, buckets: [Double: Int] = [:],
        values: [String: Double] = [:]
    ) {
        self.requests = requests
        self.errors5xx = errors5xx
        self.failedSignIns = failedSignIns
        self.buckets = buckets
        self.values = values
    }

    public func minus(_ o: TrafficSample) -> TrafficSample {
        TrafficSample(
            requests: requests - o.requests, errors5xx: errors5xx - o.errors5xx,
            failedSignIns: failedSignIns - o.failedSignIns,
            buckets: buckets.reduce(into: [:]) { $0[$1.key] = $1.value - (o.buckets[$1.key] ?? 0) },
            values: values.reduce(into: [:]) { $0[$1.key] = $1.value - (o.values[$1.key] ?? 0) })
    }

    /// The smallest bucket bound holding `q` of the requests (an upper estimate, as Prometheus's own would be).
    public func quantile(_ q: Double) -> Double? {
        guard let total = buckets[.infinity] ?? buckets.values.max(), total > 0 else { return nil }
        let need = Double(total) * q
        return buckets.keys.sorted().first { Double(buckets[$0] ?? 0) >= need }
    }

    /// Reads Prometheus text exposition: `caresync_http_requests_total`, `caresync_http_request_duration_seconds`
    /// buckets and `caresync_failed_sign_ins_total`. Routes under /health and /metrics are left out.
    public static func parse(_ text: String) -> TrafficSample {
        var s = TrafficSample()
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            let series = line[..<space]
            let name = series.prefix { $0 != "{" }
            let labels = labelsOf(series)
            if let route = labels["route"], route.hasPrefix("/health") || route == "/metrics" { continue }
            switch name {
            case "caresync_http_requests_total":
                s.requests += Int(value)
                if labels["status"]?.hasPrefix("5") == true { s.errors5xx += Int(value) }
            case "caresync_http_request_duration_seconds_bucket":
                guard let le = labels["le"] else { continue }
                let bound = le == "+Inf" ? Double.infinity : Double(le) ?? .infinity
                s.buckets[bound, default: 0] += Int(value)
            case "caresync_failed_sign_ins_total":
                s.failedSignIns += Int(value)
            case "caresync_http_request_duration_seconds_sum", "caresync_http_request_duration_seconds_count":
                continue
            default:
                guard name.hasPrefix("caresync_") else { continue }
                s.values[labels["state"].map { "\(name){state=\($0)}" } ?? String(name), default: 0] += value
            }
        }
        return s
    }

    static func labelsOf(_ series: Substring) -> [String: String] {
        guard let open = series.firstIndex(of: "{"), series.hasSuffix("}") else { return [:] }
        var out: [String: String] = [:]
        for pair in series[series.index(after: open)..<series.index(before: series.endIndex)].split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { continue }
            out[kv[0].trimmingCharacters(in: .whitespaces)] = kv[1].trimmingCharacters(
                in: CharacterSet(charactersIn: "\""))
        }
        return out
    }
}
