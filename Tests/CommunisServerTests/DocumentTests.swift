import CommunisModel
import CommunisTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Document libraries over HTTP")
struct DocumentTests {
    @Test("An upload through tus is listed; new versions keep the old ones; a restore is a new version with the old content")
    func uploadListVersionsRestore() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await DocumentSetup.make(client, world)
            let first = sampleBytes(3000, seed: 1)
            let id = try await s.erik.newDocument(first, workspace: s.workspace, name: "Budget 2027.xlsx", comment: "Första utkastet")

            let library = try await s.lena.get("/api/v1/workspaces/\(s.workspace)/documents")
            #expect(library.status == .ok, "\(library.text)")
            let items = (library.json["documents"] as? [String: Any])?["items"] as? [[String: Any]] ?? []
            #expect(items.map { $0["title"] as? String } == ["Budget 2027.xlsx"])
            let listed = try #require(items.first)
            #expect(listed["id"] as? String == id)
            #expect(listed["version"] as? Int == 1)
            #expect(listed["size"] as? Int == 3000)
            #expect(listed["mediaType"] as? String == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            #expect(listed["sharedExternally"] as? Bool == true, "Lena is a guest member")
            #expect(listed["url"] as? String == "#/documents/\(id)")
            #expect(listed["davUrl"] as? String == "/dav/\(s.workspace)/Budget%202027.xlsx")
            #expect((listed["current"] as? [String: Any])?["sha256"] as? String == sha256Hex(first))
            #expect((listed["current"] as? [String: Any])?["comment"] as? String == "Första utkastet")
            #expect(library.json["usedBytes"] as? Int == 3000)
            #expect(library.json["canWrite"] as? Bool == true)
            #expect(library.json["quotaBytes"] is NSNull)

            let second = sampleBytes(2500, seed: 2)
            let versioned = try await s.lena.upload(second, metadata: ["filename": "Budget 2027.xlsx", "document": id, "comment": "Siffror från IT"])
            #expect(versioned.status == .noContent, "\(versioned.text)")
            #expect(versioned.headers[Tus.documentID] == id)
            #expect(versioned.headers[Tus.documentVersion] == "2")

            let versions = try await s.erik.get("/api/v1/documents/\(id)/versions")
            #expect(versions.list("versions").map { $0["number"] as? Int } == [2, 1])
            #expect(versions.list("versions").first?["comment"] as? String == "Siffror från IT")
            #expect((versions.list("versions").first?["createdBy"] as? [String: Any])?["name"] as? String == "Lena Berg")

            let current = try await s.erik.get("/api/v1/documents/\(id)/content")
            #expect(current.status == .ok)
            #expect(current.bytes == second)
            #expect(current.headers[.eTag] == "\"\(sha256Hex(second))\"")
            #expect(current.headers[.contentDisposition]?.hasPrefix("attachment;") == true)
            #expect(current.headers[.contentSecurityPolicy]?.hasPrefix("sandbox") == true)
            #expect(current.headers[.xContentTypeOptions] == "nosniff")
            #expect(try await s.erik.get("/api/v1/documents/\(id)/content?version=1").bytes == first)
            let range = try await s.erik.send(.get, "/api/v1/documents/\(id)/content?version=1", headers: [.range: "bytes=10-19"])
            #expect(range.status == .partialContent)
            #expect(range.bytes == Array(first[10...19]))
            let cached = try await s.erik.send(.get, "/api/v1/documents/\(id)/content", headers: [.ifNoneMatch: "\"\(sha256Hex(second))\""])
            #expect(cached.status == .notModified)

