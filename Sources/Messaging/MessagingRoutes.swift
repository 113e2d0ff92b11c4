import Vapor
import AppCore
import Photos

/// Messaging's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum MessagingRoutes {
    package static func register(routes: SiteRoutes) {
        routes.staff.get("inbox", use: MessageController.inboxPage)
        routes.staff.get("inbox", ":id", use: MessageController.threadPage)
        routes.staff.on(
            .POST, "inbox", ":id", "reply", body: .collect(maxSize: TusController.maxChunk),
            use: MessageController.replyPage)
        routes.staff.post("inbox", ":id", "assign", use: MessageController.assignPage)
        routes.portal.get("portal", "messages", use: MessageController.portalList)
        routes.portal.on(
            .POST, "portal", "messages", body: .collect(maxSize: TusController.maxChunk),
            use: MessageController.portalStart
        )
        routes.portal.get("portal", "messages", ":id", use: MessageController.threadPage)
        routes.portal.on(
            .POST, "portal", "messages", ":id", "reply", body: .collect(maxSize: TusController.maxChunk),
            use: MessageController.replyPage)
        routes.api.get("patients", ":id", "conversations", use: MessageController.listAPI)
        routes.api.post("patients", ":id", "conversations", use: MessageController.startAPI)
        routes.api.get("conversations", ":id", use: MessageController.readAPI)
        routes.api.post("conversations", ":id", "messages", use: MessageController.replyAPI)
        routes.api.patch("conversations", ":id", use: MessageController.assignAPI)
        routes.api.get("inbox", use: MessageController.inboxAPI)
    }
}
