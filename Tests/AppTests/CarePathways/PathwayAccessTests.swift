import XCTest
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import Accounts
import AppCore
import CarePathways
import Jobs
import Scheduling

/// Who may and who may not, on every pathway route; the portal pages on a patient's own check-ins.
final class PathwayAccessTests: XCTestCase {
    /// An approved pathway, one enrolled patient with the day-1 check-in open, and a second patient.
    struct World {
        let w: SchedulingWorld
        let patient: TestUser
        let other: TestUser
        let task: UUID
        let template: UUID
    }

    func world(_ app: Application, _ clock: TestClock) async throws -> World {
        clock.set(ISO8601DateFormatter().date(from: "2027-04-05T15:00:00Z")!)
        let w = try await Fixtures.schedulingWorld(app)
        _ = try await PathwayTests.approveStandard(app, clock)
        let patient = try await Fixtures.patientUser(app, family: "Owner")
        let other = try await Fixtures.patientUser(app, family: "Other")
        for p in [patient, other] {
            _ = try await PathwayStore(scope: app.systemScope("test")).enrol(
                patientID: p.patientID!,
                .init(
                    templateCode: "bunionectomy-post-op", startDay: "2027-04-05",
                    locationId: w.main, providerId: w.provider.id))
        }
        clock.set(ISO8601DateFormatter().date(from: "2027-04-06T13:00:01Z")!)  // day 1, 09:00 EDT
        _ = try await JobWorker.runOnce(app, node: "t")
        let task = try await PathwayTaskRecord.query(on: app.db).filter(\.$patientID == patient.patientID!).first()!.id!
        let template = try await PathwayTemplateRecord.query(on: app.db).first()!.id!
        return World(w: w, patient: patient, other: other, task: task, template: template)
    }

    func test_api_whoMayAndWhoMayNot() async throws {
        try await withTestApp { app, clock in
            let x = try await world(app, clock)
            let pid = x.patient.patientID!.uuidString
            func as_(_ role: Role) async throws -> HTTPHeaders {
                try await Fixtures.bearer(app, try await Fixtures.user(app, role), clock: clock)
            }
            let desk = try await as_(.frontDesk), ma = try await as_(.medicalAssistant), ops = try await as_(.operator)
            let me = try await Fixtures.bearer(app, x.patient, clock: clock),
                other = try await Fixtures.bearer(app, x.other, clock: clock)
            let proc = [
                "code": "28296", "name": "Bunionectomy", "performedOn": "2027-04-05", "locationId": x.w.main.uuidString,
                "providerId": x.w.provider.id.uuidString,
            ]
            let answers = ["answers": ["pain": "2", "redness": "no", "drainage": "no"]]

            // Templates: clinical staff read; not the front desk, operator or a patient.
            for (h, expected) in [(ma, HTTPStatus.ok), (desk, .forbidden), (ops, .forbidden), (me, .forbidden)] {
                let r = try await HTTP.send(app, .GET, Site.apiPathwayTemplate.path(x.template), headers: h)
                XCTAssertEqual(r.status, expected)
            }
            // Procedures: clinicians; not the front desk or the patient.
            for (h, expected) in [(desk, HTTPStatus.forbidden), (me, .forbidden), (ma, .created)] {
                let r = try await HTTP.send(
                    app, .POST, Site.apiPatientProcedures.path(UUID(uuidString: pid)!), headers: h, json: proc)
                XCTAssertEqual(r.status, expected, r.body.string)
            }
            // A patient's tasks: the patient and clinical staff; not another patient, not the front desk.
            for (h, expected) in [(me, HTTPStatus.ok), (ma, .ok), (other, .forbidden), (desk, .forbidden)] {
                let list = try await HTTP.send(
                    app, .GET, Site.apiPatientPathwayTasks.path(UUID(uuidString: pid)!), headers: h)
                XCTAssertEqual(list.status, expected)
                let one = try await HTTP.send(app, .GET, Site.apiPathwayTask.path(x.task), headers: h)
                XCTAssertEqual(one.status, expected)
            }
            // Answers: only the patient themself.
            for h in [other, ma, desk] {
                let r = try await HTTP.send(
                    app, .POST, Site.apiPathwayTaskAnswers.path(x.task), headers: h, json: answers)
                XCTAssertEqual(r.status, .forbidden)
            }
            let stillOpen = try await PathwayTaskRecord.find(x.task, on: app.db)?.status
            XCTAssertEqual(stillOpen, .open, "refused answers changed nothing")
            // Care tasks: staff only; stopping an enrolment: clinicians.
            let noTasks = try await HTTP.send(app, .GET, Site.apiCareTasks.path(), headers: me)
            XCTAssertEqual(noTasks.status, .forbidden)
            let e = try await PathwayEnrolmentRecord.query(on: app.db).filter(\.$patientID == x.patient.patientID!)
                .first()!
            for h in [me, desk] {
                let r = try await HTTP.send(
                    app, .POST, Site.apiPathwayEnrolmentStop.path(e.id!), headers: h)
                XCTAssertEqual(r.status, .forbidden)
            }
            // Malformed input gets a specific message.
            let badProc = try await HTTP.send(
                app, .POST, Site.apiPatientProcedures.path(UUID(uuidString: pid)!), headers: ma,
                json: ["code": "bunion", "performedOn": "2027-13-01"])
            XCTAssertEqual(badProc.status, .unprocessableEntity)
            XCTAssertEqual(
                Set(try badProc.problem().errors?.map(\.field) ?? []),
                ["code", "name", "performedOn", "locationId", "providerId"])
            let future = try await HTTP.send(
                app, .POST, Site.apiPatientProcedures.path(UUID(uuidString: pid)!), headers: ma,
                json: proc.merging(["performedOn": "2027-05-01"]) { $1 })
            XCTAssertEqual(future.status, .unprocessableEntity)
            let denials = try await Fixtures.auditRows(app, action: .accessDenied).filter {
                $0.patientID == x.patient.patientID
            }
            XCTAssertGreaterThanOrEqual(denials.count, 8, "refusals on the patient's data are audited")
        }
    }

