import Vapor
import Accounts
import Alerts
import AppCore
import Audit
import CarePathways
import HelpDesk
import LoadTest
import Home
import Incidents
import Intake
import Jobs
import Messaging
import Operations
import Patients
import Photos
import Portal
import Prescribing
import Scheduling
import StatusPage
import Telehealth
import Chart
import ClinicalRecord
import Encounters

/// The site's route groups by who may reach them, and every capability's routes on them (each capability's
/// `<Capability>Routes`). Authorization beyond sign-in happens in the stores (one policy).
package func routes(_ app: Application) throws {
    let staff = app.grouped(RequireSignIn(area: .staff), NavCountsMiddleware())
    let portal = app.grouped(RequireSignIn(area: .portal))
    let v1 = app.grouped("api", "v1")
    let api = v1.grouped(RequireSignIn(area: .api))

    // What the assembly itself serves: the API document and the operations views over the whole installation.
    app.get(Site.openAPIDocument.route, use: OpenAPIController.document)
    staff.get(Site.ops.route, use: OperationsController.page)
    api.get(Site.apiOperationsDrills.route, use: OperationsController.drills)
    api.get(Site.apiOperationsBackups.route, use: OperationsController.backups)
    api.get(Site.apiOperationsDeployments.route, use: OperationsController.deployments)
    staff.get(Site.opsRollbackPlan.route, use: OperationsController.rollbackPlanPage)
    staff.get(Site.opsDashboard.route, use: OpsDashboard.page)

    let site = SiteRoutes(app: app, staff: staff, portal: portal, v1: v1, api: api)
    AccountsRoutes.register(routes: site)
    HomeRoutes.register(routes: site)
    PatientsRoutes.register(routes: site)
    ChartRoutes.register(routes: site)
    ClinicalRoutes.register(routes: site)
    EncounterRoutes.register(routes: site)
    SchedulingRoutes.register(routes: site)
    PortalRoutes.register(routes: site)
    IntakeRoutes.register(routes: site)
    MessagingRoutes.register(routes: site)
    PhotosRoutes.register(routes: site)
    TelehealthRoutes.register(routes: site)
    CarePathwaysRoutes.register(routes: site)
    PrescribingRoutes.register(routes: site)
    AuditRoutes.register(routes: site)
    JobsRoutes.register(routes: site)
    OperationsRoutes.register(routes: site)
    AlertsRoutes.register(routes: site)
    IncidentsRoutes.register(routes: site)
    HelpDeskRoutes.register(routes: site)
    StatusPageRoutes.register(routes: site)
    LoadTestPages.register(routes: site)
}
