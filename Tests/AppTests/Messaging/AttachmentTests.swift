import XCTest
import AppCore
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import Accounts
import Intake
import Photos

final class AttachmentTests: XCTestCase {
    static let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)

    func tusUpload(_ app: Application, _ auth: HTTPHeaders, patient: UUID, _ data: Data) async throws -> XCTHTTPResponse
    {
        var h = auth
        h.add(name: "Tus-Resumable", value: "1.0.0")
        h.add(name: "Upload-Length", value: String(data.count))
        h.add(
            name: "Upload-Metadata",
            value:
                "purpose \(Data("attachment".utf8).base64EncodedString()),patientId "
                + "\(Data(patient.uuidString.utf8).base64EncodedString())"
        )
        let created = try await app.sendRequest(.POST, "/api/v1/uploads", headers: h)
        guard created.status == .created else { return created }
        var p = auth
        p.add(name: "Tus-Resumable", value: "1.0.0")
        p.add(name: "Upload-Offset", value: "0")
        p.add(name: "Content-Type", value: "application/offset+octet-stream")
        return try await app.sendRequest(
            .PATCH, created.headers.first(name: .location)!, headers: p, body: ByteBuffer(data: data))
    }

    func test_pdfOrPhotoAttachments_travelWithMessages_andOnlyToTheirPatientsReaders() async throws {
        try await withTestApp { app, clock in
            let w = try await Fixtures.schedulingWorld(app)
            let owner = try await Fixtures.patientUser(app, family: "Sender")
            let other = try await Fixtures.patientUser(app, family: "Other")
            let auth = try await Fixtures.bearer(app, owner, clock: clock)
            let otherAuth = try await Fixtures.bearer(app, other, clock: clock)
            let pid = owner.patientID!

            let done = try await tusUpload(app, auth, patient: pid, Self.pdf)
            XCTAssertEqual(done.status, .noContent, done.body.string)
            let attachment = try XCTUnwrap(done.headers.first(name: "CareSync-Attachment-Id"))
            let truncated = try await tusUpload(app, auth, patient: pid, Self.pdf.prefix(30))
            XCTAssertEqual(truncated.status, .unprocessableEntity)
            XCTAssertTrue(truncated.body.string.contains("The PDF is incomplete"))
            let zip = try await tusUpload(app, auth, patient: pid, Data([0x50, 0x4B, 0x03, 0x04, 1, 2, 3, 4]))
            XCTAssertTrue(zip.body.string.contains("a ZIP or Office document"))
            let notMine = try await tusUpload(app, otherAuth, patient: pid, Self.pdf)
            XCTAssertEqual(notMine.status, .forbidden)

            let started = try await HTTP.send(
                app, .POST, Site.apiPatientConversations.path(pid), headers: auth,
                json: [
                    "subject": "Referral letter", "locationId": w.main.uuidString, "body": "Here is the letter.",
                    "attachmentId": attachment,
                ])
            XCTAssertEqual(started.status, .created, started.body.string)
            // Someone else's attachment cannot be slipped into a message.
            let otherPDF = try await tusUpload(app, otherAuth, patient: other.patientID!, Self.pdf)
            let foreign = try await HTTP.send(
                app, .POST, Site.apiPatientConversations.path(pid), headers: auth,
                json: [
                    "subject": "x", "locationId": w.main.uuidString, "body": "x",
                    "attachmentId": otherPDF.headers.first(name: "CareSync-Attachment-Id")!,
                ])
            XCTAssertEqual(foreign.status, .unprocessableEntity)

            let ma = try await Fixtures.bearer(app, try await Fixtures.user(app, .medicalAssistant), clock: clock)
            let file = try await HTTP.send(
                app, .GET, Site.apiAttachment.path(UUID(uuidString: attachment)!), headers: ma)
            XCTAssertEqual(file.status, .ok)
            XCTAssertEqual(file.headers.first(name: .contentType), "application/pdf")
            XCTAssertEqual(file.headers.first(name: .cacheControl), "private, no-store, max-age=0")
            XCTAssertEqual(Data(buffer: file.body), Self.pdf)
            let denied = try await HTTP.send(
                app, .GET, Site.apiAttachment.path(UUID(uuidString: attachment)!), headers: otherAuth)
            XCTAssertEqual(denied.status, .forbidden)
            let reads = try await Fixtures.auditRows(app, action: .read, patientID: pid).filter {
                $0.entityType == "Attachment"
            }
            XCTAssertEqual(reads.count, 1)

            // A photo attachment loses its metadata like a wound photo.
            let photo = try await tusUpload(app, auth, patient: pid, try ImageFixtures.jpegWithGPS())
            let photoID = try XCTUnwrap(photo.headers.first(name: "CareSync-Attachment-Id"))
            let image = try await HTTP.send(app, .GET, Site.apiAttachment.path(UUID(uuidString: photoID)!), headers: ma)
            XCTAssertEqual(image.headers.first(name: .contentType), "image/jpeg")
            let served = try await ImageFixtures.inspect(Data(buffer: image.body))
            XCTAssertFalse(served.fields.contains("GPS"))
        }
    }

    func test_referralLetter_uploadedInTheIntakeForm_isLinkedForTheReviewer() async throws {
        try await withTestApp { app, clock in
            let patient = try await Fixtures.patientUser(app, family: "Referred")
            let web = PageClient(app)
            try await web.signIn(patient, clock: clock, portal: true)
            let page = try await web.get("/portal/forms/orthotic-referral")
            XCTAssertTrue(page.body.string.contains("multipart/form-data"))
            let boundary = "b0undary"
            var body = Data()
            let fields = [
                "_csrf": web.cookies["cs_csrf"]!, "referrerName": "Dr. Ada Ortho", "referrerNPI": "1234567893",
                "referrerPhone": "+1 812 555 0199",
                "diagnosis": "M21.4 Flat foot", "prescription": "Full-length EVA orthoses, both feet",
                "_action": "submit", "referralLetter": "",
            ]
            for (k, v) in fields {
                body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n".utf8)
            }
            body += Data(
                ("--\(boundary)\r\nContent-Disposition: form-data; name=\"referralLetter__file\"; "
                    + "filename=\"letter.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").utf8)
            body += Self.pdf + Data("\r\n--\(boundary)--\r\n".utf8)
            var h = HTTPHeaders()
            h.add(name: .cookie, value: web.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
            h.add(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
            let res = try await app.sendRequest(
                .POST, "/portal/forms/orthotic-referral", headers: h, body: ByteBuffer(data: body))
            XCTAssertEqual(
                res.headers.first(name: .location), Site.portalForms.path() + "?submitted=orthotic-referral",
                res.body.string)
            let intake = try await IntakeSubmissionRecord.query(on: app.db).first()
            let letter = try XCTUnwrap(intake?.answerMap["referralLetter"].flatMap(UUID.init(uuidString:)))
            let stored = try await AttachmentRecord.find(letter, on: app.db)
            XCTAssertEqual(stored?.kind, .pdf)
            XCTAssertEqual(stored?.patientID, patient.patientID)

            let staff = PageClient(app)
            try await staff.signIn(try await Fixtures.user(app, .medicalAssistant), clock: clock)
            let review = try await staff.get(Site.intakeReview.path(intake!.id!))
            XCTAssertTrue(review.body.string.contains(Site.attachment.path(letter)))
            let download = try await staff.get(Site.attachment.path(letter))
            XCTAssertEqual(download.status, .ok)
            // Clinical content is not for the front desk: neither the answers nor the file, on the page or the API.
            let deskUser = try await Fixtures.user(app, .frontDesk)
            let desk = PageClient(app)
            try await desk.signIn(deskUser, clock: clock)
            let r1 = try await desk.get(Site.intakeReview.path(intake!.id!)).status
            XCTAssertEqual(r1, .forbidden)
            let r2 = try await desk.get(Site.attachment.path(letter)).status
            XCTAssertEqual(r2, .forbidden)
            let r3 = try await desk.get(Site.intake.path()).status
            XCTAssertEqual(r3, .forbidden)
            let deskAPI = try await Fixtures.bearer(app, deskUser, clock: clock)
            let r4 = try await HTTP.send(app, .GET, Site.apiAttachment.path(letter), headers: deskAPI).status
            XCTAssertEqual(r4, .forbidden)
        }
    }
}
