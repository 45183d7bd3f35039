import CommunisModel
import CommunisServices
import Foundation
import HTTPTypes
import Hummingbird

/// Recordings (inspelningar) over HTTP: list, one with its participants, the audio (with
/// Range requests, so that a browser's `<audio>` can seek), edit and delete. Every read
/// checks the reader's standing (`RecordingPolicy`); a recording a reader may not know of is
/// 404. `HEAD …/audio` gives the `GET`'s status and headers without reading the file.
struct RecordingRoutes {
    let services: Services
    /// Chunks read from the file into the response: the file is never held whole in memory.
    static let chunkLength = 64 * 1024

    struct ChapterBody: Decodable { var title: String; var offsetMs: Int }

    struct EditBody: Decodable {
        var title: String?
        var sharedWithOrganisation: Bool?
        var chapters: [ChapterBody]?
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        let recordings = services.recordings

        api.get("recordings") { request, context in
            let viewer = try context.requireViewer()
            var workspace: WorkspaceID?
            if let text = request.query("workspaceId") {
                guard let id = WorkspaceID(text) else { throw Problem.badParameter("workspaceId", "must be a workspace id") }
                workspace = id
            }
            var kind: Recording.Kind?
            if let text = request.query("kind") {
                guard let value = Recording.Kind(rawValue: text) else { throw Problem.badParameter("kind", "must be meeting or guide") }
                kind = value
            }
            var state: Recording.State?
            if let text = request.query("state") {
                guard let value = Recording.State(rawValue: text) else { throw Problem.badParameter("state", "must be recording, complete or failed") }
                state = value
            }
            let page = try await recordings.list(viewer: viewer, workspace: workspace, kind: kind, state: state, page: try request.pageRequest())
            return try PageJSON(page, RecordingJSON.init).response()
        }
        api.get("recordings/:id") { _, context in
            try RecordingJSON(try await recordings.get(viewer: try context.requireViewer(), id: try context.parameters.id("id"))).response()
        }
        api.patch("recordings/:id") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(EditBody.self, context: context)
            let edit = RecordingEdit(
                title: body.title, sharedWithOrganisation: body.sharedWithOrganisation,
                chapters: body.chapters?.map { RecordingChapter(title: $0.title, offsetMs: $0.offsetMs) })
            let view = try await recordings.update(viewer: viewer, id: try context.parameters.id("id"), edit: edit)
            context.logger.info("recording changed", metadata: ["recording.id": "\(view.recording.id)", "person.id": "\(viewer.id)"])
            return try RecordingJSON(view).response()
        }
        api.delete("recordings/:id") { _, context in
            let viewer = try context.requireViewer()
            let id: RecordingID = try context.parameters.id("id")
            try await recordings.delete(viewer: viewer, id: id)
            context.logger.info("recording deleted", metadata: ["recording.id": "\(id)", "person.id": "\(viewer.id)"])
            return Response(status: .noContent)
        }
        api.get("recordings/:id/audio") { request, context in
            let viewer = try context.requireViewer()
            let audio = try await recordings.audio(viewer: viewer, id: try context.parameters.id("id"))
            return try await Self.audioResponse(audio, request: request, context: context)
        }
        // The router does not derive HEAD from GET here: the same answer without the body
        // (the file is only looked at, never read).
        api.head("recordings/:id/audio") { request, context in
            let viewer = try context.requireViewer()
            let audio = try await recordings.audio(viewer: viewer, id: try context.parameters.id("id"))
            return try await Self.audioResponse(audio, request: request, context: context).createHeadResponse()
        }
    }

    /// The file, whole or one byte range of it, streamed in chunks.
    static func audioResponse(_ audio: RecordingAudio, request: Request, context: AppRequestContext) async throws -> Response {
        let download: Bool
        switch request.query("download") {
        case nil: download = false
        case "1", "true": download = true
        // The document lists 1 and true; anything else is a mistake to report, not a no.
        default: throw Problem.badParameter("download", "must be 1 or true (or left out)")
        }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: audio.path),
              let size = (attributes[.size] as? NSNumber)?.intValue else {
            context.logger.error("recording file missing", metadata: ["recording.id": "\(audio.recording.id)", "recording.file": "\(audio.recording.fileName)"])
            throw DomainError.notFound("Recording audio")
        }
        var headers: HTTPFields = [
            .contentType: "audio/ogg",
            .acceptRanges: "bytes",
            .cacheControl: "private, max-age=0, must-revalidate",
        ]
        if download {
            headers[.contentDisposition] = ContentDisposition.attachment(title: audio.recording.title, extension: "opus")
        }
        let range = ByteRange(header: request.headers[.range], size: size)
        let fileIO = FileIO()
        switch range {
        case .unsatisfiable:
            throw Problem(
                .rangeNotSatisfiable, code: "range-not-satisfiable", title: "Range not satisfiable",
                detail: "The file has \(size) bytes; ask for a range inside it.", headers: [.contentRange: "bytes */\(size)", .acceptRanges: "bytes"])
        case .part(let part):
            headers[.contentRange] = "bytes \(part.lowerBound)-\(part.upperBound)/\(size)"
            let body = try await fileIO.loadFile(path: audio.path, range: part, context: context, chunkLength: chunkLength)
            return Response(status: .partialContent, headers: headers, body: body)
        case .whole:
            guard size > 0 else { return Response(status: .ok, headers: headers, body: .init()) }
            let body = try await fileIO.loadFile(path: audio.path, context: context, chunkLength: chunkLength)
            return Response(status: .ok, headers: headers, body: body)
        }
    }
}
