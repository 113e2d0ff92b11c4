import XCTest
import XCTVapor
import Fluent
import NIOConcurrencyHelpers
import App
import Domain
import TestSupport
import AppCore
import Notifications
import Patients
import Scheduling

/// Records deliveries; fails the channels it is told to.
final class CaptureTransport: NotificationTransport, @unchecked Sendable {
    private let lock = NIOLock()
    private var _delivered: [UUID] = []
    var failing: Set<NoticeChannel> = []
    var delivered: [UUID] { lock.withLock { _delivered } }

    func deliver(_ m: OutboxMessageRecord, app: Application) async throws {
        if failing.contains(m.channel) { throw LiveTransport.NotConfigured(description: "test failure") }
        try await Task.sleep(for: .milliseconds(2))
        lock.withLock { _delivered.append(m.id!) }
    }
}

final class OutboxTests: XCTestCase {
    func bookOne(_ app: Application, _ clock: TestClock, _ w: SchedulingWorld, start: Date? = nil) async throws -> (
        UUID, HTTPHeaders
    ) {
        let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
        let (p, _) = try await PatientStore(scope: app.systemScope("test")).create(
            PatientInput(
                familyName: "Noticeperson", givenName: "Nia", birthDate: "1980-02-02", sex: "female",
                email: "nia@example.org", phone: "+1 812 555 0101"),
            acknowledgeDuplicate: true)
        let res = try await HTTP.send(
            app, .POST, Site.apiAppointments.path(), headers: desk,
            json: Booking(
                patientId: p.id, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                start: start ?? w.atMain("2026-11-03", 9)))
        XCTAssertEqual(res.status, .created)
        return (try res.content.get(UUID.self, at: "id"), desk)
    }

    func test_booking_queuesConfirmations_inTheSameTransaction_sayingOnlyDateTimeAndPlace() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let (aid, desk) = try await bookOne(app, clock, w)
            let msgs = try await OutboxMessageRecord.query(on: app.db).filter(\.$appointmentID == aid).all()
            XCTAssertEqual(Set(msgs.map(\.channel)), [.portal, .email, .sms])
            for m in msgs {
                XCTAssertTrue(m.body.contains("Main Street Clinic"))
                XCTAssertTrue(m.body.contains("09:00"), m.body)
                XCTAssertFalse(m.body.contains("Follow-up"), "no visit type")
                XCTAssertFalse(m.body.contains("Test Provider"), "no provider")
                XCTAssertFalse(m.body.contains("Noticeperson"), "no name")
            }
            let email = try XCTUnwrap(msgs.first { $0.channel == .email })
            XCTAssertEqual(email.attachmentName, "appointment.ics")
            XCTAssertTrue(email.attachmentBody?.contains("METHOD:REQUEST") ?? false)

            // A refused booking queues nothing.
            let before = try await OutboxMessageRecord.query(on: app.db).count()
            let pid = try await Fixtures.patient(app, family: "Second")
            let clash = try await HTTP.send(
                app, .POST, Site.apiAppointments.path(), headers: desk,
                json: Booking(
                    patientId: pid, providerId: w.provider.id, locationId: w.main, typeId: w.followUp,
                    start: w.atMain("2026-11-03", 9)))
            XCTAssertEqual(clash.status, .conflict)
            let v1 = try await OutboxMessageRecord.query(on: app.db).count()
            XCTAssertEqual(v1, before)

