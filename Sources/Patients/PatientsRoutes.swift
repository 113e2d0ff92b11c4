import Vapor
import AppCore

/// Patients's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum PatientsRoutes {
    package static func register(routes: SiteRoutes) {
        routes.staff.get("patients", use: PatientPagesController.list)
        routes.staff.get("patients", "new", use: PatientPagesController.newForm)
        routes.staff.post("patients", use: PatientPagesController.create)
        routes.staff.get("patients", ":id", "edit", use: PatientPagesController.editForm)
        routes.staff.post("patients", ":id", "edit", use: PatientPagesController.update)
        routes.staff.get("patients", ":id", "history", use: PatientPagesController.history)
        routes.staff.get("patients", ":id", "print", use: PatientPagesController.printView)
        routes.staff.post("patients", ":id", "retire", use: PatientPagesController.retire)
        routes.api.get("patients", use: PatientAPIController.search)
        routes.api.post("patients", use: PatientAPIController.create)
        routes.api.get("patients", ":id", use: PatientAPIController.read)
        routes.api.patch("patients", ":id", use: PatientAPIController.update)
        routes.api.delete("patients", ":id", use: PatientAPIController.retire)
        routes.api.get("patients", ":id", "history", use: PatientAPIController.history)
        routes.api.get("patients", ":id", "access-log", use: PatientAPIController.accessLog)
        routes.api.get("patients", ":id", "export", use: PatientAPIController.export)
    }
}
