import Foundation

/// A property's name in WebDAV: a namespace and a local name (`DAV:` `getetag`).
struct DAVName: Hashable, Sendable, CustomStringConvertible {
    var namespace: String
    var name: String

    init(_ namespace: String, _ name: String) {
        self.namespace = namespace
        self.name = name
    }

    static func dav(_ name: String) -> DAVName { DAVName("DAV:", name) }

    var description: String { "{\(namespace)}\(name)" }

    static let creationDate = dav("creationdate")
    static let displayName = dav("displayname")
    static let contentLength = dav("getcontentlength")
    static let contentType = dav("getcontenttype")
    static let etag = dav("getetag")
    static let lastModified = dav("getlastmodified")
    static let lockDiscovery = dav("lockdiscovery")
    static let resourceType = dav("resourcetype")
    static let supportedLock = dav("supportedlock")
    static let quotaUsed = dav("quota-used-bytes")
    static let quotaAvailable = dav("quota-available-bytes")

    /// What `allprop` answers with (RFC 4918 §9.1: the live properties it defines; the
    /// RFC 4331 quota ones only when asked for by name).
    static let allProperties: [DAVName] = [
        creationDate, displayName, contentLength, contentType, etag, lastModified, lockDiscovery, resourceType, supportedLock,
    ]
}

/// A lock as WebDAV shows it (`activelock`).
struct DAVActiveLock: Sendable, Equatable {
    /// The lock token: given only to its holder (others see that it is locked, and by whom).
    var token: String?
    /// Who holds it, as people read it.
    var owner: String
    var timeoutSeconds: Int
    /// The locked resource's href.
    var root: String
}

/// What a PROPFIND says about one resource: a collection (the list of workspaces, a
/// workspace's library, a folder) or a document.
struct DAVResource: Sendable {
    var href: String
    var isCollection: Bool
    var displayName: String
    var contentLength: Int64?
    var contentType: String?
    var etag: String?
    var created: Date
    var modified: Date
    var lock: DAVActiveLock?
    var quotaUsed: Int64?
    var quotaAvailable: Int64?

    /// The value of `name` as XML (inside its element), nil when the resource has no such property.
    func value(_ name: DAVName) -> String? {
        switch name {
        case .creationDate: DAVXML.escape(DAVDates.iso8601(created))
        case .displayName: DAVXML.escape(displayName)
        case .contentLength: contentLength.map { String($0) }
        case .contentType: contentType.map(DAVXML.escape)
        case .etag: etag.map { DAVXML.escape("\"\($0)\"") }
        case .lastModified: DAVXML.escape(DAVDates.rfc1123(modified))
        case .resourceType: isCollection ? "<D:collection/>" : ""
        case .supportedLock:
            isCollection ? "" : "<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>"
        case .lockDiscovery: lock.map { DAVXML.activeLock($0) } ?? ""
        case .quotaUsed: quotaUsed.map { String($0) }
        case .quotaAvailable: quotaAvailable.map { String($0) }
        default: nil
        }
    }
}

/// Writes the XML bodies of WebDAV answers (RFC 4918 §14): multistatus, a lock's
/// discovery, errors with their precondition element. Everything uses the `D:` prefix for
/// `DAV:`; other namespaces get a prefix of their own on the element that needs it.
enum DAVXML {
    static let header = #"<?xml version="1.0" encoding="utf-8"?>"#

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            // XML 1.0 cannot carry most control characters at all.
            case _ where character.value < 0x20 && character != "\t" && character != "\n" && character != "\r": out += "\u{FFFD}"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// `<D:name>value</D:name>`, or with a namespace of its own; empty value: `<D:name/>`.
    static func element(_ name: DAVName, _ value: String) -> String {
        let (open, close): (String, String)
        if name.namespace == "DAV:" {
            (open, close) = ("D:\(name.name)", "D:\(name.name)")
        } else {
            (open, close) = ("X:\(name.name) xmlns:X=\"\(escape(name.namespace))\"", "X:\(name.name)")
        }
        return value.isEmpty ? "<\(open)/>" : "<\(open)>\(value)</\(close)>"
    }

    static func status(_ code: Int) -> String { "HTTP/1.1 \(code) \(reason(code))" }

    static func reason(_ code: Int) -> String {
        switch code {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 409: "Conflict"
        case 423: "Locked"
        case 424: "Failed Dependency"
        default: "Status"
        }
    }

