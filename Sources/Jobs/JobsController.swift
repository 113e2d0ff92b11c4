import Vapor
import Fluent
import Plot
import Domain
import AppCore

/// The job queue for operators: counts by state, what is due or failing, and retry. Ids and kinds only (no PHI).
package enum JobsController {
    package struct JobDTO: Content, Sendable {
        package let id: UUID
        package let kind: String
        package let status: JobStatus
        package let runAt: Date
        package let attempts: Int
        package let maxAttempts: Int
        package let claimedBy: String?
        package let finishedAt: Date?
        package let lastError: String?
        package let payload: [String: String]
    }

    package struct Overview: Content, Sendable {
        package let counts: [String: Int]
        package let jobs: [JobDTO]
    }

    package static func overview(_ db: any Database, status: String?, limit: Int = 200) async throws -> Overview {
        var counts: [String: Int] = [:]
        for s in JobStatus.allCases {
            counts[s.rawValue] = try await JobRecord.query(on: db).filter(\.$status == s).count()
        }
        let q = JobRecord.query(on: db)
        if let status {
            guard let s = JobStatus(rawValue: status) else {
                let known = JobStatus.allCases.map(\.rawValue).joined(separator: ", ")
                throw AppError.malformed(field: "status", detail: "Status must be one of: \(known).")
            }
            q.filter(\.$status == s)
        }
        let rows = try await q.sort(\.$runAt, .descending).limit(limit).all()
        return Overview(
            counts: counts,
            jobs: try rows.map {
                JobDTO(
                    id: try $0.requireID(), kind: $0.kind, status: $0.status, runAt: $0.runAt, attempts: $0.attempts,
                    maxAttempts: $0.maxAttempts,
                    claimedBy: $0.claimedBy, finishedAt: $0.finishedAt, lastError: $0.lastError, payload: $0.payloadMap)
            })
    }

    package static func authorize(_ req: Request) async throws {
        try await req.scope().authorize(.readJobs)
    }

    @Sendable package static func listAPI(req: Request) async throws -> Overview {
        try await authorize(req)
        return try await overview(req.db, status: req.query[String.self, at: "status"])
    }

    @Sendable package static func retryAPI(req: Request) async throws -> [String: Int] {
        try await authorize(req)
        return ["queued": try await JobQueue.retry(req.application, id: try req.idParameter("id"))]
    }

    @Sendable package static func page(req: Request) async throws -> Response {
        try await authorize(req)
        let status = req.query[String.self, at: "status"].flatMap { $0.isEmpty ? nil : $0 }
        return Layout.render(
            JobsPage(
                o: try await overview(req.db, status: status), status: status,
                retried: req.query[Int.self, at: "retried"]
            ).render(for: req))
    }

    @Sendable package static func retryFromPage(req: Request) async throws -> Response {
        try await authorize(req)
        let n = try await JobQueue.retry(
            req.application, id: (try? req.content.get(String.self, at: "id")).flatMap { UUID(uuidString: $0) })
        return req.redirect(to: Site.jobs.path() + "?retried=\(n)")
    }
}

package struct JobsPage {
    package let o: JobsController.Overview
    package let status: String?
    package let retried: Int?

    package func render(for req: Request) -> String {
        Layout.page(
            "Jobs", req: req,
            .div(
                .unwrap(retried) { .p(.class("notice"), .text("\($0) job(s) queued again.")) },
                .h1(.text("Background jobs")),
                .p(
                    .id("job-counts"),
                    .forEach(JobStatus.allCases.map(\.rawValue)) { s in
                        .group(
                            .a(.href(Site.jobs.path() + "?status=\(s)"), .text("\(s): \(o.counts[s] ?? 0)")),
                            .text(" · "))
                    }, .a(.href(Site.jobs.path()), .text("all"))),
                .if(
                    (o.counts["failed"] ?? 0) > 0,
                    .form(
                        .action(Site.jobsRetry.path()), .method(.post),
                        .div(
                            FormKit.csrf(req),
                            .button(.type(.submit), .id("retry-failed"), .text("Retry all failed jobs"))))),
                .div(
                    .class("scroll"), Scrollable.focusable(),
                    .table(
                        .tr(
                            .th(.text("Due")), .th(.text("Kind")), .th(.text("Status")), .th(.text("Attempts")),
                            .th(.text("Node")), .th(.text("Last error"))),
                        .forEach(o.jobs) { j in
                            .tr(
                                .class("job-row"), .attribute(named: "data-status", value: j.status.rawValue),
                                .td(.text(Format.utc(j.runAt, "yyyy-MM-dd HH:mm") + " UTC")), .td(.text(j.kind)),
                                .td(.text(j.status.rawValue)),
                                .td(.text("\(j.attempts)/\(j.maxAttempts)")), .td(.text(j.claimedBy ?? "—")),
                                .td(.text(j.lastError ?? "")))
                        }))
            ))
    }
}
