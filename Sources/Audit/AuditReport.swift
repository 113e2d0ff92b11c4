import Vapor
import Fluent
import Domain
import AppCore
import Patients

/// The admins' audit report: filter by patient, user and date range, sort by any column, export as CSV.
/// Reading the report and exporting it are themselves audited.
package struct AuditReport {
    package let scope: AuditScope

    package struct Filter: Sendable {
        package var patient: String?
        package var user: String?
        package var from: String?
        package var to: String?
        package var action: String?
        package var sort: String = "time"
        package var order: String = "desc"
        package var limit: Int = 200
    }

    /// Report columns and the database column each sorts by.
    package static let columns: [(key: String, title: String, column: String)] = [
        ("seq", "#", "seq"), ("time", "Time (UTC)", "recorded_at"), ("user", "User", "username"),
        ("role", "Role", "role"),
        ("patient", "Patient", "patient_id"), ("action", "Action", "action"), ("category", "Data", "category"),
        ("entity", "Entity", "entity_type"), ("device", "Device", "device"), ("outcome", "Outcome", "outcome"),
        ("detail", "Detail", "detail"),
    ]

    package func rows(_ f: Filter, export: Bool = false) async throws -> [AuditEventDTO] {
        try await scope.authorize(export ? .exportAuditReport : .readAuditReport)
        var errors: [FieldError] = []
        var fromDate: Date?, toDate: Date?
        if let s = Text.clean(f.from) {
            if let d = CalendarDate.parse(s) {
                fromDate = Self.startOfDay(d)
            } else {
                errors.append(FieldError("from", "From must be a date written YYYY-MM-DD."))
            }
        }
        if let s = Text.clean(f.to) {
            if let d = CalendarDate.parse(s) {
                toDate = Self.startOfDay(d).addingTimeInterval(86400)
            } else {
                errors.append(FieldError("to", "To must be a date written YYYY-MM-DD."))
            }
        }
        guard let col = Self.columns.first(where: { $0.key == f.sort }) else {
            throw AppError.validation([
                FieldError("sort", "Sort must be one of: \(Self.columns.map(\.key).joined(separator: ", ")).")
            ])
        }
        if f.order != "asc" && f.order != "desc" { errors.append(FieldError("order", "Order must be asc or desc.")) }
        if let a = Text.clean(f.action), AuditAction(rawValue: a) == nil {
            errors.append(FieldError("action", "Unknown action."))
        }
        if !errors.isEmpty { throw AppError.validation(errors) }

        var patientID: UUID?
        if let p = Text.clean(f.patient) {
            if let u = UUID(uuidString: p) {
                patientID = u
            } else if let rec = try await PatientRecord.query(on: scope.db).filter(\.$mrn == p.uppercased()).first() {
                patientID = rec.id
            } else {
                throw AppError.validation([FieldError("patient", "No patient with that MRN or id.")])
            }
        }
        let user = Text.clean(f.user)?.lowercased(), action = Text.clean(f.action)
        let limit = export ? 100_000 : max(1, min(f.limit, 1000))
        let descending = f.order == "desc"
        let column = col.column
        let (patientID_, fromDate_, toDate_) = (patientID, fromDate, toDate)
        return try await scope.run { tx in
            let (patientID, fromDate, toDate) = (patientID_, fromDate_, toDate_)
            let q = AuditEventRecord.query(on: tx)
            if let p = patientID { q.filter(\.$patientID == p) }
            if let u = user { q.filter(\.$username == u) }
            if let a = action { q.filter(\.$action == a) }
            if let d = fromDate { q.filter(\.$recordedAt >= d) }
            if let d = toDate { q.filter(\.$recordedAt < d) }
            q.sort(FieldKey.string(column), descending ? .descending : .ascending)
            if column != "seq" { q.sort(\.$seq, descending ? .descending : .ascending) }
            let rows = try await q.limit(limit).all()
            let filters = [
                patientID.map { _ in "patient" }, user.map { _ in "user" }, fromDate.map { _ in "from" },
                toDate.map { _ in "to" }, action.map { _ in "action" },
            ]
            .compactMap { $0 }.joined(separator: ",")
            return (
                rows.map(AuditEventDTO.init),
                [
                    AuditDraft(
                        action: export ? .export : .query, category: .auditLog, patientID: patientID,
                        entityType: "AuditReport",
                        detail:
                            "\(rows.count) rows; filters=\(filters.isEmpty ? "none" : filters); sort=\(f.sort) "
                            + "\(f.order)"
                    )
                ]
            )
        }
    }

    package static func startOfDay(_ d: CalendarDate) -> Date {
        var c = DateComponents()
        c.year = d.year; c.month = d.month; c.day = d.day
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        return cal.date(from: c)!
    }

    /// RFC 4180 CSV, every column of the report plus the chain hashes.
    package static func csv(_ rows: [AuditEventDTO]) -> String {
        func cell(_ s: String) -> String {
            var v = s
            if let f = v.first, "=+-@".contains(f) { v = "'" + v }  // no spreadsheet formulas
            return v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : v
        }
        var out =
            "seq,recorded_at,username,role,patient_id,action,category,entity_type,entity_id,device,outcome,detail,"
            + "prev_hash,hash\r\n"
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for r in rows {
            out +=
                [
                    String(r.seq), iso.string(from: r.recordedAt), r.username, r.role, r.patientId?.uuidString ?? "",
                    r.action, r.category,
                    r.entityType, r.entityId ?? "", r.device, r.outcome, r.detail, r.prevHash, r.hash,
                ].map(cell).joined(separator: ",") + "\r\n"
        }
        return out
    }
}

