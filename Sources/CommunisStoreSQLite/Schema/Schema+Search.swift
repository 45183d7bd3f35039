import GRDB

extension Schema {
    /// v6: full-text search (FTS5) over everything people can find.
    ///
    /// `search_documents` holds one row per findable thing: `kind` says what it is ('thread',
    /// 'post', 'blog', 'person'; 'article' and 'recording' / 'chapter' later, with their own
    /// triggers in a later migration), `ref_id` its id, `parent_id` the thread of a post,
    /// `workspace_id` NULL for personal blog posts and people (readable by employees only),
    /// `archived` for knowledge-bank articles. It is the external content of the FTS5 table
    /// `search_index` (columns `title`, `body`; the rest UNINDEXED), so text is stored once.
    ///
    /// Tokenizer `unicode61 remove_diacritics 2`: case-folded, and å/ä/ö fold to a/a/o, so
    /// "hogskola" finds "högskola" and the other way round (people type without the Swedish
    /// keyboard on phones and in other countries). The price: "får" and "far" are the same
    /// word to search. `prefix='2 3'` keeps prefix queries for the word being typed cheap.
    ///
    /// Triggers on the source tables keep the documents in step with every create, edit and
    /// delete (a soft-deleted post leaves the index; a draft blog post never enters it; a
    /// person enters only while an active employee: the directory lists nobody else), and
    /// triggers on `search_documents` keep the FTS index in step with it. The private-use
    /// characters U+E000/U+E001 mark matches in snippets, so they are removed from the text.
    static func registerSearch(_ migrator: inout DatabaseMigrator) {
        defer { registerSearchArticles(&migrator) }
        migrator.registerMigration("v6-search") { db in
            try db.execute(sql: """
                CREATE TABLE search_documents (
                    id           INTEGER PRIMARY KEY,
                    kind         TEXT NOT NULL,
                    ref_id       TEXT NOT NULL,
                    parent_id    TEXT,
                    workspace_id TEXT,
                    author_id    TEXT,
                    title        TEXT NOT NULL,
                    body         TEXT NOT NULL,
                    created_at   REAL NOT NULL,
                    updated_at   REAL NOT NULL,
                    archived     INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
                    UNIQUE (kind, ref_id)
                ) STRICT;
                CREATE INDEX search_documents_workspace ON search_documents (workspace_id);
                CREATE INDEX search_documents_parent ON search_documents (parent_id) WHERE parent_id IS NOT NULL;

                CREATE VIRTUAL TABLE search_index USING fts5 (
                    title, body,
                    kind UNINDEXED, ref_id UNINDEXED, workspace_id UNINDEXED, author_id UNINDEXED,
                    created_at UNINDEXED, updated_at UNINDEXED, archived UNINDEXED,
                    content = 'search_documents', content_rowid = 'id',
                    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
                );

                CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN
                    INSERT INTO search_index (rowid, title, body, kind, ref_id, workspace_id, author_id, created_at, updated_at, archived)
                    VALUES (NEW.id, NEW.title, NEW.body, NEW.kind, NEW.ref_id, NEW.workspace_id, NEW.author_id, NEW.created_at, NEW.updated_at, NEW.archived);
                END;
                CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN
                    INSERT INTO search_index (search_index, rowid, title, body, kind, ref_id, workspace_id, author_id, created_at, updated_at, archived)
                    VALUES ('delete', OLD.id, OLD.title, OLD.body, OLD.kind, OLD.ref_id, OLD.workspace_id, OLD.author_id, OLD.created_at, OLD.updated_at, OLD.archived);
                END;
                CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN
                    INSERT INTO search_index (search_index, rowid, title, body, kind, ref_id, workspace_id, author_id, created_at, updated_at, archived)
                    VALUES ('delete', OLD.id, OLD.title, OLD.body, OLD.kind, OLD.ref_id, OLD.workspace_id, OLD.author_id, OLD.created_at, OLD.updated_at, OLD.archived);
                    INSERT INTO search_index (rowid, title, body, kind, ref_id, workspace_id, author_id, created_at, updated_at, archived)
                    VALUES (NEW.id, NEW.title, NEW.body, NEW.kind, NEW.ref_id, NEW.workspace_id, NEW.author_id, NEW.created_at, NEW.updated_at, NEW.archived);
                END;
                """)

            // Discussions: a thread by its title, each post by its text (blog comment
            // threads are not discussions and stay out).
            try db.execute(sql: """
                CREATE TRIGGER search_threads_ai AFTER INSERT ON threads WHEN NEW.kind = 'discussion' BEGIN
                    INSERT INTO search_documents (kind, ref_id, workspace_id, author_id, title, body, created_at, updated_at)
                    VALUES ('thread', NEW.id, NEW.workspace_id, NEW.author_id, \(clean("NEW.title")), '', NEW.created_at, NEW.created_at);
                END;
                CREATE TRIGGER search_threads_au AFTER UPDATE OF title ON threads WHEN NEW.kind = 'discussion' BEGIN
                    UPDATE search_documents SET title = \(clean("NEW.title")) WHERE kind = 'thread' AND ref_id = NEW.id;
                END;
                CREATE TRIGGER search_threads_ad AFTER DELETE ON threads BEGIN
                    DELETE FROM search_documents WHERE kind = 'thread' AND ref_id = OLD.id;
                    DELETE FROM search_documents WHERE kind = 'post' AND parent_id = OLD.id;
                END;

                CREATE TRIGGER search_posts_ai AFTER INSERT ON posts
                WHEN NEW.deleted_at IS NULL AND (SELECT kind FROM threads WHERE id = NEW.thread_id) = 'discussion' BEGIN
                    INSERT INTO search_documents (kind, ref_id, parent_id, workspace_id, author_id, title, body, created_at, updated_at)
                    VALUES ('post', NEW.id, NEW.thread_id, NEW.workspace_id, NEW.author_id, '', \(clean("NEW.body")), NEW.created_at, coalesce(NEW.edited_at, NEW.created_at));
                END;
                CREATE TRIGGER search_posts_au AFTER UPDATE OF body, edited_at, deleted_at ON posts BEGIN
                    DELETE FROM search_documents WHERE kind = 'post' AND ref_id = NEW.id AND NEW.deleted_at IS NOT NULL;
                    UPDATE search_documents SET body = \(clean("NEW.body")), updated_at = coalesce(NEW.edited_at, NEW.created_at)
                    WHERE kind = 'post' AND ref_id = NEW.id AND NEW.deleted_at IS NULL;
                END;
                CREATE TRIGGER search_posts_ad AFTER DELETE ON posts BEGIN
                    DELETE FROM search_documents WHERE kind = 'post' AND ref_id = OLD.id;
                END;
                """)

            // Blog posts: published ones only (workspace_id NULL: a personal blog).
            try db.execute(sql: """
                CREATE TRIGGER search_blog_posts_ai AFTER INSERT ON blog_posts WHEN NEW.status = 'published' BEGIN
                    INSERT INTO search_documents (kind, ref_id, workspace_id, author_id, title, body, created_at, updated_at)
                    VALUES ('blog', NEW.id, NEW.workspace_id, NEW.author_id, \(clean("NEW.title")), \(clean("NEW.body")),
                            coalesce(NEW.published_at, NEW.created_at), NEW.updated_at);
                END;
                CREATE TRIGGER search_blog_posts_au AFTER UPDATE ON blog_posts BEGIN
                    DELETE FROM search_documents WHERE kind = 'blog' AND ref_id = NEW.id AND NEW.status <> 'published';
                    UPDATE search_documents SET title = \(clean("NEW.title")), body = \(clean("NEW.body")), updated_at = NEW.updated_at
                    WHERE kind = 'blog' AND ref_id = NEW.id AND NEW.status = 'published';
                    INSERT INTO search_documents (kind, ref_id, workspace_id, author_id, title, body, created_at, updated_at)
                    SELECT 'blog', NEW.id, NEW.workspace_id, NEW.author_id, \(clean("NEW.title")), \(clean("NEW.body")),
                           coalesce(NEW.published_at, NEW.created_at), NEW.updated_at
                    WHERE NEW.status = 'published' AND NOT EXISTS (SELECT 1 FROM search_documents WHERE kind = 'blog' AND ref_id = NEW.id);
                END;
                CREATE TRIGGER search_blog_posts_ad AFTER DELETE ON blog_posts BEGIN
                    DELETE FROM search_documents WHERE kind = 'blog' AND ref_id = OLD.id;
                END;
                """)

            // People: name as title; job title, department and competences as text. Only
            // active employees (the directory's rule); a change of role or a disabled account
            // takes the person out.
            try db.execute(sql: """
                CREATE TRIGGER search_people_ai AFTER INSERT ON people WHEN NEW.role <> 'guest' AND NEW.disabled = 0 BEGIN
                    INSERT INTO search_documents (kind, ref_id, author_id, title, body, created_at, updated_at)
                    VALUES ('person', NEW.id, NEW.id, \(clean("NEW.name")), \(personBody("NEW")), NEW.created_at, NEW.created_at);
                END;
                CREATE TRIGGER search_people_au AFTER UPDATE OF name, role, title, department, disabled ON people BEGIN
                    DELETE FROM search_documents WHERE kind = 'person' AND ref_id = NEW.id AND (NEW.role = 'guest' OR NEW.disabled <> 0);
                    UPDATE search_documents SET title = \(clean("NEW.name")), body = \(personBody("NEW"))
                    WHERE kind = 'person' AND ref_id = NEW.id AND NEW.role <> 'guest' AND NEW.disabled = 0;
                    INSERT INTO search_documents (kind, ref_id, author_id, title, body, created_at, updated_at)
                    SELECT 'person', NEW.id, NEW.id, \(clean("NEW.name")), \(personBody("NEW")), NEW.created_at, NEW.created_at
                    WHERE NEW.role <> 'guest' AND NEW.disabled = 0
                      AND NOT EXISTS (SELECT 1 FROM search_documents WHERE kind = 'person' AND ref_id = NEW.id);
                END;
                CREATE TRIGGER search_people_ad AFTER DELETE ON people BEGIN
                    DELETE FROM search_documents WHERE kind = 'person' AND ref_id = OLD.id;
                END;
                CREATE TRIGGER search_competences_ai AFTER INSERT ON person_competences BEGIN
                    UPDATE search_documents SET body = (SELECT \(personBody("p")) FROM people p WHERE p.id = NEW.person_id)
                    WHERE kind = 'person' AND ref_id = NEW.person_id;
                END;
                CREATE TRIGGER search_competences_ad AFTER DELETE ON person_competences BEGIN
                    UPDATE search_documents SET body = (SELECT \(personBody("p")) FROM people p WHERE p.id = OLD.person_id)
                    WHERE kind = 'person' AND ref_id = OLD.person_id AND EXISTS (SELECT 1 FROM people WHERE id = OLD.person_id);
                END;
                """)

            // Backfill, oldest first so that a document's id follows time as new ones will.
            try db.execute(sql: """
                INSERT INTO search_documents (kind, ref_id, author_id, title, body, created_at, updated_at)
                SELECT 'person', p.id, p.id, \(clean("p.name")), \(personBody("p")), p.created_at, p.created_at
                FROM people p WHERE p.role <> 'guest' AND p.disabled = 0 ORDER BY p.created_at;

                INSERT INTO search_documents (kind, ref_id, parent_id, workspace_id, author_id, title, body, created_at, updated_at)
                SELECT kind, ref_id, parent_id, workspace_id, author_id, title, body, created_at, updated_at FROM (
                    SELECT 'thread' AS kind, t.id AS ref_id, NULL AS parent_id, t.workspace_id, t.author_id,
                           \(clean("t.title")) AS title, '' AS body, t.created_at, t.created_at AS updated_at
                    FROM threads t WHERE t.kind = 'discussion'
                    UNION ALL
                    SELECT 'post', p.id, p.thread_id, p.workspace_id, p.author_id, '', \(clean("p.body")),
                           p.created_at, coalesce(p.edited_at, p.created_at)
                    FROM posts p JOIN threads t ON t.id = p.thread_id
                    WHERE p.deleted_at IS NULL AND t.kind = 'discussion'
                    UNION ALL
                    SELECT 'blog', b.id, NULL, b.workspace_id, b.author_id, \(clean("b.title")), \(clean("b.body")),
                           coalesce(b.published_at, b.created_at), b.updated_at
                    FROM blog_posts b WHERE b.status = 'published'
                ) ORDER BY created_at;
                """)
        }
    }

