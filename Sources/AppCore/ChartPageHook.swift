import Vapor
import Domain

/// The errors of one of the chart's forms, for showing the chart again with that form marked.
package struct ChartFormErrors: Sendable {
    package var invite: [FieldError]
    package var procedure: [FieldError]
    package var clinical: [FieldError]
    package var observation: [FieldError]
    package var note: [FieldError]

    package init(
        invite: [FieldError] = [], procedure: [FieldError] = [], clinical: [FieldError] = [],
        observation: [FieldError] = [], note: [FieldError] = []
    ) {
        self.invite = invite
        self.procedure = procedure
        self.clinical = clinical
        self.observation = observation
        self.note = note
    }
}

/// Renders a patient's chart page again with a form's errors and a status.
package typealias ChartPageRenderer =
    @Sendable (Request, UUID, ChartFormErrors, HTTPResponseStatus) async throws -> Response

extension Application {
    private struct ChartPageKey: StorageKey { typealias Value = ChartPageRenderer }

    /// The chart page, provided by the `Chart` module when the application is assembled. Invitations and care
    /// pathways post their forms from the chart and show it again through this when a form is refused.
    package var chartPage: ChartPageRenderer {
        get {
            storage[ChartPageKey.self] ?? { _, _, _, _ in throw Abort(.internalServerError, reason: "No chart page.") }
        }
        set { storage[ChartPageKey.self] = newValue }
    }
}
