import CommunisModel
import CommunisServices
import CommunisStore
import Foundation
import Hummingbird

/// `/api/v1/news`, `/api/v1/organisations` and the administrators' organisations and news
/// editors. Every decision is the `Newsroom`'s: an item a reader may not see is 404.
struct NewsRoutes {
    let services: Services

    struct OrganisationJSON: Encodable { var id: OrganisationID; var name: String; var isMain: Bool }
    struct ItemsJSON<Item: Encodable>: Encodable { var items: [Item] }
    struct NameBody: Decodable { var name: String }
    struct OrganisationBody: Decodable { var organisationId: String? }
    struct CommentBody: Decodable { var body: String }
    struct AcknowledgedJSON: Encodable { var acknowledgedAt: Date; var revision: Int }
    struct RemindedJSON: Encodable { var reminded: Int }

    struct RevisionJSON: Encodable {
        var revision: Int
        var title: String
        var introduction: String
        var body: String
        var editedAt: Date
        var editedBy: PersonID
        var material: Bool
        /// The body's lines against the save before (all added for the first).
        var diff: [DiffLine]
    }

    struct CommentJSON: Encodable {
        var id: String
        var body: String
        var author: PersonSummaryJSON?
        var createdAt: Date
        var canDelete: Bool

        enum CodingKeys: String, CodingKey { case id, body, author, createdAt, canDelete }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(body, forKey: .body)
            try c.encode(author, forKey: .author)
            try c.encode(createdAt, forKey: .createdAt)
            try c.encode(canDelete, forKey: .canDelete)
        }
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        let news = services.news

        api.get("organisations") { _, context in
            let organisations = try await news.organisations(viewer: try context.requireViewer())
            return try ItemsJSON(items: organisations.map { OrganisationJSON(id: $0.id, name: $0.name, isMain: $0.isMain) }).response()
        }
        api.post("admin/organisations") { request, context in
            var request = request
            let body = try await request.json(NameBody.self, context: context)
            let made = try await news.createOrganisation(viewer: try context.requireViewer(), name: body.name)
            return try OrganisationJSON(id: made.id, name: made.name, isMain: made.isMain).response(.created)
        }
        api.put("admin/people/:personId/organisation") { request, context in
            var request = request
            let body = try await request.json(OrganisationBody.self, context: context)
            var organisation: OrganisationID?
            if let text = body.organisationId {
                guard let id = OrganisationID(text) else { throw Problem.badParameter("organisationId", "must be an organisation id or null") }
                organisation = id
            }
            try await news.setOrganisation(viewer: try context.requireViewer(), person: try context.parameters.id("personId"), organisation: organisation)
            return Response(status: .noContent)
        }
        api.get("admin/news-editors") { _, context in
            let editors = try await news.editors(viewer: try context.requireViewer())
            return try ItemsJSON(items: editors.map { PersonSummaryJSON($0) }).response()
        }
        api.put("admin/news-editors/:personId") { _, context in
            try await news.setEditor(viewer: try context.requireViewer(), person: try context.parameters.id("personId"), true)
            return Response(status: .noContent)
        }
        api.delete("admin/news-editors/:personId") { _, context in
            try await news.setEditor(viewer: try context.requireViewer(), person: try context.parameters.id("personId"), false)
            return Response(status: .noContent)
        }

