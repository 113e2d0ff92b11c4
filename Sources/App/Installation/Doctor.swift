import Vapor
import Fluent
import Logging
import NIOConcurrencyHelpers
import Domain
import Accounts
import AppCore
import Audit
import Demo

/// `caresync doctor [--url URL]`: a running deployment against the security baseline, from outside (what a browser
/// meets at the URL: TLS, certificate, HSTS, CSP, cookies) and from inside (accounts, keys, the audit guard and
/// checkpoints, backups, logs, listening ports). One line per check; the rules are `SecurityBaseline`'s. TLS details
/// come from the `openssl` command, the listening sockets from `ss`.
public enum Doctor {
    public struct Report: Codable, Sendable {
        public let ok: Bool
        public let environment: String
        public let url: String
        public let checks: [BaselineCheck]
    }

    public static func run(
        _ config: AppConfig, url: String?, env: [String: String] = ProcessInfo.processInfo.environment
    )
        async throws -> Report
    {
        let base = (url ?? config.publicURL).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let checks = try await CareSyncCLI.withApp(config, migrate: false) { app in
            let outside = await Self.outside(app, base: base)
            let inside = try await Self.inside(app, env: env)
            return outside + inside
        }
        return Report(
            ok: !checks.contains { $0.status == .fail }, environment: config.environment.rawValue, url: base,
            checks: checks)
    }

    // MARK: from outside

    static func outside(_ app: Application, base: String) async -> [BaselineCheck] {
        guard let u = URL(string: base), let host = u.host, let scheme = u.scheme?.lowercased() else {
            return [.fail("url", "\(base) is not a URL")]
        }
        let overTLS = scheme == "https"
        var out: [BaselineCheck] = []
        if overTLS {
            let port = u.port ?? 443
            out += await tls(host: host, port: port)
        } else {
            out.append(.fail("tls", "\(base) is plain http: patients' data would cross the network unencrypted"))
        }
        do {
            let live = try await app.client.get(URI(string: base + Site.healthLive.path()))
            out.append(SecurityBaseline.hsts(live.headers.first(name: "Strict-Transport-Security"), overTLS: overTLS))
            out.append(SecurityBaseline.csp(live.headers.first(name: "Content-Security-Policy")))
            let login = try await app.client.get(URI(string: base + Site.login.path()))
            out.append(SecurityBaseline.cookies(login.headers[.setCookie], overTLS: overTLS))
        } catch {
            out.append(.fail("reachable", "\(base) did not answer: \(error)"))
        }
        return out
    }

    /// Versions offered, the chain verified, and the expiry, by `openssl s_client` (the URL's host and port).
    static func tls(host: String, port: Int) async -> [BaselineCheck] {
        guard let openssl = ExternalProgram.locate("openssl") else { return [.skip("tls", "openssl is not installed")] }
        let target = [openssl, "s_client", "-connect", "\(host):\(port)", "-servername", host]
        // Which versions the server takes (SECLEVEL=0 lets this client offer the old ones, so a server that still
        // takes them shows); the chain is judged on its own below.
        var accepted: [String] = []
        for (flag, name) in [
            ("-tls1", "TLSv1"), ("-tls1_1", "TLSv1.1"), ("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3"),
        ] {
            let r = try? await ExternalProgram.run(target + [flag, "-cipher", "DEFAULT@SECLEVEL=0"], input: [])
            if r?.status == 0 { accepted.append(name) }
        }
        // The chain against the system's trust store, and the served certificate's expiry.
        let verified = try? await ExternalProgram.run(target + ["-verify_return_error", "-showcerts"], input: [])
        let chain: BaselineCheck =
            verified?.status == 0
            ? .pass("certificate-chain", "verified for \(host)")
            : .fail("certificate-chain", "the certificate does not verify for \(host)")
        let unverified = try? await ExternalProgram.run(target, input: [])
        var expires: Date?
        if let pem = unverified.flatMap({ pemBlock($0.text) }),
            let x = try? await ExternalProgram.run([openssl, "x509", "-noout", "-enddate"], input: pem)
        {
            expires = SecurityBaseline.notAfter(x.text)
        }
        return [
            SecurityBaseline.tlsVersions(accepted: accepted), chain,
            SecurityBaseline.certificate(expires: expires, now: Date()),
        ]
    }

    static func pemBlock(_ text: String) -> [UInt8]? {
        guard let s = text.range(of: "-----BEGIN CERTIFICATE-----"),
            let e = text.range(of: "-----END CERTIFICATE-----", range: s.upperBound..<text.endIndex)
        else { return nil }
        return Array((String(text[s.lowerBound..<e.upperBound]) + "\n").utf8)
    }

    // MARK: from inside

