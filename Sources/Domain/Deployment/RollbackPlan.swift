import Foundation

/// The rollback decision tree the Medical Director signs off: who may trigger a rollback, when, and the exact
/// commands. `caresync rollback --plan` prints it; `/ops/rollback-plan` is the same on a printable page.
public struct RollbackPlan: Codable, Equatable, Sendable {
    public struct Step: Codable, Equatable, Sendable {
        public let question: String
        public let yes: String
        public let no: String
    }

    public let criteria: [String]
    public let whoMayTrigger: [String]
    public let steps: [Step]
    public let commands: [String]
    public let keepWarmMinutes: Double

    public init(config: DeployConfig) {
        let r = config.rollback
        let window = Int(r.windowSeconds)
        criteria = [
            "5xx answers reach \(String(format: "%.0f", r.max5xxRatio * 100)) % of all answers (and at least "
                + "\(r.min5xx)) "
                + "within \(window) s",
            "p95 latency above \(String(format: "%.1f", r.maxP95Seconds)) s (once \(r.minRequestsForLatency) requests "
                + "were seen within \(window) s)",
            "\(r.maxFailedSignIns) or more failed sign-ins within \(window) s",
            "a smoke check fails (sign-in, a synthetic chart read, slot search, the portal page, the signaling "
                + "socket; repeated every \(Int(r.smokeEverySeconds)) s)",
            "a clinician reports that a clinical flow is wrong or unsafe after the switch (the Medical Director "
                + "decides; no figure is needed)",
        ]
        whoMayTrigger = [
            "The watch itself (`caresync deploy --watch N`), when a criterion above is crossed: no one needs to "
                + "decide.",
            "The operator on duty, at once, when a criterion is crossed and the watch has ended.",
            "The Medical Director, for a clinical-safety reason, at any time: the operator runs the command on their "
                + "word and notes it.",
        ]
        steps = [
            Step(
                question: "Is a patient at risk, or is a core flow (sign-in, scheduling, video visits, prescribing) "
                    + "down since the switch?",
                yes: "Roll back now: `caresync rollback`. Then open a P0/P1 incident.",
                no: "Go to the next question."),
            Step(
                question: "Is a trigger criterion crossed (see above)?",
                yes: "Roll back now: `caresync rollback`.",
                no: "Go to the next question."),
            Step(
                question: "Is something degraded but safe (slow page, cosmetic fault)?",
                yes: "Keep the release; open a P2/P3 incident and fix forward in the next release.",
                no: "Keep the release."),
        ]
        commands = [
            "caresync rollback                # back to the warm previous slot (seconds), or started again",
            "caresync rollback --json         # the same, with the measured timings for scripts",
            "caresync releases list           # what is installed and which release is live",
            "caresync deploy --release DIR    # put a fixed release live later (smoke checks, then the switch)",
        ]
        keepWarmMinutes = config.keepWarmMinutes
    }

    public var text: String {
        var out = ["Rollback plan", "", "Roll back when any of these is crossed after a switch:"]
        out += criteria.map { "  - \($0)" }
        out += ["", "Who may trigger it:"] + whoMayTrigger.map { "  - \($0)" }
        out += ["", "Decision tree:"]
        for (i, s) in steps.enumerated() {
            out += ["  \(i + 1). \(s.question)", "     yes: \(s.yes)", "     no:  \(s.no)"]
        }
        out += ["", "Commands (on the proxy host, as the deploy user):"] + commands.map { "  \($0)" }
        out += [
            "",
            "The previous release stays warm for \(Int(keepWarmMinutes)) min after a switch (a rollback takes "
                + "seconds); after that a rollback starts it again (migrations are additive, so it runs on the "
                + "current schema).",
        ]
        return out.joined(separator: "\n")
    }
}
