import Vapor
import AppCore

/// Photos's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum PhotosRoutes {
    package static func register(routes: SiteRoutes) {
        routes.app.get(Site.assetsUploadScript.route, use: PhotoController.uploadScript)
        routes.staff.get(Site.patientWounds.route, use: PhotoController.timeline)
        routes.staff.post(Site.patientWounds.route, use: PhotoController.addWoundFromPage)
        routes.staff.get(Site.patientWoundsCompare.route, use: PhotoController.compare)
        routes.staff.get(Site.photo.route, use: PhotoController.image)
        routes.staff.get(Site.attachment.route, use: PhotoController.attachment)
        routes.staff.get(Site.photoThumbnail.route, use: PhotoController.thumbnail)
        routes.staff.post(Site.photoMeasure.route, use: PhotoController.measureFromPage)
        routes.portal.get(Site.portalPhotos.route, use: PhotoController.portalPage)
        routes.portal.post(Site.portalWounds.route, use: PhotoController.portalAddWound)
        routes.portal.on(
            .POST, Site.portalPhotosUpload.route, body: .collect(maxSize: UploadLimits.maxBody),
            use: PhotoController.portalUpload)
        routes.portal.get(Site.portalPhoto.route, use: PhotoController.image)
        routes.portal.get(Site.portalAttachment.route, use: PhotoController.attachment)
        routes.portal.get(Site.portalPhotoThumbnail.route, use: PhotoController.thumbnail)
        TusController.register(routes.portal.grouped("portal", "uploads"))
        routes.api.post(Site.apiPatientWounds.route, use: PhotoController.createWound)
        routes.api.get(Site.apiPatientWounds.route, use: PhotoController.wounds)
        routes.api.get(Site.apiPhoto.route, use: PhotoController.image)
        routes.api.get(Site.apiAttachment.route, use: PhotoController.attachment)
        routes.api.get(Site.apiPhotoThumbnail.route, use: PhotoController.thumbnail)
        routes.api.patch(Site.apiPhoto.route, use: PhotoController.measure)
        TusController.register(routes.api.grouped("uploads"))
    }
}
