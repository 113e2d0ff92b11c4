import XCTest
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import Accounts
import AppCore
import Audit
import CarePathways
import Jobs
import Notifications

final class JobQueueTests: XCTestCase {
    /// A handler whose effect is a marker job row ("effect:<job id>:<n>"): counting markers counts executions.
    static func registerMarker(_ app: Application) {
        app.jobHandlers.register("test.marker") { ctx in
            let id = ctx.id, now = ctx.now
            try await ctx.commit { tx in
                let of = "{\"of\":\"\(id.uuidString)\"}"
                let n = try await JobRecord.query(on: tx).filter(\.$kind == "test.none").filter(\.$payload == of)
                    .count()
                try await JobQueue.enqueue(
                    JobSpec(
                        kind: "test.none", payload: ["of": id.uuidString], runAt: .distantFuture,
                        dedupeKey: "effect:\(id.uuidString):\(n)"), now: now, on: tx)
                return []
            }
        }
    }

    static func enqueue(_ app: Application, kind: String, count: Int, at: Date, maxAttempts: Int = 6) async throws {
        try await app.serializer.write(app.db) { tx in
            for i in 0..<count {
                try await JobQueue.enqueue(
                    JobSpec(
                        kind: kind, payload: ["n": String(i)], runAt: at, dedupeKey: "\(kind):\(i)",
                        maxAttempts: maxAttempts), now: at, on: tx)
            }
        }
    }

    func test_retries_backOff_thenFail_andCanBeRetried() async throws {
        try await withTestApp { app, clock in
            let start = clock.now()
            app.jobHandlers.register("test.flaky") { ctx in
                if ctx.attempt < 3 {
                    throw AppError.malformed(field: nil, detail: "remote not ready (attempt \(ctx.attempt))")
                }
            }
            app.jobHandlers.register("test.broken") { _ in throw AppError.malformed(field: nil, detail: "always broken")
            }
            try await Self.enqueue(app, kind: "test.flaky", count: 1, at: start)
            try await Self.enqueue(app, kind: "test.broken", count: 1, at: start, maxAttempts: 2)
            // Same purpose twice: one job.
            let again = try await app.serializer.write(app.db) { tx in
                try await JobQueue.enqueue(
                    JobSpec(kind: "test.flaky", payload: [:], runAt: start, dedupeKey: "test.flaky:0"), now: start,
                    on: tx)
            }
            XCTAssertFalse(again)

            var pass = try await JobWorker.runOnce(app, node: "n")
            XCTAssertEqual(pass, JobWorker.Pass(claimed: 2, retried: 2))
            let flaky = try await JobRecord.query(on: app.db).filter(\.$kind == "test.flaky").first()!
            XCTAssertEqual(flaky.status, .pending)
            XCTAssertEqual(flaky.runAt, start.addingTimeInterval(60), "first backoff: one minute")
            XCTAssertTrue(flaky.lastError?.contains("remote not ready (attempt 1)") == true, flaky.lastError ?? "")

            clock.advance(by: 59)
            pass = try await JobWorker.runOnce(app, node: "n")
            XCTAssertEqual(pass.claimed, 0, "not before its time")
            clock.advance(by: 1)
            pass = try await JobWorker.runOnce(app, node: "n")
            XCTAssertEqual(pass, JobWorker.Pass(claimed: 2, retried: 1, failed: 1))
            let flaky2 = try await JobRecord.find(flaky.id, on: app.db)!
            XCTAssertEqual(flaky2.runAt, start.addingTimeInterval(60 + 300), "second backoff: five minutes")
            let broken = try await JobRecord.query(on: app.db).filter(\.$kind == "test.broken").first()!
            XCTAssertEqual(broken.status, .failed)
            XCTAssertEqual(broken.attempts, 2)

            clock.advance(by: 300)
            pass = try await JobWorker.runOnce(app, node: "n")
            XCTAssertEqual(pass, JobWorker.Pass(claimed: 1, done: 1))
            let flaky3 = try await JobRecord.find(flaky.id, on: app.db)!
            XCTAssertEqual(flaky3.status, .done)
            XCTAssertEqual(flaky3.attempts, 3)
            XCTAssertNil(flaky3.lastError)

            // The operator sees the failure and queues it again.
            let operatorUser = try await Fixtures.user(app, .operator)
            let ops = try await Fixtures.bearer(app, operatorUser, clock: clock)
            let listed = try await HTTP.send(app, .GET, Site.apiJobs.path() + "?status=failed", headers: ops)
            XCTAssertEqual(listed.status, .ok)
            XCTAssertEqual(try listed.content.get(Int.self, at: "counts", "failed"), 1)
            XCTAssertEqual(
                try listed.content.get(String.self, at: "jobs", "0", "lastError").contains("always broken"), true)
            let page = PageClient(app)
            try await page.signIn(operatorUser, clock: clock)
            let html = try await page.get(Site.jobs.path())
            XCTAssertEqual(html.status, .ok)
            XCTAssertTrue(html.body.string.contains("failed: 1"))
            XCTAssertTrue(html.body.string.contains("always broken"))
            let retried = try await page.post(Site.jobsRetry.path(), [:])
            XCTAssertEqual(retried.headers.first(name: .location), Site.jobs.path() + "?retried=1")
            let requeued = try await JobRecord.find(broken.id, on: app.db)!
            XCTAssertEqual(requeued.status, .pending)
            XCTAssertEqual(requeued.attempts, 0)

            // Who may not: a provider, on the page and the API.
            let provider = try await Fixtures.user(app, .provider)
            let ph = try await Fixtures.bearer(app, provider, clock: clock)
            let denied = try await HTTP.send(app, .GET, Site.apiJobs.path(), headers: ph)
            XCTAssertEqual(denied.status, .forbidden)
            let pp = PageClient(app)
            try await pp.signIn(provider, clock: clock)
            let deniedPage = try await pp.get(Site.jobs.path())
            XCTAssertEqual(deniedPage.status, .forbidden)
        }
    }

