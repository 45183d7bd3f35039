import GRDB

extension Schema {
    /// v9: who may read a search document, as words of the index (`scope`), so that FTS5
    /// intersects the reader's permissions with the searched words instead of the query
    /// checking each match row by row.
    ///
    /// Why: a reader of 12 % of a million documents had ~1,650 matches of a common word
    /// checked against memberships and workspaces (twice) to find the 200 newest readable
    /// ones. With permissions as terms, FTS5 skips through the posting lists and touches only
    /// readable matches.
    ///
    /// `search_documents.scope` (and the FTS5 column of the same name) holds, per document:
    /// - `w<workspace id without dashes>` for everything of a workspace (its members read it);
    /// - `open` as well when the workspace is open, except knowledge-bank articles, which are
    ///   for members only even there (`WorkspacePolicy.canRead`, `HowToPolicy.canRead`);
    /// - `org` for what every employee reads: content of no workspace (personal blogs,
    ///   organisation-wide articles), and recordings and chapters shared with the
    ///   organisation unless their workspace is secret (`RecordingPolicy.canRead`);
    /// - `people` for people (`DirectoryPolicy.canSearch`);
    /// - `archived` for an archived article (left out unless asked for).
    /// The store asks for `scope : (w… OR … OR open OR org OR people)` as the reader's
    /// policies allow (guests: their workspaces only). Words typed by people are confined to
    /// `{title body}`, so they never match a scope word.
    ///
    /// The stored scope is always the one in the index (an external-content FTS5 table must
    /// be told the old values to delete a row): the insert trigger computes it, the update
    /// trigger recomputes it on every change of a document (workspace moved, archived), and a
    /// change of a workspace's visibility or of a recording's sharing touches its documents so
    /// that the update trigger recomputes theirs, in the same transaction. (The nested
    /// UPDATE in the update trigger does not fire it again: recursive triggers are off, as
    /// SQLite and GRDB leave them.) Changing an open workspace with many documents to closed
    /// re-indexes all of them: rare, and correct at once.
    static func registerSearchScope(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v9-search-scope") { db in
            try db.execute(sql: """
                DROP TRIGGER search_documents_ai;
                DROP TRIGGER search_documents_ad;
                DROP TRIGGER search_documents_au;
                DROP TABLE search_index;
                ALTER TABLE search_documents ADD COLUMN scope TEXT;
                UPDATE search_documents SET scope = \(scope("search_documents"));

                CREATE VIRTUAL TABLE search_index USING fts5 (
                    title, body, scope,
                    kind UNINDEXED, ref_id UNINDEXED, workspace_id UNINDEXED, author_id UNINDEXED,
                    created_at UNINDEXED, updated_at UNINDEXED, archived UNINDEXED,
                    content = 'search_documents', content_rowid = 'id',
                    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
                );
                INSERT INTO search_index (search_index) VALUES ('rebuild');

                CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN
                    UPDATE search_documents SET scope = \(scope("NEW")) WHERE id = NEW.id;
                    INSERT INTO search_index (rowid, title, body, scope, kind, ref_id, workspace_id, author_id, created_at, updated_at, archived)
                    SELECT id, title, body, scope, kind, ref_id, workspace_id, author_id, created_at, updated_at, archived
                    FROM search_documents WHERE id = NEW.id;
                END;
                CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN
                    INSERT INTO search_index (search_index, rowid, title, body, scope, kind, ref_id, workspace_id, author_id, created_at, updated_at, archived)
                    VALUES ('delete', OLD.id, OLD.title, OLD.body, OLD.scope, OLD.kind, OLD.ref_id, OLD.workspace_id, OLD.author_id, OLD.created_at, OLD.updated_at, OLD.archived);
                END;
                -- NULL scope: the insert trigger's own UPDATE of a row not yet indexed.
                CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents WHEN OLD.scope IS NOT NULL BEGIN
                    INSERT INTO search_index (search_index, rowid, title, body, scope, kind, ref_id, workspace_id, author_id, created_at, updated_at, archived)
                    VALUES ('delete', OLD.id, OLD.title, OLD.body, OLD.scope, OLD.kind, OLD.ref_id, OLD.workspace_id, OLD.author_id, OLD.created_at, OLD.updated_at, OLD.archived);
                    UPDATE search_documents SET scope = \(scope("NEW")) WHERE id = NEW.id;
                    INSERT INTO search_index (rowid, title, body, scope, kind, ref_id, workspace_id, author_id, created_at, updated_at, archived)
                    SELECT id, title, body, scope, kind, ref_id, workspace_id, author_id, created_at, updated_at, archived
                    FROM search_documents WHERE id = NEW.id;
                END;

                CREATE TRIGGER search_scope_workspaces_au AFTER UPDATE OF visibility ON workspaces
                WHEN OLD.visibility IS NOT NEW.visibility BEGIN
                    UPDATE search_documents SET scope = scope WHERE workspace_id = NEW.id;
                END;
                CREATE TRIGGER search_scope_recordings_au AFTER UPDATE OF shared_with_organisation ON recordings
                WHEN OLD.shared_with_organisation IS NOT NEW.shared_with_organisation BEGIN
                    UPDATE search_documents SET scope = scope WHERE kind = 'recording' AND ref_id = NEW.id;
                    UPDATE search_documents SET scope = scope WHERE kind = 'chapter' AND parent_id = NEW.id;
                END;
                """)
        }
    }

    /// The scope words of the document `row` (a table name or NEW), from the current state of
    /// its workspace and recording; see `registerSearchScope`. Never NULL.
    static func scope(_ row: String) -> String {
        """
        (CASE WHEN \(row).workspace_id IS NULL THEN (CASE \(row).kind WHEN 'person' THEN 'people' ELSE 'org' END)
              ELSE 'w' || replace(\(row).workspace_id, '-', '') || coalesce((
                  SELECT (CASE WHEN w.visibility = 'open' AND \(row).kind <> 'article' THEN ' open' ELSE '' END)
                      || (CASE WHEN \(row).kind IN ('recording', 'chapter') AND w.visibility <> 'secret'
                                    AND EXISTS (SELECT 1 FROM recordings r WHERE r.id = coalesce(\(row).parent_id, \(row).ref_id)
                                                AND r.shared_with_organisation = 1)
                               THEN ' org' ELSE '' END)
                  FROM workspaces w WHERE w.id = \(row).workspace_id), '')
         END || (CASE WHEN \(row).archived <> 0 THEN ' archived' ELSE '' END))
        """
    }
}
