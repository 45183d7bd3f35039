import CommunisModel
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// A WebDAV client of the tests: Basic authentication with an API token as the password.
struct DAVClient: Sendable {
    let client: any TestClientProtocol
    let authorization: String

    static func basic(_ client: any TestClientProtocol, token: String, user: String = "vem som helst") -> DAVClient {
        DAVClient(client: client, authorization: "Basic " + Data("\(user):\(token)".utf8).base64EncodedString())
    }

    /// Makes an API token for `browser`'s person and a client that uses it.
    static func of(_ browser: Browser) async throws -> (DAVClient, token: String) {
        let created = try await browser.send(.post, "/api/v1/tokens", json: ["name": "Skrivbordet"])
        let token = try #require(created.json["token"] as? String)
        return (basic(browser.client, token: token), token)
    }

    @discardableResult
    func send(_ method: String, _ path: String, headers extra: HTTPFields = [:], body: String? = nil, bytes: [UInt8]? = nil) async throws -> TestResponse {
        var headers = extra
        headers[.authorization] = authorization
        let buffer = bytes.map { ByteBuffer(bytes: $0) } ?? body.map { ByteBuffer(string: $0) }
        return try await client.execute(uri: path, method: HTTPRequest.Method(method)!, headers: headers, body: buffer)
    }

    /// PROPFIND: href → the text of each property found (200), by local name.
    func propfind(_ path: String, depth: String = "1", body: String? = nil) async throws -> [String: [String: String]] {
        let response = try await send("PROPFIND", path, headers: [HTTPField.Name("Depth")!: depth], body: body)
        #expect(response.status.code == 207, "PROPFIND \(path): \(response.status) \(response.text)")
        return DAVMultistatus.parse(response.text)
    }
}

/// Reads a multistatus answer with Foundation's XML parser (namespace-aware): href → the
/// properties found (200), each as its text, or as the names of its child elements when it
/// has some (resourcetype → "collection", lockdiscovery → "activelock").
final class DAVMultistatus: NSObject, XMLParserDelegate {
    private var result: [String: [String: String]] = [:]
    private var stack: [String] = []
    private var text = ""
    private var href = ""
    private var status = ""
    private var found: [String: String] = [:]
    private var props: [String: String] = [:]
    private var property: String?
    private var children: [String] = []

    static func parse(_ xml: String) -> [String: [String: String]] {
        let reader = DAVMultistatus()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.shouldProcessNamespaces = true
        parser.delegate = reader
        #expect(parser.parse(), "not XML: \(xml)")
        return reader.result
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if stack.last == "prop", stack.dropLast().last == "propstat" {
            property = name
            children = []
        } else if let property, stack.last == property, stack.dropLast().last == "prop" {
            children.append(name)
        }
        stack.append(name)
        text = ""
        if name == "response" { found = [:]; href = "" }
        if name == "propstat" { props = [:]; status = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
        if name == property, stack.last == "prop" {
            props[name] = children.isEmpty ? text : children.joined(separator: " ")
            property = nil
        } else if name == "href", stack.last == "response" {
            href = text
        } else if name == "status", stack.last == "propstat" {
            status = text
        } else if name == "propstat" {
            if status.contains(" 200 ") { found.merge(props) { $1 } }
        } else if name == "response" {
            result[href] = found
        }
    }
}

@Suite("WebDAV through the real router")
struct DAVTests {
    static let depth = HTTPField.Name("Depth")!
    static let destination = HTTPField.Name("Destination")!
    static let overwrite = HTTPField.Name("Overwrite")!
    static let ifHeader = HTTPField.Name("If")!
    static let lockToken = HTTPField.Name("Lock-Token")!
    static let lockBody = #"<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner><D:href>mailto:anna@katrineholm.se</D:href></D:owner></D:lockinfo>"#

