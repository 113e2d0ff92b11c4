import Foundation

/// JSON Schema for the OpenAPI document, derived from a type's own `Decodable` conformance, so the document cannot
/// drift from the DTOs: a recording decoder walks the type once and notes every key it reads, whether the type
/// requires it (`decode`) or accepts its absence (`decodeIfPresent`), and the type of each value (nested types,
/// arrays, string-keyed dictionaries and string enums included).
///
/// No library derives schemas from Codable types (OpenAPIKit builds schemas by hand, and its sibling
/// OpenAPIReflection is not available here), so this small decoder does it.
package enum APISchema {
    package typealias J = [String: Any]

    /// The schema of `type`. `required` names the fields a request must send (the DTO may still decode them as
    /// optional, to answer with a field error); `fields` adds descriptions, formats and limits. A name that the type
    /// does not decode, or a type that cannot be walked, stops the program, which the document test catches at once.
    package static func of<T: Decodable>(
        _ type: T.Type, required: [String] = [], fields: [String: APIField] = [:]
    ) -> J {
        do {
            var schema = try SchemaRecorder.record(type).schema
            try SchemaRecorder.annotate(&schema, required: required, fields: fields, of: "\(T.self)")
            return schema
        } catch {
            preconditionFailure("no API schema for \(T.self): \(error)")
        }
    }

    /// One object with the properties of both (a body that two DTOs decode from).
    package static func merged(_ a: J, _ b: J) -> J {
        var result = a
        var properties = a["properties"] as? J ?? [:]
        for (key, value) in b["properties"] as? J ?? [:] { properties[key] = value }
        result["properties"] = properties
        let required = (a["required"] as? [String] ?? []) + (b["required"] as? [String] ?? [])
        if !required.isEmpty { result["required"] = required }
        return result
    }
}

/// What the document says of one field beyond its type.
package struct APIField: Sendable {
    package var description: String?
    package var format: String?
    package var maxLength: Int?
    package var minimum: Double?
    package var maximum: Double?
    package var values: [String]?

    package init(
        _ description: String? = nil, format: String? = nil, maxLength: Int? = nil, minimum: Double? = nil,
        maximum: Double? = nil, values: [String]? = nil
    ) {
        self.description = description
        self.format = format
        self.maxLength = maxLength
        self.minimum = minimum
        self.maximum = maximum
        self.values = values
    }

    /// Free text of at most `max` characters.
    package static func text(max: Int, _ description: String? = nil) -> APIField {
        APIField(description, maxLength: max)
    }
    /// A calendar date, YYYY-MM-DD.
    package static let date = APIField("Calendar date YYYY-MM-DD", format: "date")

    fileprivate func apply(to schema: inout APISchema.J) {
        if let description { schema["description"] = description }
        if let format { schema["format"] = format }
        if let maxLength { schema["maxLength"] = maxLength }
        if let minimum { schema["minimum"] = minimum }
        if let maximum { schema["maximum"] = maximum }
        if let values {
            let nullable = (schema["type"] as? [String])?.contains("null") == true
            schema["enum"] = nullable ? values + [NSNull()] : values
        }
    }
}

struct SchemaRecordingError: Error, CustomStringConvertible {
    let description: String
}

/// A string-keyed dictionary: its schema is an object whose values all have the value type's schema.
private protocol StringKeyedDictionary {
    static var valueType: any Decodable.Type { get }
    static var empty: Self { get }
}

extension Dictionary: StringKeyedDictionary where Key == String, Value: Decodable {
    fileprivate static var valueType: any Decodable.Type { Value.self }
    fileprivate static var empty: Self { [:] }
}

/// What one decoder saw: an object's properties, an array's items or a single value.
private final class SchemaBox {
    var properties: [String: APISchema.J] = [:]
    var required: [String] = []
    var optional: Set<String> = []
    var isObject = false
    var items: APISchema.J?
    var value: APISchema.J?

