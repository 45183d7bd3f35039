import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The XML bodies WebDAV clients send (RFC 4918 §14): what a PROPFIND asks for, what a
/// PROPPATCH sets and removes, what a LOCK wants. Parsed with namespaces, so `<a:prop
/// xmlns:a="DAV:">` is understood like `<D:prop>`; anything else in the body is ignored, as
/// the RFC asks. A body that is not XML is a `DAVRequestBody.Malformed` (400).
enum DAVRequestBody {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    enum PropFind: Equatable {
        /// Every property (an empty body means this too).
        case all
        /// The names only.
        case names
        case properties([DAVName])
    }

    struct PropPatch: Equatable {
        /// Each property set or removed, in order.
        var changes: [(name: DAVName, remove: Bool)]

        static func == (lhs: PropPatch, rhs: PropPatch) -> Bool {
            lhs.changes.map(\.name) == rhs.changes.map(\.name) && lhs.changes.map(\.remove) == rhs.changes.map(\.remove)
        }
    }

    struct LockInfo: Equatable {
        var exclusive: Bool
        var write: Bool
        /// The owner the client gave (its text, or its href), echoed in the answer.
        var owner: String?
    }

    static func propFind(_ body: Data) throws -> PropFind {
        guard !isBlank(body) else { return .all }
        let root = try parse(body)
        guard root.name == .dav("propfind") else { throw Malformed(description: "the body of PROPFIND must be a DAV:propfind element") }
        if root.child(.dav("propname")) != nil { return .names }
        if let prop = root.child(.dav("prop")) { return .properties(prop.children.map(\.name)) }
        return .all
    }

    static func propPatch(_ body: Data) throws -> PropPatch {
        let root = try parse(body)
        guard root.name == .dav("propertyupdate") else { throw Malformed(description: "the body of PROPPATCH must be a DAV:propertyupdate element") }
        var changes: [(DAVName, Bool)] = []
        for instruction in root.children where instruction.name == .dav("set") || instruction.name == .dav("remove") {
            for prop in instruction.children where prop.name == .dav("prop") {
                for property in prop.children { changes.append((property.name, instruction.name == .dav("remove"))) }
            }
        }
        return PropPatch(changes: changes)
    }

    /// nil: an empty body (a LOCK that refreshes a lock).
    static func lockInfo(_ body: Data) throws -> LockInfo? {
        guard !isBlank(body) else { return nil }
        let root = try parse(body)
        guard root.name == .dav("lockinfo") else { throw Malformed(description: "the body of LOCK must be a DAV:lockinfo element") }
        let scope = root.child(.dav("lockscope"))
        let type = root.child(.dav("locktype"))
        let owner = root.child(.dav("owner")).map { owner in
            owner.child(.dav("href"))?.text.trimmingCharacters(in: .whitespacesAndNewlines) ?? owner.allText.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return LockInfo(exclusive: scope?.child(.dav("exclusive")) != nil, write: type?.child(.dav("write")) != nil,
                        owner: owner?.isEmpty == false ? owner : nil)
    }

    static func isBlank(_ body: Data) -> Bool {
        body.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }

    /// An element of the body: its name, its children, its own text.
    final class Element {
        let name: DAVName
        var children: [Element] = []
        var text = ""

        init(_ name: DAVName) { self.name = name }

        func child(_ name: DAVName) -> Element? { children.first { $0.name == name } }

        var allText: String { text + children.map(\.allText).joined() }
    }

    /// The document's root element. Bodies are small (a client's request, at most the
    /// server's body limit); external entities are never resolved.
    static func parse(_ body: Data) throws -> Element {
        let parser = XMLParser(data: body)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        let builder = TreeBuilder()
        parser.delegate = builder
        guard parser.parse(), !builder.invalidNamespace, let root = builder.root else {
            throw Malformed(description: "the body is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "empty")")
        }
        return root
    }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var root: Element?
        var invalidNamespace = false
        var stack: [Element] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                    attributes attributeDict: [String: String] = [:]) {
            // A prefix bound to no namespace (`xmlns:x=""` is not allowed in XML namespaces 1.0).
            if let qName, qName.contains(":"), (namespaceURI ?? "").isEmpty {
                invalidNamespace = true
                parser.abortParsing()
                return
            }
            // Without a namespace the name is as written; with one, the local name.
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            let element = Element(DAVName(namespaceURI ?? "", local))
            if let parent = stack.last { parent.children.append(element) } else if root == nil { root = element }
            stack.append(element)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            _ = stack.popLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }
    }
}