    @Test("OPTIONS answers without credentials; everything else wants a token (Basic or Bearer), never the session cookie")
    func authentication() async throws {
        let world = try await World.make()
        try await world.test { client in
            let options = try await client.execute(uri: "/dav/", method: .options)
            #expect(options.status == .ok)
            #expect(options.headers[HTTPField.Name("DAV")!] == "1, 2")
            #expect(options.headers[HTTPField.Name("MS-Author-Via")!] == "DAV")
            let anonymous = try await client.execute(uri: "/dav/", method: HTTPRequest.Method("PROPFIND")!, headers: [Self.depth: "0"])
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[values: .wwwAuthenticate].contains { $0.hasPrefix("Basic realm=") })
            let erik = try await Browser.loggedIn(client, as: world.erik)
            #expect(try await erik.send(HTTPRequest.Method("PROPFIND")!, "/dav/", headers: [Self.depth: "0"]).status == .unauthorized)
            let (dav, token) = try await DAVClient.of(erik)
            #expect(try await dav.propfind("/dav/", depth: "0")["/dav/"]?["resourcetype"] == "collection")
            let bearer = DAVClient(client: client, authorization: "Bearer \(token)")
            #expect(try await bearer.send("PROPFIND", "/dav/", headers: [Self.depth: "0"]).status.code == 207)
            #expect(try await DAVClient.basic(client, token: "fel").send("PROPFIND", "/dav/", headers: [Self.depth: "0"]).status == .unauthorized)
        }
    }

    @Test("The workspaces are folders; a library lists its folders and documents; PUT makes documents and versions; GET streams them")
    func libraryAndVersions() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await DocumentSetup.make(client, world)
            let (anna, _) = try await DAVClient.of(s.anna)
            let root = try await anna.propfind("/dav/")
            #expect(root["/dav/\(s.workspace)/"]?["displayname"] == "Socialnämnden")
            #expect(root["/dav/\(s.workspace)/"]?["resourcetype"] == "collection")
            #expect(try await anna.send("PROPFIND", "/dav/\(s.workspace)/", headers: [Self.depth: "infinity"]).status == .forbidden)

            #expect(try await anna.send("MKCOL", "/dav/\(s.workspace)/Protokoll").status == .created)
            #expect(try await anna.send("MKCOL", "/dav/\(s.workspace)/Protokoll").status == .methodNotAllowed)
            #expect(try await anna.send("MKCOL", "/dav/\(s.workspace)/Saknas/Under").status == .conflict)
            let path = "/dav/\(s.workspace)/Protokoll/M%C3%B6te%201.txt"
            let first = sampleBytes(5000, seed: 40)
            #expect(try await anna.send("PUT", path, bytes: first).status == .created)
            #expect(try await anna.send("PUT", "/dav/\(s.workspace)/Saknas/a.txt", bytes: first).status == .conflict)
            let got = try await anna.send("GET", path)
            #expect(got.status == .ok)
            #expect(got.bytes == first)
            #expect(got.headers[.eTag] == "\"\(sha256Hex(first))\"")
            #expect(got.headers[.contentSecurityPolicy] == "sandbox")
            #expect(try await anna.send("GET", path, headers: [.ifNoneMatch: "\"\(sha256Hex(first))\""]).status == .notModified)
            let part = try await anna.send("GET", path, headers: [.range: "bytes=100-199"])
            #expect(part.status == .partialContent && part.bytes == Array(first[100...199]))
            let head = try await anna.send("HEAD", path)
            #expect(head.status == .ok && head.headers[.contentLength] == "5000" && head.bytes.isEmpty)

            let listing = try await anna.propfind("/dav/\(s.workspace)/Protokoll/")
            let entry = try #require(listing[path])
            #expect(entry["displayname"] == "Möte 1.txt")
            #expect(entry["getcontentlength"] == "5000")
            #expect(entry["getcontenttype"] == "text/plain")
            #expect(entry["getetag"] == "\"\(sha256Hex(first))\"")
            #expect(entry["getlastmodified"]?.hasSuffix(" GMT") == true)
            #expect(entry["resourcetype"] == "")
            #expect(entry["supportedlock"] == "lockentry")

