import XCTest
import XCTVapor
import App
import AppCore
import Domain
import Patients
import TestSupport

/// The OpenAPI document is derived from the DTOs, and every `/api/v1` response of the suite is checked against it
/// (`withTestApp` runs them all through `OpenAPIContract`). These tests show that the check has teeth.
final class OpenAPIContractTests: XCTestCase {
    func test_schemas_areDerivedFromTheDTOs_withRequiredAndOptionalFields() throws {
        let patient = APISchema.of(PatientDTO.self)
        let properties = try XCTUnwrap(patient["properties"] as? [String: [String: Any]])
        XCTAssertEqual(properties["id"]?["format"] as? String, "uuid")
        XCTAssertEqual(properties["createdAt"]?["format"] as? String, "date-time")
        XCTAssertEqual(properties["version"]?["type"] as? String, "integer")
        XCTAssertEqual(properties["email"]?["type"] as? [String], ["string", "null"])
        let required = Set(try XCTUnwrap(patient["required"] as? [String]))
        XCTAssertTrue(required.isSuperset(of: ["id", "mrn", "version", "familyName", "birthDate", "synthetic"]))
        XCTAssertFalse(required.contains("email"), "an optional field is not required")
        XCTAssertEqual(patient["additionalProperties"] as? Bool, false)

        // A DTO with a field that the document does not know: the derived schema has it at once.
        struct Renamed: Codable { var familyName: String; var nickname: String? }
        let renamed = try XCTUnwrap(APISchema.of(Renamed.self)["properties"] as? [String: Any])
        XCTAssertEqual(Set(renamed.keys), ["familyName", "nickname"])
    }

    func test_document_hasNoBareObjectPlaceholders() throws {
        var bare: [String] = []
        func walk(_ value: Any, _ path: String) {
            if let object = value as? [String: Any] {
                if object["type"] as? String == "object", object["properties"] == nil,
                    object["additionalProperties"] == nil
                {
                    bare.append(path)
                }
                for (key, child) in object { walk(child, path + "/" + key) }
            } else if let array = value as? [Any] {
                for (i, child) in array.enumerated() { walk(child, "\(path)/\(i)") }
            }
        }
        walk(OpenAPIContract.document, "#")
        XCTAssertEqual(bare, [])
    }

    func test_aResponseWithARenamedField_anUndocumentedStatus_orAWrongType_isAViolation() async throws {
        try await withTestApp { app, clock in
            let h = try await Fixtures.bearer(app, try await Fixtures.user(app, .frontDesk), clock: clock)
            let id = try await Fixtures.patient(app)
            let res = try await HTTP.send(app, .GET, Site.apiPatient.path(id), headers: h)
            XCTAssertEqual(res.status, .ok)
            let body = Data(buffer: res.body)
            let path = "/api/v1/patients/{id}"
            XCTAssertNil(
                OpenAPIContract.violation(
                    method: "GET", path: path, status: 200, contentType: "application/json", body: body))

            // The DTO renames familyName to surname but the document is not changed.
            let renamed = Data(
                String(decoding: body, as: UTF8.self).replacingOccurrences(
                    of: "\"familyName\"", with: "\"surname\""
                ).utf8)
            let problem = try XCTUnwrap(
                OpenAPIContract.violation(
                    method: "GET", path: path, status: 200, contentType: "application/json", body: renamed))
            XCTAssertTrue(problem.contains("\"familyName\" is missing"), problem)
            XCTAssertTrue(problem.contains("\"surname\" is not in the document"), problem)

            let wrongType = Data(
                String(decoding: body, as: UTF8.self).replacingOccurrences(
                    of: "\"version\":1", with: "\"version\":\"1\""
                ).utf8)
            // A field of the wrong type, an undocumented status, content type or method: each is a violation.
            let broken: [(String, Int, String, Data, String)] = [
                ("GET", 200, "application/json", wrongType, "$.version: string where the document says integer"),
                ("GET", 418, "application/json", body, "the status is not documented"),
                ("GET", 200, "text/html", body, "content type text/html"),
                ("PUT", 200, "application/json", body, "the operation is not in the document"),
            ]
            for (method, status, contentType, sent, expected) in broken {
                let found = OpenAPIContract.violation(
                    method: method, path: path, status: status, contentType: contentType, body: sent)
                XCTAssertTrue(found?.contains(expected) == true, "\(method) \(status): \(found ?? "no violation")")
            }
        }
    }
}
