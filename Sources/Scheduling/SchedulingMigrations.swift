import Fluent
import FluentSQL
import SQLKit
import Domain
import AppCore

package struct CreateRoom: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("room")
            .id()
            .field("name", .string, .required)
            .field("active", .bool, .required)
            .field("location_id", .uuid, .required, .references("location", "id"))
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("room").delete() }

    package init() {
    }
}

package struct CreateAppointmentType: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("appointment_type")
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("minutes", .int, .required)
            .field("telemedicine", .bool, .required)
            .field("patient_bookable", .bool, .required)
            .field("needs_room", .bool, .required)
            .unique(on: "code")
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("appointment_type").delete() }

    package init() {
    }
}

package struct CreateProviderHours: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("provider_hours")
            .id()
            .field("weekday", .int, .required)
            .field("start_minute", .int, .required)
            .field("end_minute", .int, .required)
            .field("provider_id", .uuid, .required, .references("app_user", "id"))
            .field("location_id", .uuid, .required, .references("location", "id"))
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("provider_hours").delete() }

    package init() {
    }
}

package struct CreateAvailabilityException: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("availability_exception")
            .id()
            .field("start_at", .datetime, .required)
            .field("end_at", .datetime, .required)
            .field("kind", .string, .required)
            .field("provider_id", .uuid, .required, .references("app_user", "id"))
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("availability_exception").delete() }

    package init() {
    }
}

package struct CreateAppointment: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("appointment")
            .id()
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("version", .int, .required)
            .field("start_at", .datetime, .required)
            .field("end_at", .datetime, .required)
            .field("status", .string, .required)
            .field("cancel_reason", .string)
            .field("override_reason", .string)
            .field("patient_id", .uuid, .required, .references("patient", "id"))
            .field("provider_id", .uuid, .required, .references("app_user", "id"))
            .field("location_id", .uuid, .required, .references("location", "id"))
            .field("room_id", .uuid, .references("room", "id"))
            .field("type_id", .uuid, .required, .references("appointment_type", "id"))
            .create()
        try await db.sql.create(index: "appointment_provider_idx").on("appointment").column("provider_id").column(
            "start_at"
        ).run()
        try await db.sql.create(index: "appointment_location_idx").on("appointment").column("location_id").column(
            "start_at"
        ).run()
        try await db.sql.create(index: "appointment_patient_idx").on("appointment").column("patient_id").column(
            "start_at"
        ).run()
    }
    package func revert(on db: any Database) async throws { try await db.schema("appointment").delete() }

    package init() {
    }
}

/// The invariants, held by PostgreSQL itself: no two active appointments overlap for a provider (unless booked
/// over with a reason), a room, or a patient. Half-open ranges let back-to-back visits coexist. On SQLite the
/// check and the write happen in one serialized transaction instead (`SchedulingStore`).
package struct CreateAppointmentOverlapGuards: AsyncMigration {
    package static let inactive =
        "status IN ("
        + AppointmentStatus.allCases.filter { !$0.holdsTime }.map { "'\($0.rawValue)'" }.joined(separator: ",") + ")"
    package static let constraints = [
        "appointment_no_provider_overlap", "appointment_no_room_overlap", "appointment_no_patient_overlap",
    ]

    package func prepare(on db: any Database) async throws {
        guard db.isPostgres else { return }
        try await db.sql.raw("CREATE EXTENSION IF NOT EXISTS btree_gist").run()
        try await db.sql.raw(
            SQLQueryString(
                """
                ALTER TABLE appointment ADD CONSTRAINT appointment_no_provider_overlap
                EXCLUDE USING gist (provider_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&)
                WHERE (NOT (\(unsafeRaw: Self.inactive)) AND override_reason IS NULL)
                """)
        ).run()
        try await db.sql.raw(
            SQLQueryString(
                """
                ALTER TABLE appointment ADD CONSTRAINT appointment_no_room_overlap
                EXCLUDE USING gist (room_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&)
                WHERE (NOT (\(unsafeRaw: Self.inactive)) AND room_id IS NOT NULL)
                """)
        ).run()
        try await db.sql.raw(
            SQLQueryString(
                """
                ALTER TABLE appointment ADD CONSTRAINT appointment_no_patient_overlap
                EXCLUDE USING gist (patient_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&)
                WHERE (NOT (\(unsafeRaw: Self.inactive)))
                """)
        ).run()
    }

    package func revert(on db: any Database) async throws {
        guard db.isPostgres else { return }
        for c in Self.constraints {
            try await db.sql.raw("ALTER TABLE appointment DROP CONSTRAINT IF EXISTS \(ident: c)").run()
        }
    }

    package init() {
    }
}

package struct UpdatePracticeAddTravelBuffer: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("practice").field("travel_buffer_minutes", .int, .required, .sql(.default(30))).update()
    }
    package func revert(on db: any Database) async throws {
        try await db.schema("practice").deleteField("travel_buffer_minutes").update()
    }

    package init() {
    }
}

package struct CreateLocationHours: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("location_hours")
            .id()
            .field("weekday", .int, .required)
            .field("start_minute", .int, .required)
            .field("end_minute", .int, .required)
            .field("location_id", .uuid, .required, .references("location", "id"))
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("location_hours").delete() }

    package init() {
    }
}
