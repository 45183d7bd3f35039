extension PostgresSchema {
    /// Full-text search (SQLite's v6, v6b, v7's search triggers and v9 in one migration, the
    /// last: its triggers sit on the other areas' tables).
    ///
    /// `search_documents` holds one row per findable thing, as in SQLite: `kind` ('thread',
    /// 'post', 'blog', 'person', 'article', 'recording', 'chapter'), `ref_id` its id (a
    /// chapter's is "<recording>#<index>"), `parent_id` the thread of a post or the recording
    /// of a chapter, `workspace_id` NULL for personal blog posts, organisation-wide articles and
    /// people, `offset_ms` where a chapter starts. `id` (an identity) is the order documents
    /// were indexed in, which is what "newest" means, as SQLite's rowid.
    ///
    /// `document` is the one `tsvector` the GIN index holds: the title's words (weight A), the
    /// body's (weight D), and the permission and kind words of `scope` (SQLite v9), which
    /// begin with `#` and contain a space, so no typed word equals one and no typed prefix
    /// (letters and digits only, `'scope':*`) matches one:
    /// - `#scope w<workspace id>` for everything of a workspace (its members read it);
    /// - `#scope open` as well when the workspace is open, except knowledge-bank articles,
    ///   which stay with members (`WorkspacePolicy.canRead`, `HowToPolicy.canRead`);
    /// - `#scope org` for what every employee reads: content of no workspace, and recordings
    ///   and chapters shared with the organisation unless their workspace is secret;
    /// - `#scope people` for people; `#scope archived` for an archived article;
    /// - `#kind <kind>`, so a search for one kind intersects posting lists too.
    /// A search asks for `words & (#scope w… | #scope open | …) & !#scope archived` in one
    /// `@@`, so the index intersects what was typed with what the reader may read and no
    /// unreadable row is ever fetched, ranked, counted or shown.
    ///
    /// Words: the text search configuration `communis_search` is `simple` with `unaccent` in
    /// front — lower case, å/ä/ö and other diacritics folded ("hogskola" finds "högskola"),
    /// no stemming, no stop words. Not `swedish`: its stemmer and stop list hurt more than
    /// they help here. Its stop words ("och", "att", "man", "vid", "under" …) could never be
    /// found, and a search of only such words would find nothing. The last word is matched
    /// as a prefix (the word being typed), which already finds the inflected forms stemming
    /// would ("budget" finds "budgeten", "budgetar"); stemming the half-typed word breaks
    /// that ("bollarn" stems to itself, while "bollarna" is indexed as "boll"). And SQLite's
    /// `unicode61 remove_diacritics 2` does exactly this folding, so both engines find the
    /// same things. Compound words are not split (neither engine does): "sköterska" does
    /// not find "skolsköterska", "skol" does.
    ///
    /// Text is cut into words as SQLite's tokenizer does (letters and digits; everything else
    /// separates): `search_vector` composes it (NFC), replaces every run of other characters
    /// by a space under the ICU collation `communis_letters` (so `[[:alnum:]]` is Unicode
    /// whatever the database's locale), then parses. Without that, PostgreSQL's parser keeps
    /// "Procapita/Treserva", "www.katrineholm.se" or "1.5" as single tokens that no typed word
    /// would match.
    ///
    /// Triggers keep the documents in step in the same transaction as every create, edit and
    /// delete of the source rows; a trigger on `search_documents` recomputes `scope` and
    /// `document` on every insert and update, and a change of a workspace's visibility or a
    /// recording's sharing touches its documents so that it does. The snippet markers U+E000
    /// and U+E001 are removed from the stored text.
    ///
    /// No backfill: this migration runs right after the tables it watches were created, on a
    /// new database, so there is nothing to copy.
    static let search: [String] = [
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        "CREATE TEXT SEARCH CONFIGURATION communis_search (COPY = simple)",
        """
        ALTER TEXT SEARCH CONFIGURATION communis_search
            ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part, numword, numhword, hword_numpart
            WITH unaccent, simple
        """,
        // Deterministic (regular expressions refuse nondeterministic collations); ICU, so that
        // [[:alnum:]] knows every letter whatever the database's own locale.
        "CREATE COLLATION IF NOT EXISTS communis_letters (provider = icu, locale = 'und')",
        """
        CREATE FUNCTION search_clean(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN translate($1, U&'\\E000\\E001', '')
        """,
        """
        CREATE FUNCTION search_vector(text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN to_tsvector('communis_search', regexp_replace(normalize($1, NFC) COLLATE communis_letters, '[^[:alnum:]]+', ' ', 'g'))
        """,
        """
        CREATE TABLE search_documents (
            id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            kind         text NOT NULL CHECK (kind IN ('thread', 'post', 'blog', 'person', 'article', 'recording', 'chapter')),
            ref_id       text NOT NULL,
            parent_id    uuid,
            workspace_id uuid,
            author_id    uuid,
            title        text NOT NULL,
            body         text NOT NULL,
            offset_ms    bigint,
            created_at   timestamptz NOT NULL,
            updated_at   timestamptz NOT NULL,
            archived     boolean NOT NULL DEFAULT false,
            scope        text[] NOT NULL DEFAULT '{}',
            document     tsvector NOT NULL DEFAULT '',
            UNIQUE (kind, ref_id)
        )
        """,
        "CREATE INDEX search_documents_document ON search_documents USING gin (document)",
        "CREATE INDEX search_documents_workspace ON search_documents (workspace_id)",
        "CREATE INDEX search_documents_parent ON search_documents (parent_id) WHERE parent_id IS NOT NULL",
        "CREATE INDEX search_documents_author ON search_documents (author_id, id)",
        "CREATE INDEX search_documents_created ON search_documents (created_at, id)",
        // The scope from the current state of the workspace and the recording; the words
        // again only when the text changed (a visibility change re-scopes many rows).
        """
        CREATE FUNCTION search_documents_index() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            visibility text;
            words text[];
        BEGIN
            IF NEW.workspace_id IS NULL THEN
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
        CREATE TRIGGER search_documents_index BEFORE INSERT OR UPDATE ON search_documents
        FOR EACH ROW EXECUTE FUNCTION search_documents_index()
        """,
    ] + searchSources + searchScopeChanges
}