    func test_unknownKind_isRetriedWithAClearError() async throws {
        try await withTestApp { app, clock in
            try await Self.enqueue(app, kind: "test.nobody", count: 1, at: clock.now())
            let pass = try await JobWorker.runOnce(app, node: "n")
            XCTAssertEqual(pass.retried, 1)
            let j = try await JobRecord.query(on: app.db).first()!
            XCTAssertEqual(j.lastError, "no handler for job kind test.nobody")
        }
    }

    func test_lostLease_commitsNothing_theNewOwnerRunsItOnce() async throws {
        try await withTestApp { app, clock in
            Self.registerMarker(app)
            try await Self.enqueue(app, kind: "test.marker", count: 1, at: clock.now())
            let a = try await JobQueue.claim(app, node: "a", limit: 5)
            XCTAssertEqual(a.count, 1)
            clock.advance(by: JobQueue.lease + 1)
            let b = try await JobQueue.claim(app, node: "b", limit: 5)
            XCTAssertEqual(b.map(\.id), a.map(\.id), "an expired lease is claimed again")
            var passA = JobWorker.Pass(), passB = JobWorker.Pass()
            await JobWorker.run(app, a[0], into: &passA)
            await JobWorker.run(app, b[0], into: &passB)
            XCTAssertEqual(passA.lost, 1)
            XCTAssertEqual(passB.done, 1)
            let markers = try await JobRecord.query(on: app.db).filter(\.$kind == "test.none").count()
            XCTAssertEqual(markers, 1, "executed once")
        }
    }

    /// Two application nodes on one PostgreSQL database poll at the same time: claims never overlap (row locks,
    /// SKIP LOCKED), every job runs exactly once, and both nodes do work.
    func test_twoNodes_onPostgres_claimDisjointly_andRunEachJobOnce() async throws {
        try XCTSkipUnless(TestDatabase.isPostgres, "several nodes need PostgreSQL")
        try await withTestApp { app, clock in
            Self.registerMarker(app)
            let node2 = try await anotherNode(of: app, clock: clock)
            Self.registerMarker(node2)
            do {
                // Claims alone: 2 nodes × 10 rounds × 5 jobs from 100 due, at the same time.
                try await Self.enqueue(app, kind: "test.claimonly", count: 100, at: clock.now())
                let sets = try await withThrowingTaskGroup(of: [UUID].self) { group in
                    for (i, node) in [app, node2].enumerated() {
                        group.addTask {
                            var got: [UUID] = []
                            for _ in 0..<10 {
                                got += try await JobQueue.claim(node, node: "n\(i)", limit: 5).compactMap(\.id)
                            }
                            return got
                        }
                    }
                    var out: [[UUID]] = []
                    for try await s in group { out.append(s) }
                    return out
                }
                XCTAssertEqual(sets[0].count + sets[1].count, 100)
                XCTAssertTrue(Set(sets[0]).isDisjoint(with: Set(sets[1])), "no job claimed by both nodes")

                // Whole runs: 150 marker jobs, both workers passing concurrently until the queue is empty.
                try await Self.enqueue(app, kind: "test.marker", count: 150, at: clock.now())
                let passes = try await withThrowingTaskGroup(of: JobWorker.Pass.self) { group in
                    for (i, node) in [app, node2].enumerated() {
                        group.addTask {
                            var total = JobWorker.Pass()
                            for _ in 0..<5 {
                                let p = try await JobWorker.runOnce(node, node: "worker-\(i)", maxBatches: 3)
                                total.claimed += p.claimed; total.done += p.done; total.failed += p.failed;
                                total.retried += p.retried; total.lost += p.lost
                            }
                            return total
                        }
                    }
                    var out: [JobWorker.Pass] = []
                    for try await p in group { out.append(p) }
                    return out
                }
                XCTAssertEqual(passes.map(\.done).reduce(0, +), 150)
                let trouble: Int = passes.reduce(0) { $0 + $1.failed + $1.retried + $1.lost }
                XCTAssertEqual(trouble, 0)
                XCTAssertTrue(passes.allSatisfy { $0.done > 0 }, "both nodes did work: \(passes)")
                let jobs = try await JobRecord.query(on: app.db).filter(\.$kind == "test.marker").all()
                XCTAssertTrue(jobs.allSatisfy { $0.status == .done && $0.attempts == 1 })
                let markers = try await JobRecord.query(on: app.db).filter(\.$kind == "test.none").all()
                XCTAssertEqual(markers.count, 150)
                XCTAssertTrue(markers.allSatisfy { $0.dedupeKey.hasSuffix(":0") }, "no job's effect happened twice")
                XCTAssertEqual(Set(jobs.compactMap(\.claimedBy)), ["worker-0", "worker-1"])
            } catch {
                try? await node2.asyncShutdown()
                throw error
            }
            try await node2.asyncShutdown()
        }
    }

