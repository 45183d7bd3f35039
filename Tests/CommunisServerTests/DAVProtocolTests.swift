@testable import CommunisServer
import Foundation
import Testing

@Suite("WebDAV: paths, headers, XML bodies")
struct DAVProtocolTests {
    @Test("Paths under /dav/ decode into a workspace and names; dot segments and other prefixes are refused")
    func paths() throws {
        #expect(DAVPath(requestPath: "/dav") == DAVPath(workspace: nil, names: []))
        #expect(DAVPath(requestPath: "/dav/") == DAVPath(workspace: nil, names: []))
        let path = try #require(DAVPath(requestPath: "/dav/ws-1/Protokoll%202024/M%C3%B6te%20%26%20beslut.docx"))
        #expect(path.workspace == "ws-1")
        #expect(path.names == ["Protokoll 2024", "Möte & beslut.docx"])
        #expect(path.href(collection: false) == "/dav/ws-1/Protokoll%202024/M%C3%B6te%20%26%20beslut.docx")
        #expect(DAVPath(requestPath: "/dav/ws-1/a/")?.href(collection: true) == "/dav/ws-1/a/")
        #expect(DAVPath(workspace: nil, names: []).href(collection: true) == "/dav/")
        #expect(DAVPath(requestPath: "/dav/ws/../other") == nil)
        #expect(DAVPath(requestPath: "/dav/ws/a%2Fb") == nil)
        #expect(DAVPath(requestPath: "/davx/ws") == nil)
        #expect(DAVPath(requestPath: "/api/v1/dav") == nil)
    }

    @Test("Depth, Overwrite, Lock-Token, Timeout and Destination headers")
    func headers() {
        #expect(DAVHeaders.depth(nil, missing: .infinity) == .infinity)
        #expect(DAVHeaders.depth("1", missing: .infinity) == .one)
        #expect(DAVHeaders.depth(" Infinity", missing: .zero) == .infinity)
        #expect(DAVHeaders.depth("2", missing: .zero) == nil)
        #expect(DAVHeaders.overwrite(nil) && DAVHeaders.overwrite("T") && !DAVHeaders.overwrite("F"))
        #expect(DAVHeaders.lockToken("<opaquelocktoken:abc>") == "opaquelocktoken:abc")
        #expect(DAVHeaders.lockToken("") == nil)
        #expect(DAVHeaders.timeoutMinutes("Second-3600", maxMinutes: 1440) == 60)
        #expect(DAVHeaders.timeoutMinutes("Second-61", maxMinutes: 1440) == 2)
        #expect(DAVHeaders.timeoutMinutes("Second-0", maxMinutes: 1440) == 1)
        #expect(DAVHeaders.timeoutMinutes("Infinite, Second-4100000000", maxMinutes: 1440) == 1440)
        #expect(DAVHeaders.timeoutMinutes("Second-999999", maxMinutes: 1440) == 1440)
        #expect(DAVHeaders.timeoutMinutes("Minutes-5", maxMinutes: 1440) == nil)
        #expect(DAVHeaders.timeoutMinutes(nil, maxMinutes: 1440) == nil)
        #expect(DAVHeaders.destinationPath("http://files.example:8080/dav/ws/ny%20mapp/a.txt") == "/dav/ws/ny%20mapp/a.txt")
        #expect(DAVHeaders.destinationPath("/dav/ws/b.txt?x=1") == "/dav/ws/b.txt")
        #expect(DAVHeaders.destinationPath("ftp://x/dav/a") == nil)
        #expect(DAVHeaders.destinationPath("") == nil)
    }

