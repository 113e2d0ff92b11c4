import Vapor

/// Every route, grouped by who may reach it. Authorization beyond sign-in happens in the stores (one policy).
func routes(_ app: Application) throws {
    // Operations: no PHI.
    app.get("health", "live", use: HealthController.live)
    app.get("health", "ready", use: HealthController.ready)
    app.get("metrics", use: HealthController.metrics)
    app.get("api", "openapi.json", use: OpenAPIController.document)
    app.get("calendar", ":file", use: CalendarFeedController.feed)   // secret-URL iCalendar feed

    // Sign-in (anonymous or half-signed-in).
    app.get("login", use: SignInController.staffForm)
    app.post("login", use: SignInController.staffSubmit)
    app.get("portal", "login", use: SignInController.portalForm)
    app.post("portal", "login", use: SignInController.portalSubmit)
    app.get("login", "mfa", use: SignInController.secondFactorForm)
    app.post("login", "mfa", use: SignInController.secondFactorSubmit)
    app.get("mfa", "enroll", use: SignInController.enrolForm)
    app.post("mfa", "enroll", use: SignInController.enrolSubmit)
    app.post("logout", use: SignInController.logout)

    // Staff pages.
    let staff = app.grouped(RequireSignIn(area: .staff))
    staff.get(use: HomeController.staffHome)
    staff.get("patients", use: PatientPagesController.list)
    staff.get("patients", "new", use: PatientPagesController.newForm)
    staff.post("patients", use: PatientPagesController.create)
    staff.get("patients", ":id", use: PatientPagesController.chart)
    staff.get("patients", ":id", "edit", use: PatientPagesController.editForm)
    staff.post("patients", ":id", "edit", use: PatientPagesController.update)
    staff.get("patients", ":id", "history", use: PatientPagesController.history)
    staff.get("patients", ":id", "print", use: PatientPagesController.printView)
    staff.post("patients", ":id", "retire", use: PatientPagesController.retire)
    staff.get("admin", "users", use: UserPagesController.list)
    staff.post("admin", "users", use: UserPagesController.create)
    staff.post("admin", "users", ":id", use: UserPagesController.change)
    staff.get("admin", "audit", use: AuditController.page)
    staff.get("admin", "audit", "export.csv", use: AuditController.csvExport)

    // Patient portal.
    let portal = app.grouped(RequireSignIn(area: .portal))
    portal.get("portal", use: PortalController.home)

    // JSON API.
    let v1 = app.grouped("api", "v1")
    v1.post("auth", "token", use: TokenController.issue)
    let api = v1.grouped(RequireSignIn(area: .api))
    api.post("auth", "revoke", use: TokenController.revoke)
    api.get("me", use: TokenController.me)
    api.get("locations", use: HomeController.locations)
    api.get("patients", use: PatientAPIController.search)
    api.post("patients", use: PatientAPIController.create)
    api.get("patients", ":id", use: PatientAPIController.read)
    api.patch("patients", ":id", use: PatientAPIController.update)
    api.delete("patients", ":id", use: PatientAPIController.retire)
    api.get("patients", ":id", "history", use: PatientAPIController.history)
    api.get("patients", ":id", "access-log", use: PatientAPIController.accessLog)
    api.get("patients", ":id", "export", use: PatientAPIController.export)
    api.get("appointment-types", use: SchedulingAPIController.types)
    api.get("slots", use: SchedulingAPIController.slots)
    api.get("appointments", use: SchedulingAPIController.list)
    api.post("appointments", use: SchedulingAPIController.book)
    api.patch("appointments", ":id", use: SchedulingAPIController.change)
    api.post("calendar-feeds", use: CalendarFeedController.create)
    api.delete("calendar-feeds", ":id", use: CalendarFeedController.revoke)
    api.get("users", use: UserAPIController.list)
    api.post("users", use: UserAPIController.create)
    api.patch("users", ":id", use: UserAPIController.update)
    api.get("audit-events", use: AuditController.apiList)
    api.get("audit-events", "export", use: AuditController.csvExport)
    api.post("audit", "verify", use: AuditController.verify)
}
