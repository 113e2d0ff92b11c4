import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A small XML element tree: enough to build SCRIPT messages with correct escaping and to read them back.
public struct XElement: Equatable, Sendable {
    public var name: String
    public var attributes: [(String, String)]
    public var children: [XElement]
    public var text: String

    public init(_ name: String, _ attributes: [(String, String)] = [], text: String = "", _ children: [XElement] = []) {
        self.name = name; self.attributes = attributes; self.text = text; self.children = children
    }

    /// An element holding other elements.
    public init(_ name: String, _ children: [XElement]) { self.init(name, [], text: "", children) }

    public static func == (a: XElement, b: XElement) -> Bool {
        a.name == b.name && a.text == b.text && a.children == b.children
            && a.attributes.map { $0.0 + "=" + $0.1 } == b.attributes.map { $0.0 + "=" + $0.1 }
    }

    /// A leaf with text; nil text gives nil (so optional fields simply drop out).
    public static func leaf(_ name: String, _ value: String?) -> XElement? { value.map { XElement(name, text: $0) } }

    public func attribute(_ name: String) -> String? { attributes.first { $0.0 == name }?.1 }

    public func child(_ name: String) -> XElement? { children.first { $0.name == name } }

    /// The element at a slash-separated path below this one ("Header/To").
    public func at(_ path: String) -> XElement? {
        var node: XElement? = self
        for part in path.split(separator: "/") { node = node?.child(String(part)) }
        return node
    }

    /// Trimmed text at a path; nil when missing or empty.
    public func value(_ path: String) -> String? {
        let t = at(path)?.text.trimmingCharacters(in: .whitespacesAndNewlines)
        return (t?.isEmpty ?? true) ? nil : t
    }

    public func render(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent)
        let attrs = attributes.map { " \($0.0)=\"\(Self.escape($0.1, attribute: true))\"" }.joined()
        if children.isEmpty {
            return text.isEmpty
                ? "\(pad)<\(name)\(attrs)/>" : "\(pad)<\(name)\(attrs)>\(Self.escape(text, attribute: false))</\(name)>"
        }
        return "\(pad)<\(name)\(attrs)>\n" + children.map { $0.render(indent: indent + 1) }.joined(separator: "\n")
            + "\n\(pad)</\(name)>"
    }

    public var document: String { "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + render() + "\n" }

    static func escape(_ s: String, attribute: Bool) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// Parses a document. Only UTF-8 is read (a UTF-16 or other document could hide what follows from a byte scan);
    /// a document type declaration, entity, element or attribute-list declaration anywhere in it is refused (no XXE,
    /// no entity expansion), as are documents over 1 MB.
    public static func parse(_ data: Data) throws -> XElement {
        guard data.count <= 1_048_576 else { throw ParseError(description: "the message is larger than 1 MB") }
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.prefix(4).contains(0) {
            throw ParseError(description: "the message must be UTF-8 encoded")
        }
        guard let text = String(data: bytes, encoding: .utf8) else {
            throw ParseError(description: "the message is not valid UTF-8")
        }
        if let decl = text.range(of: "<?xml"), let end = text.range(of: "?>", range: decl.upperBound..<text.endIndex) {
            let declaration = text[decl.upperBound..<end.lowerBound].lowercased()
            if let enc = declaration.range(of: "encoding") {
                let value = declaration[enc.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "'" }
                if !value.hasPrefix("utf-8") && !value.hasPrefix("utf8") {
                    throw ParseError(description: "the message must be UTF-8 encoded")
                }
            }
        }
        for marker in ["<!DOCTYPE", "<!ENTITY", "<!ELEMENT", "<!ATTLIST", "<!NOTATION"]
        where text.range(of: marker, options: .caseInsensitive) != nil {
            throw ParseError(description: "document type declarations are not accepted")
        }
        let builder = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            let line = parser.lineNumber
            throw ParseError(
                description: "not well-formed XML (line \(line))"
                    + (parser.parserError.map { ": \($0.localizedDescription)" } ?? ""))
        }
        return root
    }

    final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [XElement] = []
        var root: XElement?

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            stack.append(XElement(name, attributes.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard var done = stack.popLast() else { return }
            if !done.children.isEmpty && done.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                done.text = ""
            }
            if stack.isEmpty { root = done } else { stack[stack.count - 1].children.append(done) }
        }
    }
}
