import Foundation

/// A path under `/dav/`: the list of workspaces (`/dav/`), a workspace's library
/// (`/dav/<workspace id>/`), or a folder or document in it (`/dav/<workspace id>/<folder>/<name>`).
struct DAVPath: Equatable, Sendable {
    static let root = "/dav"

    /// The workspace id as written (nil: `/dav/` itself).
    var workspace: String?
    /// The names below the workspace, percent-decoded.
    var names: [String]

    /// Parses a request path (percent-encoded, as sent). nil when it is not under `/dav`,
    /// or a segment does not decode, or names `.`/`..` (never resolved, never allowed).
    init?(requestPath path: String) {
        guard path == Self.root || path.hasPrefix(Self.root + "/") else { return nil }
        var segments: [String] = []
        for raw in path.dropFirst(Self.root.count).split(separator: "/", omittingEmptySubsequences: true) {
            guard let name = String(raw).removingPercentEncoding, !name.isEmpty, name != ".", name != "..", !name.contains("/") else { return nil }
            segments.append(name)
        }
        workspace = segments.first
        names = Array(segments.dropFirst())
    }

    init(workspace: String?, names: [String]) {
        self.workspace = workspace
        self.names = names
    }

    /// The href of this path: each segment percent-encoded, a collection ending in `/`.
    func href(collection: Bool) -> String {
        var path = Self.root + "/"
        if let workspace {
            path += ([workspace] + names).map(Self.encode).joined(separator: "/")
            if collection { path += "/" }
        }
        return path
    }

    /// The path with one more name.
    func appending(_ name: String) -> DAVPath { DAVPath(workspace: workspace, names: names + [name]) }

    /// Everything but RFC 3986's unreserved characters is percent-encoded: the strictest
    /// form, which every client (Windows' mini-redirector included) decodes.
    static func encode(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: unreserved) ?? segment
    }

    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
}

/// The request headers of WebDAV (RFC 4918 §10).
enum DAVHeaders {
    enum Depth: Equatable {
        case zero, one, infinity
    }

    /// `Depth`; `missing` when absent (PROPFIND: infinity; LOCK: infinity; COPY: infinity).
    static func depth(_ value: String?, missing: Depth) -> Depth? {
        guard let value = value?.trimmingCharacters(in: .whitespaces).lowercased() else { return missing }
        switch value {
        case "0": return .zero
        case "1": return .one
        case "infinity": return .infinity
        default: return nil
        }
    }

    /// `Overwrite: F` forbids replacing the destination; anything else (or nothing) allows it.
    static func overwrite(_ value: String?) -> Bool {
        value?.trimmingCharacters(in: .whitespaces).uppercased() != "F"
    }

    /// `Lock-Token: <opaquelocktoken:…>` (UNLOCK).
    static func lockToken(_ value: String?) -> String? {
        guard var value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if value.hasPrefix("<"), value.hasSuffix(">") { value = String(value.dropFirst().dropLast()) }
        return value.isEmpty ? nil : value
    }

    /// `Timeout: Second-3600, Infinite` (RFC 4918 §10.7): the first the server can use, in
    /// minutes (rounded up, at least 1), at most `maxMinutes` (Infinite is the maximum).
    /// nil: no header (the service's default).
    static func timeoutMinutes(_ value: String?, maxMinutes: Int) -> Int? {
        guard let value else { return nil }
        for option in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            if option == "infinite" { return maxMinutes }
            if option.hasPrefix("second-"), let seconds = Int(option.dropFirst(7)), seconds >= 0 {
                return min(maxMinutes, max(1, (seconds + 59) / 60))
            }
        }
        return nil
    }

    /// The path of a `Destination` header (an absolute URL or an absolute path), still
    /// percent-encoded; nil when it is neither. The host is not compared: behind a proxy the
    /// name a client uses is not the one this server sees, and only paths under `/dav/` of
    /// this server mean anything here.
    static func destinationPath(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if value.hasPrefix("/") { return value.split(separator: "?", maxSplits: 1).first.map(String.init) }
        guard let url = URLComponents(string: value), url.scheme == "http" || url.scheme == "https" else { return nil }
        return url.percentEncodedPath
    }
}
