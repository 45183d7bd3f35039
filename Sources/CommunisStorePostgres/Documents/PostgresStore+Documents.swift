import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// Reading document libraries, and the writes that carry no event (`DocumentStore`): a WebDAV
/// lock refresh, purging the trash, extracted texts and links. Names sort with `communis_name`
/// (Swedish, ignoring case, as SQLite's), ids break ties.
extension PostgresStore {
    public func documentFolder(id: DocumentFolderID) async throws -> DocumentFolder? {
        try await client.query("SELECT \(unescaped: DocumentRows.folderColumns) FROM document_folders WHERE id = \(id.uuid)", logger: logger)
            .first().map(DocumentRows.folder)
    }

    public func documentFolders(workspace: WorkspaceID) async throws -> [DocumentFolder] {
        try await client.query("""
            SELECT \(unescaped: DocumentRows.folderColumns) FROM document_folders WHERE workspace_id = \(workspace.uuid)
            ORDER BY name COLLATE communis_name, id
            """, logger: logger).all().map(DocumentRows.folder)
    }

    public func document(id: DocumentID) async throws -> Document? {
        try await client.query("\(unescaped: DocumentRows.select) WHERE d.id = \(id.uuid)", logger: logger).first().map(DocumentRows.document)
    }

    public func documents(ids: [DocumentID]) async throws -> [Document] {
        guard !ids.isEmpty else { return [] }
        let found = try await client.query("\(unescaped: DocumentRows.select) WHERE d.id = ANY(\(ids.map(\.uuid)))", logger: logger)
            .all().map(DocumentRows.document)
        // In the order asked, each once.
        let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var seen = Set<DocumentID>()
        return ids.compactMap { id in seen.insert(id).inserted ? byID[id] : nil }
    }

    public func documents(workspace: WorkspaceID, folder: DocumentFolderID?, page: PageRequest) async throws -> Page<Document> {
        let parent = folder?.uuid ?? DocumentRows.top
        return try await client.withConnection { connection in
            let total: Int = try await connection.query("""
                SELECT count(*) AS n FROM documents
                WHERE workspace_id = \(workspace.uuid) AND coalesce(folder_id, \(DocumentRows.top)) = \(parent) AND trashed_at IS NULL
                """, logger: logger).first()?.get("n") ?? 0
            let items = try await connection.query("""
                \(unescaped: DocumentRows.select)
                WHERE d.workspace_id = \(workspace.uuid) AND coalesce(d.folder_id, \(DocumentRows.top)) = \(parent) AND d.trashed_at IS NULL
                ORDER BY d.title COLLATE communis_name, d.id LIMIT \(page.limit) OFFSET \(page.offset)
                """, logger: logger).all().map(DocumentRows.document)
            return Page(items: items, total: total, request: page)
        }
    }

    public func trashedDocuments(workspace: WorkspaceID, page: PageRequest) async throws -> Page<Document> {
        try await client.withConnection { connection in
            let total: Int = try await connection.query("""
                SELECT count(*) AS n FROM documents WHERE workspace_id = \(workspace.uuid) AND trashed_at IS NOT NULL
                """, logger: logger).first()?.get("n") ?? 0
            let items = try await connection.query("""
                \(unescaped: DocumentRows.select)
                WHERE d.workspace_id = \(workspace.uuid) AND d.trashed_at IS NOT NULL
                ORDER BY d.trashed_at DESC, d.id LIMIT \(page.limit) OFFSET \(page.offset)
                """, logger: logger).all().map(DocumentRows.document)
            return Page(items: items, total: total, request: page)
        }
    }

    public func document(workspace: WorkspaceID, folder: DocumentFolderID?, title: String) async throws -> Document? {
        try await client.query("""
            \(unescaped: DocumentRows.select)
            WHERE d.workspace_id = \(workspace.uuid) AND coalesce(d.folder_id, \(DocumentRows.top)) = \(folder?.uuid ?? DocumentRows.top)
              AND d.name_key = \(DocumentRules.nameKey(title)) AND d.trashed_at IS NULL
            """, logger: logger).first().map(DocumentRows.document)
    }

    public func documentVersions(_ id: DocumentID) async throws -> [DocumentVersion] {
        try await client.query("""
            SELECT \(unescaped: DocumentRows.versionColumns) FROM document_versions WHERE document_id = \(id.uuid) ORDER BY number DESC
            """, logger: logger).all().map(DocumentRows.version)
    }

    public func documentVersion(_ id: DocumentID, number: Int) async throws -> DocumentVersion? {
        try await client.query("""
            SELECT \(unescaped: DocumentRows.versionColumns) FROM document_versions WHERE document_id = \(id.uuid) AND number = \(number)
            """, logger: logger).first().map(DocumentRows.version)
    }

