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
import Patients
import Scheduling

/// The bunionectomy pathway run end to end with an injected clock: approval gate, enrolment on a recorded procedure,
/// each step at its local time (across the March DST change), red flags, a missed photo, a restart in the middle, and
/// the follow-up booked from the offered slots.
final class PathwayTests: XCTestCase {
    struct Summary: Decodable { let id: UUID; let code: String; let version: Int; let status: String }
    struct Preview: Decodable { let key: String; let notificationText: String; let text: String }
    struct TemplateDTO: Decodable { let summary: Summary; let preview: [Preview] }
    struct Step: Decodable { let key: String; let fireAt: Date; let status: String }
    struct Enrolment: Decodable { let id: UUID; let templateVersion: Int; let steps: [Step] }
    struct Procedure: Decodable { let id: UUID; let enrolment: Enrolment? }
    struct Slot: Decodable { let start: Date; let providerId: UUID; let locationId: UUID }
    struct Task: Decodable {
        let id: UUID; let stepKey: String; let kind: String; let status: String; let redFlags: [String]?;
        let offers: [Slot]; let photoId: UUID?; let appointmentId: UUID?
    }
    struct Answered: Decodable { let task: Task; let advice: String? }
    struct CareTask: Decodable {
        let id: UUID; let kind: String; let urgent: Bool; let team: String; let summary: String
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }

