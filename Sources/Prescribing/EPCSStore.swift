import Vapor
import Fluent
import Domain
import Accounts
import AppCore

/// EPCS logical access control (21 CFR 1311.125) and its daily audit report (1311.150).
package struct EPCSStore {
    package let scope: AuditScope

    package struct CredentialInput: Content {
        package var npi: String?
        package var deaNumber: String?

        package init(npi: String? = nil, deaNumber: String? = nil) {
            self.npi = npi
            self.deaNumber = deaNumber
        }
    }
    package struct DecideInput: Content {
        package var approve: Bool?
        package var otp: String?
    }

    package struct GrantDTO: Content {
        package let id: UUID
        package let prescriberId: UUID
        package let prescriberName: String
        package let status: EPCSGrantStatus
        package let enteredBy: UUID
        package let enteredAt: Date
        package let decidedBy: UUID?
        package let decidedAt: Date?
    }

    package struct ReportRow: Content {
        package let seq: Int64
        package let at: Date
        package let username: String
        package let entity: String
        package let outcome: AuditOutcome
        package let detail: String
    }
    package struct Report: Content {
        package let day: String
        package let events: [ReportRow]
        package let signatures: Int
        package let refusedSignatures: Int
        package let accessControlChanges: Int
        package let deniedAccess: Int
        /// Refused signatures and denied access: what the daily review must look at (and report to DEA when it is an
        /// incident).
        package let incidents: [ReportRow]
    }

    package static func audit(
        _ entity: String, _ id: UUID?, _ detail: String, outcome: AuditOutcome = .success,
        action: AuditAction = .permissionChange
    ) -> AuditDraft {
        AuditDraft(
            action: action, category: .prescriptions, entityType: entity, entityID: id?.uuidString, outcome: outcome,
            detail: detail)
    }

    /// NPI and DEA number of a prescriber (an admin or the Medical Director; checked, audited).
    package func setCredentials(userID: UUID, _ input: CredentialInput) async throws {
        try await scope.authorize(.manageEPCS)
        guard let u = try await UserRecord.find(userID, on: scope.db),
            [Role.provider, .medicalDirector].contains(u.role)
        else {
            throw AppError.validation([
                FieldError("userId", "Credentials belong to a provider or the Medical Director.")
            ])
        }
        var errors: [FieldError] = []
        let npi = Text.clean(input.npi), dea = Text.clean(input.deaNumber)?.uppercased()
        if npi == nil || !PrescribingRules.npiValid(npi!) {
            errors.append(FieldError("npi", "The NPI must be 10 digits with a valid check digit."))
        }
        if let dea, !PrescribingRules.deaNumberValid(dea) {
            errors.append(
                FieldError("deaNumber", "The DEA number must be two letters and seven digits with a valid check digit.")
            )
        }
        if !errors.isEmpty { throw AppError.validation(errors) }
        let now = scope.now, by = scope.principal.username
        try await scope.run { tx in
            let c =
                try await PrescriberCredentialRecord.query(on: tx).filter(\.$userID == userID).first()
                ?? PrescriberCredentialRecord()
            c.userID = userID
            c.npi = npi!
            c.deaNumber = dea
            c.updatedAt = now
            c.updatedBy = by
            try await c.save(on: tx)
            return ((), [Self.audit("EPCSCredential", userID, "NPI set; DEA number \(dea == nil ? "none" : "set")")])
        }
    }

    /// Step one: someone enters the permission for a prescriber with a DEA number.
    package func enterGrant(prescriberID: UUID) async throws -> GrantDTO {
        try await scope.authorize(.manageEPCS)
        guard let u = try await UserRecord.find(prescriberID, on: scope.db),
            [Role.provider, .medicalDirector].contains(u.role),
            try await PrescriberCredentialRecord.query(on: scope.db).filter(\.$userID == prescriberID).first()?
                .deaNumber != nil
        else {
            throw AppError.validation([
                FieldError("prescriberId", "EPCS permission is for a prescriber with a DEA number on file.")
            ])
        }
        let now = scope.now, by = scope.principal.userID!
        return try await scope.run { tx in
            if try await EPCSGrantRecord.query(on: tx).filter(\.$prescriberID == prescriberID).filter(
                \.$status ~~ [EPCSGrantStatus.pending, .active]
            ).first() != nil {
                throw AppError.conflict(
                    type: "grant-exists", detail: "This prescriber already has a pending or active EPCS permission.",
                    extra: [:])
            }
            let g = EPCSGrantRecord()
            g.id = UUID()
            g.status = .pending
            g.enteredBy = by
            g.enteredAt = now
            g.prescriberID = prescriberID
            try await g.create(on: tx)
            return (
                try Self.dto(g, name: u.displayName),
                [
                    Self.audit(
                        "EPCSGrant", g.id, "EPCS permission entered for \(u.username); waiting for a second approver")
                ]
            )
        }
    }

    /// Step two: a different person, a DEA registrant, approves (or rejects) with a code from their authenticator now.
    package func decideGrant(_ id: UUID, approve: Bool, otp: String?) async throws -> GrantDTO {
        try await scope.authorize(.approveEPCSGrant)
        let p = scope.principal, now = scope.now
        guard let g = try await EPCSGrantRecord.find(id, on: scope.db) else {
            throw AppError.notFound("No such EPCS permission.")
        }
        func refuse(_ why: String) async throws -> Never {
            try await scope.record([Self.audit("EPCSGrant", id, "approval refused: \(why)", outcome: .denied)])
            throw AppError.forbidden(why)
        }
        guard g.status == .pending else {
            throw AppError.conflict(type: "not-pending", detail: "This permission is \(g.status).", extra: [:])
        }
        if g.enteredBy == p.userID { try await refuse("The person who entered a permission cannot also approve it.") }
        if g.prescriberID == p.userID { try await refuse("Prescribers cannot approve their own EPCS permission.") }
        guard let uid = p.userID,
            try await PrescriberCredentialRecord.query(on: scope.db).filter(\.$userID == uid).first()?.deaNumber != nil
        else {
            try await refuse("Only a DEA registrant may approve EPCS permissions.")
        }
        guard let user = try await UserRecord.find(uid, on: scope.db), let s = user.mfaSecret,
            let secret = Base32.decode(s), let code = Text.clean(otp),
            let c = Domain.TOTP(secret: secret).matchingCounter(code, at: now), Int64(c) > (user.mfaLastCounter ?? -1)
        else {
            try await refuse("Approving EPCS permissions needs the current code from your authenticator.")
        }
        let name = try await UserRecord.find(g.prescriberID, on: scope.db)?.displayName ?? ""
        return try await scope.run { tx in
            try await PrescriptionStore.useCode(Int64(c), userID: uid, on: tx)
            guard let g = try await EPCSGrantRecord.find(id, on: tx), g.status == .pending else {
                throw AppError.conflict(type: "not-pending", detail: "Decided meanwhile.", extra: [:])
            }
            g.status = approve ? .active : .rejected
            g.decidedBy = uid
            g.decidedAt = now
            try await g.save(on: tx)
            return (
                try Self.dto(g, name: name),
                [Self.audit("EPCSGrant", id, "EPCS permission \(approve ? "approved" : "rejected") with second factor")]
            )
        }
    }

    package func revoke(_ id: UUID) async throws -> GrantDTO {
        try await scope.authorize(.manageEPCS)
        let now = scope.now, by = scope.principal.userID
        return try await scope.run { tx in
            guard let g = try await EPCSGrantRecord.find(id, on: tx), g.status == .active else {
                throw AppError.conflict(
                    type: "not-active", detail: "Only an active permission can be revoked.", extra: [:])
            }
            g.status = .revoked
            g.decidedBy = by
            g.decidedAt = now
            try await g.save(on: tx)
            let name = try await UserRecord.find(g.prescriberID, on: tx)?.displayName ?? ""
            return (try Self.dto(g, name: name), [Self.audit("EPCSGrant", id, "EPCS permission revoked")])
        }
    }

    package func grants() async throws -> [GrantDTO] {
        guard
            AccessPolicy.decide(scope.principal, .manageEPCS).isAllowed
                || AccessPolicy.decide(scope.principal, .approveEPCSGrant).isAllowed
        else {
            try await scope.authorize(.manageEPCS); return []
        }
        var out: [GrantDTO] = []
        for g in try await EPCSGrantRecord.query(on: scope.db).sort(\.$enteredAt, .descending).all() {
            out.append(
                try Self.dto(g, name: try await UserRecord.find(g.prescriberID, on: scope.db)?.displayName ?? ""))
        }
        return out
    }

    package static func dto(_ g: EPCSGrantRecord, name: String) throws -> GrantDTO {
        GrantDTO(
            id: try g.requireID(), prescriberId: g.prescriberID, prescriberName: name, status: g.status,
            enteredBy: g.enteredBy,
            enteredAt: g.enteredAt,
            decidedBy: g.decidedBy, decidedAt: g.decidedAt)
    }

    package static let epcsEntities = ["EPCSSignature", "EPCSGrant", "EPCSCredential"]
    package static let epcsActions = ["signRx", "manageEPCS", "approveEPCSGrant", "readEPCSReport"]

    /// Every EPCS event of one UTC day, with the incidents to review.
    package func report(day: LocalDay) async throws -> Report {
        try await scope.authorize(.readEPCSReport)
        let span = day.span(in: TimeZone(identifier: "UTC")!)
        let rows = try await AuditEventRecord.query(on: scope.db).filter(\.$recordedAt >= span.start).filter(
            \.$recordedAt < span.end
        ).sort(\.$seq).all()
            .filter {
                Self.epcsEntities.contains($0.entityType)
                    || ($0.action == AuditAction.accessDenied.rawValue && Self.epcsActions.contains($0.entityID ?? ""))
            }
        let out = rows.map {
            ReportRow(
                seq: $0.seq, at: $0.recordedAt, username: $0.username, entity: $0.entityType,
                outcome: AuditOutcome(rawValue: $0.outcome) ?? .failure,
                detail: $0.detail)
        }
        try await scope.record([
            Self.audit("EPCSReport", nil, "daily EPCS report for \(day.iso): \(out.count) events", action: .read)
        ])
        return Report(
            day: day.iso, events: out,
            signatures: out.filter { $0.entity == "EPCSSignature" && $0.outcome == .success }.count,
            refusedSignatures: out.filter { $0.entity == "EPCSSignature" && $0.outcome != .success }.count,
            accessControlChanges: out.filter {
                ($0.entity == "EPCSGrant" || $0.entity == "EPCSCredential") && $0.outcome == .success
            }.count,
            deniedAccess: out.filter { $0.outcome == .denied && $0.entity != "EPCSSignature" }.count,
            incidents: out.filter { $0.outcome != .success })
    }

    package init(scope: AuditScope) {
        self.scope = scope
    }
}

extension Request {
    package func epcs() throws -> EPCSStore { EPCSStore(scope: try scope()) }
}