    /// v6b: knowledge-bank articles (v5 `how_tos`) in the index: title; summary, steps and tags
    /// as text; `archived` from the status; the owner as author. Readable as the articles are
    /// (`HowToPolicy.canRead`: a workspace's articles by its members only — also in open
    /// workspaces — organisation-wide ones by employees); the store's filter knows the kind.
    static func registerSearchArticles(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6b-search-articles") { db in
            let body = clean("(NEW.summary || ' ' || NEW.body || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_each(NEW.tags)), ''))")
            try db.execute(sql: """
                CREATE TRIGGER search_how_tos_ai AFTER INSERT ON how_tos BEGIN
                    INSERT INTO search_documents (kind, ref_id, workspace_id, author_id, title, body, created_at, updated_at, archived)
                    VALUES ('article', NEW.id, NEW.workspace_id, NEW.owner_id, \(clean("NEW.title")), \(body),
                            NEW.created_at, NEW.updated_at, NEW.status = 'archived');
                END;
                CREATE TRIGGER search_how_tos_au AFTER UPDATE ON how_tos BEGIN
                    UPDATE search_documents SET workspace_id = NEW.workspace_id, author_id = NEW.owner_id, title = \(clean("NEW.title")),
                        body = \(body), updated_at = NEW.updated_at, archived = NEW.status = 'archived'
                    WHERE kind = 'article' AND ref_id = NEW.id;
                END;
                CREATE TRIGGER search_how_tos_ad AFTER DELETE ON how_tos BEGIN
                    DELETE FROM search_documents WHERE kind = 'article' AND ref_id = OLD.id;
                END;
                """)
            try db.execute(sql: """
                INSERT INTO search_documents (kind, ref_id, workspace_id, author_id, title, body, created_at, updated_at, archived)
                SELECT 'article', h.id, h.workspace_id, h.owner_id, \(clean("h.title")),
                       \(clean("(h.summary || ' ' || h.body || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_each(h.tags)), ''))")),
                       h.created_at, h.updated_at, h.status = 'archived'
                FROM how_tos h ORDER BY h.created_at;
                """)
        }
    }

    /// SQL that removes the snippet marker characters (U+E000, U+E001) from `column`.
    static func clean(_ column: String) -> String {
        "replace(replace(\(column), char(57344), ''), char(57345), '')"
    }

    /// The searchable text of a person row aliased `row`: title, department, competences.
    static func personBody(_ row: String) -> String {
        let competences = "coalesce((SELECT group_concat(c.name, ', ') FROM person_competences c WHERE c.person_id = \(row).id), '')"
        return clean("(\(row).title || ' ' || \(row).department || ' ' || \(competences))")
    }
}