    /// The pathway itself across two nodes: 12 patients enrolled, both nodes running every step and escalation.
    func test_pathwaySteps_acrossTwoNodes_onPostgres_happenOnce() async throws {
        try XCTSkipUnless(TestDatabase.isPostgres, "several nodes need PostgreSQL")
        try await withTestApp { app, clock in
            clock.set(ISO8601DateFormatter().date(from: "2027-06-01T12:00:00Z")!)
            let w = try await Fixtures.schedulingWorld(app)
            _ = try await PathwayTests.approveStandard(app, clock)
            let store = PathwayStore(scope: app.systemScope("test"))
            for i in 0..<12 {
                let pid = try await Fixtures.patient(app, family: "Multi\(i)", email: "multi\(i)@example.org")
                _ = try await store.enrol(
                    patientID: pid,
                    .init(
                        templateCode: "bunionectomy-post-op", startDay: "2027-06-01",
                        locationId: i % 2 == 0 ? w.main : w.lake,
                        providerId: w.provider.id))
            }
            let node2 = try await anotherNode(of: app, clock: clock)
            do {
                func both() async throws -> [JobWorker.Pass] {
                    try await withThrowingTaskGroup(of: JobWorker.Pass.self) { group in
                        for (i, node) in [app, node2].enumerated() {
                            group.addTask { try await JobWorker.runOnce(node, node: "node-\(i)") }
                        }
                        var out: [JobWorker.Pass] = []
                        for try await p in group { out.append(p) }
                        return out
                    }
                }
                clock.set(ISO8601DateFormatter().date(from: "2027-06-20T12:00:00Z")!)
                let first = try await both()  // every step (60)
                clock.advance(by: 25 * 3600)
                let second = try await both()  // every escalation (48)
                let all = first + second
                XCTAssertEqual(all.map(\.done).reduce(0, +), 12 * 5 + 12 * 4)
                let trouble: Int = all.reduce(0) { $0 + $1.failed + $1.retried }
                XCTAssertEqual(trouble, 0)
                let tasks = try await PathwayTaskRecord.query(on: app.db).count()
                XCTAssertEqual(tasks, 60)
                let notices = try await OutboxMessageRecord.query(on: app.db).filter(
                    \.$kind ~~ ["pathway-check-in", "pathway-photo-prompt", "pathway-follow-up"]
                ).count()
                XCTAssertEqual(notices, 60 * 2, "portal + email per step, once")
                let missed = try await CareTaskRecord.query(on: app.db).filter(
                    \.$kind ~~ [CareTaskKind.missedPhoto, .missedCheckIn]
                ).count()
                XCTAssertEqual(missed, 48, "each unanswered check-in and prompt escalated once")
                let jobs = try await JobRecord.query(on: app.db).all()
                XCTAssertTrue(jobs.allSatisfy { $0.status == .done && $0.attempts == 1 })
                let report = try await AuditVerification.run(app: app, writeCheckpoint: false)
                XCTAssertTrue(report.ok, report.problem ?? "")
            } catch {
                try? await node2.asyncShutdown()
                throw error
            }
            try await node2.asyncShutdown()
        }
    }
}