        api.get("news") { request, context in
            let viewer = try context.requireViewer()
            var query = NewsQuery(tag: request.query("tag"), text: request.query("q"))
            switch request.query("followed") {
            case nil, "false": break
            case "true": query.followed = true
            default: throw Problem.badParameter("followed", "must be true or false")
            }
            if let state = request.query("state") {
                guard let scope = NewsFilter.Scope(rawValue: state) else {
                    throw Problem.badParameter("state", "must be draft, scheduled, expired, published or all")
                }
                query.scope = scope
            }
            if let text = request.query("organisationId") {
                guard let id = OrganisationID(text) else { throw Problem.badParameter("organisationId", "must be an organisation id") }
                query.organisation = id
            }
            let page = try await news.list(viewer: viewer, query: query, page: try request.pageRequest())
            return try PageJSON(page) { NewsJSON($0, full: false) }.response()
        }
        api.post("news") { request, context in
            var request = request
            let body = try await request.json(NewsInputBody.self, context: context)
            let made = try await news.create(viewer: try context.requireViewer(), input: try body.input())
            return try NewsJSON(made, full: true).response(.created)
        }
        api.get("news/:id") { _, context in
            try NewsJSON(try await news.get(viewer: try context.requireViewer(), id: try context.parameters.id("id")), full: true).response()
        }
        api.put("news/:id") { request, context in
            var request = request
            let body = try await request.json(NewsInputBody.self, context: context)
            let saved = try await news.update(viewer: try context.requireViewer(), id: try context.parameters.id("id"), input: try body.input(),
                                              material: body.material ?? false)
            return try NewsJSON(saved, full: true).response()
        }
        api.delete("news/:id") { _, context in
            try await news.delete(viewer: try context.requireViewer(), id: try context.parameters.id("id"))
            return Response(status: .noContent)
        }
        api.get("news/:id/revisions") { _, context in
            let revisions = try await news.revisions(viewer: try context.requireViewer(), id: try context.parameters.id("id"))
            return try ItemsJSON(items: revisions.enumerated().map { index, saved in
                RevisionJSON(revision: saved.revision, title: saved.title, introduction: saved.introduction, body: saved.body,
                             editedAt: saved.editedAt, editedBy: saved.editedBy, material: saved.material,
                             diff: LineDiff.diff(index == 0 ? "" : revisions[index - 1].body, saved.body))
            }).response()
        }
        api.post("news/:id/acknowledgement") { _, context in
            let done = try await news.acknowledge(viewer: try context.requireViewer(), id: try context.parameters.id("id"))
            return try AcknowledgedJSON(acknowledgedAt: done.acknowledgedAt, revision: done.revision).response()
        }
        api.get("news/:id/acknowledgements") { _, context in
            let (item, report) = try await news.acknowledgementReport(viewer: try context.requireViewer(), id: try context.parameters.id("id"))
            return try AcknowledgementReportJSON(item, report).response()
        }
        api.post("news/:id/reminders") { _, context in
            let reminded = try await news.remind(viewer: try context.requireViewer(), id: try context.parameters.id("id"))
            return try RemindedJSON(reminded: reminded).response()
        }
        api.get("news/:id/comments") { _, context in
            let comments = try await news.comments(viewer: try context.requireViewer(), id: try context.parameters.id("id"))
            return try ItemsJSON(items: comments.map {
                CommentJSON(id: $0.comment.id.uuidString.lowercased(), body: $0.comment.body, author: $0.author.map { PersonSummaryJSON($0) },
                            createdAt: $0.comment.createdAt, canDelete: $0.canDelete)
            }).response()
        }
        api.post("news/:id/comments") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(CommentBody.self, context: context)
            let comment = try await news.addComment(viewer: viewer, id: try context.parameters.id("id"), body: body.body)
            return try CommentJSON(id: comment.id.uuidString.lowercased(), body: comment.body, author: PersonSummaryJSON(viewer.person),
                                   createdAt: comment.createdAt, canDelete: true).response(.created)
        }
        api.delete("news/:id/comments/:commentId") { _, context in
            guard let comment = context.parameters.get("commentId").flatMap(UUID.init(uuidString:)) else { throw DomainError.notFound("Comment") }
            try await news.deleteComment(viewer: try context.requireViewer(), id: try context.parameters.id("id"), comment: comment)
            return Response(status: .noContent)
        }
        api.put("news/:id/reactions/:emoji") { _, context in
            let emoji = context.parameters.get("emoji").flatMap { $0.removingPercentEncoding ?? $0 } ?? ""
            try await news.react(viewer: try context.requireViewer(), id: try context.parameters.id("id"), emoji: emoji, on: true)
            return Response(status: .noContent)
        }
        api.delete("news/:id/reactions/:emoji") { _, context in
            let emoji = context.parameters.get("emoji").flatMap { $0.removingPercentEncoding ?? $0 } ?? ""
            try await news.react(viewer: try context.requireViewer(), id: try context.parameters.id("id"), emoji: emoji, on: false)
            return Response(status: .noContent)
        }
        api.post("news/:id/image") { request, context in
            let viewer = try context.requireViewer()
            let limit = news.settings.maxImageBytes
            let buffer: ByteBuffer
            // Multipart adds its headers and boundaries around the image.
            do { buffer = try await request.body.collect(upTo: limit + 16_384) } catch { throw DomainError.fileTooLarge(maxBytes: Int64(limit)) }
            let data = NewsImageBody.image(Data(buffer: buffer), contentType: request.headers[.contentType])
            let saved = try await news.setImage(viewer: viewer, id: try context.parameters.id("id"), data: data)
            return try NewsJSON(saved, full: true).response()
        }
        api.get("news/:id/image") { _, context in
            let image = try await news.image(viewer: try context.requireViewer(), id: try context.parameters.id("id"))
            return Response(status: .ok, headers: [.contentType: image.type, .cacheControl: "private, max-age=3600"],
                            body: .init(byteBuffer: ByteBuffer(bytes: image.data)))
        }
    }
}