    static func inside(_ app: Application, env: [String: String]) async throws -> [BaselineCheck] {
        let c = app.config
        var out: [BaselineCheck] = []
        do {
            try await DeploymentGuard.check(app, env: env)
            out.append(
                c.environment == .production
                    ? .pass("environment", "CARESYNC_ENV=production with every production setting")
                    : .fail("environment", "CARESYNC_ENV=\(c.environment.rawValue): not a production installation"))
        } catch let refused as DeploymentGuard.Refused {
            out.append(.fail("environment", refused.problems.joined(separator: " ")))
        }

        let users = try await UserRecord.query(on: app.db).filter(\.$active == true).all()
        let demo = users.map(\.username).filter { u in DemoSeed.accounts.contains { $0.username == u } }.sorted()
        out.append(
            demo.isEmpty
                ? .pass("demo-accounts", "none") : .fail("demo-accounts", "active: \(demo.joined(separator: ", "))"))
        let noMFA = users.filter { $0.role.requiresMFA && !$0.mfaEnrolled }.map(\.username).sorted()
        out.append(
            noMFA.isEmpty
                ? .pass("mfa", "every clinical and admin account has two-step sign-in")
                : .fail("mfa", "without two-step sign-in: \(noMFA.joined(separator: ", "))"))

        out.append(keys(c, env: env))
        let guardProblems = try await AuditCheckpoints.guardProblems(app.db)
        out.append(
            guardProblems.isEmpty
                ? .pass("audit-guard", "append-only triggers in place")
                : .fail("audit-guard", guardProblems.joined(separator: "; ")))
        if let role = try await AuditCheckpoints.roleFacts(app.db) {
            out.append(
                role.problems.isEmpty
                    ? .pass("database-role", "\(role.role) may only read and append to audit_event")
                    : .fail("database-role", role.problems.joined(separator: "; ") + "; " + DatabaseRoleFacts.remedy))
        }
        out.append(try await checkpoint(app))
        out.append(backups(c, now: app.clock.now()))
        out.append(logs(env: env))
        out.append(await listeners())
        return out
    }

    static func keys(_ c: AppConfig, env: [String: String]) -> BaselineCheck {
        var problems: [String] = []
        if !c.auditKeyKeptAway {
            problems.append(
                "the audit key is kept with the data (set CARESYNC_AUDIT_KEY, or CARESYNC_AUDIT_KEY_FILE to a file "
                    + "outside \(c.dataDir))")
        }
        if (env["CARESYNC_BACKUP_KEY"] ?? "").isEmpty {
            problems.append("the backup key is in the data directory (set CARESYNC_BACKUP_KEY)")
        }
        return problems.isEmpty
            ? .pass("keys", "audit and backup keys kept away from the data and the backups")
            : .fail("keys", problems.joined(separator: "; "))
    }

    static func checkpoint(_ app: Application) async throws -> BaselineCheck {
        let key = try AuditCheckpoints.key(app)
        guard case .valid(let last) = try AuditCheckpoints.readLocal(app, key: key) else {
            return .fail("checkpoints", "no valid signed checkpoint of the audit chain")
        }
        let head = try await AuditEventRecord.query(on: app.db).sort(\.$seq, .descending).first()
        let age = Int(app.clock.now().timeIntervalSince(last.recordedAt))
        let limit = max(300, Int(3 * app.config.auditCheckpointInterval))
        if last.seq >= (head?.seq ?? 0) || age <= limit {
            return .pass("checkpoints", "newest at event #\(last.seq), \(age / 60) min old")
        }
        return .fail(
            "checkpoints", "newest at event #\(last.seq) is \(age / 60) min old; the chain is at #\(head?.seq ?? 0)")
    }

    static func backups(_ c: AppConfig, now: Date) -> BaselineCheck {
        let dir = (c.dataDir as NSString).appendingPathComponent("backups")
        guard let newest = (try? Backups.list(dir))?.first else { return .fail("backups", "no backup in \(dir)") }
        let hours = Int(now.timeIntervalSince(newest.createdAt) / 3600)
        return hours <= 26
            ? .pass("backups", "newest \(newest.id), \(hours) h old, encrypted (key id \(newest.keyId))")
            : .fail("backups", "newest \(newest.id) is \(hours) h old: backups must run daily")
    }

    /// The log handler at the configured level, fed what the database libraries log: the values never come out.
    static func logs(env: [String: String]) -> BaselineCheck {
        let level = env["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        let canary = "Doctorcanary-\(UUID().uuidString.prefix(8))"
        let seen = NIOLockedValueBox("")
        let handler = JSONLogHandler(label: "doctor", level: level) { line in seen.withLockedValue { $0 += line } }
        let log = Logger(label: "doctor") { _ in handler }
        for l in [Logger.Level.trace, .debug, .info] {
            log.log(level: l, "query", metadata: ["input": .array([.string(canary)]), "binds": .string(canary)])
        }
        return seen.withLockedValue { $0.contains(canary) }
            ? .fail("logs", "query values reach the log at LOG_LEVEL=\(level.rawValue)")
            : .pass("logs", "LOG_LEVEL=\(level.rawValue); query values are dropped before they are written")
    }

    static func listeners() async -> BaselineCheck {
        guard let ss = ExternalProgram.locate("ss"),
            let r = try? await ExternalProgram.run([ss, "-ltnH"]), r.status == 0
        else { return .skip("ports", "ss (iproute2) is not available") }
        let addresses = r.text.split(separator: "\n").compactMap { line -> String? in
            let cols = line.split(separator: " ", omittingEmptySubsequences: true)
            return cols.count >= 4 ? String(cols[3]) : nil
        }
        return SecurityBaseline.listeners(addresses)
    }
}
