import Vapor
import AppCore

/// Patients's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum PatientsRoutes {
    package static func register(routes: SiteRoutes) {
        routes.staff.get(Site.patients.route, use: PatientPagesController.list)
        routes.staff.get(Site.patientsNew.route, use: PatientPagesController.newForm)
        routes.staff.post(Site.patients.route, use: PatientPagesController.create)
        routes.staff.get(Site.patientEdit.route, use: PatientPagesController.editForm)
        routes.staff.post(Site.patientEdit.route, use: PatientPagesController.update)
        routes.staff.get(Site.patientHistory.route, use: PatientPagesController.history)
        routes.staff.get(Site.patientPrint.route, use: PatientPagesController.printView)
        routes.staff.post(Site.patientRetire.route, use: PatientPagesController.retire)
        routes.api.get(Site.apiPatients.route, use: PatientAPIController.search)
        routes.api.post(Site.apiPatients.route, use: PatientAPIController.create)
        routes.api.get(Site.apiPatient.route, use: PatientAPIController.read)
        routes.api.patch(Site.apiPatient.route, use: PatientAPIController.update)
        routes.api.delete(Site.apiPatient.route, use: PatientAPIController.retire)
        routes.api.get(Site.apiPatientHistory.route, use: PatientAPIController.history)
        routes.api.get(Site.apiPatientAccessLog.route, use: PatientAPIController.accessLog)
        routes.api.get(Site.apiPatientExport.route, use: PatientAPIController.export)
    }
}