            _ = try await HTTP.send(
                app, .PATCH, Site.apiAppointment.path(aid), headers: desk,
                json: ["status": "cancelled", "cancelReason": "clinic closed"])
            let cancel = try await OutboxMessageRecord.query(on: app.db).filter(\.$kind == "cancellation").filter(
                \.$channel == NoticeChannel.email
            ).first()
            XCTAssertTrue(cancel?.attachmentBody?.contains("METHOD:CANCEL") ?? false)
            XCTAssertTrue(cancel?.attachmentBody?.contains("STATUS:CANCELLED") ?? false)
        }
    }

    func test_worker_delivers_retriesWithBackoff_failsAfterTheLastTry_andRetryRequeues() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            _ = try await bookOne(app, clock, w)
            let t = CaptureTransport()
            t.failing = [.sms]
            let first = try await OutboxWorker.runOnce(app, transport: t)
            XCTAssertEqual(first.sent, 2)
            XCTAssertEqual(first.retried, 1)
            let sms = try await OutboxMessageRecord.query(on: app.db).filter(\.$channel == NoticeChannel.sms).first()!
            XCTAssertEqual(sms.status, .pending)
            XCTAssertEqual(sms.nextAttemptAt, clock.now().addingTimeInterval(60))
            let v2 = try await OutboxWorker.runOnce(app, transport: t).retried
            XCTAssertEqual(v2, 0, "not due yet")
            for delay in NoticeText.backoff {
                clock.advance(by: delay + 1); _ = try await OutboxWorker.runOnce(app, transport: t)
            }
            let dead = try await OutboxMessageRecord.find(sms.id, on: app.db)!
            XCTAssertEqual(dead.status, .failed)
            XCTAssertEqual(dead.attempts, NoticeText.backoff.count + 1)
            XCTAssertEqual(t.delivered.count, 2, "sent messages are never sent again")

            let requeued = try await CareSyncCLI.outboxRetry(app.config, id: nil)
            XCTAssertEqual(requeued, 1)
            t.failing = []
            clock.set(Date().addingTimeInterval(1))  // the command queues it for the real "now"
            let v3 = try await OutboxWorker.runOnce(app, transport: t).sent
            XCTAssertEqual(v3, 1)
        }
    }

    func test_liveTransport_portalNotice_andUnconfiguredEmailStaysQueued() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            _ = try await bookOne(app, clock, w)
            let pass = try await OutboxWorker.runOnce(app)
            XCTAssertEqual(pass.sent, 1, "the portal notice")
            XCTAssertEqual(pass.retried, 2, "email and SMS have no relay configured in tests")
            let notices = try await PortalNoticeRecord.query(on: app.db).all()
            XCTAssertEqual(notices.count, 1)
            let email = try await OutboxMessageRecord.query(on: app.db).filter(\.$channel == NoticeChannel.email)
                .first()!
            XCTAssertTrue(email.lastError?.contains("CARESYNC_SMTP_URL") ?? false)
        }
    }

    func test_aNodeThatDiesMidDelivery_losesNothing() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            _ = try await bookOne(app, clock, w)
            // Another node claimed everything and died before recording the outcome.
            try await OutboxMessageRecord.query(on: app.db).set(\.$status, to: .sending)
                .set(\.$claimedUntil, to: clock.now().addingTimeInterval(OutboxWorker.claimFor)).update()
            let t = CaptureTransport()
            let v4 = try await OutboxWorker.runOnce(app, transport: t).sent
            XCTAssertEqual(v4, 0, "claims are respected while they last")
            clock.advance(by: OutboxWorker.claimFor + 1)
            let v5 = try await OutboxWorker.runOnce(app, transport: t).sent
            XCTAssertEqual(v5, 3)
            let statuses = try await OutboxMessageRecord.query(on: app.db).all().map(\.status)
            XCTAssertEqual(Set(statuses), [.sent])
        }
    }

    func test_twoWorkersAtOnce_deliverEachMessageOnce() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app, rooms: 3)
            for i in 0..<10 {
                _ = try await bookOne(
                    app, clock, w, start: w.atMain("2026-11-03", 8).addingTimeInterval(Double(i) * 1200))
            }
            let t = CaptureTransport()
            async let a = OutboxWorker.runOnce(app, transport: t)
            async let b = OutboxWorker.runOnce(app, transport: t)
            let (pa, pb) = try await (a, b)
            XCTAssertEqual(pa.sent + pb.sent, 30)
            XCTAssertEqual(t.delivered.count, 30)
            XCTAssertEqual(Set(t.delivered).count, 30, "no message went out twice")
        }
    }

    func test_reminder_isQueuedOnce_aDayBefore() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let (aid, _) = try await bookOne(app, clock, w)
            let t = CaptureTransport()
            let appt = try await AppointmentRecord.find(aid, on: app.db)!
            clock.set(appt.startAt.addingTimeInterval(-30 * 3600))
            let v6 = try await OutboxWorker.runOnce(app, transport: t).remindersQueued
            XCTAssertEqual(v6, 0, "30 hours ahead: too early")
            clock.set(appt.startAt.addingTimeInterval(-24 * 3600))
            let v7 = try await OutboxWorker.runOnce(app, transport: t).remindersQueued
            XCTAssertEqual(v7, 3)
            let v8 = try await OutboxWorker.runOnce(app, transport: t).remindersQueued
            XCTAssertEqual(v8, 0, "once only")
            let reminders = try await OutboxMessageRecord.query(on: app.db).filter(\.$kind == "reminder").all()
            XCTAssertTrue(reminders.allSatisfy { $0.body.hasPrefix("Reminder:") && $0.status == .sent })
        }
    }
}
