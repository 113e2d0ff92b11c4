import Vapor
import AppCore
import Photos

/// Messaging's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum MessagingRoutes {
    package static func register(routes: SiteRoutes) {
        routes.staff.get(Site.inbox.route, use: MessageController.inboxPage)
        routes.staff.get(Site.inboxThread.route, use: MessageController.threadPage)
        routes.staff.on(
            .POST, Site.inboxReply.route, body: .collect(maxSize: UploadLimits.maxBody),
            use: MessageController.replyPage)
        routes.staff.post(Site.inboxAssign.route, use: MessageController.assignPage)
        routes.portal.get(Site.portalMessages.route, use: MessageController.portalList)
        routes.portal.on(
            .POST, Site.portalMessages.route, body: .collect(maxSize: UploadLimits.maxBody),
            use: MessageController.portalStart
        )
        routes.portal.get(Site.portalMessage.route, use: MessageController.threadPage)
        routes.portal.on(
            .POST, Site.portalMessageReply.route, body: .collect(maxSize: UploadLimits.maxBody),
            use: MessageController.replyPage)
        routes.api.get(Site.apiPatientConversations.route, use: MessageController.listAPI)
        routes.api.post(Site.apiPatientConversations.route, use: MessageController.startAPI)
        routes.api.get(Site.apiConversation.route, use: MessageController.readAPI)
        routes.api.post(Site.apiConversationMessages.route, use: MessageController.replyAPI)
        routes.api.patch(Site.apiConversation.route, use: MessageController.assignAPI)
        routes.api.get(Site.apiInbox.route, use: MessageController.inboxAPI)
    }
}
