extension PostgresSchema {
    /// The triggers of the `search` migration on the other areas' tables: each keeps the
    /// documents of its kind in step with the rows, in the same transaction (SQLite's v6, v6b
    /// and v7 triggers, with the same rules):
    /// - discussion threads by title, and their posts by text (a blog's comment thread is not a
    ///   discussion); a soft-deleted post leaves the index;
    /// - blog posts once published (a draft never enters);
    /// - people while they are active employees (the directory lists nobody else): name as
    ///   title; job title, department and competences as text;
    /// - knowledge-bank articles: title; summary, steps and tags as text; archived from the
    ///   status; the owner as author;
    /// - complete recordings (title; chapter titles as text) and one document per chapter;
    ///   a running or failed recording is not findable.
    /// Updates fire only when a column the index reads really changed (`IS DISTINCT FROM`):
    /// the stores rewrite whole rows, and re-indexing an unchanged row would only cost.
    static let searchSources: [String] = [
        """
        CREATE FUNCTION search_threads() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO search_documents (kind, ref_id, workspace_id, author_id, title, body, created_at, updated_at)
                VALUES ('thread', NEW.id::text, NEW.workspace_id, NEW.author_id, search_clean(NEW.title), '', NEW.created_at, NEW.created_at);
            ELSIF TG_OP = 'UPDATE' THEN
                UPDATE search_documents SET title = search_clean(NEW.title) WHERE kind = 'thread' AND ref_id = NEW.id::text;
            ELSE
                DELETE FROM search_documents WHERE kind = 'thread' AND ref_id = OLD.id::text;
                DELETE FROM search_documents WHERE kind = 'post' AND parent_id = OLD.id;
            END IF;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER search_threads_insert AFTER INSERT ON threads
        FOR EACH ROW WHEN (NEW.kind = 'discussion') EXECUTE FUNCTION search_threads()
        """,
        """
        CREATE TRIGGER search_threads_update AFTER UPDATE OF title ON threads
        FOR EACH ROW WHEN (NEW.kind = 'discussion' AND OLD.title IS DISTINCT FROM NEW.title) EXECUTE FUNCTION search_threads()
        """,
        "CREATE TRIGGER search_threads_delete AFTER DELETE ON threads FOR EACH ROW EXECUTE FUNCTION search_threads()",

        """
        CREATE FUNCTION search_posts() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' OR NEW.deleted_at IS NOT NULL THEN
                DELETE FROM search_documents WHERE kind = 'post' AND ref_id = coalesce(NEW.id, OLD.id)::text;
            ELSIF TG_OP = 'UPDATE' THEN
                UPDATE search_documents SET body = search_clean(NEW.body), updated_at = coalesce(NEW.edited_at, NEW.created_at)
                WHERE kind = 'post' AND ref_id = NEW.id::text;
            ELSIF EXISTS (SELECT 1 FROM threads t WHERE t.id = NEW.thread_id AND t.kind = 'discussion') THEN
                INSERT INTO search_documents (kind, ref_id, parent_id, workspace_id, author_id, title, body, created_at, updated_at)
                VALUES ('post', NEW.id::text, NEW.thread_id, NEW.workspace_id, NEW.author_id, '', search_clean(NEW.body),
                        NEW.created_at, coalesce(NEW.edited_at, NEW.created_at));
            END IF;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER search_posts_insert AFTER INSERT ON posts
        FOR EACH ROW WHEN (NEW.deleted_at IS NULL) EXECUTE FUNCTION search_posts()
        """,
        """
        CREATE TRIGGER search_posts_update AFTER UPDATE OF body, edited_at, deleted_at ON posts
        FOR EACH ROW WHEN ((OLD.body, OLD.edited_at, OLD.deleted_at) IS DISTINCT FROM (NEW.body, NEW.edited_at, NEW.deleted_at))
        EXECUTE FUNCTION search_posts()
        """,
        "CREATE TRIGGER search_posts_delete AFTER DELETE ON posts FOR EACH ROW EXECUTE FUNCTION search_posts()",

        // As SQLite: an edit of a published post changes its text, not its date or place.
        """
        CREATE FUNCTION search_blog_posts() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' OR NEW.status <> 'published' THEN
                DELETE FROM search_documents WHERE kind = 'blog' AND ref_id = coalesce(NEW.id, OLD.id)::text;
                RETURN NULL;
            END IF;
            UPDATE search_documents SET title = search_clean(NEW.title), body = search_clean(NEW.body), updated_at = NEW.updated_at
            WHERE kind = 'blog' AND ref_id = NEW.id::text;
            IF NOT FOUND THEN
                INSERT INTO search_documents (kind, ref_id, workspace_id, author_id, title, body, created_at, updated_at)
                VALUES ('blog', NEW.id::text, NEW.workspace_id, NEW.author_id, search_clean(NEW.title), search_clean(NEW.body),
                        coalesce(NEW.published_at, NEW.created_at), NEW.updated_at);
            END IF;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER search_blog_posts_insert AFTER INSERT ON blog_posts
        FOR EACH ROW WHEN (NEW.status = 'published') EXECUTE FUNCTION search_blog_posts()
        """,
        """
        CREATE TRIGGER search_blog_posts_update AFTER UPDATE ON blog_posts
        FOR EACH ROW WHEN ((OLD.status, OLD.title, OLD.body, OLD.updated_at) IS DISTINCT FROM (NEW.status, NEW.title, NEW.body, NEW.updated_at))
        EXECUTE FUNCTION search_blog_posts()
        """,
        "CREATE TRIGGER search_blog_posts_delete AFTER DELETE ON blog_posts FOR EACH ROW EXECUTE FUNCTION search_blog_posts()",

        // A person's searchable text: job title, department, competences in their order.
        """
        CREATE FUNCTION search_person_body(who uuid, job text, unit text) RETURNS text LANGUAGE sql STABLE
        RETURN search_clean(job || ' ' || unit || ' ' || coalesce(
            (SELECT string_agg(c.name, ', ' ORDER BY c.ordinal) FROM person_competences c WHERE c.person_id = who), ''))
        """,
        """
        CREATE FUNCTION search_people() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' OR NEW.role = 'guest' OR NEW.disabled THEN
                DELETE FROM search_documents WHERE kind = 'person' AND ref_id = coalesce(NEW.id, OLD.id)::text;
                RETURN NULL;
            END IF;
            UPDATE search_documents SET title = search_clean(NEW.name), body = search_person_body(NEW.id, NEW.title, NEW.department)
            WHERE kind = 'person' AND ref_id = NEW.id::text;
            IF NOT FOUND THEN
                INSERT INTO search_documents (kind, ref_id, author_id, title, body, created_at, updated_at)
                VALUES ('person', NEW.id::text, NEW.id, search_clean(NEW.name), search_person_body(NEW.id, NEW.title, NEW.department),
                        NEW.created_at, NEW.created_at);
            END IF;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER search_people_insert AFTER INSERT ON people
        FOR EACH ROW WHEN (NEW.role <> 'guest' AND NOT NEW.disabled) EXECUTE FUNCTION search_people()
        """,
        """
        CREATE TRIGGER search_people_update AFTER UPDATE OF name, role, title, department, disabled ON people
        FOR EACH ROW WHEN ((OLD.name, OLD.role, OLD.title, OLD.department, OLD.disabled)
                           IS DISTINCT FROM (NEW.name, NEW.role, NEW.title, NEW.department, NEW.disabled))
        EXECUTE FUNCTION search_people()
        """,
        "CREATE TRIGGER search_people_delete AFTER DELETE ON people FOR EACH ROW EXECUTE FUNCTION search_people()",
        // Per statement: replacing a person's competences is one DELETE and some INSERTs.
        """
        CREATE FUNCTION search_competences() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE search_documents d SET body = search_person_body(p.id, p.title, p.department)
            FROM people p
            WHERE p.id IN (SELECT person_id FROM changed) AND d.kind = 'person' AND d.ref_id = p.id::text;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER search_competences_insert AFTER INSERT ON person_competences
        REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_competences()
        """,
        """
        CREATE TRIGGER search_competences_update AFTER UPDATE ON person_competences
        REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_competences()
        """,
        """
        CREATE TRIGGER search_competences_delete AFTER DELETE ON person_competences
        REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_competences()
        """,

        """
        CREATE FUNCTION search_how_tos() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM search_documents WHERE kind = 'article' AND ref_id = OLD.id::text;
            ELSIF TG_OP = 'UPDATE' THEN
                UPDATE search_documents SET workspace_id = NEW.workspace_id, author_id = NEW.owner_id, title = search_clean(NEW.title),
                    body = search_clean(NEW.summary || ' ' || NEW.body || ' ' || array_to_string(NEW.tags, ' ')),
                    updated_at = NEW.updated_at, archived = NEW.status = 'archived'
                WHERE kind = 'article' AND ref_id = NEW.id::text;
            ELSE
                INSERT INTO search_documents (kind, ref_id, workspace_id, author_id, title, body, created_at, updated_at, archived)
                VALUES ('article', NEW.id::text, NEW.workspace_id, NEW.owner_id, search_clean(NEW.title),
                        search_clean(NEW.summary || ' ' || NEW.body || ' ' || array_to_string(NEW.tags, ' ')),
                        NEW.created_at, NEW.updated_at, NEW.status = 'archived');
            END IF;
            RETURN NULL;
        END
        $$
        """,
        "CREATE TRIGGER search_how_tos_insert AFTER INSERT ON how_tos FOR EACH ROW EXECUTE FUNCTION search_how_tos()",
        """
        CREATE TRIGGER search_how_tos_update AFTER UPDATE ON how_tos
        FOR EACH ROW WHEN ((OLD.workspace_id, OLD.owner_id, OLD.title, OLD.summary, OLD.body, OLD.tags, OLD.status, OLD.updated_at)
                           IS DISTINCT FROM (NEW.workspace_id, NEW.owner_id, NEW.title, NEW.summary, NEW.body, NEW.tags, NEW.status, NEW.updated_at))
        EXECUTE FUNCTION search_how_tos()
        """,
        "CREATE TRIGGER search_how_tos_delete AFTER DELETE ON how_tos FOR EACH ROW EXECUTE FUNCTION search_how_tos()",

        // The recording and its chapters are replaced whole on every change that touches them
        // (as SQLite); a chapter's offset is kept on its document.
        """
        CREATE FUNCTION search_recordings() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            chapters text;
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                DELETE FROM search_documents WHERE kind = 'chapter' AND parent_id = OLD.id;
            END IF;
            IF TG_OP = 'DELETE' OR NEW.state <> 'complete' THEN
                DELETE FROM search_documents WHERE kind = 'recording' AND ref_id = coalesce(NEW.id, OLD.id)::text;
                RETURN NULL;
            END IF;
            chapters := coalesce((SELECT string_agg(c.value ->> 'title', ' ' ORDER BY c.n)
                                  FROM jsonb_array_elements(NEW.chapters) WITH ORDINALITY AS c (value, n)), '');
            UPDATE search_documents SET workspace_id = NEW.workspace_id, title = search_clean(NEW.title), body = search_clean(chapters),
                updated_at = coalesce(NEW.ended_at, NEW.started_at)
            WHERE kind = 'recording' AND ref_id = NEW.id::text;
            IF NOT FOUND THEN
                INSERT INTO search_documents (kind, ref_id, workspace_id, author_id, title, body, created_at, updated_at)
                VALUES ('recording', NEW.id::text, NEW.workspace_id, NEW.started_by, search_clean(NEW.title), search_clean(chapters),
                        NEW.started_at, coalesce(NEW.ended_at, NEW.started_at));
            END IF;
            INSERT INTO search_documents (kind, ref_id, parent_id, workspace_id, author_id, title, body, offset_ms, created_at, updated_at)
            SELECT 'chapter', NEW.id::text || '#' || (c.n - 1), NEW.id, NEW.workspace_id, NEW.started_by,
                   search_clean(coalesce(c.value ->> 'title', '')), '', (c.value ->> 'offsetMs')::bigint,
                   NEW.started_at, coalesce(NEW.ended_at, NEW.started_at)
            FROM jsonb_array_elements(NEW.chapters) WITH ORDINALITY AS c (value, n)
            ORDER BY c.n;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER search_recordings_insert AFTER INSERT ON recordings
        FOR EACH ROW WHEN (NEW.state = 'complete') EXECUTE FUNCTION search_recordings()
        """,
        """
        CREATE TRIGGER search_recordings_update AFTER UPDATE OF title, state, chapters, workspace_id, ended_at ON recordings
        FOR EACH ROW WHEN ((OLD.title, OLD.state, OLD.chapters, OLD.workspace_id, OLD.ended_at)
                           IS DISTINCT FROM (NEW.title, NEW.state, NEW.chapters, NEW.workspace_id, NEW.ended_at))
        EXECUTE FUNCTION search_recordings()
        """,
        "CREATE TRIGGER search_recordings_delete AFTER DELETE ON recordings FOR EACH ROW EXECUTE FUNCTION search_recordings()",
    ]

    /// Who may read a document changes with its workspace's visibility and its recording's
    /// sharing: touching the documents makes `search_documents_index` compute their scope
    /// again, in the same transaction (an open workspace turning closed re-scopes all of its
    /// documents: rare, and right at once).
    static let searchScopeChanges: [String] = [
        """
        CREATE FUNCTION search_scope_workspaces() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE search_documents SET scope = scope WHERE workspace_id = NEW.id;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER search_scope_workspaces AFTER UPDATE OF visibility ON workspaces
        FOR EACH ROW WHEN (OLD.visibility IS DISTINCT FROM NEW.visibility) EXECUTE FUNCTION search_scope_workspaces()
        """,
        """
        CREATE FUNCTION search_scope_recordings() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE search_documents SET scope = scope
            WHERE (kind = 'recording' AND ref_id = NEW.id::text) OR (kind = 'chapter' AND parent_id = NEW.id);
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER search_scope_recordings AFTER UPDATE OF shared_with_organisation ON recordings
        FOR EACH ROW WHEN (OLD.shared_with_organisation IS DISTINCT FROM NEW.shared_with_organisation)
        EXECUTE FUNCTION search_scope_recordings()
        """,
    ]
}
