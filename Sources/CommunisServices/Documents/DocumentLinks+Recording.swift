import CommunisModel
import CommunisStore
import Foundation

extension DocumentLinks {
    /// Records which documents a source's Markdown links (`markdown` nil: the source is
    /// gone), after the write that stored the text has committed. `previously` is the text it
    /// replaced, so that a text that never linked anything costs no write.
    ///
    /// A failure is not passed on: the post, blog post or article is stored and announced,
    /// and failing the request now would make its client send it again. The link list is an
    /// index of that text which the next save of the source writes whole again; what it
    /// lacks meanwhile is a missing "linked from" line, never a wrong permission (every
    /// reader is checked against the source itself when the links are listed).
    static func record(in store: any DocumentStore, _ kind: DocumentLinkSource.Kind, id: String, workspace: WorkspaceID?,
                       markdown: String?, previously: String?, at date: Date) async {
        let documents = markdown.map(ids(in:)) ?? []
        if documents.isEmpty && (previously.map(ids(in:)) ?? []).isEmpty { return }
        let source = DocumentLinkSource(kind: kind, id: id, workspaceID: workspace, linkedAt: date)
        do { try await store.setDocumentLinks(source: source, documents: documents) } catch {}
    }
}
