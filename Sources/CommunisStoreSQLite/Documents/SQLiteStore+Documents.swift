import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// Reading document libraries, and the writes that carry no event (`DocumentStore`): a WebDAV
/// lock refresh, purging the trash, extracted texts and links. Names sort the Swedish way
/// (`communis_name`), ids break ties.
extension SQLiteStore {
    public func documentFolder(id: DocumentFolderID) async throws -> DocumentFolder? {
        try await pool.read { db in try DocumentFolderRow.fetchOne(db, key: id.description)?.folder }
    }

    public func documentFolders(workspace: WorkspaceID) async throws -> [DocumentFolder] {
        try await pool.read { db in
            try DocumentFolderRow.fetchAll(db, sql: """
                SELECT * FROM document_folders WHERE workspace_id = ? ORDER BY name COLLATE communis_name, id
                """, arguments: [workspace.description]).map(\.folder)
        }
    }

    public func document(id: DocumentID) async throws -> Document? {
        try await pool.read { db in
            try DocumentRow.fetchOne(db.cachedStatement(sql: "\(DocumentRow.select) WHERE d.id = ?"), arguments: [id.description])?.document
        }
    }

    public func documents(ids: [DocumentID]) async throws -> [Document] {
        guard !ids.isEmpty else { return [] }
        return try await pool.read { db in
            let found = try DocumentRow.fetchAll(db, sql: "\(DocumentRow.select) WHERE d.id IN (SELECT value FROM json_each(?))",
                                                 arguments: [jsonArray(ids.map(\.description))]).map(\.document)
            // In the order asked, each once.
            let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            var seen = Set<DocumentID>()
            return ids.compactMap { id in seen.insert(id).inserted ? byID[id] : nil }
        }
    }

    public func documents(workspace: WorkspaceID, folder: DocumentFolderID?, page: PageRequest) async throws -> Page<Document> {
        try await pool.read { db in
            let arguments: StatementArguments = [workspace.description, folder?.description ?? ""]
            let total = try Int.fetchOne(db.cachedStatement(sql: """
                SELECT count(*) FROM documents WHERE workspace_id = ? AND coalesce(folder_id, '') = ? AND trashed_at IS NULL
                """), arguments: arguments) ?? 0
            let rows = try DocumentRow.fetchAll(db.cachedStatement(sql: """
                \(DocumentRow.select)
                WHERE d.workspace_id = ? AND coalesce(d.folder_id, '') = ? AND d.trashed_at IS NULL
                ORDER BY d.title COLLATE communis_name, d.id LIMIT ? OFFSET ?
                """), arguments: arguments + [page.limit, page.offset])
            return Page(items: rows.map(\.document), total: total, request: page)
        }
    }

    public func trashedDocuments(workspace: WorkspaceID, page: PageRequest) async throws -> Page<Document> {
        try await pool.read { db in
            let total = try Int.fetchOne(db.cachedStatement(sql: """
                SELECT count(*) FROM documents WHERE workspace_id = ? AND trashed_at IS NOT NULL
                """), arguments: [workspace.description]) ?? 0
            let rows = try DocumentRow.fetchAll(db.cachedStatement(sql: """
                \(DocumentRow.select)
                WHERE d.workspace_id = ? AND d.trashed_at IS NOT NULL
                ORDER BY d.trashed_at DESC, d.id LIMIT ? OFFSET ?
                """), arguments: [workspace.description, page.limit, page.offset])
            return Page(items: rows.map(\.document), total: total, request: page)
        }
    }

    public func document(workspace: WorkspaceID, folder: DocumentFolderID?, title: String) async throws -> Document? {
        try await pool.read { db in
            try DocumentRow.fetchOne(db.cachedStatement(sql: """
                \(DocumentRow.select)
                WHERE d.workspace_id = ? AND coalesce(d.folder_id, '') = ? AND d.name_key = ? AND d.trashed_at IS NULL
                """), arguments: [workspace.description, folder?.description ?? "", DocumentRules.nameKey(title)])?.document
        }
    }

