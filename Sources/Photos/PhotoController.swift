import Vapor
import Plot
import Domain
import AppCore
import Locations
import Patients

/// Wound photos: the JSON API, the image downloads (never cached by shared proxies), the portal's photo page with a
/// small resumable-upload script, and the staff wound timeline with measurements.
package enum PhotoController {
    // MARK: API

    @Sendable package static func createWound(req: Request) async throws -> Response {
        let w = try await req.photos().createWound(
            patientID: try req.idParameter("patient"), try req.decodeJSON(PhotoStore.WoundInput.self))
        return try await w.encodeResponse(status: .created, for: req)
    }

    @Sendable package static func wounds(req: Request) async throws -> [PhotoStore.WoundDTO] {
        try await req.photos().wounds(patientID: try req.idParameter("patient"))
    }

    @Sendable package static func measure(req: Request) async throws -> PhotoStore.PhotoDTO {
        try await req.photos().measure(try req.idParameter("photo"), try req.decodeJSON(PhotoStore.Measurement.self))
    }

    // MARK: image bytes

    @Sendable package static func image(req: Request) async throws -> Response {
        try await serve(req, thumbnail: false)
    }
    @Sendable package static func thumbnail(req: Request) async throws -> Response {
        try await serve(req, thumbnail: true)
    }

    package static func serve(_ req: Request, thumbnail: Bool) async throws -> Response {
        let data = try await req.photos().download(try req.idParameter("photo"), thumbnail: thumbnail)
        return privateFile(data, contentType: "image/jpeg", disposition: "inline")
    }

    /// PHI as a file: only the browser that asked may keep it, and only in memory.
    package static func privateFile(_ data: Data, contentType: String, disposition: String) -> Response {
        let res = Response(status: .ok, body: .init(data: data))
        res.headers.replaceOrAdd(name: .contentType, value: contentType)
        res.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store, max-age=0")
        res.headers.replaceOrAdd(name: .pragma, value: "no-cache")
        res.headers.replaceOrAdd(name: "Content-Disposition", value: disposition)
        return res
    }

    @Sendable package static func attachment(req: Request) async throws -> Response {
        let a = try await req.photos().downloadAttachment(try req.idParameter("attachment"))
        return privateFile(
            a.data, contentType: a.contentType,
            disposition: a.kind == .pdf ? "attachment; filename=\"attachment.pdf\"" : "inline")
    }

    // MARK: portal

    @Sendable package static func portalPage(req: Request) async throws -> Response {
        let pid = try req.portalPatientID()
        let wounds = try await req.photos().wounds(patientID: pid)
        return Layout.render(
            PortalPhotosPage(
                wounds: wounds, uploaded: req.query[String.self, at: "uploaded"] != nil,
                zone: try await LocationRecord.homeZone(on: req.db)
            ).render(for: req))
    }

    @Sendable package static func portalAddWound(req: Request) async throws -> Response {
        let pid = try req.portalPatientID()
        let input = try req.content.decode(PhotoStore.WoundInput.self)
        do {
            _ = try await req.photos().createWound(patientID: pid, input)
            return req.redirect(to: Site.portalPhotos.path())
        } catch AppError.validation(let errors) {
            let wounds = try await req.photos().wounds(patientID: pid)
            return Layout.render(
                PortalPhotosPage(
                    wounds: wounds, errors: errors, input: input, zone: try await LocationRecord.homeZone(on: req.db)
                ).render(for: req),
                status: .unprocessableEntity)
        }
    }

    /// The script-free upload: the whole file in one multipart request, through the same checks and processing.
    @Sendable package static func portalUpload(req: Request) async throws -> Response {
        let pid = try req.portalPatientID()
        struct Form: Content {
            package var woundId: String?
            package var photo: File?
        }
        let f = try req.content.decode(Form.self)
        let store = try req.photos()
        do {
            guard let file = f.photo, file.data.readableBytes > 0 else {
                throw AppError.validation([FieldError("file", "Choose a photo first.")])
            }
            let data = Data(buffer: file.data)
            let u = try await store.startUpload(length: data.count, metadata: ["woundId": f.woundId ?? ""])
            _ = try await store.append(u.id, offset: 0, chunk: data, checksum: nil)
            return req.redirect(to: Site.portalPhotos.path() + "?uploaded=1")
        } catch AppError.validation(let errors) {
            let wounds = try await store.wounds(patientID: pid)
            return Layout.render(
                PortalPhotosPage(
                    wounds: wounds, uploadErrors: errors, zone: try await LocationRecord.homeZone(on: req.db)
                ).render(for: req), status: .unprocessableEntity)
        }
    }

    /// The upload client, served as a file: the Content-Security-Policy allows no inline script.
    @Sendable package static func uploadScript(req: Request) async throws -> Response {
        Layout.script(PortalPhotosPage.uploadScript, cacheControl: "public, max-age=300")
    }

    // MARK: staff

    @Sendable package static func timeline(req: Request) async throws -> Response {
        try await timelinePage(req, try req.idParameter("patient"))
    }

    static func timelinePage(
        _ req: Request, _ pid: UUID, input: PhotoStore.WoundInput = .init(), errors: [FieldError] = [],
        status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let patient = try await req.patients().find(pid, detail: "wound timeline")
        let wounds = try await req.photos().wounds(patientID: pid)
        let principal = try req.principal()
        var page = WoundTimelinePage(
            patient: patient, wounds: wounds,
            canMeasure: AccessPolicy.decide(principal, .measureWound(patientID: pid)).isAllowed)
        page.canAdd = AccessPolicy.decide(principal, .uploadPhoto(patientID: pid)).isAllowed
        page.zone = try await LocationRecord.homeZone(on: req.db)
        page.input = input
        page.errors = errors
        return Layout.render(page.render(for: req), status: status)
    }

    /// The wounds page's "add a wound" (the site picked on the foot diagram).
    @Sendable package static func addWoundFromPage(req: Request) async throws -> Response {
        let pid = try req.idParameter("patient")
        let input = try req.content.decode(PhotoStore.WoundInput.self)
        do {
            let w = try await req.photos().createWound(patientID: pid, input)
            return req.redirect(to: Site.patientWounds.path(pid) + "#wound-\(w.id.uuidString)")
        } catch AppError.validation(let errors) {
            return try await timelinePage(req, pid, input: input, errors: errors, status: .unprocessableEntity)
        }
    }

    /// Two photos of one wound side by side (`a` and `b`: photo ids of this patient's wound).
    @Sendable package static func compare(req: Request) async throws -> Response {
        let pid = try req.idParameter("patient")
        let patient = try await req.patients().find(pid, detail: "wound photo comparison")
        let wounds = try await req.photos().wounds(patientID: pid)
        func photo(_ key: String) -> (PhotoStore.WoundDTO, PhotoStore.PhotoDTO)? {
            guard let id = req.query[String.self, at: key].flatMap(UUID.init(uuidString:)) else { return nil }
            for w in wounds { if let p = w.photos.first(where: { $0.id == id }) { return (w, p) } }
            return nil
        }
        guard let (wound, a) = photo("a"), let (other, b) = photo("b"), wound.id == other.id else {
            throw AppError.notFound("Choose two photos of the same wound of this patient.")
        }
        return Layout.render(
            WoundComparePage(
                patient: .init(id: pid, name: "\(patient.familyName), \(patient.givenName)"), wound: wound, a: a, b: b,
                zone: try await LocationRecord.homeZone(on: req.db)
            ).render(for: req))
    }

    @Sendable package static func measureFromPage(req: Request) async throws -> Response {
        struct Form: Content {
            package var lengthMm: String?
            package var widthMm: String?
            package var depthMm: String?
        }
        let f = try req.content.decode(Form.self)
        func number(_ name: String, _ s: String?) throws -> Double? {
            guard let t = Text.clean(s) else { return nil }
            guard let v = Double(t.replacingOccurrences(of: ",", with: ".")) else {
                throw AppError.validation([FieldError(name, "\(name.capitalized) must be a number of millimetres.")])
            }
            return v
        }
        let id = try req.idParameter("photo")
        let photo = try await req.photos().measure(
            id,
            .init(
                lengthMm: try number("length", f.lengthMm), widthMm: try number("width", f.widthMm),
                depthMm: try number("depth", f.depthMm)))
        return req.redirect(to: Site.patientWounds.path(photo.patientId) + "#photo-\(id.uuidString)")
    }
}