    @Test("The If header: lock tokens submitted (not under Not), lists tagged and untagged, malformed headers refused")
    func ifHeader() throws {
        func tokens(_ value: String) throws -> [String] { try #require(try DAVConditions(value)).submittedTokens }
        #expect(try tokens("(<opaquelocktoken:a1>)") == ["opaquelocktoken:a1"])
        #expect(try tokens("<http://h/dav/ws/a.doc> (<opaquelocktoken:b2> [\"etag<)\"])") == ["opaquelocktoken:b2"])
        #expect(try tokens("(Not <opaquelocktoken:c3>) (<opaquelocktoken:d4>)") == ["opaquelocktoken:d4"])
        #expect(try tokens("([\"123\"])") == [])
        #expect(try tokens("(<urn:uuid:x> <opaquelocktoken:e5>)") == ["urn:uuid:x", "opaquelocktoken:e5"])
        #expect(try DAVConditions(nil) == nil)
        #expect(try DAVConditions("  ") == nil)
        let tagged = try #require(try DAVConditions("<http://h/dav/ws/a.doc> (<opaquelocktoken:b2>) </dav/ws/b.doc> ([\"x\"])"))
        #expect(tagged.lists.map(\.resource) == ["/dav/ws/a.doc", "/dav/ws/b.doc"])
        for bad in ["<opaquelocktoken:x>", "(", "()", "(<a>", "(Not)", "([x)", "x"] {
            #expect(throws: DAVConditions.Malformed.self, "\(bad)") { try DAVConditions(bad) }
        }
    }

    @Test("The If header holds when one list holds: tokens against the lock, ETags weakly, Not, DAV:no-lock")
    func ifEvaluation() async throws {
        let locked = DAVConditions.State(lockToken: "opaquelocktoken:t", etag: "\"abc\"")
        let unlocked = DAVConditions.State(lockToken: nil, etag: "\"abc\"")
        func holds(_ header: String, _ state: DAVConditions.State, other: DAVConditions.State = .missing) async throws -> Bool {
            try await #require(try DAVConditions(header)).holds { $0 == nil ? state : other }
        }
        #expect(try await holds("(<opaquelocktoken:t>)", locked))
        #expect(try await !holds("(<opaquelocktoken:bogus>)", locked))
        #expect(try await !holds("(<opaquelocktoken:t>)", unlocked))
        #expect(try await holds("(Not <opaquelocktoken:bogus>)", unlocked))
        #expect(try await holds("(<opaquelocktoken:t> [\"abc\"])", locked))
        #expect(try await holds("(<opaquelocktoken:t> [W/\"abc\"])", locked))
        #expect(try await !holds("(<opaquelocktoken:t> [\"other\"])", locked))
        // litmus' complex conditions: a list that holds, or one that holds only with the right ETag.
        #expect(try await holds("(<opaquelocktoken:t> [\"abc\"]) (Not <DAV:no-lock> [\"abc\"])", locked))
        #expect(try await !holds("(<opaquelocktoken:bogus> [\"abc\"]) (Not <DAV:no-lock> [\"bogus\"])", locked))
        #expect(try await holds("(<opaquelocktoken:bogus>) (Not <DAV:no-lock>)", unlocked))
        // A tagged list is about the resource it names.
        #expect(try await holds("</dav/ws/b> (<opaquelocktoken:o>)", unlocked, other: DAVConditions.State(lockToken: "opaquelocktoken:o", etag: nil)))
        #expect(try await !holds("</dav/ws/b> (<opaquelocktoken:t>)", locked))
    }

    @Test("PROPFIND bodies: empty and allprop are all, propname, named properties in any prefix")
    func propFindBodies() throws {
        #expect(try DAVRequestBody.propFind(Data()) == .all)
        #expect(try DAVRequestBody.propFind(Data("  \n".utf8)) == .all)
        #expect(try DAVRequestBody.propFind(Data(#"<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>"#.utf8)) == .all)
        #expect(try DAVRequestBody.propFind(Data(#"<propfind xmlns="DAV:"><propname/></propfind>"#.utf8)) == .names)
        let named = #"<a:propfind xmlns:a="DAV:" xmlns:z="urn:schemas-microsoft-com:"><a:prop><a:getetag/><a:resourcetype/><z:Win32FileAttributes/></a:prop></a:propfind>"#
        #expect(try DAVRequestBody.propFind(Data(named.utf8))
            == .properties([.etag, .resourceType, DAVName("urn:schemas-microsoft-com:", "Win32FileAttributes")]))
        #expect(throws: DAVRequestBody.Malformed.self) { try DAVRequestBody.propFind(Data("<D:propfind".utf8)) }
        #expect(throws: DAVRequestBody.Malformed.self) { try DAVRequestBody.propFind(Data(#"<D:lockinfo xmlns:D="DAV:"/>"#.utf8)) }
        // A prefix bound to the empty namespace is not XML namespaces (litmus' propfind_invalid2).
        let unbound = #"<D:propfind xmlns:D="DAV:"><D:prop><bar:foo xmlns:bar=""/></D:prop></D:propfind>"#
        #expect(throws: DAVRequestBody.Malformed.self) { try DAVRequestBody.propFind(Data(unbound.utf8)) }
    }

