import XCTest
import XCTVapor
import Fluent
import App
import Domain
import TestSupport
import AppCore
import Patients

final class PatientAPITests: XCTestCase {
    let maria: [String: String] = [
        "familyName": "Garcia", "givenName": "Maria", "birthDate": "1961-04-12", "sex": "female",
        "phone": "+1 812 555 0100", "insurancePayer": "Medicare", "insuranceMemberID": "1EG4-TE5-MK72",
    ]

    func test_create_assignsMRN_returnsLocationAndETag_andAudits() async throws {
        try await withTestApp { app, clock in
            let h = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let res = try await HTTP.send(app, .POST, Site.apiPatients.path(), headers: h, json: maria)
            XCTAssertEqual(res.status, .created)
            let p = try res.content.decode(PatientDTO.self)
            XCTAssertTrue(MRN.isValid(p.mrn, prefix: "CS"), p.mrn)
            XCTAssertEqual(res.headers.first(name: .location), Site.apiPatient.path(p.id))
            XCTAssertEqual(res.headers.first(name: .eTag), "W/\"1\"")
            let creates = try await Fixtures.auditRows(app, action: .create, patientID: p.id)
            XCTAssertEqual(creates.count, 1)
            XCTAssertEqual(creates[0].role, "front-desk")

            let second = try await HTTP.send(
                app, .POST, Site.apiPatients.path(), headers: h,
                json: ["familyName": "Okafor", "givenName": "James", "birthDate": "1958-09-30", "sex": "male"])
            XCTAssertNotEqual(try second.content.get(String.self, at: "mrn"), p.mrn)
        }
    }

