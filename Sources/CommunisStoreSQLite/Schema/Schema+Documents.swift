import GRDB

extension Schema {
    /// v14: the document libraries (issue 13): folders, documents, their versions, the text
    /// extracted from versions, and where documents are linked from; and their place in search.
    ///
    /// - A folder or a document goes with its workspace. A folder's subfolders and documents go
    ///   with it (the store deletes only empty folders, after moving the trashed documents that
    ///   were in it to the top, so the cascade serves the deletion of a whole workspace).
    /// - Names are unique among the folders and the documents not in the trash directly in one
    ///   parent, compared by `name_key` (`DocumentRules.nameKey`). The store checks both tables
    ///   before every write; the two unique indexes hold each table on its own as well
    ///   (`coalesce(…, '')`: the top of the library has no folder id, and NULLs never collide).
    /// - A document's lock is four columns of its row (holder, token, when, until); the
    ///   approved (fastställd) version is three. `current_version` is the newest version's number.
    /// - Versions name their file by SHA-256; the files are the service's. `document_versions_sha256`
    ///   answers "is this file still used" and the quota's distinct sizes.
    /// - People's ids (creator, uploader, approver, lock holder) have no foreign key: like a
    ///   thread's author, the record stays when an account is removed.
    /// - `document_links`: a post, blog post or article (`source_kind`, `source_id`, and the
    ///   source's workspace, NULL for organisation-wide ones) that links a document.
    ///
    /// Search (kind 'document'): the current entry (`ref_id` the document id) holds the title and
    /// the current version's text; each older version with text has its own entry (`ref_id`
    /// "<document>#<number>", `parent_id` the document, empty title, `archived` 1, found only
    /// when asked). A document in the trash has no entries. `created_at` and `updated_at` of the
    /// current entry are the document's last change (what a hit shows and dates filter on); an
    /// older version's are its upload time; the author is the version's uploader. The scope
    /// words are v9's (members; `open` for employees when the workspace is open). Triggers keep
    /// the entries in step in the same transaction as every change, in whatever order the rows
    /// arrive (a copy from another engine inserts documents before their versions and texts).
    static func registerDocuments(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v14-documents") { db in
            try db.execute(sql: """
                CREATE TABLE document_folders (
                    id           TEXT PRIMARY KEY NOT NULL,
                    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                    parent_id    TEXT REFERENCES document_folders (id) ON DELETE CASCADE,
                    name         TEXT NOT NULL,
                    name_key     TEXT NOT NULL,
                    created_by   TEXT NOT NULL,
                    created_at   REAL NOT NULL,
                    updated_at   REAL NOT NULL
                ) STRICT;
                CREATE UNIQUE INDEX document_folders_name ON document_folders (workspace_id, coalesce(parent_id, ''), name_key);
                CREATE INDEX document_folders_parent ON document_folders (parent_id) WHERE parent_id IS NOT NULL;

                CREATE TABLE documents (
                    id               TEXT PRIMARY KEY NOT NULL,
                    workspace_id     TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                    folder_id        TEXT REFERENCES document_folders (id) ON DELETE CASCADE,
                    title            TEXT NOT NULL,
                    name_key         TEXT NOT NULL,
                    current_version  INTEGER NOT NULL CHECK (current_version > 0),
                    approved_version INTEGER,
                    approved_by      TEXT,
                    approved_at      REAL,
                    lock_holder_id   TEXT,
                    lock_token       TEXT,
                    locked_at        REAL,
                    lock_expires_at  REAL,
                    created_by       TEXT NOT NULL,
                    created_at       REAL NOT NULL,
                    updated_at       REAL NOT NULL,
                    trashed_at       REAL,
                    trashed_by       TEXT,
                    CHECK ((lock_holder_id IS NULL) = (lock_token IS NULL)
                           AND (lock_holder_id IS NULL) = (locked_at IS NULL)
                           AND (lock_holder_id IS NULL) = (lock_expires_at IS NULL))
                ) STRICT;
                CREATE UNIQUE INDEX documents_name ON documents (workspace_id, coalesce(folder_id, ''), name_key) WHERE trashed_at IS NULL;
                CREATE INDEX documents_folder ON documents (folder_id) WHERE folder_id IS NOT NULL;
                CREATE INDEX documents_trash ON documents (workspace_id, trashed_at) WHERE trashed_at IS NOT NULL;
                CREATE INDEX documents_trashed ON documents (trashed_at) WHERE trashed_at IS NOT NULL;
                CREATE INDEX documents_lock_token ON documents (lock_token) WHERE lock_token IS NOT NULL;

                CREATE TABLE document_versions (
                    document_id   TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
                    number        INTEGER NOT NULL CHECK (number > 0),
                    sha256        TEXT NOT NULL,
                    size          INTEGER NOT NULL CHECK (size >= 0),
                    media_type    TEXT NOT NULL,
                    file_name     TEXT NOT NULL,
                    comment       TEXT NOT NULL DEFAULT '',
                    created_by    TEXT NOT NULL,
                    created_at    REAL NOT NULL,
                    restored_from INTEGER,
                    PRIMARY KEY (document_id, number)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX document_versions_sha256 ON document_versions (sha256);

                CREATE TABLE document_texts (
                    document_id TEXT NOT NULL,
                    version     INTEGER NOT NULL,
                    text        TEXT NOT NULL,
                    PRIMARY KEY (document_id, version),
                    FOREIGN KEY (document_id, version) REFERENCES document_versions (document_id, number) ON DELETE CASCADE
                ) STRICT, WITHOUT ROWID;

                CREATE TABLE document_links (
                    source_kind  TEXT NOT NULL CHECK (source_kind IN ('post', 'blog', 'article')),
                    source_id    TEXT NOT NULL,
                    document_id  TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
                    workspace_id TEXT REFERENCES workspaces (id) ON DELETE CASCADE,
                    linked_at    REAL NOT NULL,
                    PRIMARY KEY (source_kind, source_id, document_id)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX document_links_document ON document_links (document_id, linked_at);
                CREATE INDEX document_links_workspace ON document_links (workspace_id) WHERE workspace_id IS NOT NULL;
                """)

            let current = documentCurrentEntry
            let archived = documentArchivedEntries
            let isCurrent = "(SELECT current_version FROM documents WHERE id = NEW.document_id)"
            try db.execute(sql: """
                CREATE TRIGGER search_documents_docs_ai AFTER INSERT ON documents BEGIN
                    \(current("NEW.id"))
                    \(archived("NEW.id"))
                END;
                CREATE TRIGGER search_documents_docs_au AFTER UPDATE OF title, current_version, trashed_at, updated_at ON documents
                WHEN OLD.title IS NOT NEW.title OR OLD.current_version IS NOT NEW.current_version
                  OR OLD.trashed_at IS NOT NEW.trashed_at OR OLD.updated_at IS NOT NEW.updated_at BEGIN
                    \(current("NEW.id"))
                    \(archived("NEW.id"))
                END;
                CREATE TRIGGER search_documents_docs_ad AFTER DELETE ON documents BEGIN
                    DELETE FROM search_documents WHERE kind = 'document' AND ref_id = OLD.id;
                    DELETE FROM search_documents WHERE parent_id = OLD.id AND kind = 'document';
                END;

                CREATE TRIGGER search_document_versions_ai AFTER INSERT ON document_versions
                WHEN NEW.number = \(isCurrent) BEGIN
                    \(current("NEW.document_id"))
                END;

                -- A text is the current entry's body or an older version's entry, never both: the
                -- other entry is not rewritten (a long text costs to index again).
                CREATE TRIGGER search_document_texts_ai_current AFTER INSERT ON document_texts
                WHEN NEW.version = \(isCurrent) BEGIN
                    \(current("NEW.document_id"))
                END;
                CREATE TRIGGER search_document_texts_ai_archived AFTER INSERT ON document_texts
                WHEN NEW.version < \(isCurrent) BEGIN
                    \(archived("NEW.document_id"))
                END;
                CREATE TRIGGER search_document_texts_au_current AFTER UPDATE OF text ON document_texts
                WHEN NEW.version = \(isCurrent) BEGIN
                    \(current("NEW.document_id"))
                END;
                CREATE TRIGGER search_document_texts_au_archived AFTER UPDATE OF text ON document_texts
                WHEN NEW.version < \(isCurrent) BEGIN
                    UPDATE search_documents SET body = \(clean("NEW.text"))
                    WHERE kind = 'document' AND ref_id = NEW.document_id || '#' || NEW.version;
                END;
                CREATE TRIGGER search_document_texts_ad AFTER DELETE ON document_texts BEGIN
                    DELETE FROM search_documents WHERE kind = 'document' AND ref_id = OLD.document_id || '#' || OLD.version;
                    \(current("OLD.document_id"))
                END;
                """)
        }
    }

    /// The statements that bring the current search entry of document `id` (an SQL expression)
    /// in step with its row, its current version and that version's text: removed while the
    /// document is in the trash (or its current version has not arrived yet), else updated or
    /// inserted.
    static func documentCurrentEntry(_ id: String) -> String {
        let source = """
            FROM documents d JOIN document_versions v ON v.document_id = d.id AND v.number = d.current_version
            LEFT JOIN document_texts t ON t.document_id = d.id AND t.version = d.current_version
            WHERE d.id = \(id) AND d.trashed_at IS NULL
            """
        let values = "d.workspace_id, v.created_by, \(clean("d.title")), \(clean("coalesce(t.text, '')")), d.updated_at, d.updated_at"
        return """
            DELETE FROM search_documents WHERE kind = 'document' AND ref_id = \(id) AND NOT EXISTS (SELECT 1 \(source));
            UPDATE search_documents SET (workspace_id, author_id, title, body, created_at, updated_at) = (SELECT \(values) \(source))
            WHERE kind = 'document' AND ref_id = \(id) AND EXISTS (SELECT 1 \(source));
            INSERT INTO search_documents (kind, ref_id, workspace_id, author_id, title, body, created_at, updated_at)
            SELECT 'document', d.id, \(values) \(source)
              AND NOT EXISTS (SELECT 1 FROM search_documents s WHERE s.kind = 'document' AND s.ref_id = d.id);
            """
    }

    /// The statements that bring the archived search entries of document `id` in step: one per
    /// older version with text while the document is not in the trash, none otherwise.
    static func documentArchivedEntries(_ id: String) -> String {
        """
        DELETE FROM search_documents WHERE parent_id = \(id) AND kind = 'document' AND NOT EXISTS (
            SELECT 1 FROM documents d JOIN document_texts t ON t.document_id = d.id
            WHERE d.id = \(id) AND d.trashed_at IS NULL AND t.version < d.current_version
              AND search_documents.ref_id = d.id || '#' || t.version);
        INSERT INTO search_documents (kind, ref_id, parent_id, workspace_id, author_id, title, body, created_at, updated_at, archived)
        SELECT 'document', d.id || '#' || t.version, d.id, d.workspace_id, v.created_by, '', \(clean("t.text")), v.created_at, v.created_at, 1
        FROM documents d JOIN document_texts t ON t.document_id = d.id
        JOIN document_versions v ON v.document_id = d.id AND v.number = t.version
        WHERE d.id = \(id) AND d.trashed_at IS NULL AND t.version < d.current_version
          AND NOT EXISTS (SELECT 1 FROM search_documents s WHERE s.kind = 'document' AND s.ref_id = d.id || '#' || t.version)
        ORDER BY t.version;
        """
    }
}