extension Request {
    package func auditReport() throws -> AuditReport { AuditReport(scope: try scope()) }

    package var auditFilter: AuditReport.Filter {
        AuditReport.Filter(
            patient: query[String.self, at: "patient"], user: query[String.self, at: "user"],
            from: query[String.self, at: "from"], to: query[String.self, at: "to"],
            action: query[String.self, at: "action"], sort: query[String.self, at: "sort"] ?? "time",
            order: query[String.self, at: "order"] ?? "desc", limit: query[Int.self, at: "limit"] ?? 200)
    }
}

package struct AuditEventDTO: Content {
    package let seq: Int64
    package let recordedAt: Date
    package let username: String
    package let role: String
    package let patientId: UUID?
    package let action: String
    package let category: String
    package let entityType: String
    package let entityId: String?
    package let device: String
    package let outcome: String
    package let detail: String
    package let prevHash: String
    package let hash: String

    package init(_ r: AuditEventRecord) {
        seq = r.seq
        recordedAt = r.recordedAt
        username = r.username
        role = r.role
        patientId = r.patientID
        action = r.action
        category = r.category
        entityType = r.entityType
        entityId = r.entityID
        device = r.device
        outcome = r.outcome
        detail = r.detail
        prevHash = r.prevHash
        hash = r.hash
    }
}

package enum AuditController {
    @Sendable package static func apiList(req: Request) async throws -> [AuditEventDTO] {
        try await req.auditReport().rows(req.auditFilter)
    }

    @Sendable package static func csvExport(req: Request) async throws -> Response {
        let rows = try await req.auditReport().rows(req.auditFilter, export: true)
        let res = Response(status: .ok, body: .init(string: AuditReport.csv(rows)))
        res.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        res.headers.replaceOrAdd(name: "Content-Disposition", value: "attachment; filename=\"audit-report.csv\"")
        return res
    }

    @Sendable package static func page(req: Request) async throws -> Response {
        let f = req.auditFilter
        var errors: [FieldError] = []
        var rows: [AuditEventDTO] = []
        do { rows = try await req.auditReport().rows(f) } catch AppError.validation(let e) { errors = e }
        return Layout.render(
            AuditReportPage(filter: f, rows: rows, errors: errors, query: req.url.query ?? "").render(for: req))
    }

    @Sendable package static func verify(req: Request) async throws -> AuditVerification.Report {
        try await req.scope().authorize(.verifyAuditChain)
        return try await AuditVerification.run(app: req.application, scope: try req.scope(), writeCheckpoint: true)
    }
}