    public func documentVersions(_ id: DocumentID) async throws -> [DocumentVersion] {
        try await pool.read { db in
            try DocumentVersionRow.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM document_versions WHERE document_id = ? ORDER BY number DESC
                """), arguments: [id.description]).map(\.version)
        }
    }

    public func documentVersion(_ id: DocumentID, number: Int) async throws -> DocumentVersion? {
        try await pool.read { db in
            try DocumentVersionRow.fetchOne(db, key: ["document_id": id.description, "number": number])?.version
        }
    }

    /// Each distinct file once, however many versions and documents of the library use it.
    public func documentBytes(workspace: WorkspaceID) async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(db.cachedStatement(sql: """
                SELECT coalesce(sum(size), 0) FROM (
                    SELECT max(v.size) AS size FROM documents d JOIN document_versions v ON v.document_id = d.id
                    WHERE d.workspace_id = ? GROUP BY v.sha256)
                """), arguments: [workspace.description]) ?? 0
        }
    }

    public func refreshDocumentLock(_ id: DocumentID, token: String, until: Date) async throws -> DocumentLock {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: """
                UPDATE documents SET lock_expires_at = ? WHERE id = ? AND lock_token = ?
                RETURNING lock_holder_id, lock_token, locked_at, lock_expires_at
                """, arguments: [until.unixSeconds, id.description, token]) else { throw DomainError.notFound("Lock") }
            return DocumentLock(holderID: try row.id("lock_holder_id", table: "documents"), token: row["lock_token"],
                                lockedAt: Date(timeIntervalSince1970: row["locked_at"]), expiresAt: Date(timeIntervalSince1970: row["lock_expires_at"]))
        }
    }

    public func expiredTrash(before: Date, limit: Int) async throws -> [Document] {
        try await pool.read { db in
            try DocumentRow.fetchAll(db.cachedStatement(sql: """
                \(DocumentRow.select)
                WHERE d.trashed_at IS NOT NULL AND d.trashed_at < ? ORDER BY d.trashed_at, d.id LIMIT ?
                """), arguments: [before.unixSeconds, max(0, limit)]).map(\.document)
        }
    }

    /// The versions, texts and links go with the row (foreign keys); search with its triggers.
    public func purgeDocument(_ id: DocumentID) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM documents WHERE id = ? AND trashed_at IS NOT NULL", arguments: [id.description])
            guard db.changesCount > 0 else { throw DomainError.notFound("Document") }
        }
    }

    public func unreferencedBlobs(_ sha256s: [String]) async throws -> [String] {
        guard !sha256s.isEmpty else { return [] }
        return try await pool.read { db in
            let used = try Set(String.fetchAll(db, sql: """
                SELECT DISTINCT sha256 FROM document_versions WHERE sha256 IN (SELECT value FROM json_each(?))
                """, arguments: [jsonArray(sha256s)]))
            var seen = Set<String>()
            return sha256s.filter { !used.contains($0) && seen.insert($0).inserted }
        }
    }

    /// An upsert guarded by the version's existence: a version purged meanwhile gets no text.
    public func setDocumentText(_ id: DocumentID, version: Int, text: String) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO document_texts (document_id, version, text)
                SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM document_versions WHERE document_id = ?1 AND number = ?2)
                ON CONFLICT (document_id, version) DO UPDATE SET text = excluded.text
                """, arguments: [id.description, version, text])
        }
    }

    public func documentText(_ id: DocumentID, version: Int) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT text FROM document_texts WHERE document_id = ? AND version = ?",
                                arguments: [id.description, version])
        }
    }

    /// Replaces the source's links in one transaction; ids of documents that do not exist are
    /// left out (a link pasted to something since purged).
    public func setDocumentLinks(source: DocumentLinkSource, documents: [DocumentID]) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM document_links WHERE source_kind = ? AND source_id = ?",
                           arguments: [source.kind.rawValue, source.id])
            guard !documents.isEmpty else { return }
            try Self.mappingForeignKey(db, missing: { _ in "Workspace" }) {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO document_links (source_kind, source_id, document_id, workspace_id, linked_at)
                    SELECT ?, ?, d.id, ?, ? FROM documents d WHERE d.id IN (SELECT value FROM json_each(?))
                    """, arguments: [source.kind.rawValue, source.id, source.workspaceID?.description, source.linkedAt.unixSeconds,
                                     jsonArray(documents.map(\.description))])
            }
        }
    }

    public func documentLinks(_ id: DocumentID) async throws -> [DocumentLinkSource] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT source_kind, source_id, workspace_id, linked_at FROM document_links
                WHERE document_id = ? ORDER BY linked_at DESC, source_kind, source_id
                """, arguments: [id.description]).map { row in
                let kind: String = row["source_kind"]
                guard let sourceKind = DocumentLinkSource.Kind(rawValue: kind) else {
                    throw CorruptRow(table: "document_links", column: "source_kind", value: kind)
                }
                return DocumentLinkSource(kind: sourceKind, id: row["source_id"], workspaceID: try row.optionalID("workspace_id", table: "document_links"),
                                          linkedAt: Date(timeIntervalSince1970: row["linked_at"]))
            }
        }
    }
}