    /// The answer to PROPFIND for `resources`: for each, the properties asked for (`names`;
    /// nil: all of them) that it has, with 200, and those it has not, with 404.
    /// `namesOnly`: PROPFIND `propname`, the names without values.
    static func multistatus(_ resources: [DAVResource], names: [DAVName]?, namesOnly: Bool = false) -> String {
        var xml = header + #"<D:multistatus xmlns:D="DAV:">"#
        for resource in resources {
            xml += "<D:response><D:href>\(escape(resource.href))</D:href>"
            var found = "", missing = ""
            // propname lists every property there is; allprop leaves out the quota ones.
            let asked = names ?? (namesOnly ? DAVName.allProperties + [.quotaUsed, .quotaAvailable] : DAVName.allProperties)
            for name in asked {
                if let value = resource.value(name) {
                    found += element(name, namesOnly ? "" : value)
                } else if names != nil {
                    // Asked for by name and not there; allprop and propname list only what is.
                    missing += element(name, "")
                }
            }
            if !found.isEmpty { xml += "<D:propstat><D:prop>\(found)</D:prop><D:status>\(status(200))</D:status></D:propstat>" }
            if !missing.isEmpty { xml += "<D:propstat><D:prop>\(missing)</D:prop><D:status>\(status(404))</D:status></D:propstat>" }
            xml += "</D:response>"
        }
        return xml + "</D:multistatus>"
    }

    /// The answer to PROPPATCH: each property with the status it got.
    static func propPatch(href: String, results: [(DAVName, Int)]) -> String {
        var xml = header + #"<D:multistatus xmlns:D="DAV:"><D:response><D:href>\#(escape(href))</D:href>"#
        for code in Set(results.map(\.1)).sorted() {
            let props = results.filter { $0.1 == code }.map { element($0.0, "") }.joined()
            xml += "<D:propstat><D:prop>\(props)</D:prop><D:status>\(status(code))</D:status></D:propstat>"
        }
        return xml + "</D:response></D:multistatus>"
    }

    /// A multistatus naming the members a request failed on (a DELETE of a folder), each
    /// with its status.
    static func failures(_ failures: [(String, Int)]) -> String {
        var xml = header + #"<D:multistatus xmlns:D="DAV:">"#
        for (href, code) in failures {
            xml += "<D:response><D:href>\(escape(href))</D:href><D:status>\(status(code))</D:status></D:response>"
        }
        return xml + "</D:multistatus>"
    }

    static func activeLock(_ lock: DAVActiveLock) -> String {
        var xml = "<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope><D:exclusive/></D:lockscope><D:depth>0</D:depth>"
        xml += "<D:owner>\(escape(lock.owner))</D:owner><D:timeout>Second-\(max(0, lock.timeoutSeconds))</D:timeout>"
        if let token = lock.token { xml += "<D:locktoken><D:href>\(escape(token))</D:href></D:locktoken>" }
        return xml + "<D:lockroot><D:href>\(escape(lock.root))</D:href></D:lockroot></D:activelock>"
    }

    /// The body of a LOCK answer (RFC 4918 §9.10.1): the lock's discovery property.
    static func lockAnswer(_ lock: DAVActiveLock) -> String {
        header + #"<D:prop xmlns:D="DAV:"><D:lockdiscovery>\#(activeLock(lock))</D:lockdiscovery></D:prop>"#
    }

    /// An error body naming the precondition that failed (RFC 4918 §16), with a sentence
    /// for a person (the Swedish and English one people see in their logs).
    /// `hrefs`: the resources the condition names (`lock-token-submitted` names the locked one).
    static func error(_ condition: String, hrefs: [String] = [], message: String? = nil) -> String {
        var xml = header + #"<D:error xmlns:D="DAV:">"#
        xml += hrefs.isEmpty ? "<D:\(condition)/>" : "<D:\(condition)>" + hrefs.map { "<D:href>\(escape($0))</D:href>" }.joined() + "</D:\(condition)>"
        if let message { xml += "<D:responsedescription>\(escape(message))</D:responsedescription>" }
        return xml + "</D:error>"
    }
}

/// The two date formats WebDAV uses.
enum DAVDates {
    /// `creationdate`: RFC 3339 (`2024-05-01T08:30:00Z`).
    static func iso8601(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    /// `getlastmodified`: RFC 1123 in GMT (`Wed, 01 May 2024 08:30:00 GMT`), which Windows
    /// insists on.
    static func rfc1123(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
