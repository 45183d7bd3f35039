import GRDB

extension Schema {
    /// v17: organisations (the municipality and its companies), people's organisations, news
    /// editors, and news with their revisions, acknowledgements, comments, reactions and image.
    ///
    /// - `organisations.is_main`: at most one row (a partial unique index).
    /// - `person_organisations`: a person without a row is in the main organisation.
    /// - `news`: lists of words are JSON arrays; the `_key` columns hold the folded forms
    ///   (`Key.of`) the audience rule and the tag filter compare. `search_text` is the folded
    ///   title, introduction and body for `q`. `author_id` and `edited_by` have no foreign key:
    ///   who wrote what stays when an account is removed. `announced_at` is set once, by the
    ///   one caller that claims the item's publication (`claimAnnouncement`, `claimDueNews`);
    ///   `reminded_at` likewise for the automatic reminder before the deadline.
    /// - `news_revisions`: every save (`edit` counts them), its text and whether it was material.
    /// - `news_acknowledgements`: one per person, of the revision they acknowledged.
    static func registerNews(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v17-news") { db in
            try db.execute(sql: """
                CREATE TABLE organisations (
                    id         TEXT PRIMARY KEY NOT NULL,
                    name       TEXT NOT NULL,
                    name_key   TEXT NOT NULL UNIQUE,
                    is_main    INTEGER NOT NULL DEFAULT 0 CHECK (is_main IN (0, 1)),
                    created_at REAL NOT NULL
                ) STRICT;
                CREATE UNIQUE INDEX organisations_main ON organisations (is_main) WHERE is_main = 1;

                CREATE TABLE person_organisations (
                    person_id       TEXT PRIMARY KEY NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX person_organisations_organisation ON person_organisations (organisation_id);

                CREATE TABLE news_editors (
                    person_id  TEXT PRIMARY KEY NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    granted_at REAL NOT NULL
                ) STRICT, WITHOUT ROWID;

                CREATE TABLE news (
                    id                       TEXT PRIMARY KEY NOT NULL,
                    author_id                TEXT NOT NULL,
                    title                    TEXT NOT NULL,
                    introduction             TEXT NOT NULL,
                    body                     TEXT NOT NULL,
                    search_text              TEXT NOT NULL,
                    tags                     TEXT NOT NULL DEFAULT '[]',
                    tags_key                 TEXT NOT NULL DEFAULT '[]',
                    category                 TEXT,
                    category_key             TEXT,
                    publish_at               REAL NOT NULL,
                    ends_at                  REAL,
                    pinned                   INTEGER NOT NULL CHECK (pinned IN (0, 1)),
                    important                INTEGER NOT NULL CHECK (important IN (0, 1)),
                    allow_comments           INTEGER NOT NULL CHECK (allow_comments IN (0, 1)),
                    allow_reactions          INTEGER NOT NULL CHECK (allow_reactions IN (0, 1)),
                    ack_required             INTEGER NOT NULL CHECK (ack_required IN (0, 1)),
                    ack_deadline             REAL,
                    audience_organisations   TEXT NOT NULL DEFAULT '[]',
                    audience_departments     TEXT NOT NULL DEFAULT '[]',
                    audience_departments_key TEXT NOT NULL DEFAULT '[]',
                    audience_workplaces      TEXT NOT NULL DEFAULT '[]',
                    audience_workplaces_key  TEXT NOT NULL DEFAULT '[]',
                    audience_titles          TEXT NOT NULL DEFAULT '[]',
                    audience_groups          TEXT NOT NULL DEFAULT '[]',
                    draft                    INTEGER NOT NULL CHECK (draft IN (0, 1)),
                    revision                 INTEGER NOT NULL CHECK (revision >= 1),
                    created_at               REAL NOT NULL,
                    updated_at               REAL NOT NULL,
                    announced_at             REAL,
                    reminded_at              REAL,
                    image_type               TEXT
                ) STRICT;
                CREATE INDEX news_listing ON news (pinned DESC, publish_at DESC);
                CREATE INDEX news_unannounced ON news (publish_at) WHERE announced_at IS NULL;

                CREATE TABLE news_images (
                    news_id TEXT PRIMARY KEY NOT NULL REFERENCES news (id) ON DELETE CASCADE,
                    data    BLOB NOT NULL
                ) STRICT;

                CREATE TABLE news_revisions (
                    news_id      TEXT NOT NULL REFERENCES news (id) ON DELETE CASCADE,
                    edit         INTEGER NOT NULL,
                    revision     INTEGER NOT NULL,
                    title        TEXT NOT NULL,
                    introduction TEXT NOT NULL,
                    body         TEXT NOT NULL,
                    edited_at    REAL NOT NULL,
                    edited_by    TEXT NOT NULL,
                    material     INTEGER NOT NULL CHECK (material IN (0, 1)),
                    PRIMARY KEY (news_id, edit)
                ) STRICT;

                CREATE TABLE news_acknowledgements (
                    news_id         TEXT NOT NULL REFERENCES news (id) ON DELETE CASCADE,
                    person_id       TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    revision        INTEGER NOT NULL,
                    acknowledged_at REAL NOT NULL,
                    PRIMARY KEY (news_id, person_id)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX news_acknowledgements_person ON news_acknowledgements (person_id);

                CREATE TABLE news_comments (
                    id         TEXT PRIMARY KEY NOT NULL,
                    news_id    TEXT NOT NULL REFERENCES news (id) ON DELETE CASCADE,
                    author_id  TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    body       TEXT NOT NULL,
                    created_at REAL NOT NULL
                ) STRICT;
                CREATE INDEX news_comments_news ON news_comments (news_id, created_at);
                CREATE INDEX news_comments_author ON news_comments (author_id);

                CREATE TABLE news_reactions (
                    news_id    TEXT NOT NULL REFERENCES news (id) ON DELETE CASCADE,
                    person_id  TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    emoji      TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    PRIMARY KEY (news_id, person_id, emoji)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX news_reactions_person ON news_reactions (person_id);
                """)
        }
    }
}
