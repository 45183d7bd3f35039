import CommunisModel
import CommunisServices
import CommunisStore
import Foundation
import Hummingbird

/// `GET /api/v1/search`: one search over what the viewer may read (C3).
struct SearchRoutes {
    let services: Services

    struct PersonRefJSON: Encodable { var id: PersonID; var name: String }

    struct ResultJSON: Encodable {
        var kind: SearchKind
        var id: String
        var title: String
        /// The matched words as segments; clients never parse it as markup.
        var snippet: [SnippetSegment]
        var workspaceId: WorkspaceID?
        var workspaceName: String?
        var author: PersonRefJSON?
        /// When it was written; left out for people and workspaces (a date says nothing there).
        var date: Date?
        /// The web client's hash route of the result.
        var url: String
        /// Recording and chapter results: the recording to open (`/api/v1/recordings/{id}`).
        var recordingId: String?
        /// Chapter results: where the chapter starts in the recording.
        var offsetMs: Int?
        /// Document results: the version whose text matched, and whether it is an older
        /// (archived) version rather than the current one.
        var documentVersion: Int?
        var archived: Bool?

        init(_ hit: SearchHit) {
            kind = hit.kind
            id = hit.id
            title = hit.title
            snippet = SnippetSegment.segments(of: hit.snippet)
            workspaceId = hit.workspaceID
            workspaceName = hit.workspaceName
            if hit.kind != .person, let authorID = hit.authorID, let name = hit.authorName {
                author = PersonRefJSON(id: authorID, name: name)
            }
            date = hit.kind == .person || hit.kind == .workspace ? nil : hit.date
            url = Self.url(hit)
            recordingId = hit.recordingID
            offsetMs = hit.kind == .chapter ? hit.offsetMs : nil
            if hit.kind == .document {
                documentVersion = hit.documentVersion
                archived = hit.archived
            }
        }

        static func url(_ hit: SearchHit) -> String {
            let id = hit.id
            switch (hit.kind, hit.workspaceID) {
            case (.thread, let workspace?): return "#/workspaces/\(workspace)?thread=\(id)"
            case (.post, let workspace?): return "#/workspaces/\(workspace)?thread=\(hit.parentID ?? "")"
            case (.blog, let workspace?): return "#/workspaces/\(workspace)/blog/\(id)"
            case (.blog, nil): return "#/people/\(hit.authorID?.description ?? "")/blog/\(id)"
            case (.person, _): return "#/people/\(id)"
            case (.article, _): return "#/knowledge/\(id)"
            case (.recording, _): return "#/recordings/\(id)"
            case (.chapter, _): return "#/recordings/\(hit.parentID ?? "")?t=\(hit.offsetMs ?? 0)"
            case (.workspace, _): return "#/workspaces/\(id)"
            case (.news, _): return "#/news/\(id)"
            case (.document, _):
                return hit.archived ? "#/documents/\(id)?version=\(hit.documentVersion ?? 0)" : "#/documents/\(id)"
            case (_, nil): return "#/"
            }
        }
    }

    struct ResultsJSON: Encodable {
        var results: [ResultJSON]
        var nextCursor: String?
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("search") { request, context in
            let viewer = try context.requireViewer()
            let page = try await services.search.search(
                viewer: viewer, text: request.query("q") ?? "", kinds: try Self.kinds(request.query("type")),
                workspace: try Self.id(request.query("workspace"), "workspace"), author: try Self.id(request.query("author"), "author"),
                from: try Self.date(request.query("from"), "from", endOfDay: false), to: try Self.date(request.query("to"), "to", endOfDay: true),
                includeArchived: try Self.flag(request.query("includeArchived"), "includeArchived"),
                order: try Self.order(request.query("sort")), limit: try Self.limit(request.query("limit")), cursor: request.query("cursor"))
            var hits = page.hits
            let kinds = try Self.kinds(request.query("type"))
            // News: the first page only, above the rest (as workspaces), for searches without
            // the filters news has no part in.
            if request.query("cursor") == nil, kinds.isEmpty || kinds.contains(.news), request.query("workspace") == nil,
               request.query("author") == nil, request.query("from") == nil, request.query("to") == nil {
                let found = try await services.news.search(viewer: viewer, text: request.query("q") ?? "", limit: Search.workspaceHits)
                let news = found.map { view in
                    SearchHit(kind: .news, id: view.news.id.description, parentID: nil, workspaceID: nil, workspaceName: nil,
                              authorID: view.news.authorID, authorName: view.author?.name, title: view.news.content.title,
                              snippet: Self.marked(String((view.news.content.introduction.isEmpty ? view.news.content.body : view.news.content.introduction).prefix(200)),
                                                   words: (request.query("q") ?? "").split(whereSeparator: \.isWhitespace).map(String.init)),
                              date: view.news.content.publishAt)
                }
                let spaces = hits.prefix { $0.kind == .workspace }
                hits = Array(spaces) + news + hits.dropFirst(spaces.count)
            }
            return try ResultsJSON(results: hits.map(ResultJSON.init), nextCursor: page.nextCursor).response()
        }
    }

