import GRDB

extension Schema {
    /// v13: workspaces are findable (name as title, description as text), by those who may
    /// see them: their members, and every employee unless the workspace is secret (open and
    /// closed workspaces are listed to join). A workspace's document has the scope words
    /// `w<id>`, `org` unless secret, and `space`, the word that keeps workspaces apart from
    /// the content of the search (the store asks for `scope : space` or `NOT scope : space`).
    ///
    /// v9's document triggers are made again with the new scope expression; a change of
    /// visibility already touches every document of the workspace (v9), its own included.
    static func registerSearchWorkspaces(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v13-search-workspaces") { db in
            try db.execute(sql: """
                DROP TRIGGER search_documents_ai;
                DROP TRIGGER search_documents_au;
                CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN
                    UPDATE search_documents SET scope = \(workspaceAwareScope("NEW")) WHERE id = NEW.id;
                    INSERT INTO search_index (rowid, title, body, scope, kind, ref_id, workspace_id, author_id, created_at, updated_at, archived)
                    SELECT id, title, body, scope, kind, ref_id, workspace_id, author_id, created_at, updated_at, archived
                    FROM search_documents WHERE id = NEW.id;
                END;
                CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents WHEN OLD.scope IS NOT NULL BEGIN
                    INSERT INTO search_index (search_index, rowid, title, body, scope, kind, ref_id, workspace_id, author_id, created_at, updated_at, archived)
                    VALUES ('delete', OLD.id, OLD.title, OLD.body, OLD.scope, OLD.kind, OLD.ref_id, OLD.workspace_id, OLD.author_id, OLD.created_at, OLD.updated_at, OLD.archived);
                    UPDATE search_documents SET scope = \(workspaceAwareScope("NEW")) WHERE id = NEW.id;
                    INSERT INTO search_index (rowid, title, body, scope, kind, ref_id, workspace_id, author_id, created_at, updated_at, archived)
                    SELECT id, title, body, scope, kind, ref_id, workspace_id, author_id, created_at, updated_at, archived
                    FROM search_documents WHERE id = NEW.id;
                END;

                CREATE TRIGGER search_workspaces_ai AFTER INSERT ON workspaces BEGIN
                    INSERT INTO search_documents (kind, ref_id, workspace_id, author_id, title, body, created_at, updated_at)
                    VALUES ('workspace', NEW.id, NEW.id, NEW.created_by, \(clean("NEW.name")), \(clean("NEW.description")), NEW.created_at, NEW.created_at);
                END;
                CREATE TRIGGER search_workspaces_au AFTER UPDATE OF name, description ON workspaces
                WHEN OLD.name IS NOT NEW.name OR OLD.description IS NOT NEW.description BEGIN
                    UPDATE search_documents SET title = \(clean("NEW.name")), body = \(clean("NEW.description"))
                    WHERE kind = 'workspace' AND ref_id = NEW.id;
                END;
                CREATE TRIGGER search_workspaces_ad AFTER DELETE ON workspaces BEGIN
                    DELETE FROM search_documents WHERE kind = 'workspace' AND ref_id = OLD.id;
                END;

                INSERT INTO search_documents (kind, ref_id, workspace_id, author_id, title, body, created_at, updated_at)
                SELECT 'workspace', w.id, w.id, w.created_by, \(clean("w.name")), \(clean("w.description")), w.created_at, w.created_at
                FROM workspaces w ORDER BY w.created_at;
                """)
        }
    }

    /// v9's scope, with a workspace's own document: `w<id>`, `org` unless secret, `space`.
    static func workspaceAwareScope(_ row: String) -> String {
        """
        (CASE WHEN \(row).kind = 'workspace'
              THEN 'w' || replace(\(row).workspace_id, '-', '')
                   || coalesce((SELECT CASE WHEN w.visibility <> 'secret' THEN ' org' ELSE '' END FROM workspaces w WHERE w.id = \(row).workspace_id), '')
                   || ' space'
              ELSE \(scope(row)) END)
        """
    }
}
