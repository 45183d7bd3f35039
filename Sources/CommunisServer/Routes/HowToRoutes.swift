import CommunisModel
import CommunisServices
import Foundation
import Hummingbird

/// The knowledge bank (kunskapsbank) over HTTP: how-to articles, their revisions, diffs,
/// restore, archiving and the owner's review-due list. Every read checks the reader's
/// standing (`HowToPolicy`); an article a reader may not know of is 404.
struct HowToRoutes {
    let services: Services

    struct RecordingBody: Decodable {
        struct Chapter: Decodable { var title: String; var offsetMs: Int }
        var recordingId: String
        var title: String
        var chapters: [Chapter]?
    }

    struct AudienceBody: Decodable { var departments: [String]?; var roles: [String]? }

    struct SaveBody: Decodable {
        /// Only on create: null or absent is organisation-wide.
        var workspaceId: String?
        /// Only on edit: the revision the edit started from.
        var baseRevision: Int?
        var title: String
        var summary: String?
        var body: String
        var tags: [String]?
        var audience: AudienceBody?
        var reviewBy: String?
        var recordings: [RecordingBody]?

        var draft: HowToDraft {
            HowToDraft(
                title: title, summary: summary ?? "", body: body, tags: tags ?? [],
                audience: HowToAudience(departments: audience?.departments ?? [], roles: audience?.roles ?? []), reviewBy: reviewBy,
                recordings: (recordings ?? []).map {
                    RecordingReference(recordingId: $0.recordingId, title: $0.title, chapters: ($0.chapters ?? []).map { RecordingChapter(title: $0.title, offsetMs: $0.offsetMs) })
                })
        }
    }

    struct RestoreBody: Decodable { var baseRevision: Int? }

    /// Revisions are numbered from 1 (docs/openapi.yaml: `baseRevision` minimum 1); a lower
    /// one cannot be a revision anybody started from.
    static func checkRevision(_ base: Int) throws {
        guard base >= 1 else { throw Problem.badParameter("baseRevision", "must be a revision number (1 or more)") }
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        let howTos = services.howTos

        api.get("articles") { request, context in
            let viewer = try context.requireViewer()
            var query = HowToQuery(
                tag: request.query("tag"), includeArchived: try MeetingRoutes.flag(request, "includeArchived"),
                forMe: try MeetingRoutes.flag(request, "forMe"), reviewDue: try MeetingRoutes.flag(request, "reviewDue"))
            switch request.query("workspace") {
            case nil: break
            case "organisation": query.organisationOnly = true
            case let text?:
                guard let id = WorkspaceID(text) else { throw Problem.badParameter("workspace", "must be a workspace id or organisation") }
                query.workspace = id
            }
            if let status = request.query("status") {
                guard let value = HowToStatus(rawValue: status) else { throw Problem.badParameter("status", "must be current or archived") }
                query.status = value
            }
            let page = try await howTos.list(viewer: viewer, query: query, page: try request.pageRequest())
            return try PageJSON(page, HowToJSON.init).response()
        }
        api.post("articles") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(SaveBody.self, context: context)
            if let base = body.baseRevision { try Self.checkRevision(base) }
            var workspace: WorkspaceID?
            if let text = body.workspaceId, !text.isEmpty {
                guard let id = WorkspaceID(text) else { throw Problem.badParameter("workspaceId", "must be a workspace id or null") }
                workspace = id
            }
            let view = try await howTos.create(viewer: viewer, workspace: workspace, draft: body.draft)
            context.logger.info("how-to created", metadata: ["howto.id": "\(view.howTo.id)", "workspace.id": "\(workspace?.description ?? "organisation")"])
            return try HowToJSON(view).response(.created)
        }
        api.get("articles/review-due") { request, context in
            let page = try await howTos.reviewDue(viewer: try context.requireViewer(), page: try request.pageRequest())
            return try PageJSON(page, HowToJSON.init).response()
        }
        api.get("articles/:id") { _, context in
            try HowToJSON(try await howTos.view(viewer: try context.requireViewer(), id: try context.parameters.id("id"))).response()
        }
        api.put("articles/:id") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(SaveBody.self, context: context)
            guard let base = body.baseRevision else { throw Problem.badParameter("baseRevision", "must name the revision the edit started from") }
            try Self.checkRevision(base)
            let view = try await howTos.update(viewer: viewer, id: try context.parameters.id("id"), basedOn: base, draft: body.draft)
            context.logger.info("how-to saved", metadata: ["howto.id": "\(view.howTo.id)", "howto.revision": "\(view.howTo.revision)"])
            return try HowToJSON(view).response()
        }
        api.delete("articles/:id") { _, context in
            let viewer = try context.requireViewer()
            let id: HowToID = try context.parameters.id("id")
            try await howTos.delete(viewer: viewer, id: id)
            context.logger.info("how-to deleted", metadata: ["howto.id": "\(id)", "person.id": "\(viewer.id)"])
            return Response(status: .noContent)
        }
        api.post("articles/:id/archive") { _, context in
            try HowToJSON(try await howTos.setStatus(viewer: try context.requireViewer(), id: try context.parameters.id("id"), .archived)).response()
        }
        api.post("articles/:id/restore-current") { _, context in
            try HowToJSON(try await howTos.setStatus(viewer: try context.requireViewer(), id: try context.parameters.id("id"), .current)).response()
        }
        api.get("articles/:id/revisions") { _, context in
            let revisions = try await howTos.revisions(viewer: try context.requireViewer(), id: try context.parameters.id("id"))
            return try ItemsJSON(items: revisions.map(HowToRevisionSummaryJSON.init)).response()
        }
        api.get("articles/:id/revisions/:number") { _, context in
            let revision = try await howTos.revision(viewer: try context.requireViewer(), id: try context.parameters.id("id"), number: try Self.number(context))
            return try HowToRevisionJSON(revision).response()
        }
        api.post("articles/:id/revisions/:number/restore") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            // The body is optional: without `baseRevision` the restore is based on the latest.
            var base: Int?
            let buffer: ByteBuffer
            do { buffer = try await request.collectBody(upTo: context.maxUploadSize) } catch { throw Problem.payloadTooLarge }
            if buffer.readableBytes > 0 {
                guard let body = try? JSONDecoder().decode(RestoreBody.self, from: Data(buffer: buffer)) else {
                    throw Problem.malformedJSON("The body must be a JSON object like {\"baseRevision\": 3}.")
                }
                base = body.baseRevision
                if let base { try Self.checkRevision(base) }
            }
            let view = try await howTos.restore(viewer: viewer, id: try context.parameters.id("id"), number: try Self.number(context), basedOn: base)
            return try HowToJSON(view).response()
        }
        api.get("articles/:id/diff") { request, context in
            func revision(_ name: String) throws -> Int {
                guard let text = request.query(name), let value = Int(text), value >= 1 else {
                    throw Problem.badParameter(name, "must be a revision number (1 or more)")
                }
                return value
            }
            let diff = try await howTos.diff(viewer: try context.requireViewer(), id: try context.parameters.id("id"), from: try revision("from"), to: try revision("to"))
            return try HowToDiffJSON(from: HowToRevisionSummaryJSON(diff.from), to: HowToRevisionSummaryJSON(diff.to), fields: diff.fields).response()
        }
    }

    /// A revision number from the path; anything else cannot exist.
    static func number(_ context: AppRequestContext) throws -> Int {
        guard let text = context.parameters.get("number"), let value = Int(text), value >= 1 else { throw DomainError.notFound("Revision") }
        return value
    }
}