            // The same bytes again make no version; other bytes do.
            #expect(try await anna.send("PUT", path, bytes: first).status == .noContent)
            let second = sampleBytes(4000, seed: 41)
            #expect(try await anna.send("PUT", path, bytes: second).status == .noContent)
            let folder = try #require(try await s.anna.get("/api/v1/workspaces/\(s.workspace)/documents").list("folders").first?["id"] as? String)
            let documents = try await s.anna.get("/api/v1/workspaces/\(s.workspace)/documents?folder=\(folder)")
            let id = try #require(((documents.json["documents"] as? [String: Any])?["items"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await s.anna.get("/api/v1/documents/\(id)/versions").list("versions").map { $0["number"] as? Int } == [2, 1])
            #expect(try await anna.send("GET", path).bytes == second)
        }
    }

    @Test("LOCK checks a document out: changes need its token (412 for a wrong one, 423 without); others are refused even with it")
    func locks() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await DocumentSetup.make(client, world)
            let (anna, _) = try await DAVClient.of(s.anna)
            let (erik, _) = try await DAVClient.of(s.erik)
            let path = "/dav/\(s.workspace)/Budget.xlsx"
            #expect(try await anna.send("PUT", path, bytes: sampleBytes(300, seed: 50)).status == .created)
            let locked = try await anna.send("LOCK", path, headers: [HTTPField.Name("Timeout")!: "Second-600"], body: Self.lockBody)
            #expect(locked.status == .ok, "\(locked.text)")
            let token = try #require(locked.headers[Self.lockToken]).trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
            #expect(locked.text.contains("<D:locktoken><D:href>\(token)</D:href></D:locktoken>"))
            #expect(locked.text.contains("<D:owner>mailto:anna@katrineholm.se</D:owner>"))
            #expect(locked.text.contains("<D:timeout>Second-"))

            #expect(try await anna.send("PUT", path, bytes: [1]).status.code == 423, "the holder without the token")
            #expect(try await anna.send("PUT", path, headers: [Self.ifHeader: "(<opaquelocktoken:fel>)"], bytes: [1]).status == .preconditionFailed)
            #expect(try await anna.send("DELETE", path).status.code == 423)
            #expect(try await erik.send("PUT", path, bytes: [2]).status.code == 423)
            #expect(try await erik.send("PUT", path, headers: [Self.ifHeader: "(<\(token)>)"], bytes: [2]).status.code == 423,
                    "a token is no one else's key")
            #expect(try await erik.send("LOCK", path, body: Self.lockBody).status.code == 423)
            // Others see who holds it, not the token.
            let seen = try await erik.send("PROPFIND", path, headers: [Self.depth: "0"])
            #expect(seen.text.contains("<D:activelock>") && !seen.text.contains(token))
            #expect(try await erik.propfind(path, depth: "0")[path]?["lockdiscovery"] == "activelock")

            // Refresh, save with the token, unlock.
            let refreshed = try await anna.send("LOCK", path, headers: [Self.ifHeader: "(<\(token)>)", HTTPField.Name("Timeout")!: "Second-1200"])
            #expect(refreshed.status == .ok && refreshed.headers[Self.lockToken] == "<\(token)>")
            #expect(try await anna.send("PUT", path, headers: [Self.ifHeader: "<http://localhost\(path)> (<\(token)>)"], bytes: [3, 3]).status == .noContent)
            #expect(try await anna.send("UNLOCK", path, headers: [Self.lockToken: "<opaquelocktoken:fel>"]).status == .conflict)
            #expect(try await anna.send("UNLOCK", path, headers: [Self.lockToken: "<\(token)>"]).status == .noContent)
            #expect(try await erik.send("PUT", path, bytes: [4, 4, 4]).status == .noContent)

            // Checked out in the browser, then opened in a desktop program by the same person: the program gets that lock.
            let id = try #require(try await s.anna.get("/api/v1/workspaces/\(s.workspace)/documents").json["documents"]
                .flatMap { ($0 as? [String: Any])?["items"] as? [[String: Any]] }?.first?["id"] as? String)
            let web = try await s.anna.send(.post, "/api/v1/documents/\(id)/lock")
            let webToken = try #require(web.json["token"] as? String)
            let desktop = try await anna.send("LOCK", path, body: Self.lockBody)
            #expect(desktop.status == .ok && desktop.headers[Self.lockToken] == "<\(webToken)>")

            // LOCK on a name that is free makes an empty document, locked.
            let fresh = "/dav/\(s.workspace)/Ny.docx"
            let created = try await anna.send("LOCK", fresh, body: Self.lockBody)
            #expect(created.status == .created)
            #expect(try await anna.send("GET", fresh).bytes.isEmpty)
            #expect(try await erik.send("PUT", fresh, bytes: [5]).status.code == 423)

            // A folder with a document checked out by someone else: the rest goes, the folder and that document stay.
            #expect(try await anna.send("MKCOL", "/dav/\(s.workspace)/Pågående").status == .created)
            #expect(try await anna.send("PUT", "/dav/\(s.workspace)/P%C3%A5g%C3%A5ende/utkast.docx", bytes: [6]).status == .created)
            #expect(try await anna.send("PUT", "/dav/\(s.workspace)/P%C3%A5g%C3%A5ende/klar.docx", bytes: [7]).status == .created)
            #expect(try await anna.send("LOCK", "/dav/\(s.workspace)/P%C3%A5g%C3%A5ende/utkast.docx", body: Self.lockBody).status == .ok)
            let partly = try await erik.send("DELETE", "/dav/\(s.workspace)/P%C3%A5g%C3%A5ende/")
            #expect(partly.status.code == 207)
            #expect(partly.text.contains("<D:href>/dav/\(s.workspace)/P%C3%A5g%C3%A5ende/utkast.docx</D:href><D:status>HTTP/1.1 423 Locked</D:status>"))
            let left = try await erik.propfind("/dav/\(s.workspace)/P%C3%A5g%C3%A5ende/")
            #expect(Set(left.keys) == ["/dav/\(s.workspace)/P%C3%A5g%C3%A5ende/", "/dav/\(s.workspace)/P%C3%A5g%C3%A5ende/utkast.docx"])
        }
    }

    @Test("MOVE renames and moves keeping the id; a save through a temporary file becomes a version; COPY; DELETE to the trash")
    func moveCopyDelete() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await DocumentSetup.make(client, world)
            let (anna, _) = try await DAVClient.of(s.anna)
            let ws = "/dav/\(s.workspace)"
            #expect(try await anna.send("PUT", "\(ws)/rapport.docx", bytes: sampleBytes(900, seed: 60)).status == .created)
            let id = try #require(try await s.anna.get("/api/v1/workspaces/\(s.workspace)/documents").json["documents"]
                .flatMap { ($0 as? [String: Any])?["items"] as? [[String: Any]] }?.first?["id"] as? String)
            #expect(try await anna.send("MKCOL", "\(ws)/Arkiv").status == .created)
            let moved = try await anna.send("MOVE", "\(ws)/rapport.docx", headers: [Self.destination: "http://localhost\(ws)/Arkiv/Rapport%202024.docx"])
            #expect(moved.status == .created, "\(moved.text)")
            let after = try await s.anna.get("/api/v1/documents/\(id)")
            #expect(after.json["title"] as? String == "Rapport 2024.docx")
            #expect((after.json["path"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Arkiv"])
            // Word: the new content to ~WRL0001.tmp, renamed over the document.
            let saved = sampleBytes(950, seed: 61)
            #expect(try await anna.send("PUT", "\(ws)/Arkiv/~WRL0001.tmp", bytes: saved).status == .created)
            #expect(try await anna.send("MOVE", "\(ws)/Arkiv/~WRL0001.tmp", headers: [Self.destination: "\(ws)/Arkiv/Rapport%202024.docx", Self.overwrite: "F"])
                .status == .preconditionFailed)
            #expect(try await anna.send("MOVE", "\(ws)/Arkiv/~WRL0001.tmp", headers: [Self.destination: "\(ws)/Arkiv/Rapport%202024.docx"]).status == .noContent)
            #expect(try await s.anna.get("/api/v1/documents/\(id)").json["version"] as? Int == 2)
            #expect(try await anna.send("GET", "\(ws)/Arkiv/Rapport%202024.docx").bytes == saved)
            #expect(try await anna.send("GET", "\(ws)/Arkiv/~WRL0001.tmp").status == .notFound)
            // A folder cannot go into itself.
            #expect(try await anna.send("MOVE", "\(ws)/Arkiv/", headers: [Self.destination: "\(ws)/Arkiv/Under/"]).status == .forbidden)
            // COPY: a new document with the same content.
            #expect(try await anna.send("COPY", "\(ws)/Arkiv/Rapport%202024.docx", headers: [Self.destination: "\(ws)/Kopia.docx"]).status == .created)
            #expect(try await anna.send("GET", "\(ws)/Kopia.docx").bytes == saved)
            // DELETE: a folder with what is in it, the documents to the trash.
            #expect(try await anna.send("DELETE", "\(ws)/Arkiv/").status == .noContent)
            #expect(try await anna.send("PROPFIND", "\(ws)/Arkiv/", headers: [Self.depth: "0"]).status == .notFound)
            let trash = try await s.anna.get("/api/v1/workspaces/\(s.workspace)/documents/trash")
            #expect(((trash.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }.contains(id))
            // Desktop clutter is refused.
            #expect(try await anna.send("PUT", "\(ws)/.DS_Store", bytes: [0]).status == .forbidden)
            #expect(try await anna.send("PUT", "\(ws)/._Kopia.docx", bytes: [0]).status == .forbidden)
        }
    }

    @Test("Someone who may not read the workspace finds nothing there; a guest member works like a member")
    func permissions() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await DocumentSetup.make(client, world)
            let (anna, _) = try await DAVClient.of(s.anna)
            let (sara, _) = try await DAVClient.of(s.sara)
            let (lena, _) = try await DAVClient.of(s.lena)
            let ws = "/dav/\(s.workspace)"
            #expect(try await anna.send("PUT", "\(ws)/hemligt.txt", bytes: [1, 2, 3]).status == .created)
            #expect(try await sara.propfind("/dav/")["\(ws)/"] == nil)
            #expect(try await sara.send("PROPFIND", "\(ws)/", headers: [Self.depth: "0"]).status == .notFound)
            #expect(try await sara.send("GET", "\(ws)/hemligt.txt").status == .notFound)
            #expect(try await sara.send("PUT", "\(ws)/intrang.txt", bytes: [9]).status == .notFound)
            #expect(try await sara.send("MKCOL", "\(ws)/Intrång").status == .notFound)
            #expect(try await sara.send("DELETE", "\(ws)/hemligt.txt").status == .notFound)
            #expect(try await sara.send("PROPFIND", "/dav/\(UUID())/", headers: [Self.depth: "0"]).status == .notFound)
            #expect(try await lena.propfind("/dav/")["\(ws)/"]?["displayname"] == "Socialnämnden")
            #expect(try await lena.send("PUT", "\(ws)/fran-konsulten.txt", bytes: [7]).status == .created)
        }
    }

    @Test("A preview is served as PNG once made, 202 before; an image is its own preview")
    func previews() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await DocumentSetup.make(client, world)
            let (anna, _) = try await DAVClient.of(s.anna)
            let ws = "/dav/\(s.workspace)"
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]
            #expect(try await anna.send("PUT", "\(ws)/bild.png", bytes: png).status == .created)
            #expect(try await anna.send("PUT", "\(ws)/anteckning.txt", bytes: Array("Att göra: boka lokal\n".utf8)).status == .created)
            #expect(try await anna.send("PUT", "\(ws)/arkiv.zip", bytes: [0x50, 0x4B, 5, 6]).status == .created)
            let items = try #require(try await s.anna.get("/api/v1/workspaces/\(s.workspace)/documents").json["documents"]
                .flatMap { ($0 as? [String: Any])?["items"] as? [[String: Any]] })
            func id(_ title: String) throws -> String { try #require(items.first { $0["title"] as? String == title }?["id"] as? String) }

            let image = try await s.anna.get("/api/v1/documents/\(try id("bild.png"))/preview")
            #expect(image.status == .ok && image.headers[.contentType] == "image/png" && image.bytes == png)
            #expect(try await s.anna.get("/api/v1/documents/\(try id("bild.png"))/preview?page=2").status == .notFound)
            #expect(try await s.anna.get("/api/v1/documents/\(try id("arkiv.zip"))/preview").problemCode == "preview-unavailable")
            #expect(try await s.sara.get("/api/v1/documents/\(try id("anteckning.txt"))/preview").status == .notFound)
            #expect(try await s.anna.get("/api/v1/documents/\(try id("anteckning.txt"))/preview?page=0").status == .unprocessableContent)

            // The text file is drawn by LibreOffice in the background.
            let text = try id("anteckning.txt")
            let deadline = ContinuousClock.now + .seconds(90)
            var answer = try await s.anna.get("/api/v1/documents/\(text)/preview")
            while answer.status == .accepted, ContinuousClock.now < deadline {
                #expect(answer.headers[.retryAfter] != nil)
                try await Task.sleep(for: .milliseconds(250))
                answer = try await s.anna.get("/api/v1/documents/\(text)/preview")
            }
            #expect(answer.status == .ok, "\(answer.status) \(answer.text)")
            #expect(answer.headers[.contentType] == "image/png")
            #expect(answer.bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            let document = try await s.anna.get("/api/v1/documents/\(text)")
            #expect((document.json["preview"] as? [String: Any])?["state"] as? String == "ready")
            #expect((document.json["preview"] as? [String: Any])?["pages"] as? Int == 1)
            #expect(try await s.anna.send(.get, "/api/v1/documents/\(text)/preview", headers: [.ifNoneMatch: answer.headers[.eTag] ?? ""]).status == .notModified)
            // And its text is searchable.
            let hits = try await s.anna.get("/api/v1/search?q=lokal")
            #expect(((hits.json["results"] as? [[String: Any]]) ?? []).contains { $0["id"] as? String == text })
        }
    }
}
