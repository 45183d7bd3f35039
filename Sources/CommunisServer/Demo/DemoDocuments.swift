import CommunisFiles
import CommunisModel
import CommunisServices
import CommunisStore
import Foundation

/// A few documents in the demo's workspaces, uploaded through the `Documents` service as
/// people would, at times in the past: a schedule with two versions (the second fastställd),
/// material shared with the external consultant, and a how-to file. Text files, so search and
/// comparing versions have words to work on without any outside program.
enum DemoDocuments {
    struct File {
        var workspace: String
        var folder: String?
        var by: String
        var title: String
        var mediaType: String
        var versions: [(text: String, comment: String, hoursAgo: Double)]
        /// Who marks the newest version fastställd, if anyone.
        var approvedBy: String?
    }

    static let files: [File] = [
        File(workspace: "Skolstart 2027", folder: "Schema", by: "Erik Johansson", title: "Schema läsårsstart 2027.csv", mediaType: "text/csv", versions: [
            (text: "Dag;Tid;Aktivitet\nMåndag;08:30;Uppstart i aulan\nMåndag;10:00;Mentorstid\nTisdag;08:30;Svenska åk 1\n",
             comment: "Första utkastet", hoursAgo: 80),
            (text: "Dag;Tid;Aktivitet\nMåndag;08:15;Mentorstid\nMåndag;09:00;Uppstart i aulan\nTisdag;08:30;Svenska åk 1\nTisdag;13:00;Elevhälsan presenterar sig\n",
             comment: "Mentorstiden flyttad till måndag morgon", hoursAgo: 60),
        ], approvedBy: "Erik Johansson"),
        File(workspace: "Skolstart 2027", folder: nil, by: "Henrik Axelsson", title: "Skolskjuts över skolgränserna.txt", mediaType: "text/plain", versions: [
            (text: "Underlag från Länstrafiken\n\nSkolskjutsen över skolgränserna ska beställas före 15 juni.\nTurerna från Valla och Sköldinge går 07:20 och 07:35.\n",
             comment: "Från Länstrafiken", hoursAgo: 54),
        ], approvedBy: nil),
        File(workspace: "Ny webbplats för medborgare", folder: "Texter", by: "Johan Andersson", title: "Klarspråk startsidan.txt", mediaType: "text/plain", versions: [
            (text: "Välkommen till Katrineholms kommun\n\nHär hittar du förskola, skola, omsorg och bygglov.\nSkriv till oss eller ring kontaktcenter.\n",
             comment: "Omskrivet enligt klarspråksriktlinjerna", hoursAgo: 7),
        ], approvedBy: nil),
        File(workspace: "Lathundar och IT-tips", folder: nil, by: "Ahmed Hassan", title: "Byta lösenord i Procapita.md", mediaType: "text/markdown", versions: [
            (text: "# Byta lösenord i Procapita\n\n1. Logga in som vanligt.\n2. Välj Byt lösenord i menyn.\n3. Minst 12 tecken, var 90:e dag.\n",
             comment: "", hoursAgo: 27),
        ], approvedBy: "Ahmed Hassan"),
    ]

    /// Uploads the files; returns each title's document id (for links in the demo's posts).
    static func seed(store: any CommunisStore, directory: String, processing: any DocumentProcessing,
                     byName: [String: Person], workspaceIDs: [String: WorkspaceID], now: Date = Date()) async throws -> [String: DocumentID] {
        let blobs = try BlobStore(root: URL(fileURLWithPath: directory))
        func documents(at hoursAgo: Double) -> Documents {
            let date = now.addingTimeInterval(-hoursAgo * 3600)
            return Documents(store: store, publisher: NoLivePublisher(), blobs: blobs, processing: processing, clock: Clock(now: { date }))
        }
        func staged(_ text: String) throws -> URL {
            let url = blobs.temporaryFile()
            try Data(text.utf8).write(to: url)
            return url
        }
        var folders: [String: DocumentFolderID] = [:]
        var ids: [String: DocumentID] = [:]
        for file in files {
            guard let author = byName[file.by], let workspace = workspaceIDs[file.workspace], let first = file.versions.first else { continue }
            let viewer = Viewer(person: author)
            var folderID: DocumentFolderID?
            if let name = file.folder {
                let key = "\(workspace)/\(name)"
                if folders[key] == nil {
                    folders[key] = try await documents(at: first.hoursAgo + 1).createFolder(viewer, workspace: workspace, parent: nil, name: name).id
                }
                folderID = folders[key]
            }
            var document = try await documents(at: first.hoursAgo).create(
                viewer, workspace: workspace, folder: folderID, title: file.title, file: try staged(first.text), mediaType: file.mediaType, comment: first.comment)
            for version in file.versions.dropFirst() {
                document = try await documents(at: version.hoursAgo).addVersion(
                    viewer, document.id, file: try staged(version.text), mediaType: file.mediaType, fileName: file.title,
                    comment: version.comment, lockToken: nil)
            }
            if let approver = file.approvedBy.flatMap({ byName[$0] }), let last = file.versions.last {
                _ = try await documents(at: last.hoursAgo - 1).approve(Viewer(person: approver), document.id, version: document.currentVersion)
            }
            ids[file.title] = document.id
        }
        return ids
    }
}