    @Test("PROPPATCH and LOCK bodies")
    func patchAndLockBodies() throws {
        let patch = #"""
        <D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:">
          <D:set><D:prop><Z:Win32LastModifiedTime>Wed, 01 May 2024 08:30:00 GMT</Z:Win32LastModifiedTime><D:displayname>x</D:displayname></D:prop></D:set>
          <D:remove><D:prop><Z:Win32FileAttributes/></D:prop></D:remove>
        </D:propertyupdate>
        """#
        let parsed = try DAVRequestBody.propPatch(Data(patch.utf8))
        #expect(parsed.changes.map(\.name) == [DAVName("urn:schemas-microsoft-com:", "Win32LastModifiedTime"), .displayName,
                                              DAVName("urn:schemas-microsoft-com:", "Win32FileAttributes")])
        #expect(parsed.changes.map(\.remove) == [false, false, true])

        let lock = #"<?xml version="1.0" encoding="utf-8" ?><D:lockinfo xmlns:D='DAV:'><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner><D:href>http://example.org/~anna</D:href></D:owner></D:lockinfo>"#
        #expect(try DAVRequestBody.lockInfo(Data(lock.utf8)) == .init(exclusive: true, write: true, owner: "http://example.org/~anna"))
        let shared = #"<lockinfo xmlns="DAV:"><lockscope><shared/></lockscope><locktype><write/></locktype><owner>Anna på kontoret</owner></lockinfo>"#
        #expect(try DAVRequestBody.lockInfo(Data(shared.utf8)) == .init(exclusive: false, write: true, owner: "Anna på kontoret"))
        #expect(try DAVRequestBody.lockInfo(Data()) == nil)
    }

    @Test("A multistatus gives found properties with 200 and missing ones with 404, escaped, in the DAV namespace")
    func multistatus() throws {
        let modified = Date(timeIntervalSince1970: 1_714_552_200)  // 2024-05-01 08:30:00 UTC
        let document = DAVResource(
            href: "/dav/ws/R%C3%A5d%20%26%20r%C3%B6n.docx", isCollection: false, displayName: "Råd & rön.docx", contentLength: 1234,
            contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", etag: "abc", created: modified,
            modified: modified, lock: DAVActiveLock(token: nil, owner: "Anna <Lindqvist>", timeoutSeconds: 300, root: "/dav/ws/R%C3%A5d.docx"))
        let xml = DAVXML.multistatus([document], names: [.displayName, .contentLength, .lastModified, .etag, .lockDiscovery, .quotaUsed,
                                                         DAVName("urn:x", "color")])
        #expect(xml.hasPrefix(#"<?xml version="1.0" encoding="utf-8"?><D:multistatus xmlns:D="DAV:">"#))
        #expect(xml.contains("<D:href>/dav/ws/R%C3%A5d%20%26%20r%C3%B6n.docx</D:href>"))
        #expect(xml.contains("<D:displayname>Råd &amp; rön.docx</D:displayname>"))
        #expect(xml.contains("<D:getcontentlength>1234</D:getcontentlength>"))
        #expect(xml.contains("<D:getlastmodified>Wed, 01 May 2024 08:30:00 GMT</D:getlastmodified>"))
        #expect(xml.contains("<D:getetag>&quot;abc&quot;</D:getetag>"))
        #expect(xml.contains("<D:owner>Anna &lt;Lindqvist&gt;</D:owner><D:timeout>Second-300</D:timeout><D:lockroot>"))
        #expect(!xml.contains("locktoken"))
        #expect(xml.contains(#"<D:prop><D:quota-used-bytes/><X:color xmlns:X="urn:x"/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status>"#))
        // The whole is well-formed XML that a namespace-aware parser reads back.
        let root = try DAVRequestBody.parse(Data(xml.utf8))
        #expect(root.name == .dav("multistatus"))
        #expect(root.children.first?.child(.dav("href"))?.text == "/dav/ws/R%C3%A5d%20%26%20r%C3%B6n.docx")

        let folder = DAVResource(href: "/dav/ws/", isCollection: true, displayName: "Ekonomi", created: modified, modified: modified,
                                 quotaUsed: 10, quotaAvailable: 90)
        let all = DAVXML.multistatus([folder], names: nil)
        #expect(all.contains("<D:resourcetype><D:collection/></D:resourcetype>"))
        #expect(all.contains("<D:creationdate>2024-05-01T08:30:00Z</D:creationdate>"))
        #expect(!all.contains("quota"))
        #expect(!all.contains("getcontentlength"))
        let names = DAVXML.multistatus([folder], names: nil, namesOnly: true)
        #expect(names.contains("<D:quota-used-bytes/>") && names.contains("<D:displayname/>") && !names.contains("Ekonomi"))
    }

    @Test("A lock answer carries the token for its holder; PROPPATCH answers group properties by status")
    func lockAndPatchAnswers() throws {
        let answer = DAVXML.lockAnswer(DAVActiveLock(token: "opaquelocktoken:t1", owner: "Anna", timeoutSeconds: 3600, root: "/dav/ws/a.docx"))
        #expect(answer.contains("<D:locktoken><D:href>opaquelocktoken:t1</D:href></D:locktoken>"))
        #expect(answer.contains("<D:timeout>Second-3600</D:timeout>"))
        _ = try DAVRequestBody.parse(Data(answer.utf8))
        let patch = DAVXML.propPatch(href: "/dav/ws/a.docx", results: [(.displayName, 403), (DAVName("urn:x", "y"), 424)])
        #expect(patch.contains("<D:displayname/></D:prop><D:status>HTTP/1.1 403 Forbidden</D:status>"))
        #expect(patch.contains(#"<X:y xmlns:X="urn:x"/></D:prop><D:status>HTTP/1.1 424 Failed Dependency</D:status>"#))
        #expect(DAVXML.error("propfind-finite-depth").contains("<D:propfind-finite-depth/>"))
        #expect(DAVXML.escape("a\u{01}b") == "a\u{FFFD}b")
    }
}
