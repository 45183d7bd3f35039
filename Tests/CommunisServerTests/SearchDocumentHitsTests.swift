@testable import CommunisServices
import CommunisModel
import CommunisStore
import Foundation
import Testing

/// A document is one result on a page, however many of its versions matched.
struct SearchDocumentHitsTests {
    func hit(_ kind: SearchKind, _ id: String, version: Int? = nil, archived: Bool = false) -> SearchHit {
        SearchHit(kind: kind, id: id, parentID: nil, workspaceID: nil, workspaceName: nil, authorID: nil, authorName: nil,
                  title: id, snippet: "", date: Date(timeIntervalSince1970: 0), documentVersion: version, archived: archived)
    }

    @Test("The current version's hit wins over archived ones, in the place of the document's first hit")
    func currentWins() {
        let hits = [hit(.document, "a", version: 1, archived: true), hit(.thread, "t"), hit(.document, "a", version: 3),
                    hit(.document, "b", version: 1, archived: true), hit(.document, "b", version: 2, archived: true)]
        let kept = Search.oneHitPerDocument(hits)
        #expect(kept.map(\.id) == ["a", "t", "b"])
        #expect(kept[0].documentVersion == 3 && !kept[0].archived)
        #expect(kept[2].documentVersion == 2 && kept[2].archived)
    }

    @Test("Other kinds pass untouched")
    func othersUntouched() {
        let hits = [hit(.post, "p"), hit(.post, "p"), hit(.article, "x")]
        #expect(Search.oneHitPerDocument(hits).map(\.id) == ["p", "p", "x"])
    }
}
