import XCTest
import XCTVapor
import Fluent
import Crypto
import App
import Domain
import TestSupport
import Accounts
import AppCore
import Operations
import Photos

final class PhotoTests: XCTestCase {
    struct Wound: Decodable { let id: UUID; let photos: [Photo] }
    struct Photo: Decodable { let id: UUID; let width: Int; let height: Int; let sha256: String; let lengthMm: Double? }

    func tusHeaders(_ auth: HTTPHeaders, _ extra: [(String, String)] = []) -> HTTPHeaders {
        var h = auth
        h.add(name: "Tus-Resumable", value: "1.0.0")
        for (k, v) in extra { h.add(name: k, value: v) }
        return h
    }

    func newWound(_ app: Application, _ auth: HTTPHeaders, patient: UUID) async throws -> UUID {
        let res = try await HTTP.send(
            app, .POST, Site.apiPatientWounds.path(patient), headers: auth,
            json: ["bodySite": "plantar first metatarsal head", "side": "left"])
        XCTAssertEqual(res.status, .created, res.body.string)
        return try res.content.decode(Wound.self).id
    }

    func create(_ app: Application, _ auth: HTTPHeaders, wound: UUID, length: Int) async throws -> XCTHTTPResponse {
        let meta = "woundId " + Data(wound.uuidString.utf8).base64EncodedString()
        return try await app.sendRequest(
            .POST, "/api/v1/uploads",
            headers: tusHeaders(auth, [("Upload-Length", String(length)), ("Upload-Metadata", meta)]))
    }

    func patch(
        _ app: Application, _ auth: HTTPHeaders, _ url: String, offset: Int, _ chunk: Data, checksum: String? = nil
    ) async throws -> XCTHTTPResponse {
        var extra = [("Upload-Offset", String(offset)), ("Content-Type", "application/offset+octet-stream")]
        if let checksum { extra.append(("Upload-Checksum", checksum)) }
        return try await app.sendRequest(.PATCH, url, headers: tusHeaders(auth, extra), body: ByteBuffer(data: chunk))
    }

    /// Uploads `data` whole through tus and returns the final PATCH response.
    func upload(_ app: Application, _ auth: HTTPHeaders, wound: UUID, _ data: Data) async throws -> XCTHTTPResponse {
        let c = try await create(app, auth, wound: wound, length: data.count)
        XCTAssertEqual(c.status, .created, c.body.string)
        return try await patch(app, auth, c.headers.first(name: .location)!, offset: 0, data)
    }