    var schema: APISchema.J {
        if let value { return value }
        if isObject {
            var object: APISchema.J = ["type": "object", "properties": properties, "additionalProperties": false]
            let needed = required.filter { !optional.contains($0) }
            if !needed.isEmpty { object["required"] = needed }
            return object
        }
        return ["type": "array", "items": items ?? [:]]
    }

    func property(_ key: String, _ schema: APISchema.J) {
        var schema = schema
        if optional.contains(key) { schema = Self.nullable(schema) }
        properties[key] = schema
        if !required.contains(key) { required.append(key) }
    }

    static func nullable(_ schema: APISchema.J) -> APISchema.J {
        var schema = schema
        if let type = schema["type"] as? String {
            schema["type"] = [type, "null"]
        }
        if var cases = schema["enum"] as? [Any] {
            cases.append(NSNull())
            schema["enum"] = cases
        }
        return schema
    }
}

private enum SchemaRecorder {
    static func record<T: Decodable>(_ type: T.Type) throws -> (value: T, schema: APISchema.J) {
        if let leaf = leaf(type) { return leaf }
        if let dictionary = T.self as? any StringKeyedDictionary.Type {
            let valueSchema = try recordAny(dictionary.valueType).schema
            return (dictionary.empty as! T, ["type": "object", "additionalProperties": valueSchema])
        }
        if let enumeration = T.self as? any (CaseIterable & RawRepresentable).Type {
            let (first, schema) = cases(enumeration)
            if let first = first as? T { return (first, schema) }
        }
        let box = SchemaBox()
        let value = try T(from: RecordingDecoder(box: box))
        return (value, box.schema)
    }

    static func recordAny(_ type: any Decodable.Type) throws -> (value: Any, schema: APISchema.J) {
        try open(type)
    }

    private static func open<T: Decodable>(_ type: T.Type) throws -> (value: Any, schema: APISchema.J) {
        let (value, schema) = try record(type)
        return (value, schema)
    }

    private static func cases<E: CaseIterable & RawRepresentable>(_ type: E.Type) -> (Any?, APISchema.J) {
        let values = E.allCases.map(\.rawValue)
        if let strings = values as? [String] { return (E.allCases.first, ["type": "string", "enum": strings]) }
        return (E.allCases.first, ["type": "integer", "enum": values.compactMap { Int("\($0)") }])
    }

    static func annotate(
        _ schema: inout APISchema.J, required: [String], fields: [String: APIField], of type: String
    ) throws {
        guard !required.isEmpty || !fields.isEmpty else { return }
        guard var properties = schema["properties"] as? [String: APISchema.J] else {
            throw SchemaRecordingError(description: "\(type) is not an object")
        }
        for key in Set(required).union(fields.keys) where properties[key] == nil {
            throw SchemaRecordingError(description: "\(type) has no field \"\(key)\"")
        }
        for key in required {
            if let types = properties[key]?["type"] as? [String] {
                properties[key]?["type"] = types.first { $0 != "null" }
            }
            if let cases = properties[key]?["enum"] as? [Any] {
                properties[key]?["enum"] = cases.filter { !($0 is NSNull) }
            }
        }
        for (key, field) in fields { field.apply(to: &properties[key]!) }
        schema["properties"] = properties
        let needed =
            (schema["required"] as? [String] ?? [])
            + required.filter {
                !((schema["required"] as? [String])?.contains($0) ?? false)
            }
        if !needed.isEmpty { schema["required"] = needed }
    }