    /// `text` with each occurrence of `words` (case and diacritics folded) between the snippet
    /// markers U+E000 and U+E001, as the index marks its matches.
    static func marked(_ text: String, words: [String]) -> String {
        var ranges: [Range<String.Index>] = []
        for word in words where !word.isEmpty {
            var from = text.startIndex
            while let found = text.range(of: word, options: [.caseInsensitive, .diacriticInsensitive], range: from..<text.endIndex) {
                if !ranges.contains(where: { $0.overlaps(found) }) { ranges.append(found) }
                from = found.upperBound
            }
        }
        var out = ""
        var at = text.startIndex
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) where range.lowerBound >= at {
            out += text[at..<range.lowerBound] + "\u{E000}" + text[range] + "\u{E001}"
            at = range.upperBound
        }
        return out + text[at...]
    }

    /// `type=thread,post` (`discussion` means both, `recording` a recording and its chapters).
    static func kinds(_ text: String?) throws -> Set<SearchKind> {
        guard let text else { return [] }
        var kinds: Set<SearchKind> = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            if name == "discussion" { kinds.formUnion([.thread, .post]); continue }
            if name == "recording" { kinds.formUnion([.recording, .chapter]); continue }
            guard let kind = SearchKind(rawValue: name) else {
                throw Problem.badParameter("type", "must be a list of discussion, thread, post, blog, person, article, recording, chapter, workspace, document, news")
            }
            kinds.insert(kind)
        }
        return kinds
    }

    static func id<Tag>(_ text: String?, _ name: String) throws -> ID<Tag>? {
        guard let text else { return nil }
        guard let id = ID<Tag>(text) else { throw Problem.badParameter(name, "must be an id") }
        return id
    }

    /// A calendar day (`2026-05-01`, UTC; `to` includes the whole day) or an ISO 8601 time.
    static func date(_ text: String?, _ name: String, endOfDay: Bool) throws -> Date? {
        guard let text else { return nil }
        if let time = try? Date(text, strategy: .iso8601) { return time }
        let day = Date.ISO8601FormatStyle().year().month().day()
        guard let start = try? Date(text, strategy: day) else {
            throw Problem.badParameter(name, "must be a date (YYYY-MM-DD)")
        }
        return endOfDay ? start.addingTimeInterval(86_400) : start
    }

    static func flag(_ text: String?, _ name: String) throws -> Bool {
        switch text {
        case nil, "false", "0": return false
        case "true", "1": return true
        default: throw Problem.badParameter(name, "must be true or false")
        }
    }

    static func order(_ text: String?) throws -> SearchOrder {
        guard let text else { return .relevance }
        guard let order = SearchOrder(rawValue: text) else { throw Problem.badParameter("sort", "must be relevance or newest") }
        return order
    }

    static func limit(_ text: String?) throws -> Int {
        guard let text else { return 20 }
        guard let value = Int(text) else { throw Problem.badParameter("limit", "must be a whole number") }
        guard (1...50).contains(value) else { throw Problem.badParameter("limit", "must be between 1 and 50") }
        return value
    }
}
