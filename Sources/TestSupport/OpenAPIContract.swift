import App
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Checks an `/api/v1` response against the served OpenAPI document: the operation and its status are documented,
/// the content type is one the document lists, and a JSON body matches the schema (types, required and unknown
/// properties, enums, formats, limits). Every test app runs every response through it (`withTestApp`).
package enum OpenAPIContract {
    package typealias J = [String: Any]

    nonisolated(unsafe) package static let document: J = OpenAPIDocument.document

    /// Why the response breaks the document, or nil when it keeps it.
    package static func violation(
        method: String, path: String, status: Int, contentType: String?, body: Data, document: J = document
    ) -> String? {
        let at = "\(method) \(path) \(status)"
        guard let item = (document["paths"] as? J)?[path] as? J, let operation = item[method.lowercased()] as? J
        else { return "\(at): the operation is not in the document" }
        let responses = operation["responses"] as? J ?? [:]
        guard let response = (responses["\(status)"] ?? responses["default"]) as? J else {
            return "\(at): the status is not documented"
        }
        guard !body.isEmpty else { return nil }
        let mediaType = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard let content = response["content"] as? J else {
            return "\(at): a \(mediaType) body where the document says there is none"
        }
        guard let media = content[mediaType] as? J else {
            return "\(at): content type \(mediaType) is not one of \(content.keys.sorted())"
        }
        guard mediaType.hasSuffix("json"), let schema = media["schema"] as? J else { return nil }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: body)
        } catch {
            return "\(at): the body is not JSON (\(error))"
        }
        var problems: [String] = []
        SchemaCheck(document: document).check(value, against: schema, at: "$", into: &problems)
        return problems.isEmpty ? nil : "\(at): " + problems.prefix(5).joined(separator: "; ")
    }
}

/// The `/api/v1` route a request matched, as the document spells it (`/api/v1/patients/{id}`).
extension Request {
    package var documentedPath: String? {
        guard let parts = route?.path.map(\.description), parts.count > 1, parts[0] == "api", parts[1] == "v1"
        else { return nil }
        return "/" + parts.map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : $0 }.joined(separator: "/")
    }
}

/// Runs every `/api/v1` response of a test app through `OpenAPIContract`; the test fails on any violation.
package final class OpenAPIContractMiddleware: AsyncMiddleware {
    private let found = NIOLockedValueBox<[String]>([])
    package var violations: [String] { found.withLockedValue { $0 } }

    package init() {}

    package func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        guard let path = request.documentedPath else { return response }
        let body = response.body.buffer.map { Data(buffer: $0) } ?? response.body.data ?? Data()
        if let problem = OpenAPIContract.violation(
            method: request.method.rawValue, path: path, status: Int(response.status.code),
            contentType: response.headers.first(name: .contentType), body: body)
        {
            found.withLockedValue { if !$0.contains(problem) { $0.append(problem) } }
        }
        return response
    }
}

/// A parsed JSON value, keeping booleans apart from numbers.
package enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    package init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number(let n): n.rounded() == n ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// The JSON Schema rules the document uses, checked against one value.
private struct SchemaCheck {
    let document: OpenAPIContract.J

    func check(_ value: JSONValue, against schema: OpenAPIContract.J, at path: String, into problems: inout [String]) {
        if let ref = schema["$ref"] as? String {
            let name = String(ref.split(separator: "/").last ?? "")
            let components = (document["components"] as? OpenAPIContract.J)?["schemas"] as? OpenAPIContract.J
            guard let target = components?[name] as? OpenAPIContract.J else {
                problems.append("\(path): unknown schema \(ref)")
                return
            }
            return check(value, against: target, at: path, into: &problems)
        }
        let types = (schema["type"] as? [String]) ?? (schema["type"] as? String).map { [$0] } ?? []
        if !types.isEmpty, !types.contains(where: { matches(value, $0) }) {
            problems.append("\(path): \(value.typeName) where the document says \(types.joined(separator: " or "))")
            return
        }
        if let cases = schema["enum"] as? [Any], !cases.contains(where: { equal(value, $0) }) {
            problems.append("\(path): \(value) is not one of the documented values")
        }
        switch value {
        case .object(let members): checkObject(members, schema, path, &problems)
        case .array(let items):
            if let itemSchema = schema["items"] as? OpenAPIContract.J {
                for (i, item) in items.enumerated() {
                    check(item, against: itemSchema, at: "\(path)[\(i)]", into: &problems)
                }
            }
        case .string(let s): checkString(s, schema, path, &problems)
        case .number(let n):
            if let min = (schema["minimum"] as? NSNumber)?.doubleValue, n < min {
                problems.append("\(path): below \(min)")
            }
            if let max = (schema["maximum"] as? NSNumber)?.doubleValue, n > max {
                problems.append("\(path): above \(max)")
            }
        default: break
        }
    }

    private func checkObject(
        _ members: [String: JSONValue], _ schema: OpenAPIContract.J, _ path: String, _ problems: inout [String]
    ) {
        let properties = schema["properties"] as? OpenAPIContract.J ?? [:]
        for name in schema["required"] as? [String] ?? [] where members[name] == nil {
            problems.append("\(path): the required field \"\(name)\" is missing")
        }
        for (name, member) in members.sorted(by: { $0.key < $1.key }) {
            if let property = properties[name] as? OpenAPIContract.J {
                check(member, against: property, at: "\(path).\(name)", into: &problems)
            } else if let extra = schema["additionalProperties"] as? OpenAPIContract.J {
                check(member, against: extra, at: "\(path).\(name)", into: &problems)
            } else if (schema["additionalProperties"] as? Bool) == false {
                problems.append("\(path): the field \"\(name)\" is not in the document")
            }
        }
    }

    private func checkString(_ s: String, _ schema: OpenAPIContract.J, _ path: String, _ problems: inout [String]) {
        if let max = schema["maxLength"] as? Int, s.count > max { problems.append("\(path): longer than \(max)") }
        let ok: Bool =
            switch schema["format"] as? String {
            case "uuid": UUID(uuidString: s) != nil
            case "date-time": Self.instant(s)
            case "date": s.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil
            default: true
            }
        if !ok { problems.append("\(path): \"\(s)\" is not a \(schema["format"] ?? "")") }
    }

    private static func instant(_ s: String) -> Bool {
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions.insert(.withFractionalSeconds)
        return plain.date(from: s) != nil || fractional.date(from: s) != nil
    }

    private func matches(_ value: JSONValue, _ type: String) -> Bool {
        switch (value, type) {
        case (.null, "null"), (.bool, "boolean"), (.string, "string"), (.array, "array"), (.object, "object"): true
        case (.number, "number"): true
        case (.number(let n), "integer"): n.rounded() == n
        default: false
        }
    }

    private func equal(_ value: JSONValue, _ documented: Any) -> Bool {
        switch value {
        case .null: documented is NSNull
        case .string(let s): (documented as? String) == s
        case .number(let n): (documented as? NSNumber)?.doubleValue == n
        case .bool(let b): (documented as? Bool) == b
        default: false
        }
    }
}