    func test_badInput_getsFieldSpecificErrors_andWritesNothing() async throws {
        try await withTestApp { app, clock in
            let h = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let auditBefore = try await AuditEventRecord.query(on: app.db).count()
            let cases: [(String, HTTPStatus, String)] = [
                (#"{"givenName":"Maria","birthDate":"1961-04-12","sex":"female"}"#, .unprocessableEntity, "familyName"),
                (
                    #"{"familyName":"Garcia","givenName":"Maria","birthDate":"2023-02-30","sex":"female"}"#,
                    .unprocessableEntity, "birthDate"
                ),
                (
                    #"{"familyName":"Garcia","givenName":"Maria","birthDate":"2999-01-01","sex":"female"}"#,
                    .unprocessableEntity, "birthDate"
                ),
                (
                    #"{"familyName":"\#(String(repeating: "G", count: 101))","givenName":"Maria","#
                        + #""birthDate":"1961-04-12","sex":"female"}"#,
                    .unprocessableEntity, "familyName"
                ),
                (
                    #"{"familyName":"Garcia","givenName":"Maria","birthDate":"1961-04-12","sex":"female","#
                        + #""email":"not-an-email"}"#,
                    .unprocessableEntity, "email"
                ),
                (
                    #"{"familyName":"Garcia","givenName":"Maria","birthDate":19610412,"sex":"female"}"#, .badRequest,
                    "birthDate"
                ),
                (
                    #"{"familyName":["Garcia"],"givenName":"Maria","birthDate":"1961-04-12","sex":"female"}"#,
                    .badRequest, "familyName"
                ),
                (
                    #"{"familyName":"Garcia","givenName":"Maria","birthDate":"1961-04-12","sex":"female","#
                        + #""preferredLocationID":"nope"}"#,
                    .badRequest, "preferredLocationID"
                ),
                (
                    #"{"familyName":"Garcia","givenName":"Maria","birthDate":"1961-04-12","sex":"female","#
                        + #""preferredLocationID":"6F1C2F3A-0000-4000-8000-000000000000"}"#,
                    .unprocessableEntity, "preferredLocationID"
                ),
                (#"{"familyName":"Garcia", "givenName": "#, .badRequest, ""),
            ]
            for (body, status, field) in cases {
                let res = try await HTTP.send(app, .POST, Site.apiPatients.path(), headers: h, raw: body)
                XCTAssertEqual(res.status, status, body)
                XCTAssertEqual(res.headers.contentType?.subType, "problem+json")
                let problem = try res.problem()
                if !field.isEmpty { XCTAssertEqual(problem.errors?.first?.field, field, body) }
                XCTAssertFalse(problem.detail.contains("19610412"), "messages never echo values")
            }
            let wrongType = try await HTTP.send(
                app, .POST, Site.apiPatients.path(), headers: h, raw: "familyName=Garcia", contentType: .urlEncodedForm)
            XCTAssertEqual(wrongType.status, .badRequest)
            let huge = try await HTTP.send(
                app, .POST, Site.apiPatients.path(), headers: h,
                raw: "{\"familyName\":\"\(String(repeating: "x", count: 100_000))\"}")
            XCTAssertEqual(huge.status, .payloadTooLarge)

            let v1 = try await PatientRecord.query(on: app.db).count()
            XCTAssertEqual(v1, 0)
            let v2 = try await PatientVersionRecord.query(on: app.db).count()
            XCTAssertEqual(v2, 0)
            let v3 = try await Fixtures.auditRows(app, action: .create).count
            XCTAssertEqual(v3, 0)
            let auditAfter = try await AuditEventRecord.query(on: app.db).count()
            XCTAssertEqual(auditAfter, auditBefore)
        }
    }

    func test_sameNameAndBirthDate_warnsAsPossibleDuplicate_unlessAcknowledged() async throws {
        try await withTestApp { app, clock in
            let h = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let first = try await HTTP.send(app, .POST, Site.apiPatients.path(), headers: h, json: maria)
            let mrn = try first.content.get(String.self, at: "mrn")
            var again = maria
            again["familyName"] = "GARCÍA "
            let dup = try await HTTP.send(app, .POST, Site.apiPatients.path(), headers: h, json: again)
            XCTAssertEqual(dup.status, .conflict)
            let problem = try dup.problem()
            XCTAssertEqual(problem.type, "/problems/possible-duplicate")
            XCTAssertEqual(problem.extra?["existingMrns"], mrn)
            let v4 = try await PatientRecord.query(on: app.db).count()
            XCTAssertEqual(v4, 1)

            struct Ack: Encodable {
                let familyName = "Garcia", givenName = "Maria", birthDate = "1961-04-12", sex = "female",
                    acknowledgeDuplicate = true
            }
            let acked = try await HTTP.send(app, .POST, Site.apiPatients.path(), headers: h, json: Ack())
            XCTAssertEqual(acked.status, .created)
            XCTAssertEqual(try acked.content.get([String].self, at: "warnings").count, 1)
        }
    }

    func test_update_keepsHistory_andStaleIfMatchGets412() async throws {
        try await withTestApp { app, clock in
            let h = try await Fixtures.bearer(app, try await Fixtures.user(app, .medicalAssistant), clock: clock)
            let id = try await Fixtures.patient(app)
            let ok = try await HTTP.send(
                app, .PATCH, Site.apiPatient.path(id), headers: h.merging(["If-Match": "W/\"1\""]),
                json: ["phone": "812 555 0199", "city": "Evansville"])
            XCTAssertEqual(ok.status, .ok)
            XCTAssertEqual(ok.headers.first(name: .eTag), "W/\"2\"")
            let stale = try await HTTP.send(
                app, .PATCH, Site.apiPatient.path(id), headers: h.merging(["If-Match": "W/\"1\""]),
                json: ["phone": "000 000 0000"])
            XCTAssertEqual(stale.status, .preconditionFailed)
            let bad = try await HTTP.send(
                app, .PATCH, Site.apiPatient.path(id), headers: h, json: ["birthDate": "1970-13-01"])
            XCTAssertEqual(bad.status, .unprocessableEntity)

            let hist = try await HTTP.send(app, .GET, Site.apiPatientHistory.path(id), headers: h)
            let versions = try hist.content.decode([PatientVersionDTO].self)
            XCTAssertEqual(versions.map(\.version), [2, 1])
            XCTAssertEqual(versions[0].changedFields, ["phone", "city"])
            XCTAssertNil(versions[1].snapshot.phone)
            XCTAssertEqual(versions[0].snapshot.phone, "812 555 0199")
            let updates = try await Fixtures.auditRows(app, action: .update, patientID: id)
            XCTAssertEqual(Set(updates.map(\.category)), ["contact"])
            let p = try await PatientRecord.find(id, on: app.db)
            XCTAssertEqual(p?.version, 2)
            XCTAssertEqual(p?.birthDate, "1970-05-06")
        }
    }

    func test_search_byNamePrefix_birthDate_andMRN_eachResultAudited() async throws {
        try await withTestApp { app, clock in
            let h = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let a = try await Fixtures.patient(app, family: "Garcia", given: "Maria", birthDate: "1961-04-12")
            _ = try await Fixtures.patient(app, family: "Garner", given: "Tom", birthDate: "1950-01-01")
            _ = try await Fixtures.patient(app, family: "Okafor", given: "James", birthDate: "1958-09-30")
            let mrn = try await PatientRecord.find(a, on: app.db)!.mrn

            func count(_ q: String) async throws -> Int {
                let r = try await HTTP.send(app, .GET, Site.apiPatients.path() + "?\(q)", headers: h)
                XCTAssertEqual(r.status, .ok, q)
                return try r.content.get(Int.self, at: "count")
            }
            let c1 = try await count("q=gar"); XCTAssertEqual(c1, 2)
            let c2 = try await count("q=garcia%20mar"); XCTAssertEqual(c2, 1)
            let c3 = try await count("q=1961-04-12"); XCTAssertEqual(c3, 1)
            let c4 = try await count("q=\(mrn)"); XCTAssertEqual(c4, 1)
            let c5 = try await count("name=ok&birthDate=1958-09-30"); XCTAssertEqual(c5, 1)
            let c6 = try await count("q=zzz"); XCTAssertEqual(c6, 0)
            let bad = try await HTTP.send(app, .GET, Site.apiPatients.path() + "?birthDate=1961-02-31", headers: h)
            XCTAssertEqual(bad.status, .unprocessableEntity)
            let queries = try await Fixtures.auditRows(app, action: .query, patientID: a)
            XCTAssertEqual(queries.count, 4, "Maria was shown in four result lists")
        }
    }

    func test_patient_readsOwnRecord_notAnother_andCannotSearchOrEdit() async throws {
        try await withTestApp { app, clock in
            let me = try await Fixtures.patientUser(app)
            let other = try await Fixtures.patient(app, family: "Other", given: "Person")
            let h = try await Fixtures.bearer(app, me, clock: clock)
            let v5 = try await HTTP.send(app, .GET, Site.apiPatient.path(me.patientID!), headers: h).status
            XCTAssertEqual(v5, .ok)
            let denied = try await HTTP.send(app, .GET, Site.apiPatient.path(other), headers: h)
            XCTAssertEqual(denied.status, .forbidden)
            XCTAssertFalse(denied.body.string.contains("Other"))
            let v6 = try await HTTP.send(app, .GET, Site.apiPatientHistory.path(other), headers: h).status
            XCTAssertEqual(v6, .forbidden)
            let v7 = try await HTTP.send(app, .GET, Site.apiPatientExport.path(other), headers: h).status
            XCTAssertEqual(v7, .forbidden)
            let v8 = try await HTTP.send(app, .GET, Site.apiPatientAccessLog.path(other), headers: h).status
            XCTAssertEqual(v8, .forbidden)
            let v9 = try await HTTP.send(app, .GET, Site.apiPatients.path() + "?q=other", headers: h).status
            XCTAssertEqual(v9, .forbidden)
            let v10 = try await HTTP.send(
                app, .PATCH, Site.apiPatient.path(me.patientID!), headers: h, json: ["familyName": "X"]
            ).status
            XCTAssertEqual(v10, .forbidden)
            let denials = try await Fixtures.auditRows(app, action: .accessDenied)
            XCTAssertTrue(denials.contains { $0.patientID == other && $0.outcome == "denied" }, "refusals are audited")
        }
    }

    func test_roleMatrix_overTheAPI() async throws {
        try await withTestApp { app, clock in
            let pid = try await Fixtures.patient(app)
            var headers: [Role: HTTPHeaders] = [:]
            for role in Role.staffRoles {
                headers[role] = try await Fixtures.bearer(app, try await Fixtures.user(app, role), clock: clock)
            }
            let canRead: Set<Role> = [.admin, .medicalDirector, .provider, .medicalAssistant, .frontDesk]
            for role in Role.staffRoles {
                let read = try await HTTP.send(app, .GET, Site.apiPatient.path(pid), headers: headers[role]!)
                XCTAssertEqual(read.status, canRead.contains(role) ? .ok : .forbidden, "\(role) read")
                let audit = try await HTTP.send(app, .GET, Site.apiAuditEvents.path(), headers: headers[role]!)
                XCTAssertEqual(audit.status, role == .admin ? .ok : .forbidden, "\(role) audit report")
                let users = try await HTTP.send(app, .GET, Site.apiUsers.path(), headers: headers[role]!)
                XCTAssertEqual(users.status, role == .admin ? .ok : .forbidden, "\(role) users")
                let verify = try await HTTP.send(app, .POST, Site.apiAuditVerify.path(), headers: headers[role]!)
                XCTAssertEqual(verify.status, [.admin, .operator].contains(role) ? .ok : .forbidden, "\(role) verify")
            }
            let deskDelete = try await HTTP.send(app, .DELETE, Site.apiPatient.path(pid), headers: headers[.frontDesk]!)
            XCTAssertEqual(deskDelete.status, .forbidden)
            let adminDelete = try await HTTP.send(app, .DELETE, Site.apiPatient.path(pid), headers: headers[.admin]!)
            XCTAssertEqual(adminDelete.status, .noContent)
            let v11 = try await PatientRecord.find(pid, on: app.db)?.retiredAt
            XCTAssertNotNil(v11)
            let v12 = try await Fixtures.auditRows(app, action: .delete, patientID: pid).count
            XCTAssertEqual(v12, 1)
            let noToken = try await HTTP.send(app, .GET, Site.apiPatient.path(pid))
            XCTAssertEqual(noToken.status, .unauthorized)
        }
    }

    func test_export_isAuditedAsExport_andAccessLogShowsWhoLooked() async throws {
        try await withTestApp { app, clock in
            let me = try await Fixtures.patientUser(app)
            let dr = try await Fixtures.user(app, .provider)
            let drH = try await Fixtures.bearer(app, dr, clock: clock)
            let export = try await HTTP.send(app, .GET, Site.apiPatientExport.path(me.patientID!), headers: drH)
            XCTAssertEqual(export.status, .ok)
            XCTAssertTrue(export.headers.first(name: "Content-Disposition")?.contains("attachment") ?? false)
            let v13 = try await Fixtures.auditRows(app, action: .export, patientID: me.patientID).count
            XCTAssertEqual(v13, 1)

            let myH = try await Fixtures.bearer(app, me, clock: clock)
            _ = try await HTTP.send(app, .GET, Site.apiPatient.path(me.patientID!), headers: myH)
            let log = try await HTTP.send(app, .GET, Site.apiPatientAccessLog.path(me.patientID!), headers: myH)
            let entries = try log.content.decode([AccessLogEntryDTO].self)
            XCTAssertTrue(entries.contains { $0.user == dr.username && $0.action == "export" })
            XCTAssertFalse(
                entries.contains { $0.user == me.username }, "the patient's own views are not listed as others' access")
        }
    }
}

extension HTTPHeaders {
    func merging(_ extra: [String: String]) -> HTTPHeaders {
        var h = self
        for (k, v) in extra { h.replaceOrAdd(name: k, value: v) }
        return h
    }
}
