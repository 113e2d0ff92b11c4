import Vapor
import Domain
import AppCore
import WebSocketKit
import NIOConcurrencyHelpers
import NIOCore

/// The deploy directory and what `caresync deploy` does to a slot: its files (`deploy.json`, `state.json`, the
/// control token, each slot's log), starting and stopping a slot's process, asking it whether it is ready, smoke
/// checks against it directly, and switching nginx to it.
package struct DeploySlots: Sendable {
    package let dir: String
    package let config: DeployConfig
    /// The deploying command's own configuration (the data dir and database every slot shares).
    package let app: AppConfig
    package let progress: @Sendable (String) -> Void

    package typealias Failed = Drill.Failed

    package init(dir: String, app: AppConfig, progress: @escaping @Sendable (String) -> Void) throws {
        self.dir = dir
        self.app = app
        self.progress = progress
        let path = (dir as NSString).appendingPathComponent("deploy.json")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failed(
                "No deploy configuration at \(path): copy deploy/deploy.example.json there and set the ports, the "
                    + "upstream file nginx includes and its reload command.")
        }
        do { config = try JSONDecoder().decode(DeployConfig.self, from: data) } catch {
            throw Failed("\(path) is not a deploy configuration: \(error)")
        }
        let problems = config.problems
        guard problems.isEmpty else { throw Failed("\(path): " + problems.joined(separator: " ")) }
    }

    // MARK: files

    private func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }

    package func loadState() -> DeployState {
        guard let data = FileManager.default.contents(atPath: path("state.json")) else { return DeployState() }
        let dec = JSONDecoder()
        dec.dateDecodingStrategy = .iso8601
        return (try? dec.decode(DeployState.self, from: data)) ?? DeployState()
    }

    package func save(_ state: DeployState) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        enc.dateEncodingStrategy = .iso8601
        try Self.writeAtomically(try enc.encode(state), to: path("state.json"))
    }

    /// Written beside, then renamed over: a reader (nginx, the next deploy) sees the old file or the new one.
    package static func writeAtomically(_ data: Data, to file: String, mode: Int = 0o644) throws {
        let tmp = file + ".tmp-\(UUID().uuidString.prefix(8))"
        guard FileManager.default.createFile(atPath: tmp, contents: data, attributes: [.posixPermissions: mode]) else {
            throw Failed("Cannot write \(tmp).")
        }
        guard rename(tmp, file) == 0 else {
            try? FileManager.default.removeItem(atPath: tmp)
            throw Failed("Cannot replace \(file): \(String(cString: strerror(errno))).")
        }
    }

    /// The secret the slots take their drain and resume orders from (made once, readable by its owner only).
    package func controlToken() throws -> String {
        let file = path("control.token")
        if let d = FileManager.default.contents(atPath: file), let t = String(data: d, encoding: .utf8), t.count >= 32 {
            return t.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let t = Token.generate(bytes: 32)
        try Self.writeAtomically(Data(t.utf8), to: file, mode: 0o600)
        return t
    }

    /// `<deploy dir>/current`: the live release (what the worker and backup units run).
    package func pointCurrent(at release: String) {
        let link = path("current"), tmp = path("current.tmp")
        try? FileManager.default.removeItem(atPath: tmp)
        guard (try? FileManager.default.createSymbolicLink(atPath: tmp, withDestinationPath: release)) != nil else {
            return
        }
        _ = rename(tmp, link)
    }

    // MARK: releases

    /// A release directory: the binary and its release.json (and optionally release.env, variables its slot gets).
    package struct Release: Sendable {
        package let dir: String
        package let info: ReleaseInfo
        package var binary: String { (dir as NSString).appendingPathComponent("caresync") }

        package init(_ dir: String) throws {
            let abs = URL(fileURLWithPath: dir).standardizedFileURL.path
            self.dir = abs
            let json = (abs as NSString).appendingPathComponent("release.json")
            guard let data = FileManager.default.contents(atPath: json), let info = ReleaseInfo.parse(data) else {
                throw Failed("\(abs) is not a release: it needs release.json (scripts/release.sh writes it).")
            }
            self.info = info
            guard FileManager.default.isExecutableFile(atPath: (abs as NSString).appendingPathComponent("caresync"))
            else { throw Failed("\(abs) has no executable caresync binary.") }
        }

        /// KEY=VALUE lines of release.env (comments and blank lines skipped).
        package var environment: [String: String] {
            let file = (dir as NSString).appendingPathComponent("release.env")
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [:] }
            var out: [String: String] = [:]
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                let kv = line.split(separator: "=", maxSplits: 1)
                if kv.count == 2 { out[String(kv[0]).trimmingCharacters(in: .whitespaces)] = String(kv[1]) }
            }
            return out
        }
    }

    /// Runs one of the release's own commands (its manifest, migrations, smoke accounts) with the release's
    /// environment, on the shared data.
    package func run(_ release: Release, _ arguments: [String]) async throws -> String {
        var env = release.environment
        env["CARESYNC_DATA_DIR"] = app.dataDir
        let out = try await ExternalProgram.run([release.binary] + arguments, environment: env)
        guard out.status == 0 else {
            throw Failed(
                "\(release.info.version): caresync \(arguments.joined(separator: " ")) exited \(out.status): "
                    + String(out.errorText.suffix(600)))
        }
        return out.text
    }

    package func manifest(_ release: Release) async throws -> ReleaseManifest {
        let text = try await run(release, ["version", "--manifest"])
        guard let m = try? JSONDecoder().decode(ReleaseManifest.self, from: Data(text.utf8)) else {
            throw Failed("\(release.dir): `caresync version --manifest` did not print a manifest (too old a release?).")
        }
        return m
    }

    // MARK: slot processes

    package func isAlive(_ pid: Int32?) -> Bool {
        guard let pid, pid > 0 else { return false }
        return kill(pid, 0) == 0
    }

    /// Starts `release` in `slot`: a detached `caresync serve` on the slot's port (or systemd's `caresync@slot`).
    package func start(_ slot: Slot, _ release: Release) async throws -> Int32? {
        var env = ProcessInfo.processInfo.environment.merging(release.environment) { $1 }
        env["CARESYNC_SLOT"] = slot.rawValue
        env["CARESYNC_CONTROL_TOKEN"] = try controlToken()
        env["CARESYNC_DATA_DIR"] = app.dataDir
        let port = String(config.port(slot))
        if config.supervisor == .systemd {
            // The unit runs <deploy dir>/slots/<slot>/caresync with this environment file.
            let link = path("slots/\(slot.rawValue)")
            try FileManager.default.createDirectory(atPath: path("slots"), withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: link)
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: release.dir)
            let lines =
                ["CARESYNC_SLOT", "CARESYNC_CONTROL_TOKEN"].map { "\($0)=\(env[$0] ?? "")" }
                + ["CARESYNC_PORT=\(port)"] + release.environment.map { "\($0.key)=\($0.value)" }
            try Self.writeAtomically(Data((lines.joined(separator: "\n") + "\n").utf8), to: link + ".env", mode: 0o600)
            try await systemctl("restart", slot)
            return nil
        }
        let log = path("\(slot.rawValue).log")
        if !FileManager.default.fileExists(atPath: log) {
            _ = FileManager.default.createFile(atPath: log, contents: nil)
        }
        guard let out = FileHandle(forWritingAtPath: log) else { throw Failed("Cannot write \(log).") }
        out.seekToEndOfFile()
        let p = Process()
        // Its own process group (Foundation's default): the slot outlives this command and its terminal's signals.
        p.executableURL = URL(fileURLWithPath: release.binary)
        p.arguments = ["serve", "--hostname", "127.0.0.1", "--port", port] + config.serveArguments
        p.environment = env
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = out
        p.standardError = out
        try p.run()
        return p.processIdentifier
    }

    /// Stops a slot: SIGTERM (in-flight requests finish), SIGKILL after 20 s.
    package func stop(_ slot: Slot, pid: Int32?) async throws {
        if config.supervisor == .systemd { try await systemctl("stop", slot); return }
        guard let pid, isAlive(pid) else { return }
        kill(pid, SIGTERM)
        for _ in 0..<200 where isAlive(pid) {
            _ = waitpid(pid, nil, WNOHANG)
            try await Task.sleep(for: .milliseconds(100))
        }
        if isAlive(pid) { kill(pid, SIGKILL) }
    }

    private func systemctl(_ verb: String, _ slot: Slot) async throws {
        let out = try await ExternalProgram.run(["/bin/systemctl", verb, "caresync@\(slot.rawValue)"])
        guard out.status == 0 else { throw Failed("systemctl \(verb) caresync@\(slot.rawValue): \(out.errorText)") }
    }

    package func base(_ slot: Slot) -> String { "http://127.0.0.1:\(config.port(slot))" }

    /// What a slot's /health/ready says about itself.
    package struct Readiness: Decodable, Sendable {
        package let status: String
        package let version: VersionReport
        package let slot: String?
        package let draining: Bool?
    }

    /// One request with a deadline (a fresh connection when `close`: a probe must not ride a pooled one).
    package static func http(
        _ client: HTTPClient, _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [],
        body: String? = nil, seconds: Int64 = 10
    ) async throws -> (status: UInt, body: ByteBuffer) {
        var req = try HTTPClient.Request(url: url, method: method)
        for (k, v) in headers { req.headers.add(name: k, value: v) }
        if let body {
            req.headers.add(name: "Content-Type", value: "application/json")
            req.body = .string(body)
        }
        let res = try await client.execute(request: req, deadline: NIODeadline.now() + TimeAmount.seconds(seconds))
            .get()
        return (res.status.code, res.body ?? ByteBuffer())
    }

    package func readiness(_ url: String, client: HTTPClient) async -> Readiness? {
        guard
            let (status, body) = try? await Self.http(
                client, .GET, url + Site.healthReady.path(), headers: [("Connection", "close")], seconds: 3),
            status == 200
        else { return nil }
        return try? JSONDecoder().decode(Readiness.self, from: body)
    }

    /// Waits until the slot answers ready as `version` (the process's log tail if it exits first).
    package func waitReady(_ slot: Slot, version: String, pid: Int32?, client: HTTPClient, seconds: Double = 90)
        async throws -> String
    {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let r = await readiness(base(slot), client: client), r.version.version == version,
                r.slot == slot.rawValue
            {
                return "\(slot.rawValue) answers ready on port \(config.port(slot)) as \(version)"
            }
            if config.supervisor == .process, let pid, !isAlive(pid) || waitpid(pid, nil, WNOHANG) == pid {
                throw Failed("The \(slot.rawValue) slot exited while starting: \(logTail(slot))")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw Failed("The \(slot.rawValue) slot was not ready as \(version) within \(Int(seconds)) s: \(logTail(slot))")
    }

    package func logTail(_ slot: Slot) -> String {
        let text = (try? String(contentsOfFile: path("\(slot.rawValue).log"), encoding: .utf8)) ?? ""
        return String(text.suffix(800))
    }

    /// Tells a slot to drain (or resume) through its control route.
    package func control(_ slot: Slot, _ route: String, stopAfter: Double? = nil, client: HTTPClient) async throws {
        let (status, _) = try await Self.http(
            client, .POST, base(slot) + route, headers: [("X-CareSync-Control", try controlToken())],
            body: #"{"stopAfterSeconds":\#(stopAfter ?? 0)}"#)
        guard status == 200 else { throw Failed("\(route) on \(slot.rawValue) answered \(status)") }
    }

    // MARK: the proxy

    /// Points nginx at `slot`: the upstream file replaced atomically, a graceful reload, then (with `proxyURL`) the
    /// proxy asked until it answers from the new slot three times running. Returns the milliseconds it took.
    package func switchProxy(to slot: Slot, version: String, client: HTTPClient) async throws -> Int {
        let start = ContinuousClock.now
        let text = UpstreamFile.render(slot: slot, port: config.port(slot), version: version)
        try Self.writeAtomically(Data(text.utf8), to: config.upstreamFile)
        let out = try await ExternalProgram.run(config.proxyReload)
        guard out.status == 0 else {
            throw Failed("\(config.proxyReload.joined(separator: " ")) exited \(out.status): \(out.errorText)")
        }
        if let proxy = config.proxyURL {
            var streak = 0
            let deadline = ContinuousClock.now + .seconds(10)
            while streak < 3 {
                guard ContinuousClock.now < deadline else {
                    throw Failed("The proxy at \(proxy) did not answer from \(slot.rawValue) within 10 s.")
                }
                let r = await readiness(proxy, client: client)
                streak = r?.slot == slot.rawValue && r?.version.version == version ? streak + 1 : 0
                if streak < 3 { try await Task.sleep(for: .milliseconds(streak == 0 ? 50 : 10)) }
            }
        }
        return Int((ContinuousClock.now - start).milliseconds)
    }

    // MARK: smoke checks

    /// Sign-in of the synthetic account, its synthetic patient's chart, a slot search, the portal page and the
    /// signaling socket — against the slot directly, before (and, under --watch, after) it takes traffic.
    package func smoke(_ slot: Slot, _ credentials: SmokeAccounts.Credentials, client: HTTPClient) async
        -> [Drill.Check]
    {
        let steps = Drill.Steps(progress: { self.progress("smoke: \($0)") })
        let base = base(slot)
        var token = ""
        func call(_ method: HTTPMethod, _ path: String, json: String? = nil) async throws -> (UInt, ByteBuffer) {
            try await Self.http(
                client, method, base + path, headers: token.isEmpty ? [] : [("Authorization", "Bearer \(token)")],
                body: json)
        }
        func object(_ b: ByteBuffer) -> Any? { try? JSONSerialization.jsonObject(with: Data(buffer: b)) }
        await steps.step("sign-in") {
            let body = try JSONEncoder().encode(["username": credentials.username, "password": credentials.password])
            let (status, b) = try await call(
                .POST, Site.apiAuthToken.path(), json: String(decoding: body, as: UTF8.self))
            guard status == 200, let t = (object(b) as? [String: Any])?["access_token"] as? String else {
                throw Failed("POST /api/v1/auth/token answered \(status)")
            }
            token = t
            return "\(credentials.username) signed in"
        }
        await steps.step("chart read") {
            let (status, b) = try await call(.GET, Site.apiPatient.path(credentials.patientId))
            guard status == 200, (object(b) as? [String: Any])?["id"] as? String == credentials.patientId.uuidString
            else { throw Failed("GET /api/v1/patients/{synthetic} answered \(status)") }
            return "the synthetic patient's record was read"
        }
        await steps.step("slot search") {
            let (status, b) = try await call(.GET, Site.apiAppointmentTypes.path())
            guard status == 200, let types = object(b) as? [[String: Any]] else {
                throw Failed("GET /api/v1/appointment-types answered \(status)")
            }
            guard let type = types.first?["id"] as? String else { return "no appointment types yet: nothing to search" }
            let day = Format.utc(Date().addingTimeInterval(86400), "yyyy-MM-dd")
            let (s, _) = try await call(.GET, Site.apiSlots.path() + "?type=\(type)&from=\(day)")
            guard s == 200 else { throw Failed("GET /api/v1/slots answered \(s)") }
            return "slots searched for \(day)"
        }
        await steps.step("portal page") {
            let (status, b) = try await call(.GET, Site.portalLogin.path())
            guard status == 200, String(buffer: b).contains("<form") else {
                throw Failed("GET /portal/login answered \(status)")
            }
            return "the portal's sign-in page renders"
        }
        await steps.step("signaling socket") { try await signalCheck(slot, client: client) }
        if !token.isEmpty { _ = try? await call(.POST, Site.apiAuthRevoke.path()) }
        return steps.checks
    }

    /// The WebSocket upgrade and one message through the signaling hub and back.
    private func signalCheck(_ slot: Slot, client: HTTPClient) async throws -> String {
        let got = NIOLockedValueBox<String?>(nil)
        var headers = HTTPHeaders()
        headers.add(name: "X-CareSync-Control", value: try controlToken())
        let url = "ws://127.0.0.1:\(config.port(slot))" + Site.slotSignalCheck.path()
        try await WebSocket.connect(to: url, headers: headers, on: client.eventLoopGroup) { ws in
            ws.onText { ws, text in
                got.withLockedValue { $0 = text }
                _ = ws.close()
            }
        }
        for _ in 0..<50 where got.withLockedValue({ $0 }) == nil { try await Task.sleep(for: .milliseconds(100)) }
        guard let text = got.withLockedValue({ $0 }), text.contains("signal-check") else {
            throw Failed("the socket upgraded but no message came back through the hub within 5 s")
        }
        return "upgraded; a message went through the hub and back"
    }

    // MARK: traffic

    package func sample(_ slot: Slot, client: HTTPClient) async throws -> TrafficSample {
        let (status, body) = try await Self.http(
            client, .GET, base(slot) + Site.metrics.path(), headers: [("Connection", "close")], seconds: 5)
        guard status == 200 else { throw Failed("/metrics on \(slot.rawValue) answered \(status)") }
        return TrafficSample.parse(String(buffer: body))
    }
}