    func uploadsDir(_ app: Application) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: app.config.dataDir + "/uploads")) ?? []
    }

    func blobFiles(_ app: Application) -> [String] {
        let root = URL(fileURLWithPath: app.config.blobDir + "/photos")
        return (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []).filter {
            $0.hasSuffix(".jpg")
        }
    }

    func test_tusUpload_inTwoChunksWithResume_storesAStrippedRotatedPhoto() async throws {
        try await withTestApp { app, clock in
            let patient = try await Fixtures.patientUser(app)
            let auth = try await Fixtures.bearer(app, patient, clock: clock)
            let wound = try await newWound(app, auth, patient: patient.patientID!)
            let original = try await ImageFixtures.jpegWithGPS(width: 64, height: 32)
            let fixture = try await ImageFixtures.inspect(original)
            XCTAssertTrue(fixture.fields.contains("GPSLatitude"), "the fixture carries GPS")

            let options = try await app.sendRequest(.OPTIONS, "/api/v1/uploads", headers: auth)
            XCTAssertEqual(options.status, .noContent)
            XCTAssertEqual(options.headers.first(name: "Tus-Version"), "1.0.0")
            XCTAssertEqual(options.headers.first(name: "Tus-Extension"), "creation,checksum,termination,expiration")
            let noVersion = try await app.sendRequest(.POST, "/api/v1/uploads", headers: auth)
            XCTAssertEqual(noVersion.status, .preconditionFailed)
            XCTAssertEqual(noVersion.headers.first(name: "Tus-Version"), "1.0.0")

            let created = try await create(app, auth, wound: wound, length: original.count)
            XCTAssertEqual(created.status, .created)
            XCTAssertEqual(created.headers.first(name: "Tus-Resumable"), "1.0.0")
            XCTAssertNotNil(created.headers.first(name: "Upload-Expires"))
            let url = try XCTUnwrap(created.headers.first(name: .location))
            XCTAssertTrue(url.hasPrefix("/api/v1/uploads/"))

            let half = original.count / 2
            let first = try await patch(app, auth, url, offset: 0, original.prefix(half))
            XCTAssertEqual(first.status, .noContent)
            XCTAssertEqual(first.headers.first(name: "Upload-Offset"), String(half))
            // The connection "dropped": the client asks where the upload stands, and resumes from there.
            let head = try await app.sendRequest(.HEAD, url, headers: tusHeaders(auth))
            XCTAssertEqual(head.status, .ok)
            XCTAssertEqual(head.headers.first(name: "Upload-Offset"), String(half))
            XCTAssertEqual(head.headers.first(name: "Upload-Length"), String(original.count))
            XCTAssertEqual(head.headers.first(name: "Cache-Control"), "no-store")
            let wrongOffset = try await patch(app, auth, url, offset: 0, original.prefix(10))
            XCTAssertEqual(wrongOffset.status, .conflict)
            let rest = original.suffix(from: original.startIndex + half)
            let badSum = try await patch(
                app, auth, url, offset: half, rest,
                checksum: "sha1 " + Data(Insecure.SHA1.hash(data: Data("other".utf8))).base64EncodedString())
            XCTAssertEqual(badSum.status.code, 460)
            let done = try await patch(
                app, auth, url, offset: half, rest,
                checksum: "sha1 " + Data(Insecure.SHA1.hash(data: rest)).base64EncodedString())
            XCTAssertEqual(done.status, .noContent, done.body.string)
            XCTAssertEqual(done.headers.first(name: "Upload-Offset"), String(original.count))
            let photoID = try XCTUnwrap(done.headers.first(name: "CareSync-Photo-Id"))

            let img = try await HTTP.send(app, .GET, Site.apiPhoto.path(UUID(uuidString: photoID)!), headers: auth)
            XCTAssertEqual(img.status, .ok)
            XCTAssertEqual(img.headers.contentType, .jpeg)
            XCTAssertEqual(img.headers.first(name: .cacheControl), "private, no-store, max-age=0")
            let stored = Data(buffer: img.body)
            let seen = try await ImageFixtures.inspect(stored)
            XCTAssertEqual([seen.width, seen.height], [32, 64], "orientation 6 was applied to the pixels")
            for field in ["GPS", "exif", "Orientation", "orientation"] {
                XCTAssertFalse(seen.fields.contains(field), "\(field) survived:\n\(seen.fields)")
            }
            XCTAssertNil(stored.range(of: Data("Exif".utf8)))

            let list = try await HTTP.send(
                app, .GET, Site.apiPatientWounds.path(patient.patientID!), headers: auth)
            let photos = try list.content.decode([Wound].self)[0].photos
            XCTAssertEqual(photos.map(\.id.uuidString), [photoID])
            XCTAssertEqual(
                photos[0].sha256, BackupCrypto.hex(SHA256.hash(data: stored)), "content-addressed by SHA-256")
            XCTAssertTrue(blobFiles(app).contains { $0.contains(photos[0].sha256) })
            let thumb = try await HTTP.send(
                app, .GET, Site.apiPhotoThumbnail.path(UUID(uuidString: photoID)!), headers: auth)
            XCTAssertEqual(thumb.status, .ok)
            XCTAssertEqual(uploadsDir(app), [], "the partial file is gone")
            let reads = try await Fixtures.auditRows(app, action: .read, patientID: patient.patientID).filter {
                $0.category == "photos"
            }
            XCTAssertGreaterThanOrEqual(reads.count, 3, "list, image and thumbnail reads are audited")
        }
    }

    func test_malformedFiles_areRefusedWithAClearMessage_andLeaveNothingBehind() async throws {
        try await withTestApp { app, clock in
            let patient = try await Fixtures.patientUser(app)
            let auth = try await Fixtures.bearer(app, patient, clock: clock)
            let wound = try await newWound(app, auth, patient: patient.patientID!)
            let good = try await ImageFixtures.image(width: 200, height: 150, ext: "jpg")
            let cases: [(String, Data, String)] = [
                (
                    "wrong magic bytes", Data("hello, this is plain text and not an image at all".utf8),
                    "not an image CareSync accepts"
                ),
                ("truncated JPEG", good.prefix(good.count / 2), "incomplete"),
                ("20000×20000 PNG", ImageFixtures.hugePNG(), "20000 × 20000 pixels"),
                (
                    "PDF named .jpg", Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n".utf8),
                    "a PDF document"
                ),
            ]
            for (name, data, message) in cases {
                let res = try await upload(app, auth, wound: wound, data)
                XCTAssertEqual(res.status, .unprocessableEntity, name)
                XCTAssertTrue(res.body.string.contains(message), "\(name): \(res.body.string)")
            }
            let empty = try await create(app, auth, wound: wound, length: 0)
            XCTAssertEqual(empty.status, .unprocessableEntity)
            XCTAssertTrue(empty.body.string.contains("The file is empty."))
            let tooBig = try await create(app, auth, wound: wound, length: 26 * 1024 * 1024)
            XCTAssertEqual(tooBig.status, .payloadTooLarge)

            let photos = try await PhotoRecord.query(on: app.db).count()
            let uploads = try await UploadRecord.query(on: app.db).count()
            XCTAssertEqual(photos, 0)
            XCTAssertEqual(uploads, 0)
            XCTAssertEqual(uploadsDir(app), [])
            XCTAssertEqual(blobFiles(app), [])

            // HEIC and PNG are recognised by content and accepted.
            for ext in ["heic", "png"] {
                let ok = try await upload(
                    app, auth, wound: wound, try ImageFixtures.image(width: 120, height: 90, ext: ext))
                XCTAssertEqual(ok.status, .noContent, "\(ext): \(ok.body.string)")
            }
            let accepted = try await PhotoRecord.query(on: app.db).all()
            XCTAssertEqual(accepted.map { [$0.width, $0.height] }, [[120, 90], [120, 90]])
        }
    }

    func test_photos_areOnlyForThePatientAndClinicalStaff_andUploadsOnlyForTheirOwner() async throws {
        try await withTestApp { app, clock in
            let owner = try await Fixtures.patientUser(app, family: "Owner")
            let other = try await Fixtures.patientUser(app, family: "Other")
            let ownerAuth = try await Fixtures.bearer(app, owner, clock: clock)
            let otherAuth = try await Fixtures.bearer(app, other, clock: clock)
            let wound = try await newWound(app, ownerAuth, patient: owner.patientID!)
            let res = try await upload(
                app, ownerAuth, wound: wound, try ImageFixtures.image(width: 80, height: 60, ext: "jpg"))
            let photoID = try XCTUnwrap(res.headers.first(name: "CareSync-Photo-Id"))

            let provider = try await Fixtures.bearer(app, try await Fixtures.user(app, .provider), clock: clock)
            let desk = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let seenByProvider = try await HTTP.send(
                app, .GET, Site.apiPhoto.path(UUID(uuidString: photoID)!), headers: provider)
            XCTAssertEqual(seenByProvider.status, .ok)
            for (who, auth, expected) in [
                ("another patient", otherAuth, HTTPStatus.forbidden), ("front desk", desk, .forbidden),
                ("nobody", HTTPHeaders(), .unauthorized),
            ] {
                let img = try await HTTP.send(app, .GET, Site.apiPhoto.path(UUID(uuidString: photoID)!), headers: auth)
                XCTAssertEqual(img.status, expected, who)
                let list = try await HTTP.send(
                    app, .GET, Site.apiPatientWounds.path(owner.patientID!), headers: auth)
                XCTAssertEqual(list.status, expected, who)
            }
            // Another patient cannot add a photo to this wound, nor touch this patient's upload.
            let intrusion = try await create(app, otherAuth, wound: wound, length: 100)
            XCTAssertEqual(intrusion.status, .forbidden)
            let pending = try await create(app, ownerAuth, wound: wound, length: 100)
            let url = pending.headers.first(name: .location)!
            let peek = try await app.sendRequest(.HEAD, url, headers: tusHeaders(otherAuth))
            XCTAssertEqual(peek.status, .notFound)
            let steal = try await app.sendRequest(.DELETE, url, headers: tusHeaders(otherAuth))
            XCTAssertEqual(steal.status, .notFound)
            let cancel = try await app.sendRequest(.DELETE, url, headers: tusHeaders(ownerAuth))
            XCTAssertEqual(cancel.status, .noContent)
            let gone = try await app.sendRequest(.HEAD, url, headers: tusHeaders(ownerAuth))
            XCTAssertEqual(gone.status, .notFound)

            // Measurements: clinicians only, in range.
            let m = try await HTTP.send(
                app, .PATCH, Site.apiPhoto.path(UUID(uuidString: photoID)!), headers: provider,
                json: ["lengthMm": 12.5, "widthMm": 8.0, "depthMm": 1.5])
            XCTAssertEqual(m.status, .ok, m.body.string)
            XCTAssertEqual(try m.content.decode(Photo.self).lengthMm, 12.5)
            let byPatient = try await HTTP.send(
                app, .PATCH, Site.apiPhoto.path(UUID(uuidString: photoID)!), headers: ownerAuth, json: ["lengthMm": 1.0]
            )
            XCTAssertEqual(byPatient.status, .forbidden)
            let wrong = try await HTTP.send(
                app, .PATCH, Site.apiPhoto.path(UUID(uuidString: photoID)!), headers: provider,
                json: ["lengthMm": 900.0])
            XCTAssertEqual(wrong.status, .unprocessableEntity)
            XCTAssertTrue(wrong.body.string.contains("between 0 and 500 mm"))
            let denied = try await Fixtures.auditRows(app, action: .accessDenied)
            XCTAssertGreaterThanOrEqual(denied.count, 4, "denials are audited")
        }
    }

    func test_portalPhotoPage_andStaffTimeline() async throws {
        try await withTestApp { app, clock in
            let patient = try await Fixtures.patientUser(app, family: "Pages")
            let auth = try await Fixtures.bearer(app, patient, clock: clock)
            let web = PageClient(app)
            try await web.signIn(patient, clock: clock, portal: true)
            let bad = try await web.post(Site.portalWounds.path(), ["bodySite": "", "side": "middle"])
            XCTAssertEqual(bad.status, .unprocessableEntity)
            XCTAssertTrue(bad.body.string.contains("Side must be left, right, both or n/a."))
            let added = try await web.post(Site.portalWounds.path(), ["bodySite": "heel", "side": "right"])
            XCTAssertEqual(added.headers.first(name: .location), Site.portalPhotos.path())
            let wounds = try await HTTP.send(
                app, .GET, Site.apiPatientWounds.path(patient.patientID!), headers: auth)
            let wound = try wounds.content.decode([Wound].self)[0].id
            for _ in 0..<2 {
                _ = try await upload(
                    app, auth, wound: wound, try ImageFixtures.image(width: 90, height: 60, ext: "jpg"));
                clock.advance(by: 120)
            }

            let page = try await web.get(Site.portalPhotos.path())
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.body.string.contains("heel (right)"))
            XCTAssertEqual(page.body.string.components(separatedBy: "/thumbnail\"").count - 1, 2)
            XCTAssertTrue(page.body.string.contains("capture=\"environment\""))
            let firstPhoto = try await PhotoRecord.query(on: app.db).first()
            let thumbID = try XCTUnwrap(firstPhoto?.id)
            let thumb = try await web.get(Site.portalPhotoThumbnail.path(thumbID))
            XCTAssertEqual(thumb.status, .ok)

            let provider = try await Fixtures.user(app, .provider)
            let staff = PageClient(app)
            try await staff.signIn(provider, clock: clock)
            let timeline = try await staff.get(Site.patientWounds.path(patient.patientID!))
            XCTAssertEqual(timeline.status, .ok)
            XCTAssertTrue(timeline.body.string.contains("2 photos, oldest first"))
            let saved = try await staff.post(
                Site.photoMeasure.path(thumbID), ["lengthMm": "14", "widthMm": "9,5", "depthMm": ""])
            XCTAssertEqual(saved.status, .seeOther)
            let measured = try await PhotoRecord.find(thumbID, on: app.db)
            XCTAssertEqual(measured?.widthMM, 9.5)
            XCTAssertNil(measured?.depthMM)
            // The patient's own photo URLs do not open staff pages, and the staff image URL needs staff.
            let patientOnStaffURL = try await web.get(Site.photo.path(thumbID))
            XCTAssertNotEqual(patientOnStaffURL.status, .ok)
        }
    }

    func test_woundTrend_rules() {
        let day: TimeInterval = 86400
        let t0 = Date(timeIntervalSince1970: 1_790_000_000)
        let points = [
            WoundTrend.Point(day: "2026-09-21", at: t0, lengthMm: 20, widthMm: 10),
            WoundTrend.Point(day: "2026-10-05", at: t0 + 14 * day, lengthMm: 16, widthMm: 9),
            WoundTrend.Point(day: "2026-10-19", at: t0 + 28 * day, lengthMm: 12, widthMm: 10),
        ]
        XCTAssertEqual(WoundTrend.areaChange(points), -40)
        XCTAssertEqual(WoundTrend.summary(points), "Area 40 % smaller than on 2026-09-21 (4 weeks).")
        XCTAssertNil(WoundTrend.areaChange(Array(points.prefix(1))), "one photo is no trend")
        let svg = try? XCTUnwrap(WoundTrend.svg(points, title: #"<heel> "left""#))
        XCTAssertTrue(svg?.contains("&lt;heel&gt; &quot;left&quot;") == true, "the title is escaped")
        XCTAssertEqual(svg?.components(separatedBy: "<circle").count, 4, "a dot per measured photo")
        XCTAssertNil(WoundTrend.svg([], title: "x"))
        XCTAssertTrue(FootSites.isNamed("Heel (underneath)"))
        XCTAssertEqual(Set(FootSites.all.map(\.name)).count, FootSites.all.count)
    }

    func test_staffAddsAWoundOnTheDiagram_seesItsSizeChart_andComparesTwoPhotos() async throws {
        try await withTestApp { app, clock in
            let patient = try await Fixtures.patientUser(app, family: "Trend")
            let pid = try XCTUnwrap(patient.patientID)
            let other = try await Fixtures.patientUser(app, family: "Nottrend")
            let auth = try await Fixtures.bearer(app, patient, clock: clock)
            let staff = PageClient(app)
            try await staff.signIn(try await Fixtures.user(app, .provider), clock: clock)
            let form = try await staff.get(Site.patientWounds.path(pid)).body.string
            XCTAssertTrue(form.contains(#"id="site-9""#) && form.contains("Heel (underneath)"), "the site picker")
            let missing = try await staff.post(
                Site.patientWounds.path(pid), ["bodySite": "other", "bodySiteOther": "", "side": "left"])
            XCTAssertEqual(missing.status, .unprocessableEntity)
            XCTAssertTrue(missing.body.string.contains("Say where the wound is"))
            let added = try await staff.post(
                Site.patientWounds.path(pid), ["bodySite": "Heel (underneath)", "side": "left"])
            XCTAssertEqual(added.status, .seeOther)
            let found = try await WoundRecord.query(on: app.db).filter(\.$patientID == pid).first()
            let wound = try XCTUnwrap(found)
            XCTAssertEqual(wound.bodySite, "Heel (underneath)")
            let elsewhere = try await HTTP.send(
                app, .POST, Site.apiPatientWounds.path(pid), headers: auth,
                json: PhotoStore.WoundInput(bodySite: "other", side: "right", bodySiteOther: "Shin"))
            XCTAssertEqual(try elsewhere.content.decode(Wound.self).photos.count, 0)

            var photos: [UUID] = []
            for (l, w) in [("20", "10"), ("16", "9"), ("12", "10")] {
                let res = try await upload(
                    app, auth, wound: wound.id!, try ImageFixtures.image(width: 90, height: 60, ext: "jpg"))
                XCTAssertEqual(res.status, .noContent, res.body.string)
                let newest = try await PhotoRecord.query(on: app.db).sort(\.$uploadedAt, .descending).first()
                let id = try XCTUnwrap(newest?.id)
                photos.append(id)
                _ = try await staff.post(Site.photoMeasure.path(id), ["lengthMm": l, "widthMm": w])
                clock.advance(by: 60)
            }
            // Taken two weeks apart (a session would not last that long on the test clock: the rows are dated).
            for (i, id) in photos.enumerated() {
                let row = try await PhotoRecord.find(id, on: app.db)
                row?.uploadedAt = clock.now().addingTimeInterval(Double(i - 2) * 14 * 86400)
                try await row?.save(on: app.db)
            }
            let timeline = try await staff.get(Site.patientWounds.path(pid)).body.string
            XCTAssertTrue(timeline.contains("<svg class=\"trend\""), "the size chart")
            XCTAssertTrue(timeline.contains("Area 40 % smaller than on"), timeline)
            let compare = try await staff.get(
                Site.patientWoundsCompare.path(pid) + "?a=\(photos[2].uuidString)&b=\(photos[0].uuidString)")
            XCTAssertEqual(compare.status, .ok)
            XCTAssertTrue(compare.body.string.contains("Area 40 % smaller on"))
            XCTAssertEqual(compare.body.string.components(separatedBy: "class=\"compare-photo\"").count, 3)

            // Another patient's chart cannot be used to see these photos.
            let leak = try await staff.get(
                Site.patientWoundsCompare.path(other.patientID!)
                    + "?a=\(photos[0].uuidString)&b=\(photos[1].uuidString)")
            XCTAssertEqual(leak.status, .notFound)
            let desk = PageClient(app)
            try await desk.signIn(try await Fixtures.user(app, .frontDesk), clock: clock)
            let v1 = try await desk.get(
                Site.patientWoundsCompare.path(pid) + "?a=\(photos[0].uuidString)&b=\(photos[1].uuidString)"
            ).status
            XCTAssertEqual(v1, .forbidden)
        }
    }

    func test_scriptFreeUpload_isOneMultipartPost_withTheSameChecks() async throws {
        try await withTestApp { app, clock in
            let patient = try await Fixtures.patientUser(app, family: "NoScript")
            let auth = try await Fixtures.bearer(app, patient, clock: clock)
            let wound = try await newWound(app, auth, patient: patient.patientID!)
            let web = PageClient(app)
            try await web.signIn(patient, clock: clock, portal: true)
            _ = try await web.get(Site.portalPhotos.path())
            func post(_ file: Data, csrf: String?) async throws -> XCTHTTPResponse {
                let boundary = "caresync-test-boundary"
                var body = Data()
                for (k, v) in [("_csrf", csrf), ("woundId", wound.uuidString)] where v != nil {
                    body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v!)\r\n".utf8)
                }
                body += Data(
                    ("--\(boundary)\r\nContent-Disposition: form-data; name=\"photo\"; "
                        + "filename=\"IMG_1.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").utf8)
                body += file + Data("\r\n--\(boundary)--\r\n".utf8)
                var h = HTTPHeaders()
                h.add(name: .cookie, value: web.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
                h.add(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
                return try await app.sendRequest(
                    .POST, Site.portalPhotosUpload.path(), headers: h, body: ByteBuffer(data: body))
            }
            let forged = try await post(try ImageFixtures.jpegWithGPS(), csrf: nil)
            XCTAssertEqual(forged.status, .forbidden, "the form's CSRF token is required")
            let pdf = try await post(Data("%PDF-1.4 not a photo".utf8), csrf: web.cookies["cs_csrf"])
            XCTAssertEqual(pdf.status, .unprocessableEntity)
            XCTAssertTrue(pdf.body.string.contains("a PDF document"))
            let ok = try await post(try ImageFixtures.jpegWithGPS(), csrf: web.cookies["cs_csrf"])
            XCTAssertEqual(ok.headers.first(name: .location), Site.portalPhotos.path() + "?uploaded=1")
            let photos = try await PhotoRecord.query(on: app.db).all()
            XCTAssertEqual(photos.count, 1)
            XCTAssertEqual(uploadsDir(app), [])
            let script = try await app.sendRequest(.GET, Site.assetsUploadScript.path())
            XCTAssertEqual(script.status, .ok)
            XCTAssertTrue(script.body.string.contains("Tus-Resumable"))
        }
    }
}
