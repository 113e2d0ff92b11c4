import Vapor
import AppCore

/// ClinicalRecord's routes, on the site's route groups (the group says who may reach a route; the store checks the
/// rest).
package enum ClinicalRoutes {
    package static func register(routes: SiteRoutes) {
        routes.api.get(Site.apiPatientClinical.route, use: ClinicalController.summaryAPI)
        routes.api.post(Site.apiPatientClinical.route, use: ClinicalController.addAPI)
        routes.api.patch(Site.apiClinicalEntry.route, use: ClinicalController.changeAPI)
        routes.staff.post(Site.patientClinical.route, use: ClinicalController.addFromChart)
        routes.staff.post(Site.clinicalEntry.route, use: ClinicalController.changeFromChart)
        routes.api.get(Site.apiPatientObservations.route, use: ClinicalController.observationsAPI)
        routes.api.get(Site.apiPatientReferrals.route, use: ClinicalController.referralsAPI)
        routes.api.post(Site.apiPatientObservations.route, use: ClinicalController.recordObservationAPI)
        routes.api.patch(Site.apiObservation.route, use: ClinicalController.changeObservationAPI)
        routes.staff.post(Site.patientObservations.route, use: ClinicalController.recordObservationFromChart)
        routes.staff.post(Site.observation.route, use: ClinicalController.changeObservationFromChart)
    }
}
