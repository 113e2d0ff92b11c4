import Vapor
import AppCore

/// Photos's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum PhotosRoutes {
    package static func register(routes: SiteRoutes) {
        routes.app.get("assets", "upload.js", use: PhotoController.uploadScript)
        routes.staff.get("patients", ":id", "wounds", use: PhotoController.timeline)
        routes.staff.get("photos", ":id", use: PhotoController.image)
        routes.staff.get("attachments", ":id", use: PhotoController.attachment)
        routes.staff.get("photos", ":id", "thumbnail", use: PhotoController.thumbnail)
        routes.staff.post("photos", ":id", "measure", use: PhotoController.measureFromPage)
        routes.portal.get("portal", "photos", use: PhotoController.portalPage)
        routes.portal.post("portal", "wounds", use: PhotoController.portalAddWound)
        routes.portal.on(
            .POST, "portal", "photos", "upload", body: .collect(maxSize: TusController.maxChunk),
            use: PhotoController.portalUpload)
        routes.portal.get("portal", "photos", ":id", use: PhotoController.image)
        routes.portal.get("portal", "attachments", ":id", use: PhotoController.attachment)
        routes.portal.get("portal", "photos", ":id", "thumbnail", use: PhotoController.thumbnail)
        TusController.register(routes.portal.grouped("portal", "uploads"))
        routes.api.post("patients", ":id", "wounds", use: PhotoController.createWound)
        routes.api.get("patients", ":id", "wounds", use: PhotoController.wounds)
        routes.api.get("photos", ":id", use: PhotoController.image)
        routes.api.get("attachments", ":id", use: PhotoController.attachment)
        routes.api.get("photos", ":id", "thumbnail", use: PhotoController.thumbnail)
        routes.api.patch("photos", ":id", use: PhotoController.measure)
        TusController.register(routes.api.grouped("uploads"))
    }
}
