import Vapor
import Fluent
import Domain
import Accounts
import AppCore
import Jobs
import Locations
import Patients
import Scheduling

/// Care pathways through one scoped, audited path: templates and their approval, procedures and enrolment,
/// the patient's check-ins, photo prompts and follow-up offers, and the care team's tasks.
package struct PathwayStore {
    package let scope: AuditScope

    package var practice: String { scope.app.config.practiceName }

    package init(scope: AuditScope) {
        self.scope = scope
    }
}

extension Request {
    package func pathways() throws -> PathwayStore { PathwayStore(scope: try scope()) }
}