    private static func leaf<T>(_ type: T.Type) -> (T, APISchema.J)? {
        let found: (Any, APISchema.J)? =
            switch type {
            case is String.Type: ("", ["type": "string"])
            case is Bool.Type: (false, ["type": "boolean"])
            case is Int.Type: (0, ["type": "integer"])
            case is Int64.Type: (Int64(0), ["type": "integer"])
            case is Int8.Type: (Int8(0), ["type": "integer"])
            case is Int16.Type: (Int16(0), ["type": "integer"])
            case is Int32.Type: (Int32(0), ["type": "integer"])
            case is UInt.Type: (UInt(0), ["type": "integer", "minimum": 0])
            case is UInt8.Type: (UInt8(0), ["type": "integer", "minimum": 0])
            case is UInt16.Type: (UInt16(0), ["type": "integer", "minimum": 0])
            case is UInt32.Type: (UInt32(0), ["type": "integer", "minimum": 0])
            case is UInt64.Type: (UInt64(0), ["type": "integer", "minimum": 0])
            case is Double.Type: (0.0, ["type": "number"])
            case is Float.Type: (Float(0), ["type": "number"])
            case is Date.Type: (Date(timeIntervalSince1970: 0), ["type": "string", "format": "date-time"])
            case is UUID.Type: (UUID(), ["type": "string", "format": "uuid"])
            case is URL.Type: (URL(fileURLWithPath: "/"), ["type": "string", "format": "uri"])
            case is Data.Type: (Data(), ["type": "string", "contentEncoding": "base64"])
            default: nil
            }
        guard let found, let value = found.0 as? T else { return nil }
        return (value, found.1)
    }
}

private struct RecordingDecoder: Decoder {
    let box: SchemaBox
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        box.isObject = true
        return KeyedDecodingContainer(KeyedRecorder<Key>(box: box))
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { UnkeyedRecorder(box: box) }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleRecorder(box: box) }
}

private struct KeyedRecorder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let box: SchemaBox
    var codingPath: [any CodingKey] = []
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { true }
    /// Called by `decodeIfPresent` (and by hand-written optional reads) before the value is decoded.
    func decodeNil(forKey key: Key) throws -> Bool {
        box.optional.insert(key.stringValue)
        return false
    }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try read(type, key) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try read(type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try read(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try read(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try read(type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try read(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try read(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try read(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try read(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try read(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try read(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try read(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try read(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try read(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try read(type, key) }

    private func read<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
        let (value, schema) = try SchemaRecorder.record(type)
        box.property(key.stringValue, schema)
        return value
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        throw SchemaRecordingError(description: "nested containers are not described (key \(key.stringValue))")
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw SchemaRecordingError(description: "nested containers are not described (key \(key.stringValue))")
    }
    func superDecoder() throws -> any Decoder { RecordingDecoder(box: box) }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        throw SchemaRecordingError(description: "super decoders are not described (key \(key.stringValue))")
    }
}

private struct UnkeyedRecorder: UnkeyedDecodingContainer {
    let box: SchemaBox
    var codingPath: [any CodingKey] = []
    var count: Int? { nil }
    var isAtEnd: Bool { box.items != nil }
    var currentIndex: Int { box.items == nil ? 0 : 1 }

    mutating func decodeNil() throws -> Bool { false }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try read(type) }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try read(type) }
    mutating func decode(_ type: String.Type) throws -> String { try read(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try read(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try read(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try read(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try read(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try read(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try read(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try read(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try read(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try read(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try read(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try read(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try read(type) }

    private func read<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, schema) = try SchemaRecorder.record(type)
        box.items = schema
        return value
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        throw SchemaRecordingError(description: "nested containers are not described")
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw SchemaRecordingError(description: "nested containers are not described")
    }
    mutating func superDecoder() throws -> any Decoder {
        throw SchemaRecordingError(description: "super decoders are not described")
    }
}

private struct SingleRecorder: SingleValueDecodingContainer {
    let box: SchemaBox
    var codingPath: [any CodingKey] = []

    func decodeNil() -> Bool { false }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try read(type) }
    func decode(_ type: Bool.Type) throws -> Bool { try read(type) }
    func decode(_ type: String.Type) throws -> String { try read(type) }
    func decode(_ type: Double.Type) throws -> Double { try read(type) }
    func decode(_ type: Float.Type) throws -> Float { try read(type) }
    func decode(_ type: Int.Type) throws -> Int { try read(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try read(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try read(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try read(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try read(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try read(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try read(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try read(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try read(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try read(type) }

    private func read<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, schema) = try SchemaRecorder.record(type)
        box.value = schema
        return value
    }
}
