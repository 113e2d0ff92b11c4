// swift-tools-version:6.0
import PackageDescription

/// What every server-side target builds on.
let server: [Target.Dependency] = [
    "Domain",
    .product(name: "Vapor", package: "vapor"),
    .product(name: "Fluent", package: "fluent"),
    .product(name: "FluentKit", package: "fluent-kit"),
    .product(name: "FluentSQL", package: "fluent-kit"),
    .product(name: "SQLKit", package: "sql-kit"),
    .product(name: "Plot", package: "Plot"),
    .product(name: "Crypto", package: "swift-crypto"),
    .product(name: "Metrics", package: "swift-metrics"),
    .product(name: "Logging", package: "swift-log"),
    .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
]

/// The database drivers and the Prometheus exporter: only the core (configuration) and the assembly use them.
let drivers: [Target.Dependency] = [
    .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
    .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
    .product(name: "Prometheus", package: "swift-prometheus"),
]

/// One capability: its records, migrations, stores, controllers and views, over the core and the capabilities
/// whose small API it uses (never their controllers).
func capability(_ name: String, uses: [String] = []) -> Target {
    .target(name: name, dependencies: ["AppCore"] + uses.map { .target(name: $0) } + server)
}

/// The capabilities, lower ones first; each may use only those listed before it.
let capabilities: [Target] = [
    // The practice and its locations.
    capability("Locations"),
    // Patient records, the scoped patient store, the patient API and pages.
    capability("Patients", uses: ["Locations"]),
    // Users, sessions, sign-in and two-step sign-in, user administration.
    capability("Accounts", uses: ["Patients"]),
    // The clinical summary: problems, allergies, reported medications.
    capability("ClinicalRecord", uses: ["Patients"]),
    // The audit trail: checkpoints, verification, reports and pages.
    capability("Audit", uses: ["Patients"]),
    // The durable job queue and its worker.
    capability("Jobs"),
    // The outbox: email, SMS and portal notices, delivered with retries.
    capability("Notifications"),
    // Appointments across locations: setup, booking, moving, calendars, feeds, notices.
    capability("Scheduling", uses: ["Accounts", "Locations", "Notifications", "Patients"]),
    // Care pathways: templates, enrolments, tasks, check-ins.
    capability("CarePathways", uses: ["Accounts", "Jobs", "Locations", "Notifications", "Patients", "Scheduling"]),
    // Wound photos and attachments: resumable uploads, the image pipeline, timelines.
    capability("Photos", uses: ["Accounts", "CarePathways", "Patients", "Scheduling"]),
    // Intake forms: definitions, submissions, the review queue.
    capability("Intake", uses: ["ClinicalRecord", "Patients", "Photos"]),
    // Visits and their notes: templates as data, drafts, provider signatures, addenda.
    capability("Encounters", uses: ["Accounts", "Locations", "Patients", "Photos", "Scheduling"]),
    // Secure messages between patients and the practice.
    capability("Messaging", uses: ["Accounts", "Locations", "Notifications", "Patients", "Photos"]),
    // Video visits: waiting room, signaling, TURN credentials, hand-over.
    capability("Telehealth", uses: ["Accounts", "Locations", "Notifications", "Patients", "Scheduling"]),
    // E-prescribing: prescriptions, refills, EPCS, the NCPDP SCRIPT gateway.
    capability(
        "Prescribing", uses: ["Accounts", "Audit", "ClinicalRecord", "Jobs", "Locations", "Patients", "Scheduling"]),
    // The patient portal: home, appointments, invitations.
    capability("Portal", uses: ["Accounts", "ClinicalRecord", "Notifications", "Patients", "Scheduling"]),
    // The patient chart, assembled from what the capabilities contribute.
    capability(
        "Chart",
        uses: ["Accounts", "CarePathways", "ClinicalRecord", "Encounters", "Locations", "Patients", "Prescribing"]),
    // The demo practice.
    capability("Demo", uses: ["Accounts", "Locations", "Patients", "Prescribing", "Scheduling"]),
    // Each role's home page.
    capability(
        "Home", uses: ["CarePathways", "Intake", "Locations", "Messaging", "Prescribing", "Scheduling", "Telehealth"]),
    // Health checks, metrics, the operations page, backup crypto.
    capability("Operations", uses: ["Audit", "Locations"]),
    // Alerts from Alertmanager: recorded once per fingerprint, told to the people on duty, a silent path raised.
    capability("Alerts", uses: ["Notifications"]),
    // Incidents P0–P3: opened by alerts or staff, SLA timers, the on-call roster, paging and escalation, postmortems.
    capability("Incidents", uses: ["Accounts", "Locations", "Notifications", "Operations"]),
    // The help desk: tickets from staff pages and the portal, the queue, replies, SLA targets, metrics.
    capability("HelpDesk", uses: ["Accounts", "Incidents", "Locations", "Notifications", "Patients"]),
    // The public status page: components from probes and incidents, uptime, posts for patients, the feed,
    // subscriptions.
    capability("StatusPage", uses: ["Incidents", "Locations", "Notifications", "Operations"]),
    // Synthetic load: the scenario's flows offered at their rates against a node, judged, kept, and reported.
    capability("LoadTest", uses: ["Accounts", "Locations", "Operations", "Patients", "Prescribing", "Scheduling"]),
]

