import GRDB

extension Schema {
    /// v5: the knowledge bank (how-to articles and their revisions).
    static func registerKnowledgeBank(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v5-knowledge-bank") { db in
            // An article goes with its workspace; `workspace_id` NULL is organisation-wide.
            // `owner_id`, `updated_by` and a revision's `author_id` have no foreign key: the
            // record of who wrote what stays when an account is removed (as a thread's author).
            // Lists (tags, audience, recordings) are JSON arrays; the `_key` columns hold the
            // lower-cased forms that the filters compare (json_each). `review_by` is a calendar
            // day `YYYY-MM-DD`, so text comparison is date order. Every revision holds the whole
            // content of that save; `revision` on the article is its latest number.
            try db.execute(sql: """
                CREATE TABLE how_tos (
                    id                       TEXT PRIMARY KEY NOT NULL,
                    workspace_id             TEXT REFERENCES workspaces (id) ON DELETE CASCADE,
                    owner_id                 TEXT NOT NULL,
                    status                   TEXT NOT NULL CHECK (status IN ('current', 'archived')),
                    revision                 INTEGER NOT NULL CHECK (revision >= 1),
                    title                    TEXT NOT NULL,
                    summary                  TEXT NOT NULL,
                    body                     TEXT NOT NULL,
                    tags                     TEXT NOT NULL,
                    tags_key                 TEXT NOT NULL,
                    audience_departments     TEXT NOT NULL,
                    audience_departments_key TEXT NOT NULL,
                    audience_roles           TEXT NOT NULL,
                    review_by                TEXT,
                    recordings               TEXT NOT NULL,
                    created_at               REAL NOT NULL,
                    updated_at               REAL NOT NULL,
                    updated_by               TEXT NOT NULL
                ) STRICT;
                CREATE INDEX how_tos_workspace ON how_tos (workspace_id, updated_at);
                CREATE INDEX how_tos_owner_review ON how_tos (owner_id, review_by);
                CREATE INDEX how_tos_updated ON how_tos (updated_at);

                CREATE TABLE how_to_revisions (
                    how_to_id            TEXT NOT NULL REFERENCES how_tos (id) ON DELETE CASCADE,
                    number               INTEGER NOT NULL CHECK (number >= 1),
                    title                TEXT NOT NULL,
                    summary              TEXT NOT NULL,
                    body                 TEXT NOT NULL,
                    tags                 TEXT NOT NULL,
                    audience_departments TEXT NOT NULL,
                    audience_roles       TEXT NOT NULL,
                    review_by            TEXT,
                    recordings           TEXT NOT NULL,
                    author_id            TEXT NOT NULL,
                    created_at           REAL NOT NULL,
                    restored_from        INTEGER,
                    PRIMARY KEY (how_to_id, number)
                ) STRICT, WITHOUT ROWID;
                """)
        }
    }
}
