import Vapor
import AppCore

/// Encounters' routes, on the site's route groups (the group says who may reach a route; the store checks the rest).
package enum EncounterRoutes {
    package static func register(routes: SiteRoutes) {
        routes.api.get(Site.apiNoteTemplates.route, use: EncounterController.templatesAPI)
        routes.api.get(Site.apiPatientEncounters.route, use: EncounterController.listAPI)
        routes.api.post(Site.apiPatientEncounters.route, use: EncounterController.startAPI)
        routes.api.get(Site.apiEncounter.route, use: EncounterController.findAPI)
        routes.api.patch(Site.apiEncounter.route, use: EncounterController.saveAPI)
        routes.api.post(Site.apiEncounterSign.route, use: EncounterController.signAPI)
        routes.api.post(Site.apiEncounterAddenda.route, use: EncounterController.addendumAPI)
        routes.staff.post(Site.patientEncounters.route, use: EncounterController.startFromChart)
        routes.staff.get(Site.encounter.route, use: EncounterController.page)
        routes.staff.post(Site.encounter.route, use: EncounterController.saveFromPage)
        routes.staff.post(Site.encounterAddenda.route, use: EncounterController.addendumFromPage)
        routes.portal.get(Site.portalNotes.route, use: EncounterController.portalList)
        routes.portal.get(Site.portalNote.route, use: EncounterController.portalNote)
    }
}