    func test_portalPages_checkInWithRedFlagAdvice_onlyOwnTasks_andStaffPages() async throws {
        try await withTestApp { app, clock in
            let x = try await world(app, clock)
            let page = PageClient(app)
            try await page.signIn(x.patient, clock: clock, portal: true)
            let list = try await page.get(Site.portalCheckIns.path())
            XCTAssertEqual(list.status, .ok)
            XCTAssertTrue(list.body.string.contains("Day 1 check-in"))
            let form = try await page.get(Site.portalCheckIn.path(x.task))
            XCTAssertTrue(form.body.string.contains("id=\"check-in-form\""))
            XCTAssertTrue(form.body.string.contains("Pain right now"))
            // A missing answer is named and nothing is stored.
            let missing = try await page.post(
                Site.portalCheckIn.path(x.task), ["pain": "4", "redness": "yes"])
            XCTAssertEqual(missing.status, .unprocessableEntity)
            XCTAssertTrue(missing.body.string.contains("Is fluid or pus draining from the wound?: please answer this."))
            let open = try await PathwayTaskRecord.find(x.task, on: app.db)?.status
            XCTAssertEqual(open, .open)
            let sent = try await page.post(
                Site.portalCheckIn.path(x.task), ["pain": "4", "redness": "yes", "drainage": "no"])
            XCTAssertEqual(sent.status, .ok)
            XCTAssertTrue(sent.body.string.contains("id=\"red-flag-advice\""), "spreading redness: the approved advice")
            XCTAssertTrue(sent.body.string.contains("call 911"))
            // Another patient's check-in: refused, also on the page.
            let otherTask = try await PathwayTaskRecord.query(on: app.db).filter(\.$patientID == x.other.patientID!)
                .first()!.id!
            let notMine = try await page.get(Site.portalCheckIn.path(otherTask))
            XCTAssertEqual(notMine.status, .forbidden)
            let notMinePost = try await page.post(
                Site.portalCheckIn.path(otherTask), ["pain": "1", "redness": "no", "drainage": "no"])
            XCTAssertEqual(notMinePost.status, .forbidden)

            // Staff: tasks page shows the urgent task; closing it clears the chart banner.
            let ma = try await Fixtures.user(app, .medicalAssistant)
            let staff = PageClient(app)
            try await staff.signIn(ma, clock: clock)
            let tasks = try await staff.get(Site.tasks.path())
            XCTAssertTrue(tasks.body.string.contains("Day 1 check-in: Spreading redness"))
            let chart = try await staff.get(Site.patient.path(x.patient.patientID!))
            XCTAssertTrue(chart.body.string.contains("id=\"red-flag-banner\""))
            let care = try await CareTaskRecord.query(on: app.db).first()!
            let closed = try await staff.post(
                Site.taskClose.path(care.id!), ["note": "Called the patient; seen today"])
            XCTAssertEqual(closed.headers.first(name: .location), Site.tasks.path() + "?closed=1")
            let after = try await staff.get(Site.patient.path(x.patient.patientID!))
            XCTAssertFalse(after.body.string.contains("id=\"red-flag-banner\""))
            let closedAudit = try await Fixtures.auditRows(app, patientID: x.patient.patientID).filter {
                $0.entityType == "CareTask" && $0.detail == "closed"
            }
            XCTAssertEqual(closedAudit.first?.username, ma.username)

            // Pathways pages: clinical staff yes, the front desk no.
            let list2 = try await staff.get(Site.pathways.path())
            XCTAssertEqual(list2.status, .ok)
            XCTAssertTrue(list2.body.string.contains("approved"))
            let desk = PageClient(app)
            try await desk.signIn(try await Fixtures.user(app, .frontDesk), clock: clock)
            let deskPathways = try await desk.get(Site.pathways.path())
            XCTAssertEqual(deskPathways.status, .forbidden)
            let deskChart = try await desk.get(Site.patient.path(x.patient.patientID!))
            XCTAssertEqual(deskChart.status, .ok)
            XCTAssertFalse(
                deskChart.body.string.contains("id=\"care-pathway\""), "no check-in answers for the front desk")

            // The chart's procedure form: a refused entry shows the form again with the field marked.
            let provider = PageClient(app)
            try await provider.signIn(x.w.provider, clock: clock)
            let refused = try await provider.post(
                Site.patientProcedures.path(x.other.patientID!),
                [
                    "code": "12", "name": "", "performedOn": "2027-04-06",
                    "locationId": x.w.main.uuidString, "providerId": x.w.provider.id.uuidString,
                ])
            XCTAssertEqual(refused.status, .unprocessableEntity)
            XCTAssertTrue(refused.body.string.contains("Enter the five-digit CPT code of the procedure."))
            let recorded = try await provider.post(
                Site.patientProcedures.path(x.other.patientID!),
                [
                    "code": "28296", "name": "Bunionectomy", "performedOn": "2027-04-06",
                    "locationId": x.w.main.uuidString, "providerId": x.w.provider.id.uuidString,
                ])
            XCTAssertEqual(
                recorded.headers.first(name: .location), Site.patient.path(x.other.patientID!) + "?procedure=enrolled"
            )
            let otherChart = try await provider.get(Site.patient.path(x.other.patientID!))
            XCTAssertTrue(
                otherChart.body.string.contains("id=\"enrol-form\""), "approved pathways can be chosen by hand")
            let byHand = [
                "templateCode": "bunionectomy-post-op", "startDay": "2027-04-01", "locationId": x.w.lake.uuidString,
                "providerId": x.w.provider.id.uuidString,
            ]
            let enrolled = try await provider.post(Site.patientPathways.path(x.other.patientID!), byHand)
            XCTAssertEqual(
                enrolled.headers.first(name: .location), Site.patient.path(x.other.patientID!) + "?procedure=enrolled"
            )
            let twice = try await provider.post(Site.patientPathways.path(x.other.patientID!), byHand)
            XCTAssertEqual(twice.status, .conflict)
            XCTAssertTrue(twice.body.string.contains("already on this pathway from 2027-04-01"))
            let enrolments = try await PathwayEnrolmentRecord.query(on: app.db).filter(
                \.$patientID == x.other.patientID!
            ).count()
            XCTAssertEqual(enrolments, 3, "world + procedure + by hand")
        }
    }

