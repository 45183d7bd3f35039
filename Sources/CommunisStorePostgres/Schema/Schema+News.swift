extension PostgresSchema {
    /// Organisations, people's organisations, news editors, and news with their revisions,
    /// acknowledgements, comments, reactions and image (SQLite's `v17-news`). Lists are
    /// `text[]` / `uuid[]`; the `_key` columns hold the folded forms the filters compare.
    /// Foreign keys are DEFERRABLE (see `deferrableKeys`).
    static let news: [String] = [
        """
        CREATE TABLE organisations (
            id         uuid PRIMARY KEY,
            name       text NOT NULL,
            name_key   text NOT NULL UNIQUE,
            is_main    boolean NOT NULL DEFAULT false,
            created_at timestamptz NOT NULL
        )
        """,
        "CREATE UNIQUE INDEX organisations_main ON organisations (is_main) WHERE is_main",
        """
        CREATE TABLE person_organisations (
            person_id       uuid PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE
        )
        """,
        "CREATE INDEX person_organisations_organisation ON person_organisations (organisation_id)",
        """
        CREATE TABLE news_editors (
            person_id  uuid PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            granted_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE news (
            id                       uuid PRIMARY KEY,
            author_id                uuid NOT NULL,
            title                    text NOT NULL,
            introduction             text NOT NULL,
            body                     text NOT NULL,
            search_text              text NOT NULL,
            tags                     text[] NOT NULL DEFAULT '{}',
            tags_key                 text[] NOT NULL DEFAULT '{}',
            category                 text,
            category_key             text,
            publish_at               timestamptz NOT NULL,
            ends_at                  timestamptz,
            pinned                   boolean NOT NULL,
            important                boolean NOT NULL,
            allow_comments           boolean NOT NULL,
            allow_reactions          boolean NOT NULL,
            ack_required             boolean NOT NULL,
            ack_deadline             timestamptz,
            audience_organisations   uuid[] NOT NULL DEFAULT '{}',
            audience_departments     text[] NOT NULL DEFAULT '{}',
            audience_departments_key text[] NOT NULL DEFAULT '{}',
            audience_workplaces      text[] NOT NULL DEFAULT '{}',
            audience_workplaces_key  text[] NOT NULL DEFAULT '{}',
            audience_titles          text[] NOT NULL DEFAULT '{}',
            audience_groups          text[] NOT NULL DEFAULT '{}',
            draft                    boolean NOT NULL,
            revision                 integer NOT NULL CHECK (revision >= 1),
            created_at               timestamptz NOT NULL,
            updated_at               timestamptz NOT NULL,
            announced_at             timestamptz,
            reminded_at              timestamptz,
            image_type               text
        )
        """,
        "CREATE INDEX news_listing ON news (pinned DESC, publish_at DESC)",
        "CREATE INDEX news_unannounced ON news (publish_at) WHERE announced_at IS NULL",
        """
        CREATE TABLE news_images (
            news_id uuid PRIMARY KEY REFERENCES news (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            data    bytea NOT NULL
        )
        """,
        """
        CREATE TABLE news_revisions (
            news_id      uuid NOT NULL REFERENCES news (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            edit         integer NOT NULL,
            revision     integer NOT NULL,
            title        text NOT NULL,
            introduction text NOT NULL,
            body         text NOT NULL,
            edited_at    timestamptz NOT NULL,
            edited_by    uuid NOT NULL,
            material     boolean NOT NULL,
            PRIMARY KEY (news_id, edit)
        )
        """,
        """
        CREATE TABLE news_acknowledgements (
            news_id         uuid NOT NULL REFERENCES news (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            person_id       uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            revision        integer NOT NULL,
            acknowledged_at timestamptz NOT NULL,
            PRIMARY KEY (news_id, person_id)
        )
        """,
        "CREATE INDEX news_acknowledgements_person ON news_acknowledgements (person_id)",
        """
        CREATE TABLE news_comments (
            id         uuid PRIMARY KEY,
            news_id    uuid NOT NULL REFERENCES news (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            author_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            body       text NOT NULL,
            created_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX news_comments_news ON news_comments (news_id, created_at)",
        "CREATE INDEX news_comments_author ON news_comments (author_id)",
        """
        CREATE TABLE news_reactions (
            news_id    uuid NOT NULL REFERENCES news (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            emoji      text NOT NULL,
            created_at timestamptz NOT NULL,
            PRIMARY KEY (news_id, person_id, emoji)
        )
        """,
        "CREATE INDEX news_reactions_person ON news_reactions (person_id)",
    ]
}