    func decode<T: Decodable>(_ t: T.Type, _ res: XCTHTTPResponse, file: StaticString = #filePath, line: UInt = #line)
        throws -> T
    {
        do { return try Self.decoder().decode(T.self, from: Data(buffer: res.body)) } catch {
            XCTFail("\(res.status) \(res.body.string)", file: file, line: line); throw error
        }
    }

    static func utc(_ s: String) -> Date { ISO8601DateFormatter().date(from: s)! }

    /// The standard template, approved by a Medical Director through the API. Returns the MD's headers.
    static func approveStandard(_ app: Application, _ clock: TestClock) async throws -> HTTPHeaders {
        let md = try await Fixtures.user(app, .medicalDirector)
        let auth = try await Fixtures.bearer(app, md, clock: clock)
        let id = try await PathwayTemplateRecord.query(on: app.db).filter(\.$code == "bunionectomy-post-op").first()!
            .id!
        let res = try await HTTP.send(
            app, .POST, Site.apiPathwayTemplateApprove.path(id), headers: auth, json: ["note": "reviewed"])
        XCTAssertEqual(res.status, .ok, res.body.string)
        return auth
    }

    func test_approvalGate_onlyTheMedicalDirectorApproves_andOnlyApprovedVersionsEnrol() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let pid = try await Fixtures.patient(app)
            let provider = try await Fixtures.bearer(app, w.provider, clock: clock)
            let template = try await PathwayTemplateRecord.query(on: app.db).filter(\.$code == "bunionectomy-post-op")
                .first()!
            XCTAssertEqual(template.status, .draft, "a new install's standard pathway waits for approval")

            // Setup: a draft cannot enrol anyone, by hand or by procedure.
            let enrol = [
                "templateCode": "bunionectomy-post-op", "startDay": "2026-10-10", "locationId": w.main.uuidString,
                "providerId": w.provider.id.uuidString,
            ]
            let refused = try await HTTP.send(
                app, .POST, Site.apiPatientPathways.path(pid), headers: provider, json: enrol)
            XCTAssertEqual(refused.status, .conflict)
            XCTAssertTrue(try refused.problem().detail.contains("Medical Director must approve"), refused.body.string)
            let proc = try await HTTP.send(
                app, .POST, Site.apiPatientProcedures.path(pid), headers: provider,
                json: [
                    "code": "28296", "name": "Bunionectomy", "performedOn": "2026-09-10",
                    "locationId": w.main.uuidString, "providerId": w.provider.id.uuidString,
                ])
            XCTAssertEqual(proc.status, .created, proc.body.string)
            XCTAssertNil(
                try decode(Procedure.self, proc).enrolment,
                "no approved version: the procedure is recorded, nobody is enrolled")
            let jobsBefore = try await JobRecord.query(on: app.db).count()
            XCTAssertEqual(jobsBefore, 0)

            // Who may not approve: the provider, an admin.
            for role in [Role.provider, .admin] {
                let u = try await Fixtures.user(app, role)
                let h = try await Fixtures.bearer(app, u, clock: clock)
                let r = try await HTTP.send(
                    app, .POST, Site.apiPathwayTemplateApprove.path(template.id!), headers: h,
                    json: ["note": "x"])
                XCTAssertEqual(r.status, .forbidden, "\(role)")
            }

            // The Medical Director reads exactly what patients receive, then approves.
            let md = try await Fixtures.user(app, .medicalDirector)
            let page = PageClient(app)
            try await page.signIn(md, clock: clock)
            let preview = try await page.get(Site.pathway.path(template.id!))
            XCTAssertEqual(preview.status, .ok)
            let notice = PathwayRules.notificationText(
                StandardPathways.bunionectomy.steps[0], practice: app.config.practiceName)
            XCTAssertTrue(preview.body.string.contains(notice), "the exact notice text is on the approval page")
            XCTAssertTrue(
                preview.body.string.contains("Fever: “Your temperature in °C, if you measured it” is 38.0 or more"))
            XCTAssertTrue(
                preview.body.string.contains(
                    StandardPathways.bunionectomy.redFlagAdvice.replacingOccurrences(of: "'", with: "&#39;"))
                    || preview.body.string.contains("call 911"))
            XCTAssertTrue(preview.body.string.contains("id=\"approve\""))
            let approved = try await page.post(
                Site.pathwayApprove.path(template.id!), ["note": "Tone and escalation reviewed"])
            XCTAssertEqual(approved.status, .seeOther)
            let again = try await page.post(Site.pathwayApprove.path(template.id!), ["note": "twice"])
            XCTAssertEqual(again.status, .conflict, "only a draft can be approved")

            let audit = try await Fixtures.auditRows(app, action: .approve)
            XCTAssertEqual(audit.count, 1)
            XCTAssertEqual(audit[0].username, md.username)
            XCTAssertEqual(audit[0].entityID, template.id!.uuidString)
            XCTAssertTrue(audit[0].detail.contains("bunionectomy-post-op v1 approved"))
            let denied = try await Fixtures.auditRows(app, action: .accessDenied).filter {
                $0.entityID == "approvePathwayTemplate"
            }
            XCTAssertEqual(denied.count, 2, "refused approvals are audited too")

            // A changed template is a new draft; the approved v1 keeps enrolling until v2 is approved.
            let admin = try await Fixtures.bearer(app, try await Fixtures.user(app, .admin), clock: clock)
            var changed = StandardPathways.bunionectomy
            changed.steps[0].text = "Changed wording for day 1."
            let draft = try await HTTP.send(app, .POST, Site.apiPathwayTemplates.path(), headers: admin, json: changed)
            XCTAssertEqual(draft.status, .created, draft.body.string)
            XCTAssertEqual(try decode(Summary.self, draft).version, 2)
            XCTAssertEqual(try decode(Summary.self, draft).status, "draft")
            var broken = changed
            broken.steps[0].at = "25:00"
            let bad = try await HTTP.send(app, .POST, Site.apiPathwayTemplates.path(), headers: admin, json: broken)
            XCTAssertEqual(bad.status, .unprocessableEntity)
            XCTAssertTrue(bad.body.string.contains("at must be a local time HH:MM"), bad.body.string)
            let providerDraft = try await HTTP.send(
                app, .POST, Site.apiPathwayTemplates.path(), headers: provider, json: changed)
            XCTAssertEqual(providerDraft.status, .forbidden)

            clock.set(Self.utc("2026-10-10T20:00:00Z"))
            let provider2 = try await Fixtures.bearer(app, w.provider, clock: clock)
            let enrolled = try await HTTP.send(
                app, .POST, Site.apiPatientPathways.path(pid), headers: provider2, json: enrol)
            XCTAssertEqual(enrolled.status, .created, enrolled.body.string)
            XCTAssertEqual(
                try decode(Enrolment.self, enrolled).templateVersion, 1,
                "the approved version enrols, not the newer draft")
            let twice = try await HTTP.send(
                app, .POST, Site.apiPatientPathways.path(pid), headers: provider2, json: enrol)
            XCTAssertEqual(twice.status, .conflict)
            let steps = try await JobRecord.query(on: app.db).filter(\.$kind == "pathway.step").count()
            XCTAssertEqual(steps, 5)
        }
    }

    func test_wholePathway_stepsAtLocalTime_redFlags_missedPhoto_restart_followUpBooked() async throws {
        try await withTestApp { app, clock in
            // Setup: surgery on Friday 12 March 2027 at Main (Indianapolis); clocks go forward on the 14th.
            clock.set(Self.utc("2027-03-12T18:00:00Z"))
            let w = try await Fixtures.schedulingWorld(app)
            _ = try await Self.approveStandard(app, clock)
            let patient = try await Fixtures.patientUser(app, family: "Bunion")
            let pid = patient.patientID!
            _ = try await PatientStore(scope: app.systemScope("test")).update(
                pid, PatientInput(email: "bunion@example.org"), expectedVersion: nil)
            let provider = try await Fixtures.bearer(app, w.provider, clock: clock)
            let proc = try await HTTP.send(
                app, .POST, Site.apiPatientProcedures.path(pid), headers: provider,
                json: [
                    "code": "28296", "name": "Austin bunionectomy, left", "performedOn": "2027-03-12",
                    "locationId": w.main.uuidString, "providerId": w.provider.id.uuidString,
                ])
            XCTAssertEqual(proc.status, .created, proc.body.string)
            let enrolment = try XCTUnwrap(try decode(Procedure.self, proc).enrolment)
            XCTAssertEqual(
                enrolment.steps.map(\.key),
                ["day1-check-in", "day3-check-in", "day3-photo", "day10-photo", "day14-follow-up"])
            let f = ISO8601DateFormatter()
            XCTAssertEqual(
                enrolment.steps.map { f.string(from: $0.fireAt) },
                [
                    "2027-03-13T14:00:00Z", "2027-03-15T13:00:00Z", "2027-03-15T14:00:00Z", "2027-03-22T14:00:00Z",
                    "2027-03-26T13:00:00Z",
                ],
                "09:00/10:00 local: EST before the change, EDT after")
            let jobs = try await JobRecord.query(on: app.db).filter(\.$kind == "pathway.step").sort(\.$runAt).all()
            XCTAssertEqual(jobs.map { f.string(from: $0.runAt) }, enrolment.steps.map { f.string(from: $0.fireAt) })
            XCTAssertTrue(
                jobs.allSatisfy { !$0.payload.contains("Bunion") && !$0.payload.contains("28296") },
                "job payloads hold ids only")

            // Day 1, a minute early: nothing. On the minute: the check-in opens and a notice without PHI goes out.
            clock.set(Self.utc("2027-03-13T13:59:00Z"))
            var pass = try await JobWorker.runOnce(app, node: "node-a")
            XCTAssertEqual(pass.claimed, 0)
            clock.set(Self.utc("2027-03-13T14:00:00Z"))
            pass = try await JobWorker.runOnce(app, node: "node-a")
            XCTAssertEqual(pass, JobWorker.Pass(claimed: 1, done: 1))
            let me = try await Fixtures.bearer(app, patient, clock: clock)
            var tasks = try decode(
                [Task].self,
                try await HTTP.send(app, .GET, Site.apiPatientPathwayTasks.path(pid), headers: me))
            XCTAssertEqual(tasks.map(\.stepKey), ["day1-check-in"])
            XCTAssertNil(tasks[0].redFlags, "the patient does not see triage flags")
            let notices = try await OutboxMessageRecord.query(on: app.db).filter(\.$kind == "pathway-check-in").all()
            XCTAssertEqual(Set(notices.map(\.channel)), [.portal, .email], "no phone on file: no SMS")
            for n in notices {
                for word in ["Bunion", "bunion", "surgery", "foot", "pain"] {
                    XCTAssertFalse(n.body.contains(word) || n.subject.contains(word), n.body)
                }
            }

            // Bad answers change nothing; good ones are stored without a flag.
            let day1 = tasks[0].id
            let bad = try await HTTP.send(
                app, .POST, Site.apiPathwayTaskAnswers.path(day1), headers: me,
                json: ["answers": ["pain": "11", "redness": "maybe"]])
            XCTAssertEqual(bad.status, .unprocessableEntity)
            XCTAssertEqual(Set(try bad.problem().errors?.map(\.field) ?? []), ["pain", "redness", "drainage"])
            let stillOpen = try await PathwayTaskRecord.find(day1, on: app.db)
            XCTAssertEqual(stillOpen?.status, .open)
            let ok = try await HTTP.send(
                app, .POST, Site.apiPathwayTaskAnswers.path(day1), headers: me,
                json: ["answers": ["pain": "3", "temperature": "37.1", "redness": "no", "drainage": "no"]])
            XCTAssertEqual(ok.status, .ok, ok.body.string)
            XCTAssertNil(try decode(Answered.self, ok).advice)
            let dup = try await HTTP.send(
                app, .POST, Site.apiPathwayTaskAnswers.path(day1), headers: me,
                json: ["answers": ["pain": "2", "redness": "no", "drainage": "no"]])
            XCTAssertEqual(dup.status, .conflict)

            // Its escalation (8 h later) finds it answered: no task for the care team.
            clock.set(Self.utc("2027-03-13T22:00:00Z"))
            pass = try await JobWorker.runOnce(app, node: "node-a")
            XCTAssertEqual(pass.done, 1)
            let noCareTasks = try await CareTaskRecord.query(on: app.db).count()
            XCTAssertEqual(noCareTasks, 0)

            // Day 3 09:00 EDT: node A claims the check-in and dies before finishing it (a crash mid-way).
            clock.set(Self.utc("2027-03-15T13:00:00Z"))
            let claimed = try await JobQueue.claim(app, node: "node-a", limit: 10)
            XCTAssertEqual(claimed.count, 1)
            // A restarted process (new application, same database) takes over once the lease has run out.
            let restarted = try await anotherNode(of: app, clock: clock)
            do {
                pass = try await JobWorker.runOnce(restarted, node: "node-b")
                XCTAssertEqual(pass.claimed, 0, "the dead node's lease still holds")
                clock.advance(by: JobQueue.lease + 1)
                pass = try await JobWorker.runOnce(restarted, node: "node-b")
                XCTAssertEqual(pass, JobWorker.Pass(claimed: 1, done: 1))
                let day3Job = try await JobRecord.find(claimed[0].id, on: restarted.db)
                XCTAssertEqual(day3Job?.status, .done)
                XCTAssertEqual(day3Job?.attempts, 2)
                XCTAssertEqual(day3Job?.claimedBy, "node-b")
                // The dead node's late commit is refused: the step happened once.
                let stale = try JobContext(app: app, job: claimed[0])
                do {
                    try await stale.commit { _ in [] }
                    XCTFail("a lost lease must not commit")
                } catch is JobQueue.LeaseLost {}
                let day3Tasks = try await PathwayTaskRecord.query(on: restarted.db).filter(
                    \.$stepKey == "day3-check-in"
                ).count()
                XCTAssertEqual(day3Tasks, 1)

                // Day 3 answers: higher pain and a fever → urgent task, chart banner, the approved advice for the
                // patient.
                let me = try await Fixtures.bearer(restarted, patient, clock: clock)
                tasks = try decode(
                    [Task].self,
                    try await HTTP.send(
                        restarted, .GET, Site.apiPatientPathwayTasks.path(pid), headers: me))
                let day3 = try XCTUnwrap(tasks.first { $0.stepKey == "day3-check-in" })
                let flagged = try await HTTP.send(
                    restarted, .POST, Site.apiPathwayTaskAnswers.path(day3.id), headers: me,
                    json: ["answers": ["pain": "6", "temperature": "38.4", "redness": "no", "drainage": "no"]])
                XCTAssertEqual(flagged.status, .ok, flagged.body.string)
                XCTAssertEqual(try decode(Answered.self, flagged).advice, StandardPathways.bunionectomy.redFlagAdvice)
                let ma = try await Fixtures.bearer(
                    restarted, try await Fixtures.user(restarted, .medicalAssistant), clock: clock)
                var care = try decode(
                    [CareTask].self, try await HTTP.send(restarted, .GET, Site.apiCareTasks.path(), headers: ma))
                XCTAssertEqual(care.count, 1)
                XCTAssertTrue(care[0].urgent)
                XCTAssertEqual(care[0].summary, "Day 3 check-in: Fever, Increasing pain")
                let staffView = try decode(
                    [Task].self,
                    try await HTTP.send(
                        restarted, .GET, Site.apiPatientPathwayTasks.path(pid), headers: ma))
                XCTAssertEqual(
                    staffView.first { $0.stepKey == "day3-check-in" }?.redFlags, ["Fever", "Increasing pain"])
                let page = PageClient(restarted)
                try await page.signIn(w.provider, clock: clock)
                let chart = try await page.get(Site.patient.path(pid))
                XCTAssertTrue(chart.body.string.contains("id=\"red-flag-banner\""), "the chart shows the banner")
                XCTAssertTrue(chart.body.string.contains("Day 3 check-in: Fever, Increasing pain"))
                XCTAssertTrue(
                    chart.body.string.contains("Pain right now, from 0 (none) to 10 (worst): 6"),
                    "answers are on the chart")

                // Day 3 10:00: the photo prompt; nothing comes back within 24 h → urgent "photo not received".
                clock.set(Self.utc("2027-03-15T14:00:00Z"))
                pass = try await JobWorker.runOnce(restarted, node: "node-b")
                XCTAssertEqual(pass.done, 1)
                clock.set(Self.utc("2027-03-16T14:00:00Z"))
                pass = try await JobWorker.runOnce(restarted, node: "node-b")
                XCTAssertEqual(pass.done, 2, "the day-3 check-in's and the photo's escalations")
                let ma2 = try await Fixtures.bearer(
                    restarted, try await Fixtures.user(restarted, .medicalAssistant), clock: clock)
                care = try decode(
                    [CareTask].self, try await HTTP.send(restarted, .GET, Site.apiCareTasks.path(), headers: ma2))
                XCTAssertEqual(care.map(\.kind).sorted(), ["missed-photo", "red-flag"])
                XCTAssertTrue(care.allSatisfy(\.urgent))
                let photoPrompt = try await PathwayTaskRecord.query(on: restarted.db).filter(\.$stepKey == "day3-photo")
                    .first()
                XCTAssertEqual(photoPrompt?.status, .missed)
                XCTAssertEqual(photoPrompt?.redFlags, "Photo not received")

                // Day 10: the photo prompt is answered by an upload through the photo pipeline; the photo is on the
                // chart.
                clock.set(Self.utc("2027-03-22T14:00:00Z"))
                let me2 = try await Fixtures.bearer(restarted, patient, clock: clock)
                pass = try await JobWorker.runOnce(restarted, node: "node-b")
                XCTAssertEqual(pass.done, 1)
                let wound = try await HTTP.send(
                    restarted, .POST, Site.apiPatientWounds.path(pid), headers: me2,
                    json: ["bodySite": "incision, first metatarsal", "side": "left"])
                XCTAssertEqual(wound.status, .created, wound.body.string)
                let woundID = try wound.content.get(UUID.self, at: "id")
                let jpeg = try await ImageFixtures.image(width: 64, height: 48, ext: "jpg")
                var h = me2
                h.add(name: "Tus-Resumable", value: "1.0.0")
                h.add(name: "Upload-Length", value: String(jpeg.count))
                h.add(name: "Upload-Metadata", value: "woundId " + Data(woundID.uuidString.utf8).base64EncodedString())
                let created = try await restarted.sendRequest(.POST, "/api/v1/uploads", headers: h)
                XCTAssertEqual(created.status, .created, created.body.string)
                var ph = me2
                ph.add(name: "Tus-Resumable", value: "1.0.0")
                ph.add(name: "Upload-Offset", value: "0")
                ph.add(name: "Content-Type", value: "application/offset+octet-stream")
                let done = try await restarted.sendRequest(
                    .PATCH, created.headers.first(name: .location)!, headers: ph, body: ByteBuffer(data: jpeg))
                XCTAssertEqual(done.status, .noContent, done.body.string)
                let day10 = try await PathwayTaskRecord.query(on: restarted.db).filter(\.$stepKey == "day10-photo")
                    .first()
                XCTAssertEqual(day10?.status, .done)
                XCTAssertNotNil(day10?.photoID)
                clock.set(Self.utc("2027-03-23T14:05:00Z"))
                pass = try await JobWorker.runOnce(restarted, node: "node-b")
                XCTAssertEqual(pass.done, 1, "the day-10 escalation finds the photo")
                let missed = try await CareTaskRecord.query(on: restarted.db).filter(
                    \.$kind == CareTaskKind.missedPhoto
                ).count()
                XCTAssertEqual(missed, 1)

                // Day 14: three offers with the provider of record, one per day; the patient books the second.
                clock.set(Self.utc("2027-03-26T13:00:00Z"))
                let me3 = try await Fixtures.bearer(restarted, patient, clock: clock)
                pass = try await JobWorker.runOnce(restarted, node: "node-b")
                XCTAssertEqual(pass.done, 1)
                tasks = try decode(
                    [Task].self,
                    try await HTTP.send(
                        restarted, .GET, Site.apiPatientPathwayTasks.path(pid), headers: me3))
                let follow = try XCTUnwrap(tasks.first { $0.kind == "follow-up" })
                XCTAssertEqual(follow.offers.count, 3)
                XCTAssertTrue(follow.offers.allSatisfy { $0.providerId == w.provider.id && $0.locationId == w.main })
                XCTAssertEqual(Set(follow.offers.map { LocalDay.of($0.start, in: w.mainZone) }).count, 3)
                XCTAssertTrue(follow.offers.allSatisfy { $0.start > clock.now() })
                let booked = try await HTTP.send(
                    restarted, .POST, Site.apiPathwayTaskBook.path(follow.id), headers: me3,
                    json: ["offer": 1])
                XCTAssertEqual(booked.status, .ok, booked.body.string)
                let bookedTask = try decode(Task.self, booked)
                XCTAssertEqual(bookedTask.status, "done")
                let appt = try await AppointmentRecord.find(bookedTask.appointmentId, on: restarted.db)
                XCTAssertEqual(appt?.startAt, follow.offers[1].start)
                XCTAssertEqual(appt?.patientID, pid)

                // Exactly once, everywhere: 5 steps + 4 escalations, each done once; one task per step; the chain
                // verifies.
                let all = try await JobRecord.query(on: restarted.db).all()
                XCTAssertEqual(all.count, 9)
                XCTAssertTrue(
                    all.allSatisfy { $0.status == .done },
                    all.map { "\($0.kind) \($0.status)" }.joined(separator: ", "))
                let taskCount = try await PathwayTaskRecord.query(on: restarted.db).count()
                XCTAssertEqual(taskCount, 5)
                let sent = try await Fixtures.auditRows(restarted).filter {
                    $0.entityType == "PathwayTask" && $0.detail.hasSuffix(" sent")
                }
                XCTAssertEqual(sent.count, 5)
                XCTAssertTrue(sent.allSatisfy { $0.username == "system:job:pathway.step" })
                let report = try await AuditVerification.run(app: restarted, writeCheckpoint: false)
                XCTAssertTrue(report.ok, report.problem ?? "")
            } catch {
                try? await restarted.asyncShutdown()
                throw error
            }
            try await restarted.asyncShutdown()
        }
    }

    func test_followUp_withNoFreeTime_becomesAFrontDeskTask_thatOnlyTheRightTeamSees() async throws {
        try await withTestApp { app, clock in
            clock.set(Self.utc("2027-05-03T15:00:00Z"))
            let w = try await Fixtures.schedulingWorld(app)
            _ = try await Self.approveStandard(app, clock)
            let idle = try await Fixtures.user(app, .provider)  // no working hours at all
            let pid = try await Fixtures.patient(app, family: "Nohours")
            let provider = try await Fixtures.bearer(app, w.provider, clock: clock)
            let enrolled = try await HTTP.send(
                app, .POST, Site.apiPatientPathways.path(pid), headers: provider,
                json: [
                    "templateCode": "bunionectomy-post-op", "startDay": "2027-05-03", "locationId": w.lake.uuidString,
                    "providerId": idle.id.uuidString,
                ])
            XCTAssertEqual(enrolled.status, .created, enrolled.body.string)
            clock.set(Self.utc("2027-05-20T12:00:00Z"))
            let pass = try await JobWorker.runOnce(app, node: "n")
            let provider2 = try await Fixtures.bearer(app, w.provider, clock: clock)
            XCTAssertEqual(pass.done, 5)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let mine = try decode(
                [CareTask].self, try await HTTP.send(app, .GET, Site.apiCareTasks.path(), headers: desk))
            XCTAssertEqual(mine.map(\.kind), ["schedule-follow-up"], "the front desk sees only its own tasks")
            XCTAssertEqual(mine[0].team, "front-desk")
            let clinical = try await CareTaskRecord.query(on: app.db).filter(\.$team == CareTeam.clinical).count()
            XCTAssertEqual(clinical, 0, "escalations are not due yet")
            let closed = try await HTTP.send(
                app, .POST, Site.apiCareTaskClose.path(mine[0].id), headers: desk,
                json: ["note": "Booked by phone"])
            XCTAssertEqual(closed.status, .ok)
            let left = try decode(
                [CareTask].self, try await HTTP.send(app, .GET, Site.apiCareTasks.path(), headers: desk))
            XCTAssertEqual(left.count, 0)

            // Stopping the enrolment cancels what is still pending (the escalations) and closes open tasks.
            let e = try await PathwayEnrolmentRecord.query(on: app.db).first()!
            let stopped = try await HTTP.send(
                app, .POST, Site.apiPathwayEnrolmentStop.path(e.id!), headers: provider2)
            XCTAssertEqual(stopped.status, .ok, stopped.body.string)
            let pending = try await JobRecord.query(on: app.db).filter(\.$status == JobStatus.pending).count()
            XCTAssertEqual(pending, 0)
            let cancelled = try await JobRecord.query(on: app.db).filter(\.$status == JobStatus.cancelled).count()
            XCTAssertEqual(cancelled, 4)
            let open = try await PathwayTaskRecord.query(on: app.db).filter(\.$status == .open).count()
            XCTAssertEqual(open, 0)
        }
    }
}