    /// Each distinct file once, however many versions and documents of the library use it.
    public func documentBytes(workspace: WorkspaceID) async throws -> Int64 {
        try await client.query("""
            SELECT coalesce(sum(size), 0)::bigint AS n FROM (
                SELECT max(v.size) AS size FROM documents d JOIN document_versions v ON v.document_id = d.id
                WHERE d.workspace_id = \(workspace.uuid) GROUP BY v.sha256) files
            """, logger: logger).first()?.get("n") ?? 0
    }

    public func refreshDocumentLock(_ id: DocumentID, token: String, until: Date) async throws -> DocumentLock {
        guard let row = try await client.query("""
            UPDATE documents SET lock_expires_at = \(until) WHERE id = \(id.uuid) AND lock_token = \(token)
            RETURNING lock_holder_id, lock_token, locked_at, lock_expires_at
            """, logger: logger).first() else { throw DomainError.notFound("Lock") }
        return try DocumentRows.lock(row)
    }

    public func expiredTrash(before: Date, limit: Int) async throws -> [Document] {
        try await client.query("""
            \(unescaped: DocumentRows.select)
            WHERE d.trashed_at IS NOT NULL AND d.trashed_at < \(before) ORDER BY d.trashed_at, d.id LIMIT \(max(0, limit))
            """, logger: logger).all().map(DocumentRows.document)
    }

    /// The versions, texts and links go with the row (foreign keys); search with its triggers.
    public func purgeDocument(_ id: DocumentID) async throws {
        guard try await client.query("""
            DELETE FROM documents WHERE id = \(id.uuid) AND trashed_at IS NOT NULL RETURNING id
            """, logger: logger).first() != nil else { throw DomainError.notFound("Document") }
    }

    public func unreferencedBlobs(_ sha256s: [String]) async throws -> [String] {
        guard !sha256s.isEmpty else { return [] }
        let used = Set(try await client.query("""
            SELECT DISTINCT sha256 FROM document_versions WHERE sha256 = ANY(\(sha256s))
            """, logger: logger).all().map { try $0.get("sha256", as: String.self) })
        var seen = Set<String>()
        return sha256s.filter { !used.contains($0) && seen.insert($0).inserted }
    }

    /// An upsert guarded by the version's existence: a version purged meanwhile gets no text
    /// (also when the purge commits between this statement's read and its key check).
    public func setDocumentText(_ id: DocumentID, version: Int, text: String) async throws {
        do {
            try await client.query("""
                INSERT INTO document_texts (document_id, version, text)
                SELECT v.document_id, v.number, \(text) FROM document_versions v WHERE v.document_id = \(id.uuid) AND v.number = \(Int32(clamping: version))
                ON CONFLICT (document_id, version) DO UPDATE SET text = excluded.text
                """, logger: logger).run()
        } catch let error as PSQLError where error.isForeignKeyViolation {
            return
        }
    }

    public func documentText(_ id: DocumentID, version: Int) async throws -> String? {
        try await client.query("""
            SELECT text FROM document_texts WHERE document_id = \(id.uuid) AND version = \(Int32(clamping: version))
            """, logger: logger).first()?.get("text")
    }

    /// Replaces the source's links in one transaction; ids of documents that do not exist are
    /// left out (a link pasted to something since purged).
    public func setDocumentLinks(source: DocumentLinkSource, documents: [DocumentID]) async throws {
        do {
            try await replaceDocumentLinks(source: source, documents: documents)
        } catch let error as PSQLError where error.isForeignKeyViolation && error.constraint == "document_links_document_id_fkey" {
            // A document purged between the insert's read and its key check: once more, now
            // without it.
            try await replaceDocumentLinks(source: source, documents: documents)
        }
    }

    private func replaceDocumentLinks(source: DocumentLinkSource, documents: [DocumentID]) async throws {
        try await transaction { connection in
            try await connection.query("""
                DELETE FROM document_links WHERE source_kind = \(source.kind.rawValue) AND source_id = \(source.id)
                """, logger: logger).run()
            guard !documents.isEmpty else { return }
            do {
                try await connection.query("""
                    INSERT INTO document_links (source_kind, source_id, document_id, workspace_id, linked_at)
                    SELECT \(source.kind.rawValue), \(source.id), d.id, \(source.workspaceID?.uuid)::uuid, \(source.linkedAt)
                    FROM documents d WHERE d.id = ANY(\(documents.map(\.uuid)))
                    ON CONFLICT DO NOTHING
                    """, logger: logger).run()
            } catch let error as PSQLError where error.isForeignKeyViolation && error.constraint == "document_links_workspace_id_fkey" {
                throw DomainError.notFound("Workspace")
            }
        }
    }

    public func documentLinks(_ id: DocumentID) async throws -> [DocumentLinkSource] {
        try await client.query("""
            SELECT source_kind, source_id, workspace_id, linked_at FROM document_links
            WHERE document_id = \(id.uuid) ORDER BY linked_at DESC, source_kind, source_id
            """, logger: logger).all().map { row in
            DocumentLinkSource(kind: try row.enum("source_kind"), id: try row.get("source_id"), workspaceID: try row.optionalID("workspace_id"),
                               linkedAt: try row.get("linked_at"))
        }
    }
}
