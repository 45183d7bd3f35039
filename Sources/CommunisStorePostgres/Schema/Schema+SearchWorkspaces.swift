extension PostgresSchema {
    /// Workspaces are findable (SQLite's v13): name as title, description as text, by their
    /// members and by every employee unless secret (open and closed workspaces are listed to
    /// join): scope words `#scope w<id>` and `#scope org` unless secret; `#kind workspace`
    /// keeps them apart from the content of a search. A change of visibility already touches
    /// every document of the workspace (`search_scope_workspaces`), its own included.
    static let searchWorkspaces: [String] = [
        "ALTER TABLE search_documents DROP CONSTRAINT search_documents_kind_check",
        """
        ALTER TABLE search_documents ADD CONSTRAINT search_documents_kind_check
        CHECK (kind IN ('thread', 'post', 'blog', 'person', 'article', 'recording', 'chapter', 'workspace'))
        """,
        """
        CREATE OR REPLACE FUNCTION search_documents_index() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            visibility text;
            words text[];
        BEGIN
            IF NEW.kind = 'workspace' THEN
                words := ARRAY['#scope w' || NEW.workspace_id::text];
                SELECT w.visibility INTO visibility FROM workspaces w WHERE w.id = NEW.workspace_id;
                IF visibility <> 'secret' THEN
                    words := words || '#scope org'::text;
                END IF;
            ELSIF NEW.workspace_id IS NULL THEN
                words := ARRAY[CASE NEW.kind WHEN 'person' THEN '#scope people' ELSE '#scope org' END];
            ELSE
                words := ARRAY['#scope w' || NEW.workspace_id::text];
                SELECT w.visibility INTO visibility FROM workspaces w WHERE w.id = NEW.workspace_id;
                IF visibility = 'open' AND NEW.kind <> 'article' THEN
                    words := words || '#scope open'::text;
                END IF;
                IF visibility <> 'secret' AND NEW.kind IN ('recording', 'chapter') AND EXISTS (
                    SELECT 1 FROM recordings r
                    WHERE r.id = CASE NEW.kind WHEN 'chapter' THEN NEW.parent_id ELSE NEW.ref_id::uuid END
                      AND r.shared_with_organisation) THEN
                    words := words || '#scope org'::text;
                END IF;
            END IF;
            IF NEW.archived THEN
                words := words || '#scope archived'::text;
            END IF;
            IF TG_OP = 'UPDATE' AND NEW.title = OLD.title AND NEW.body = OLD.body THEN
                NEW.document := ts_delete(OLD.document, OLD.scope) || array_to_tsvector(words);
            ELSE
                NEW.document := setweight(search_vector(NEW.title), 'A') || setweight(search_vector(NEW.body), 'D')
                    || array_to_tsvector(words || ('#kind ' || NEW.kind));
            END IF;
            NEW.scope := words;
            RETURN NEW;
        END
        $$
        """,
        """
        CREATE FUNCTION search_workspaces() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO search_documents (kind, ref_id, workspace_id, author_id, title, body, created_at, updated_at)
                VALUES ('workspace', NEW.id::text, NEW.id, NEW.created_by, search_clean(NEW.name), search_clean(NEW.description),
                        NEW.created_at, NEW.created_at);
            ELSIF TG_OP = 'UPDATE' THEN
                UPDATE search_documents SET title = search_clean(NEW.name), body = search_clean(NEW.description)
                WHERE kind = 'workspace' AND ref_id = NEW.id::text;
            ELSE
                DELETE FROM search_documents WHERE kind = 'workspace' AND ref_id = OLD.id::text;
            END IF;
            RETURN NULL;
        END
        $$
        """,
        "CREATE TRIGGER search_workspaces_insert AFTER INSERT ON workspaces FOR EACH ROW EXECUTE FUNCTION search_workspaces()",
        """
        CREATE TRIGGER search_workspaces_update AFTER UPDATE OF name, description ON workspaces
        FOR EACH ROW WHEN ((OLD.name, OLD.description) IS DISTINCT FROM (NEW.name, NEW.description)) EXECUTE FUNCTION search_workspaces()
        """,
        "CREATE TRIGGER search_workspaces_delete AFTER DELETE ON workspaces FOR EACH ROW EXECUTE FUNCTION search_workspaces()",
        """
        INSERT INTO search_documents (kind, ref_id, workspace_id, author_id, title, body, created_at, updated_at)
        SELECT 'workspace', w.id::text, w.id, w.created_by, search_clean(w.name), search_clean(w.description), w.created_at, w.created_at
        FROM workspaces w ORDER BY w.created_at
        """,
    ]
}