    func test_portalFollowUp_offersInLocalTime_andATakenSlotGetsFreshOffers() async throws {
        try await withTestApp { app, clock in
            let x = try await world(app, clock)
            clock.set(ISO8601DateFormatter().date(from: "2027-04-19T13:00:01Z")!)  // day 14
            _ = try await JobWorker.runOnce(app, node: "t")
            let follow = try await PathwayTaskRecord.query(on: app.db).filter(\.$patientID == x.patient.patientID!)
                .filter(\.$kind == PathwayStep.Kind.followUp).first()!
            XCTAssertEqual(follow.offerList.count, 3)
            // Someone else takes the first offered time before the patient clicks.
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let other = try await HTTP.send(
                app, .POST, Site.apiAppointments.path(), headers: desk,
                json: Booking(
                    patientId: x.other.patientID!, providerId: x.w.provider.id, locationId: x.w.main,
                    typeId: x.w.followUp, start: follow.offerList[0].start))
            XCTAssertEqual(other.status, .created, other.body.string)
            let page = PageClient(app)
            try await page.signIn(x.patient, clock: clock, portal: true)
            let shown = try await page.get(Site.portalCheckIn.path(follow.id!))
            XCTAssertTrue(shown.body.string.contains(" EDT"), "offers in the clinic's local time")
            let taken = try await page.post(Site.portalCheckInBook.path(follow.id!), ["offer": "0"])
            XCTAssertEqual(taken.status, .conflict)
            XCTAssertTrue(taken.body.string.contains("That time was just taken"))
            let refreshed = try await PathwayTaskRecord.find(follow.id, on: app.db)!
            XCTAssertFalse(
                refreshed.offerList.contains { $0.start == follow.offerList[0].start },
                "the taken time is no longer offered")
            let ok = try await page.post(Site.portalCheckInBook.path(follow.id!), ["offer": "0"])
            XCTAssertEqual(ok.headers.first(name: .location), Site.portalAppointments.path())
            let booked = try await AppointmentRecord.query(on: app.db).filter(\.$patientID == x.patient.patientID!)
                .all()
            XCTAssertEqual(booked.map(\.startAt), [refreshed.offerList[0].start])
        }
    }
}
