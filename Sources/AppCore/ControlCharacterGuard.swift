import Vapor

/// Refuses JSON and form bodies that carry control characters (U+0000–U+001F except tab, line feed and carriage
/// return; U+007F–U+009F), raw or escaped, before any handler sees them. Such text does not survive every database
/// (SQLite's C strings end at a NUL, PostgreSQL refuses it) and has no place in a name, a note or a reason.
/// Files (multipart, octet streams) and SCRIPT XML are not text fields and pass untouched.
/// A JSON body that names the same key twice in one object is refused too: decoders silently keep one of them, so
/// what was checked and what was stored could differ.
package struct ControlCharacterGuard: AsyncMiddleware {
    package static let maxChecked = 1024 * 1024

    package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard [.POST, .PUT, .PATCH].contains(req.method), let kind = Self.kind(of: req.headers.contentType) else {
            return try await next.respond(to: req)
        }
        let body: ByteBuffer?
        if let data = req.body.data {
            body = data
        } else {
            body = try await req.body.collect(max: Self.maxChecked).get()
        }
        guard let body else { return try await next.respond(to: req) }
        let bytes = Array(body.readableBytesView)
        if let bad = Self.firstControl(in: bytes, kind: kind) {
            let code = "U+" + String(format: "%04X", bad)
            throw AppError.malformed(
                field: nil,
                detail: "The request contains a control character (\(code)), which CareSync "
                    + "does not accept in text. Remove it and try again.")
        }
        if kind == .json, let key = Self.duplicateKey(inJSON: bytes) {
            throw AppError.malformed(
                field: key, detail: "The JSON body names \"\(key)\" twice in one object; send each field once.")
        }
        return try await next.respond(to: req)
    }

    package enum Kind { case json, form }

    package static func kind(of type: HTTPMediaType?) -> Kind? {
        guard let type else { return nil }
        if type.type == "application", type.subType == "json" || type.subType.hasSuffix("+json") { return .json }
        if type.type == "application", type.subType == "x-www-form-urlencoded" { return .form }
        return nil
    }

    package static func isControl(_ v: UInt32) -> Bool {
        (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D) || (0x7F...0x9F).contains(v)
    }

    /// The first control character's code point, reading raw bytes, JSON `\uXXXX` escapes or form `%XX` escapes.
    package static func firstControl(in bytes: [UInt8], kind: Kind) -> UInt32? {
        let decoded: [UInt8]
        switch kind {
        case .form: decoded = percentDecoded(bytes)
        case .json:
            if let v = escapedControl(inJSON: bytes) { return v }
            decoded = bytes
        }
        var i = 0
        while i < decoded.count {
            let b = decoded[i]
            if isControl(UInt32(b)), b < 0x80 { return UInt32(b) }
            // C1 controls arrive in UTF-8 as C2 80…C2 9F.
            if b == 0xC2, i + 1 < decoded.count, (0x80...0x9F).contains(decoded[i + 1]) {
                return UInt32(decoded[i + 1])
            }
            i += 1
        }
        return nil
    }

    package static func percentDecoded(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let h = hex(bytes[i + 1]), let l = hex(bytes[i + 2])
            {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(bytes[i] == UInt8(ascii: "+") ? UInt8(ascii: " ") : bytes[i])
                i += 1
            }
        }
        return out
    }

    /// A `\uXXXX` escape of a control character (one whose backslash is not itself escaped).
    package static func escapedControl(inJSON bytes: [UInt8]) -> UInt32? {
        var i = 0
        while i + 5 < bytes.count {
            if bytes[i] == UInt8(ascii: "\\") {
                if bytes[i + 1] == UInt8(ascii: "u"),
                    let a = hex(bytes[i + 2]), let b = hex(bytes[i + 3]), let c = hex(bytes[i + 4]),
                    let d = hex(bytes[i + 5])
                {
                    let v = UInt32(a) << 12 | UInt32(b) << 8 | UInt32(c) << 4 | UInt32(d)
                    if isControl(v) { return v }
                }
                i += 2  // skip the escaped character, so `\\u0000` (a backslash, then text) is not read as an escape
                continue
            }
            i += 1
        }
        return nil
    }

    /// The first key that appears twice in one JSON object (keys compared after unescaping); nil when there is none.
    /// A body that is not JSON at all is left to the decoder, which names the problem.
    package static func duplicateKey(inJSON bytes: [UInt8]) -> String? {
        enum Frame {
            case object(keys: Set<String>, expectingKey: Bool)
            case array
        }
        var stack: [Frame] = []
        var i = 0
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "{"): stack.append(.object(keys: [], expectingKey: true))
            case UInt8(ascii: "["): stack.append(.array)
            case UInt8(ascii: "}"), UInt8(ascii: "]"): if !stack.isEmpty { stack.removeLast() }
            case UInt8(ascii: ","):
                if case .object(let keys, _) = stack.last {
                    stack[stack.count - 1] = .object(keys: keys, expectingKey: true)
                }
            case UInt8(ascii: "\""):
                guard let (text, end) = readString(bytes, from: i) else { return nil }
                if case .object(var keys, true) = stack.last {
                    if keys.contains(text) { return text }
                    keys.insert(text)
                    stack[stack.count - 1] = .object(keys: keys, expectingKey: false)
                }
                i = end
            default: break
            }
            i += 1
        }
        return nil
    }

    /// The JSON string starting at `start` (a quote), unescaped, and the index of its closing quote.
    package static func readString(_ b: [UInt8], from start: Int) -> (String, Int)? {
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        var i = start + 1
        func flush() {
            scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
            raw.removeAll()
        }
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                flush()
                return (String(scalars), i)
            }
            if c == UInt8(ascii: "\\"), i + 1 < b.count {
                flush()
                let e = b[i + 1]
                switch e {
                case UInt8(ascii: "u"):
                    guard i + 5 < b.count, let a = hex(b[i + 2]), let h = hex(b[i + 3]), let c3 = hex(b[i + 4]),
                        let d = hex(b[i + 5])
                    else { return nil }
                    let v = UInt32(a) << 12 | UInt32(h) << 8 | UInt32(c3) << 4 | UInt32(d)
                    scalars.append(Unicode.Scalar(v) ?? "\u{FFFD}")
                    i += 6
                    continue
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "b"): scalars.append("\u{8}")
                case UInt8(ascii: "f"): scalars.append("\u{C}")
                default: scalars.append(Unicode.Scalar(e))
                }
                i += 2
                continue
            }
            raw.append(c)
            i += 1
        }
        return nil
    }

    package static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    package init() {
    }
}
