import Fluent
import SQLKit
import Domain
import AppCore

package struct CreatePractice: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("practice")
            .id()
            .field("name", .string, .required)
            .field("mrn_prefix", .string, .required)
            .field("mrn_next", .int, .required)
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("practice").delete() }

    package init() {
    }
}

package struct CreateLocation: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema("location")
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("time_zone", .string, .required)
            .field("address", .string, .required)
            .field("phone", .string, .required)
            .unique(on: "code")
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema("location").delete() }

    package init() {
    }
}
