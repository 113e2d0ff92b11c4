import Domain
import Fluent
import TestSupport
import XCTVapor
import XCTest

import App
import AppCore
import Photos

/// The server stops after the last chunk is stored but before the photo is made: the upload says "complete" and a
/// standard tus client stops there. The photo must still appear: when the client asks (HEAD) or when the server
/// starts.
extension PhotoTests {
    /// An upload with every byte stored and no photo, as a crash at that moment leaves it.
    func strandedUpload(_ app: Application, _ auth: HTTPHeaders, patient: UUID) async throws -> (String, UUID) {
        let wound = try await newWound(app, auth, patient: patient)
        let original = try await ImageFixtures.jpegWithGPS(width: 64, height: 32)
        let created = try await create(app, auth, wound: wound, length: original.count)
        let url = try XCTUnwrap(created.headers.first(name: .location))
        let id = try XCTUnwrap(UUID(uuidString: String(url.split(separator: "/").last!)))
        let half = original.count / 2
        _ = try await patch(app, auth, url, offset: 0, original.prefix(half))
        // The last chunk reaches the file and the offset, then the process dies before processing.
        let part = PhotoStore(scope: app.systemScope("test")).partFile(id)
        let h = try FileHandle(forWritingTo: part)
        try h.seek(toOffset: UInt64(half))
        try h.write(contentsOf: original.suffix(from: original.startIndex + half))
        try h.close()
        let u = try await UploadRecord.find(id, on: app.db)!
        u.offset = original.count
        try await u.save(on: app.db)
        return (url, id)
    }

    func test_strandedUpload_isFinishedWhenTheClientAsks() async throws {
        try await withTestApp { app, clock in
            let patient = try await Fixtures.patientUser(app)
            let auth = try await Fixtures.bearer(app, patient, clock: clock)
            let (url, _) = try await strandedUpload(app, auth, patient: patient.patientID!)
            let photos = try await PhotoRecord.query(on: app.db).count()
            XCTAssertEqual(photos, 0)
            let head = try await app.sendRequest(.HEAD, url, headers: tusHeaders(auth))
            XCTAssertEqual(head.status, .ok)
            let photoID = try XCTUnwrap(
                head.headers.first(name: "CareSync-Photo-Id"), "HEAD finishes it and names the photo")
            let img = try await HTTP.send(app, .GET, Site.apiPhoto.path(UUID(uuidString: photoID)!), headers: auth)
            XCTAssertEqual(img.status, .ok)
            let served = try await ImageFixtures.inspect(Data(buffer: img.body))
            XCTAssertFalse(served.fields.contains("GPSLatitude"), "stripped as usual")
        }
    }

    func test_strandedUpload_isFinishedWhenTheServerStarts() async throws {
        try await withTestApp { app, clock in
            let patient = try await Fixtures.patientUser(app)
            let auth = try await Fixtures.bearer(app, patient, clock: clock)
            let (_, id) = try await strandedUpload(app, auth, patient: patient.patientID!)
            let finished = await PhotoStore.finishStranded(app)
            XCTAssertEqual(finished, 1)
            let u = try await UploadRecord.find(id, on: app.db)
            XCTAssertNotNil(u?.completedAt)
            let photo = try await PhotoRecord.query(on: app.db).first()
            XCTAssertEqual(photo?.uploadedBy, patient.username, "made under the owner's name")
            let again = await PhotoStore.finishStranded(app)
            XCTAssertEqual(again, 0, "once only")
        }
    }
}
