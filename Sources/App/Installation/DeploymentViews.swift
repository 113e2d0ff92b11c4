import Vapor
import Plot
import Domain
import AppCore
import Alerts

/// The deploy history on /ops: what is live, the latest rehearsal's measured times, and every deploy, rollback and
/// rehearsal with who ran it and what fired.
package struct DeploymentsSection {
    package let deployments: [BlueGreen.Outcome]

    static func ms(_ v: Int?) -> String {
        guard let v else { return "–" }
        return v < 1000 ? "\(v) ms" : String(format: "%.1f s", Double(v) / 1000)
    }

    static func outcome(_ o: BlueGreen.Outcome) -> String {
        switch o.outcome {
        case "live": return o.kind == "rollback" ? "rolled back" : o.kind == "rehearsal" ? "rehearsed" : "live"
        case "refused": return "refused (nothing switched)"
        case "rolled-back": return "rolled back by itself"
        default: return "FAILED"
        }
    }

    var summary: Node<HTML.BodyContext> {
        let live = deployments.first { $0.outcome == "live" || $0.outcome == "rolled-back" }
        let liveText: String =
            live.map { o in
                let version =
                    o.outcome == "rolled-back" || o.kind == "rehearsal" ? o.fromRelease ?? o.toRelease : o.toRelease
                let slot = o.outcome == "rolled-back" || o.kind == "rehearsal" ? o.fromSlot ?? o.toSlot : o.toSlot
                return "Live: \(version) (\(slot) slot) since \(OperationsPage.utc(o.finishedAt))"
            } ?? "No deploy has been recorded. Put a release live with: caresync deploy --release DIR"
        let rehearsal = deployments.first { $0.kind == "rehearsal" && $0.ok }
        return .div(
            .class("card"), .id("live-release"),
            .h2(.text(liveText)),
            .p(
                .text(
                    rehearsal.map {
                        "Latest rehearsal \(OperationsPage.utc($0.startedAt)): switch \(Self.ms($0.switchMs)), "
                            + "rollback \(Self.ms($0.rollbackMs))."
                    } ?? "No rehearsal yet: run caresync deploy --rehearse --release DIR on staging.")),
            .p(.a(.href(Site.opsRollbackPlan.path()), .text("Rollback plan (trigger criteria, who decides, commands)")))
        )
    }

    package var node: Node<HTML.BodyContext> {
        .group(
            summary,
            .h2(.text("Deploys and rollbacks")),
            .ul(
                .class("plain"), .id("deployments"),
                .forEach(deployments) { o in
                    .li(
                        .class("card" + (o.ok ? "" : o.outcome == "refused" ? " warn" : " bad")),
                        .strong(
                            .text(
                                "\(o.kind.capitalized) \(o.fromRelease ?? "–") → \(o.toRelease) (\(o.toSlot)): "
                                    + Self.outcome(o))),
                        .div(
                            .class("muted"),
                            .text(
                                "\(OperationsPage.utc(o.startedAt)) · by \(o.actor) · "
                                    + "switch \(Self.ms(o.switchMs)) · rollback \(Self.ms(o.rollbackMs)) · "
                                    + "smoke checks "
                                    + (o.smoke.isEmpty
                                        ? "not run" : "\(o.smoke.filter(\.ok).count)/\(o.smoke.count) passed"))),
                        .if(o.trigger != "manual", .div(.text("Trigger: \(o.trigger)"))),
                        .unwrap(o.ok ? nil : o.detail) { .div(.text("Why: \($0)")) })
                }),
            .p(.text(deployments.isEmpty ? "Nothing deployed yet." : "The newest \(deployments.count)."))
        )
    }
}

/// `/ops/rollback-plan`: what the Medical Director reads, signs and keeps by the phone on go-live day.
package struct RollbackPlanPage {
    package let plan: RollbackPlan
    package let fromFile: Bool

    /// The plan's text is written for a terminal too: its `command` quoting is left out on the page.
    static func plain(_ s: String) -> String { s.replacingOccurrences(of: "`", with: "") }

    package func render(for req: Request) -> String {
        Layout.page(
            "Rollback plan", req: req,
            .div(
                .id("rollback-plan"),
                .h1(.text("Rollback plan")),
                .p(
                    .class("muted"),
                    .text(
                        fromFile
                            ? "Trigger criteria from this installation's deploy configuration."
                            : "Default trigger criteria (the server cannot read deploy.json; set CARESYNC_DEPLOY_DIR).")
                ),
                .h2(.text("Roll back when any of these happens after a switch")),
                .ul(.id("criteria"), .forEach(plan.criteria) { .li(.text(Self.plain($0))) }),
                .h2(.text("Who may trigger it")),
                .ul(.forEach(plan.whoMayTrigger) { .li(.text(Self.plain($0))) }),
                .h2(.text("Decision tree")),
                .ol(
                    .id("decision-tree"),
                    .forEach(plan.steps) { s in
                        .li(
                            .strong(.text(s.question)),
                            .div(.text("Yes: \(Self.plain(s.yes))")),
                            .div(.text("No: \(Self.plain(s.no))")))
                    }),
                .h2(.text("Commands")),
                .ul(
                    .id("commands"),
                    .forEach(plan.commands) { line in
                        let parts = line.split(separator: "#", maxSplits: 1)
                        return .li(
                            .code(.text(parts[0].trimmingCharacters(in: .whitespaces))),
                            .unwrap(parts.count > 1 ? parts[1] : nil) {
                                .text(" — " + $0.trimmingCharacters(in: .whitespaces))
                            })
                    }),
                .p(
                    .text(
                        "The previous release stays warm for \(Int(plan.keepWarmMinutes)) minutes after a switch, so "
                            + "a rollback takes seconds; after that it is started again (about a minute).")),
                .div(
                    .class("card"), .id("sign-off"),
                    .p(.text("Reviewed by the Medical Director")),
                    .p(.text("Name: ______________________   Date: ____________   Signature: ______________________"))
                ),
                .p(.class("noprint"), .text("Print this page from the browser (Ctrl+P or ⌘P)."))
            ))
    }
}

/// What is firing now on /ops, each with its runbook, and when the alerting path was last heard from.
package struct AlertsSection {
    package let alerts: [AlertRecord]
    package let routing: AlertRoutingEvidence

    package var node: Node<HTML.BodyContext> {
        let firing = alerts.filter { $0.status == "firing" && $0.alertname != AlertStore.watchdog }
        let dog = alerts.first { $0.alertname == AlertStore.watchdog }
        let heard =
            dog.map { "Alertmanager last heard from \(OperationsPage.utc($0.lastReceivedAt))." }
            ?? "No alert has arrived yet: check that Prometheus and Alertmanager run (deploy/prometheus)."
        return .div(
            .class(firing.isEmpty ? "card" : "card bad"), .id("alerts-firing"),
            .h2(.text(firing.isEmpty ? "No alert is firing" : "Alerts firing now: \(firing.count)")),
            .ul(
                .class("plain"),
                .forEach(firing) { a in
                    .li(
                        .strong(.text("\(a.severity) \(a.alertname): \(a.summary)")),
                        .div(.class("muted"), .text("Since \(OperationsPage.utc(a.startsAt))")),
                        .div(.text("What to do: \(a.runbook)")))
                }),
            .p(.class("muted"), .text(heard)),
            .p(.id("alert-routing"), .text(routing.sentence { Format.utc($0, "yyyy-MM-dd") })))
    }
}