let package = Package(
    name: "caresync",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "caresync", targets: ["caresync"])
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/JohnSundell/Plot.git", from: "0.14.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.5.0"),
    ],
    targets: [
        // Value types and rules, Foundation (and swift-crypto for hashing) only.
        .target(
            name: "Domain",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto")
            ]
        ),
        // Cross-cutting: audit scope and writer, write serializer, errors and problem mapping, layout and form kit,
        // configuration, storage, metrics.
        .target(
            name: "AppCore",
            dependencies: server + drivers + [
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            // The locale files: patient-facing text in each language other than English (keyed by the English).
            resources: [.copy("Resources/locales")]),
    ] + capabilities + [
        // Assembles the capabilities (configure, the ordered migrations, routes) and holds what runs against a whole
        // installation: backups, drills, point-in-time recovery, benchmarks, and the functions the CLI calls.
        .target(
            name: "App",
            dependencies: [
                "AppCore", "Accounts", "Alerts", "Audit", "CarePathways", "Chart", "ClinicalRecord", "Demo",
                "Encounters", "HelpDesk", "Home", "Incidents",
                "Intake", "Jobs", "LoadTest", "Locations",
                "Messaging", "Notifications", "Operations", "Patients", "Photos", "Portal", "Prescribing", "Scheduling",
                "StatusPage", "Telehealth",
            ] + server + drivers
        ),
        // The command line: thin ArgumentParser wrappers over functions in App.
        .executableTarget(
            name: "caresync",
            dependencies: [
                "App", "AppCore", "LoadTest", "Prescribing", "Telehealth",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Helpers shared by the test targets (no @testable import).
        .target(
            name: "TestSupport",
            dependencies: [
                "Accounts", "App", "AppCore", "Demo", "Locations", "Operations", "Patients", "Scheduling",
                .product(name: "XCTVapor", package: "vapor"),
            ]
                + server
        ),
        .testTarget(name: "DomainTests", dependencies: ["Domain"]),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "Accounts", "App", "AppCore", "Audit", "CarePathways", "Chart", "ClinicalRecord", "Demo", "Encounters",
                "HelpDesk", "Home", "Intake", "Jobs", "Locations", "Messaging", "Notifications", "Operations",
                "LoadTest", "Patients", "Photos", "Portal", "Prescribing", "StatusPage",
                "Scheduling", "Telehealth", "TestSupport",
            ]
                + [.product(name: "XCTVapor", package: "vapor")] + server
        ),
    ]
)