            let restored = try await s.erik.send(.post, "/api/v1/documents/\(id)/versions/1/restore", json: ["comment": "Tillbaka"])
            #expect(restored.status == .created, "\(restored.text)")
            #expect(restored.json["version"] as? Int == 3)
            #expect((restored.json["current"] as? [String: Any])?["restoredFrom"] as? Int == 1)
            #expect(try await s.erik.get("/api/v1/documents/\(id)/content").bytes == first)
            #expect(try await s.erik.send(.post, "/api/v1/documents/\(id)/versions/9/restore").status == .notFound)
            // Identical content is stored once: v1 and v3 share a file.
            #expect(try await s.erik.get("/api/v1/workspaces/\(s.workspace)/documents").json["usedBytes"] as? Int == 5500)
        }
    }

    @Test("The workspace's owner approves a version (fastställd); a member and a guest member cannot")
    func approval() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await DocumentSetup.make(client, world)
            let id = try await s.erik.newDocument(sampleBytes(100, seed: 3), workspace: s.workspace, name: "Riktlinjer.pdf")
            #expect(try await s.erik.get("/api/v1/documents/\(id)").json["canApprove"] as? Bool == false)
            let refused = try await s.erik.send(.put, "/api/v1/documents/\(id)/approval", json: ["version": 1])
            #expect(refused.status == .forbidden)
            #expect(try await s.lena.send(.put, "/api/v1/documents/\(id)/approval", json: ["version": 1]).status == .forbidden)
            #expect(try await s.anna.get("/api/v1/documents/\(id)").json["canApprove"] as? Bool == true)

            let approved = try await s.anna.send(.put, "/api/v1/documents/\(id)/approval", json: ["version": 1])
            #expect(approved.status == .ok, "\(approved.text)")
            let approval = try #require(approved.json["approved"] as? [String: Any])
            #expect(approval["version"] as? Int == 1)
            #expect((approval["by"] as? [String: Any])?["name"] as? String == "Anna Lindqvist")
            #expect((approved.json["current"] as? [String: Any])?["approved"] as? Bool == true)

            let v2 = sampleBytes(120, seed: 4)
            #expect(try await s.erik.upload(v2, metadata: ["filename": "Riktlinjer.pdf", "document": id]).status == .noContent)
            // The approved version stays the one approved; "approved" opens it.
            #expect(try await s.erik.get("/api/v1/documents/\(id)/content?version=approved").bytes == sampleBytes(100, seed: 3))
            #expect((try await s.erik.get("/api/v1/documents/\(id)").json["approved"] as? [String: Any])?["version"] as? Int == 1)
            #expect(try await s.anna.send(.put, "/api/v1/documents/\(id)/approval", json: ["version": 7]).status == .notFound)

            let cleared = try await s.anna.send(.delete, "/api/v1/documents/\(id)/approval")
            #expect(cleared.status == .ok)
            #expect(cleared.json["approved"] is NSNull)
            #expect(try await s.erik.get("/api/v1/documents/\(id)/content?version=approved").status == .notFound)
        }
    }

    @Test("A lock refuses another member's upload with 423 naming the holder; the holder uploads; the owner breaks it")
    func locks() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await DocumentSetup.make(client, world)
            let id = try await s.erik.newDocument(sampleBytes(200, seed: 5), workspace: s.workspace, name: "Avtal.docx")
            let locked = try await s.erik.send(.post, "/api/v1/documents/\(id)/lock", json: ["minutes": 30])
            #expect(locked.status == .ok, "\(locked.text)")
            #expect(locked.json["mine"] as? Bool == true)
            let token = try #require(locked.json["token"] as? String)
            #expect(token.hasPrefix("opaquelocktoken:"))
            #expect((locked.json["holder"] as? [String: Any])?["name"] as? String == "Erik Johansson")

            // Others see who holds it, without the token.
            let seen = try #require(try await s.lena.get("/api/v1/documents/\(id)").json["lock"] as? [String: Any])
            #expect(seen["mine"] as? Bool == false)
            #expect(seen["token"] == nil)

            let refused = try await s.lena.upload(sampleBytes(210, seed: 6), metadata: ["filename": "Avtal.docx", "document": id])
            #expect(refused.status.code == 423, "\(refused.text)")
            #expect(refused.problemCode == "locked")
            #expect((refused.json["holder"] as? [String: Any])?["name"] as? String == "Erik Johansson")
            #expect((refused.json["holder"] as? [String: Any])?["id"] as? String == world.erik.id.description)
            #expect(refused.json["expiresAt"] is String)
            #expect((refused.json["detail"] as? String)?.contains("utcheckat av Erik Johansson") == true)
            #expect(try await s.lena.send(.post, "/api/v1/documents/\(id)/lock").status.code == 423)
            #expect(try await s.lena.send(.patch, "/api/v1/documents/\(id)", json: ["title": "Mitt avtal.docx"]).status.code == 423)
            #expect(try await s.lena.send(.delete, "/api/v1/documents/\(id)/lock").status == .forbidden)

            // The holder saves a new version while holding it.
            #expect(try await s.erik.upload(sampleBytes(220, seed: 7), metadata: ["filename": "Avtal.docx", "document": id]).status == .noContent)

            // An upload started before the lock is refused when it completes, and kept: once
            // the lock is gone, a PATCH with no bytes at its length stores it.
            let later = sampleBytes(230, seed: 8)
            #expect(try await s.erik.send(.delete, "/api/v1/documents/\(id)/lock").status == .noContent)
            let (location, _) = try await s.lena.createUpload(length: later.count, metadata: ["filename": "Avtal.docx", "document": id])
            let upload = try #require(location)
            #expect(try await s.erik.send(.post, "/api/v1/documents/\(id)/lock").status == .ok)
            let atCommit = try await s.lena.tus(.patch, upload, headers: [Tus.uploadOffset: "0"], body: later)
            #expect(atCommit.status.code == 423)
            let head = try await s.lena.tus(.head, upload)
            #expect(head.headers[Tus.uploadOffset] == "230")

            // Anna owns the workspace: she breaks Erik's lock.
            #expect(try await s.anna.send(.delete, "/api/v1/documents/\(id)/lock").status == .noContent)
            #expect(try await s.anna.get("/api/v1/documents/\(id)").json["lock"] is NSNull)
            let retried = try await s.lena.tus(.patch, upload, headers: [Tus.uploadOffset: "230"], body: [])
            #expect(retried.status == .noContent, "\(retried.text)")
            #expect(retried.headers[Tus.documentVersion] == "3")
            #expect(try await s.erik.get("/api/v1/documents/\(id)/content").bytes == later)
        }
    }

    @Test("Renaming and moving keeps the id; folders nest; a folder with documents is not deleted")
    func renameMove() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await DocumentSetup.make(client, world)
            let id = try await s.erik.newDocument(sampleBytes(50, seed: 9), workspace: s.workspace, name: "Protokoll 12.odt")
            let folder = try await s.erik.send(.post, "/api/v1/workspaces/\(s.workspace)/folders", json: ["name": "Protokoll"])
            #expect(folder.status == .created, "\(folder.text)")
            let folderID = try #require(folder.json["id"] as? String)
            #expect(folder.json["parentId"] is NSNull)
            let sub = try await s.erik.send(.post, "/api/v1/workspaces/\(s.workspace)/folders", json: ["name": "2026", "parentId": folderID])
            let subID = try #require(sub.json["id"] as? String)
            #expect(try await s.erik.send(.post, "/api/v1/workspaces/\(s.workspace)/folders", json: ["name": "protokoll"]).status == .conflict)

            let moved = try await s.erik.send(.patch, "/api/v1/documents/\(id)", json: ["title": "Protokoll 2026-12-07.odt", "folderId": subID])
            #expect(moved.status == .ok, "\(moved.text)")
            #expect(moved.json["id"] as? String == id)
            #expect(moved.json["title"] as? String == "Protokoll 2026-12-07.odt")
            #expect((moved.json["path"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Protokoll", "2026"])
            #expect(moved.json["davUrl"] as? String == "/dav/\(s.workspace)/Protokoll/2026/Protokoll%202026-12-07.odt")

            let top = try await s.erik.get("/api/v1/workspaces/\(s.workspace)/documents")
            #expect(((top.json["documents"] as? [String: Any])?["items"] as? [[String: Any]])?.isEmpty == true)
            #expect(top.list("folders").map { $0["name"] as? String } == ["Protokoll"])
            let inside = try await s.erik.get("/api/v1/workspaces/\(s.workspace)/documents?folder=\(subID)")
            #expect(((inside.json["documents"] as? [String: Any])?["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            #expect((inside.json["folder"] as? [String: Any])?["name"] as? String == "2026")
            #expect((inside.json["path"] as? [[String: Any]])?.count == 2)

            #expect(try await s.erik.send(.delete, "/api/v1/folders/\(subID)").status == .conflict)
            let back = try await s.erik.send(.patch, "/api/v1/documents/\(id)", json: ["folderId": NSNull()])
            #expect(back.json["folderId"] is NSNull)
            #expect(back.json["title"] as? String == "Protokoll 2026-12-07.odt")
            #expect(try await s.erik.send(.delete, "/api/v1/folders/\(subID)").status == .noContent)
            #expect(try await s.erik.send(.patch, "/api/v1/folders/\(folderID)", json: ["name": "Protokoll och beslut"]).json["name"] as? String
                    == "Protokoll och beslut")
            #expect(try await s.erik.get("/api/v1/workspaces/\(s.workspace)/folders").list("folders").count == 1)
        }
    }

    @Test("Deleting moves to the trash; the document is still found by its id and comes back on restore")
    func trashRestore() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await DocumentSetup.make(client, world)
            let id = try await s.erik.newDocument(sampleBytes(70, seed: 10), workspace: s.workspace, name: "Gammal rutin.txt")
            #expect(try await s.erik.send(.delete, "/api/v1/documents/\(id)").status == .noContent)
            let library = try await s.erik.get("/api/v1/workspaces/\(s.workspace)/documents")
            #expect(((library.json["documents"] as? [String: Any])?["items"] as? [[String: Any]])?.isEmpty == true)
            let trash = try await s.erik.get("/api/v1/workspaces/\(s.workspace)/documents/trash")
            #expect(trash.status == .ok, "\(trash.text)")
            #expect((trash.json["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            #expect(try await s.erik.get("/api/v1/documents/\(id)").json["trashedAt"] is String)
            #expect(try await s.erik.send(.delete, "/api/v1/documents/\(id)").status == .notFound)
            let restored = try await s.lena.send(.post, "/api/v1/documents/\(id)/restore")
            #expect(restored.status == .ok, "\(restored.text)")
            #expect(restored.json["trashedAt"] is NSNull)
            #expect(try await s.erik.get("/api/v1/workspaces/\(s.workspace)/documents").json["documents"].flatMap { ($0 as? [String: Any])?["total"] as? Int } == 1)
        }
    }

    @Test("Size limit, allowed types and quota are refused at once with a Swedish message; nothing is stored")
    func limits() async throws {
        let world = try await World.make {
            $0.documents.maxFileBytes = 1000
            $0.documents.workspaceQuotaBytes = 1500
            $0.documents.allowedTypes = [".pdf", "image/*"]
        }
        try await world.test { client in
            let s = try await DocumentSetup.make(client, world)
            let (none, tooLarge) = try await s.erik.createUpload(length: 1001, metadata: ["filename": "Film.mp4", "workspace": s.workspace])
            #expect(none == nil)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.problemCode == "file-too-large")
            #expect((tooLarge.json["detail"] as? String)?.contains("Filen är för stor") == true)
            #expect(tooLarge.json["maxBytes"] as? Int == 1000)
            #expect(tooLarge.headers[Tus.resumable] == "1.0.0")

            let (_, program) = try await s.erik.createUpload(length: 10, metadata: ["filename": "Installera.exe", "workspace": s.workspace])
            #expect(program.status == .unsupportedMediaType)
            #expect(program.problemCode == "type-not-allowed")
            #expect(program.json["allowedTypes"] as? [String] == [".pdf", "image/*"])
            _ = try await s.erik.newDocument(sampleBytes(900, seed: 11), workspace: s.workspace, name: "Ett.pdf")
            let (_, full) = try await s.erik.createUpload(length: 900, metadata: ["filename": "Två.pdf", "workspace": s.workspace])
            #expect(full.status.code == 507)
            #expect(full.problemCode == "quota-exceeded")
            #expect((full.json["detail"] as? String)?.contains("dokumentutrymme") == true)
            #expect(full.json["usedBytes"] as? Int == 900)
            let library = try await s.erik.get("/api/v1/workspaces/\(s.workspace)/documents")
            #expect(library.json["quotaBytes"] as? Int == 1500)
            #expect((library.json["documents"] as? [String: Any])?["total"] as? Int == 1)
        }
    }

    @Test("To someone outside a closed workspace its documents do not exist (404), not even as link cards")
    func outsiders() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await DocumentSetup.make(client, world)
            let id = try await s.erik.newDocument(sampleBytes(40, seed: 12), workspace: s.workspace, name: "Hemligt.txt")
            for path in ["/api/v1/documents/\(id)", "/api/v1/documents/\(id)/content", "/api/v1/documents/\(id)/versions",
                         "/api/v1/documents/\(id)/links", "/api/v1/workspaces/\(s.workspace)/documents", "/api/v1/workspaces/\(s.workspace)/folders"] {
                let response = try await s.sara.get(path)
                #expect(response.status == .notFound, "\(path): \(response.status)")
            }
            #expect(try await s.sara.send(.put, "/api/v1/documents/\(id)/approval", json: ["version": 1]).status == .notFound)
            #expect(try await s.sara.send(.post, "/api/v1/documents/\(id)/lock").status == .notFound)
            let (_, upload) = try await s.sara.createUpload(length: 10, metadata: ["filename": "x.txt", "workspace": s.workspace])
            #expect(upload.status == .notFound)
            let (_, version) = try await s.sara.createUpload(length: 10, metadata: ["filename": "x.txt", "document": id])
            #expect(version.status == .notFound)
            let cards = try await s.sara.get("/api/v1/documents?ids=\(id),not-an-id")
            #expect(cards.status == .ok)
            #expect(cards.list("documents").isEmpty)
            #expect(try await s.lena.get("/api/v1/documents?ids=\(id)").list("documents").map { $0["title"] as? String } == ["Hemligt.txt"])
        }
    }

    @Test("A document linked from a discussion post lists the post for readers of it")
    func links() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await DocumentSetup.make(client, world)
            let id = try await s.erik.newDocument(sampleBytes(60, seed: 13), workspace: s.workspace, name: "Underlag.pdf")
            let thread = try await s.erik.send(.post, "/api/v1/workspaces/\(s.workspace)/threads",
                                               json: ["title": "Budgetmöte", "body": "Läs [underlaget](#/documents/\(id)?version=approved) före mötet."])
            #expect(thread.status == .created, "\(thread.text)")
            let links = try await s.lena.get("/api/v1/documents/\(id)/links")
            #expect(links.status == .ok, "\(links.text)")
            let link = try #require(links.list("links").first)
            #expect(link["kind"] as? String == "post")
            #expect(link["title"] as? String == "Budgetmöte")
            #expect((link["url"] as? String)?.hasPrefix("#/workspaces/\(s.workspace)?thread=") == true)

            // A blog post and a how-to link it too, the how-to with the full address of the page.
            let blog = try await s.erik.send(.post, "/api/v1/workspaces/\(s.workspace)/blog",
                                             json: ["title": "Nytt underlag", "body": "Se [filen](#/documents/\(id)).", "publish": true])
            #expect(blog.status == .created, "\(blog.text)")
            let article = try await s.erik.send(.post, "/api/v1/articles", json: HowToTests.article(
                "Så läser du underlaget", workspace: s.workspace, body: "1. Öppna [underlaget](https://communis.example.se/#/documents/\(id))"))
            #expect(article.status == .created, "\(article.text)")
            let all = try await s.lena.get("/api/v1/documents/\(id)/links").list("links")
            #expect(Set(all.compactMap { $0["kind"] as? String }) == ["post", "blog", "article"])
            #expect(Set(all.compactMap { $0["title"] as? String }) == ["Budgetmöte", "Nytt underlag", "Så läser du underlaget"])
            #expect(try await s.sara.get("/api/v1/documents/\(id)/links").status == .notFound)

            // An edit that drops the link removes the post from the list.
            let postID = try #require(((thread.json["result"] as? [String: Any])?["post"] as? [String: Any])?["id"] as? String
                                      ?? (thread.json["post"] as? [String: Any])?["id"] as? String)
            #expect(try await s.erik.send(.patch, "/api/v1/posts/\(postID)", json: ["body": "Underlaget kommer senare."]).status == .ok)
            #expect(Set(try await s.lena.get("/api/v1/documents/\(id)/links").list("links").compactMap { $0["kind"] as? String }) == ["blog", "article"])
        }
    }

    @Test("Live: members subscribed to the workspace get document events in order, with seq")
    func liveEvents() async throws {
        let world = try await World.make()
        try await world.testLive { client in
            let s = try await DocumentSetup.make(client, world)
            let port = try #require(client.port)
            let socket = try await WebSocketTestClient.connect(
                host: "localhost", port: port, headers: [("Cookie", try #require(s.lena.cookie)), ("Origin", "http://localhost:\(port)")])
            _ = try await socket.next("welcome")
            let subscribed = try await socket.command("subscribe", topic: "workspace:\(s.workspace)")
            #expect(subscribed.type == "ack")
            let start = (subscribed.data["seq"] as? NSNumber)?.int64Value ?? 0

            let id = try await s.erik.newDocument(sampleBytes(80, seed: 14), workspace: s.workspace, name: "Plan.pdf")
            let added = try await socket.next("document.added")
            #expect((added.object["seq"] as? NSNumber)?.int64Value == start + 1)
            #expect(added.topic == "workspace:\(s.workspace)")
            let document = try #require(added.data["document"] as? [String: Any])
            #expect(document["id"] as? String == id)
            #expect(document["title"] as? String == "Plan.pdf")
            #expect(document["canApprove"] == nil, "events carry no viewer's rights")

            #expect(try await s.erik.send(.post, "/api/v1/documents/\(id)/lock").status == .ok)
            let locked = try await socket.next("document.locked")
            #expect((locked.object["seq"] as? NSNumber)?.int64Value == start + 2)
            let lock = try #require((locked.data["document"] as? [String: Any])?["lock"] as? [String: Any])
            #expect((lock["holder"] as? [String: Any])?["name"] as? String == "Erik Johansson")
            #expect(lock["token"] == nil, "the token is the holder's alone")

            #expect(try await s.erik.upload(sampleBytes(90, seed: 15), metadata: ["filename": "Plan.pdf", "document": id]).status == .noContent)
            let versioned = try await socket.next("document.versioned")
            #expect((versioned.object["seq"] as? NSNumber)?.int64Value == start + 3)
            #expect((versioned.data["document"] as? [String: Any])?["version"] as? Int == 2)

            let folder = try await s.erik.send(.post, "/api/v1/workspaces/\(s.workspace)/folders", json: ["name": "Arkiv"])
            let created = try await socket.next("folder.created")
            #expect((created.data["folder"] as? [String: Any])?["id"] as? String == folder.json["id"] as? String)
            #expect(try await s.erik.send(.delete, "/api/v1/documents/\(id)").status == .noContent)
            // The holder's delete takes the lock with it.
            let deleted = try await socket.next("document.deleted")
            #expect((deleted.object["seq"] as? NSNumber)?.int64Value == start + 5)
            #expect((deleted.data["document"] as? [String: Any])?["trashedAt"] is String)
            socket.close(code: 1000)
        }
    }
}