extension HTTPHeaders.Name { package static let pragma = HTTPHeaders.Name("Pragma") }

package struct PortalPhotosPage {
    /// "right", or "derecho" in Spanish.
    static func side(_ side: String, _ t: Translator) -> String {
        t(side == "n/a" ? "Not applicable" : side.capitalized).lowercased()
    }

    package let wounds: [PhotoStore.WoundDTO]
    package var uploaded = false
    package var errors: [FieldError] = []
    package var input = PhotoStore.WoundInput()
    package var uploadErrors: [FieldError] = []
    /// The day a photo came in, in the practice's own zone.
    package var zone = TimeZone(identifier: "UTC")!

    package func render(for req: Request) -> String {
        let t = req.tr
        return Layout.page(
            "My wound photos", req: req,
            .div(
                .h1(.text(t("My wound photos"))),
                .if(
                    uploaded,
                    .p(
                        .class("notice"), .id("upload-done"),
                        .text(t("Photo received. Location and camera details were removed.")))),
                FormKit.errorSummary(uploadErrors, t: t),
                .p(
                    .text(
                        t(
                            "Take a photo in good light, straight on, with the whole wound in view. Your care team "
                                + "sees each photo; location data is removed before it is stored."))),
                .forEach(wounds) { w in
                    .div(
                        .class("card"), .id("wound-\(w.id.uuidString)"),
                        .h2(.text("\(w.bodySite) (\(Self.side(w.side, t)))")),
                        .div(
                            .class("photo-row"),
                            .forEach(w.photos) { p in
                                .div(
                                    .class("photo"),
                                    .img(
                                        .src(Site.portalPhotoThumbnail.path(p.id)),
                                        .alt(
                                            t(
                                                "Photo of {date}",
                                                ["date": Format.day(p.uploadedAt, zone: zone, language: t.language)])),
                                        .attribute(named: "width", value: "160")),
                                    .p(
                                        .class("caption"),
                                        .text(Format.day(p.uploadedAt, zone: zone, now: req.now, language: t.language)))
                                )
                            }),
                        .if(w.photos.isEmpty, .p(.text(t("No photos yet.")))),
                        // Works without JavaScript (one request); with it, the script uploads in resumable chunks
                        // (tus).
                        .form(
                            .class("tus-upload"), .action(Site.portalPhotosUpload.path()), .method(.post),
                            .enctype(.multipartData),
                            .attribute(named: "data-wound", value: w.id.uuidString),
                            // The script's own words, in the patient's language.
                            .attribute(named: "data-msg-choose", value: t("Choose a photo first.")),
                            .attribute(named: "data-msg-uploading", value: t("Uploading…")),
                            .attribute(
                                named: "data-msg-dropping",
                                value: t("The connection keeps dropping; try again later. Your upload will resume.")),
                            .div(
                                FormKit.csrf(req),
                                .input(.type(.hidden), .name("woundId"), .value(w.id.uuidString)),
                                .label(
                                    .text(t("Add a photo")),
                                    .input(
                                        .type(.file), .name("photo"),
                                        .attribute(named: "accept", value: "image/jpeg,image/png,image/heic,.heic"),
                                        .attribute(named: "capture", value: "environment"))),
                                .button(.type(.submit), .text(t("Upload"))),
                                .element(
                                    named: "progress",
                                    nodes: [
                                        .attribute(named: "max", value: "100"), .attribute(named: "value", value: "0"),
                                        .attribute(named: "hidden", value: ""),
                                    ]),
                                .p(.class("upload-status"), .attribute(named: "role", value: "status"))
                            ))
                    )
                },
                .div(
                    .class("card"),
                    .h2(.text(t("Add a wound"))),
                    FormKit.errorSummary(errors, t: t),
                    .form(
                        .action(Site.portalWounds.path()), .method(.post),
                        .div(
                            FormKit.csrf(req),
                            FootSitePicker(input: input, errors: t.errors(errors), t: t).render(),
                            .button(.type(.submit), .id("add-wound"), .text(t("Add wound")))
                        ))),
                .element(
                    named: "meta",
                    nodes: [
                        .attribute(named: "name", value: "csrf"), .attribute(named: "content", value: req.csrfToken),
                    ]),
                .script(.src(Site.assetsUploadScript.path()))
            ))
    }

    /// A small tus 1.0 client: creates the upload, sends 256 KB chunks, and after a dropped connection asks the server
    /// (HEAD) where it stands and resumes from there. A reload resumes too (the upload's URL is kept per file).
    package static let uploadScript = #"""
        (function () {
          var csrf = document.querySelector('meta[name=csrf]').content, CHUNK = 262144, H = {'Tus-Resumable': '1.0.0'};
          function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
          function headers(extra) { var h = Object.assign({}, H, {'X-CSRF-Token': csrf});
            return Object.assign(h, extra || {}); }
          async function problem(res) { try { var p = await res.json();
            return (p.errors && p.errors[0] && p.errors[0].message) || p.detail; } catch (e) {
            return 'Upload failed (' + res.status + ').'; } }
          async function where(url) { var r = await fetch(url, {method: 'HEAD', headers: H});
            if (r.status !== 200) return null; return +r.headers.get('Upload-Offset'); }
          async function upload(file, wound, progress, dropping) {
            var key = 'tus:' + wound + ':' + file.name + ':' + file.size + ':' + file.lastModified,
              url = localStorage.getItem(key), offset = 0;
            if (url) { offset = await where(url); if (offset === null) { url = null; offset = 0; } }
            if (!url) {
              var c = await fetch('/portal/uploads', {method: 'POST',
                headers: headers({'Upload-Length': String(file.size), 'Upload-Metadata': 'woundId ' + btoa(wound)})});
              if (c.status !== 201) throw new Error(await problem(c));
              url = c.headers.get('Location'); localStorage.setItem(key, url);
            }
            var failures = 0, res = null;
            while (true) {
              try {
                res = await fetch(url, {method: 'PATCH', headers: headers({'Upload-Offset': String(offset),
                  'Content-Type': 'application/offset+octet-stream'}), body: file.slice(offset, offset + CHUNK)});
              } catch (e) {
                if (++failures > 30)
                  throw new Error(dropping);
                await sleep(Math.min(1000 * failures, 5000)); var o = await where(url).catch(function () { return null;
                  }); if (o !== null) offset = o; continue;
              }
              if (res.status === 409) { offset = await where(url); continue; }
              if (res.status !== 204) { localStorage.removeItem(key); throw new Error(await problem(res)); }
              failures = 0; offset = +res.headers.get('Upload-Offset'); progress(offset / file.size);
              if (offset >= file.size) { localStorage.removeItem(key); return res.headers.get('CareSync-Photo-Id'); }
            }
          }
          document.querySelectorAll('form.tus-upload').forEach(function (form) {
            form.addEventListener('submit', async function (ev) {
              ev.preventDefault();
              var file = form.querySelector('input[type=file]').files[0], bar = form.querySelector('progress'),
                status = form.querySelector('.upload-status');
              if (!file) { status.textContent = form.dataset.msgChoose; return; }
              bar.hidden = false; status.textContent = form.dataset.msgUploading;
              try {
                await upload(file, form.dataset.wound, function (f) { bar.value = Math.round(f * 100); },
                  form.dataset.msgDropping);
                location.href = '/portal/photos?uploaded=1';
              } catch (e) { status.textContent = e.message; status.className = 'upload-status notice bad'; }
            });
          });
        })();
        """#
}

package struct WoundTimelinePage {
    package let patient: PatientDTO
    package let wounds: [PhotoStore.WoundDTO]
    package let canMeasure: Bool
    package var canAdd = false
    package var zone = TimeZone(identifier: "UTC")!
    package var input = PhotoStore.WoundInput()
    package var errors: [FieldError] = []

    package init(patient: PatientDTO, wounds: [PhotoStore.WoundDTO], canMeasure: Bool) {
        self.patient = patient
        self.wounds = wounds
        self.canMeasure = canMeasure
    }

    /// Pick two photos of the wound to see side by side: the first and the newest to begin with.
    func compareForm(_ w: PhotoStore.WoundDTO) -> Node<HTML.BodyContext> {
        let options = w.photos.map {
            (
                value: $0.id.uuidString,
                label: Format.local($0.uploadedAt, zone: zone)
                    + ($0.lengthMm.map { l in " · \(FormDefinition.plain(l)) mm" } ?? "")
            )
        }
        return .if(
            w.photos.count >= 2,
            .form(
                .class("compare-form noprint"), .action(Site.patientWoundsCompare.path(patient.id)), .method(.get),
                .div(
                    .class("grid2"),
                    FormKit.select("Compare", name: "a", options: options, selected: w.photos.first?.id.uuidString),
                    FormKit.select("with", name: "b", options: options, selected: w.photos.last?.id.uuidString)),
                .button(.type(.submit), .class("secondary"), .text("Side by side"))))
    }

    package func render(for req: Request) -> String {
        let p = patient
        func mm(_ v: Double?) -> String { v.map { String(format: "%.1f mm", $0) } ?? "—" }
        return Layout.page(
            "Wound photos", req: req,
            .div(
                .h1(.text("Wounds: \(p.familyName), \(p.givenName)")),
                .p(.a(.href(Site.patient.path(p.id)), .text("Back to the chart"))),
                .if(wounds.isEmpty, .p(.text("No wounds recorded."))),
                .forEach(wounds) { w in
                    .div(
                        .class("card"), .id("wound-\(w.id.uuidString)"),
                        .h2(.text("\(w.bodySite), \(w.side)")),
                        WoundTrendView(wound: w, zone: zone).render(),
                        compareForm(w),
                        .p(.small(.text("\(w.photos.count) photos, oldest first"))),
                        .div(
                            .class("photo-row"),
                            .forEach(w.photos) { ph in
                                .div(
                                    .class("photo"), .id("photo-\(ph.id.uuidString)"),
                                    .a(
                                        .href(Site.photo.path(ph.id)),
                                        .img(
                                            .src(Site.photoThumbnail.path(ph.id)),
                                            .alt("Photo of \(Format.utc(ph.uploadedAt, "d MMM yyyy"))"),
                                            .attribute(named: "width", value: "160"))),
                                    .p(
                                        .class("caption"), .strong(.text(Format.utc(ph.uploadedAt, "d MMM yyyy"))),
                                        .br(),
                                        .text("L \(mm(ph.lengthMm)) · W \(mm(ph.widthMm)) · D \(mm(ph.depthMm))")),
                                    .if(
                                        canMeasure,
                                        .form(
                                            .action(Site.photoMeasure.path(ph.id)), .method(.post),
                                            .class("measure"),
                                            .div(
                                                FormKit.csrf(req),
                                                FormKit.field(
                                                    "Length (mm)", name: "lengthMm",
                                                    value: ph.lengthMm.map { String($0) }, type: .text),
                                                FormKit.field(
                                                    "Width (mm)", name: "widthMm", value: ph.widthMm.map { String($0) },
                                                    type: .text),
                                                FormKit.field(
                                                    "Depth (mm)", name: "depthMm", value: ph.depthMm.map { String($0) },
                                                    type: .text),
                                                .button(.type(.submit), .text("Save measurements"))
                                            ))))
                            }))
                },
                .if(
                    canAdd,
                    .div(
                        .class("card noprint"), .id("add-wound"),
                        .h2(.text("Add a wound")),
                        FormKit.errorSummary(errors),
                        .form(
                            .action(Site.patientWounds.path(p.id)), .method(.post),
                            .div(
                                FormKit.csrf(req),
                                FootSitePicker(input: input, errors: errors).render(),
                                .button(.type(.submit), .id("add-wound-submit"), .text("Add wound"))))))
            ))
    }
}
