import Vapor
import Fluent

/// An alert that opened or resolved at CareSync (what the alerts capability tells the incidents capability, without
/// either depending on the other).
package struct AlertChange: Sendable {
    package let fingerprint: String
    package let alertname: String
    package let severity: String
    package let summary: String
    package let runbook: String
    package let firing: Bool

    package init(
        fingerprint: String, alertname: String, severity: String, summary: String, runbook: String, firing: Bool
    ) {
        self.fingerprint = fingerprint
        self.alertname = alertname
        self.severity = severity
        self.summary = summary
        self.runbook = runbook
        self.firing = firing
    }
}

extension Application {
    package typealias AlertListener = @Sendable (Application, AlertChange, Date, any Database) async throws -> Void

    private struct AlertListenerKey: StorageKey { typealias Value = AlertListener }
    /// Called inside the alert's transaction for each alert that opens or resolves.
    package var alertListener: AlertListener? {
        get { storage[AlertListenerKey.self] }
        set { storage[AlertListenerKey.self] = newValue }
    }
}
