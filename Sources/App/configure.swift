import Vapor
import Fluent
import FluentSQLiteDriver
import FluentPostgresDriver
import SQLKit
import Domain
import Accounts
import AppCore
import CarePathways
import Demo
import Encounters
import Incidents
import Intake
import Locations
import Prescribing
import Telehealth
import Chart
import Notifications
import Scheduling

/// Builds the application: database (SQLite by default, PostgreSQL with DATABASE_URL), blob store, clock, middleware,
/// routes. Runs migrations, makes sure the practice row exists, and seeds the demo practice when asked.
public func configure(
    _ app: Application, _ config: AppConfig, clock: any AppClock = SystemClock(), migrate: Bool = true
) async throws {
    app.config = config
    app.clock = clock
    app.appMetrics = AppMetrics()
    _ = (app.metricsHistory, app.faultSwitch, app.slotControl)  // made before requests share them
    try FileManager.default.createDirectory(atPath: config.dataDir, withIntermediateDirectories: true)
    app.blobs = try FileBlobStore(root: config.blobDir)
    app.serializer = WriteSerializer(isPostgres: config.isPostgres)
    _ = SignInService.dummyHash(cost: config.bcryptCost)  // made once at start, not on a request's event loop
    _ = Locales.tables  // the locale files are read at start: a missing one stops the start, not a patient's page

    if let url = config.databaseURL, config.isPostgres {
        var pg = try SQLPostgresConfiguration(url: url)
        pg.searchPath = nil
        app.databases.use(
            .postgres(configuration: pg, maxConnectionsPerEventLoop: 4, connectionPoolTimeout: .seconds(20)), as: .psql)
    } else if let url = config.databaseURL, !url.isEmpty {
        throw AppError.malformed(
            field: "DATABASE_URL", detail: "DATABASE_URL must start with postgres:// (or be unset for SQLite).")
    } else {
        app.databases.use(.sqlite(.file(config.sqlitePath)), as: .sqlite)
    }
    app.migrations.add(Migrations.all)
    app.version = Migrations.version
    app.appMetrics.buildInfo(app.version)
    app.routes.defaultMaxBodySize = "64kb"

    app.middleware = Middlewares()
    app.middleware.use(MetricsMiddleware())
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(ErrorMapping())
    if config.fault != nil || config.slowFault != nil {
        app.middleware.use(FaultInjection(prefix: config.fault, slowPrefix: config.slowFault))
    }
    if config.environment != .production { app.middleware.use(RuntimeFaults()) }
    app.middleware.use(ControlCharacterGuard())
    app.middleware.use(SessionAuthenticator())
    app.middleware.use(CSRFMiddleware())

    try routes(app)
    // What capabilities provide one another without depending on one another.
    app.chartPage = ChartController.renderer
    app.reminderQueue = { app, now in try await AppointmentNotices.queueReminders(app, now: now) }
    PathwayJobs.register(app)
    ScriptGateway.register(app)
    app.lifecycle.use(SignalHub.Lifecycle())
    OperationsMetrics.register(app)
    app.alertListener = IncidentStore.alertChanged
    let backups = (config.dataDir as NSString).appendingPathComponent("backups")
    app.storage[IncidentTimelineSource.self] = { from, to in
        ((try? Backups.list(backups)) ?? []).filter { $0.createdAt >= from && $0.createdAt <= to }.map {
            .init(at: $0.createdAt, kind: "backup", text: "Backup \($0.id) (\($0.kind)) taken", actor: "caresync")
        }
    }

    if migrate {
        try await prepareDatabase(app)
        try await DeploymentGuard.check(app)
        if config.seedDemo { try await DemoSeed.seed(app) }
    }
}

/// Migrations, SQLite settings, and the practice row (needed for MRNs).
public func prepareDatabase(_ app: Application) async throws {
    if !app.config.isPostgres {
        _ = try await app.db.sql.raw("PRAGMA journal_mode=WAL").all()
    }
    if try await DatabaseRoles.canCreateTables(app.db) {
        try await app.autoMigrate()
    } else {
        try await DatabaseRoles.checkMigrated(app)
    }
    if try await PracticeRecord.query(on: app.db).count() == 0 {
        try await PracticeRecord(name: app.config.practiceName, mrnPrefix: app.config.mrnPrefix).create(on: app.db)
    }
    try await StandardFormsLoader.load(app.db, now: app.clock.now())
    try await NoteTemplatesLoader.load(app.db, now: app.clock.now())
    try await PathwayStore.loadStandard(app.db, now: app.clock.now())
    try await PharmacyDirectory.load(app.db)
}
