extension PostgresSchema {
    /// The document libraries (SQLite's v14, with the same tables and columns, so that
    /// `communis migrate-data` copies them as they are): folders, documents (with their lock
    /// and approval as columns), versions, extracted texts and links; and their place in search.
    ///
    /// - A folder or a document goes with its workspace; a folder's subfolders and documents
    ///   with it (the store deletes only empty folders, after moving the trashed documents that
    ///   were in it to the top). Every foreign key is DEFERRABLE (see `deferrableKeys`): a copy
    ///   brings folders in any order.
    /// - Names are unique among the folders and the documents not in the trash directly in one
    ///   parent, by `name_key`; the store checks both tables under the workspace's head row
    ///   (every change of a library is an `apply`), and a unique index holds each table on its
    ///   own (the nil uuid standing for the top of the library).
    /// - People's ids have no foreign key, as a thread's author.
    ///
    /// Search (kind 'document'), as SQLite's: the current entry (`ref_id` the document id)
    /// holds the title and the current version's text; each older version with text has its
    /// own entry (`ref_id` "<document>#<number>", `parent_id` the document, no title,
    /// `archived`); none while in the trash. `search_document_sync` brings a document's entries
    /// in step with its rows and is called by the triggers of all four tables, so the rows may
    /// arrive in any order (a copy brings documents before their versions and texts). An
    /// unchanged entry is not rewritten.
    static let documents: [String] = [
        """
        CREATE TABLE document_folders (
            id           uuid PRIMARY KEY,
            workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            parent_id    uuid REFERENCES document_folders (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            name         text NOT NULL,
            name_key     text NOT NULL,
            created_by   uuid NOT NULL,
            created_at   timestamptz NOT NULL,
            updated_at   timestamptz NOT NULL
        )
        """,
        """
        CREATE UNIQUE INDEX document_folders_name
        ON document_folders (workspace_id, coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), name_key)
        """,
        "CREATE INDEX document_folders_parent ON document_folders (parent_id) WHERE parent_id IS NOT NULL",
        """
        CREATE TABLE documents (
            id               uuid PRIMARY KEY,
            workspace_id     uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            folder_id        uuid REFERENCES document_folders (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            title            text NOT NULL,
            name_key         text NOT NULL,
            current_version  integer NOT NULL CHECK (current_version > 0),
            approved_version integer,
            approved_by      uuid,
            approved_at      timestamptz,
            lock_holder_id   uuid,
            lock_token       text,
            locked_at        timestamptz,
            lock_expires_at  timestamptz,
            created_by       uuid NOT NULL,
            created_at       timestamptz NOT NULL,
            updated_at       timestamptz NOT NULL,
            trashed_at       timestamptz,
            trashed_by       uuid,
            CHECK ((lock_holder_id IS NULL) = (lock_token IS NULL)
                   AND (lock_holder_id IS NULL) = (locked_at IS NULL)
                   AND (lock_holder_id IS NULL) = (lock_expires_at IS NULL))
        )
        """,
        """
        CREATE UNIQUE INDEX documents_name
        ON documents (workspace_id, coalesce(folder_id, '00000000-0000-0000-0000-000000000000'::uuid), name_key) WHERE trashed_at IS NULL
        """,
        "CREATE INDEX documents_folder ON documents (folder_id) WHERE folder_id IS NOT NULL",
        "CREATE INDEX documents_trash ON documents (workspace_id, trashed_at) WHERE trashed_at IS NOT NULL",
        "CREATE INDEX documents_trashed ON documents (trashed_at) WHERE trashed_at IS NOT NULL",
        "CREATE INDEX documents_lock_token ON documents (lock_token) WHERE lock_token IS NOT NULL",
        """
        CREATE TABLE document_versions (
            document_id   uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            number        integer NOT NULL CHECK (number > 0),
            sha256        text NOT NULL,
            size          bigint NOT NULL CHECK (size >= 0),
            media_type    text NOT NULL,
            file_name     text NOT NULL,
            comment       text NOT NULL DEFAULT '',
            created_by    uuid NOT NULL,
            created_at    timestamptz NOT NULL,
            restored_from integer,
            PRIMARY KEY (document_id, number)
        )
        """,
        "CREATE INDEX document_versions_sha256 ON document_versions (sha256)",
        """
        CREATE TABLE document_texts (
            document_id uuid NOT NULL,
            version     integer NOT NULL,
            text        text NOT NULL,
            PRIMARY KEY (document_id, version),
            FOREIGN KEY (document_id, version) REFERENCES document_versions (document_id, number) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE
        )
        """,
        """
        CREATE TABLE document_links (
            source_kind  text NOT NULL CHECK (source_kind IN ('post', 'blog', 'article')),
            source_id    text NOT NULL,
            document_id  uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            workspace_id uuid REFERENCES workspaces (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            linked_at    timestamptz NOT NULL,
            PRIMARY KEY (source_kind, source_id, document_id)
        )
        """,
        "CREATE INDEX document_links_document ON document_links (document_id, linked_at)",
        "CREATE INDEX document_links_workspace ON document_links (workspace_id) WHERE workspace_id IS NOT NULL",

        "ALTER TABLE search_documents DROP CONSTRAINT search_documents_kind_check",
        """
        ALTER TABLE search_documents ADD CONSTRAINT search_documents_kind_check
        CHECK (kind IN ('thread', 'post', 'blog', 'person', 'article', 'recording', 'chapter', 'workspace', 'document'))
        """,
        """
        CREATE FUNCTION search_document_sync(doc uuid) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM search_documents s WHERE s.kind = 'document' AND s.ref_id = doc::text AND NOT EXISTS (
                SELECT 1 FROM documents d JOIN document_versions v ON v.document_id = d.id AND v.number = d.current_version
                WHERE d.id = doc AND d.trashed_at IS NULL);
            INSERT INTO search_documents AS s (kind, ref_id, workspace_id, author_id, title, body, created_at, updated_at)
            SELECT 'document', d.id::text, d.workspace_id, v.created_by, search_clean(d.title), search_clean(coalesce(t.text, '')),
                   d.updated_at, d.updated_at
            FROM documents d JOIN document_versions v ON v.document_id = d.id AND v.number = d.current_version
            LEFT JOIN document_texts t ON t.document_id = d.id AND t.version = d.current_version
            WHERE d.id = doc AND d.trashed_at IS NULL
            ON CONFLICT (kind, ref_id) DO UPDATE SET
                workspace_id = excluded.workspace_id, author_id = excluded.author_id, title = excluded.title, body = excluded.body,
                created_at = excluded.created_at, updated_at = excluded.updated_at
            WHERE (s.workspace_id, s.author_id, s.title, s.body, s.created_at)
                  IS DISTINCT FROM (excluded.workspace_id, excluded.author_id, excluded.title, excluded.body, excluded.created_at);

            DELETE FROM search_documents s WHERE s.parent_id = doc AND s.kind = 'document' AND NOT EXISTS (
                SELECT 1 FROM documents d JOIN document_texts t ON t.document_id = d.id
                WHERE d.id = doc AND d.trashed_at IS NULL AND t.version < d.current_version AND s.ref_id = d.id::text || '#' || t.version);
            INSERT INTO search_documents AS s (kind, ref_id, parent_id, workspace_id, author_id, title, body, created_at, updated_at, archived)
            SELECT 'document', d.id::text || '#' || t.version, d.id, d.workspace_id, v.created_by, '', search_clean(t.text),
                   v.created_at, v.created_at, true
            FROM documents d JOIN document_texts t ON t.document_id = d.id
            JOIN document_versions v ON v.document_id = d.id AND v.number = t.version
            WHERE d.id = doc AND d.trashed_at IS NULL AND t.version < d.current_version
            ORDER BY t.version
            ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body WHERE s.body IS DISTINCT FROM excluded.body;
        END
        $$
        """,
        """
        CREATE FUNCTION search_documents_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_TABLE_NAME = 'documents' THEN
                IF TG_OP = 'DELETE' THEN
                    DELETE FROM search_documents WHERE kind = 'document' AND ref_id = OLD.id::text;
                    DELETE FROM search_documents WHERE parent_id = OLD.id AND kind = 'document';
                ELSE
                    PERFORM search_document_sync(NEW.id);
                END IF;
            ELSIF TG_OP = 'DELETE' THEN
                PERFORM search_document_sync(OLD.document_id);
            ELSE
                PERFORM search_document_sync(NEW.document_id);
            END IF;
            RETURN NULL;
        END
        $$
        """,
        "CREATE TRIGGER search_documents_insert AFTER INSERT OR DELETE ON documents FOR EACH ROW EXECUTE FUNCTION search_documents_sync()",
        """
        CREATE TRIGGER search_documents_update AFTER UPDATE OF title, current_version, trashed_at, updated_at ON documents
        FOR EACH ROW WHEN ((OLD.title, OLD.current_version, OLD.trashed_at, OLD.updated_at)
                           IS DISTINCT FROM (NEW.title, NEW.current_version, NEW.trashed_at, NEW.updated_at))
        EXECUTE FUNCTION search_documents_sync()
        """,
        // A new version arrives before the document's row names it, so its own sync finds
        // nothing to change; the row's update brings search along.
        """
        CREATE TRIGGER search_document_versions_insert AFTER INSERT ON document_versions
        FOR EACH ROW EXECUTE FUNCTION search_documents_sync()
        """,
        """
        CREATE TRIGGER search_document_texts AFTER INSERT OR UPDATE OR DELETE ON document_texts
        FOR EACH ROW EXECUTE FUNCTION search_documents_sync()
        """,
    ]
}
